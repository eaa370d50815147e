"""The code stays lint-clean (ruff, STYLE.md's rule set) and type-clean (mypy --strict)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

from .conftest import ROOT, need


def test_ruff():
    need(shutil.which("ruff") is not None, "ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run(["ruff", "check", "lineage", "tests", "bench"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def test_mypy_strict():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_module_binds_a_top_level_name_twice():
    """A second ``_NAME = ...`` silently replaces the first for every function reading it."""
    twice = []
    for path in sorted((ROOT / "lineage").rglob("*.py")):
        seen: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    if target.id in seen:
                        twice.append(f"{path.relative_to(ROOT)}: {target.id}")
                    seen.add(target.id)
    assert twice == []
