"""Where the graph lives: one small interface, several backends.

``open_store(spec)`` picks a backend by the form of ``spec``: a directory path (embedded
Oxigraph on disk, the default), ``memory:`` (rdflib, in process), or a SPARQL 1.1 server,
``sparql+http://host:port/path`` or ``sparql+https://...`` (see :mod:`lineage.store.spec`
and :mod:`lineage.store.remote`). Backends are registered by name and imported on first
use, so a new backend is one module plus one line here.

Every backend is safe against a writer that dies at any point. A rebuilt card's new graph
is loaded before its old one is removed, so a reader never finds the card missing (for a
moment it may find both). Before a store removes any card graph it records that it is
*unsettled*, and only :meth:`Store.drop_orphans` clears that: the next build then finishes
what a dead one left (see :func:`lineage.ingest.recover`).

A store with a disk state can also record what each write changed (:meth:`Store.changes_since`,
once :meth:`Store.keep_changes` started the record), so what is derived from the data (the
saved view) can be brought up to date from the changed card graphs alone.

Examples
--------
>>> store = open_store("memory:")
>>> store.card_index()
{}
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

from lineage.errors import StoreError
from lineage.ns import ENTITIES_GRAPH

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["BACKENDS", "DROP_ORPHANS", "FOOTPRINT_CHUNK", "UNSETTLED_NOTE", "CardGraph", "Changes",
           "NoDiskState", "Store", "Term", "footprint", "open_store"]

# An RDF term as lineage binds it and reads it from query results (no RDF 1.2 triple
# terms). A string so that pyoxigraph is imported only by type checkers here.
Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal"

# name -> (module, class); imported on first use.
BACKENDS: dict[str, tuple[str, str]] = {
    "oxigraph": ("lineage.store.oxigraph", "OxigraphStore"),
    "memory": ("lineage.store.memory", "MemoryStore"),
    "remote": ("lineage.store.remote", "RemoteStore"),
}


# SPARQL Update: forget shared declarations (a model's type, id and label, ...) that no
# card graph mentions any more, after cards were replaced or pruned.
DROP_ORPHANS = f"""
DELETE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}
WHERE {{
  GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p2 ?o2 }} FILTER(?g != <{ENTITIES_GRAPH}>) }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s2 ?p3 ?s }} FILTER(?g != <{ENTITIES_GRAPH}>) }}
}}"""


# The IRIs card graphs ?g mention (bind ?g), then those of them that are shared entities
# (models, datasets, licenses...): two plain scans and a lookup beat one joined query.
_MENTIONS = ("SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e ?p ?o } }",
             "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?s ?p ?e FILTER(isIRI(?e)) } }")
_DECLARED = f"SELECT DISTINCT ?e WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e a ?t }} }}"
FOOTPRINT_CHUNK = 500
"""IRIs bound per query of :func:`footprint`."""


def footprint(store: Store, graphs: Iterable[str]) -> set[str]:
    """Return the shared entities (declared in the entities graph) the card graphs mention."""
    from pyoxigraph import NamedNode, QuerySolutions

    todo = sorted(set(graphs))
    mentioned: set[str] = set()
    for i in range(0, len(todo), FOOTPRINT_CHUNK):
        chunk = todo[i:i + FOOTPRINT_CHUNK]
        for query in _MENTIONS:
            result = store.query(query, {"g": [NamedNode(g) for g in chunk]})
            assert isinstance(result, QuerySolutions)
            mentioned.update(sol["e"].value for sol in result)
    # A card's own nodes (its graph IRI + "#ev-1"...) are no shared entities.
    local = set(todo)
    candidates = sorted(e for e in mentioned if e.partition("#")[0] not in local)
    found: set[str] = set()
    for i in range(0, len(candidates), FOOTPRINT_CHUNK):
        terms = [NamedNode(e) for e in candidates[i:i + FOOTPRINT_CHUNK]]
        result = store.query(_DECLARED, {"e": terms})
        assert isinstance(result, QuerySolutions)
        found.update(sol["e"].value for sol in result)
    return found


# What a store's "unsettled" mark says, where it is a statement (remote stores).
UNSETTLED_NOTE = ("a build removed card graphs and has not yet forgotten the shared "
                  "declarations they orphaned")


@dataclass(frozen=True, slots=True)
class CardGraph:
    """A card's graph ready to load: its N-Quads, and the graph it replaces (if any)."""

    source: str
    graph: str
    nquads: bytes
    replaces: str | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """What the writes between two disk states changed.

    A graph may be both added and removed (loaded, then replaced by a later build). The
    entities a removed graph mentioned (:func:`footprint`) were read before it went.
    """

    added: frozenset[str] = frozenset()
    """Card graphs loaded."""
    removed: frozenset[str] = frozenset()
    """Card graphs removed."""
    touched: frozenset[str] = frozenset()
    """The entities the removed graphs mentioned."""
    writes: int = 0
    """How many writes these are."""


