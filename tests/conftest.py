"""Shared fixtures: the seed cards from ../shared, built stores, the console script."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LINEAGE_SHARED", ROOT.parent / "shared"))
EXAMPLES = ROOT / "examples" / "cards"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, why: str) -> None:
    """Skip when a resource is missing, but fail under CI=true: CI must test everything."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{why} (required under CI=true)")
        pytest.skip(why)  # reached only outside CI: under CI=true the line above fails


@pytest.fixture(scope="session")
def shared() -> Path:
    need((SHARED / "seeds").is_dir(), f"{SHARED} with seeds/ is missing")
    return SHARED


@pytest.fixture(scope="session")
def seeds(shared: Path) -> Path:
    return shared / "seeds"


def seed(name_prefix: str) -> Path:
    need((SHARED / "seeds").is_dir(), f"{SHARED} with seeds/ is missing")
    return next((SHARED / "seeds").glob(f"{name_prefix}_*"))


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Path:
    """An embedded store holding the examples and the seeds (read-only for tests)."""
    import lineage

    path = tmp_path_factory.mktemp("store") / "store"
    report = lineage.build([EXAMPLES, seeds], store=path, jobs=1)
    assert report.ok, report.rejected
    return path


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import lineage

    path = tmp_path_factory.mktemp("examples") / "store"
    report = lineage.build([EXAMPLES], store=path, jobs=1)
    assert report.ok, report.rejected
    return path


@pytest.fixture(scope="session")
def lineage_exe() -> str:
    exe = shutil.which("lineage") or str(Path(sys.executable).parent / "lineage")
    need(Path(exe).exists(), "the lineage console script is not installed (pip install -e .)")
    return exe


@pytest.fixture
def run_process(lineage_exe: str):
    """Run the console script in a process of its own; returns the CompletedProcess (text).

    For end-to-end tests of what only a real process shows (exit by signal, worker
    processes, stdin and stdout as pipes, imports at start-up); others use ``run``.
    """
    def _run(*args: str | Path, cwd: Path | None = None,
             check: bool = False) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([lineage_exe, *map(str, args)], capture_output=True, text=True,
                              cwd=cwd, timeout=300, check=False)
        if check and proc.returncode != 0:
            msg = f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            raise AssertionError(msg)
        return proc
    return _run


@pytest.fixture
def run():
    """Run the ``lineage`` command in this process with click's CliRunner.

    Returns a CompletedProcess (text mode) as :func:`run_process` does: the same command
    line, its exit code, standard output and standard error.
    """
    from click.testing import CliRunner

    from lineage.cli import cli

    def _run(*args: str | Path, cwd: Path | None = None,
             check: bool = False) -> subprocess.CompletedProcess[str]:
        argv = [str(a) for a in args]
        with contextlib.chdir(cwd or Path.cwd()):
            result = CliRunner().invoke(cli, argv, prog_name="lineage", catch_exceptions=False)
        proc = subprocess.CompletedProcess(["lineage", *argv], result.exit_code,
                                           result.stdout, result.stderr)
        if check and proc.returncode != 0:
            msg = f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            raise AssertionError(msg)
        return proc
    return _run


def write(root: Path, rid: str, text: str | bytes) -> Path:
    """Write a card as ``root/{rid}/README.md`` (text as UTF-8, bytes as they are)."""
    path = root / rid / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def wait_until_serving(proc: subprocess.Popen[str], http: Any, *, seconds: float = 120,
                       pause: float = 0.1) -> None:
    """Wait until a ``lineage serve`` process answers ``/health`` on the client ``http``."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"lineage serve did not answer in {seconds:.0f} s"
        try:
            if http.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(pause)


def facts_only(shown: Any) -> Any:
    """``show`` output without what names the card (its graph IRI, source and identity rule).

    Two builds of the same cards from different sources (a dump and a folder, two copies)
    give the same facts in graphs of different names.
    """
    if isinstance(shown, dict):
        return {k: facts_only(v) for k, v in shown.items() if k not in ("card", "identity")}
    if isinstance(shown, list):  # in order of the card graphs' names: compare as sets
        return sorted((facts_only(v) for v in shown), key=lambda v: json.dumps(v, sort_keys=True))
    return shown
