"""A store on any SPARQL 1.1 server (``sparql+http://host:port/path``), standard protocols only.

- **Writes** use the SPARQL 1.1 Graph Store HTTP Protocol: each card's named graph is
  replaced by one ``PUT ?graph=<iri>`` of its triples; a card's previous graph is removed
  by ``DELETE ?graph=<iri>`` after the new one is in (a reader never finds the card
  missing); statements about shared entities are added to
  ``urn:lineage:entities`` by ``POST`` (never ``PUT``: that graph is shared by all cards),
  in chunks, *before* the card graphs, so a card is never in the index while its entity
  statements are missing. No data is ever pasted into SPARQL text. Puts run on a few
  threads (``workers=``): a Graph Store request costs Virtuoso several milliseconds of
  its own CPU, and two in flight keep both of its sides busy. Before a card graph is
  removed, one statement is put in the graph :data:`UNSETTLED_GRAPH`; forgetting the
  orphaned declarations removes it (see :mod:`lineage.store`).
- **Queries** use the SPARQL 1.1 Protocol (URL-encoded POST), values bound by
  :func:`lineage.store.binding.bind_values`. SELECT and ASK results are read as SPARQL
  JSON (Virtuoso's XML results trim whitespace from literals), CONSTRUCT and DESCRIBE as
  N-Triples, and come back as pyoxigraph objects like every backend's, literals in the
  form the embedded store gives them (:mod:`lineage.store.terms`).
- **The dataset.** By default (``dataset=server``) a query runs over the server's default
  dataset: on Virtuoso, GraphDB and QLever the default graph is the union of all graphs
  (Fuseki needs ``unionDefaultGraph``), as lineage expects. The standard way to restrict a
  query to lineage's graphs is to name them (``default-graph-uri`` and
  ``named-graph-uri``), and ``dataset=lineage`` does that, but it cannot be the default:
  it costs a request and a list as long as the card index on every query, and Virtuoso
  7.2 echoes each named graph back as a response header (past about 400 graphs the
  headers outgrow what HTTP clients accept) and refuses 10,000 outright ("Too many
  arguments"). The server's default dataset is exact for lineage's own queries, which
  all match lineage's vocabulary (Virtuoso's system graphs use none of it; SHACL only
  targets lineage's classes), and what lineage reads whole (the card index, dumps, the
  quad count) is restricted to ``urn:lineage:`` graphs here. A query matching any triple
  (``?s ?p ?o``) also sees the server's other graphs unless ``dataset=lineage``.
- **Large results.** Virtuoso cuts results at ``ResultSetMaxRows`` (10,000 by default)
  and says so in ``X-SPARQL-MaxRows``, and refuses to sort more than
  ``MaxSortedTopRows`` rows for ``ORDER BY`` with ``LIMIT`` and ``OFFSET`` (error SR353).
  The index and dumps are read in pages under both: keyset pages (``ORDER BY`` a key,
  ``FILTER`` past the last key read, ``LIMIT``, never ``OFFSET``), shrunk to what the
  server says it allows. Any other cut result is an error, never silently short.
- **Exact dumps.** Virtuoso writes doubles with six significant digits in every result
  format (it stores them whole); dumps read each literal's ``STR()`` as well, so their
  bytes equal the embedded store's. Query results keep Virtuoso's six digits.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO

import httpx
import pyoxigraph as ox

from lineage.errors import QueryError, StoreError
from lineage.ns import CARD_GRAPH_PREFIX, ENTITIES_GRAPH, LIN_IRI, RDFS
from lineage.store import DROP_ORPHANS, UNSETTLED_NOTE, CardGraph, NoDiskState, Term
from lineage.store.binding import bind_values
from lineage.store.spec import RemoteSpec, parse_remote
from lineage.store.terms import canonical_json, turtle
from lineage.store.transport import Transport, first_line

__all__ = ["MAX_NAMED_GRAPHS", "UNSETTLED_GRAPH", "RemoteStore", "query_form"]

LINEAGE_GRAPHS = "urn:lineage:"
# How many graphs ``dataset=lineage`` names at most (Virtuoso 7.2 fails past ~400).
MAX_NAMED_GRAPHS = 300
ENTITY_CHUNK = 50_000  # entity triples per POST
GRAPHS_PER_DUMP_QUERY = 50
UNSETTLED_GRAPH = "urn:lineage:unsettled"  # holds one statement while the store is unsettled

_JSON = "application/sparql-results+json"
_TRIPLES = "application/n-triples, text/plain;q=0.9"
_TURTLE = "text/turtle"
_FORM = re.compile(
    r"(?is)\A(?:\s+|\#[^\n]*(?:\n|\Z)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")
_INDEX = (f"SELECT ?g ?src WHERE {{ GRAPH ?g {{ ?g <{LIN_IRI}sourceLocation> ?src }} "
          f'FILTER(STRSTARTS(STR(?g), "{CARD_GRAPH_PREFIX}") && STR(?g) > ?after) }} '
          "ORDER BY STR(?g) LIMIT {limit}")
_COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
          f'FILTER(STRSTARTS(STR(?g), "{LINEAGE_GRAPHS}") && ?g != <{UNSETTLED_GRAPH}>) }}')
# A page of quads ordered by one position (?g, ?s, ?p or ?o), the earlier ones bound.
_QUADS = ("SELECT ?g ?s ?p ?o (STR(?o) AS ?lex) WHERE { GRAPH ?g { ?s ?p ?o } {filter}} "
          "ORDER BY STR(?{key}) LIMIT {limit}")
_KEYS = ("g", "s", "p", "o")
_UNSETTLED = f"ASK {{ GRAPH <{UNSETTLED_GRAPH}> {{ ?s ?p ?o }} }}"
_SORT_CAP = re.compile(r"SR353\b.*?\bOnly (\d+) are allowed")


def query_form(sparql: str) -> str:
    r"""Return ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of a query.

    Examples
    --------
    >>> query_form("PREFIX lin: <https://w3id.org/lineage/ns#>\n# all\nconstruct { ?s ?p ?o } {}")
    'CONSTRUCT'
    """
    m = _FORM.match(sparql)
    if m is None:
        msg = "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
        raise QueryError(msg)
    return m.group(1).upper()


class RemoteStore(NoDiskState):
    """A SPARQL 1.1 server behind the :class:`lineage.store.Store` interface."""

    loads_in_background = False  # its writes go out on threads of their own

    def __init__(self, location: str, *, read_only: bool = False,
                 transport: Transport | None = None):
        self.location = location
        self.spec: RemoteSpec = parse_remote(location)
        self._read_only = read_only
        self._http = transport or Transport(timeout=self.spec.timeout)
        self._page = self.spec.page  # lowered to what the server allows, once it says
        self._marked = False

    # -- reading ---------------------------------------------------------------------

    def card_index(self) -> dict[str, str]:
        """Map each card's source location to its graph IRI (read in pages)."""
        index: dict[str, str] = {}
        after = ""
        while True:
            rows, limit = self._select_page(_INDEX, {"after": ox.Literal(after)},
                                            "reading the index")
            for sol in rows:
                index[_value(sol, "src")] = _value(sol, "g")
            if len(rows) < limit:
                return index
            after = _value(rows[-1], "g")

    def _select_page(self, template: str, bindings: Mapping[str, Term | Sequence[Term]],
                     what: str) -> tuple[list[ox.QuerySolution], int]:
        """Run a page query (``{limit}`` in ``template``) under the server's row limits.

        Returns the rows and the page size used: a page that came back full may have more
        after it. The size shrinks to what the server says it allows: its result row cap
        (``X-SPARQL-MaxRows``) or how many rows it agrees to sort (Virtuoso's SR353).
        """
        while True:
            limit = self._page
            text = bind_values(template.replace("{limit}", str(limit)), bindings)
            try:
                response = self._post_query(text, _JSON, dataset=False, what=what)
            except StoreError as exc:
                allowed = _SORT_CAP.search(str(exc))
                if allowed is None or not 0 < int(allowed.group(1)) < limit:
                    raise
                self._page = int(allowed.group(1))
                continue
            cap = _row_cap(response)
            if cap is not None and cap < limit:
                self._page = cap  # the server's limit is lower than our page: ask again
                continue
            return list(_solutions(response.content)), limit

    def query(self, sparql: str, bindings: Mapping[str, Term | Sequence[Term]] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL on the server; results come back as pyoxigraph objects."""
        text = bind_values(sparql, bindings or {})
        form = query_form(text)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        response = self._post_query(text, _TRIPLES if graph else _JSON, what="query",
                                    dataset=self.spec.dataset == "lineage")
        cap = _row_cap(response)
        if cap is not None:
            msg = (f"the server cut the result at {cap:,} rows: raise its limit "
                   "(Virtuoso: ResultSetMaxRows in [SPARQL]) or narrow the query")
            raise StoreError(msg, source=self.spec.query)
        if graph:
            return _triples(response)
        return ox.parse_query_results(canonical_json(response.content),
                                      format=ox.QueryResultsFormat.JSON)

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Serialise lineage's graphs (or one graph) as the embedded store would.

        The quads go through an in-memory Oxigraph, so the bytes are the embedded store's.
        """
        graphs = [graph] if graph is not None else [
            ENTITIES_GRAPH, *sorted(self.card_index().values())]
        store = ox.Store()
        # Inserted in one order whatever the server's, so a dump's bytes depend on the data
        # only (an in-memory Oxigraph writes quads in the order they were added).
        store.extend(sorted(self._quads(graphs), key=str))
        if graph is not None:
            store.dump(out, fmt, from_graph=ox.NamedNode(graph))
        else:
            store.dump(out, fmt)

    def unsettled(self) -> bool:
        """Tell whether card graphs were removed since orphans were last forgotten."""
        response = self._post_query(_UNSETTLED, _JSON, dataset=False, what="reading the state")
        result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        return bool(result)

    def quad_count(self) -> int:
        """Count the quads in lineage's graphs."""
        response = self._post_query(_COUNT, _JSON, dataset=False, what="counting quads")
        rows = list(_solutions(response.content))
        return int(_value(rows[0], "n")) if rows else 0

    def state(self) -> str:
        """Return a digest of the card index: it changes whenever a card graph changes."""
        graphs = sorted(self.card_index().values())
        return hashlib.sha256("\n".join(graphs).encode()).hexdigest()

    # -- writing ---------------------------------------------------------------------

    def replace_cards(self, cards: Sequence[CardGraph]) -> None:
        """Add the cards' entity statements, then replace each card's graph (one PUT)."""
        self._writable()
        graphs: dict[str, list[ox.Quad]] = {}
        entities: dict[ox.Quad, None] = {}
        for card in cards:
            try:
                quads = ox.parse(card.nquads, format=ox.RdfFormat.N_QUADS)
                for q in quads:
                    name = q.graph_name
                    if not isinstance(name, ox.NamedNode):
                        msg = f"{card.source}: a quad outside any named graph"
                        raise StoreError(msg, source=self.spec.query)
                    if name.value == ENTITIES_GRAPH:
                        entities[q] = None
                    else:
                        graphs.setdefault(name.value, []).append(q)
            except SyntaxError as exc:
                msg = f"{card.source}: unreadable N-Quads: {exc}"
                raise StoreError(msg, source=self.spec.query) from None
        entity_list = list(entities)
        for start in range(0, len(entity_list), ENTITY_CHUNK):
            self._graph_request("POST", ENTITIES_GRAPH,
                                turtle(entity_list[start:start + ENTITY_CHUNK]))
        replaced = {card.graph: card.replaces for card in cards}

        def put(name: str) -> None:
            self._graph_request("PUT", name, turtle(graphs[name]))
            old = replaced.get(name)
            if old and old != name:  # after the new graph: the card is never missing
                self._delete_graph(old)

        if any(card.replaces for card in cards):
            self._mark_unsettled()
        self._each(put, graphs)
        # A card whose new graph came out empty still loses its old one.
        self._each(self._delete_graph, [c.replaces for c in cards
                                        if c.replaces and c.graph not in graphs])

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Drop whole named graphs (one Graph Store DELETE each)."""
        self._writable()
        todo = list(graphs)
        if todo:
            self._mark_unsettled()
        self._each(self._delete_graph, todo)

    def drop_orphans(self) -> None:
        """Forget shared declarations no card graph mentions (one SPARQL Update)."""
        self._writable()
        url = self.spec.update
        what = "dropping orphaned declarations"
        self._http.request("POST", url, what=what, data={"update": DROP_ORPHANS})
        self._delete_graph(UNSETTLED_GRAPH)
        self._marked = False

    def _mark_unsettled(self) -> None:
        if not self._marked:
            note = ox.Quad(ox.NamedNode(UNSETTLED_GRAPH), ox.NamedNode(str(RDFS.comment)),
                           ox.Literal(UNSETTLED_NOTE), ox.NamedNode(UNSETTLED_GRAPH))
            self._graph_request("PUT", UNSETTLED_GRAPH, turtle([note]))
            self._marked = True

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    # -- helpers ---------------------------------------------------------------------

    def _writable(self) -> None:
        if self._read_only:
            msg = "the store was opened read-only"
            raise StoreError(msg, source=self.spec.query)

    def _each(self, fn: Callable[[str], None], items: Iterable[str]) -> None:
        todo = list(items)
        if self.spec.workers <= 1 or len(todo) < 2:
            for item in todo:
                fn(item)
            return
        # pyoxigraph's result objects must be freed by the thread that made them; were the
        # cyclic garbage collector to run in a worker, it could free one there.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with ThreadPoolExecutor(max_workers=self.spec.workers) as pool:
                for _ in pool.map(fn, todo):
                    pass
        finally:
            if collecting:
                gc.enable()

    def _graph_request(self, method: str, graph: str, body: bytes) -> None:
        url = self.spec.graph_store
        what = f"{'replacing' if method == 'PUT' else 'adding to'} graph <{graph}>"
        response = self._http.request(method, url, what=what, params={"graph": graph},
                                      content=body, headers={"content-type": _TURTLE})
        if not response.is_success:
            raise self._http.error(url, what, response)

    def _delete_graph(self, graph: str) -> None:
        url = self.spec.graph_store
        what = f"removing graph <{graph}>"
        response = self._http.request("DELETE", url, what=what, params={"graph": graph},
                                      ok=(404,))
        if not response.is_success and response.status_code != 404:
            raise self._http.error(url, what, response)

    def _post_query(self, text: str, accept: str, *, dataset: bool, what: str,
                    ) -> httpx.Response:
        form: dict[str, str | list[str]] = {"query": text}
        if dataset:
            names = [ENTITIES_GRAPH, *sorted(self.card_index().values())]
            if len(names) > MAX_NAMED_GRAPHS:
                msg = (f"dataset=lineage names every graph in each query, and this store has "
                       f"{len(names):,} (at most {MAX_NAMED_GRAPHS}): use dataset=server "
                       "on a server that holds only lineage's graphs")
                raise StoreError(msg, source=self.spec.query)
            form["default-graph-uri"] = names
            form["named-graph-uri"] = names
        url = self.spec.query
        response = self._http.request("POST", url, what=what, data=form,
                                      headers={"accept": accept})
        if response.status_code == 400:
            msg = f"the server refused the query: {self._http.scrub(_error_text(response))}"
            raise QueryError(msg, source=url)
        if not response.is_success:
            raise self._http.error(url, what, response)
        return response

    def _quads(self, graphs: Sequence[str]) -> Iterator[ox.Quad]:
        """Every quad of ``graphs``, a few graphs per query, in pages the server allows."""
        for start in range(0, len(graphs), GRAPHS_PER_DUMP_QUERY):
            names = [ox.NamedNode(g) for g in graphs[start:start + GRAPHS_PER_DUMP_QUERY]]
            yield from self._quads_paged({"g": names}, 0)

    def _quads_paged(self, bound: dict[str, Term | Sequence[Term]], level: int,
                     ) -> Iterator[ox.Quad]:
        """Yield the quads matching ``bound``, in keyset pages on position ``_KEYS[level]``.

        Each page is ordered by its key and starts past the last key fully read; a page's
        last key may be cut short, so it is read again with the next page. A page holding a
        single key (a graph or subject with more quads than a page) is read by the next
        position, with that key bound. Lineage's graphs hold no blank nodes.
        """
        key = _KEYS[level]
        after: str | None = None
        what = "reading quads"
        while True:
            template = _QUADS.replace("{key}", key)
            if after is None:
                template = template.replace("{filter}", "")
            else:
                template = template.replace("{filter}", f"FILTER(STR(?{key}) > ?after) ")
                # A VALUES block of its own: Virtuoso 7.2 drops every row when ?after shares
                # a block of several rows with ?g.
                template = bind_values(template, {"after": ox.Literal(after)})
            rows, limit = self._select_page(template, bound, what)
            if len(rows) < limit:
                yield from map(_quad, rows)
                return
            last = _key(rows[-1], key)
            head = [r for r in rows if _key(r, key) != last]
            if head:
                yield from map(_quad, head)
                after = _key(head[-1], key)
                continue
            term = rows[0][key]
            if level + 1 == len(_KEYS) or not isinstance(term, ox.NamedNode):
                msg = (f"cannot page through {limit:,} quads that share {key} {term}: "
                       "raise the server's row limits")
                raise StoreError(msg, source=self.spec.query)
            yield from self._quads_paged({**bound, key: term}, level + 1)
            after = last


def _row_cap(response: httpx.Response) -> int | None:
    """Return the row limit Virtuoso says it applied (``X-SPARQL-MaxRows``), if it did."""
    value = response.headers.get("x-sparql-maxrows", "").strip()
    return int(value) if value.isdigit() else None


def _key(sol: ox.QuerySolution, key: str) -> str:
    """Return the string a page is ordered by: ``STR(?key)``."""
    return _value(sol, "lex" if key == "o" else key)


def _error_text(response: httpx.Response) -> str:
    return first_line(response.content) or f"HTTP {response.status_code}"


def _solutions(data: bytes) -> Iterator[ox.QuerySolution]:
    result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions)
    return iter(result)


def _value(sol: ox.QuerySolution, name: str) -> str:
    term = sol[name]
    assert term is not None, name
    return str(term.value)


def _quad(sol: ox.QuerySolution) -> ox.Quad:
    """Build a quad from a dump row.

    A literal is rebuilt from its ``STR()``, which Virtuoso gives whole where its result
    writers shorten doubles to six digits.
    """
    obj = sol["o"]
    lex = sol["lex"]
    if isinstance(obj, ox.Literal) and lex is not None:
        obj = (ox.Literal(lex.value, language=obj.language) if obj.language
               else ox.Literal(lex.value, datatype=obj.datatype))
    g, s, p = sol["g"], sol["s"], sol["p"]
    assert isinstance(g, ox.NamedNode)
    assert isinstance(p, ox.NamedNode)
    assert isinstance(s, ox.NamedNode | ox.BlankNode)
    assert obj is not None
    return ox.Quad(s, p, obj, g)


def _triples(response: httpx.Response) -> ox.QueryTriples:
    """CONSTRUCT/DESCRIBE triples read through an in-memory Oxigraph (canonical literals)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = ox.RdfFormat.TURTLE if kind == _TURTLE else ox.RdfFormat.N_TRIPLES
    store = ox.Store()
    try:
        store.load(response.content, format=fmt)
    except SyntaxError as exc:
        msg = f"unreadable {kind or 'N-Triples'} from the server: {exc}"
        raise StoreError(msg) from None
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(triples, ox.QueryTriples)
    return triples
