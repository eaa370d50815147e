"""No card can stop or stall a build, and a build that dies is finished by the next one.

Crashes are injected: a monkeypatched extractor that raises, loops in a regular expression
or kills its own process, and scripts run in a subprocess that kill themselves with
SIGKILL at a chosen point of a build (before settling, between loading a rebuilt card and
removing its old graph, during a bulk load, while workers are busy).
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import lineage
import lineage.extract
from lineage.ns import ENTITIES_GRAPH
from lineage.store import open_store
from lineage.store.oxigraph import INDEX_QUERY

from .conftest import ROOT, write

EPOCH = "1700000000"
GOOD = "---\nlicense: mit\nbase_model: o/base\n---\n# Good\nFine-tuned for 2 epochs.\n"
ODD = {  # the cards that ended a build with a traceback (issue 15, finding 1)
    "o/nan": "---\nlicense: mit\n---\n# M\n```yaml\nmerge_method: ties\nbase_model: o/base\n"
             "models:\n  - model: o/a\n    parameters:\n      weight: .nan\n      density: 0.5\n"
             "  - model: o/b\n    parameters:\n      weight: 0.5\n```\n",
    "o/inf": "---\nlicense: mit\n---\n# M\n```yaml\nmerge_method: ties\nbase_model: o/base\n"
             "models:\n  - model: o/a\n    parameters:\n      weight: .inf\n```\n",
    "o/slash": "---\nlicense: apache-2.0/mit\n---\n# M\n",
    "o/maybe": "---\nlicense: mit\nx: !!bool maybe\n---\n# M\n",
    "o/soon": "---\nlicense: mit\nx: !!timestamp soon\n---\n# M\n",
}


def many(root: Path, count: int, text: str = GOOD) -> Path:
    for i in range(count):
        write(root, f"o/m{i:03d}", text.replace("# Good", f"# Good {i}"))
    return root


def python(script: str, *args: str | Path) -> subprocess.Popen[bytes]:
    """Run ``script`` in a fresh interpreter that imports this checkout of lineage."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(proc: subprocess.Popen[bytes], timeout: float = 120) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.decode(errors="replace")


def dump(store_path: Path) -> list[bytes]:
    store = open_store(store_path, read_only=True)
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    store.close()
    return sorted(out.getvalue().splitlines())


# --------------------------------------------------------------------------- odd values


def test_odd_values_no_longer_end_a_build(tmp_path: Path, run):
    cards = tmp_path / "cards"
    write(cards, "o/good", GOOD)
    for rid, text in ODD.items():
        write(cards, rid, text)
    proc = run("build", cards, "--store", tmp_path / "s", "--jobs", "1", "-q", "-v")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cards ingested 6 / skipped unchanged 0 / rejected 0" in proc.stdout
    assert "time: extraction " in proc.stderr  # -v says where the time went
    for line in ("o/nan/README.md: line 9: weight .nan of o/a is not a finite number; left out",
                 "o/inf/README.md: line 9: weight .inf of o/a is not a finite number; left out",
                 "o/maybe/README.md: line 3: YAML value 'maybe' is not a valid bool; kept as text",
                 "o/soon/README.md: line 3: YAML value 'soon' is not a valid timestamp; kept as "
                 "text"):
        assert line in proc.stderr
    store = tmp_path / "s"
    assert lineage.show("o/slash", store=store)["license"]["id"] == "apache-2.0/mit"
    parents = {p["id"]: p for p in lineage.show("o/nan", store=store)["parents"]}
    assert (parents["o/a"]["weight"], parents["o/b"]["weight"]) == (None, 0.5)
    assert parents["o/a"]["density"] == 0.5


