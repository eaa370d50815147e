"""The command line: output, exit codes, one-line errors.

Most tests run the command in-process through click's CliRunner (the ``run`` fixture); a
few run the installed console script end to end (``run_process``).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

import lineage
from lineage.cli import cli
from tests.conftest import EXAMPLES, ROOT

# Every command the console script has, read from click itself: a new command cannot be
# left out of these tests.
COMMANDS = sorted(cli.commands)


def test_the_command_list_is_complete():
    assert {"build", "fetch", "show", "models", "serve", "diagram", "export"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [command, "--help"], prog_name="lineage")
    assert result.exit_code == 0, result.output
    assert f"Usage: lineage {command}" in result.output
    assert len(result.output.splitlines()) > 3
    assert cli.commands[command].help  # a docstring: the first line is the summary


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`lineage {command}" in readme


def test_build_prints_what_it_found_and_a_summary(run_process, tmp_path):
    proc = run_process("build", EXAMPLES, "--store", tmp_path / "s")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("cards ingested 12 / skipped unchanged 0 / rejected 0, triples ")
    assert "mergecraft/AcmePomme-Coder-7B-TIES  <-  acme-ai/Acme-7B (merge, ties)" in proc.stdout
    again = run_process("build", EXAMPLES, "--store", tmp_path / "s")
    assert again.stdout.strip().splitlines()[-1].startswith(
        "cards ingested 0 / skipped unchanged 12 / rejected 0")


def test_build_rejects_bad_cards_in_one_line_each_and_exits_1(run_process, tmp_path):
    cards = tmp_path / "cards"
    (cards / "o" / "good").mkdir(parents=True)
    (cards / "o" / "good" / "README.md").write_text("---\nlicense: mit\n---\nhi\n")
    (cards / "o" / "bad").mkdir(parents=True)
    (cards / "o" / "bad" / "README.md").write_bytes(b"---\nbase_model: [x\n---\n")
    (cards / "o" / "bin").mkdir(parents=True)
    (cards / "o" / "bin" / "README.md").write_bytes(b"\x00\xff\x00")
    proc = run_process("build", cards, "--store", tmp_path / "s")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    rejected = [line for line in proc.stderr.splitlines() if line.startswith("rejected:")]
    assert len(rejected) == 2
    assert any("o/bad/README.md:2: broken YAML" in line for line in rejected)
    assert any("o/bin/README.md" in line and "binary" in line for line in rejected)
    assert "cards ingested 1 / skipped unchanged 0 / rejected 2" in proc.stdout


def test_show_json_is_the_api_object(run, examples_store):
    proc = run("show", "nightowl/Owl-Mega-7B", "--store", examples_store, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == lineage.show("nightowl/Owl-Mega-7B", store=examples_store)


def test_show_table(run, examples_store):
    proc = run("show", "orchard-lab/Pomme-7B-Chat", "--store", examples_store)
    assert proc.returncode == 0, proc.stderr
    assert "orchard-lab/Pomme-7B-Chat" in proc.stdout
    assert "pomme-ai/pomme-chat-7b" in proc.stdout
    assert "acme-ai/Acme-7B" in proc.stdout


def test_unknown_model_is_a_one_line_error(run, examples_store):
    proc = run("show", "nobody/nothing", "--store", examples_store)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "lineage: error: no model 'nobody/nothing' in the store"


def test_missing_store_is_a_one_line_error(run_process, tmp_path):
    proc = run_process("show", "a/b", "--store", tmp_path / "nowhere")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "build one first" in proc.stderr


def test_check_conforms_on_examples(run, examples_store):
    proc = run("check", "--store", examples_store)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "conforms: 0 errors" in proc.stdout


def test_queries_lists_named_queries(run):
    proc = run("queries")
    assert proc.returncode == 0
    assert "ancestors" in proc.stdout
    assert "--param model=<model>" in proc.stdout


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_query_formats(run, examples_store, fmt):
    proc = run("query", "ancestors", "--param", "model=nightowl/Owl-Mega-7B", "--store",
               examples_store, "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    expected = {"acme-ai/Acme-7B", "acme-ai/Acme-7B-Instruct", "orchard-lab/Pomme-7B-Chat",
                "bluefin/Bluefin-7B-Coder", "mergecraft/AcmePomme-Coder-7B-TIES",
                "nightowl/Owl-7B-slerp"}
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        assert {r["id"] for r in rows} == expected
    elif fmt == "tsv":
        assert {line.split("\t")[1].strip('"') for line in proc.stdout.splitlines()[1:]} == expected
    elif fmt == "json":
        data = json.loads(proc.stdout)
        assert {b["id"]["value"] for b in data["results"]["bindings"]} == expected
    elif fmt == "xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(proc.stdout)
        ids = {b.find("s:literal", ns).text for b in root.iterfind(".//s:binding[@name='id']", ns)}
        assert ids == expected
    else:
        assert all(i in proc.stdout for i in expected)
        assert "6 rows" in proc.stdout


def test_query_file_with_untyped_param(run, examples_store, tmp_path):
    rq = tmp_path / "license.rq"
    rq.write_text("SELECT ?lid WHERE { ?m dcterms:license ?l . ?l lin:licenseId ?lid }\n")
    proc = run("query", rq, "--param", "m=<https://huggingface.co/nightowl/Owl-7B-slerp>",
               "--store", examples_store, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["lid", "cc-by-nc-4.0"]


def test_query_construct_as_turtle(run, examples_store, tmp_path):
    rq = tmp_path / "edges.rq"
    rq.write_text("CONSTRUCT { ?m lin:mergedFrom ?p } WHERE { ?m lin:mergedFrom ?p }\n")
    proc = run("query", rq, "--store", examples_store, "--format", "ttl")
    assert proc.returncode == 0, proc.stderr
    assert "lin:mergedFrom" in proc.stdout
    assert "@prefix lin:" in proc.stdout


@pytest.mark.parametrize("value", [
    'x> } ; DROP ALL ; { <y',
    "acme-ai/Acme-7B> . ?s ?p ?o",
    "a b",
])
def test_parameters_cannot_inject_sparql(run, examples_store, value):
    proc = run("query", "ancestors", "--param", f"model={value}", "--store", examples_store)
    assert proc.returncode == 2
    assert "not a valid model" in proc.stderr


def test_string_parameter_with_quotes_is_bound_not_pasted(examples_store, tmp_path):
    rq = tmp_path / "label.rq"
    rq.write_text("SELECT ?m WHERE { ?m rdfs:label ?label }\n")
    evil = '" } ?m ?p ?o { "'
    assert lineage.query(str(rq), store=examples_store, params={"label": evil}) == []
    assert lineage.query(str(rq), store=examples_store, params={"label": '"acme-ai/Acme-7B"'}) == [
        {"m": "https://huggingface.co/acme-ai/Acme-7B"}]


def test_malformed_query_is_one_line(run, examples_store, tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT ?x WHERE { ?x ?y }\n")
    proc = run("query", rq, "--store", examples_store)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"lineage: error: {rq}: malformed SPARQL: line ")
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["-p", "model=a/b", "-p", "model=c/d"], "given twice"),
    (["-p", "model"], "NAME=VALUE"),
])
def test_malformed_parameters(run, examples_store, args, message):
    proc = run("query", "ancestors", *args, "--store", examples_store)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_decimal_parameter_is_checked():
    from lineage.errors import QueryError
    from lineage.named_queries import coerce

    assert coerce("decimal", "0.5").value == "0.5"
    for bad in ("nan", "inf", "1e5", "0.5; DROP"):
        with pytest.raises(QueryError):
            coerce("decimal", bad)
