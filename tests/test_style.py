"""The code stays lint-clean (ruff, STYLE.md's rule set) and type-clean (mypy --strict)."""

from __future__ import annotations

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
