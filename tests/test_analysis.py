"""Lineage analysis (lineage.analysis) on the example family, cyclic graphs and the CLI."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import lineage
from lineage import analysis
from lineage.errors import QueryError
from lineage.store import open_store

from .conftest import EXAMPLES, ROOT

MEGA = "nightowl/Owl-Mega-7B"
TIES = "mergecraft/AcmePomme-Coder-7B-TIES"
GGUF = "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"
SLERP = "nightowl/Owl-7B-slerp"
ACME = "acme-ai/Acme-7B"
INSTRUCT = "acme-ai/Acme-7B-Instruct"
AWQ = "acme-ai/Acme-7B-Instruct-AWQ"
POMME = "orchard-lab/Pomme-7B-Chat"
BLUEFIN = "bluefin/Bluefin-7B-Coder"
ABLITERATED = "lonewolf/Acme-7B-Instruct-abliterated"
COMMANDS = ["ancestors", "descendants", "path", "roots", "common", "licenses", "datasets",
            "contributions", "deltas"]


@pytest.fixture(scope="module")
def g(examples_store: Path) -> nx.MultiDiGraph:
    store = open_store(examples_store, read_only=True)
    try:
        return analysis.graph_for(store)
    finally:
        store.close()


def rel(records: list[Any]) -> list[tuple[str, int, str, str]]:
    return [(r["id"], r["depth"], r["relation"], r["via"]) for r in records]


# ancestry --------------------------------------------------------------------------------

def test_ancestors_of_a_merge_of_merges(g):
    assert rel(analysis.ancestors(g, MEGA)) == [
        (TIES, 1, "merge", MEGA),
        (SLERP, 1, "merge", MEGA),
        (ACME, 2, "merge", TIES),
        (INSTRUCT, 2, "merge", TIES),
        (BLUEFIN, 2, "merge", TIES),
        (POMME, 2, "merge", TIES),
    ]
    first = analysis.ancestors(g, MEGA)[0]
    assert first["iri"] == f"https://huggingface.co/{TIES}"


def test_ancestors_depth_and_relation_filters(g):
    assert rel(analysis.ancestors(g, MEGA, max_depth=1)) == [
        (TIES, 1, "merge", MEGA), (SLERP, 1, "merge", MEGA)]
    assert analysis.ancestors(g, MEGA, max_depth=0) == []
    assert rel(analysis.ancestors(g, GGUF, relations=["quantized"])) == [
        (TIES, 1, "quantized", GGUF)]
    assert rel(analysis.ancestors(g, AWQ)) == [
        (INSTRUCT, 1, "quantized", AWQ), (ACME, 2, "finetune", INSTRUCT)]
    assert analysis.ancestors(g, ACME) == []


def test_descendants_filtered_by_relation(g):
    assert rel(analysis.descendants(g, ACME, relations=["finetune"])) == [
        (INSTRUCT, 1, "finetune", ACME),
        (POMME, 1, "finetune", ACME),
        (BLUEFIN, 2, "finetune", INSTRUCT),
        (ABLITERATED, 2, "finetune", INSTRUCT),
        ("lonewolf/Acme-7B-Instruct-abliterated-v2", 3, "finetune", ABLITERATED),
    ]
    assert rel(analysis.descendants(g, ACME, relations=["merge"])) == [
        (TIES, 1, "merge", ACME), (MEGA, 2, "merge", TIES)]
    everything = analysis.descendants(g, ACME)
    assert len(everything) == 11
    assert rel(analysis.descendants(g, INSTRUCT, max_depth=1, relations=["quantized", "adapter"])
               ) == [(AWQ, 1, "quantized", INSTRUCT),
                     ("medtune/acme-7b-medical-lora", 1, "adapter", INSTRUCT)]


def test_bad_options_are_query_errors(g):
    with pytest.raises(QueryError, match="unknown relation 'fork'"):
        analysis.ancestors(g, MEGA, relations=["fork"])
    with pytest.raises(QueryError, match="0 or more"):
        analysis.descendants(g, ACME, max_depth=-1)


def test_models_resolve_by_id_alias_url_in_any_case(g):
    iri = f"https://huggingface.co/{POMME}"
    for name in (POMME, POMME.upper(), "pomme-ai/pomme-chat-7b", f"https://huggingface.co/{POMME}",
                 "https://huggingface.co/Pomme-AI/pomme-chat-7b", iri):
        assert analysis.resolve(g, name) == iri
    with pytest.raises(QueryError) as err:
        analysis.resolve(g, "nobody/nothing")
    assert str(err.value) == "no model 'nobody/nothing' in the store"


def test_path_up_down_and_none(g):
    steps = analysis.path(g, GGUF, ACME)
    assert [(s["id"], s["relation"], s["direction"]) for s in steps] == [
        (GGUF, None, None), (TIES, "quantized", "up"), (ACME, "merge", "up")]
    down = analysis.path(g, ACME, MEGA)
    assert [(s["id"], s["relation"], s["direction"]) for s in down] == [
        (ACME, None, None), (TIES, "merge", "down"), (MEGA, "merge", "down")]
    assert [s["id"] for s in analysis.path(g, AWQ, "ACME-AI/acme-7b")] == [AWQ, INSTRUCT, ACME]
    with pytest.raises(QueryError, match="neither derives from the other"):
        analysis.path(g, INSTRUCT, POMME)


def test_roots(g):
    assert analysis.roots(g) == [
        {"id": ACME, "iri": f"https://huggingface.co/{ACME}", "depth": 0, "children": 3}]
    assert [(r["id"], r["depth"]) for r in analysis.roots(g, MEGA)] == [(ACME, 2)]
    assert [(r["id"], r["depth"]) for r in analysis.roots(g, ACME)] == [(ACME, 0)]


def test_common_is_the_lowest_common_ancestors(g):
    found = analysis.common(g, SLERP, TIES)
    assert [(c["id"], c["depth_a"], c["depth_b"]) for c in found] == [
        (BLUEFIN, 1, 1), (POMME, 1, 1)]
    # Acme-7B-Instruct and Acme-7B are common too, but Bluefin derives from both.
    assert [c["id"] for c in analysis.common(g, AWQ, BLUEFIN)] == [INSTRUCT]
    assert [c["id"] for c in analysis.common(g, GGUF, TIES)] == [TIES]
    assert [c["id"] for c in analysis.common(g, MEGA, "medtune/acme-7b-medical-lora")] == [
        INSTRUCT]


# licenses and datasets -------------------------------------------------------------------

def test_license_conflict_of_the_ties_merge(g):
    report = analysis.licenses(g, TIES)
    assert report["model"] == TIES
    assert [(e["id"], e["depth"], e["license"], e["category"]) for e in report["licenses"]] == [
        (TIES, 0, "apache-2.0", "permissive"),
        (ACME, 1, "apache-2.0", "permissive"),
        (INSTRUCT, 1, "apache-2.0", "permissive"),
        (BLUEFIN, 1, "apache-2.0", "permissive"),
        (POMME, 1, "cc-by-nc-4.0", "non-commercial"),
    ]
    assert report["conflicts"] == [{
        "model": TIES, "license": "apache-2.0", "ancestor": POMME,
        "ancestor_license": "cc-by-nc-4.0", "category": "non-commercial",
        "message": f"{TIES} is apache-2.0 (permissive) but derives from {POMME}, "
                   "cc-by-nc-4.0 (non-commercial)"}]


def test_licenses_up_a_merge_of_merges_flag_the_inner_conflict(g):
    report = analysis.licenses(g, MEGA)
    assert len(report["licenses"]) == 7
    assert report["licenses"][0]["category"] == "non-commercial"
    assert [(c["model"], c["ancestor"]) for c in report["conflicts"]] == [(TIES, POMME)]
    assert analysis.licenses(g, AWQ)["conflicts"] == []


@pytest.mark.parametrize(("license_id", "category"), [
    ("apache-2.0", "permissive"), ("mit", "permissive"), ("bsd-3-clause", "permissive"),
    ("cc-by-4.0", "permissive"), ("cc0-1.0", "permissive"), ("Apache-2.0", "permissive"),
    ("cc-by-nc-4.0", "non-commercial"), ("cc-by-nc-sa-4.0", "non-commercial"),
    ("cc-by-nc-nd-4.0", "non-commercial"), ("gpl-3.0", "copyleft"), ("agpl-3.0", "copyleft"),
    ("lgpl-2.1", "copyleft"), ("cc-by-sa-4.0", "copyleft"), ("mpl-2.0", "copyleft"),
    ("other", "custom"), ("llama2", "custom"), ("llama3.1", "custom"), ("gemma", "custom"),
    ("openrail", "custom"), ("bigcode-openrail-m", "custom"), (None, "unstated"),
])
def test_license_categories(license_id, category):
    assert analysis.license_category(license_id) == category


def test_inherited_datasets_with_their_paths(g):
    found = analysis.datasets(g, MEGA)
    via_ties = [MEGA, TIES]
    assert [(d["dataset"], d["model"], d["depth"], d["path"], d["relations"]) for d in found] == [
        ("acme-ai/instruct-mix-300k", INSTRUCT, 2, [*via_ties, INSTRUCT], ["merge", "merge"]),
        ("acme-ai/prefs-60k", INSTRUCT, 2, [*via_ties, INSTRUCT], ["merge", "merge"]),
        ("acme-ai/webmix-2t", ACME, 2, [*via_ties, ACME], ["merge", "merge"]),
        ("bluefin/code-pairs-50k", BLUEFIN, 2, [*via_ties, BLUEFIN], ["merge", "merge"]),
        ("Orchard Poems", POMME, 2, [*via_ties, POMME], ["merge", "merge"]),
        ("orchard-lab/orchard-dialogues", POMME, 2, [*via_ties, POMME], ["merge", "merge"]),
    ]
    own = analysis.datasets(g, BLUEFIN)
    assert [(d["dataset"], d["depth"], d["path"]) for d in own] == [
        ("bluefin/code-pairs-50k", 0, [BLUEFIN]),
        ("acme-ai/instruct-mix-300k", 1, [BLUEFIN, INSTRUCT]),
        ("acme-ai/prefs-60k", 1, [BLUEFIN, INSTRUCT]),
        ("acme-ai/webmix-2t", 2, [BLUEFIN, INSTRUCT, ACME]),
    ]
    lora = analysis.datasets(g, "medtune/acme-7b-medical-lora")
    assert [(d["dataset"], d["relations"]) for d in lora][:2] == [
        ("medtune/pubmed-qa-clean", []), ("acme-ai/instruct-mix-300k", ["adapter"])]
    assert [d["dataset"] for d in analysis.datasets(g, AWQ, relations=["finetune"])] == []


# merge shares ----------------------------------------------------------------------------

def test_contributions_of_a_merge_of_merges(g):
    # Owl-Mega = 0.6 TIES + 0.4 slerp (linear). TIES: base Acme-7B (no weight: 0),
    # Instruct 0.5, Pomme 0.3, Bluefin 0.2. Slerp states no weights: Pomme and Bluefin 1/2.
    shares = {c["id"]: c["share"] for c in analysis.contributions(g, MEGA)}
    assert shares == {
        POMME: pytest.approx(0.6 * 0.3 + 0.4 * 0.5),     # 0.38
        BLUEFIN: pytest.approx(0.6 * 0.2 + 0.4 * 0.5),   # 0.32
        INSTRUCT: pytest.approx(0.6 * 0.5),              # 0.30
        ACME: pytest.approx(0.0),
    }
    assert sum(shares.values()) == pytest.approx(1.0)
    records = analysis.contributions(g, MEGA)
    assert [c["id"] for c in records] == [POMME, BLUEFIN, INSTRUCT, ACME]
    assert records[0]["via"] == [TIES, SLERP]


def test_contributions_through_a_quantization_and_of_a_plain_model(g):
    shares = {c["id"]: c["share"] for c in analysis.contributions(g, GGUF)}
    assert shares == pytest.approx({INSTRUCT: 0.5, POMME: 0.3, BLUEFIN: 0.2, ACME: 0.0})
    assert [(c["id"], c["share"]) for c in analysis.contributions(g, AWQ)] == [(AWQ, 1.0)]
    slerp = {c["id"]: c["share"] for c in analysis.contributions(g, SLERP)}
    assert slerp == pytest.approx({POMME: 0.5, BLUEFIN: 0.5})


# score deltas ----------------------------------------------------------------------------

def test_score_deltas_against_the_parent(examples_store):
    store = open_store(examples_store, read_only=True)
    try:
        found = analysis.score_deltas(store, analysis.graph_for(store), INSTRUCT)
    finally:
        store.close()
    assert [(d["benchmark"], d["parent"], d["value"], d["parent_value"]) for d in found] == [
        ("MMLU (5-Shot)", ACME, 63.9, 61.2), ("HellaSwag (10-Shot)", ACME, 82, 80.4)]
    assert [d["delta"] for d in found] == [pytest.approx(2.7), pytest.approx(1.6)]
    assert found[0]["metric"] == "acc"
    # GSM8K (5-shot) and (8-shot) are different benchmarks: not compared.
    assert lineage.deltas(MEGA, store=examples_store) == []


# the graph cache -------------------------------------------------------------------------

def test_graph_is_cached_per_store_state():
    store = open_store("memory:")
    first = analysis.graph_for(store)
    assert first.number_of_nodes() == 0
    assert analysis.graph_for(store) is first
    lineage.build([EXAMPLES / "acme-ai" / "Acme-7B-Instruct" / "README.md"], store=store)
    second = analysis.graph_for(store)
    assert second is not first
    assert f"https://huggingface.co/{INSTRUCT}" in second
    assert analysis.graph_for(store) is second
    assert lineage.ancestors(INSTRUCT, store=store)[0]["id"] == ACME


def test_api_graph_is_a_copy_of_the_view(examples_store):
    g = lineage.lineage_graph(store=examples_store)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 12
    edge = g.get_edge_data(f"https://huggingface.co/{MEGA}", f"https://huggingface.co/{TIES}")
    assert edge["merge"]["weight"] == pytest.approx(0.6)
    g.clear()
    assert lineage.lineage_graph(store=examples_store).number_of_nodes() == 12


# cycles and self-loops -------------------------------------------------------------------

def finishes(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run fn in a thread and fail (instead of hanging) when it does not end in 30 s."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn(*args, **kwargs)
        except Exception as exc:  # handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), f"{fn.__name__}{args} did not terminate"
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture(scope="module")
def cyclic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cards = tmp_path_factory.mktemp("cyclic") / "cards"
    for rid, text in {
        "o/x": "---\nbase_model: o/y\nlicense: mit\ndatasets: [o/dx]\n---\n",
        "o/y": "---\nbase_model: o/x\nlicense: cc-by-nc-4.0\n---\n",
        "o/kid": "---\nbase_model: o/x\nlicense: apache-2.0\n---\n",
        "o/selfish": "---\nbase_model: o/selfish\nlicense: mit\n---\n",
        "o/m1": "---\nbase_model: [o/m2, o/a]\nbase_model_relation: merge\n---\n",
        "o/m2": "---\nbase_model: [o/m1, o/b]\nbase_model_relation: merge\n---\n",
    }.items():
        path = cards / rid / "README.md"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    store = cards.parent / "store"
    assert lineage.build([cards], store=store, jobs=1).ok
    return store


def test_check_reports_the_cycles_and_the_self_loop(cyclic_store):
    report = lineage.check(store=cyclic_store, shacl=False)
    kinds = sorted(f.kind for f in report.findings if f.severity == "error")
    assert kinds == ["cycle", "cycle", "self-loop"]


@pytest.mark.parametrize("model", ["o/x", "o/y", "o/kid", "o/selfish", "o/m1", "o/m2"])
def test_every_analysis_terminates_on_cycles_and_self_loops(cyclic_store, model):
    store = open_store(cyclic_store, read_only=True)
    try:
        g = analysis.graph_for(store)
        for fn in (analysis.ancestors, analysis.descendants, analysis.roots,
                   analysis.licenses, analysis.datasets, analysis.contributions):
            finishes(fn, g, model)
        for other in ("o/x", "o/m1", "o/selfish"):
            finishes(analysis.common, g, model, other)
            with contextlib.suppress(QueryError):
                finishes(analysis.path, g, model, other)
        # Store queries stay on this thread (pyoxigraph results cannot change threads);
        # score_deltas only looks at direct parents.
        analysis.score_deltas(store, g, model)
        finishes(analysis.roots, g)
    finally:
        store.close()


def test_cycle_results(cyclic_store):
    store = open_store(cyclic_store, read_only=True)
    try:
        g = analysis.graph_for(store)
    finally:
        store.close()
    assert rel(analysis.ancestors(g, "o/kid")) == [
        ("o/x", 1, "finetune", "o/kid"), ("o/y", 2, "finetune", "o/x")]
    assert rel(analysis.ancestors(g, "o/x")) == [("o/y", 1, "finetune", "o/x")]
    assert analysis.ancestors(g, "o/selfish") == []
    assert analysis.descendants(g, "o/selfish") == []
    assert [r["id"] for r in analysis.roots(g, "o/selfish")] == ["o/selfish"]
    assert analysis.roots(g, "o/kid") == []
    # x and y derive from each other: both are lowest common ancestors of kid and y.
    assert sorted(c["id"] for c in analysis.common(g, "o/kid", "o/y")) == ["o/x", "o/y"]
    assert [s["id"] for s in analysis.path(g, "o/kid", "o/y")] == ["o/kid", "o/x", "o/y"]
    conflicts = analysis.licenses(g, "o/kid")["conflicts"]
    assert [(c["model"], c["ancestor"]) for c in conflicts] == [("o/kid", "o/y"), ("o/x", "o/y")]
    assert [d["dataset"] for d in analysis.datasets(g, "o/kid")] == ["o/dx"]
    # m1 = 1/2 a + 1/2 m2; m2's edge back to m1 closes the cycle and is ignored.
    shares = {c["id"]: c["share"] for c in analysis.contributions(g, "o/m1")}
    assert shares == pytest.approx({"o/a": 0.5, "o/b": 0.5})
    assert [(c["id"], c["share"]) for c in analysis.contributions(g, "o/selfish")] == [
        ("o/selfish", 1.0)]


def test_hand_built_graph_with_a_self_loop_and_a_cycle():
    g = nx.MultiDiGraph([
        ("a", "a", "finetune", {"relation": "finetune"}),
        ("a", "b", "merge", {"relation": "merge", "weight": 1.0}),
        ("a", "c", "merge", {"relation": "merge", "weight": 3.0}),
        ("b", "a", "merge", {"relation": "merge"}),
        ("b", "d", "merge", {"relation": "merge"}),
    ])
    assert [r["id"] for r in finishes(analysis.ancestors, g, "a")] == ["b", "c", "d"]
    shares = {c["id"]: c["share"] for c in finishes(analysis.contributions, g, "a")}
    assert shares == pytest.approx({"c": 0.75, "d": 0.25})


# the command line ------------------------------------------------------------------------

CLI_CASES = [
    (["ancestors", MEGA], lambda s: lineage.ancestors(MEGA, store=s), [TIES, SLERP, POMME]),
    (["ancestors", MEGA, "--max-depth", "1"],
     lambda s: lineage.ancestors(MEGA, store=s, max_depth=1), [TIES, SLERP]),
    (["descendants", ACME, "--relation", "merge"],
     lambda s: lineage.descendants(ACME, store=s, relations=["merge"]), [TIES, MEGA]),
    (["descendants", ACME, "--relation", "finetune", "--relation", "quantized"],
     lambda s: lineage.descendants(ACME, store=s, relations=["finetune", "quantized"]),
     [INSTRUCT, AWQ, "abliterated-v2"]),
    (["path", GGUF, ACME], lambda s: lineage.path(GGUF, ACME, store=s),
     [GGUF, TIES, ACME, "quantized", "up"]),
    (["roots"], lambda s: lineage.roots(store=s), [ACME]),
    (["roots", MEGA], lambda s: lineage.roots(MEGA, store=s), [ACME]),
    (["common", SLERP, TIES], lambda s: lineage.common(SLERP, TIES, store=s), [BLUEFIN, POMME]),
    (["licenses", TIES], lambda s: lineage.licenses(TIES, store=s),
     ["cc-by-nc-4.0", "non-commercial", f"conflict: {TIES} is apache-2.0 (permissive)"]),
    (["datasets", MEGA], lambda s: lineage.datasets(MEGA, store=s),
     ["Orchard Poems", f"{MEGA} -merge-> {TIES} -merge-> {POMME}"]),
    (["contributions", MEGA], lambda s: lineage.contributions(MEGA, store=s),
     ["38.0%", "32.0%", "30.0%"]),
    (["deltas", INSTRUCT], lambda s: lineage.deltas(INSTRUCT, store=s),
     ["MMLU (5-Shot)", "63.9", "61.2", "+2.7", "+1.6"]),
]


@pytest.mark.parametrize(("args", "api_call", "expected"), CLI_CASES,
                         ids=[" ".join(c[0]) for c in CLI_CASES])
def test_cli_table_and_json(run, examples_store, args, api_call, expected):
    proc = run(*args, "--store", examples_store)
    assert proc.returncode == 0, proc.stderr
    for text in expected:
        assert text in proc.stdout
    proc = run(*args, "--store", examples_store, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == api_call(examples_store)


def test_cli_empty_answers(run, examples_store):
    assert run("ancestors", ACME, "--store", examples_store).stdout.strip() == "no ancestors"
    assert run("deltas", MEGA, "--store", examples_store).stdout.strip() == (
        "no benchmark shared with a parent")
    assert "no license conflicts" in run("licenses", AWQ, "--store", examples_store).stdout


@pytest.mark.parametrize("args", [
    ["ancestors", "nobody/nothing"], ["descendants", "nobody/nothing"],
    ["path", "nobody/nothing", ACME], ["roots", "nobody/nothing"],
    ["common", ACME, "nobody/nothing"], ["licenses", "nobody/nothing"],
    ["datasets", "nobody/nothing"], ["contributions", "nobody/nothing"],
    ["deltas", "nobody/nothing"],
])
def test_cli_unknown_model_is_one_line_and_exit_2(run, examples_store, args):
    proc = run(*args, "--store", examples_store)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "lineage: error: no model 'nobody/nothing' in the store"
    assert proc.stdout == ""


def test_cli_no_path_is_one_line_and_exit_2(run, examples_store):
    proc = run("path", INSTRUCT, POMME, "--store", examples_store)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "neither derives from the other" in proc.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_analysis_command_has_help_and_docs(run, command):
    proc = run(command, "--help")
    assert proc.returncode == 0
    assert f"Usage: lineage {command}" in proc.stdout
    assert f"lineage {command}" in (ROOT / "README.md").read_text(encoding="utf-8")
