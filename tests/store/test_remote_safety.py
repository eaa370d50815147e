"""A remote store under a server's row limits, and a build on it that dies before settling.

A second private Virtuoso runs with low limits (``ResultSetMaxRows`` and
``MaxSortedTopRows`` of 1,000, where Debian ships 10,000), so paging is tested on a few
thousand quads: ``ORDER BY`` with ``OFFSET`` past the sort limit fails there (SR353).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.store import CardGraph, Store, open_store
from lineage.store.remote import UNSETTLED_GRAPH, RemoteStore
from tests.conftest import EXAMPLES, ROOT, need

from .conftest import EPOCH, wipe
from .virtuoso import PrivateVirtuoso, available

LIMIT = 1000
LIMITS = {"SPARQL": {"ResultSetMaxRows": str(LIMIT)},
          "Parameters": {"MaxSortedTopRows": str(LIMIT)}}


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateVirtuoso]:
    """A private Virtuoso that returns and sorts at most 1,000 rows."""
    why = available()
    need(why is None, why or "")
    server = PrivateVirtuoso(tmp_path_factory.mktemp("strict-virtuoso"), LIMITS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def copies(root: Path, count: int) -> Path:
    """The example cards again under ``count`` other organisations (12 cards each)."""
    for i in range(count):
        for readme in EXAMPLES.rglob("README.md"):
            rel = readme.parent.relative_to(EXAMPLES)
            target = root / f"{rel.parts[0]}{i}" / rel.parts[1] / "README.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(readme, target)
    return root


def test_an_export_pages_under_the_servers_limits(strict: PrivateVirtuoso, run, tmp_path: Path):
    cards = copies(tmp_path / "cards", 4)
    store = open_store(strict.spec)
    try:
        wipe(store)
        report = lineage.build([cards], store=store, jobs=1)
        assert report.ok
        assert store.quad_count() > 5 * LIMIT
        assert len(store.card_index()) == 48
    finally:
        store.close()
    assert lineage.build([cards], store=tmp_path / "embedded", jobs=1).ok
    got = run("export", "--store", strict.spec, "--format", "nq", "-o", tmp_path / "remote.nq")
    assert got.returncode == 0, got.stderr
    want = run("export", "--store", tmp_path / "embedded", "--format", "nq",
               "-o", tmp_path / "embedded.nq")
    assert want.returncode == 0, want.stderr
    assert (tmp_path / "remote.nq").read_bytes() == (tmp_path / "embedded.nq").read_bytes()


def test_a_graph_and_a_subject_larger_than_a_page(strict: PrivateVirtuoso):
    """Pages descend from graphs to subjects to predicates when one key fills a page."""
    g = "urn:lineage:card:" + "ab" * 32
    big = ox.NamedNode("urn:x:big")
    quads = [ox.Quad(ox.NamedNode(f"urn:x:s{i % 700}"), ox.NamedNode(f"urn:x:p{i % 3}"),
                     ox.Literal(f"v{i}"), ox.NamedNode(g)) for i in range(2500)]
    quads += [ox.Quad(big, ox.NamedNode(f"urn:x:q{i % 2}"), ox.Literal(f"w{i}"),
                      ox.NamedNode(g)) for i in range(2 * LIMIT + 10)]
    quads.append(ox.Quad(ox.NamedNode(g), ox.NamedNode("https://w3id.org/lineage/ns#"
                                                       "sourceLocation"), ox.Literal("big.md"),
                         ox.NamedNode(g)))
    store = open_store(strict.spec)
    assert isinstance(store, RemoteStore)
    try:
        wipe(store)
        store.replace_cards([CardGraph("big.md", g, ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
                                       or b"")])
        out = io.BytesIO()
        store.dump(out, ox.RdfFormat.N_QUADS)
        reference = ox.Store()
        reference.extend(quads)
        want = io.BytesIO()
        reference.dump(want, ox.RdfFormat.N_QUADS)
        assert sorted(out.getvalue().splitlines()) == sorted(want.getvalue().splitlines())
    finally:
        wipe(store)
        store.close()


DIES_BEFORE_SETTLING = r"""
import os, signal, sys
import lineage
from lineage.store.remote import RemoteStore

RemoteStore.drop_orphans = lambda self: os.kill(os.getpid(), signal.SIGKILL)
lineage.build([sys.argv[1]], store=sys.argv[2], jobs=1)
"""


def test_orphans_of_a_remote_build_that_died_are_forgotten_by_the_next(
        virtuoso: PrivateVirtuoso, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    card = "---\nlicense: mit\nbase_model: {base}\n---\n# Tiny\nFine-tuned for 2 epochs.\n"
    cards = tmp_path / "cards"
    for rid, base in (("o/a", "o/old-base"), ("o/b", "o/base")):
        (cards / rid).mkdir(parents=True)
        (cards / rid / "README.md").write_text(card.format(base=base), encoding="utf-8")
    store = open_store(virtuoso.spec)
    try:
        wipe(store)
        store.drop_orphans()  # settled: nothing left from other tests
        assert lineage.build([cards], store=store, jobs=1).ingested == 2
        assert not store.unsettled()
        (cards / "o/a/README.md").write_text(card.format(base="o/new-base"), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        died = subprocess.run([sys.executable, "-c", DIES_BEFORE_SETTLING, str(cards),
                               virtuoso.spec], env=env, capture_output=True, timeout=300,
                              check=False)
        assert died.returncode == -signal.SIGKILL, died.stderr.decode()
        assert store.unsettled()
        quads = store.quad_count()
        assert quads == len(dump(store))  # the mark is not counted among lineage's quads
        old = b"<https://huggingface.co/o/old-base>"
        assert any(line.startswith(old) for line in dump(store))  # orphaned, for now
        rerun = lineage.build([cards], store=store, jobs=1)
        assert (rerun.ingested, rerun.skipped) == (0, 2)
        assert not store.unsettled()
        assert not any(line.startswith(old) for line in dump(store))
        assert lineage.build([cards], store=tmp_path / "clean", jobs=1).ok
        clean = open_store(tmp_path / "clean", read_only=True)
        assert dump(store) == dump(clean)
        clean.close()
        ask = f"ASK {{ GRAPH <{UNSETTLED_GRAPH}> {{ ?s ?p ?o }} }}"
        assert not bool(store.query(ask))
    finally:
        wipe(store)
        store.close()


def dump(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())
