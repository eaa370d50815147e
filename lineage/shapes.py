"""The SHACL shapes of ``ontology/shapes.ttl``, checked on one card's quads in the build.

pySHACL needs about a third of a second for one card's small graph; this validator reads
the same shapes file, compiles the SHACL core subset it uses (class, subjects-of and
objects-of targets; predicate and inverse paths; cardinality, value type, value range,
string, ``sh:in``, ``sh:hasValue``, ``sh:equals``, ``sh:xone``/``sh:or``/``sh:and``/
``sh:not`` and SPARQL-based constraints) and checks a card in well under a millisecond.
A shapes file using anything else is refused with a :class:`ShapesError` naming it, so
the two validators cannot drift apart silently; the tests compare them on crafted cards.

Each violation reads as pySHACL's does in ``lineage check --shacl full``: the focus node,
the shape's ``sh:message`` and the path. Like pySHACL given ``ontology/lineage.ttl`` as
its ontology graph, ``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf``.

A card almost always conforms, so :meth:`Shapes.validate` first asks of each node shape a
cheaper question that can only err towards "maybe": a test that judges values one at a
time is run once per predicate over all the card's values of that predicate (shared by
every shape that reads it); ``sh:maxCount`` matters only for a predicate some node has
twice; only ``sh:minCount`` and the node shape's own components look at each focus node.
A shape that may fail is then evaluated focus node by focus node, exactly as SHACL says,
and only that evaluation writes violations.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from lineage.errors import LineageError
from lineage.ns import PREFIXES
from lineage.sparql_footprint import Footprint, footprint

__all__ = ["Shapes", "ShapesError", "Violation", "compile_shapes", "load_shapes", "ontology_dir",
           "path_text"]

SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = ox.NamedNode(_RDF + "type")
_FIRST, _REST, _NIL = (ox.NamedNode(_RDF + x) for x in ("first", "rest", "nil"))

# Lexical forms of the datatypes the shapes name (pySHACL refuses ill-typed literals).
_DECIMAL_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)"
_LEXICAL: dict[str, re.Pattern[str]] = {
    _XSD + "integer": re.compile(r"[+-]?\d+"),
    _XSD + "decimal": re.compile(_DECIMAL_RE),
    _XSD + "double": re.compile(rf"{_DECIMAL_RE}([eE][+-]?\d+)?|[+-]?INF|NaN"),
    _XSD + "boolean": re.compile(r"true|false|1|0"),
    _XSD + "dateTime": re.compile(
        r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
}
_NUMERIC = frozenset(_XSD + t for t in ("integer", "decimal", "double", "float", "long", "int"))
# Components a shape may carry that constrain nothing (names, messages, documentation).
_INERT = frozenset(SH + x for x in ("name", "message", "description", "order", "group",
                                    "targetClass", "targetSubjectsOf", "targetObjectsOf",
                                    "property", "path", "sparql", "severity", "deactivated"))
_INERT |= {_RDF + "type", _RDFS + "comment", _RDFS + "label"}
_LEVELS = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "warning"}
_PREFIXES = {**PREFIXES, "sh": SH}
_SHAPES_FILE = "shapes.ttl"
_ONTOLOGY_FILE = "lineage.ttl"


class ShapesError(LineageError):
    """The shapes file uses SHACL this validator does not implement."""


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True, slots=True)
class Violation:
    """One failed constraint: its focus node, severity level and readable message."""

    level: str  # "error" (sh:Violation) or "warning"
    focus: str  # the focus node's IRI (or a literal's text)
    message: str  # the shape's sh:message, then the path in parentheses

    @property
    def text(self) -> str:
        """Return the violation as stored on the card record (:meth:`parse` reads it back).

        Examples
        --------
        >>> v = Violation("error", "urn:x", "a model needs a label (rdfs:label)")
        >>> v.text
        'error <urn:x> a model needs a label (rdfs:label)'
        >>> Violation.parse(v.text) == v
        True
        """
        return f"{self.level} <{self.focus}> {self.message}"

    @classmethod
    def parse(cls, text: str) -> Violation:
        """Read a stored violation back (text in another form becomes its own message)."""
        match = _STORED.fullmatch(text)
        if match is None:
            return cls("error", "", text)
        return cls(match["level"], match["focus"], match["message"])


_STORED = re.compile(r"(?P<level>error|warning) <(?P<focus>[^>]*)> (?P<message>.*)", re.S)


def path_text(predicate: str, *, inverse: bool = False) -> str:
    """Return a SHACL path as the reports print it: a prefixed name, ``^`` for an inverse.

    Examples
    --------
    >>> path_text("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    >>> path_text("http://www.w3.org/ns/prov#wasGeneratedBy", inverse=True)
    '^prov:wasGeneratedBy'
    >>> path_text("http://example.org/p")
    '<http://example.org/p>'
    """
    prefix = "^" if inverse else ""
    for name, base in _PREFIXES.items():
        local = predicate[len(base):]
        if predicate.startswith(base) and re.fullmatch(r"[A-Za-z_][\w-]*", local):
            return f"{prefix}{name}:{local}"
    return f"{prefix}<{predicate}>"


# ---------------------------------------------------------------------------------------
# The data of one card, indexed both ways


class _Data:
    """A card's triples indexed by subject, by object and by predicate.

    With the classes of each typed node (its types and their superclasses in the ontology),
    and, per predicate, whether some node has it twice (for ``sh:maxCount``).
    """

    __slots__ = ("by_predicate", "classes", "instances", "inv", "inv_multi", "multi", "objects",
                 "out", "subjects")

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple], supers: dict[str, frozenset[str]],
                 inverse: frozenset[str], targeted: frozenset[str]):
        # Objects by subject for every predicate, values by predicate for every predicate;
        # subjects by object and by predicate only for the predicates of inverse paths and
        # of subject targets (``targeted``, which includes rdf:type).
        self.out: dict[Term, dict[str, list[Term]]] = {}
        self.inv: dict[Term, dict[str, list[Term]]] = {}
        self.objects: dict[str, list[Term]] = {}
        self.subjects: dict[str, list[Term]] = {}
        self.multi: set[str] = set()  # predicates with two values on one subject
        self.inv_multi: set[str] = set()  # the same for one object (inverse paths)
        self.by_predicate: dict[str, list[ox.Quad | ox.Triple]] = {}  # the quads
        out, objects, subjects = self.out, self.objects, self.subjects
        by_predicate = self.by_predicate
        multi, by_subject = self.multi, targeted | inverse
        for q in quads:
            s, p, o = q.subject, q.predicate.value, q.object
            if _append(out, s, p, o):  # type: ignore[arg-type]
                multi.add(p)
            found = objects.get(p)
            if found is None:
                objects[p] = [o]  # type: ignore[list-item]
                by_predicate[p] = [q]
            else:
                found.append(o)  # type: ignore[arg-type]
                by_predicate[p].append(q)
            if p in by_subject:
                found = subjects.get(p)
                if found is None:
                    subjects[p] = [s]  # type: ignore[list-item]
                else:
                    found.append(s)  # type: ignore[arg-type]
                if p in inverse and _append(self.inv, o, p, s):  # type: ignore[arg-type]
                    self.inv_multi.add(p)
        self.classes: dict[Term, frozenset[str]] = {}
        self.instances: dict[str, list[Term]] = {}
        for node, type_node in zip(subjects.get(_TYPE.value, ()), objects.get(_TYPE.value, ()),
                                   strict=True):
            found_classes = supers.get(type_node.value) or frozenset((type_node.value,))
            self.classes[node] = self.classes.get(node, frozenset()) | found_classes
        for node, classes in self.classes.items():
            for cls in classes:
                self.instances.setdefault(cls, []).append(node)

    def values(self, node: Term, predicate: str, *, inverse: bool = False) -> list[Term]:
        """Return the distinct values of ``node`` along a path (a predicate or its inverse)."""
        found = (self.inv if inverse else self.out).get(node, {}).get(predicate, ())
        return list(dict.fromkeys(found)) if len(found) > 1 else list(found)

    def is_instance(self, node: Term, cls: str) -> bool:
        """Tell whether ``node`` has a type that is ``cls`` or one of its subclasses."""
        return cls in self.classes.get(node, ())


def _append(index: dict[Term, dict[str, list[Term]]], key: Term, predicate: str,
            value: Term) -> bool:
    """Add ``value`` to ``index[key][predicate]``; tell whether it was not the first."""
    by_key = index.get(key)
    if by_key is None:
        index[key] = {predicate: [value]}
        return False
    values = by_key.get(predicate)
    if values is None:
        by_key[predicate] = [value]
        return False
    values.append(value)
    return True


# ---------------------------------------------------------------------------------------
# Constraint components: each checks the value nodes of one focus node


@dataclass(frozen=True, slots=True)
class _Shape:
    """A node shape (``path`` None) or a property shape, compiled."""

    name: str
    message: str | None
    level: str
    path: tuple[str, bool] | None  # (predicate, inverse)
    checks: tuple[_Check, ...]
    properties: tuple[_Shape, ...]
    max_count: int | None = None
    # The checks that can fail when a property has no value at all (minCount, hasValue,
    # equals): most property shapes of a focus node have none, and the others then pass.
    empty_checks: tuple[_Check, ...] = ()
    # The property shapes split by that: those that can fail with no value are always
    # tried; the others only when the focus node has their path's predicate.
    _always: tuple[_Shape, ...] = field(init=False, repr=False, compare=False)
    _by_path: tuple[tuple[str, bool, tuple[_Shape, ...]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[tuple[str, bool], list[_Shape]] = {}
        for prop in self.properties:
            if not prop.empty_checks and prop.path is not None:
                grouped.setdefault(prop.path, []).append(prop)
        object.__setattr__(self, "_always", tuple(
            p for p in self.properties if p.empty_checks or p.path is None))
        object.__setattr__(self, "_by_path", tuple(
            (pred, inverse, tuple(props)) for (pred, inverse), props in grouped.items()))

    def value_nodes(self, data: _Data, focus: Term) -> list[Term]:
        """Return the focus node itself (node shape) or its values along the path."""
        if self.path is None:
            return [focus]
        return data.values(focus, self.path[0], inverse=self.path[1])

    def fails(self, data: _Data, focus: Term) -> bool:
        """Tell whether ``focus`` violates this shape or one of its property shapes."""
        values = self.value_nodes(data, focus)
        for check in self.checks if values else self.empty_checks:
            if check.fails(data, focus, values):
                return True
        return any(p.fails(data, focus) for p in self._present(data, focus))

    def _present(self, data: _Data, focus: Term) -> Iterator[_Shape]:
        """Yield the property shapes that can fail on ``focus`` (see ``_always``)."""
        yield from self._always
        out = data.out.get(focus)
        inv = data.inv.get(focus)
        for predicate, inverse, props in self._by_path:
            edges = inv if inverse else out
            if edges is not None and predicate in edges:
                yield from props

    def violations(self, data: _Data, focus: Term) -> list[Violation]:
        """Return the violations of ``focus`` against this shape and its property shapes."""
        if not self.fails(data, focus):  # the usual case, decided without building messages
            return []
        values = self.value_nodes(data, focus)
        found: list[Violation] = []
        if any(check.fails(data, focus, values) for check in
               (self.checks if values else self.empty_checks)):
            where = f" ({path_text(self.path[0], inverse=self.path[1])})" if self.path else ""
            message = self.message or f"{self.name} does not conform"
            found.append(Violation(self.level, _focus_text(focus), message + where))
        for prop in self.properties:
            found.extend(prop.violations(data, focus))
        return found


# A test that one value node must pass (of a component judging values one at a time).
_ValueTest = Callable[[_Data, Term], bool]


@dataclass(frozen=True, slots=True, eq=False)
class _Check:
    """One constraint component of a shape.

    ``fails`` tells whether the value nodes of one focus node fail it; the other fields say
    what kind of component it is, for the quick pass of :class:`_Plan`.
    """

    fails: Callable[[_Data, Term, list[Term]], bool]
    test: _ValueTest | None = None  # set when the component judges each value alone
    min_count: int | None = None
    max_count: int | None = None


def _min_count(n: int) -> _Check:
    return _Check(lambda data, focus, values: len(values) < n, min_count=n)


def _max_count(n: int) -> _Check:
    return _Check(lambda data, focus, values: len(values) > n, max_count=n)


def _per_value(ok: _ValueTest) -> _Check:
    return _Check(lambda data, focus, values: not all(map(partial(ok, data), values)), ok)


def _datatype(iri: str) -> _Check:
    lexical = _LEXICAL.get(iri)
    datatype = ox.NamedNode(iri)

    def ok(data: _Data, v: Term) -> bool:
        return (isinstance(v, ox.Literal) and v.datatype == datatype
                and (lexical is None or lexical.fullmatch(v.value) is not None))
    return _per_value(ok)


_NODE_KINDS: dict[str, tuple[type, ...]] = {
    SH + "IRI": (ox.NamedNode,), SH + "Literal": (ox.Literal,),
    SH + "BlankNode": (ox.BlankNode,), SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
}


def _node_kind(iri: str) -> _Check:
    kinds = _NODE_KINDS[iri]
    return _per_value(lambda data, v: isinstance(v, kinds))


def _class(iri: str) -> _Check:
    return _per_value(lambda data, v: not isinstance(v, ox.Literal)
                      and data.is_instance(v, iri))


def _pattern(regex: str) -> _Check:
    compiled = re.compile(regex)
    return _per_value(lambda data, v: not isinstance(v, ox.BlankNode)
                      and compiled.search(v.value) is not None)


def _min_length(n: int) -> _Check:
    return _per_value(lambda data, v: not isinstance(v, ox.BlankNode) and len(v.value) >= n)


def _number(term: Term) -> Decimal | None:
    """Return a numeric literal's value (None for anything else or an ill-typed one)."""
    if not isinstance(term, ox.Literal) or term.datatype.value not in _NUMERIC:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _range(bound: Term, accepts: Callable[[Decimal, Decimal], bool]) -> _Check:
    limit = _number(bound)
    if limit is None:
        msg = f"a numeric range bound must be a number, not {bound}"
        raise ShapesError(msg)

    def ok(data: _Data, v: Term) -> bool:
        number = _number(v)
        return number is not None and not number.is_nan() and accepts(number, limit)
    return _per_value(ok)


def _in(members: Sequence[Term]) -> _Check:
    allowed = frozenset(members)
    return _per_value(lambda data, v: v in allowed)


def _has_value(term: Term) -> _Check:
    return _Check(lambda data, focus, values: term not in values)


def _equals(predicate: str) -> _Check:
    return _Check(lambda data, focus, values: set(values) != set(data.values(focus, predicate)))


def _xone(shapes: Sequence[_Shape]) -> _Check:
    return _per_value(lambda data, v: sum(not s.fails(data, v) for s in shapes) == 1)


def _or(shapes: Sequence[_Shape]) -> _Check:
    return _per_value(lambda data, v: any(not s.fails(data, v) for s in shapes))


def _and(shapes: Sequence[_Shape]) -> _Check:
    return _per_value(lambda data, v: all(not s.fails(data, v) for s in shapes))


def _node(shape: _Shape) -> _Check:
    """``sh:node``: every value node conforms to the node shape named."""
    return _per_value(lambda data, v: not shape.fails(data, v))


def _not(shape: _Shape) -> _Check:
    return _per_value(lambda data, v: shape.fails(data, v))


def _focus_text(term: Term) -> str:
    return term.value


# ---------------------------------------------------------------------------------------
# Compiling the shapes file


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


@dataclass(frozen=True, slots=True)
class _Sparql:
    """A SPARQL-based constraint: its SELECT (``$this`` free) and message template."""

    query: str
    message: str
    level: str
    footprint: Footprint | None = None  # None: the query may read any quad


@dataclass(frozen=True, slots=True)
class _Rule:
    """A property shape of a node shape, as the quick pass of :class:`_Plan` reads it."""

    shape: _Shape
    predicate: str
    inverse: bool
    tests: tuple[_ValueTest, ...]  # its per-value components
    required: bool  # sh:minCount 1
    max_count: int | None  # sh:maxCount, at least 1
    exact: bool  # a component the quick pass cannot judge: evaluated per focus node

    @classmethod
    def of(cls, shape: _Shape) -> _Rule:
        tests: list[_ValueTest] = []
        required, max_count, exact = False, None, bool(shape.properties) or shape.path is None
        for check in shape.checks:
            if check.test is not None:
                tests.append(check.test)
            elif check.min_count == 1:
                required = True
            elif check.max_count:  # sh:maxCount 0 fails on any value: judged exactly
                max_count = min(max_count or check.max_count, check.max_count)
            elif check.min_count != 0:
                exact = True
        predicate, inverse = shape.path or ("", False)
        return cls(shape, predicate, inverse, tuple(tests), required, max_count, exact)

    def fails(self, data: _Data, focus: Sequence[Term]) -> bool:
        """Tell whether a focus node fails the shape (exactly)."""
        return any(self.shape.fails(data, node) for node in focus)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A node shape compiled for the quick pass, which asks whether a focus node may fail.

    The answer may be a false "maybe", never a false "no": a shape that may fail is then
    evaluated exactly (:meth:`_Shape.violations`), node by node.
    """

    node_tests: tuple[_ValueTest, ...]  # the node shape's per-value components
    node_checks: tuple[_Check, ...]  # its other components
    required: frozenset[str]  # the predicates of its property shapes with sh:minCount 1
    required_inverse: frozenset[str]  # the same for inverse paths
    exact: tuple[_Rule, ...]  # its property shapes the quick pass cannot judge
    counted: tuple[_Rule, ...]  # those with sh:maxCount
    tested: tuple[_Rule, ...]  # those with per-value components

    @classmethod
    def of(cls, shape: _Shape) -> _Plan:
        rules = [_Rule.of(p) for p in shape.properties]
        judged = [r for r in rules if not r.exact]
        return cls(tuple(c.test for c in shape.checks if c.test is not None),
                   tuple(c for c in shape.checks if c.test is None),
                   frozenset(r.predicate for r in judged if r.required and not r.inverse),
                   frozenset(r.predicate for r in judged if r.required and r.inverse),
                   tuple(r for r in rules if r.exact),
                   tuple(r for r in judged if r.max_count is not None),
                   tuple(r for r in judged if r.tests))

    def may_fail(self, data: _Data, focus: Sequence[Term],
                 failed: set[tuple[str, bool, _ValueTest]]) -> bool:
        """Tell whether a focus node may fail the shape (False: none does).

        ``failed`` holds the per-value tests that some value of the card fails, with the
        path of that value (see :meth:`Shapes.validate`).
        """
        for test in self.node_tests:  # the value node of a node shape is its focus node
            if not all(map(partial(test, data), focus)):
                return True
        for check in self.node_checks:
            if any(check.fails(data, node, [node]) for node in focus):
                return True
        for required, index in ((self.required, data.out),
                                (self.required_inverse, data.inv)):
            if required:
                for node in focus:
                    edges = index.get(node)
                    if edges is None or not edges.keys() >= required:  # sh:minCount 1 fails
                        return True
        if any(rule.fails(data, focus) for rule in self.exact):
            return True
        # sh:maxCount n >= 1 cannot fail on a predicate no node has twice.
        if any(rule.predicate in (data.inv_multi if rule.inverse else data.multi)
               and rule.fails(data, focus) for rule in self.counted):
            return True
        # A per-value test that every value of the path passes cannot fail on a focus node.
        return bool(failed) and any(
            any((rule.predicate, rule.inverse, test) in failed for test in rule.tests)
            and rule.fails(data, focus) for rule in self.tested)


@dataclass(frozen=True, slots=True)
class _Target:
    """A node shape with where its focus nodes come from."""

    shape: _Shape
    classes: tuple[str, ...]
    subjects_of: tuple[str, ...]
    objects_of: tuple[str, ...]
    sparql: tuple[_Sparql, ...]
    plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", _Plan.of(self.shape))

    def focus_nodes(self, data: _Data) -> Sequence[Term]:
        if len(self.classes) == 1 and not self.subjects_of and not self.objects_of:
            return data.instances.get(self.classes[0], ())  # distinct already
        lists = [data.instances.get(cls, ()) for cls in self.classes]
        lists += [data.subjects.get(p, ()) for p in self.subjects_of]
        lists += [data.objects.get(p, ()) for p in self.objects_of]
        return list(dict.fromkeys(chain.from_iterable(lists)))


@dataclass(frozen=True, slots=True)
class Shapes:
    """The compiled shapes of ``ontology/shapes.ttl``; :meth:`validate` checks one card."""

    targets: tuple[_Target, ...]
    supers: dict[str, frozenset[str]]
    digest: str  # of the shapes and ontology files, stored with each card's result
    inverse: frozenset[str] = frozenset()  # the predicates of inverse paths
    targeted: frozenset[str] = field(init=False, repr=False, compare=False)

    # The per-value tests of every property shape, by path: (predicate, inverse) -> tests.
    tests: dict[tuple[str, bool], tuple[_ValueTest, ...]] = field(
        init=False, repr=False, compare=False)
    # The quads the SPARQL-based constraints can read (None: any quad).
    footprint: Footprint | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        targeted = {_TYPE.value}
        tests: dict[tuple[str, bool], dict[_ValueTest, None]] = {}
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
        data = _Data(quads, self.supers, self.inverse, self.targeted)
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
                store = store or _store_of(data, self.footprint)
                found.update(_sparql_violations(store, target.sparql, focus))
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


def _store_of(data: _Data, footprint: Footprint | None) -> ox.Store:
    """Return a store of the card's quads that the SPARQL-based constraints can read.

    The others cannot change a result (see :func:`lineage.sparql_footprint.footprint`),
    and leaving them out makes both loading and querying cheaper.
    """
    store = ox.Store()
    quads_of = data.by_predicate
    wanted = quads_of.keys() if footprint is None else _predicates_read(footprint, data)
    quads = [q for p in wanted if p in quads_of for q in quads_of[p]]
    # Quads kept in their graphs (the queries read the union of the graphs): no copies.
    store.extend(quads if all(isinstance(q, ox.Quad) for q in quads)  # type: ignore[arg-type]
                 else (ox.Quad(q.subject, q.predicate, q.object) for q in quads))
    return store


def _predicates_read(footprint: Footprint, data: _Data) -> set[str]:
    """Return the predicates of the card's quads that a query of ``footprint`` can read."""
    found = set(footprint.predicates)
    for predicate in footprint.objects_of:  # a variable predicate bound by its objects
        found.update(o.value for o in data.objects.get(predicate, ())
                     if isinstance(o, ox.NamedNode))
    return found


def _sparql_violations(store: ox.Store, constraints: Sequence[_Sparql],
                       focus: Sequence[Term]) -> list[Violation]:
    wanted: set[Term] | None = None  # made when a query returns a row (rarely)
    found = []
    for constraint in constraints:
        result = store.query(constraint.query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        for row in result:
            this = row["this"]
            wanted = set(focus) if wanted is None else wanted
            if this not in wanted:
                continue
            message = constraint.message
            for name in names:
                value = row[name]
                if value is not None:
                    message = message.replace("{?" + name + "}", value.value).replace(
                        "{$" + name + "}", value.value)
            path = row["path"] if "path" in names else None  # pySHACL's sh:resultPath
            if isinstance(path, ox.NamedNode):
                message += f" ({path_text(path.value)})"
            found.append(Violation(constraint.level, _focus_text(this), message))
    return found


def _sparql_constraints(graph: _Graph, node: Term, level: str) -> tuple[_Sparql, ...]:
    found = []
    for constraint in graph.all(node, SH + "sparql"):
        select = graph.one(constraint, SH + "select")
        message = graph.one(constraint, SH + "message")
        if select is None or message is None:
            msg = "a SPARQL-based constraint needs sh:select and sh:message"
            raise ShapesError(msg)
        prefixes = ""
        for source in graph.all(constraint, SH + "prefixes"):
            for decl in graph.all(source, SH + "declare"):
                prefix = graph.one(decl, SH + "prefix")
                namespace = graph.one(decl, SH + "namespace")
                if prefix is not None and namespace is not None:
                    prefixes += f"PREFIX {prefix.value}: <{namespace.value}>\n"
        query = prefixes + re.sub(r"\$this\b", "?this", select.value)
        found.append(_Sparql(query, message.value, level, footprint(query)))
    return tuple(found)


def _superclasses(ontology: Iterable[ox.Triple]) -> dict[str, frozenset[str]]:
    """Map each class of the ontology to itself and all its superclasses."""
    direct: dict[str, set[str]] = {}
    for t in ontology:
        if (t.predicate.value == _RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode)
                and isinstance(t.subject, ox.NamedNode)):
            direct.setdefault(t.subject.value, set()).add(t.object.value)

    def closure(cls: str, seen: frozenset[str]) -> set[str]:
        found = {cls}
        for sup in direct.get(cls, ()):
            if sup not in seen:
                found |= closure(sup, seen | {cls})
        return found
    return {cls: frozenset(closure(cls, frozenset())) for cls in direct}


def compile_shapes(shapes_ttl: bytes, ontology_ttl: bytes) -> Shapes:
    """Compile the shapes (and the ontology's class hierarchy) into a :class:`Shapes`."""
    triples = list(ox.parse(shapes_ttl, format=ox.RdfFormat.TURTLE))
    graph = _Graph(triples)
    compiler = _Compiler(graph)
    targets = []
    for node, props in graph.out.items():
        if SH + "NodeShape" not in {t.value for t in props.get(_TYPE.value, [])}:
            continue
        shape = compiler.shape(node)
        targets.append(_Target(
            shape,
            tuple(t.value for t in props.get(SH + "targetClass", [])),
            tuple(t.value for t in props.get(SH + "targetSubjectsOf", [])),
            tuple(t.value for t in props.get(SH + "targetObjectsOf", [])),
            _sparql_constraints(graph, node, shape.level)))
    ontology = list(ox.parse(ontology_ttl, format=ox.RdfFormat.TURTLE))
    digest = hashlib.sha256(shapes_ttl + b"\0" + ontology_ttl).hexdigest()[:16]
    return Shapes(tuple(targets), _superclasses(ontology), digest,
                  frozenset(compiler.inverse))


def ontology_dir() -> Path:
    """Return the folder with ``lineage.ttl`` and ``shapes.ttl``."""
    import sys

    here = Path(__file__).resolve().parent.parent / "ontology"
    return here if here.is_dir() else Path(sys.prefix) / "share" / "lineage" / "ontology"


@functools.cache
def load_shapes(folder: Path) -> Shapes:
    """Return the compiled shapes of ``folder`` (``shapes.ttl`` and ``lineage.ttl``).

    Compiled once per process: the result is a constant table of the files.
    """
    try:
        shapes = (folder / _SHAPES_FILE).read_bytes()
        ontology = (folder / _ONTOLOGY_FILE).read_bytes()
    except OSError as exc:
        msg = f"{folder}: cannot read the shapes: {exc.strerror or exc}"
        raise ShapesError(msg) from None
    return compile_shapes(shapes, ontology)
