"""The architecture rules of STYLE.md: import order, lazy heavy imports, safe YAML."""

from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import ROOT

PACKAGE = ROOT / "lineage"
# A module may import only from modules of an equal or lower rank (STYLE.md "Our layout").
RANKS = {
    "errors": 0, "iris": 0, "ns": 0, "suggest": 0, "ids": 1, "cards": 2, "sources": 2, "facts": 2,
    "extract": 4, "sparql_footprint": 4, "rdf": 5, "shapes": 5, "store": 6, "claims": 7,
    "ingest": 7, "cluster": 8, "graph": 7, "view": 7, "named_queries": 7, "validate": 8,
    "describe": 7, "view_update": 7,
    "analysis": 8, "catalog": 8,
    "diagrams": 9, "exporters": 9, "server": 9, "api": 10, "cli": 11, "__init__": 12,
}
HEAVY = ("rdflib", "pyoxigraph", "networkx", "graphviz", "pyshacl", "ftfy")


def top(module: str) -> str:
    return module.split(".")[1] if module.startswith("lineage.") else module


def test_modules_import_only_lower_layers():
    bad = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        me = rel.parts[0].removesuffix(".py")
        if me not in RANKS:
            bad.append(f"{rel}: module not placed in a layer")
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module == "lineage":
                names = [f"lineage.{a.name}" for a in node.names]
            elif (isinstance(node, ast.ImportFrom) and node.module
                  and node.module.startswith("lineage")):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("lineage")]
            for name in names:
                other = top(name) if name != "lineage" else "__init__"
                if other in RANKS and RANKS[other] > RANKS[me]:
                    bad.append(f"{rel} imports {name}")
    assert bad == []


def test_cli_import_loads_no_heavy_library():
    code = ("import sys, lineage.cli; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_unsafe_yaml_loading():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("yaml.load(", "yaml.unsafe_load(", "yaml.full_load(", "UnsafeLoader",
                     "FullLoader"):
            if call in text:
                assert call == "yaml.load(", f"{path}: {call}"
                assert "Loader=_Loader" in text, f"{path}: {call}"
