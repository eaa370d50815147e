"""Compiling the shapes file: each shape of its graph turned into a :class:`Shape`."""

from __future__ import annotations

import pyoxigraph as ox

from lineage.shapes.components import COMPONENTS, PASS_WHEN_EMPTY, Builder
from lineage.shapes.report import ShapesError, path_text
from lineage.shapes.shape import Check, Shape
from lineage.shapes.terms import INERT, LEVELS, SH, Term
from lineage.shapes.triples import Graph


class Compiler:
    """Turns the shapes graph into :class:`Shape` values (nested shapes included)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.inverse: set[str] = set()  # the predicates of inverse paths
        # One check per component and parameter, so that shapes sharing a test (a label
        # that is a string) share it, and the quick pass runs it once per predicate.
        self.built: dict[tuple[str, Term], Check] = {}

    def shape(self, node: Term, *, level: str = "error") -> Shape:
        """Return the shape at ``node`` compiled, its property shapes included."""
        g = self.graph
        severity = g.one(node, SH + "severity")
        if severity is not None:
            level = LEVELS[severity.value]
        checks: list[Check] = []
        empty_checks: list[Check] = []
        for predicate, objects in g.out.get(node, {}).items():
            if predicate in INERT:
                continue
            build = COMPONENTS.get(predicate)
            if build is None:
                msg = (f"shape {path_text(node.value) if isinstance(node, ox.NamedNode) else node}"
                       f" uses {path_text(predicate)}, which the per-card validator does not "
                       "implement (lineage/shapes/components.py)")
                raise ShapesError(msg)
            built = [self.check(predicate, value, build) for value in objects]
            checks.extend(built)
            if predicate not in PASS_WHEN_EMPTY:
                empty_checks.extend(built)
        message = g.one(node, SH + "message")
        name = g.one(node, SH + "name")
        props = tuple(self.shape(p, level=level) for p in g.all(node, SH + "property"))
        limit = g.one(node, SH + "maxCount")
        return Shape(name.value if name else str(node), message.value if message else None,
                      level, self.path(node), tuple(checks), props,
                      int(limit.value) if limit is not None else None, tuple(empty_checks))

    def check(self, predicate: str, value: Term,
              build: Builder) -> Check:
        """Return the check of one component and parameter, built once and shared."""
        key = (predicate, value)
        found = self.built.get(key)
        if found is None:
            found = self.built[key] = build(self, value)
        return found

    def path(self, node: Term) -> tuple[str, bool] | None:
        """Return the shape's path as (predicate, inverse), None for a node shape."""
        path = self.graph.one(node, SH + "path")
        if path is None:
            return None
        if isinstance(path, ox.NamedNode):
            return (path.value, False)
        inverse = self.graph.one(path, SH + "inversePath")
        if isinstance(inverse, ox.NamedNode) and len(self.graph.out.get(path, {})) == 1:
            self.inverse.add(inverse.value)
            return (inverse.value, True)
        msg = "the per-card validator implements predicate and inverse paths only"
        raise ShapesError(msg)

    def shapes(self, head: Term) -> list[Shape]:
        """Return the shapes of an RDF list (of ``sh:or`` and the like), compiled."""
        return [self.shape(s) for s in self.graph.items(head)]