def test_an_unexpected_error_rejects_its_card_only(tmp_path: Path, monkeypatch):
    real = lineage.extract.extract

    def extract(card):
        if "BOOM" in card.text:
            raise KeyError("maybe")  # noqa: EM101
        return real(card)

    monkeypatch.setattr(lineage.extract, "extract", extract)
    cards = tmp_path / "cards"
    write(cards, "o/good", GOOD)
    bad = write(cards, "o/bad", GOOD + "BOOM\n").as_posix()
    report = lineage.build([cards], store=tmp_path / "s", jobs=1)
    assert report.ingested == 1
    assert report.rejected == [
        (bad, f"{bad}: unexpected KeyError: 'maybe' (lineage build -v shows the traceback)")]
    [(source, detail)] = report.details
    assert source == bad
    assert detail.startswith("Traceback (most recent call last):")
    assert 'raise KeyError("maybe")' in detail

    from lineage.cli import cli

    write(cards, "o/bad", GOOD + "BOOM again\n")
    quiet = CliRunner().invoke(cli, ["build", str(cards), "--store", str(tmp_path / "s"),
                                     "--jobs", "1", "-q"])
    assert quiet.exit_code == 1
    assert "unexpected KeyError: 'maybe'" in quiet.output
    assert "Traceback" not in quiet.output
    write(cards, "o/bad", GOOD + "BOOM once more\n")
    verbose = CliRunner().invoke(cli, ["build", str(cards), "--store", str(tmp_path / "s"),
                                       "--jobs", "1", "-q", "-v"])
    assert verbose.exit_code == 1
    assert f"traceback: {bad}:\nTraceback (most recent call last):" in verbose.output


# --------------------------------------------------------------------------- time budget


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_card_past_the_time_budget_is_rejected_and_the_build_goes_on(tmp_path: Path,
                                                                        monkeypatch, jobs: int):
    real = lineage.extract.extract

    def extract(card):
        if "SLOW" in card.text:  # backtracks for far longer than any budget
            re.match(r"(a+)+$", "a" * 64 + "b")
        return real(card)

    monkeypatch.setattr(lineage.extract, "extract", extract)  # workers are forked after this
    cards = many(tmp_path / "cards", 70 if jobs > 1 else 3)  # 64 cards or more start workers
    slow = write(cards, "o/slow", GOOD + "SLOW\n").as_posix()
    report = lineage.build([cards], store=tmp_path / "s", jobs=jobs, card_timeout=0.5)
    assert report.ingested == (70 if jobs > 1 else 3)
    assert report.rejected == [(slow, f"{slow}: took longer than the time budget of 0.5 "
                                      "seconds per card (--card-timeout)")]


def test_the_card_timeout_option(tmp_path: Path, run_process):
    # about 70 KB of prose each: no card of that size extracts in a millisecond
    cards = many(tmp_path / "cards", 2, GOOD + "Fine-tuned on reviews of every kind. " * 2000)
    proc = run_process("build", cards, "--store", tmp_path / "s", "--card-timeout", "0.001", "-q")
    assert proc.returncode == 1
    assert proc.stderr.count("took longer than the time budget of 0.001 seconds") == 2
    assert run_process("build", cards, "--store", tmp_path / "s", "--card-timeout", "0",
               "-q").returncode == 0
    assert "--card-timeout SECONDS" in run_process("build", "--help").stdout


# --------------------------------------------------------------------------- worker crashes


def test_a_card_that_kills_its_worker_is_rejected_and_the_build_goes_on(tmp_path: Path,
                                                                         monkeypatch):
    real = lineage.extract.extract

    def extract(card):
        if "CRASH" in card.text:  # as a segfault in native code, or the memory killer
            os.kill(os.getpid(), signal.SIGKILL)
        return real(card)

    monkeypatch.setattr(lineage.extract, "extract", extract)
    cards = many(tmp_path / "cards", 100)
    crash = write(cards, "o/m050", GOOD + "CRASH\n").as_posix()
    report = lineage.build([cards], store=tmp_path / "s", jobs=2)
    assert report.ingested == 99
    assert report.rejected == [(crash, f"{crash}: the extraction process died while reading "
                                       "this card (a crash in native code, or out of memory)")]


