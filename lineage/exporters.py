"""Exports for other tools: the RDF of the store and files of the lineage graph.

Each format is one small function in :data:`EXPORTERS`, keyed by the name ``--format``
takes; the libraries a format needs are imported when it runs.

RDF formats carry every statement of the store. Turtle, N-Triples, RDF/XML and JSON-LD
hold the union of all graphs, each triple once (a triple stated by several cards is one
triple); N-Quads and TriG keep each card's named graph and the shared entities graph.
JSON-LD is compacted with ``ontology/context.jsonld``, which it embeds.

Graph formats (GraphML, GEXF, node-link JSON, Cytoscape.js JSON, CSV) hold the networkx
view of :func:`lineage.graph.lineage_graph`: a node per model, named by its IRI, and an
edge per (child, parent, relation), from the child to the parent, the direction of
``lin:derivedFrom`` (:data:`EDGE_DIRECTION`, written into each format's metadata where it
has a place). Attributes the formats or their readers reserve are renamed: a node's ``id``
(the Hub id) is written as ``hub_id`` and its ``key`` as ``normalized_id``, and an edge's
merge ``weight`` as ``merge_weight`` (Gephi and networkx read ``weight`` as the weight
of the edge itself). Cytoscape.js edges get a stable ``id``: source, relation and target
joined by spaces. A missing value (None) is left out; lists are ``"; "``-joined strings,
except in the JSON formats, which keep JSON arrays.

Every export is deterministic: the same graph gives the same bytes, however the store was
built: N-Triples and N-Quads lines are sorted (code point order, the canonical one; lineage
mints no blank nodes, so the order is total) and the other RDF writers are fed statements
in that order; nodes, edges and attributes are written sorted, JSON with sorted keys (and
JSON-LD arrays, which are sets), GraphML through networkx's plain XML writer whatever is
installed, and GEXF without the date networkx would put in its header.

Examples
--------
>>> sorted(EXPORTERS) == sorted(f.value for f in ExportFormat)
True
>>> EXPORTERS["gexf"].description
'GEXF 1.2 (Gephi)'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage.errors import ExportError, LineageError

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from lineage.store import Store

__all__ = ["EDGE_DIRECTION", "EXPORTERS", "ExportFormat", "Exporter", "context", "export",
           "export_graph"]

LIST_SEPARATOR = "; "
# Node attributes of the networkx view whose names the formats reserve: GEXF, node-link
# and Cytoscape.js take "id" for the node's identifier, and "key" is an edge's key.
RENAMED = {"id": "hub_id", "key": "normalized_id"}
# Edge attributes renamed: GEXF writes "weight" as the edge's drawing weight (Gephi draws
# a fine-tune, which has none, heavier than a merge input), and Gephi's GraphML reader and
# networkx's weighted algorithms read it as the edge's weight too.
EDGE_RENAMED = {"weight": "merge_weight"}
EDGE_DIRECTION = ("child -> parent: each edge goes from a model to a model it derives from "
                  "(lin:derivedFrom, prov:wasDerivedFrom)")
"""The direction of every edge in the graph exports, as written into their metadata."""


class ExportFormat(str, Enum):
    """The formats ``lineage export --format`` writes."""

    TTL = "ttl"
    NT = "nt"
    NQ = "nq"
    TRIG = "trig"
    JSONLD = "jsonld"
    XML = "xml"
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"
    CYJS = "cyjs"
    CSV = "csv"


class Exporter(NamedTuple):
    """One format: the function writing it, what it is, and its file name in ``exports/``."""

    write: Callable[[Store, Path], list[Path]]
    description: str
    filename: str


def export(store: Store, fmt: ExportFormat | str, *, out: str | Path) -> list[Path]:
    """Write the store's graph in format ``fmt`` to ``out``.

    Parameters
    ----------
    store
        An open store.
    fmt
        A format name (see :class:`ExportFormat`).
    out
        The file to write; for ``csv`` a folder, which gets ``nodes.csv`` and
        ``edges.csv``. Missing parent folders are created.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> from lineage.store import open_store
    >>> store = open_store("memory:")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in export(store, "csv", out=Path(tmp) / "csv")]
    ['nodes.csv', 'edges.csv']
    """
    try:
        name = ExportFormat(fmt).value
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        msg = f"unknown export format {fmt!r}: use one of {choices}"
        raise ExportError(msg) from None
    path = Path(out)
    try:
        return EXPORTERS[name].write(store, path)
    except LineageError:  # a StoreError is an OSError too: keep its own message
        raise
    except OSError as exc:
        msg = f"cannot write the {name} export: {exc.strerror or exc}"
        raise ExportError(msg, source=str(path)) from None


def context() -> dict[str, Any]:
    """Return the JSON-LD ``@context`` of ``ontology/context.jsonld``."""
    from lineage.validate import ontology_dir

    path = ontology_dir() / "context.jsonld"
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"cannot read the JSON-LD context: {exc}"
        raise ExportError(msg, source=str(path)) from None
    ctx: dict[str, Any] = loaded["@context"]
    return ctx


# --------------------------------------------------------------------------- writing


def _write(out: Path, data: bytes) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return [out]


def _json(value: object) -> bytes:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return (text + "\n").encode("utf-8")


# --------------------------------------------------------------------------- RDF


def _statements(store: Store) -> bytes:
    """Return every quad of the store as N-Quads, in sorted lines (canonical order)."""
    import io

    import pyoxigraph as ox

    buf = io.BytesIO()
    store.dump(buf, ox.RdfFormat.N_QUADS)
    return _sorted_lines(buf.getvalue())


def _union(store: Store) -> bytes:
    """Return the triples of all graphs as N-Triples, each once, in sorted lines."""
    import io

    import pyoxigraph as ox

    buf = io.BytesIO()
    store.dump(buf, ox.RdfFormat.N_QUADS)
    quads = ox.parse(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    return _sorted_lines(ox.serialize((q.triple for q in quads),
                                      format=ox.RdfFormat.N_TRIPLES) or b"")


def _sorted_lines(data: bytes) -> bytes:
    r"""Sort the lines of N-Triples or N-Quads and drop repeated ones.

    Byte order of UTF-8 is code point order, so this is the canonical order; a subject's
    statements end up together, which Turtle, TriG and RDF/XML writers group.

    >>> _sorted_lines(b"<b> <p> <o> .\n<a> <p> <o> .\n<b> <p> <o> .\n")
    b'<a> <p> <o> .\n<b> <p> <o> .\n'
    """
    lines = set(data.split(b"\n"))
    lines.discard(b"")
    return b"".join(line + b"\n" for line in sorted(lines))


def _triples(store: Store) -> Iterator[ox.Triple]:
    import pyoxigraph as ox

    return ox.parse(_union(store), format=ox.RdfFormat.N_TRIPLES)


def _quads_by_graph(store: Store) -> list[ox.Quad]:
    """Return the quads in canonical order, grouped by graph (TriG writes a block a graph)."""
    import pyoxigraph as ox

    quads = ox.parse(_statements(store), format=ox.RdfFormat.N_QUADS)
    return sorted(quads, key=lambda q: str(q.graph_name))  # stable: canonical within


def _serialize(statements: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat,
               *, prefixes: bool = False) -> bytes:
    import pyoxigraph as ox

    from lineage.ns import PREFIXES

    data = ox.serialize(statements, format=fmt, prefixes=PREFIXES if prefixes else None) or b""
    return _sorted_prefix_lines(data)


def _sorted_prefix_lines(data: bytes) -> bytes:
    r"""Sort the ``@prefix`` lines a Turtle or TriG document starts with.

    Their order is the serialiser's choice; sorting them keeps it stable.

    >>> _sorted_prefix_lines(b"@prefix b: <b#> .\n@prefix a: <a#> .\n<x> a:p b:o .\n")
    b'@prefix a: <a#> .\n@prefix b: <b#> .\n<x> a:p b:o .\n'
    """
    lines = data.split(b"\n")
    head = 0
    while head < len(lines) and lines[head].startswith(b"@prefix "):
        head += 1
    return b"\n".join(sorted(lines[:head]) + lines[head:])


def _turtle(store: Store, out: Path) -> list[Path]:
    import pyoxigraph as ox

    return _write(out, _serialize(_triples(store), ox.RdfFormat.TURTLE, prefixes=True))


def _ntriples(store: Store, out: Path) -> list[Path]:
    return _write(out, _union(store))


def _nquads(store: Store, out: Path) -> list[Path]:
    return _write(out, _statements(store))


def _trig(store: Store, out: Path) -> list[Path]:
    import pyoxigraph as ox

    return _write(out, _serialize(_quads_by_graph(store), ox.RdfFormat.TRIG, prefixes=True))


def _rdfxml(store: Store, out: Path) -> list[Path]:
    import pyoxigraph as ox

    return _write(out, _serialize(_triples(store), ox.RdfFormat.RDF_XML, prefixes=True))


def _jsonld(store: Store, out: Path) -> list[Path]:
    """JSON-LD compacted by rdflib with the published context, nodes sorted by ``@id``."""
    import rdflib

    ctx = context()
    graph = rdflib.Graph()
    graph.parse(data=_union(store), format="nt")
    doc = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    if "@graph" in doc:
        nodes = doc["@graph"]
    else:  # rdflib writes a lone node at the top level
        node = {k: v for k, v in doc.items() if k != "@context"}
        nodes = [node] if node else []
    nodes = sorted((_canonical(n) for n in nodes), key=lambda n: str(n.get("@id", "")))
    # The context as in ontology/context.jsonld, one term a line; then the nodes.
    terms = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                        for k, v in ctx.items())
    body = json.dumps(nodes, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    text = f'{{\n  "@context": {{\n{terms}\n  }},\n  "@graph": {body}\n}}\n'
    return _write(out, text.encode("utf-8"))


def _canonical(value: Any) -> Any:
    """Sort the keys of every object and the items of every array.

    JSON-LD arrays of property values are sets (lineage writes no ``@list``), so sorting
    them keeps the meaning and fixes the order rdflib leaves to hashing.

    >>> _canonical({"b": ["y", "x"], "a": {"d": 1, "c": 2}})
    {'a': {'c': 2, 'd': 1}, 'b': ['x', 'y']}
    """
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


# --------------------------------------------------------------------------- graphs


def export_graph(store: Store, *, lists: bool = False) -> nx.MultiDiGraph:
    """Return the networkx view as exported: nodes, edges and attributes sorted, values flat.

    Attributes named in :data:`RENAMED` (nodes) and :data:`EDGE_RENAMED` (edges) are
    renamed; None values are left out; tuples become lists when ``lists`` is true, else
    ``"; "``-joined strings. The graph attribute ``edge_direction`` holds
    :data:`EDGE_DIRECTION`.
    """
    import networkx as nx

    from lineage.view import LineageView

    view = LineageView.of(store).graph
    g = nx.MultiDiGraph(edge_direction=EDGE_DIRECTION)
    for node in sorted(view):
        g.add_node(node, **_flat(view.nodes[node], lists=lists))
    for u, v, key, data in sorted(view.edges(keys=True, data=True), key=lambda e: e[:3]):
        g.add_edge(u, v, key=key, **_flat(data, lists=lists, renamed=EDGE_RENAMED))
    return g


def _flat(data: Mapping[str, Any], *, lists: bool,
          renamed: Mapping[str, str] = RENAMED) -> dict[str, Any]:
    """Return attributes as exported (see :func:`export_graph`).

    >>> _flat({"tags": ("a", "b"), "id": None, "key": "o/m"}, lists=False)
    {'normalized_id': 'o/m', 'tags': 'a; b'}
    >>> _flat({"relation": "merge", "weight": 0.5}, lists=False, renamed=EDGE_RENAMED)
    {'merge_weight': 0.5, 'relation': 'merge'}
    """
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, tuple | list):
            value = list(value) if lists else LIST_SEPARATOR.join(str(v) for v in value)
        flat[renamed.get(name, name)] = value
    return dict(sorted(flat.items()))


_GRAPHML_BOOL_KEY = re.compile(rb'<key id="([^"]+)" for="[a-z]+" attr.name="[^"]*" '
                               rb'attr.type="boolean"')


def _graphml(store: Store, out: Path) -> list[Path]:
    """GraphML via networkx's plain XML writer (lxml's writer lays it out differently).

    networkx writes booleans as ``True``/``False``; XML Schema, which GraphML's
    ``attr.type`` refers to, spells them ``true``/``false``, and other readers need that.
    The edge direction is the document's ``<desc>`` and the graph's ``edge_direction``.
    """
    import io

    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml_xml(export_graph(store), buf)
    data = buf.getvalue()
    for key in _GRAPHML_BOOL_KEY.findall(data):
        for value in (b"True", b"False"):
            data = data.replace(b'<data key="%s">%s</data>' % (key, value),
                                b'<data key="%s">%s</data>' % (key, value.lower()))
    desc = f"  <desc>lineage graph; edges: {EDGE_DIRECTION}</desc>\n".encode()
    data = _GRAPHML_FIRST_KEY.sub(lambda m: desc + m.group(0), data, count=1)
    return _write(out, data)


_GRAPHML_FIRST_KEY = re.compile(rb"^  <key ", re.MULTILINE)
_GEXF_META = re.compile(rb'<meta lastmodifieddate="[^"]*">(\s*)<creator>[^<]*</creator>')


def _gexf(store: Store, out: Path) -> list[Path]:
    """GEXF via networkx, with the creator, the edge direction and no date.

    networkx would write today's date; the meta description states :data:`EDGE_DIRECTION`.
    """
    import io

    import networkx as nx

    buf = io.BytesIO()
    nx.write_gexf(export_graph(store), buf)
    described = (rb"<meta>\1<creator>lineage</creator>\1<description>lineage graph; edges: "
                 + EDGE_DIRECTION.replace(">", "&gt;").encode() + rb"</description>")
    data = _GEXF_META.sub(described, buf.getvalue(), count=1)
    return _write(out, data)


def _node_link(store: Store, out: Path) -> list[Path]:
    import networkx as nx

    return _write(out, _json(nx.node_link_data(export_graph(store, lists=True), edges="edges")))


def _cytoscape(store: Store, out: Path) -> list[Path]:
    """Cytoscape.js elements: node ``id`` and ``value`` are the IRI, ``name`` the label.

    Each edge's ``id`` is its source, relation and target joined by spaces (IRIs have
    none), stable however the graph grows; the top-level ``data`` holds the edge direction.
    """
    import networkx as nx

    doc = nx.cytoscape_data(export_graph(store, lists=True), name="label")
    doc["data"] = dict(doc["data"])
    for edge in doc["elements"]["edges"]:
        data = edge["data"]
        data["id"] = f"{data['source']} {data['key']} {data['target']}"
    return _write(out, _json(doc))


def _csv(store: Store, out: Path) -> list[Path]:
    """``nodes.csv`` (``id`` then the attributes) and ``edges.csv`` (``source``, ``target``).

    Booleans are ``true``/``false``, a missing value an empty cell.
    """
    import csv
    import io

    g = export_graph(store)
    node_cols = sorted({k for _, d in g.nodes(data=True) for k in d})
    edge_cols = sorted({k for _, _, d in g.edges(data=True) for k in d})
    tables = {
        "nodes.csv": (["id", *node_cols],
                      [[n, *(d.get(c) for c in node_cols)] for n, d in g.nodes(data=True)]),
        "edges.csv": (["source", "target", *edge_cols],
                      [[u, v, *(d.get(c) for c in edge_cols)] for u, v, d in g.edges(data=True)]),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in tables.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)
        written += _write(out / name, buf.getvalue().encode("utf-8"))
    return written


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


EXPORTERS: dict[str, Exporter] = {
    "ttl": Exporter(_turtle, "Turtle, the union of all graphs", "lineage.ttl"),
    "nt": Exporter(_ntriples, "N-Triples, the union of all graphs", "lineage.nt"),
    "nq": Exporter(_nquads, "N-Quads, with the per-card named graphs", "lineage.nq"),
    "trig": Exporter(_trig, "TriG, with the per-card named graphs", "lineage.trig"),
    "jsonld": Exporter(_jsonld, "JSON-LD, compacted with ontology/context.jsonld",
                       "lineage.jsonld"),
    "xml": Exporter(_rdfxml, "RDF/XML, the union of all graphs", "lineage.rdf"),
    "graphml": Exporter(_graphml, "GraphML (yEd, Cytoscape, Gephi)", "lineage.graphml"),
    "gexf": Exporter(_gexf, "GEXF 1.2 (Gephi)", "lineage.gexf"),
    "json": Exporter(_node_link, "networkx node-link JSON", "lineage.json"),
    "cyjs": Exporter(_cytoscape, "Cytoscape.js JSON (elements)", "lineage.cyjs"),
    "csv": Exporter(_csv, "a folder with nodes.csv and edges.csv", "csv"),
}
