"""An in-process store on rdflib, for library users and tests (``memory:``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import IO

import pyoxigraph as ox
import rdflib

from lineage.errors import QueryError
from lineage.store import DROP_ORPHANS, CardGraph, NoDiskState, Term
from lineage.store.binding import bind_values
from lineage.store.oxigraph import INDEX_QUERY

__all__ = ["MemoryStore"]


class MemoryStore(NoDiskState):
    """An ``rdflib.Dataset`` behind the :class:`lineage.store.Store` interface.

    Results are handed over as pyoxigraph terms, so callers see one result type for
    every backend.
    """

    loads_in_background = False  # rdflib's objects must stay in one thread

    def __init__(self, location: str = "memory:", *, read_only: bool = False):
        self.location = location
        self.dataset = rdflib.Dataset(default_union=True)
        self._version = 0
        self._unsettled = False

    def card_index(self) -> dict[str, str]:
        """Map each card's source location to its graph IRI."""
        result = self.query(INDEX_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        return {sol["src"].value: sol["g"].value for sol in result}

    def replace_cards(self, cards: Sequence[CardGraph]) -> None:
        """Load the new graphs, then drop the graphs they replace."""
        for card in cards:
            if card.replaces:
                self._unsettled = True
            if card.replaces == card.graph:
                self.dataset.remove_graph(rdflib.URIRef(card.replaces))
            self.dataset.parse(data=card.nquads.decode(), format="nquads")
            if card.replaces and card.replaces != card.graph:
                self.dataset.remove_graph(rdflib.URIRef(card.replaces))
        self._version += 1

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Drop whole named graphs."""
        for g in graphs:
            self._unsettled = True
            self.dataset.remove_graph(rdflib.URIRef(g))
        self._version += 1

    def drop_orphans(self) -> None:
        """Forget shared declarations that no card graph mentions; the store is settled."""
        self.dataset.update(DROP_ORPHANS)
        self._unsettled = False
        self._version += 1

    def unsettled(self) -> bool:
        """Tell whether card graphs were removed since orphans were last forgotten."""
        return self._unsettled

    def query(self, sparql: str, bindings: Mapping[str, Term | Sequence[Term]] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL with rdflib; results come back through SPARQL JSON or N-Triples."""
        text = bind_values(sparql, bindings or {})
        try:
            result = self.dataset.query(text)
        except Exception as exc:  # rdflib raises pyparsing and assorted errors
            msg = f"malformed SPARQL: {exc}"
            raise QueryError(msg) from None
        if result.type == "CONSTRUCT" or result.type == "DESCRIBE":
            assert result.graph is not None
            data = result.graph.serialize(format="nt", encoding="utf-8")
            store = ox.Store()
            store.load(data, format=ox.RdfFormat.N_TRIPLES)
            triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            assert isinstance(triples, ox.QueryTriples)
            return triples
        json_data = result.serialize(format="json", encoding="utf-8")
        return ox.parse_query_results(json_data, format=ox.QueryResultsFormat.JSON)

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Serialise through pyoxigraph, so every backend writes the same bytes."""
        data = self.dataset.serialize(format="nquads", encoding="utf-8")
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_QUADS)
        if graph is not None:
            store.dump(out, fmt, from_graph=ox.NamedNode(graph))
        else:
            store.dump(out, fmt)

    def quad_count(self) -> int:
        """Count the quads stored."""
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))

    def state(self) -> str:
        """Return a token that changes with every write."""
        return hashlib.sha256(f"{id(self)}:{self._version}".encode()).hexdigest()

    def close(self) -> None:
        """Nothing to release."""