KILLED_WHILE_EXTRACTING = r"""
import os, signal, sys, time
from pathlib import Path
import lineage, lineage.ingest as ingest

pids = Path(sys.argv[3])
real_task, real_count = ingest._extract_task, ingest.count_result

def task(works, *args):
    (pids / str(os.getpid())).touch()
    time.sleep(0.02)
    return real_task(works, *args)

def count(report, result):
    if report.ingested == 100:  # the build dies, its workers busy
        os.kill(os.getpid(), signal.SIGKILL)
    real_count(report, result)

ingest._extract_task, ingest.count_result = task, count
lineage.build([sys.argv[1]], store=sys.argv[2], jobs=2)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_workers_end_with_a_killed_build(tmp_path: Path):
    """kill -9 of a build: its workers go too, and the caller's pipes close."""
    cards = many(tmp_path / "cards", 400)
    pids = tmp_path / "pids"
    pids.mkdir()
    proc = python(KILLED_WHILE_EXTRACTING, cards, tmp_path / "s", pids)
    try:
        code, err = finished(proc, timeout=60)  # returns at EOF: no worker holds the pipes
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the workers of the killed build live on, holding its pipes")
    finally:
        workers = [int(p.name) for p in pids.iterdir()]
        for pid in workers:  # clean up after a failure (only the workers this test started)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert code == -signal.SIGKILL, err
    assert len(workers) == 2
    # A killed worker closes its files before it is a zombie: on a loaded machine the pipes
    # can reach EOF while it is still tearing down, so give the teardown a few seconds.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


# --------------------------------------------------------------------------- crash-safe settling


DIES_BEFORE_SETTLING = r"""
import os, signal, sys
import lineage
from lineage.store.oxigraph import OxigraphStore

OxigraphStore.drop_orphans = lambda self: os.kill(os.getpid(), signal.SIGKILL)
lineage.build([sys.argv[1]], store=sys.argv[2], jobs=1)
"""


