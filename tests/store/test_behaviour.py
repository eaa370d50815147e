"""One behavioural suite for every backend: the embedded Oxigraph store, rdflib in memory,
and a real Virtuoso reached through the remote backend (``sparql+http://``).

Each test runs once per backend and checks behaviour that does not depend on where the
graph lives; where a result can be compared, it must equal the embedded store's
(``reference``, built from the same cards with the same clock).
"""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.errors import LineageError, QueryError
from lineage.ns import ENTITIES_GRAPH, LIN_IRI
from lineage.store import Store, open_store
from tests.conftest import EXAMPLES, facts_only
from tests.test_queries import CASES

from .conftest import open_backend

EXPECTED = json.loads((EXAMPLES.parent / "expected.json").read_text(encoding="utf-8"))
MODELS = sorted(EXPECTED)
TIES = "mergecraft/AcmePomme-Coder-7B-TIES"


def dump_lines(store: Store, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> list[bytes]:
    buf = io.BytesIO()
    store.dump(buf, fmt)
    return sorted(buf.getvalue().splitlines())


def by_source(store: Store, moved: bytes = b"") -> list[bytes]:
    """The store's N-Quads with each card graph named by its source (graph keys hash it)."""
    def unmoved(text: bytes) -> bytes:
        return text.replace(moved, b"/") if moved else text

    names = {graph.encode(): unmoved(source.encode())
             for source, graph in store.card_index().items()}
    lines = []
    for line in dump_lines(store):
        for graph, source in names.items():
            line = line.replace(graph, b"card:" + source)
        lines.append(unmoved(line))
    return sorted(lines)


def graph_quads(store: Store, graph: str) -> int:
    return sum(1 for line in dump_lines(store) if line.endswith(f"<{graph}> .".encode()))


def copy_examples(to: Path) -> Path:
    shutil.copytree(EXAMPLES, to / "cards")
    return to / "cards"


# --------------------------------------------------------------------------- writing


def test_build_then_rebuild_skips_every_card(empty_store: Store, reference: Store):
    first = lineage.build([EXAMPLES], store=empty_store, jobs=1)
    assert (first.ingested, first.skipped, first.rejected) == (12, 0, [])
    again = lineage.build([EXAMPLES], store=empty_store, jobs=1)
    assert (again.ingested, again.skipped, again.rejected) == (0, 12, [])
    assert empty_store.card_index() == reference.card_index()
    assert empty_store.quad_count() == reference.quad_count()
    assert dump_lines(empty_store) == dump_lines(reference)


def _change_one_card(store: Store, cards: Path) -> tuple[str, str, str]:
    assert lineage.build([cards], store=store, jobs=1).ok
    card = cards / "acme-ai" / "Acme-7B-Instruct" / "README.md"
    source = card.as_posix()
    old = store.card_index()[source]
    card.write_text(card.read_text(encoding="utf-8") + "\nTrained for 3 epochs.\n",
                    encoding="utf-8")
    report = lineage.build([cards], store=store, jobs=1)
    assert (report.ingested, report.skipped) == (1, 11)
    return source, old, store.card_index()[source]


def test_a_changed_card_replaces_its_graph(empty_store: Store, tmp_path: Path):
    _, old, new = _change_one_card(empty_store, copy_examples(tmp_path))
    assert new != old
    assert len(empty_store.card_index()) == 12
    assert graph_quads(empty_store, old) == 0
    assert graph_quads(empty_store, new) > 0
    ask = empty_store.query("ASK { GRAPH ?g { ?g ?p ?o } }", {"g": ox.NamedNode(old)})
    assert isinstance(ask, ox.QueryBoolean)
    assert not bool(ask)
    # The same steps on the embedded store leave the same quads (entity statements included).
    oxi = open_store(tmp_path / "oxigraph")
    _change_one_card(oxi, copy_examples(tmp_path / "again"))
    assert by_source(oxi, b"/again/") == by_source(empty_store)
    model = "acme-ai/Acme-7B-Instruct"
    assert facts_only(lineage.show(model, store=empty_store)) == \
        facts_only(lineage.show(model, store=oxi))


def test_remove_graphs(empty_store: Store, reference: Store):
    assert lineage.build([EXAMPLES], store=empty_store, jobs=1).ok
    index = empty_store.card_index()
    gone = sorted(index.values())[:2]
    sizes = [graph_quads(empty_store, g) for g in gone]
    empty_store.remove_graphs(gone)
    assert set(empty_store.card_index().values()) == set(index.values()) - set(gone)
    assert empty_store.quad_count() == reference.quad_count() - sum(sizes)
    assert graph_quads(empty_store, ENTITIES_GRAPH) == graph_quads(reference, ENTITIES_GRAPH)
    empty_store.remove_graphs(gone)  # removing a graph that is not there is no error


def test_card_index(built: Store, reference: Store):
    index = built.card_index()
    assert index == reference.card_index()
    assert len(index) == 12
    assert all(g.startswith("urn:lineage:card:") for g in index.values())


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("model", MODELS)
def test_show_json_equals_the_embedded_store(built: Store, reference: Store, model: str):
    got = lineage.show(model, store=built)
    assert json.dumps(got, sort_keys=True) == json.dumps(lineage.show(model, store=reference),
                                                         sort_keys=True)
    assert got["id"] == model
    assert got["license"]["id"] == EXPECTED[model]["license"]


def test_analysis_equals_the_embedded_store(built: Store, reference: Store):
    for fn, args in ((lineage.ancestors, ("mergecraft/AcmePomme-Coder-7B-TIES-GGUF",)),
                     (lineage.descendants, ("acme-ai/Acme-7B",)),
                     (lineage.contributions, (TIES,)),
                     (lineage.roots, ()),
                     (lineage.licenses, ("lonewolf/Acme-7B-Instruct-abliterated-v2",)),
                     (lineage.datasets, ("nightowl/Owl-7B-slerp",)),
                     (lineage.path, ("medtune/acme-7b-medical-lora", "acme-ai/Acme-7B")),
                     (lineage.deltas, ("acme-ai/Acme-7B-Instruct",))):
        assert fn(*args, store=built) == fn(*args, store=reference), fn.__name__
    shares = {c["id"]: c["share"] for c in lineage.contributions(TIES, store=built)}
    assert shares
    assert abs(sum(shares.values()) - 1) < 1e-9


# Virtuoso 7.2.5 returns every boolean a query *computes* (EXISTS, =, BOUND, even a `true`
# in a projection) as "0"/"1"^^xsd:integer, in every result format; stored booleans are
# fine. A client cannot tell them from real integers, so these columns differ: the test maps
# them back and checks that everything else is equal.
VIRTUOSO_INTEGER_BOOLEANS = {
    "datasets-of": {"direct", "unresolved"},
    "license-inheritance": {"differs"},
    "roots": {"described"},
    "trained-on": {"direct"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_named_queries_equal_the_embedded_store(backend: str, built: Store, reference: Store,
                                               name: str):
    params = CASES[name].params
    if backend == "virtuoso" and name == "common-ancestors":
        pytest.xfail("Virtuoso 7.2.5 never answers it and stops answering anything else: the "
                     "NOT EXISTS over three lin:derivedFrom+ paths wedges the server (and "
                     "without it, (lin:alias|^lin:alias)* from a variable start loses rows)")
    if backend == "virtuoso" and name == "conflicts":
        with pytest.raises(QueryError, match=r"SP031.*sparp_gp_deprecate"):
            lineage.query(name, store=built, params=params)
        return  # Virtuoso's SPARQL compiler fails on the query (an internal error)
    got = lineage.query(name, store=built, params=params)
    want = lineage.query(name, store=reference, params=params)
    assert isinstance(got, list)
    assert isinstance(want, list)
    columns = VIRTUOSO_INTEGER_BOOLEANS.get(name, set()) if backend == "virtuoso" else set()
    if columns:
        assert {row[c] for row in got for c in columns} <= {"0", "1"}
        got = [{k: ({"0": "false", "1": "true"}[v] if k in columns else v)
                for k, v in row.items()} for row in got]
    assert sorted(map(repr, got)) == sorted(map(repr, want))
    # ORDER BY queries keep their order too. Virtuoso 7.2.5 under a loaded machine (the whole
    # suite on all cores) now and then returns the rows of `evidence` in another order, the
    # same query being sent verbatim (three asks in a row once, in CI); asked again a moment
    # later it orders them right, so it is asked up to five more times, a second apart,
    # before the order counts as wrong.
    retries = 5 if backend == "virtuoso" and _ordered(name) and got != want else 0
    for _ in range(retries):
        time.sleep(1)
        again = lineage.query(name, store=built, params=params)
        if columns:
            assert isinstance(again, list)
            again = [{k: ({"0": "false", "1": "true"}[v] if k in columns else v)
                      for k, v in row.items()} for row in again]
        if again == want:
            got = again
            break
    # The rows must come in the order the query asks for: the embedded store's order, or
    # another that ORDER BY allows too (rows the keys do not tell apart in any order).
    assert got == want or not _ordered(name) or _in_key_order(got, _order_keys(name))


def _query_text(name: str) -> str:
    return (Path(lineage.__file__).resolve().parent.parent / "queries" / f"{name}.rq").read_text()


def _ordered(name: str) -> bool:
    return "ORDER BY" in _query_text(name).upper()


def _order_keys(name: str) -> list[str] | None:
    """The variables of a named query's ORDER BY, when it sorts by plain variables ascending."""
    clause = re.search(r"(?is)\bORDER\s+BY\s+(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", _query_text(name))
    if clause is None or re.fullmatch(r"(?:\s*\?\w+)+\s*", clause.group(1)) is None:
        return None
    return re.findall(r"\?(\w+)", clause.group(1))


def _in_key_order(rows: list[dict[str, str]], keys: list[str] | None) -> bool:
    """Whether rows are ascending by the keys: unbound first, numbers as numbers."""
    if keys is None:
        return False
    def sort_key(row: dict[str, str]) -> list[tuple[int, float, str]]:
        out = []
        for k in keys:
            value = row.get(k)
            if value is None:
                out.append((0, 0.0, ""))
                continue
            try:
                out.append((1, float(value), ""))
            except ValueError:
                out.append((2, 0.0, value))
        return out
    return all(sort_key(a) <= sort_key(b) for a, b in itertools.pairwise(rows))


def test_a_construct_query_with_bindings(built: Store, reference: Store):
    query = (f"CONSTRUCT {{ ?m <{LIN_IRI}derivedFrom> ?p . ?p <{LIN_IRI}hubId> ?id }} "
             f"WHERE {{ ?m <{LIN_IRI}derivedFrom> ?p . OPTIONAL {{ ?p <{LIN_IRI}hubId> ?id }} }}")
    binding = {"m": ox.NamedNode(f"https://huggingface.co/{TIES}")}
    got, want = built.query(query, binding), reference.query(query, binding)
    assert isinstance(got, ox.QueryTriples)
    assert isinstance(want, ox.QueryTriples)
    triples = {str(t) for t in got}
    assert triples == {str(t) for t in want}
    parents = lineage.show(TIES, store=reference)["parents"]
    assert len(triples) == 2 * len({p["id"] for p in parents})  # each parent and its Hub id


def test_dump_equals_the_embedded_store(built: Store, reference: Store):
    """The same statements, written the same way: N-Quads lines are equal byte for byte.

    Only their order may differ, as it already does between the embedded store on disk and
    in memory (an Oxigraph store writes quads in its own internal order); the exporters sort
    lines, so exports are byte-identical (below). Grouped formats (TriG, Turtle) follow that
    order, so they are compared as the statements they hold.
    """
    assert dump_lines(built) == dump_lines(reference)

    def parsed(store: Store, fmt: ox.RdfFormat, graph: str | None = None) -> set[str]:
        buf = io.BytesIO()
        store.dump(buf, fmt, graph=graph)
        return {str(q) for q in ox.parse(buf.getvalue(), format=fmt)}

    assert parsed(built, ox.RdfFormat.TRIG) == parsed(reference, ox.RdfFormat.TRIG)
    graph = sorted(reference.card_index().values())[0]
    assert parsed(built, ox.RdfFormat.TURTLE, graph) == parsed(reference, ox.RdfFormat.TURTLE,
                                                               graph)


@pytest.mark.parametrize("fmt", ["nq", "nt", "ttl", "trig", "jsonld", "xml", "graphml", "gexf",
                                 "json", "csv"])
def test_exports_are_byte_identical(built: Store, reference: Store, tmp_path: Path, fmt: str):
    def export(store: Store, where: str) -> dict[str, bytes]:
        out = tmp_path / where / ("csv" if fmt == "csv" else f"lineage.{fmt}")
        files = lineage.export(store=store, fmt=fmt, out=out)
        return {p.name: p.read_bytes() for p in files}

    assert export(built, "got") == export(reference, "want")


def test_diagram_dot_is_identical(built: Store, reference: Store, tmp_path: Path):
    for model, kwargs in (("acme-ai/Acme-7B", {"up": 0, "down": 3}), (None, {"all": True})):
        lineage.diagram(model, store=built, out=tmp_path / "got.dot", **kwargs)
        lineage.diagram(model, store=reference, out=tmp_path / "want.dot", **kwargs)
        assert (tmp_path / "got.dot").read_text() == (tmp_path / "want.dot").read_text()


def test_check_report_is_identical(built: Store, reference: Store):
    got, want = lineage.check(store=built), lineage.check(store=reference)
    assert (got.conforms, got.text) == (want.conforms, want.text)
    assert got.findings == want.findings


# --------------------------------------------------------------------------- command line


# Not memory: a memory: store lives in one process, so a second command finds it empty.
@pytest.mark.parametrize("backend", ["oxigraph", "virtuoso"])
def test_cli_with_the_store_option(backend: str, request: pytest.FixtureRequest, tmp_path: Path,
                                   run, reference: Store):
    store = open_backend(backend, request, tmp_path)
    spec = store.location
    store.close()
    built = run("build", EXAMPLES, "--store", spec, "--jobs", "1", "-q", check=True)
    assert "cards ingested 12 / skipped unchanged 0 / rejected 0" in built.stdout
    shown = run("show", TIES, "--store", spec, "--format", "json", check=True)
    assert json.loads(shown.stdout) == lineage.show(TIES, store=reference)
    rows = run("query", "parents", "--param", f"model={TIES}", "--store", spec,
               "--format", "csv", check=True)
    want = lineage.query("parents", store=reference, params={"model": TIES}, results="csv")
    assert isinstance(want, bytes)
    assert rows.stdout == want.decode().replace("\r\n", "\n")  # the runner reads text mode


def test_prune_drops_a_removed_card_and_what_only_it_declared(empty_store: Store,
                                                               tmp_path: Path):
    cards = copy_examples(tmp_path)
    lineage.build([cards], store=empty_store, jobs=1)
    assert lineage.show("medtune/acme-7b-medical-lora", store=empty_store)["parents"]
    shutil.rmtree(cards / "medtune")
    report = lineage.build([cards], store=empty_store, jobs=1, prune=True)
    assert (report.ingested, report.skipped, report.pruned) == (0, 11, 1)
    assert len(empty_store.card_index()) == 11
    with pytest.raises(LineageError, match="no model"):
        lineage.show("medtune/acme-7b-medical-lora", store=empty_store)
    assert lineage.show("acme-ai/Acme-7B-Instruct", store=empty_store)["id"] == \
        "acme-ai/Acme-7B-Instruct"


def test_the_sparql_endpoint_serves_every_backend(built: Store, backend: str,
                                                  request: pytest.FixtureRequest):
    from starlette.testclient import TestClient

    from lineage.server import create_app

    # By location, as `lineage serve --store SPEC` opens it (the embedded one by directory).
    where: Store | str = (request.getfixturevalue("virtuoso").spec if backend == "virtuoso"
                          else built.location if backend == "oxigraph" else built)
    query = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{LIN_IRI}Model> }}"
    with TestClient(create_app(where, timeout=60), base_url="http://localhost") as client:
        response = client.get("/sparql", params={"query": query},
                              headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert n == len(list(built.query(f"SELECT DISTINCT ?m WHERE {{ ?m a <{LIN_IRI}Model> }}")))


def test_state_changes_with_the_data(empty_store: Store, backend: str, tmp_path: Path):
    cards = copy_examples(tmp_path)
    lineage.build([cards], store=empty_store, jobs=1)
    before = empty_store.state()
    if backend != "oxigraph":  # Oxigraph's token may also change when RocksDB compacts
        lineage.build([cards], store=empty_store, jobs=1)  # nothing changed
        assert empty_store.state() == before
    _change_one_card(empty_store, cards)
    assert empty_store.state() != before
