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
                     if n.startswith("lineage.extract.") and is_module(n))
    return found


def is_module(name: str) -> bool:
    """Tell whether ``name`` is a module of extract or a package in it (``prose.verbs``)."""
    path = EXTRACT.joinpath(*name.removeprefix("lineage.extract.").split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def module_name(path: Path) -> str:
    """Return the dotted name of ``path`` inside extract (a package by its folder's name)."""
    parts = path.relative_to(EXTRACT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(EXTRACT.rglob("*.py")):
        me = module_name(path)
        graph.add_node(me)
        graph.add_edges_from((me, other) for other in imports_of(path) if other != me)
    return graph


def test_the_graph_sees_every_module_and_their_imports():
    graph = import_graph()
    assert {"license", "metadata", "relation", "training", "__init__"} <= set(graph)
    assert graph.has_edge("metadata", "license")  # the front matter's license gets its SPDX id
    assert graph.has_edge("metadata", "hardware")  # co2_eq_emissions' hardware
    assert graph.has_edge("__init__", "relation")
    assert graph.has_edge("relation", "prose")  # a package counts, its modules too
    assert graph.has_edge("prose", "prose.verbs")


def test_no_import_cycle_inside_extract():
    assert list(nx.simple_cycles(import_graph())) == []
