"""The per-card SHACL validator against the algorithm it replaced, on many graphs.

``Shapes.validate`` decides most shapes by a quick pass and runs the SPARQL-based
constraints on the quads their patterns can read. The reference below is the previous
validator (lineage/shapes.py before the quick pass), kept verbatim: a generic walk of every
shape over every focus node, and every quad in the SPARQL store. Both must give exactly
the same violations, in the same order, with the same texts: on the shared corpus and seed
cards, on generated cards, and on graphs mutated so that they violate the shapes.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

from lineage.cards import read_card
from lineage.extract import extract
from lineage.ingest import iter_inputs, prepare
from lineage.ns import ENTITIES_GRAPH, LIN_IRI
from lineage.rdf import card_quads, card_rows, quads_of
from lineage.shapes import ShapesError, Violation, load_shapes, ontology_dir, path_text
from lineage.shapes.terms import FIRST as _FIRST
from lineage.shapes.terms import INERT as _INERT
from lineage.shapes.terms import LEVELS as _LEVELS
from lineage.shapes.terms import LEXICAL as _LEXICAL
from lineage.shapes.terms import NIL as _NIL
from lineage.shapes.terms import NUMERIC as _NUMERIC
from lineage.shapes.terms import REST as _REST
from lineage.shapes.terms import SH
from lineage.shapes.terms import TYPE as _TYPE
from lineage.sparql_footprint import footprint

from .conftest import ROOT, SHARED, need

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
Term = ox.NamedNode | ox.BlankNode | ox.Literal

# ---------------------------------------------------------------------------------------
# The reference: the previous validator, verbatim (only renamed, and without shared_limits)


class _Data:
    """A card's triples indexed by subject, by object and by predicate.

    With the classes of each typed node: its types and their superclasses in the ontology.
    """

    __slots__ = ("by_predicate", "classes", "instances", "inv", "out", "quads")

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple], supers: dict[str, frozenset[str]],
                 inverse: frozenset[str], targeted: frozenset[str]):
        # Only what the shapes read is indexed: objects by the predicates of inverse paths,
        # subject-object pairs by the predicates of targets (and rdf:type).
        self.out: dict[Term, dict[str, list[Term]]] = {}
        self.inv: dict[Term, dict[str, list[Term]]] = {}
        self.by_predicate: dict[str, list[tuple[Term, Term]]] = {}
        self.quads = list(quads)
        out, inv, by_predicate = self.out, self.inv, self.by_predicate
        for q in self.quads:
            s, p, o = q.subject, q.predicate.value, q.object
            _append(out, s, p, o)  # type: ignore[arg-type]
            if p in inverse:
                _append(inv, o, p, s)  # type: ignore[arg-type]
            if p in targeted:
                pairs = by_predicate.get(p)
                if pairs is None:
                    by_predicate[p] = [(s, o)]  # type: ignore[list-item]
                else:
                    pairs.append((s, o))  # type: ignore[arg-type]
        self.classes: dict[Term, frozenset[str]] = {}
        self.instances: dict[str, list[Term]] = {}
        for node, type_node in by_predicate.get(_TYPE.value, ()):
            found = supers.get(type_node.value) or frozenset((type_node.value,))
            self.classes[node] = self.classes.get(node, frozenset()) | found
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
            value: Term) -> None:
    by_key = index.get(key)
    if by_key is None:
        index[key] = {predicate: [value]}
        return
    values = by_key.get(predicate)
    if values is None:
        by_key[predicate] = [value]
    else:
        values.append(value)


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
            if check(data, focus, values):
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
        if any(check(data, focus, values) for check in
               (self.checks if values else self.empty_checks)):
            where = f" ({path_text(self.path[0], inverse=self.path[1])})" if self.path else ""
            message = self.message or f"{self.name} does not conform"
            found.append(Violation(self.level, _focus_text(focus), message + where))
        for prop in self.properties:
            found.extend(prop.violations(data, focus))
        return found


# A check tells whether the value nodes of one focus node fail it.
_Check = Callable[[_Data, Term, list[Term]], bool]


def _min_count(n: int) -> _Check:
    return lambda data, focus, values: len(values) < n


def _max_count(n: int) -> _Check:
    return lambda data, focus, values: len(values) > n


def _per_value(ok: Callable[[Term], bool]) -> _Check:
    return lambda data, focus, values: not all(map(ok, values))


def _datatype(iri: str) -> _Check:
    lexical = _LEXICAL.get(iri)

    def ok(v: Term) -> bool:
        return (isinstance(v, ox.Literal) and v.datatype.value == iri
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
    return _per_value(lambda v: isinstance(v, kinds))


def _class(iri: str) -> _Check:
    return lambda data, focus, values: any(
        isinstance(v, ox.Literal) or not data.is_instance(v, iri) for v in values)


def _pattern(regex: str) -> _Check:
    compiled = re.compile(regex)
    return _per_value(lambda v: not isinstance(v, ox.BlankNode)
                      and compiled.search(v.value) is not None)


def _min_length(n: int) -> _Check:
    return _per_value(lambda v: not isinstance(v, ox.BlankNode) and len(v.value) >= n)


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

    def ok(v: Term) -> bool:
        number = _number(v)
        return number is not None and not number.is_nan() and accepts(number, limit)
    return _per_value(ok)


def _in(members: Sequence[Term]) -> _Check:
    allowed = frozenset(members)
    return _per_value(lambda v: v in allowed)


def _has_value(term: Term) -> _Check:
    return lambda data, focus, values: term not in values


def _equals(predicate: str) -> _Check:
    return lambda data, focus, values: set(values) != set(data.values(focus, predicate))


def _xone(shapes: Sequence[_Shape]) -> _Check:
    return _per_value_data(lambda data, v: sum(not s.fails(data, v) for s in shapes) == 1)


def _or(shapes: Sequence[_Shape]) -> _Check:
    return _per_value_data(lambda data, v: any(not s.fails(data, v) for s in shapes))


def _and(shapes: Sequence[_Shape]) -> _Check:
    return _per_value_data(lambda data, v: all(not s.fails(data, v) for s in shapes))


def _node(shape: _Shape) -> _Check:
    """``sh:node``: every value node conforms to the node shape named."""
    return _per_value_data(lambda data, v: not shape.fails(data, v))


def _not(shape: _Shape) -> _Check:
    return _per_value_data(lambda data, v: shape.fails(data, v))


def _per_value_data(ok: Callable[[_Data, Term], bool]) -> _Check:
    return lambda data, focus, values: not all(ok(data, v) for v in values)


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
            built = [build(self, value) for value in objects]
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


@dataclass(frozen=True, slots=True)
class _Target:
    """A node shape with where its focus nodes come from."""

    shape: _Shape
    classes: tuple[str, ...]
    subjects_of: tuple[str, ...]
    objects_of: tuple[str, ...]
    sparql: tuple[_Sparql, ...]

    def focus_nodes(self, data: _Data) -> list[Term]:
        found: dict[Term, None] = {}
        for cls in self.classes:
            found.update(dict.fromkeys(data.instances.get(cls, ())))
        for p in self.subjects_of:
            found.update(dict.fromkeys(s for s, _ in data.by_predicate.get(p, ())))
        for p in self.objects_of:
            found.update(dict.fromkeys(o for _, o in data.by_predicate.get(p, ())))
        return list(found)


@dataclass(frozen=True, slots=True)
class _RefShapes:
    """The shapes compiled by the previous algorithm."""

    targets: tuple[_Target, ...]
    supers: dict[str, frozenset[str]]
    digest: str  # of the shapes and ontology files, stored with each card's result
    inverse: frozenset[str] = frozenset()  # the predicates of inverse paths
    targeted: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        targeted = {_TYPE.value}
        for target in self.targets:
            targeted.update(target.subjects_of, target.objects_of)
        object.__setattr__(self, "targeted", frozenset(targeted))

    def validate(self, quads: Iterable[ox.Quad | ox.Triple]) -> list[Violation]:
        """Return the violations of a card's quads (its graph and its declarations), sorted.

        The graph names of quads are ignored: the card's graph and the shared declarations
        it writes are validated as one graph.
        """
        data = _Data(quads, self.supers, self.inverse, self.targeted)
        found: set[Violation] = set()
        store: ox.Store | None = None
        for target in self.targets:
            focus = target.focus_nodes(data)
            if not focus:
                continue
            for node in focus:
                found.update(target.shape.violations(data, node))
            if target.sparql:
                store = store or _store_of(data)
                found.update(_sparql_violations(store, target.sparql, focus))
        return sorted(found, key=lambda v: (v.focus, v.message))


def _store_of(data: _Data) -> ox.Store:
    store = ox.Store()
    # Quads kept in their graphs (the queries read the union of the graphs): no copies.
    quads = data.quads
    store.extend(quads if all(isinstance(q, ox.Quad) for q in quads)  # type: ignore[arg-type]
                 else (ox.Quad(q.subject, q.predicate, q.object) for q in quads))
    return store


def _sparql_violations(store: ox.Store, constraints: Sequence[_Sparql],
                       focus: Sequence[Term]) -> list[Violation]:
    wanted = set(focus)
    found = []
    for constraint in constraints:
        result = store.query(constraint.query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        for row in result:
            this = row["this"]
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
        found.append(_Sparql(query, message.value, level))
    return tuple(found)


def _superclasses(ontology: Iterable[ox.Triple]) -> dict[str, frozenset[str]]:
    """Map each class of the ontology to itself and all its superclasses."""
    direct: dict[str, set[str]] = {}
    for t in ontology:
        if (t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode)
                and isinstance(t.subject, ox.NamedNode)):
            direct.setdefault(t.subject.value, set()).add(t.object.value)

    def closure(cls: str, seen: frozenset[str]) -> set[str]:
        found = {cls}
        for sup in direct.get(cls, ()):
            if sup not in seen:
                found |= closure(sup, seen | {cls})
        return found
    return {cls: frozenset(closure(cls, frozenset())) for cls in direct}


def _reference(shapes_ttl: bytes, ontology_ttl: bytes) -> _RefShapes:
    """Compile the shapes as the previous validator did."""
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
    return _RefShapes(tuple(targets), _superclasses(ontology), digest,
                  frozenset(compiler.inverse))




# ---------------------------------------------------------------------------------------
# Graphs to compare on


@pytest.fixture(scope="module")
def both() -> tuple[Callable[[list[ox.Quad]], list[Violation]],
                    Callable[[list[ox.Quad]], list[Violation]]]:
    folder = ontology_dir()
    reference = _reference((folder / "shapes.ttl").read_bytes(),
                           (folder / "lineage.ttl").read_bytes())
    return load_shapes(folder).validate, reference.validate


def _graphs(paths: Sequence[Path]) -> list[list[ox.Quad]]:
    """Return each card's quads as the build's workers validate them."""
    graphs = []
    for card_in in iter_inputs(paths):
        work = prepare(card_in, None, WHEN.isoformat(), 10 * 1024 * 1024)
        if work is None or isinstance(work, str):
            continue
        card = read_card(work.data, card_in.source, id_hint=card_in.id_hint,
                         id_hint_method=card_in.id_hint_method)
        graphs.append(card_quads(extract(card), key=work.key, retrieved=WHEN))
    return graphs


def _assert_same(both, graphs: Sequence[list[ox.Quad]]) -> int:
    """Assert that both validators agree on every graph; return how many violate."""
    fast, reference = both
    violating = 0
    for i, quads in enumerate(graphs):
        got, want = [v.text for v in fast(quads)], [v.text for v in reference(quads)]
        assert got == want, f"graph {i}"
        violating += bool(want)
    return violating


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[list[ox.Quad]]:
    out = tmp_path_factory.mktemp("generated") / "cards"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_cards.py"), "-n", "200", "-o",
                    str(out), "--seed", "11"], check=True, capture_output=True)
    graphs = _graphs([out])
    assert len(graphs) == 200
    return graphs


@pytest.fixture(scope="module")
def shared_graphs() -> list[list[ox.Quad]]:
    dirs = [SHARED / "corpus" / "cards", SHARED / "seeds"]
    need(all(d.is_dir() for d in dirs), f"{SHARED}/corpus/cards and seeds/ are missing")
    graphs = _graphs(dirs)
    assert len(graphs) >= 50
    return graphs


def test_the_same_violations_on_the_shared_corpus_and_seed_cards(both, shared_graphs):
    _assert_same(both, shared_graphs)


def test_the_same_violations_on_generated_cards(both, generated):
    _assert_same(both, generated)


def test_the_builds_term_rows_give_the_same_quads_and_violations(tmp_path):
    """The build validates ``card_rows`` (terms, no quad objects) and writes their quads."""
    out = tmp_path / "cards"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_cards.py"), "-n", "40", "-o",
                    str(out), "--seed", "5"], check=True, capture_output=True)
    shapes = load_shapes(ontology_dir())
    rng = random.Random(3)
    for path in sorted(out.rglob("*.md")):
        ex = extract(read_card(path.read_bytes(), str(path)))
        rows = card_rows(ex, key="k", retrieved=WHEN)
        quads = card_quads(ex, key="k", retrieved=WHEN)
        assert quads_of(rows) == quads
        broken = _drop_quad(rng, _second_label(rng, quads))  # violations to agree on too
        assert [v.text for v in shapes.validate_terms(rows)] == \
            [v.text for v in shapes.validate(quads)]
        assert shapes.validate_terms([(q.subject, q.predicate, q.object) for q in broken]) == \
            shapes.validate(broken) != []


# ---------------------------------------------------------------------------------------
# Mutations: each returns a damaged copy of a card's quads


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _graph_of(quads: list[ox.Quad]) -> ox.NamedNode:
    return next(q.graph_name for q in quads if q.graph_name.value.startswith(  # type: ignore[return-value]
        "urn:lineage:card:"))


def _model(quads: list[ox.Quad]) -> ox.NamedNode:
    """Return the card's model (or, its record damaged, another model, or a new one)."""
    described = [q.object for q in quads if q.predicate.value == LIN_IRI + "describes"]
    typed = [q.subject for q in quads if q.object == _n(LIN_IRI + "Model")]
    return next((m for m in [*described, *typed] if isinstance(m, ox.NamedNode)),
                _n("https://huggingface.co/o/new"))


