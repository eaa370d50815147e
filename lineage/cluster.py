"""Distributed extraction: a Dask bag over shards of cards, one N-Quads file per shard.

Extraction is a pure function of a card, so a build maps onto an existing cluster engine
without a distribution layer of our own: the client walks the inputs (names only, never
card text), cuts them into shards, and Dask runs :func:`extract_shard` on each, which
reads its cards, skips those whose graph is already stored, and writes the others' quads
to ``part-NNNNN.nq``. The client then loads each shard file into the store as it
arrives, in shard order, so the graph is quad for quad the one a local build makes. The
shard files can be kept (``shards=``) for a server's own bulk loader.

Cards are read by the workers, so the workers must see the same files as the client
(one machine, or a shared file system). Dask is an optional extra:
``pip install 'lineage[dask]'``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from lineage.errors import LineageError
from lineage.ingest import BuildReport, CardInput, count_result, extract_input, retrieval_time
from lineage.store import CardGraph, Store

__all__ = ["Shard", "ShardResult", "build_on_dask", "extract_shard"]

SHARD_CARDS = 2000


@dataclass(frozen=True, slots=True)
class Shard:
    """One task: some cards, the graphs already stored for them, and build constants."""

    number: int
    cards: tuple[CardInput, ...]
    stored: tuple[tuple[str, str], ...]  # (source, graph IRI) of these cards in the store
    retrieved: str
    max_bytes: int
    out: str


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What a task did: the shard file it wrote and a report of its cards."""

    number: int
    path: str | None
    graphs: tuple[tuple[str, str, str | None], ...]  # (source, graph, graph it replaces)
    skipped: int
    rejected: tuple[tuple[str, str], ...]
    results: tuple[Any, ...]  # ingest results without their quads, for the report


def extract_shard(shard: Shard) -> ShardResult:
    """Extract a shard's changed cards into ``{out}/part-{number:05d}.nq`` (pure but for it)."""
    stored = dict(shard.stored)
    chunks: list[bytes] = []
    graphs: list[tuple[str, str, str | None]] = []
    rejected: list[tuple[str, str]] = []
    results: list[Any] = []
    skipped = 0
    for card in shard.cards:
        outcome = extract_input(card, stored.get(card.source), shard.retrieved, shard.max_bytes)
        if outcome is None:
            skipped += 1
        elif isinstance(outcome, str):
            rejected.append((card.source, outcome))
        elif outcome.error is not None:
            rejected.append((outcome.source, outcome.error))
        else:
            assert outcome.nquads is not None
            chunks.append(outcome.nquads)
            graphs.append((card.source, outcome.graph, stored.get(card.source)))
            results.append(outcome.without_quads())
    path = None
    if chunks:
        target = Path(shard.out) / f"part-{shard.number:05d}.nq"
        tmp = target.with_suffix(".nq.tmp")
        tmp.write_bytes(b"".join(chunks))
        tmp.replace(target)  # a shard file is complete or absent
        path = str(target)
    return ShardResult(shard.number, path, tuple(graphs), skipped, tuple(rejected),
                       tuple(results))


def _shards(inputs: Iterable[CardInput], index: dict[str, str], *, size: int, retrieved: str,
            max_bytes: int, out: str) -> Iterator[Shard]:
    it = iter(inputs)
    number = 0
    while chunk := tuple(islice(it, size)):
        stored = tuple((c.source, index[c.source]) for c in chunk if c.source in index)
        yield Shard(number, chunk, stored, retrieved, max_bytes, out)
        number += 1


def build_on_dask(
    store: Store,
    inputs: Iterable[CardInput],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    shard_cards: int = SHARD_CARDS,
    shards: Path | None = None,
    max_bytes: int,
    progress: Callable[[int, int | None], None] | None = None,
    prune: bool = False,
) -> BuildReport:
    """Build ``inputs`` into ``store`` with extraction on a Dask cluster.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler; None starts a local cluster of ``workers``
        single-threaded worker processes for the build.
    shard_cards
        Cards per shard (task).
    shards
        Keep the N-Quads shard files in this directory (else a temporary one).
    """
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError:
        msg = "the dask engine needs Dask: pip install 'lineage[dask]'"
        raise LineageError(msg) from None
    started = time.perf_counter()
    report = BuildReport()
    index = store.card_index()
    sources: set[str] = set()
    seen_inputs = _remember(inputs, sources) if prune else iter(inputs)
    with tempfile.TemporaryDirectory(prefix="lineage-shards-") as tmp:
        out = shards or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        specs = list(_shards(seen_inputs, index, size=shard_cards,
                             retrieved=retrieval_time().isoformat(), max_bytes=max_bytes,
                             out=str(out)))
        cluster = None if scheduler else LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:  # type: ignore[no-untyped-call]
                bag = db.from_sequence(  # type: ignore[no-untyped-call]
                    specs, npartitions=max(1, len(specs))).map(extract_shard)
                futures = client.compute(bag.to_delayed())
                _load(store, report, futures, keep=shards is not None, progress=progress)
        finally:
            if cluster is not None:
                cluster.close()
    if prune:
        gone = sorted(g for source, g in index.items() if source not in sources)
        store.remove_graphs(gone)
        report.pruned = len(gone)
    if report.pruned:
        store.drop_orphans()
    report.seconds = time.perf_counter() - started
    return report


def _remember(inputs: Iterable[CardInput], sources: set[str]) -> Iterator[CardInput]:
    for card in inputs:
        sources.add(card.source)
        yield card


def _load(store: Store, report: BuildReport, futures: list[Any], *, keep: bool,
          progress: Callable[[int, int | None], None] | None) -> None:
    """Load shard files in shard order as their tasks finish."""
    done = 0
    replaced = 0
    for future in futures:
        for result in future.result():  # one partition: a list of one ShardResult
            assert isinstance(result, ShardResult)
            report.skipped += result.skipped
            report.rejected.extend(result.rejected)
            for item in result.results:
                count_result(report, item)
            if result.path is not None:
                old = [g for _, _, g in result.graphs if g is not None]
                replaced += len(old)
                store.remove_graphs(old)
                data = Path(result.path).read_bytes()
                store.replace_cards([CardGraph(result.path, result.graphs[0][1], data)])
                if not keep:
                    Path(result.path).unlink()
            done += result.skipped + len(result.rejected) + len(result.graphs)
            if progress is not None:
                progress(done, None)
        future.release()
    if replaced:
        store.drop_orphans()
