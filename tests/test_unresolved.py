"""Unresolved models (names without a Hub id) are shown as such everywhere.

A small store built from cards written here: a merge whose configuration names its inputs
by local folders (three resolve against the card's links, one private checkpoint does not),
one of its inputs, and a card that says no id of its own, derived from the merge.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import lineage
from lineage import ids

from .conftest import write
from .diagrams.test_diagrams import parse_dot

MERGE = "me/blend-7b"
PRIVATE = "/data/ckpt/private-sft-7b"
MERGE_CARD = """---
license: apache-2.0
tags:
- merge
---
# blend-7b

A TIES merge of [Quill-7B](https://huggingface.co/quillworks/Quill-7B),
[Byte-Chat-7B](https://huggingface.co/brightbyte/Byte-Chat-7B) and
[Rune-7B](https://huggingface.co/runehall/Rune-7B).

```yaml
models:
  - model: /home/u/models/quillworks_Quill-7B
  - model: ./extra/Byte-Chat-7B
    parameters:
      weight: 0.3
  - model: D:/models/runehall--Rune-7B
    parameters:
      weight: 0.2
  - model: /data/ckpt/private-sft-7b
    parameters:
      weight: 0.5
  - model: path/to/model
merge_method: ties
base_model: /home/u/models/quillworks_Quill-7B
dtype: bfloat16
```
"""
INPUT_CARD = "---\nlicense: apache-2.0\ntags:\n- pretrained\n---\n# Quill-7B\n\nA base model.\n"
LOOSE_CARD = "---\nlicense: mit\nbase_model: me/blend-7b\n---\n# notes\n\nMy own fine-tune.\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unresolved")
    cards = root / "cards"
    write(cards, MERGE, MERGE_CARD)
    write(cards, "quillworks/Quill-7B", INPUT_CARD)
    (cards / "notes.md").write_text(LOOSE_CARD, encoding="utf-8")
    path = root / "store"
    report = lineage.build([cards], store=path, jobs=1)
    assert report.ok, report.rejected
    return path


def by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in entries}


def loose_model(store: Path) -> str:
    """The IRI of the model of the card that says no id of its own."""
    children = lineage.show(MERGE, store=store)["children"]
    [child] = [c for c in children if not c["resolved"]]
    return str(child["written"])


# -- show ----------------------------------------------------------------------------------


def test_show_says_which_parents_are_resolved_and_how_the_card_wrote_them(store: Path):
    parents = by_id(lineage.show(MERGE, store=store)["parents"])
    assert set(parents) == {"quillworks/Quill-7B", "brightbyte/Byte-Chat-7B",
                            "runehall/Rune-7B", PRIVATE}
    assert all(p["resolved"] for i, p in parents.items() if i != PRIVATE)
    assert parents[PRIVATE]["resolved"] is False
    assert parents[PRIVATE]["written"] == PRIVATE
    assert parents["quillworks/Quill-7B"]["written"] == "/home/u/models/quillworks_Quill-7B"
    assert parents["runehall/Rune-7B"]["written"] == "D:/models/runehall--Rune-7B"
    assert parents["quillworks/Quill-7B"]["role"] == "base"
    assert parents[PRIVATE]["weight"] == 0.5
    # every key of the contract is still there
    assert {"id", "relation", "role", "method", "weight", "density", "evidence"} <= set(
        parents[PRIVATE])


def test_show_never_lists_a_placeholder_and_warns_about_it(store: Path):
    info = lineage.show(MERGE, store=store)
    assert "path/to/model" not in {p["written"] for p in info["parents"]}
    assert any("'path/to/model' is a placeholder" in w for w in info["warnings"])


def test_a_resolved_parent_written_as_its_id_keeps_the_id(store: Path):
    [parent] = lineage.show(loose_model(store), store=store)["parents"]
    assert (parent["id"], parent["resolved"], parent["written"]) == (MERGE, True, MERGE)


def test_show_says_which_children_are_resolved(store: Path):
    children = lineage.show(MERGE, store=store)["children"]
    assert [c["resolved"] for c in children] == [False]
    child = lineage.show("quillworks/Quill-7B", store=store)["children"]
    assert [(c["id"], c["resolved"], c["written"]) for c in child] == [(MERGE, True, MERGE)]


def test_the_show_table_marks_unresolved_parents(run, store: Path):
    proc = run("show", MERGE, "--store", store, check=True)
    [row] = [line for line in proc.stdout.splitlines() if PRIVATE in line]
    assert f"{PRIVATE} (unresolved)" in row
    assert "parent" in row
    assert "quillworks/Quill-7B" in proc.stdout
    assert "quillworks/Quill-7B (unresolved)" not in proc.stdout
    assert proc.stdout.count("(unresolved)") == 2  # the private parent and the loose child


def test_the_show_json_has_resolved_and_written(run, store: Path):
    proc = run("show", MERGE, "--store", store, "--format", "json", check=True)
    parents = by_id(json.loads(proc.stdout)["parents"])
    assert parents[PRIVATE]["resolved"] is False
    assert parents["brightbyte/Byte-Chat-7B"]["written"] == "./extra/Byte-Chat-7B"


# -- ancestors and descendants -------------------------------------------------------------


def test_ancestors_can_leave_unresolved_models_out(store: Path):
    every = {r["id"] for r in lineage.ancestors(MERGE, store=store)}
    assert PRIVATE in every
    resolved = {r["id"] for r in lineage.ancestors(MERGE, store=store, resolved_only=True)}
    assert resolved == every - {PRIVATE}
    assert resolved == {"quillworks/Quill-7B", "brightbyte/Byte-Chat-7B", "runehall/Rune-7B"}


def test_descendants_can_leave_unresolved_models_out(store: Path):
    every = lineage.descendants("quillworks/Quill-7B", store=store)
    assert [r["depth"] for r in every] == [1, 2]  # the merge, the card that says no id
    assert every[0]["id"] == MERGE
    resolved = lineage.descendants("quillworks/Quill-7B", store=store, resolved_only=True)
    assert [r["id"] for r in resolved] == [MERGE]


def test_an_unresolved_model_walks_from_itself_when_resolved_only(store: Path):
    up = {r["id"] for r in lineage.ancestors(loose_model(store), store=store, resolved_only=True)}
    assert MERGE in up
    assert PRIVATE not in up


def test_the_cli_walks_take_resolved_only(run, store: Path):
    proc = run("ancestors", MERGE, "--store", store, "--resolved-only", "--format", "json",
               check=True)
    assert PRIVATE not in {r["id"] for r in json.loads(proc.stdout)}
    proc = run("ancestors", MERGE, "--store", store, check=True)
    assert PRIVATE in proc.stdout
    proc = run("descendants", "quillworks/Quill-7B", "--store", store, "--resolved-only",
               "--format", "json", check=True)
    assert [r["id"] for r in json.loads(proc.stdout)] == [MERGE]
    assert "--resolved-only" in run("descendants", "--help", check=True).stdout


# -- diagrams ------------------------------------------------------------------------------


def test_the_diagram_draws_unresolved_models_grey_and_dashed_with_a_legend(store: Path,
                                                                        tmp_path: Path):
    out = tmp_path / "blend.dot"
    lineage.diagram(MERGE, store=store, out=out)
    dot = parse_dot(out.read_text(encoding="utf-8"))
    private = ids.unresolved_model_iri(PRIVATE).split("://", 1)[1]
    node = dot.nodes[private]
    assert "dashed" in node["style"]
    assert (node["color"], node["fontcolor"]) == ("#8c8c8c", "#6e6e6e")
    assert node["fillcolor"] == "#f0f0f0"
    resolved = dot.nodes["quillworks/Quill-7B"]
    assert "dashed" not in resolved["style"]
    assert "fontcolor" not in resolved
    legend = dot.nodes["legend/kind/unresolved"]
    assert "dashed" in legend["style"]
    assert "unresolved" in legend["label"]


# -- graph exports -------------------------------------------------------------------------


def _exported(store: Path, tmp_path: Path, fmt: str) -> Path:
    [path, *_] = lineage.export(store=store, fmt=fmt, out=tmp_path / fmt)
    return path


def _check_resolved(nodes: dict[str, Any]) -> None:
    private = ids.unresolved_model_iri(PRIVATE)
    assert nodes[private] is False
    assert nodes[ids.model_iri("quillworks/Quill-7B")] is True
    assert nodes[ids.model_iri(MERGE)] is True


def test_graphml_and_gexf_carry_a_boolean_resolved_attribute(store: Path, tmp_path: Path):
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        g = read(_exported(store, tmp_path, fmt))
        _check_resolved({n: d["resolved"] for n, d in g.nodes(data=True)})


def test_json_exports_carry_a_boolean_resolved_attribute(store: Path, tmp_path: Path):
    data = json.loads(_exported(store, tmp_path, "json").read_text(encoding="utf-8"))
    _check_resolved({n["id"]: n["resolved"] for n in data["nodes"]})
    data = json.loads(_exported(store, tmp_path, "cyjs").read_text(encoding="utf-8"))
    _check_resolved({n["data"]["id"]: n["data"]["resolved"] for n in data["elements"]["nodes"]})


def test_csv_export_carries_a_resolved_column(store: Path, tmp_path: Path):
    lineage.export(store=store, fmt="csv", out=tmp_path / "csv")
    with (tmp_path / "csv" / "nodes.csv").open(encoding="utf-8") as f:
        rows = {r["id"]: r["resolved"] for r in csv.DictReader(f)}
    _check_resolved({k: {"true": True, "false": False}[v] for k, v in rows.items()})
