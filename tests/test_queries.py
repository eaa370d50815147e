"""Named queries (``queries/*.rq``): exact results on the example family, headers, examples.

Every query in ``queries/`` has a case in ``CASES``: the parameters of its header example
and the exact rows it must return on ``examples/cards``. Cases the examples lack (conflicts
between cards, unresolved names, models without a card) are built in ``tmp_path``.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import lineage
from lineage.errors import QueryError
from lineage.named_queries import NamedQuery, list_queries
from lineage.store import open_store

from .conftest import EXAMPLES

HF = "https://huggingface.co/"
ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "lineage.ttl"


def M(repo_id: str) -> str:
    return HF + repo_id


def D(repo_id: str) -> str:
    return f"{HF}datasets/{repo_id}"


PATH = "<card path>"  # a snippet that is the card's own location (identity read from the path)
POMME = "orchard-lab/Pomme-7B-Chat"
TIES = "mergecraft/AcmePomme-Coder-7B-TIES"
SLERP = "nightowl/Owl-7B-slerp"
SNIP_63 = "Training took 2 epochs on 4x NVIDIA A100 80GB, about 120 million tokens seen in total."


@dataclass(frozen=True)
class Case:
    """A query's parameters and its exact result: columns, and rows in the query's order."""

    params: dict[str, str]
    columns: tuple[str, ...]
    rows: list[tuple[str | None, ...]] = field(default_factory=list)


CASES: dict[str, Case] = {
    "ancestors": Case({"model": "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"}, ("ancestor", "id"), [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B"),
        (M("acme-ai/Acme-7B-Instruct"), "acme-ai/Acme-7B-Instruct"),
        (M("bluefin/Bluefin-7B-Coder"), "bluefin/Bluefin-7B-Coder"),
        (M(TIES), TIES),
        (M(POMME), POMME),
    ]),
    "descendants": Case({"model": "acme-ai/Acme-7B"}, ("descendant", "id"), [
        (M(i), i) for i in (
            "acme-ai/Acme-7B-Instruct", "acme-ai/Acme-7B-Instruct-AWQ", "bluefin/Bluefin-7B-Coder",
            "lonewolf/Acme-7B-Instruct-abliterated", "lonewolf/Acme-7B-Instruct-abliterated-v2",
            "medtune/acme-7b-medical-lora", TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF",
            SLERP, "nightowl/Owl-Mega-7B", POMME)
    ]),
    "children": Case({"model": "acme-ai/Acme-7B-Instruct"}, ("child", "id", "relation"), [
        (M("medtune/acme-7b-medical-lora"), "medtune/acme-7b-medical-lora", "adapter"),
        (M("bluefin/Bluefin-7B-Coder"), "bluefin/Bluefin-7B-Coder", "finetune"),
        (M("lonewolf/Acme-7B-Instruct-abliterated"), "lonewolf/Acme-7B-Instruct-abliterated",
         "finetune"),
        (M(TIES), TIES, "merge"),
        (M("acme-ai/Acme-7B-Instruct-AWQ"), "acme-ai/Acme-7B-Instruct-AWQ", "quantized"),
    ]),
    "parents": Case({"model": TIES}, ("parent", "id", "relation"), [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "merge"),
        (M("acme-ai/Acme-7B-Instruct"), "acme-ai/Acme-7B-Instruct", "merge"),
        (M("bluefin/Bluefin-7B-Coder"), "bluefin/Bluefin-7B-Coder", "merge"),
        (M(POMME), POMME, "merge"),
    ]),
    "siblings": Case({"model": "bluefin/Bluefin-7B-Coder"}, ("sibling", "id", "parent"), [
        (M(i), i, "acme-ai/Acme-7B-Instruct") for i in (
            "acme-ai/Acme-7B-Instruct-AWQ", "lonewolf/Acme-7B-Instruct-abliterated",
            "medtune/acme-7b-medical-lora", TIES)
    ]),
    "common-ancestors": Case(
        {"a": SLERP, "b": "acme-ai/Acme-7B-Instruct-AWQ"}, ("ancestor", "id", "nearest"), [
            (M("acme-ai/Acme-7B-Instruct"), "acme-ai/Acme-7B-Instruct", "true"),
            (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "false"),
        ]),
    "roots": Case({}, ("root", "id", "descendants", "described"), [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "11", "true"),
    ]),
    "merge-recipe": Case(
        {"model": TIES},
        ("input", "role", "weight", "density", "method", "base", "dtype", "parameters"), [
            ("acme-ai/Acme-7B", "base", None, None, "ties", "acme-ai/Acme-7B", "bfloat16",
             "normalize=true"),
            ("acme-ai/Acme-7B-Instruct", "source", "0.5", "0.6", "ties", "acme-ai/Acme-7B",
             "bfloat16", "normalize=true"),
            (POMME, "source", "0.3", "0.5", "ties", "acme-ai/Acme-7B", "bfloat16",
             "normalize=true"),
            ("bluefin/Bluefin-7B-Coder", "source", "0.2", "0.5", "ties", "acme-ai/Acme-7B",
             "bfloat16", "normalize=true"),
        ]),
    "merges": Case({}, ("id", "method", "base", "inputs", "dtype"), [
        ("nightowl/Owl-Mega-7B", "linear", None, "2", "float16"),
        (SLERP, "slerp", POMME, "2", "bfloat16"),
        (TIES, "ties", "acme-ai/Acme-7B", "4", "bfloat16"),
    ]),
    "trained-on": Case({"dataset": "orchard-lab/orchard-dialogues"},
                       ("model", "id", "via", "direct"), [
        (M(TIES), TIES, POMME, "false"),
        (M("mergecraft/AcmePomme-Coder-7B-TIES-GGUF"), "mergecraft/AcmePomme-Coder-7B-TIES-GGUF",
         POMME, "false"),
        (M(SLERP), SLERP, POMME, "false"),
        (M("nightowl/Owl-Mega-7B"), "nightowl/Owl-Mega-7B", POMME, "false"),
        (M(POMME), POMME, POMME, "true"),
    ]),
    "datasets-of": Case({"model": SLERP},
                        ("dataset", "id", "name", "via", "direct", "unresolved"), [
        (D("acme-ai/webmix-2t"), "acme-ai/webmix-2t", "acme-ai/webmix-2t", "acme-ai/Acme-7B",
         "false", "false"),
        (D("acme-ai/instruct-mix-300k"), "acme-ai/instruct-mix-300k", "acme-ai/instruct-mix-300k",
         "acme-ai/Acme-7B-Instruct", "false", "false"),
        (D("acme-ai/prefs-60k"), "acme-ai/prefs-60k", "acme-ai/prefs-60k",
         "acme-ai/Acme-7B-Instruct", "false", "false"),
        (D("bluefin/code-pairs-50k"), "bluefin/code-pairs-50k", "bluefin/code-pairs-50k",
         "bluefin/Bluefin-7B-Coder", "false", "false"),
        ("https://w3id.org/lineage/id/dataset/orchard-poems", None, "Orchard Poems", POMME,
         "false", "true"),
        (D("orchard-lab/orchard-dialogues"), "orchard-lab/orchard-dialogues",
         "orchard-lab/orchard-dialogues", POMME, "false", "false"),
    ]),
    "license-inheritance": Case(
        {"model": "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"},
        ("id", "kind", "license", "label", "differs"), [
            ("mergecraft/AcmePomme-Coder-7B-TIES-GGUF", "model", "apache-2.0", "Apache-2.0",
             "false"),
            ("acme-ai/Acme-7B", "ancestor", "apache-2.0", "Apache-2.0", "false"),
            ("acme-ai/Acme-7B-Instruct", "ancestor", "apache-2.0", "Apache-2.0", "false"),
            ("bluefin/Bluefin-7B-Coder", "ancestor", "apache-2.0", "Apache-2.0", "false"),
            (TIES, "ancestor", "apache-2.0", "Apache-2.0", "false"),
            (POMME, "ancestor", "cc-by-nc-4.0", "CC-BY-NC-4.0", "true"),
        ]),
    "models-by-license": Case({"license": "cc-by-nc-4.0"}, ("model", "id", "licenseId", "label"), [
        (M(i), i, "cc-by-nc-4.0", "CC-BY-NC-4.0") for i in (SLERP, "nightowl/Owl-Mega-7B", POMME)
    ]),
    "hardware-by-family": Case(
        {}, ("family", "accelerator", "models", "devices", "largest"), [
            ("acme-ai/Acme-7B", "NVIDIA A100 80GB", "2", "260", "256"),  # Acme-7B 256, Pomme 4
            ("acme-ai/Acme-7B", "NVIDIA H100", "1", "8", "8"),
            ("acme-ai/Acme-7B", "NVIDIA L40S", "1", "2", "2"),
            ("acme-ai/Acme-7B", "NVIDIA A10G 24GB", "1", "1", "1"),
            ("acme-ai/Acme-7B", "NVIDIA RTX 4090", "1", "1", "1"),
        ]),
    "benchmark-ranking": Case(
        {"benchmark": "MMLU (5-Shot)"}, ("id", "value", "name", "metric", "shots"), [
            ("acme-ai/Acme-7B-Instruct", "63.9", "MMLU (5-Shot)", "acc", "5"),
            ("nightowl/Owl-Mega-7B", "62.1", "MMLU (5-Shot)", "acc", "5"),
            ("acme-ai/Acme-7B", "61.2", "MMLU (5-Shot)", "acc", "5"),
            (POMME, "60.8", "MMLU (5-Shot)", "acc", "5"),
        ]),
    "score-delta": Case(
        {"model": "acme-ai/Acme-7B-Instruct"},
        ("parent", "benchmark", "parentValue", "value", "delta"), [
            # GSM8k (5-shot) and Acme-7B's GSM8K (8-shot) are different benchmarks.
            ("acme-ai/Acme-7B", "HellaSwag (10-Shot)", "80.4", "82", "1.6"),
            ("acme-ai/Acme-7B", "MMLU (5-Shot)", "61.2", "63.9", "2.7"),
        ]),
    "unresolved": Case({}, ("kind", "name", "properties", "line", "source", "card"), [
        ("dataset", "Orchard Poems", "trainedOn", "80", POMME, POMME),
    ]),
    "undescribed": Case({}, ("model", "id", "cards"), []),  # every example names known models
    "conflicts": Case({}, ("id", "property", "value", "line", "source", "card"), []),
    "evidence": Case(
        {"model": POMME},
        ("about", "subject", "predicate", "object", "method", "snippet", "line", "confidence",
         "source", "card"), [
            (*row[:8], row[8], row[8]) for row in [
                ("child", TIES, "mergedFrom", POMME, "metadata", f"base_model: {POMME}", "5",
                 "0.9", TIES),
                ("child", TIES, "mergedFrom", POMME, "prose", f"* [{POMME}]({HF}{POMME})", "30",
                 "0.85", TIES),
                ("child", TIES, "mergedFrom", POMME, "mergekit", "- model: Pomme-7B-Chat", "45",
                 "0.95", TIES),
                ("child", SLERP, "mergedFrom", POMME, "mergekit", f"- model: {POMME}", "22",
                 "0.95", SLERP),
                ("card", "card", "describes", POMME, "path", PATH, None, "1", POMME),
                ("model", POMME, "license", "CC-BY-NC-4.0", "metadata", "license: cc-by-nc-4.0",
                 "2", "0.95", POMME),
                ("model", POMME, "language", "http://lexvo.org/id/iso639-3/eng", "metadata",
                 "language: en", "4", "0.95", POMME),
                ("model", POMME, "pipelineTag", "text-generation", "metadata",
                 "pipeline_tag: text-generation", "5", "0.95", POMME),
                ("model", POMME, "library", "transformers", "metadata",
                 "library_name: transformers", "6", "0.95", POMME),
                ("evaluation", "MMLU (5-Shot)", "value", "60.8", "metadata",
                 "MMLU (5-Shot): acc = 60.8", "18", "0.95", POMME),
                ("evaluation", "HellaSwag (10-Shot)", "value", "81.3", "metadata",
                 "HellaSwag (10-Shot): acc_norm = 81.3", "35", "0.95", POMME),
                ("model", POMME, "fineTunedFrom", "acme-ai/Acme-7B", "prose",
                 f"Pomme was fine-tuned on top of [Acme-7B]({HF}acme-ai/Acme-7B), the base", "59",
                 "0.85", POMME),
                ("hardware", "hardware", "accelerator", "NVIDIA A100 80GB", "prose", SNIP_63, "63",
                 "0.8", POMME),
                ("training", "training", "epochs", "2", "prose", SNIP_63, "63", "0.8", POMME),
                ("training", "training", "tokens", "120000000", "prose", SNIP_63, "63", "0.8",
                 POMME),
                ("model", POMME, "promptFormat", "mistral", "prose", "<s>[INST] {prompt} [/INST]",
                 "71", "0.7", POMME),
                ("model", POMME, "trainedOn", "orchard-lab/orchard-dialogues", "link",
                 f"- Conversations: [orchard-lab/orchard-dialogues]"
                 f"({HF}datasets/orchard-lab/orchard-dialogues)", "79", "0.8", POMME),
                ("model", POMME, "trainedOn", "Orchard Poems", "prose",
                 "- Poetry: a filtered subset of the Orchard Poems dataset (we dropped anything "
                 "under 4 lines)", "80", "0.6", POMME),
                ("model", POMME, "alias", "pomme-ai/pomme-chat-7b", "link",
                 f"Detailed results can be found [here]({HF}datasets/open-llm-leaderboard/"
                 "details_po", "89", "0.95", POMME),
                ("evaluation", "Avg.", "value", "71.05", "table", "Avg. | 71.05", "93", "0.85",
                 POMME),
                ("evaluation", "MMLU (5-Shot)", "value", "60.8", "table", "MMLU (5-Shot) | 60.8",
                 "94", "0.85", POMME),
                ("evaluation", "HellaSwag (10-Shot)", "value", "81.3", "table",
                 "HellaSwag (10-Shot) | 81.3", "95", "0.85", POMME),
                ("evaluation", "Avg.", "value", "71.05", "table", "Avg. | 71.05", "102", "0.85",
                 POMME),
                ("evaluation", "MMLU (5-Shot)", "value", "60.8", "table", "MMLU (5-Shot) | 60.8",
                 "103", "0.85", POMME),
                ("evaluation", "HellaSwag (10-Shot)", "value", "81.3", "table",
                 "HellaSwag (10-Shot) | 81.3", "104", "0.85", POMME),
            ]
        ]),
}

QUERIES = list_queries()


def write(root: Path, repo_id: str, text: str) -> Path:
    """Write a card at ``root/org/name/README.md`` (so its path names its id)."""
    path = root / repo_id / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _repo(location: str) -> str:
    """``.../org/name/README.md`` -> ``org/name``."""
    p = Path(location)
    return f"{p.parent.parent.name}/{p.parent.name}"


def _index(store: Path) -> dict[str, str]:
    """Each card's source location -> its graph IRI."""
    s = open_store(store, read_only=True)
    try:
        return s.card_index()
    finally:
        s.close()


