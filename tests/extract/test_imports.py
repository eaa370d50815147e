"""The extraction modules import one another without a cycle (issue #16).

An import inside a function counts too: a lazy import hides a cycle, it does not remove it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

EXTRACT = Path(__file__).resolve().parents[2] / "lineage" / "extract"


def imports_of(path: Path) -> set[str]:
    """Return the extract modules that ``path`` imports anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n.removeprefix("lineage.extract.") for n in names
                     if n.startswith("lineage.extract.") and
                     (EXTRACT / f"{n.removeprefix('lineage.extract.')}.py").exists())
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(EXTRACT.glob("*.py")):
        me = path.stem
        graph.add_node(me)
        graph.add_edges_from((me, other) for other in imports_of(path) if other != me)
    return graph


def test_the_graph_sees_every_module_and_their_imports():
    graph = import_graph()
    assert {"license", "metadata", "relation", "training", "__init__"} <= set(graph)
    assert graph.has_edge("metadata", "license")  # the front matter's license gets its SPDX id
    assert graph.has_edge("metadata", "hardware")  # co2_eq_emissions' hardware
    assert graph.has_edge("__init__", "relation")


def test_no_import_cycle_inside_extract():
    assert list(nx.simple_cycles(import_graph())) == []
