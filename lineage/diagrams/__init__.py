"""Graphviz lineage diagrams: a model's neighbourhood or the whole graph, drawn for people.

Three steps, one module each: :mod:`~lineage.diagrams.select` chooses the models shown
(the generations around a focus, summaries of large selections, folded quantized leaves)
and the license conflicts among them, as :func:`lineage.analysis.licenses` finds them;
:mod:`~lineage.diagrams.style` gives nodes and edges their look (and
:mod:`~lineage.diagrams.legend` explains it); :mod:`~lineage.diagrams.render` builds the
Graphviz graph and renders it.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("a", id="o/base", org="o", kind="base", license="cc-by-nc-4.0")
>>> g.add_node("b", id="o/tuned", org="o", kind="finetune", license="mit")
>>> _ = g.add_edge("b", "a", key="finetune", relation="finetune")
>>> dot = lineage_diagram(g, focus="b").dot
>>> '"o/base" -> "o/tuned"' in dot.source and "cluster_o" in dot.source
True
>>> sorted(license_conflicts(g, ["a", "b"]))
['b']
"""

from lineage.diagrams.render import (
    PACK_COMPONENTS,
    Diagram,
    DiagramFormat,
    draw,
    lineage_diagram,
    render,
    write_diagram,
)
from lineage.diagrams.select import (
    DEFAULT_COLLAPSE_QUANTIZED,
    DEFAULT_MAX_NODES,
    SUMMARY_ORGS,
    SUMMARY_WIDTH,
    Conflict,
    Selection,
    license_conflicts,
    select,
)

__all__ = [
    "DEFAULT_COLLAPSE_QUANTIZED",
    "DEFAULT_MAX_NODES",
    "PACK_COMPONENTS",
    "SUMMARY_ORGS",
    "SUMMARY_WIDTH",
    "Conflict",
    "Diagram",
    "DiagramFormat",
    "Selection",
    "draw",
    "license_conflicts",
    "lineage_diagram",
    "render",
    "select",
    "write_diagram",
]
