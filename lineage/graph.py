"""The networkx view of a store: models as nodes, derivations as edges.

Edges go from a model to its parent (the direction of ``lin:derivedFrom``), with the
relation kind, merge role, method, weight and density as attributes.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyoxigraph as ox

from lineage.ids import id_from_iri
from lineage.ns import LIN, PREFIXES
from lineage.store import Store, Term

__all__ = ["EDGES_QUERY", "lineage_graph"]

_PREFIX = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_KINDS = {
    str(LIN.fineTunedFrom): "finetune", str(LIN.mergedFrom): "merge",
    str(LIN.quantizedFrom): "quantized", str(LIN.adapterOf): "adapter",
}
EDGES_QUERY = _PREFIX + """SELECT DISTINCT ?m ?p ?rel ?role ?method ?weight ?density WHERE {
  ?m lin:derivedFrom ?p .
  OPTIONAL { ?m ?rel ?p FILTER(?rel IN (lin:fineTunedFrom, lin:mergedFrom, lin:quantizedFrom,
                                         lin:adapterOf)) }
  OPTIONAL { ?m prov:qualifiedDerivation ?c . ?c prov:entity ?p .
    OPTIONAL { ?c prov:hadRole ?role } OPTIONAL { ?c lin:weight ?weight }
    OPTIONAL { ?c lin:density ?density }
    OPTIONAL { ?c prov:hadActivity ?a . ?a lin:mergeMethod ?method } }
}"""
_NODES = _PREFIX + """SELECT DISTINCT ?m ?label ?unresolved WHERE {
  ?m a lin:Model . OPTIONAL { ?m rdfs:label ?label } OPTIONAL { ?m lin:unresolved ?unresolved }
}"""


def _value(term: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("decimal", "double")):
        return float(term.value)
    return term.value


def lineage_graph(store: Store) -> nx.MultiDiGraph:
    """Build the lineage ``MultiDiGraph``: one edge per (model, parent, relation)."""
    g = nx.MultiDiGraph()
    nodes = store.query(_NODES)
    assert isinstance(nodes, ox.QuerySolutions)
    for sol in nodes:
        iri = sol["m"].value
        label = sol["label"]
        g.add_node(iri, id=id_from_iri(iri), label=label.value if label is not None else iri,
                   unresolved=sol["unresolved"] is not None)
    edges = store.query(EDGES_QUERY)
    assert isinstance(edges, ox.QuerySolutions)
    for sol in edges:
        rel = sol["rel"]
        kind = _KINDS.get(rel.value, "derived") if rel is not None else "derived"
        role = sol["role"]
        g.add_edge(sol["m"].value, sol["p"].value, key=kind, relation=kind,
                   role=role.value.rsplit("#", 1)[-1].removesuffix("Role") if role else None,
                   method=_value(sol["method"]), weight=_value(sol["weight"]),
                   density=_value(sol["density"]))
    # A bare "derived" edge is redundant beside a specific relation to the same parent.
    for u, v in list(g.edges()):
        if g.has_edge(u, v, "derived") and len(g[u][v]) > 1:
            g.remove_edge(u, v, "derived")
    return g