@runtime_checkable
class Store(Protocol):
    """The operations every backend offers."""

    location: str
    loads_in_background: bool
    """Whether :meth:`replace_cards` may run in a thread while the next batch is extracted."""

    def card_index(self) -> dict[str, str]:
        """Map each ingested card's source location to its graph IRI."""
        ...

    def replace_cards(self, cards: Sequence[CardGraph]) -> None:
        """Load card graphs, then drop each one's previous graph (marking the store unsettled)."""
        ...

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Drop whole named graphs (marking the store unsettled)."""
        ...

    def drop_orphans(self) -> None:
        """Forget shared declarations that no card graph mentions (:data:`DROP_ORPHANS`).

        The store is settled afterwards.
        """
        ...

    def unsettled(self) -> bool:
        """Tell whether card graphs were removed since orphans were last forgotten."""
        ...

    def query(self, sparql: str, bindings: Mapping[str, Term | Sequence[Term]] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of all graphs, with values bound safely."""
        ...

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Serialise the whole dataset (or one graph) to ``out``."""
        ...

    def quad_count(self) -> int:
        """Count the quads stored."""
        ...

    def state(self) -> str:
        """Return a token that changes whenever the stored data changes."""
        ...

    def flush(self, *, optimize: bool = False) -> None:
        """Persist what was written; compact the store too when ``optimize``."""
        ...

    def disk_state(self) -> str | None:
        """Return a token of the stored data that every process reads alike, or None.

        None where the store cannot tell one (in memory, a remote server): what is derived
        from the data is then never kept beside it.
        """
        ...

    def companion(self, name: str) -> Path | None:
        """Return where a file derived from the data (the saved view) may live, or None."""
        ...

    def keep_changes(self, state: str) -> None:
        """Start recording what each write changes, from disk state ``state`` on.

        Records of writes before it are dropped. Does nothing without a disk state.
        """
        ...

    def changes_since(self, state: str) -> Changes | None:
        """Return what the writes since disk state ``state`` changed, or None when unknown.

        None when no record covers every write since (it was not kept, a writer did not
        record, or the record was lost).
        """
        ...

    def close(self) -> None:
        """Release the store (files, locks, connections)."""
        ...


class NoDiskState:
    """What a store with no disk state lineage can key files by does (memory, a server).

    It persists each write as it comes (nothing to flush) and keeps nothing beside its
    data, so a view of it is rebuilt by each process.
    """

    def flush(self, *, optimize: bool = False) -> None:
        """Do nothing: each write is kept as it comes."""

    def disk_state(self) -> str | None:
        """Return None: there is no disk state to read."""
        return None

    def companion(self, name: str) -> Path | None:
        """Return None: nothing is kept beside this store's data."""
        return None

    def keep_changes(self, state: str) -> None:
        """Do nothing: nothing is kept beside this store's data."""

    def changes_since(self, state: str) -> Changes | None:
        """Return None: no changes are recorded."""
        return None


def open_store(spec: str | Path = ".lineage", *, read_only: bool = False) -> Store:
    """Open the store named by ``spec``.

    ``spec`` is a directory (Oxigraph), ``memory:``, or a SPARQL server
    (``sparql+http://host:port/path``, ``sparql+https://...``).
    """
    from lineage.store.spec import is_remote

    text = str(spec)
    if text == "memory:" or text.startswith("memory:"):
        name = "memory"
    elif is_remote(text):
        name = "remote"
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        msg = (f"unsupported store scheme {scheme + '://'!r}: use a directory, memory:, "
               "or sparql+http(s)://host/path")
        raise StoreError(msg)
    else:
        name = "oxigraph"
    module, cls = BACKENDS[name]
    backend = getattr(importlib.import_module(module), cls)
    store: Store = backend(text, read_only=read_only)
    return store
