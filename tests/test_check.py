"""The fast ``lineage check``: per-card SHACL results stored by the build, graph-wide checks."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.cards import read_card
from lineage.errors import LineageError
from lineage.extract import extract
from lineage.ingest import BuildReport, CardResult, count_result
from lineage.ns import ENTITIES_GRAPH, LIN_IRI
from lineage.rdf import card_quads, to_nquads, validation_quads
from lineage.shapes import ShapesError, Violation, compile_shapes, load_shapes, ontology_dir
from lineage.store import CardGraph, open_store
from lineage.validate import check

from .conftest import write

CARD = """---
license: {license}
base_model: {base}
datasets:
- acme-data/instructions
model-index:
- name: {rid}
  results:
  - task: {{type: text-generation}}
    dataset: {{name: ARC, type: ai2_arc}}
    metrics:
    - {{type: acc, value: 61.5}}
---
# {rid}
Fine-tuned from [{base}](https://huggingface.co/{base}) for 2 epochs on 8x NVIDIA A100.
"""

LIN = LIN_IRI
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _quads(rid: str, key: str, *, base: str = "acme-ai/Acme-7B",
           license: str = "mit") -> list[ox.Quad]:
    text = CARD.format(rid=rid, base=base, license=license)
    ex = extract(read_card(text.encode(), f"{rid}/README.md"))
    return card_quads(ex, key=key, retrieved=WHEN)


def _load(store: lineage.Store, key: str, quads: list[ox.Quad], *, stored: bool = True) -> None:
    """Load a card graph as the build does: with its validation result, or (legacy) without."""
    if stored:
        shapes = load_shapes(ontology_dir())
        quads = quads + validation_quads(key, [v.text for v in shapes.validate(quads)],
                                         shapes.digest)
    graph = f"urn:lineage:card:{key}"
    store.replace_cards([CardGraph(f"src-{key[:4]}", graph, to_nquads(quads))])


def _damaged(key: str) -> list[ox.Quad]:
    """A card's quads with a violation of each kind of card-local constraint."""
    quads = _quads("o/damaged", key)
    g = ox.NamedNode(f"urn:lineage:card:{key}")
    ent = ox.NamedNode(ENTITIES_GRAPH)

    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(local)

    model, other = n("https://huggingface.co/o/damaged"), n("https://huggingface.co/o/other")
    keep = []
    first_line = next(q for q in quads if q.predicate.value == LIN + "line")
    for q in quads:
        p = q.predicate.value
        if p == LIN + "origin":  # sh:in
            keep.append(ox.Quad(q.subject, q.predicate, ox.Literal("guess"), g))
        elif q == first_line:  # minInclusive, on one evidence
            zero = ox.Literal("0", datatype=q.object.datatype)
            keep.append(ox.Quad(q.subject, q.predicate, zero, g))
        elif p == RDF + "type" and q.object.value == LIN + "Training":  # targetClass gone
            keep.append(q)
            keep.append(ox.Quad(q.subject, n(LIN + "epochs"), ox.Literal("-1", datatype=n(
                "http://www.w3.org/2001/XMLSchema#decimal")), g))  # second value, negative
        else:
            keep.append(q)
    keep += [
        # a lineage edge without lin:derivedFrom (a SPARQL-based constraint, with its path)
        ox.Quad(model, n(LIN + "quantizedFrom"), other, g),
        ox.Quad(other, n(RDF + "type"), n(LIN + "Model"), ent),
        ox.Quad(other, n(LIN + "hubId"), ox.Literal("o/other"), ent),
        ox.Quad(other, n(LIN + "normalizedId"), ox.Literal("o/other"), ent),
        ox.Quad(other, n(RDFS + "label"), ox.Literal("o/other"), ent),
        # a model both resolved and flagged unresolved (sh:xone), a second label (maxCount)
        ox.Quad(model, n(LIN + "unresolved"), ox.Literal("true", datatype=n(
            "http://www.w3.org/2001/XMLSchema#boolean")), ent),
        ox.Quad(model, n(RDFS + "label"), ox.Literal("another label"), ent),
        # a merge that generated no model (an inverse path), as a blank-free local node
        ox.Quad(n(f"urn:lineage:card:{key}#merge9"), n(RDF + "type"), n(LIN + "Merge"), g),
        # an evidence statement about a triple that is not in the graph
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(RDF + "type"), n(RDF + "Statement"), g),
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(RDF + "subject"), model, g),
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(RDF + "predicate"), n(LIN + "tag"), g),
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(RDF + "object"), ox.Literal("absent"), g),
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(LIN + "method"), ox.Literal("prose"), g),
        ox.Quad(n(f"urn:lineage:card:{key}#ev99"), n(LIN + "confidence"), ox.Literal(
            "0.5", datatype=n("http://www.w3.org/2001/XMLSchema#decimal")), g),
    ]
    return keep


