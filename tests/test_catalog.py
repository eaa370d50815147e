"""Finding things: `lineage models` and "did you mean" wherever a name is looked up."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import lineage
from lineage.errors import QueryError
from lineage.suggest import closest, did_you_mean


def test_models_lists_every_model_with_counts(examples_store: Path):
    found = lineage.models(store=examples_store)
    ids = [m.id for m in found]
    assert ids == sorted(ids, key=str.casefold)
    ties = next(m for m in found if m.id == "mergecraft/AcmePomme-Coder-7B-TIES")
    assert (ties.kind, ties.parents, ties.children, ties.has_card, ties.resolved) == \
        ("merge", 4, 2, True, True)
    assert set(ties.to_dict()) == {"id", "name", "iri", "org", "kind", "license", "has_card",
                                   "resolved", "parents", "children", "aliases"}


def test_models_search_substring_then_fuzzy(examples_store: Path):
    assert [m.id for m in lineage.models("OWL", store=examples_store)] == \
        ["nightowl/Owl-7B-slerp", "nightowl/Owl-Mega-7B"]
    assert next(m.id for m in lineage.models("Owl-Mgea-7B", store=examples_store)) == \
        "nightowl/Owl-Mega-7B"
    assert lineage.models("zzzz-nothing", store=examples_store) == []


def test_models_filters(examples_store: Path):
    merges = lineage.models(store=examples_store, relation="merge")
    assert {m.kind for m in merges} == {"merge"}
    assert [m.id for m in lineage.models(store=examples_store, org="NIGHTOWL")] == \
        ["nightowl/Owl-7B-slerp", "nightowl/Owl-Mega-7B"]
    nc = lineage.models(store=examples_store, license="CC-BY-NC-4.0")
    assert "orchard-lab/Pomme-7B-Chat" in {m.id for m in nc}
    assert all(m.has_card for m in lineage.models(store=examples_store, has_card=True))
    with pytest.raises(QueryError, match="unknown relation"):
        lineage.models(store=examples_store, relation="cousin")


def test_models_command_formats(examples_store: Path, run):
    out = run("models", "owl", "--store", examples_store, "--format", "json", check=True)
    assert [m["id"] for m in json.loads(out.stdout)] == ["nightowl/Owl-7B-slerp",
                                                          "nightowl/Owl-Mega-7B"]
    out = run("models", "--store", examples_store, "--relation", "merge", "--format", "csv",
              check=True)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["kind"] for r in rows} == {"merge"}
    assert rows[0]["iri"].startswith("https://huggingface.co/")
    # Every model of the example family has its own card.
    out = run("models", "--store", examples_store, "--no-card", check=True)
    assert out.stdout.strip() == "no models match"


def test_closest_names():
    known = ["nightowl/Owl-Mega-7B", "nightowl/Owl-7B-slerp", "acme-ai/Acme-7B"]
    assert closest("owl-mega-7b", known) == ["nightowl/Owl-Mega-7B"]
    assert set(closest("Owl", known)) == {"nightowl/Owl-7B-slerp", "nightowl/Owl-Mega-7B"}
    assert did_you_mean("qqqqqq", known) == ""


def test_show_and_analysis_suggest_the_closest_ids(examples_store: Path, run):
    with pytest.raises(QueryError, match=r"did you mean nightowl/Owl-Mega-7B\?"):
        lineage.show("Owl-Mega-7B", store=examples_store)
    with pytest.raises(QueryError, match="did you mean nightowl/Owl-Mega-7B"):
        lineage.ancestors("Owl-Mega-7B", store=examples_store)
    out = run("show", "Owl-Mega-7B", "--store", examples_store)
    assert out.returncode == 2
    assert "did you mean nightowl/Owl-Mega-7B?" in out.stderr
    assert "Traceback" not in out.stderr


def test_named_queries_reject_unknown_models_and_suggest_names(examples_store: Path, run):
    out = run("query", "ancestors", "--param", "model=nobody/none", "--store", examples_store)
    assert out.returncode == 2
    assert "no model 'nobody/none' in the store" in out.stderr
    out = run("query", "ancestor", "--store", examples_store)
    assert out.returncode == 2
    assert "did you mean ancestors" in out.stderr
    out = run("query", "ancestors", "--param", "modle=x/y", "--store", examples_store)
    assert "did you mean model?" in out.stderr


def test_dash_writes_single_stream_formats_to_standard_output(examples_store: Path, run,
                                                              tmp_path: Path):
    out = run("export", "--store", examples_store, "--format", "nt", "-o", "-", cwd=tmp_path,
              check=True)
    assert out.stdout.count("\n") > 100
    assert "<https://huggingface.co/nightowl/Owl-Mega-7B>" in out.stdout
    dot = run("diagram", "nightowl/Owl-Mega-7B", "--store", examples_store, "-o", "-",
              "--format", "dot", cwd=tmp_path, check=True)
    assert dot.stdout.startswith("digraph lineage {")
    assert "wrote standard output" in dot.stderr
    assert not (tmp_path / "-").exists()
    csv_out = run("export", "--store", examples_store, "--format", "csv", "-o", "-", cwd=tmp_path)
    assert csv_out.returncode == 2
    assert "csv writes a folder" in csv_out.stderr


def test_every_data_command_speaks_json_and_csv(examples_store: Path, run):
    owl = "nightowl/Owl-Mega-7B"
    for args in (["ancestors", owl], ["descendants", "acme-ai/Acme-7B"], ["roots"],
                 ["datasets", owl], ["contributions", owl], ["licenses", owl],
                 ["common", owl, "mergecraft/AcmePomme-Coder-7B-TIES"],
                 ["deltas", "acme-ai/Acme-7B-Instruct"], ["models"], ["queries"]):
        store = [] if args == ["queries"] else ["--store", examples_store]
        as_json = json.loads(run(*args, *store, "--format", "json", check=True).stdout)
        rows = list(csv.DictReader(io.StringIO(
            run(*args, *store, "--format", "csv", check=True).stdout)))
        records = as_json["licenses"] if args[0] == "licenses" else as_json
        assert len(rows) == len(records), args
        if records:
            assert list(rows[0]) == list(records[0]), args


def test_strict_fails_a_ci_job_on_a_license_conflict(examples_store: Path, run):
    ties = "mergecraft/AcmePomme-Coder-7B-TIES"
    assert run("licenses", ties, "--store", examples_store).returncode == 0
    strict = run("licenses", ties, "--store", examples_store, "--strict")
    assert strict.returncode == 1
    assert "conflict:" in strict.stdout
    calm = run("licenses", "acme-ai/Acme-7B", "--store", examples_store, "--strict")
    assert calm.returncode == 0


def test_check_strict_fails_on_an_id_collision(tmp_path: Path, run):
    for rev in ("rev1", "rev2"):
        card = tmp_path / rev / "org" / "Tune" / "README.md"
        card.parent.mkdir(parents=True)
        card.write_text(f"---\nlicense: mit\n---\n# Tune {rev}\n")
    store = tmp_path / "store"
    run("build", tmp_path / "rev1", tmp_path / "rev2", "--store", store, check=True)
    assert run("check", "--store", store, "--no-shacl").returncode == 0
    strict = run("check", "--store", store, "--no-shacl", "--strict", "--format", "json")
    assert strict.returncode == 1
    kinds = {f["kind"] for f in json.loads(strict.stdout)["findings"]}
    assert "id collision" in kinds


def test_a_benchmark_parameter_matches_its_plain_name_in_any_case(examples_store: Path):
    full = lineage.query("benchmark-ranking", params={"benchmark": "MMLU (5-Shot)"},
                         store=examples_store)
    assert full
    for spelling in ("mmlu", "MMLU", "cais/mmlu"):
        assert lineage.query("benchmark-ranking", params={"benchmark": spelling},
                             store=examples_store) == full


def test_build_reports_as_json(tmp_path: Path, run):
    bad = tmp_path / "cards" / "bad.md"
    bad.parent.mkdir()
    bad.write_bytes(b"---\nlicense: [\n---\n")
    out = run("build", tmp_path / "cards", "--store", tmp_path / "s", "--format", "json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert (report["ok"], report["ingested"], len(report["rejected"])) == (False, 0, 1)
    assert report["rejected"][0]["source"].endswith("bad.md")


def test_a_mistyped_format_gets_a_suggestion(examples_store: Path, run):
    out = run("models", "--store", examples_store, "--format", "jsn")
    assert out.returncode == 2
    assert "did you mean json?" in out.stderr
    out = run("export", "--store", examples_store, "--format", "tll", "-o", "-")
    assert "did you mean ttl" in out.stderr
