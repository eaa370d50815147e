"""The shapes file's triples, indexed by subject, with list and term readers."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from lineage.shapes.report import ShapesError
from lineage.shapes.terms import FIRST, NIL, REST, Term


class Graph:
    """The shapes file's triples, indexed by subject, with list and term readers."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(  # type: ignore[arg-type]
                t.predicate.value, []).append(t.object)  # type: ignore[arg-type]

    def all(self, node: Term, predicate: str) -> list[Term]:
        """Return the objects of ``node`` and ``predicate``."""
        return self.out.get(node, {}).get(predicate, [])

    def one(self, node: Term, predicate: str) -> Term | None:
        """Return the first object of ``node`` and ``predicate`` (None if it has none)."""
        found = self.all(node, predicate)
        return found[0] if found else None

    def items(self, head: Term) -> list[Term]:
        """Return the members of the RDF list at ``head``."""
        found = []
        while head != NIL:
            first = self.one(head, FIRST.value)
            if first is None:
                msg = f"a malformed RDF list in the shapes at {head}"
                raise ShapesError(msg)
            found.append(first)
            head = self.one(head, REST.value) or NIL
        return found
