"""SPARQL-based constraints: compiled from the shapes file, run on a store of the card's quads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from lineage.shapes.data import Data
from lineage.shapes.report import ShapesError, Violation, focus_text, path_text
from lineage.shapes.terms import SH, Term
from lineage.shapes.triples import Graph
from lineage.sparql_footprint import Footprint, footprint


@dataclass(frozen=True, slots=True)
class Sparql:
    """A SPARQL-based constraint: its SELECT (``$this`` free) and message template."""

    query: str
    message: str
    level: str
    footprint: Footprint | None = None  # None: the query may read any quad


def store_of(data: Data, footprint: Footprint | None) -> ox.Store:
    """Return a store of the card's quads that the SPARQL-based constraints can read.

    The others cannot change a result (see :func:`lineage.sparql_footprint.footprint`),
    and leaving them out makes both loading and querying cheaper.
    """
    store = ox.Store()
    quads_of = data.by_predicate
    wanted = quads_of.keys() if footprint is None else _predicates_read(footprint, data)
    store.extend([ox.Quad(t[0], t[1], t[2]) for p in wanted if p in quads_of
                  for t in quads_of[p]])
    return store


def _predicates_read(footprint: Footprint, data: Data) -> set[str]:
    """Return the predicates of the card's quads that a query of ``footprint`` can read."""
    found = set(footprint.predicates)
    for predicate in footprint.objects_of:  # a variable predicate bound by its objects
        found.update(o.value for o in data.objects.get(predicate, ())
                     if isinstance(o, ox.NamedNode))
    return found


def sparql_violations(store: ox.Store, constraints: Sequence[Sparql],
                       focus: Sequence[Term]) -> list[Violation]:
    """Return the violations of ``constraints`` in ``store`` whose ``$this`` is a focus node."""
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
            found.append(Violation(constraint.level, focus_text(this), message))
    return found


def sparql_constraints(graph: Graph, node: Term, level: str) -> tuple[Sparql, ...]:
    """Return the SPARQL-based constraints of the shape at ``node``, compiled."""
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
        found.append(Sparql(query, message.value, level, footprint(query)))
    return tuple(found)
