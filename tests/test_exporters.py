"""Every export read back by an independent reader; exports are deterministic and current.

RDF formats are read with rdflib (and Turtle, N-Triples, RDF/XML, N-Quads and TriG also
with raptor's ``rapper``), JSON-LD is expanded by PyLD as well; the graph formats are
read with networkx and the csv module. Each must give back exactly what the store holds.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

import lineage
from lineage.errors import ExportError
from lineage.exporters import (
    EDGE_DIRECTION,
    EDGE_RENAMED,
    EXPORTERS,
    RENAMED,
    ExportFormat,
    export,
)
from lineage.graph import lineage_graph
from lineage.ns import LIN_IRI, PREFIXES

from .conftest import EXAMPLES, ROOT, need

EXPORTS = ROOT / "exports"
FORMATS = [f.value for f in ExportFormat]
RDFLIB_TRIPLES = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}
RDFLIB_QUADS = {"nq": "nquads", "trig": "trig"}
# rdflib's own JSON-LD and TriG parsers use its deprecated ConjunctiveGraph.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
RAPPER = {"ttl": "turtle", "nt": "ntriples", "xml": "rdfxml", "nq": "nquads", "trig": "trig"}


def xml_root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def quads_of(ds: rdflib.Dataset) -> set[tuple[Any, Any, Any, Any]]:
    return {(s, p, o, getattr(g, "identifier", g)) for s, p, o, g in ds.quads((None,) * 4)}


@pytest.fixture(scope="module")
def reference(examples_store: Path) -> set[tuple[Any, Any, Any, Any]]:
    """The store's quads, dumped by the store itself and read by rdflib."""
    store = lineage.open_store(examples_store, read_only=True)
    buf = io.BytesIO()
    store.dump(buf, ox.RdfFormat.N_QUADS)
    store.close()
    ds = rdflib.Dataset()
    ds.parse(data=buf.getvalue(), format="nquads")
    return quads_of(ds)


@pytest.fixture(scope="module")
def triples(reference) -> set[tuple[Any, Any, Any]]:
    return {(s, p, o) for s, p, o, _ in reference}