def _card_names(store: Path, name: Callable[[str], str] = _repo) -> dict[str, str]:
    """Each card's graph IRI and source location -> ``name(location)`` (``org/name``)."""
    index = _index(store)
    return {**{src: name(src) for src in index}, **{g: name(src) for src, g in index.items()}}


def rows(name: str, store: Path, params: dict[str, str] | None = None,
         cards: dict[str, str] | None = None) -> list[tuple[str | None, ...]]:
    """Run a named query; cards and source locations read as ``org/name``."""
    result = lineage.query(name, store=store, params=params or {})
    assert isinstance(result, list)
    cards = cards if cards is not None else _card_names(store)
    out = []
    for row in result:
        assert isinstance(row, dict)
        for key in ("card", "source"):
            if row.get(key) is not None:
                row[key] = cards[row[key]]
        if row.get("snippet") in cards:
            row["snippet"] = PATH
        out.append(tuple(row.values()))
    return out


def columns(name: str, store: Path, params: dict[str, str]) -> tuple[str, ...]:
    data = json.loads(lineage.query(name, store=store, params=params, results="json"))
    return tuple(data["head"]["vars"])


@pytest.fixture(scope="module")
def cards(examples_store: Path) -> dict[str, str]:
    return _card_names(examples_store)


# --- every query, exactly, on the example family ------------------------------------------