def _drop_quad(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    i = rng.randrange(len(quads))
    return quads[:i] + quads[i + 1:]


def _second_label(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    q = rng.choice([q for q in quads if q.predicate.value in (
        RDFS + "label", LIN_IRI + "method", LIN_IRI + "line", LIN_IRI + "snippet")])
    value = (ox.Literal(str(rng.randint(1, 999)), datatype=_n(XSD + "integer"))
             if q.predicate.value == LIN_IRI + "line" else ox.Literal(f"other {rng.random()}"))
    return [*quads, ox.Quad(q.subject, q.predicate, value, q.graph_name)]


def _iri_to_literal(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    i = rng.choice([i for i, q in enumerate(quads) if isinstance(q.object, ox.NamedNode)])
    q = quads[i]
    return [*quads[:i], ox.Quad(q.subject, q.predicate, ox.Literal(q.object.value),
                                q.graph_name), *quads[i + 1:]]


def _untype(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    typed = [i for i, q in enumerate(quads) if q.predicate == _TYPE]
    i = rng.choice(typed)
    return quads[:i] + quads[i + 1:]


def _wrong_literal(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    """A literal of another datatype, out of range or not in the list allowed."""
    i = rng.choice([i for i, q in enumerate(quads) if isinstance(q.object, ox.Literal)])
    q = quads[i]
    value = rng.choice([ox.Literal("-1", datatype=_n(XSD + "integer")), ox.Literal(""),
                        ox.Literal("1.5", datatype=_n(XSD + "decimal")),
                        ox.Literal("x", datatype=_n(XSD + "integer")), ox.Literal("guess")])
    return [*quads[:i], ox.Quad(q.subject, q.predicate, value, q.graph_name), *quads[i + 1:]]


def _statement_of_missing_triple(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    g = _graph_of(quads)
    node = _n(f"{g.value}#ev-missing{rng.randrange(1000)}")
    model = _model(quads)
    about = rng.choice([q for q in quads if q.subject == model] or [
        ox.Quad(model, _n(RDFS + "label"), ox.Literal("m"), g)])
    obj = rng.choice([ox.Literal("absent"), _n("https://huggingface.co/o/absent"), about.object])
    predicate = rng.choice([_n(LIN_IRI + "tag"), about.predicate])
    return [*quads,
            ox.Quad(node, _n(RDF + "subject"), about.subject, g),
            ox.Quad(node, _n(RDF + "predicate"), predicate, g),
            ox.Quad(node, _n(RDF + "object"), obj, g),
            ox.Quad(node, _n(LIN_IRI + "method"), ox.Literal("prose"), g)]


def _edge_without_derived_from(rng: random.Random, quads: list[ox.Quad]) -> list[ox.Quad]:
    g, ent = _graph_of(quads), _n(ENTITIES_GRAPH)
    other = _n(f"https://huggingface.co/o/other{rng.randrange(100)}")
    kind = rng.choice(["fineTunedFrom", "mergedFrom", "quantizedFrom", "adapterOf"])
    added = [ox.Quad(_model(quads), _n(LIN_IRI + kind), other, g),
             ox.Quad(other, _TYPE, _n(LIN_IRI + "Model"), ent),
             ox.Quad(other, _n(LIN_IRI + "unresolved"),
                     ox.Literal("true", datatype=_n(XSD + "boolean")), ent),
             ox.Quad(other, _n(RDFS + "label"), ox.Literal(other.value[-7:]), ent)]
    if rng.random() < 0.5:  # one of the two materialised edges, not both
        added.append(ox.Quad(_model(quads), _n(LIN_IRI + "derivedFrom"), other, g))
    return quads + added


MUTATIONS = [_drop_quad, _second_label, _iri_to_literal, _untype, _wrong_literal,
             _statement_of_missing_triple, _edge_without_derived_from]


def test_the_same_violations_on_mutated_graphs(both, generated):
    rng = random.Random(18)
    mutated = []
    for i in range(420):
        quads = generated[i % len(generated)]
        for mutate in rng.sample(MUTATIONS, rng.choice((1, 1, 2))):
            quads = mutate(rng, quads)
        mutated.append(quads)
    violating = _assert_same(both, mutated)
    assert violating >= 0.8 * len(mutated)  # the mutations do damage: most graphs violate
    messages = {v.message for quads in mutated for v in both[0](quads)}
    for expected in ("is not also stated as lin:derivedFrom",
                     "describes a triple that is not in the graph",
                     "exactly one rdfs:label", "only a model (typed lin:Model)"):
        assert any(expected in m for m in messages), expected


def test_the_same_violations_on_mutated_real_cards(both, shared_graphs):
    rng = random.Random(7)
    mutated = [mutate(rng, quads) for quads in shared_graphs for mutate in MUTATIONS]
    violating = _assert_same(both, mutated)
    assert violating >= 0.7 * len(mutated)


# ---------------------------------------------------------------------------------------
# Which quads a SPARQL-based constraint can read


def _reads(query: str) -> tuple[set[str], set[str]]:
    f = footprint(query)
    assert f is not None, query
    return set(f.predicates), set(f.objects_of)


def test_the_footprint_of_a_query_is_read_from_its_patterns():
    assert _reads("PREFIX ex: <urn:ex:> SELECT ?this ?v WHERE { ?this ?p ?v ; ex:k ?w . "
                  "FILTER (?p IN (ex:a, <urn:b>)) FILTER NOT EXISTS { ?this ex:c ?v } }") == (
        {"urn:ex:a", "urn:b", "urn:ex:k", "urn:ex:c"}, set())
    assert _reads("SELECT ?this WHERE { ?this <urn:pred> ?p , ?q . "
                  "FILTER NOT EXISTS { ?this ?p ?v } }") == ({"urn:pred"}, {"urn:pred"})


@pytest.mark.parametrize(("query", "predicates", "objects_of"), [
    # What the hand-written tokenizer refused, rdflib's parser reads: a literal, 'a', '*'.
    ("SELECT ?this WHERE { ?this <urn:p> \"text\" }", {"urn:p"}, set()),
    ("SELECT ?this WHERE { ?this a <urn:C> }", {RDF + "type"}, set()),
    ("SELECT * WHERE { ?this <urn:p> ?v }", {"urn:p"}, set()),
    ("SELECT DISTINCT ?this WHERE { ?this <urn:p> [ <urn:q> ?v ] }", {"urn:p", "urn:q"}, set()),
    # A nested group without a filter is joined as one basic graph pattern.
    ("SELECT ?this WHERE { ?this <urn:p> ?p { ?this ?p ?v } }", {"urn:p"}, {"urn:p"}),
    # A nested NOT EXISTS sees the bindings of every enclosing group.
    ("SELECT ?this WHERE { ?this <urn:p> ?p FILTER NOT EXISTS { ?this <urn:q> ?v "
     "FILTER NOT EXISTS { ?v ?p ?w } } }", {"urn:p", "urn:q"}, {"urn:p"}),
    ("SELECT ?this WHERE { ?this ?p ?v FILTER (?p IN (<urn:a>, <urn:b>) && "
     "?p IN (<urn:b>, <urn:c>)) }", {"urn:b"}, set()),
    ("SELECT ?this WHERE { ?this <urn:p> ?v FILTER EXISTS { ?v <urn:q> ?w } }",
     {"urn:p", "urn:q"}, set()),
])
def test_the_footprint_reads_more_of_the_subset(query: str, predicates: set[str],
                                                objects_of: set[str]):
    assert _reads(query) == (predicates, objects_of)


@pytest.mark.parametrize("query", [
    "SELECT ?this WHERE { ?this ?p ?v }",  # a predicate nothing restricts
    "SELECT ?this WHERE { ?this <urn:p> ?v OPTIONAL { ?v ?q ?w } }",
    "SELECT ?this WHERE { ?this <urn:p> ?v OPTIONAL { ?v <urn:q> ?w } }",
    "SELECT ?this WHERE { { ?this <urn:p> ?v } UNION { ?this <urn:q> ?v } }",
    "SELECT ?this WHERE { ?this <urn:p> ?v MINUS { ?this <urn:q> ?v } }",
    "SELECT ?this WHERE { GRAPH ?g { ?this <urn:p> ?v } }",
    "SELECT ?this FROM <urn:g> WHERE { ?this <urn:p> ?v }",
    "SELECT ?this WHERE { ?this <urn:p> ?v { SELECT ?v WHERE { ?v <urn:q> ?w } } }",
    "SELECT ?this WHERE { ?this <urn:p>/<urn:q> ?v }",
    "SELECT ?this WHERE { ?this <urn:p>* ?v }",
    "SELECT ?this WHERE { ?this <urn:p> ?v . FILTER NOT EXISTS { ?v ?q ?w } }",
    # A nested group is evaluated before the join: the outer ?p does not bind its ?p.
    "SELECT ?this WHERE { ?this <urn:p> ?p { ?this <urn:q> ?v FILTER NOT EXISTS { ?v ?p ?w } } }",
    "SELECT ?this WHERE { ?this ?p ?v BIND (<urn:p> AS ?p) }",
    "SELECT ?this WHERE { ?this ?p ?v VALUES ?p { <urn:p> } }",
    "SELECT ?this WHERE { ?this ?p ?v FILTER (?p IN (<urn:a>) || ?v = 1) }",
    "SELECT ?this WHERE { ?this ?p ?v FILTER (?p NOT IN (<urn:a>)) }",
    "SELECT ?this WHERE { ?this ?p ?v FILTER (?p IN (<urn:a>, \"b\")) }",
    "SELECT ?this WHERE { ?this <urn:p> ?v FILTER (?v != <urn:x>) }",
    "SELECT ?this WHERE { ?this <urn:p> ?v } ORDER BY ?v LIMIT 1",
    "SELECT (COUNT(?v) AS ?n) ?this WHERE { ?this <urn:p> ?v } GROUP BY ?this",
    "ASK { ?this <urn:p> ?v }",
    "SELECT ?this WHERE { ?this unknown:p ?v }",  # an undeclared prefix
    "SELECT ?this WHERE { ?this <urn:p> ?v ",  # no closing brace
])
def test_a_query_outside_the_subset_reads_every_quad(query: str):
    assert footprint(query) is None


def test_a_variable_predicate_bound_elsewhere_reads_the_objects_it_names():
    """A statement about a triple whose predicate no shape mentions still finds it."""
    shapes = load_shapes(ontology_dir())
    g, m = _n("urn:lineage:card:" + "c" * 64), _n("https://huggingface.co/o/m")
    ev = _n(g.value + "#ev1")
    rare = _n("urn:ex:rare")
    quads = [ox.Quad(m, rare, ox.Literal("v"), g),
             ox.Quad(ev, _n(RDF + "subject"), m, g), ox.Quad(ev, _n(RDF + "predicate"), rare, g),
             ox.Quad(ev, _n(RDF + "object"), ox.Literal("v"), g),
             ox.Quad(ev, _n(LIN_IRI + "method"), ox.Literal("prose"), g)]
    assert not any("not in the graph" in v.message for v in shapes.validate(quads))
    assert any("not in the graph" in v.message for v in shapes.validate(quads[1:]))