def test_orphans_of_a_build_that_died_before_settling_are_forgotten_by_the_next(
        tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cards, store = tmp_path / "cards", tmp_path / "s"
    write(cards, "o/a", GOOD.replace("o/base", "o/old-base"))
    write(cards, "o/b", GOOD)
    assert lineage.build([cards], store=store, jobs=1).ingested == 2
    write(cards, "o/a", GOOD.replace("o/base", "o/new-base"))
    code, err = finished(python(DIES_BEFORE_SETTLING, cards, store))
    assert code == -signal.SIGKILL, err
    old = b"<https://huggingface.co/o/old-base>"
    assert any(line.startswith(old) for line in dump(store))  # orphaned, for now
    rerun = lineage.build([cards], store=store, jobs=1)
    assert (rerun.ingested, rerun.skipped) == (0, 2)  # it replaces nothing...
    assert not any(line.startswith(old) for line in dump(store))  # ...and still cleans up
    assert lineage.build([cards], store=tmp_path / "clean", jobs=1).ok
    assert dump(store) == dump(tmp_path / "clean")


DIES_BETWEEN_LOAD_AND_REMOVAL = r"""
import os, signal, sys
from lineage import ingest
from lineage.store import open_store

store = open_store(sys.argv[2])
real = store._store

class DiesOnRemoval:
    def __getattr__(self, name):
        return getattr(real, name)

    def remove_graph(self, graph):
        os.kill(os.getpid(), signal.SIGKILL)

store._store = DiesOnRemoval()
ingest.build(store, ingest.iter_inputs([sys.argv[1]]), jobs=1)
"""


def test_a_build_that_died_between_loading_and_removing_is_repaired(tmp_path: Path,
                                                                    monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cards, store = tmp_path / "cards", tmp_path / "s"
    write(cards, "o/a", GOOD)
    write(cards, "o/b", GOOD.replace("o/base", "o/other"))
    assert lineage.build([cards], store=store, jobs=1).ingested == 2
    write(cards, "o/a", GOOD.replace("2 epochs", "3 epochs"))
    code, err = finished(python(DIES_BETWEEN_LOAD_AND_REMOVAL, cards, store))
    assert code == -signal.SIGKILL, err
    rerun = lineage.build([cards], store=store, jobs=1)
    assert rerun.ok
    assert lineage.show("o/a", store=store)["training"]["epochs"] == 3
    assert lineage.build([cards], store=tmp_path / "clean", jobs=1).ok
    assert dump(store) == dump(tmp_path / "clean")


def test_a_rebuilt_card_is_never_missing_for_readers(tmp_path: Path):
    cards, path = tmp_path / "cards", tmp_path / "s"
    source = write(cards, "o/a", GOOD).as_posix()
    assert lineage.build([cards], store=path, jobs=1).ok
    write(cards, "o/a", GOOD.replace("2 epochs", "3 epochs"))
    store = open_store(path)
    real = store._store
    seen: list[bool] = []

    def visible() -> bool:
        return source in {row["src"].value for row in real.query(INDEX_QUERY)}

    class Watched:  # what a reader would find before each write of the rebuild
        def __getattr__(self, name):
            return getattr(real, name)

        def bulk_load(self, *args, **kwargs):
            seen.append(visible())
            return real.bulk_load(*args, **kwargs)

        def remove_graph(self, graph):
            seen.append(visible())
            return real.remove_graph(graph)

    store._store = Watched()
    try:
        from lineage import ingest

        assert ingest.build(store, ingest.iter_inputs([cards]), jobs=1).ingested == 1
    finally:
        store.close()
    assert seen == [True, True]  # before the load, and between the load and the removal


BULK_LOAD_KILLED = r"""
import os, signal, sys, threading, time
from pathlib import Path
from lineage.store import CardGraph, open_store

where = Path(sys.argv[1])
store = open_store(where)
g = "urn:lineage:card:" + "0" * 64
data = b"".join(b'<urn:s:%d> <urn:p> "v%d" <%s> .\n' % (i, i, g.encode()) for i in range(300_000))
threading.Thread(target=store.replace_cards, args=([CardGraph("big.md", g, data)],),
                 daemon=True).start()
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if any(p.name.startswith("bulk-") for p in where.iterdir()):
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.001)
sys.exit(3)
"""


def test_stale_bulk_files_are_removed_at_open(tmp_path: Path):
    path = tmp_path / "s"
    code, err = finished(python(BULK_LOAD_KILLED, path))
    assert code == -signal.SIGKILL, f"the bulk load wrote no file to catch: {code} {err}"
    assert list(path.glob("bulk-*.sst"))  # what the killed load left
    reader = open_store(path, read_only=True)
    assert list(path.glob("bulk-*.sst"))  # a reader leaves them: a writer may be loading
    reader.close()
    store = open_store(path)
    try:
        assert list(path.glob("bulk-*.sst")) == []
        assert store.card_index() == {}
    finally:
        store.close()


# --------------------------------------------------------------------------- the walk


def test_a_symlink_loop_is_reported_once_with_its_path(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/m", GOOD)
    (cards / "o" / "m" / "up").symlink_to("..")
    elsewhere = write(tmp_path / "elsewhere", "x/y", GOOD)
    (cards / "linked").symlink_to(elsewhere.parent.parent)  # not a loop: followed
    report = lineage.build([cards], store=tmp_path / "s", jobs=1)
    assert report.ingested == 2
    loop = f"{cards.as_posix()}/o/m/up"
    assert report.rejected == [(loop, f"{loop}: symbolic link loop (to ..); not followed")]


def test_a_named_pipe_among_the_cards_does_not_block_the_build(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/m", GOOD)
    pipe = cards / "o" / "p" / "README.md"
    pipe.parent.mkdir(parents=True)
    os.mkfifo(pipe)  # reading it would wait for a writer forever
    report = lineage.build([cards], store=tmp_path / "s", jobs=1)
    assert report.ingested == 1
    assert report.rejected == [(pipe.as_posix(), f"{pipe.as_posix()}: not a regular file")]


def test_entities_graph_is_untouched_by_the_unsettled_mark(tmp_path: Path):
    """The mark lives beside the data: exports of a store that died unsettled stay clean."""
    cards, store = tmp_path / "cards", tmp_path / "s"
    write(cards, "o/a", GOOD)
    assert lineage.build([cards], store=store, jobs=1).ok
    opened = open_store(store)
    opened.remove_graphs(list(opened.card_index().values()))
    assert opened.unsettled()
    graphs = {str(q.graph_name.value) for q in opened._store}  # type: ignore[attr-defined]
    assert graphs == {ENTITIES_GRAPH}
    opened.drop_orphans()
    assert not opened.unsettled()
    opened.close()
