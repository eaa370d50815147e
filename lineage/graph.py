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

from typing import Any

import networkx as nx
import pyoxigraph as ox

from lineage.facts import Relation
from lineage.ids import id_from_iri
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.store import Store, Term

__all__ = ["EDGES_QUERY", "lineage_graph"]

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
_LICENSES = _PREFIX + """SELECT DISTINCT ?m ?lid ?name ?own WHERE {
  GRAPH ?g { ?m dcterms:license ?l . OPTIONAL { ?g lin:describes ?m BIND(true AS ?own) } }
  OPTIONAL { ?l lin:licenseId ?lid } OPTIONAL { ?l rdfs:label ?name }
}"""
_TAGS = _PREFIX + "SELECT DISTINCT ?m ?t WHERE { ?m lin:tag ?t }"
_DESCRIBED = _PREFIX + "SELECT DISTINCT ?m WHERE { ?g lin:describes ?m }"
_ALIASES = _PREFIX + "SELECT DISTINCT ?m ?a WHERE { ?m lin:alias ?a }"
_DATASETS = _PREFIX + "SELECT DISTINCT ?m ?d WHERE { ?m lin:trainedOn ?x . ?x rdfs:label ?d }"


def _value(term: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("decimal", "double")):
        return float(term.value)
    return term.value


def _rows(store: Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def lineage_graph(store: Store) -> nx.MultiDiGraph:
    """Build the lineage ``MultiDiGraph``: one edge per (model, parent, relation)."""
    g = nx.MultiDiGraph()
    nodes = store.query(_NODES)
    assert isinstance(nodes, ox.QuerySolutions)
    for sol in nodes:
        iri = sol["m"].value
        label = sol["label"]
        key = sol["key"]
        unresolved = sol["unresolved"] is not None or id_from_iri(iri) is None
        g.add_node(iri, id=id_from_iri(iri), label=label.value if label is not None else iri,
                   resolved=not unresolved, unresolved=unresolved,
                   key=key.value if key is not None else None)
    edges = store.query(EDGES_QUERY)
    assert isinstance(edges, ox.QuerySolutions)
    for sol in edges:
        rel = sol["rel"]
        relation = Relation.from_iri(rel.value) if rel is not None else None
        kind = (relation or Relation.DERIVED).value
        role = sol["role"]
        g.add_edge(sol["m"].value, sol["p"].value, key=kind, relation=kind,
                   role=role.value.rsplit("#", 1)[-1].removesuffix("Role") if role else None,
                   method=_value(sol["method"]), weight=_value(sol["weight"]),
                   density=_value(sol["density"]))
    # A bare "derived" edge is redundant beside a specific relation to the same parent.
    for u, v in list(g.edges()):
        if g.has_edge(u, v, "derived") and len(g[u][v]) > 1:
            g.remove_edge(u, v, "derived")
    _describe_nodes(store, g)
    _merge_same_models(g)
    return g


def _merge_same_models(g: nx.MultiDiGraph) -> None:
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


def _describe_nodes(store: Store, g: nx.MultiDiGraph) -> None:
    """Add the node attributes listed in the module docstring."""
    multi: dict[str, dict[str, set[str]]] = {n: {"tags": set(), "datasets": set(), "aliases": set(),
                                                 "licenses": set()} for n in g}
    for sol in _rows(store, _TAGS):
        multi.get(sol["m"].value, {}).get("tags", set()).add(sol["t"].value)
    for sol in _rows(store, _DATASETS):
        multi.get(sol["m"].value, {}).get("datasets", set()).add(sol["d"].value)
    for sol in _rows(store, _ALIASES):
        multi.get(sol["m"].value, {}).get("aliases", set()).add(sol["a"].value)
    own_license: dict[str, tuple[str | None, str | None]] = {}
    for sol in _rows(store, _LICENSES):
        node = sol["m"].value
        lid, name = _value(sol["lid"]), _value(sol["name"])
        if node in multi and lid:
            multi[node]["licenses"].add(lid)
        if node not in own_license or sol["own"] is not None:
            own_license[node] = (lid, name if name != lid else None)
    described = {sol["m"].value for sol in _rows(store, _DESCRIBED)}
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