def test_every_named_query_has_a_case():
    assert sorted(q.name for q in QUERIES) == sorted(CASES)
    assert len(QUERIES) >= 12


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_on_the_examples(name: str, examples_store: Path, cards: dict[str, str]):
    case = CASES[name]
    assert columns(name, examples_store, case.params) == case.columns
    # Every query orders its rows, so the order is part of the expected result.
    assert rows(name, examples_store, case.params, cards) == case.rows


def test_results_are_the_same_on_the_rdflib_backend(examples_store: Path):
    """The queries are plain SPARQL 1.1: the in-memory rdflib store gives the same rows."""
    memory = open_store("memory:")
    assert lineage.build([EXAMPLES], store=memory, jobs=1).ok
    for name, case in CASES.items():
        expected = lineage.query(name, store=examples_store, params=case.params)
        got = lineage.query(name, store=memory, params=case.params)
        assert isinstance(got, list)
        assert isinstance(expected, list)
        assert sorted(map(repr, got)) == sorted(map(repr, expected)), name


# --- headers and examples ---------------------------------------------------------------

def _example_args(example: str) -> list[str]:
    args = shlex.split(example)
    assert args[:2] == ["lineage", "query"], example
    return args[2:]


def _declared_lin_terms() -> set[str]:
    text = ONTOLOGY.read_text(encoding="utf-8")
    return set(re.findall(r"^lin:(\w+)\s*$", text, flags=re.MULTILINE))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_header(query: NamedQuery):
    assert query.title, "no '# title:' line"
    assert query.description, "no '# description:' line"
    assert len(query.description) <= 200, "the description is one short line"
    assert query.examples, "no '# example:' line"
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    for pname, (kind, text) in query.params.items():
        assert text, f"parameter {pname} ({kind}) has no description"
        assert re.search(rf"\?{pname}\b", body), f"parameter {pname} is not used"
    for example in query.examples:
        args = _example_args(example)
        assert args[0] == query.name
        given = [args[i + 1].partition("=")[0] for i, a in enumerate(args) if a == "--param"]
        assert sorted(given) == sorted(query.params), example
    # The store unions the named graphs as a multiset: only DISTINCT or grouped rows are right.
    assert re.search(r"SELECT\s+DISTINCT\b|\bGROUP BY\b", body), "SELECT DISTINCT or GROUP BY"
    assert re.match(r"\s*SELECT\b", body), "a SELECT query"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_only_declared_terms(query: NamedQuery):
    used = set(re.findall(r"\blin:(\w+)", query.text))
    assert used <= _declared_lin_terms(), sorted(used - _declared_lin_terms())


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_header_example_runs(run, examples_store: Path, query: NamedQuery):
    for example in query.examples:
        args = _example_args(example)
        proc = run("query", *args, "--store", examples_store, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        bindings = json.loads(proc.stdout)["results"]["bindings"]
        params = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--param")
        assert len(bindings) == len(rows(query.name, examples_store, params))
        csv = run("query", *args, "--store", examples_store, "--format", "csv")
        assert csv.returncode == 0, csv.stderr
        assert len(csv.stdout.splitlines()) >= len(bindings) + 1


# The evidence query's snippets hold card text such as "[/INST]": the table view must print
# it as text, not read it as rich markup.
@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_header_example_as_a_table(run, examples_store: Path, query: NamedQuery):
    for example in query.examples:
        args = _example_args(example)
        params = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--param")
        proc = run("query", *args, "--store", examples_store)
        assert proc.returncode == 0, proc.stderr
        assert f"{len(rows(query.name, examples_store, params))} rows" in proc.stdout


# --- more cases on the examples ----------------------------------------------------------

@pytest.mark.parametrize("spelling", [POMME, "pomme-ai/pomme-chat-7b"])
def test_model_parameter_follows_renames(examples_store: Path, spelling: str):
    assert rows("ancestors", examples_store, {"model": spelling}) == [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B")]
    assert rows("descendants", examples_store, {"model": spelling}) == [
        (M(i), i) for i in (TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF", SLERP,
                            "nightowl/Owl-Mega-7B")]
    evidence = rows("evidence", examples_store, {"model": spelling})
    assert evidence == rows("evidence", examples_store, {"model": POMME})
    assert len(evidence) == len(CASES["evidence"].rows)


def test_model_parameter_takes_the_spellings_cards_use(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "acme-ai/Acme-7B", "---\nlicense: apache-2.0\n---\n# Acme-7B\n")
    write(cards, "o/kid", "---\nbase_model: ACME-AI/acme-7b\n---\n# Kid\n")
    store = tmp_path / "s"
    assert lineage.build([cards], store=store, jobs=1).ok
    for spelling in ("acme-ai/Acme-7B", "ACME-AI/acme-7b"):
        assert rows("descendants", store, {"model": spelling}) == [(M("o/kid"), "o/kid")]
        assert rows("children", store, {"model": spelling}) == [
            (M("o/kid"), "o/kid", "finetune")]
    assert rows("ancestors", store, {"model": "o/kid"}) == [
        (M("ACME-AI/acme-7b"), "ACME-AI/acme-7b")]
    # The license is stated on the id the card describes, found from the child's spelling.
    assert rows("license-inheritance", store, {"model": "ACME-AI/acme-7b"}) == [
        ("ACME-AI/acme-7b", "model", None, None, None),
        ("acme-ai/Acme-7B", "model", "apache-2.0", "Apache-2.0", "false"),
    ]
    # Parameters are bound as IRIs: a spelling that no card uses names no model.
    assert rows("ancestors", store, {"model": "o/KID"}) == []


def test_an_unknown_model_is_an_error_like_in_the_analysis_commands(examples_store: Path):
    for query in QUERIES:
        if "model" in query.params:
            with pytest.raises(QueryError, match="no model 'nobody/nothing' in the store"):
                rows(query.name, examples_store, {"model": "nobody/nothing"})


def test_license_inheritance_of_a_renamed_repo(examples_store: Path):
    assert rows("license-inheritance", examples_store, {"model": "pomme-ai/pomme-chat-7b"}) == [
        (POMME, "model", "cc-by-nc-4.0", "CC-BY-NC-4.0", "false"),
        ("pomme-ai/pomme-chat-7b", "model", None, None, None),  # the old id states nothing
        ("acme-ai/Acme-7B", "ancestor", "apache-2.0", "Apache-2.0", "true"),
    ]
    assert rows("license-inheritance", examples_store,
                {"model": "lonewolf/Acme-7B-Instruct-abliterated-v2"}) == [
        ("lonewolf/Acme-7B-Instruct-abliterated-v2", "model", "mit", "MIT", "false"),
        ("acme-ai/Acme-7B", "ancestor", "apache-2.0", "Apache-2.0", "true"),
        ("acme-ai/Acme-7B-Instruct", "ancestor", "apache-2.0", "Apache-2.0", "true"),
        ("lonewolf/Acme-7B-Instruct-abliterated", "ancestor", "apache-2.0", "Apache-2.0", "true"),
    ]


def test_merge_recipes_without_base_or_with_layer_parameters(examples_store: Path):
    assert rows("merge-recipe", examples_store, {"model": "nightowl/Owl-Mega-7B"}) == [
        (TIES, "source", "0.6", None, "linear", None, "float16", ""),
        (SLERP, "source", "0.4", None, "linear", None, "float16", ""),
    ]
    t = ('t=[{"filter": "self_attn", "value": [0, 0.5, 0.3, 0.7, 1]}, '
         '{"filter": "mlp", "value": [1, 0.5, 0.7, 0.3, 0]}, {"value": 0.5}]')
    assert rows("merge-recipe", examples_store, {"model": SLERP}) == [
        (POMME, "base", None, None, "slerp", POMME, "bfloat16", t),
        ("bluefin/Bluefin-7B-Coder", "source", None, None, "slerp", POMME, "bfloat16", t),
    ]
    assert rows("merge-recipe", examples_store, {"model": "acme-ai/Acme-7B"}) == []


def test_score_delta_negative_and_none(examples_store: Path):
    assert rows("score-delta", examples_store, {"model": POMME}) == [
        ("acme-ai/Acme-7B", "HellaSwag (10-Shot)", "80.4", "81.3", "0.9"),
        ("acme-ai/Acme-7B", "MMLU (5-Shot)", "61.2", "60.8", "-0.4"),
    ]
    # Neither merge input of Owl-Mega-7B reports a score.
    assert rows("score-delta", examples_store, {"model": "nightowl/Owl-Mega-7B"}) == []


@pytest.mark.parametrize("spelling", ["mmlu (5-shot)", "cais/mmlu", "CAIS/MMLU"])
def test_benchmark_by_any_case_or_dataset_id(examples_store: Path, spelling: str):
    assert rows("benchmark-ranking", examples_store, {"benchmark": spelling}) == \
        CASES["benchmark-ranking"].rows


def test_benchmark_ranking_of_table_scores(examples_store: Path):
    assert rows("benchmark-ranking", examples_store, {"benchmark": "avg."}) == [
        ("nightowl/Owl-Mega-7B", "71.9", "Avg.", None, None),
        (POMME, "71.05", "Avg.", None, None),
    ]
    # A plain name finds the benchmark written with its shots ("MMLU (5-Shot)").
    plain = rows("benchmark-ranking", examples_store, {"benchmark": "MMLU"})
    assert plain == rows("benchmark-ranking", examples_store, {"benchmark": "MMLU (5-Shot)"})
    assert {r[2] for r in plain} == {"MMLU (5-Shot)"}


def test_trained_on_a_base_dataset_reaches_every_descendant(examples_store: Path):
    got = rows("trained-on", examples_store, {"dataset": f"{HF}datasets/acme-ai/webmix-2t"})
    assert [r[1] for r in got] == ["acme-ai/Acme-7B", *(r[1] for r in CASES["descendants"].rows)]
    assert {(r[2], r[3]) for r in got[1:]} == {("acme-ai/Acme-7B", "false")}
    assert got[0][2:] == ("acme-ai/Acme-7B", "true")


def test_datasets_of_own_and_inherited(examples_store: Path):
    assert rows("datasets-of", examples_store, {"model": POMME}) == [
        ("https://w3id.org/lineage/id/dataset/orchard-poems", None, "Orchard Poems", POMME,
         "true", "true"),
        (D("orchard-lab/orchard-dialogues"), "orchard-lab/orchard-dialogues",
         "orchard-lab/orchard-dialogues", POMME, "true", "false"),
        (D("acme-ai/webmix-2t"), "acme-ai/webmix-2t", "acme-ai/webmix-2t", "acme-ai/Acme-7B",
         "false", "false"),
    ]


def test_children_of_a_leaf_and_siblings_through_two_parents(examples_store: Path):
    assert rows("children", examples_store, {"model": "nightowl/Owl-Mega-7B"}) == []
    assert rows("siblings", examples_store, {"model": SLERP}) == [
        (M(TIES), TIES, "bluefin/Bluefin-7B-Coder"),
        (M(TIES), TIES, POMME),
    ]


def test_models_by_license_matches_spdx_id_in_any_case(examples_store: Path):
    got = rows("models-by-license", examples_store, {"license": "APACHE-2.0"})
    assert [r[1] for r in got] == [
        "acme-ai/Acme-7B", "acme-ai/Acme-7B-Instruct", "acme-ai/Acme-7B-Instruct-AWQ",
        "bluefin/Bluefin-7B-Coder", "lonewolf/Acme-7B-Instruct-abliterated",
        "medtune/acme-7b-medical-lora", TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"]
    assert rows("models-by-license", examples_store, {"license": "MIT"}) == [
        (M("lonewolf/Acme-7B-Instruct-abliterated-v2"), "lonewolf/Acme-7B-Instruct-abliterated-v2",
         "mit", "MIT")]


def test_common_ancestors_of_a_model_and_its_child(examples_store: Path):
    assert rows("common-ancestors", examples_store,
                {"a": "acme-ai/Acme-7B-Instruct", "b": "bluefin/Bluefin-7B-Coder"}) == [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "true")]


# --- cases the examples lack -------------------------------------------------------------

CONFLICTING = """---
license: {license}
base_model: acme-ai/Acme-7B
---
# M

Fine-tuned for {epochs} epochs on 2x NVIDIA H100.

Instruct template: {prompt}
"""


def test_conflicts_between_cards(tmp_path: Path):
    a = write(tmp_path / "a", "o/m", CONFLICTING.format(license="mit", epochs=2, prompt="Alpaca"))
    b = write(tmp_path / "b", "o/m", CONFLICTING.format(license="apache-2.0", epochs=3,
                                                         prompt="ChatML"))
    # A second copy of card a agrees with it: listed with the conflicting values, no new one.
    c = write(tmp_path / "c", "o/m", CONFLICTING.format(license="mit", epochs=2, prompt="Alpaca")
              + "\nA copy.\n")
    # Two "other" licenses read by their names; one card with one value is no conflict.
    d = write(tmp_path / "a", "o/n", "---\nlicense: other\nlicense_name: acme-community\n---\n")
    e = write(tmp_path / "b", "o/n", "---\nlicense: other\nlicense_name: orchard-research\n---\n")
    f = write(tmp_path / "a", "o/p", "---\nlicense: mit\n---\n")
    store = tmp_path / "s"
    assert lineage.build([a, b, c, d, e, f], store=store, jobs=1).ok
    copies = _card_names(store, lambda src: Path(src).relative_to(tmp_path).parts[0])
    assert rows("conflicts", store, cards=copies) == [
        ("o/m", "epochs", "2", "7", "a", "a"), ("o/m", "epochs", "2", "7", "c", "c"),
        ("o/m", "epochs", "3", "7", "b", "b"),
        ("o/m", "license", "apache-2.0", "2", "b", "b"),
        ("o/m", "license", "mit", "2", "a", "a"), ("o/m", "license", "mit", "2", "c", "c"),
        ("o/m", "promptFormat", "alpaca", "9", "a", "a"),
        ("o/m", "promptFormat", "alpaca", "9", "c", "c"),
        ("o/m", "promptFormat", "chatml", "9", "b", "b"),
        ("o/n", "license", "acme-community", "2", "a", "a"),
        ("o/n", "license", "orchard-research", "2", "b", "b"),
    ]
    # The three copies name one H100 run of two devices: counted once.
    assert rows("hardware-by-family", store) == [("acme-ai/Acme-7B", "NVIDIA H100", "1", "2", "2")]


def test_unresolved_undescribed_and_roots(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/x", "---\nbase_model: ./checkpoints/final\nlicense: mit\n---\n# X\n")
    write(cards, "o/y", """---
license: mit
tags: [merge]
---
# Y

```yaml
models:
  - model: Mystery-7B
    parameters:
      weight: 0.5
  - model: acme-ai/Acme-7B
    parameters:
      weight: 0.5
merge_method: linear
dtype: float16
```
""")
    write(cards, "o/z", f"# Z\n\nThis model is based on [acme-ai/Acme-7B]({HF}acme-ai/Acme-7B).\n")
    store = tmp_path / "s"
    assert lineage.build([cards], store=store, jobs=1).ok
    assert rows("unresolved", store) == [
        ("model", "./checkpoints/final", "fineTunedFrom", "2", "o/x", "o/x"),
        ("model", "Mystery-7B", "mergedFrom", "9", "o/y", "o/y"),
    ]
    assert rows("undescribed", store) == [(M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "2")]
    assert rows("roots", store) == [
        (M("acme-ai/Acme-7B"), "acme-ai/Acme-7B", "2", "false"),
        ("https://w3id.org/lineage/id/model/.%2Fcheckpoints%2Ffinal", "./checkpoints/final", "1",
         "false"),
        ("https://w3id.org/lineage/id/model/Mystery-7B", "Mystery-7B", "1", "false"),
    ]
    # A card naming a parent without saying how: the "derived" relation.
    assert rows("children", store, {"model": "acme-ai/Acme-7B"}) == [
        (M("o/z"), "o/z", "derived"), (M("o/y"), "o/y", "merge")]
    assert rows("merge-recipe", store, {"model": "o/y"}) == [
        ("Mystery-7B", "source", "0.5", None, "linear", None, "float16", ""),
        ("acme-ai/Acme-7B", "source", "0.5", None, "linear", None, "float16", ""),
    ]
