"""The SHACL constraint components: one function builds each check, a table maps names to them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Protocol

import pyoxigraph as ox

from lineage.shapes.data import Data
from lineage.shapes.report import ShapesError
from lineage.shapes.shape import Check, Shape, ValueTest
from lineage.shapes.terms import LEXICAL, NUMERIC, SH, Term
from lineage.shapes.triples import Graph


def _min_count(n: int) -> Check:
    return Check(lambda data, focus, values: len(values) < n, min_count=n)


def _max_count(n: int) -> Check:
    return Check(lambda data, focus, values: len(values) > n, max_count=n)


def _per_value(ok: ValueTest) -> Check:
    return Check(lambda data, focus, values: not all(map(partial(ok, data), values)), ok)


def _datatype(iri: str) -> Check:
    lexical = LEXICAL.get(iri)
    datatype = ox.NamedNode(iri)

    def ok(data: Data, v: Term) -> bool:
        return (isinstance(v, ox.Literal) and v.datatype == datatype
                and (lexical is None or lexical.fullmatch(v.value) is not None))
    return _per_value(ok)


_NODE_KINDS: dict[str, tuple[type, ...]] = {
    SH + "IRI": (ox.NamedNode,), SH + "Literal": (ox.Literal,),
    SH + "BlankNode": (ox.BlankNode,), SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
}


def _node_kind(iri: str) -> Check:
    kinds = _NODE_KINDS[iri]
    return _per_value(lambda data, v: isinstance(v, kinds))


def _class(iri: str) -> Check:
    return _per_value(lambda data, v: not isinstance(v, ox.Literal)
                      and data.is_instance(v, iri))


def _pattern(regex: str) -> Check:
    compiled = re.compile(regex)
    return _per_value(lambda data, v: not isinstance(v, ox.BlankNode)
                      and compiled.search(v.value) is not None)


def _min_length(n: int) -> Check:
    return _per_value(lambda data, v: not isinstance(v, ox.BlankNode) and len(v.value) >= n)


def _number(term: Term) -> Decimal | None:
    """Return a numeric literal's value (None for anything else or an ill-typed one)."""
    if not isinstance(term, ox.Literal) or term.datatype.value not in NUMERIC:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _range(bound: Term, accepts: Callable[[Decimal, Decimal], bool]) -> Check:
    limit = _number(bound)
    if limit is None:
        msg = f"a numeric range bound must be a number, not {bound}"
        raise ShapesError(msg)

    def ok(data: Data, v: Term) -> bool:
        number = _number(v)
        return number is not None and not number.is_nan() and accepts(number, limit)
    return _per_value(ok)


def _in(members: Sequence[Term]) -> Check:
    allowed = frozenset(members)
    return _per_value(lambda data, v: v in allowed)


def _has_value(term: Term) -> Check:
    return Check(lambda data, focus, values: term not in values)


def _equals(predicate: str) -> Check:
    return Check(lambda data, focus, values: set(values) != set(data.values(focus, predicate)))


def _xone(shapes: Sequence[Shape]) -> Check:
    return _per_value(lambda data, v: sum(not s.fails(data, v) for s in shapes) == 1)


def _or(shapes: Sequence[Shape]) -> Check:
    return _per_value(lambda data, v: any(not s.fails(data, v) for s in shapes))


def _and(shapes: Sequence[Shape]) -> Check:
    return _per_value(lambda data, v: all(not s.fails(data, v) for s in shapes))


def _node(shape: Shape) -> Check:
    """``sh:node``: every value node conforms to the node shape named."""
    return _per_value(lambda data, v: not shape.fails(data, v))


def _not(shape: Shape) -> Check:
    return _per_value(lambda data, v: shape.fails(data, v))


class _Compiling(Protocol):
    """What building a component asks of the compiler: the shapes and lists it names."""

    graph: Graph

    def shape(self, node: Term, *, level: str = "error") -> Shape: ...

    def shapes(self, head: Term) -> list[Shape]: ...


# How to build a component's check from its parameter's value (and the compiler).
Builder = Callable[[_Compiling, Term], Check]


def _int(term: Term) -> int:
    return int(term.value)


# Parameter name -> its builder, registered below.
COMPONENTS: dict[str, Builder] = {}
# Components that judge each value node (or count too many): with no value they pass.
PASS_WHEN_EMPTY = frozenset(SH + name for name in (
    "maxCount", "datatype", "nodeKind", "class", "pattern", "minLength", "minInclusive",
    "maxInclusive", "minExclusive", "maxExclusive", "in", "xone", "or", "and", "not", "node"))


def _component(name: str) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        COMPONENTS[SH + name] = build
        return build
    return register


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