@pytest.fixture(scope="module")
def view(examples_store: Path) -> nx.MultiDiGraph:
    store = lineage.open_store(examples_store, read_only=True)
    try:
        return lineage_graph(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def exported(examples_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    paths = {}
    for fmt in FORMATS:
        written = lineage.export(store=examples_store, fmt=fmt, out=out / EXPORTERS[fmt].filename)
        assert written
        paths[fmt] = out / EXPORTERS[fmt].filename
    return paths


def expected_attrs(data: dict[str, Any], *, lists: bool,
                   renamed: dict[str, str] = RENAMED) -> dict[str, Any]:
    """The documented mapping: renamed keys, no None, tuples joined (or lists in JSON)."""
    out = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            value = list(value) if lists else "; ".join(value)
        out[renamed.get(name, name)] = value
    return out


def expected(view: nx.MultiDiGraph, *, lists: bool = False):
    nodes = {n: expected_attrs(d, lists=lists) for n, d in view.nodes(data=True)}
    edges = {(u, v, k): expected_attrs(d, lists=lists, renamed=EDGE_RENAMED)
             for u, v, k, d in view.edges(keys=True, data=True)}
    return nodes, edges


# ------------------------------------------------------------------------------ RDF


@pytest.mark.parametrize("fmt", sorted(RDFLIB_TRIPLES))
def test_rdf_triples_read_back_by_rdflib(exported, triples, fmt):
    g = rdflib.Graph().parse(exported[fmt], format=RDFLIB_TRIPLES[fmt])
    assert set(g) == triples
    assert len(g) == len(triples)


@pytest.mark.parametrize("fmt", sorted(RDFLIB_QUADS))
def test_rdf_quads_read_back_by_rdflib(exported, reference, fmt):
    ds = rdflib.Dataset()
    ds.parse(exported[fmt], format=RDFLIB_QUADS[fmt])
    assert quads_of(ds) == reference
    graphs = {g for *_, g in reference}
    assert rdflib.URIRef("urn:lineage:entities") in graphs
    assert sum(str(g).startswith("urn:lineage:card:") for g in graphs) == 12


def test_union_formats_state_each_triple_once(exported, triples, reference):
    lines = exported["nt"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(triples)
    assert lines == sorted(lines)  # canonical order: code points
    assert len(triples) < len(reference)  # some triples are stated by several cards
    nq = exported["nq"].read_text(encoding="utf-8").splitlines()
    assert len(nq) == len(reference)
    assert nq == sorted(nq)


@pytest.mark.parametrize("fmt", sorted(RAPPER))
def test_rdf_read_back_by_rapper(exported, reference, triples, fmt):
    rapper = shutil.which("rapper")
    need(rapper is not None, "rapper is not installed (apt-get install raptor2-utils)")
    assert rapper is not None
    proc = subprocess.run([rapper, "-q", "-i", RAPPER[fmt], "-o", "nquads", str(exported[fmt])],
                          capture_output=True, check=True)
    ds = rdflib.Dataset()
    ds.parse(data=proc.stdout, format="nquads")
    if fmt in RDFLIB_QUADS:
        assert quads_of(ds) == reference
    else:
        assert {(s, p, o) for s, p, o, _ in quads_of(ds)} == triples
    count = subprocess.run([rapper, "-i", RAPPER[fmt], "-c", str(exported[fmt])],
                           capture_output=True, text=True, check=True)
    expect = len(reference) if fmt in RDFLIB_QUADS else len(triples)
    assert f"returned {expect} triples" in count.stderr


def test_jsonld_expanded_by_pyld_and_rdflib_gives_the_store_triples(exported, triples):
    from pyld import jsonld

    doc = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    assert doc["@context"] == json.loads(
        (ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    expanded = jsonld.expand(doc)
    for node in expanded:  # every key of the compact form expanded to an IRI
        assert all(key.startswith(("@", "http://", "https://")) for key in node), node
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    by_pyld = rdflib.Graph().parse(data=nquads, format="nt")
    by_rdflib = rdflib.Graph().parse(exported["jsonld"], format="json-ld")
    assert set(by_pyld) == set(by_rdflib) == triples


def test_jsonld_is_compact(exported):
    doc = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    node = next(n for n in doc["@graph"] if n["@id"] == "https://huggingface.co/acme-ai/Acme-7B")
    assert "Model" in node["@type"]
    assert node["hubId"] == "acme-ai/Acme-7B"
    assert sorted(node["tag"]) == node["tag"]
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids == sorted(ids)


def test_context_declares_every_lin_term_with_its_range():
    from rdflib.namespace import OWL, RDF, RDFS, XSD

    ctx = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    ctx = ctx["@context"]
    onto = rdflib.Graph().parse(ROOT / "ontology" / "lineage.ttl")
    assert {k: ctx[k] for k in PREFIXES} == PREFIXES
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class):
        for term in onto.subjects(RDF.type, kind):
            if not str(term).startswith(LIN_IRI):
                continue
            name = str(term)[len(LIN_IRI):]
            rng = onto.value(term, RDFS.range)
            if kind == OWL.ObjectProperty:
                want: Any = {"@id": f"lin:{name}", "@type": "@id"}
            elif kind == OWL.Class or rng == XSD.string:
                want = f"lin:{name}"
            else:
                want = {"@id": f"lin:{name}", "@type": "xsd:" + str(rng)[len(str(XSD)):]}
            assert ctx.get(name) == want, name


# ------------------------------------------------------------------------------ graphs


def test_graphml_read_back_by_networkx(exported, view):
    g = nx.read_graphml(exported["graphml"], edge_key_type=str, force_multigraph=True)
    nodes, edges = expected(view)
    assert dict(g.nodes(data=True)) == nodes
    assert {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)} == edges
    text = exported["graphml"].read_text(encoding="utf-8")
    assert ">True<" not in text
    assert ">true<" in text


def test_gexf_read_back_by_networkx(exported, view):
    g = nx.read_gexf(exported["gexf"])
    nodes, edges = expected(view)
    assert dict(g.nodes(data=True)) == nodes
    got = sorted((u, v, {k: x for k, x in d.items() if k != "id"})
                 for u, v, d in g.edges(data=True))
    assert got == sorted((u, v, d) for (u, v, _), d in edges.items())
    assert "lastmodifieddate" not in exported["gexf"].read_text(encoding="utf-8")


def test_node_link_json_read_back_by_networkx(exported, view):
    data = json.loads(exported["json"].read_text(encoding="utf-8"))
    g = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    nodes, edges = expected(view, lists=True)
    assert dict(g.nodes(data=True)) == nodes
    assert {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)} == edges


def test_cytoscape_json_read_back_by_networkx(exported, view):
    data = json.loads(exported["cyjs"].read_text(encoding="utf-8"))
    ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids
               for e in data["elements"]["edges"])
    g = nx.cytoscape_graph(data, name="label")
    nodes, edges = expected(view, lists=True)
    got = {}
    for node, d in g.nodes(data=True):
        assert d.pop("id") == d.pop("value") == node
        assert d.pop("name") == d["label"]
        got[node] = d
    assert got == nodes
    got_edges = {(u, v, k): {x: y for x, y in d.items()
                             if x not in ("source", "target", "key", "id")}
                 for u, v, k, d in g.edges(keys=True, data=True)}
    assert got_edges == edges


def test_csv_read_back(exported, view):
    def cell(value: Any) -> str:
        return "true" if value is True else "false" if value is False else str(value)

    nodes, edges = expected(view)
    with (exported["csv"] / "nodes.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    header = ["id", *sorted({k for d in nodes.values() for k in d})]
    assert list(rows[0]) == header
    assert {r["id"]: {k: v for k, v in r.items() if k != "id" and v != ""} for r in rows} == {
        n: {k: cell(v) for k, v in d.items() if cell(v) != ""} for n, d in nodes.items()}
    with (exported["csv"] / "edges.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:2] == ["source", "target"]
    assert {(r["source"], r["target"], r["relation"]): {k: v for k, v in r.items()
                                                        if k not in ("source", "target") and v}
            for r in rows} == {e: {k: cell(v) for k, v in d.items()} for e, d in edges.items()}


def test_graph_formats_hold_the_whole_view(exported, view):
    data = json.loads(exported["json"].read_text(encoding="utf-8"))
    assert len(data["nodes"]) == view.number_of_nodes() == 12
    assert len(data["edges"]) == view.number_of_edges()
    merge = next(e for e in data["edges"]
                 if e.get("role") == "source" and e.get("merge_weight") == 0.5)
    assert merge["method"] == "ties"
    assert merge["relation"] == "merge"


def test_cytoscape_edges_have_stable_unique_ids(exported, view):
    data = json.loads(exported["cyjs"].read_text(encoding="utf-8"))
    edges = data["elements"]["edges"]
    ids = [e["data"]["id"] for e in edges]
    assert len(ids) == len(set(ids)) == view.number_of_edges()
    node_ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
    assert not node_ids & set(ids)  # Cytoscape.js wants ids unique across all elements
    for e in edges:  # built from the edge itself, so adding edges never renumbers them
        d = e["data"]
        assert d["id"] == f"{d['source']} {d['relation']} {d['target']}"


def test_every_graph_export_states_the_edge_direction(exported, view):
    """child -> parent everywhere, said in each format's metadata, and true of the data."""
    assert EDGE_DIRECTION.startswith("child -> parent")
    instruct, base = ("https://huggingface.co/acme-ai/Acme-7B-Instruct",
                      "https://huggingface.co/acme-ai/Acme-7B")
    assert view.has_edge(instruct, base, "finetune")
    graphml = exported["graphml"].read_text(encoding="utf-8")
    assert f"<desc>lineage graph; edges: {EDGE_DIRECTION}</desc>" in graphml
    g = nx.read_graphml(exported["graphml"], edge_key_type=str, force_multigraph=True)
    assert g.graph["edge_direction"] == EDGE_DIRECTION
    assert g.has_edge(instruct, base)
    assert not g.has_edge(base, instruct)
    gexf = xml_root(exported["gexf"])
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert gexf.findtext("g:meta/g:description", namespaces=ns) == \
        f"lineage graph; edges: {EDGE_DIRECTION}"
    assert any(e.get("source") == instruct and e.get("target") == base
               for e in gexf.iterfind(".//g:edge", ns))
    node_link = json.loads(exported["json"].read_text(encoding="utf-8"))
    assert node_link["graph"] == {"edge_direction": EDGE_DIRECTION}
    assert {"source": instruct, "target": base} in [
        {k: e[k] for k in ("source", "target")} for e in node_link["edges"]]
    cyjs = json.loads(exported["cyjs"].read_text(encoding="utf-8"))
    assert cyjs["data"] == {"edge_direction": EDGE_DIRECTION}
    with (exported["csv"] / "edges.csv").open(encoding="utf-8", newline="") as f:
        assert (instruct, base) in {(r["source"], r["target"]) for r in csv.DictReader(f)}
    docs = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    assert EDGE_DIRECTION in docs


def test_merge_weight_is_a_named_attribute_not_the_gexf_edge_weight(exported, view):
    merges = {(u, v) for u, v, k in view.edges(keys=True) if k == "merge"}
    assert any(view.edges[u, v, "merge"].get("weight") is not None for u, v in merges)
    gexf = xml_root(exported["gexf"])
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert all(e.get("weight") is None for e in gexf.iterfind(".//g:edge", ns))  # all 1.0
    g = nx.read_gexf(exported["gexf"])
    weights = {(u, v): d.get("merge_weight") for u, v, d in g.edges(data=True)
               if d["relation"] == "merge"}
    assert weights == {(u, v): view.edges[u, v, "merge"].get("weight") for u, v in merges}
    assert all("weight" not in d for _, _, d in g.edges(data=True))
    for fmt in ("graphml", "json", "cyjs"):
        text = exported[fmt].read_text(encoding="utf-8")
        assert "merge_weight" in text, fmt
        assert '"weight"' not in text, fmt
        assert 'attr.name="weight"' not in text, fmt


# ------------------------------------------------------------------------------ determinism


def _export_all(store: Any, out: Path) -> dict[str, bytes]:
    files = {}
    for fmt in FORMATS:
        for path in export(store, fmt, out=out / EXPORTERS[fmt].filename):
            files[str(path.relative_to(out))] = path.read_bytes()
    return files


def test_exports_are_deterministic(tmp_path, monkeypatch):
    """Same graph, same bytes: twice from one store, and from stores built differently."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    cards = sorted(EXAMPLES.rglob("README.md"))
    forward = lineage.open_store(tmp_path / "forward")
    lineage.build(cards, store=forward, jobs=1)
    backward = lineage.open_store(tmp_path / "backward")
    for card in reversed(cards):  # one card a build: different load order and batches
        lineage.build([card], store=backward, jobs=1)
    memory = lineage.open_store("memory:")
    lineage.build(list(reversed(cards)), store=memory, jobs=1)
    try:
        first = _export_all(forward, tmp_path / "a")
        assert _export_all(forward, tmp_path / "b") == first
        assert _export_all(backward, tmp_path / "c") == first
        assert _export_all(memory, tmp_path / "d") == first
    finally:
        forward.close()
        backward.close()
    assert len(first) == len(FORMATS) + 1  # csv is two files


def test_exports_of_an_empty_store(tmp_path):
    files = _export_all(lineage.open_store("memory:"), tmp_path)
    assert files["lineage.nt"] == b""
    assert json.loads(files["lineage.jsonld"])["@graph"] == []
    assert json.loads(files["lineage.json"])["nodes"] == []
    assert files["csv/nodes.csv"] == b"id\n"


def test_committed_exports_are_current(tmp_path, lineage_exe):
    """exports/ is what exports/make.sh writes now; regenerate it when this fails."""
    need(shutil.which("dot") is not None,
         "Graphviz's dot is not installed (apt-get install graphviz); make.sh draws lineage.svg")
    env = {**os.environ, "LINEAGE": lineage_exe}
    subprocess.run(["bash", str(EXPORTS / "make.sh"), str(tmp_path)], check=True, env=env,
                   capture_output=True, timeout=600)
    made = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(EXPORTS).as_posix() for p in EXPORTS.rglob("*") if p.is_file()}
    committed -= {"README.md", "make.sh"}
    names = {e.filename for e in EXPORTERS.values() if e.filename != "csv"}
    assert names | {"csv/nodes.csv", "csv/edges.csv", "lineage.svg"} <= made, "make.sh misses one"
    stale = sorted(name for name in made | committed
                   if name not in made or name not in committed
                   or (tmp_path / name).read_bytes() != (EXPORTS / name).read_bytes())
    assert not stale, f"stale files in exports/: {stale}; regenerate with `bash exports/make.sh`"


# ------------------------------------------------------------------------------ CLI


def test_cli_export(run, examples_store, tmp_path):
    proc = run("export", "--store", examples_store, "--format", "ttl", "-o", tmp_path / "g.ttl")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {tmp_path / 'g.ttl'}"
    assert (tmp_path / "g.ttl").read_bytes().startswith(b"@prefix dcterms: ")
    proc = run("export", "--store", examples_store, "--format", "csv", "-o", tmp_path / "t")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["edges.csv", "nodes.csv"]


def test_cli_export_errors_are_one_line(run, examples_store, tmp_path):
    proc = run("export", "--store", examples_store, "--format", "pdf", "-o", tmp_path / "x")
    assert proc.returncode == 2
    assert "pdf" in proc.stderr
    (tmp_path / "file").write_text("")
    proc = run("export", "--store", examples_store, "--format", "nt",
               "-o", tmp_path / "file" / "x.nt")
    assert proc.returncode == 2
    assert proc.stderr.startswith("lineage: error: ")
    assert len(proc.stderr.splitlines()) == 1
    proc = run("export", "--store", tmp_path / "none", "--format", "nt", "-o", tmp_path / "x.nt")
    assert proc.returncode == 2
    assert "no store here" in proc.stderr


def test_export_has_help_and_docs(run):
    proc = run("export", "--help")
    assert proc.returncode == 0
    assert "Usage: lineage export" in proc.stdout
    for fmt in FORMATS:
        assert fmt in proc.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "lineage export" in readme


def test_unknown_format_in_the_library():
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        export(lineage.open_store("memory:"), "pdf", out=Path("x"))


def test_seed_graph_exports_keep_ids_unique_and_weights_named(built_store, tmp_path):
    cyjs = json.loads(_export_one(built_store, tmp_path, "cyjs"))
    ids = [e["data"]["id"] for e in cyjs["elements"]["edges"]]
    assert len(ids) == len(set(ids)) > 16  # the seeds add edges to the examples' 16
    _export_one(built_store, tmp_path, "gexf")
    gexf = xml_root(tmp_path / EXPORTERS["gexf"].filename)
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert all(e.get("weight") is None for e in gexf.iterfind(".//g:edge", ns))
    assert "merge_weight" in (tmp_path / EXPORTERS["gexf"].filename).read_text(encoding="utf-8")


def _export_one(store: Path, tmp_path: Path, fmt: str) -> str:
    [path] = lineage.export(store=store, fmt=fmt, out=tmp_path / EXPORTERS[fmt].filename)
    return path.read_text(encoding="utf-8")
