"""Compiling the shapes file: its triples indexed, then each shape turned into a :class:`_Shape`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from lineage.shapes.components import (
    _and,
    _class,
    _datatype,
    _equals,
    _has_value,
    _in,
    _max_count,
    _min_count,
    _min_length,
    _node,
    _node_kind,
    _not,
    _or,
    _pattern,
    _range,
    _xone,
)
from lineage.shapes.report import ShapesError, path_text
from lineage.shapes.shape import _Check, _Shape
from lineage.shapes.terms import _FIRST, _INERT, _LEVELS, _NIL, _REST, SH, Term


class _Graph:
    """The shapes file's triples, indexed by subject, with list and term readers."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(  # type: ignore[arg-type]
                t.predicate.value, []).append(t.object)  # type: ignore[arg-type]

    def all(self, node: Term, predicate: str) -> list[Term]:
        return self.out.get(node, {}).get(predicate, [])

    def one(self, node: Term, predicate: str) -> Term | None:
        found = self.all(node, predicate)
        return found[0] if found else None

    def items(self, head: Term) -> list[Term]:
        found = []
        while head != _NIL:
            first = self.one(head, _FIRST.value)
            if first is None:
                msg = f"a malformed RDF list in the shapes at {head}"
                raise ShapesError(msg)
            found.append(first)
            head = self.one(head, _REST.value) or _NIL
        return found


def _int(term: Term) -> int:
    return int(term.value)


# Parameter name -> how to build its check from the parameter's value (and the compiler).
_COMPONENTS: dict[str, Callable[[_Compiler, Term], _Check]] = {}
# Components that judge each value node (or count too many): with no value they pass.
_PASS_WHEN_EMPTY = frozenset(SH + name for name in (
    "maxCount", "datatype", "nodeKind", "class", "pattern", "minLength", "minInclusive",
    "maxInclusive", "minExclusive", "maxExclusive", "in", "xone", "or", "and", "not", "node"))


def _component(name: str) -> Callable[[Callable[[_Compiler, Term], _Check]],
                                      Callable[[_Compiler, Term], _Check]]:
    def register(build: Callable[[_Compiler, Term], _Check]) -> Callable[[_Compiler, Term],
                                                                          _Check]:
        _COMPONENTS[SH + name] = build
        return build
    return register


class _Compiler:
    """Turns the shapes graph into :class:`_Shape` values (nested shapes included)."""

    def __init__(self, graph: _Graph):
        self.graph = graph
        self.inverse: set[str] = set()  # the predicates of inverse paths
        # One check per component and parameter, so that shapes sharing a test (a label
        # that is a string) share it, and the quick pass runs it once per predicate.
        self.built: dict[tuple[str, Term], _Check] = {}

    def shape(self, node: Term, *, level: str = "error") -> _Shape:
        g = self.graph
        severity = g.one(node, SH + "severity")
        if severity is not None:
            level = _LEVELS[severity.value]
        checks: list[_Check] = []
        empty_checks: list[_Check] = []
        for predicate, objects in g.out.get(node, {}).items():
            if predicate in _INERT:
                continue
            build = _COMPONENTS.get(predicate)
            if build is None:
                msg = (f"shape {path_text(node.value) if isinstance(node, ox.NamedNode) else node}"
                       f" uses {path_text(predicate)}, which the per-card validator does not "
                       "implement (lineage/shapes.py)")
                raise ShapesError(msg)
            built = [self.check(predicate, value, build) for value in objects]
            checks.extend(built)
            if predicate not in _PASS_WHEN_EMPTY:
                empty_checks.extend(built)
        message = g.one(node, SH + "message")
        name = g.one(node, SH + "name")
        props = tuple(self.shape(p, level=level) for p in g.all(node, SH + "property"))
        limit = g.one(node, SH + "maxCount")
        return _Shape(name.value if name else str(node), message.value if message else None,
                      level, self.path(node), tuple(checks), props,
                      _int(limit) if limit is not None else None, tuple(empty_checks))

    def check(self, predicate: str, value: Term,
              build: Callable[[_Compiler, Term], _Check]) -> _Check:
        key = (predicate, value)
        found = self.built.get(key)
        if found is None:
            found = self.built[key] = build(self, value)
        return found

    def path(self, node: Term) -> tuple[str, bool] | None:
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

    def shapes(self, head: Term) -> list[_Shape]:
        return [self.shape(s) for s in self.graph.items(head)]


_component("minCount")(lambda c, t: _min_count(_int(t)))
_component("maxCount")(lambda c, t: _max_count(_int(t)))
_component("datatype")(lambda c, t: _datatype(t.value))
_component("nodeKind")(lambda c, t: _node_kind(t.value))
_component("class")(lambda c, t: _class(t.value))
_component("pattern")(lambda c, t: _pattern(t.value))
_component("minLength")(lambda c, t: _min_length(_int(t)))
_component("minInclusive")(lambda c, t: _range(t, lambda v, b: v >= b))
_component("maxInclusive")(lambda c, t: _range(t, lambda v, b: v <= b))
_component("minExclusive")(lambda c, t: _range(t, lambda v, b: v > b))
_component("maxExclusive")(lambda c, t: _range(t, lambda v, b: v < b))
_component("in")(lambda c, t: _in(c.graph.items(t)))
_component("hasValue")(lambda c, t: _has_value(t))
_component("equals")(lambda c, t: _equals(t.value))
_component("xone")(lambda c, t: _xone(c.shapes(t)))
_component("or")(lambda c, t: _or(c.shapes(t)))
_component("and")(lambda c, t: _and(c.shapes(t)))
_component("not")(lambda c, t: _not(c.shape(t)))
_component("node")(lambda c, t: _node(c.shape(t)))
