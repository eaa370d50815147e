"""The compiled shapes, :class:`Shapes`, whose :meth:`Shapes.validate` checks one card."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox

from lineage.shapes.data import Data, Triple
from lineage.shapes.plan import Target
from lineage.shapes.report import Violation, path_text
from lineage.shapes.shape import ValueTest
from lineage.shapes.sparql import sparql_violations, store_of
from lineage.shapes.terms import TYPE
from lineage.sparql_footprint import Footprint


@dataclass(frozen=True, slots=True)
class Shapes:
    """The compiled shapes of ``ontology/shapes.ttl``; :meth:`validate` checks one card."""

    targets: tuple[Target, ...]
    supers: dict[str, frozenset[str]]
    digest: str  # of the shapes and ontology files, stored with each card's result
    inverse: frozenset[str] = frozenset()  # the predicates of inverse paths
    targeted: frozenset[str] = field(init=False, repr=False, compare=False)

    # The per-value tests of every property shape, by path: (predicate, inverse) -> tests.
    tests: dict[tuple[str, bool], tuple[ValueTest, ...]] = field(
        init=False, repr=False, compare=False)
    # The quads the SPARQL-based constraints can read (None: any quad).
    footprint: Footprint | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        targeted = {TYPE.value}
        tests: dict[tuple[str, bool], dict[ValueTest, None]] = {}
        for target in self.targets:
            targeted.update(target.subjects_of, target.objects_of)
            for rule in target.plan.tested:
                tests.setdefault((rule.predicate, rule.inverse), {}).update(
                    dict.fromkeys(rule.tests))
        object.__setattr__(self, "targeted", frozenset(targeted))
        object.__setattr__(self, "tests", {path: tuple(t) for path, t in tests.items()})
        reads: Footprint | None = Footprint(frozenset(), frozenset())
        for constraint in (c for target in self.targets for c in target.sparql):
            reads = (reads | constraint.footprint
                     if reads is not None and constraint.footprint is not None else None)
        object.__setattr__(self, "footprint", reads)

    def validate(self, quads: Iterable[ox.Quad | ox.Triple]) -> list[Violation]:
        """Return the violations of a card's quads (its graph and its declarations), sorted.

        The graph names of quads are ignored: the card's graph and the shared declarations
        it writes are validated as one graph.
        """
        # (Quoted triples, RDF-star, never occur in a card's quads.)
        return self.validate_terms((q.subject, q.predicate, q.object)  # type: ignore[misc]
                                   for q in quads)

    def validate_terms(self, triples: Iterable[Triple]) -> list[Violation]:
        """Return the violations of a card's triples given as terms, like :meth:`validate`.

        (``lineage.rdf.card_rows`` gives them: asking each quad for its terms makes new
        objects, and took a third of the validation.)
        """
        data = Data(triples, self.supers, self.inverse, self.targeted)
        # Each per-value test once over all the card's values of each path that has it.
        failed = {(predicate, inverse, test)
                  for (predicate, inverse), tests in self.tests.items()
                  if (values := (data.subjects if inverse else data.objects).get(predicate))
                  for test in tests if not all(map(partial(test, data), values))}
        found: set[Violation] = set()
        store: ox.Store | None = None
        for target in self.targets:
            focus = target.focus_nodes(data)
            if not focus:
                continue
            if target.plan.may_fail(data, focus, failed):
                for node in focus:
                    found.update(target.shape.violations(data, node))
            if target.sparql:
                store = store or store_of(data, self.footprint)
                found.update(sparql_violations(store, target.sparql, focus))
        return sorted(found, key=lambda v: (v.focus, v.message))

    def shared_limits(self) -> list[tuple[tuple[str, ...], str, int, Violation]]:
        """Return the ``sh:maxCount`` limits of class-targeted shapes on plain predicates.

        Those are the constraints that triples of *other* cards about a shared node can
        break (two cards giving one model two labels): ``lineage check`` runs them on the
        union. Each is (classes, predicate, limit, the violation with an empty focus).
        """
        limits = []
        for target in self.targets:
            if not target.classes:
                continue
            wanted = set(target.classes)
            classes = tuple(sorted({c for c, sup in self.supers.items() if sup & wanted}
                                   | wanted))
            for prop in target.shape.properties:
                if (prop.path is None or prop.path[1] or prop.message is None
                        or prop.max_count is None):
                    continue
                where = f" ({path_text(prop.path[0])})"
                limits.append((classes, prop.path[0], prop.max_count,
                               Violation(prop.level, "", prop.message + where)))
        return limits