def _shacl(report: lineage.Report) -> list[tuple[str, str, str]]:
    return [(f.severity, f.subject, f.message) for f in report.findings if f.kind == "shacl"]


@pytest.fixture(scope="module")
def damaged_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damaged") / "store"
    store = open_store(path)
    _load(store, "a" * 64, _damaged("a" * 64))
    _load(store, "b" * 64, _quads("o/fine", "b" * 64))
    store.close()
    return path


def test_fast_check_reports_card_local_violations_exactly_as_pyshacl(damaged_store: Path):
    fast = lineage.check(store=damaged_store)
    full = lineage.check(store=damaged_store, shacl="full")
    assert (fast.mode, full.mode) == ("cards", "full")
    assert (fast.cards_stored, fast.cards_validated) == (2, 0)
    assert _shacl(fast) == _shacl(full)
    messages = "\n".join(m for _, _, m in _shacl(fast))
    for expected in ('lin:origin, "model-index" or "table" (lin:origin)',
                     "at most one lin:line, an integer >= 1 (lin:line)",
                     "at most one lin:epochs, a finite decimal >= 0 (lin:epochs)",
                     "is not also stated as lin:derivedFrom",
                     "(lin:quantizedFrom)",
                     "either resolved (lin:hubId and lin:normalizedId) or flagged",
                     "exactly one rdfs:label, a string (rdfs:label)",
                     "generated exactly one model (prov:wasGeneratedBy) (^prov:wasGeneratedBy)",
                     "describes a triple that is not in the graph"):
        assert expected in messages
    assert not fast.conforms
    assert not full.conforms


def test_the_stored_result_is_what_check_reads(damaged_store: Path):
    store = open_store(damaged_store, read_only=True)
    rows = list(store.query(f"SELECT ?g ?c WHERE {{ GRAPH ?g {{ ?g <{LIN}conforms> ?c }} }}"))
    assert sorted((r["g"].value[-4:], r["c"].value) for r in rows) == [
        ("aaaa", "false"), ("bbbb", "true")]
    store.close()


def test_cards_without_a_stored_result_are_validated_now(tmp_path: Path):
    store = open_store(tmp_path / "store")
    _load(store, "c" * 64, _damaged("c" * 64), stored=False)  # as built by an earlier version
    _load(store, "d" * 64, _quads("o/fine", "d" * 64))
    report = check(store)
    store.close()
    assert (report.cards_stored, report.cards_validated) == (1, 1)
    assert any("not also stated as lin:derivedFrom" in m for _, _, m in _shacl(report))
    assert "1 cards validated now" in report.text
    assert report.to_dict()["cards"] == {"stored_result": 1, "validated_now": 1}


def test_a_result_of_other_shapes_is_not_trusted(tmp_path: Path):
    store = open_store(tmp_path / "store")
    key = "e" * 64
    quads = _damaged(key)
    graph = f"urn:lineage:card:{key}"
    stale = quads + validation_quads(key, [], "0" * 16)  # "conforms", but to other shapes
    store.replace_cards([CardGraph("src", graph, to_nquads(stale))])
    report = check(store)
    store.close()
    assert report.cards_validated == 1
    assert not report.conforms


def test_cross_card_limits_run_on_the_union(tmp_path: Path):
    # Each card alone conforms; together they give one shared model two labels.
    store = open_store(tmp_path / "store")
    model = ox.NamedNode("https://huggingface.co/acme-ai/Acme-7B")
    second = [*_quads("o/two", "2" * 64),
              ox.Quad(model, ox.NamedNode(RDFS + "label"), ox.Literal("Acme 7B"),
                      ox.NamedNode(ENTITIES_GRAPH))]
    second = [q for q in second if not (q.subject == model and q.predicate.value == RDFS + "label"
                                        and q.object.value == "acme-ai/Acme-7B")]
    _load(store, "1" * 64, _quads("o/one", "1" * 64))
    _load(store, "2" * 64, second)
    fast, full = check(store), check(store, shacl="full")
    store.close()
    assert fast.cards_stored == 2
    expected = ("error", model.value, "a model needs exactly one rdfs:label, a string (rdfs:label)")
    assert expected in _shacl(fast)
    assert _shacl(fast) == _shacl(full)


