"""The networkx view of a store: models as nodes, derivations as edges.

Edges go from a model to its parent (the direction of ``lin:derivedFrom``), keyed by
relation, with ``relation``, ``role``, ``method``, ``weight`` and ``density`` attributes.
Nodes are model IRIs with these attributes:

``id`` (Hub id or None), ``label`` (for a model without a Hub id, its name as a card wrote
it), ``org``, ``resolved`` (it has a Hub id) and its opposite ``unresolved``, ``described``
(a card in the store describes it), ``kind`` (``base``, ``finetune``, ``merge``,
``quantized``, ``adapter``, ``derived`` or ``unresolved``: how it derives from its parents,
``base`` for a model with none), ``license`` and ``license_name`` (from its own card when
several cards disagree), ``licenses`` (every license id stated), ``tags``, ``datasets``
(labels) and ``aliases`` (IRIs); lists are tuples.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx
import pyoxigraph as ox

from lineage.facts import Relation
from lineage.ids import id_from_iri
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.store import Store, Term

__all__ = ["EDGES_QUERY", "ENTITY_VALUES_QUERY", "USERS_QUERY", "Entities", "lineage_graph",
           "merge_same_models", "premerge_graph", "sorted_values"]

_SPECIFIC = ", ".join(f"<{r.iri}>" for r in Relation if r is not Relation.DERIVED)
EDGES_QUERY = _PREFIX + """SELECT DISTINCT ?m ?p ?rel ?role ?method ?weight ?density WHERE {
  ?m lin:derivedFrom ?p .
  OPTIONAL { ?m ?rel ?p FILTER(?rel IN (""" + _SPECIFIC + """)) }
  OPTIONAL { ?m prov:qualifiedDerivation ?c . ?c prov:entity ?p .
    OPTIONAL { ?c prov:hadRole ?role } OPTIONAL { ?c lin:weight ?weight }
    OPTIONAL { ?c lin:density ?density }
    OPTIONAL { ?c prov:hadActivity ?a . ?a lin:mergeMethod ?method } }
}"""
_NODES = _PREFIX + """SELECT DISTINCT ?m ?label ?unresolved ?key WHERE {
  ?m a lin:Model . OPTIONAL { ?m rdfs:label ?label } OPTIONAL { ?m lin:unresolved ?unresolved }
  OPTIONAL { ?m lin:normalizedId ?key }
}"""
# The OPTIONAL outside GRAPH: 10x faster for a few models bound, the same for all.
_LICENSES = _PREFIX + """SELECT DISTINCT ?m ?l ?lid ?name ?own WHERE {
  GRAPH ?g { ?m dcterms:license ?l }
  OPTIONAL { GRAPH ?g { ?g lin:describes ?m } BIND(true AS ?own) }
  OPTIONAL { ?l lin:licenseId ?lid } OPTIONAL { ?l rdfs:label ?name }
}"""
_TAGS = _PREFIX + "SELECT DISTINCT ?m ?t WHERE { ?m lin:tag ?t }"
_DESCRIBED = _PREFIX + "SELECT DISTINCT ?m WHERE { ?g lin:describes ?m }"
_ALIASES = _PREFIX + "SELECT DISTINCT ?m ?a WHERE { ?m lin:alias ?a }"
_DATASETS = _PREFIX + """SELECT DISTINCT ?m ?x ?d WHERE {
  ?m lin:trainedOn ?x . ?x rdfs:label ?d }"""
# What a license or dataset node declares (the view reads it through the models using it).
ENTITY_VALUES_QUERY = _PREFIX + """SELECT ?e ?lid ?name WHERE {
  OPTIONAL { ?e lin:licenseId ?lid } OPTIONAL { ?e rdfs:label ?name } }"""
# The models whose license or training data is one of ?e.
USERS_QUERY = _PREFIX + """SELECT DISTINCT ?m WHERE {
  { ?m dcterms:license ?e } UNION { ?m lin:trainedOn ?e } }"""


@dataclass(frozen=True, slots=True)
class Entities:
    """What the license and dataset nodes the models use declare, by node IRI.

    A model's ``license``, ``licenses`` and ``datasets`` are read from these, so a change
    of one (another license id or dataset label) reaches every model using it.
    """

    licenses: dict[str, tuple[tuple[str | None, ...], tuple[str | None, ...]]] = field(
        default_factory=dict)
    """License node -> (its license ids, its labels), sorted."""
    datasets: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    """Dataset node -> its labels, sorted."""


def _value(term: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("decimal", "double")):
        return float(term.value)
    return term.value


def _order(value: Any) -> tuple[bool, str]:
    """Sort key of an attribute value: values before None, then by text."""
    return value is None, "" if value is None else str(value)


def sorted_values(values: Iterable[Any]) -> tuple[Any, ...]:
    """Return distinct values sorted by :func:`_order` (None last)."""
    return tuple(sorted(set(values), key=_order))


Bindings: TypeAlias = Mapping[str, Sequence[ox.NamedNode]]


def _rows(store: Store, query: str, bindings: Bindings | None = None,
          ) -> list[ox.QuerySolution]:
    result = store.query(query, bindings)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def lineage_graph(store: Store) -> nx.MultiDiGraph:
    """Build the lineage ``MultiDiGraph``: one edge per (model, parent, relation)."""
    g, _ = premerge_graph(store)
    merge_same_models(g)
    return g


def premerge_graph(store: Store, models: Collection[str] | None = None,
                   ) -> tuple[nx.MultiDiGraph, Entities]:
    """Build the graph before aliases and case variants are folded, and what it read.

    With ``models``, only those models (the ones declared) get their node, attributes and
    edges to their parents (a parent outside ``models`` is a bare node). Where cards
    disagree (several labels of one unresolved model, several qualified derivations to one
    parent), the choice depends on the values only, never on the order rows come in, so
    the graph of a few models fits into the graph of all.
    """
    bindings: Bindings | None = None
    if models is not None:
        bindings = {"m": [ox.NamedNode(m) for m in sorted(models)]}
    g = nx.MultiDiGraph()
    found: dict[str, tuple[set[str], bool, set[str]]] = {}
    for sol in _rows(store, _NODES, bindings):
        labels, unresolved, keys = found.setdefault(sol["m"].value, (set(), False, set()))
        if sol["label"] is not None:
            labels.add(sol["label"].value)
        if sol["key"] is not None:
            keys.add(sol["key"].value)
        if sol["unresolved"] is not None and not unresolved:
            found[sol["m"].value] = (labels, True, keys)
    for iri, (labels, unresolved, keys) in found.items():
        unresolved = unresolved or id_from_iri(iri) is None
        g.add_node(iri, id=id_from_iri(iri), label=min(labels) if labels else iri,
                   resolved=not unresolved, unresolved=unresolved,
                   key=min(keys) if keys else None)
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for sol in _rows(store, EDGES_QUERY, bindings):
        rel = sol["rel"]
        relation = Relation.from_iri(rel.value) if rel is not None else None
        kind = (relation or Relation.DERIVED).value
        role = sol["role"]
        edges.setdefault((sol["m"].value, sol["p"].value, kind), []).append({
            "relation": kind,
            "role": role.value.rsplit("#", 1)[-1].removesuffix("Role") if role else None,
            "method": _value(sol["method"]), "weight": _value(sol["weight"]),
            "density": _value(sol["density"])})
    for (child, parent, kind), choices in edges.items():
        # Cards that qualify one derivation differently: the most complete, then the least.
        g.add_edge(child, parent, key=kind, **min(choices, key=lambda d: [
            _order(d[name]) for name in ("role", "method", "weight", "density")]))
    # A bare "derived" edge is redundant beside a specific relation to the same parent.
    for u, v in list(g.edges()):
        if g.has_edge(u, v, "derived") and len(g[u][v]) > 1:
            g.remove_edge(u, v, "derived")
    entities = _describe_nodes(store, g, bindings)
    return g, entities


def merge_same_models(g: nx.MultiDiGraph) -> None:
    """Fold aliases (renamed repos) and case variants of one id into one node.

    The node kept is the one a card describes (else the first IRI); the others' edges move
    to it and their IRIs are listed in its ``aliases``.
    """
    groups: dict[str, set[str]] = {}
    for node, data in g.nodes(data=True):
        groups.setdefault(data.get("key") or node, set()).add(node)
    for node, data in list(g.nodes(data=True)):
        for alias in data.get("aliases", ()):
            if alias in g:
                merged = groups.get(g.nodes[alias].get("key") or alias, {alias}) | \
                    groups.get(data.get("key") or node, {node})
                for member in merged:
                    groups[g.nodes[member].get("key") or member] = merged
    seen: set[int] = set()
    for members in groups.values():
        if len(members) < 2 or id(members) in seen:
            continue
        seen.add(id(members))
        keep = min(members, key=lambda n: (not g.nodes[n]["described"], n))
        for other in sorted(members - {keep}):
            for _, parent, key, attrs in list(g.out_edges(other, keys=True, data=True)):
                if parent != keep:
                    g.add_edge(keep, parent, key=key, **attrs)
            for child, _, key, attrs in list(g.in_edges(other, keys=True, data=True)):
                if child != keep:
                    g.add_edge(child, keep, key=key, **attrs)
            aliases = set(g.nodes[keep]["aliases"]) | {other} | set(g.nodes[other]["aliases"])
            g.nodes[keep]["aliases"] = tuple(sorted(aliases - {keep}))
            g.remove_node(other)


def _describe_nodes(store: Store, g: nx.MultiDiGraph, bindings: Bindings | None = None,
                    ) -> Entities:
    """Add the node attributes listed in the module docstring; return what was read."""
    multi: dict[str, dict[str, set[str]]] = {n: {"tags": set(), "datasets": set(), "aliases": set(),
                                                 "licenses": set()} for n in g}
    for sol in _rows(store, _TAGS, bindings):
        multi.get(sol["m"].value, {}).get("tags", set()).add(sol["t"].value)
    dataset_labels: dict[str, set[str]] = {}
    for sol in _rows(store, _DATASETS, bindings):
        multi.get(sol["m"].value, {}).get("datasets", set()).add(sol["d"].value)
        dataset_labels.setdefault(sol["x"].value, set()).add(sol["d"].value)
    for sol in _rows(store, _ALIASES, bindings):
        multi.get(sol["m"].value, {}).get("aliases", set()).add(sol["a"].value)
    licenses: dict[str, tuple[set[str | None], set[str | None]]] = {}
    choices: dict[str, list[tuple[bool, str | None, str | None]]] = {}
    for sol in _rows(store, _LICENSES, bindings):
        node = sol["m"].value
        lid, name = _value(sol["lid"]), _value(sol["name"])
        ids, names = licenses.setdefault(sol["l"].value, (set(), set()))
        ids.add(lid)
        names.add(name)
        if node in multi and lid:
            multi[node]["licenses"].add(lid)
        choices.setdefault(node, []).append((sol["own"] is None, lid, name))
    own_license: dict[str, tuple[str | None, str | None]] = {}
    for node, rows in choices.items():
        # The model's own card first; among several, the least license id, then label.
        _, lid, name = min(rows, key=lambda r: (r[0], _order(r[1]), _order(r[2])))
        own_license[node] = (lid, name if name != lid else None)
    described = {sol["m"].value for sol in _rows(store, _DESCRIBED, bindings)}
    for node, data in g.nodes(data=True):
        relations = {d["relation"] for _, _, d in g.out_edges(node, data=True)}
        kind = Relation.preferred(relations).value if relations else "base"
        if data.get("unresolved"):
            kind = "unresolved"
        hub_id = data.get("id")
        lid, name = own_license.get(node, (None, None))
        data.update(
            org=hub_id.split("/", 1)[0] if hub_id and "/" in hub_id else None,
            described=node in described, kind=kind, license=lid, license_name=name,
            **{key: tuple(sorted(values)) for key, values in multi[node].items()},
        )
    return Entities({n: (sorted_values(ids), sorted_values(names))
                     for n, (ids, names) in licenses.items()},
                    {n: sorted_values(labels) for n, labels in dataset_labels.items()})
