"""Which quads a SPARQL SELECT can read: the predicates outside of which no quad matters.

The per-card validator (:mod:`lineage.shapes`) loads into its SPARQL store only the quads
its SPARQL-based constraints can read. :func:`footprint` derives them from rdflib's
algebra of the query, for a small subset of SPARQL: basic graph patterns, ``FILTER``s
made of ``?v IN (IRIs)`` and ``EXISTS``/``NOT EXISTS`` conjuncts, nested groups, and
``SELECT`` with or without ``DISTINCT``. Anything else may read any quad: the answer is
then None, and the caller keeps every quad.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Footprint", "footprint"]

# The algebra nodes that only pass their pattern's solutions on: SELECT, its projection
# and DISTINCT (the same solutions give the same distinct ones).
_PASS_ON = frozenset({"SelectQuery", "Project", "Distinct"})
_EXISTS = frozenset({"Builtin_EXISTS", "Builtin_NOTEXISTS"})


@dataclass(frozen=True, slots=True)
class Footprint:
    """The predicates of the quads a query can read; other quads cannot change its result.

    Those named in ``predicates``, and each IRI that is the object of a quad whose
    predicate is in ``objects_of`` (a variable predicate bound by such a pattern).

    Examples
    --------
    >>> a = Footprint(frozenset({"urn:p"}), frozenset())
    >>> b = Footprint(frozenset({"urn:q"}), frozenset({"urn:r"}))
    >>> sorted((a | b).predicates), sorted((a | b).objects_of)
    (['urn:p', 'urn:q'], ['urn:r'])
    """

    predicates: frozenset[str]
    objects_of: frozenset[str]

    def __or__(self, other: Footprint) -> Footprint:
        return Footprint(self.predicates | other.predicates, self.objects_of | other.objects_of)


class _Unsupported(Exception):
    """The query uses SPARQL outside the subset :func:`footprint` reads."""


def footprint(query: str) -> Footprint | None:
    """Return which quads the SELECT ``query`` can read, or None when it may read any.

    A triple pattern with an IRI as predicate reads quads of that predicate; one with a
    variable predicate reads those of the IRIs a ``FILTER (?v IN (...))`` of its group
    allows, or else those that are objects of a pattern with an IRI predicate binding the
    variable in its group or an enclosing one (``EXISTS`` and ``NOT EXISTS`` see the
    outer bindings, a nested group does not). Any other variable predicate, a query that
    does not parse, and SPARQL outside that subset (``OPTIONAL``, ``UNION``, ``MINUS``,
    ``GRAPH``, ``BIND``, ``VALUES``, property paths, subqueries, other filters...) read
    every quad.

    Examples
    --------
    >>> f = footprint("SELECT ?x WHERE { ?x <urn:p> ?y . FILTER NOT EXISTS { ?x <urn:q> ?y } }")
    >>> sorted(f.predicates), sorted(f.objects_of)
    (['urn:p', 'urn:q'], [])
    >>> footprint("SELECT ?x WHERE { ?x ?p ?y }") is None
    True
    """
    # Once per process, when the shapes are compiled: rdflib's parser stays out of imports.
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(query).algebra
    except Exception:  # pyparsing's ParseException; a bare Exception for an unknown prefix
        return None
    if algebra.name != "SelectQuery" or algebra.get("datasetClause"):  # FROM: other graphs
        return None
    node = algebra
    while node.name in _PASS_ON:
        node = node.p
    try:
        return _group(node, {})
    except _Unsupported:
        return None


def _group(pattern: Any, outer: Mapping[str, frozenset[str]]) -> Footprint:
    """Return the footprint of a group graph pattern, its variables bound outside by ``outer``.

    ``outer`` maps a variable to the predicates of which it is an object.
    """
    conjuncts = _conjuncts(pattern.expr) if pattern.name == "Filter" else []
    triples, nested = _triples(pattern.p if pattern.name == "Filter" else pattern)
    allowed: dict[str, frozenset[str]] = {}
    exists = []
    for conjunct in conjuncts:
        if conjunct.name in _EXISTS:
            exists.append(conjunct.graph)
        elif _is_in(conjunct):
            members = frozenset(str(m) for m in conjunct.other)
            name = str(conjunct.expr)
            allowed[name] = allowed[name] & members if name in allowed else members
        else:
            raise _Unsupported
    bound = dict(outer)
    for _, predicate, obj in triples:  # ?v bound as the object of an IRI predicate
        if _is_variable(obj) and _is_iri(predicate):
            bound[str(obj)] = bound.get(str(obj), frozenset()) | {str(predicate)}
    predicates: set[str] = set()
    objects_of: set[str] = set()
    for _, predicate, _ in triples:
        if _is_iri(predicate):
            predicates.add(str(predicate))
        elif not _is_variable(predicate):  # a property path
            raise _Unsupported
        elif str(predicate) in allowed:  # the filter drops every other predicate
            predicates |= allowed[str(predicate)]
        elif str(predicate) in bound:
            objects_of |= bound[str(predicate)]
        else:
            raise _Unsupported
    found = Footprint(frozenset(predicates), frozenset(objects_of))
    for inner in nested:  # joined after its own evaluation: it sees no outer binding
        found |= _group(inner, {})
    for graph in exists:
        found |= _group(_translated(graph), bound)
    return found


def _triples(pattern: Any) -> tuple[list[tuple[Any, Any, Any]], list[Any]]:
    """Return the triple patterns of a group's joined BGPs, and its nested filtered groups."""
    triples: list[tuple[Any, Any, Any]] = []
    nested: list[Any] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node.name == "BGP":
            triples.extend(node.triples)
        elif node.name == "Join":
            stack += [node.p1, node.p2]
        elif node.name == "Filter":
            nested.append(node)
        else:
            raise _Unsupported
    return triples, nested


def _conjuncts(expr: Any) -> Iterator[Any]:
    """Yield the operands of a filter's top-level ``&&`` (the group's filters joined)."""
    if getattr(expr, "name", None) == "ConditionalAndExpression":
        for operand in [expr.expr, *expr.other]:
            yield from _conjuncts(operand)
    elif getattr(expr, "name", None) is None:  # a bare term: not a filter read here
        raise _Unsupported
    else:
        yield expr


def _is_in(expr: Any) -> bool:
    """Tell whether ``expr`` is ``?v IN (IRIs)``."""
    return (expr.name == "RelationalExpression" and expr.op == "IN"
            and _is_variable(expr.expr) and all(_is_iri(m) for m in expr.other))


def _translated(graph: Any) -> Any:
    """Return the algebra of an EXISTS pattern (rdflib leaves some nested ones parsed only)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

    return translateGroupGraphPattern(graph)  # returns one translated already as it is


def _is_iri(term: Any) -> bool:
    from rdflib import URIRef

    return isinstance(term, URIRef)


def _is_variable(term: Any) -> bool:
    from rdflib import Variable

    return isinstance(term, Variable)