def test_graph_wide_problems_are_found(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/a", CARD.format(rid="o/a", base="o/b", license="mit"))
    write(cards, "o/b", CARD.format(rid="o/b", base="o/a", license="mit"))
    write(cards, "x/b", CARD.format(rid="o/b", base="o/a", license="apache-2.0")
          .replace("# o/b", "# o/b\nSee [o/b](https://huggingface.co/o/b/resolve/main/x.bin)"))
    report = lineage.build([cards], store=tmp_path / "store", jobs=1)
    assert report.nonconforming == 0
    checked = lineage.check(store=tmp_path / "store")
    kinds = {f.kind for f in checked.findings}
    assert "cycle" in kinds
    assert checked.cards_stored == 3
    assert not checked.conforms
    assert not any(f.kind == "shacl" for f in checked.findings)


def test_the_build_counts_cards_that_violate_the_shapes():
    report = BuildReport()
    count_result(report, CardResult("s", "k", None, None, 3, "o/m", (), violations=2))
    count_result(report, CardResult("t", "k", None, None, 3, "o/n", ()))
    assert report.nonconforming == 1
    assert report.to_dict()["nonconforming"] == 1
    assert "1 cards violate the shapes" in report.summary()


def test_modes_none_and_unknown(damaged_store: Path):
    none = lineage.check(store=damaged_store, shacl="none")
    assert (none.mode, none.shacl_checked, _shacl(none)) == ("none", False, [])
    with pytest.raises(LineageError, match="unknown SHACL mode"):
        lineage.check(store=damaged_store, shacl="quick")


def test_cli_full_and_json_report(run, damaged_store: Path):
    fast = run("check", "--store", damaged_store, "--format", "json")
    full = run("check", "--store", damaged_store, "--full", "--format", "json")
    assert fast.returncode == full.returncode == 1
    fast_data, full_data = json.loads(fast.stdout), json.loads(full.stdout)
    assert (fast_data["mode"], full_data["mode"]) == ("cards", "full")
    assert {"conforms", "shacl_checked", "findings"} <= set(fast_data)
    assert fast_data["findings"] == full_data["findings"]
    clash = run("check", "--store", damaged_store, "--full", "--no-shacl")
    assert clash.returncode == 2


def test_violation_text_round_trips():
    v = Violation("error", "urn:lineage:card:" + "a" * 64 + "#ev1",
                  "an evidence statement has at most one lin:line (lin:line)")
    assert Violation.parse(v.text) == v
    assert Violation.parse("free text") == Violation("error", "", "free text")


def test_unsupported_shacl_is_refused_by_name():
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:closed true ."""
    with pytest.raises(ShapesError, match="sh:closed"):
        compile_shapes(shapes, b"")


def test_every_shape_of_the_ontology_compiles():
    shapes = load_shapes(ontology_dir())
    assert len(shapes.targets) >= 20
    assert any(t.sparql for t in shapes.targets)


def test_sh_node_is_validated_per_card_as_pyshacl_does():
    """A value that must conform to another node shape (sh:node) is checked per card too."""
    from lineage.shapes import compile_shapes

    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://ex.org/> .
    ex:Rec a sh:NodeShape ; sh:property [ sh:path ex:line ; sh:minCount 1 ] .
    ex:Fact a sh:NodeShape ; sh:targetClass ex:F ;
        sh:property [ sh:path ex:evidence ; sh:node ex:Rec ; sh:message "bad evidence" ] .
    """
    import pyoxigraph as ox

    checker = compile_shapes(shapes, b"")
    ex = "https://ex.org/"
    f, good, bad = (ox.NamedNode(ex + n) for n in ("f", "good", "bad"))
    quads = [ox.Triple(f, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                       ox.NamedNode(ex + "F")),
             ox.Triple(f, ox.NamedNode(ex + "evidence"), good),
             ox.Triple(good, ox.NamedNode(ex + "line"), ox.Literal("3"))]
    assert checker.validate(quads) == []
    quads.append(ox.Triple(f, ox.NamedNode(ex + "evidence"), bad))
    assert [(v.focus, v.message) for v in checker.validate(quads)] == [
        (ex + "f", "bad evidence (<https://ex.org/evidence>)")]
