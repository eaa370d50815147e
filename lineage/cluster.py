"""Distributed extraction: a Dask bag over shards of cards, one N-Quads file per shard.

Extraction is a pure function of a card, so a build maps onto an existing cluster engine
without a distribution layer of our own: the client walks the inputs (file names, and the
id column of parquet dumps, never card text), cuts them into shards (a few thousand card
files, or one row group of a parquet dump), and Dask runs :func:`extract_shard` on each,
which reads its cards, skips those whose graph is already stored, and writes the others'
quads to ``part-NNNNN.nq``. The client then loads each shard file into the store as it
arrives, in shard order, so the graph is quad for quad the one a local build makes. The
shard files can be kept (``shards=``) for a server's own bulk loader.

Cards are read by the workers, so the workers must see the same files as the client
(one machine, or a shared file system). JSON Lines dumps have no row groups: their rows
travel from the client inside the shards, so convert a large one to parquet first. Dask
is an optional extra: ``pip install 'lineage[dask]'``.
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
from lineage.ingest import (
    BuildReport,
    CardInput,
    begin,
    count_result,
    extract_input,
    iter_inputs,
    persist,
    retrieval_time,
    settle,
)
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
    # Or, instead of ``cards``: a parquet row group (dump, group, id column, text column).
    row_group: tuple[str, int, str | None, str | None] | None = None

    def inputs(self) -> Iterator[CardInput]:
        """Yield the shard's cards (reading its row group, for a dump shard)."""
        if self.row_group is None:
            yield from self.cards
            return
        from lineage.sources.dumps import iter_row_group

        dump, group, id_column, text_column = self.row_group
        yield from iter_row_group(dump, group, id_column=id_column, text_column=text_column)


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
    for card in shard.inputs():
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


def _shards(paths: list[str | Path], index: dict[str, str], seen: set[str] | None, *,
            size: int, id_override: str | None, id_column: str | None,
            text_column: str | None, retrieved: str, max_bytes: int, out: str,
            ) -> Iterator[Shard]:
    """Cut the inputs into shards: row groups of parquet dumps, chunks of other cards."""
    from lineage.sources.dumps import is_dump, row_group_sources, row_groups

    number = 0

    def stored(sources: Iterable[str]) -> tuple[tuple[str, str], ...]:
        found = []
        for source in sources:
            if seen is not None:
                seen.add(source)
            if source in index:
                found.append((source, index[source]))
        return tuple(found)

    for given in paths:
        if id_override is None and is_dump(given) and str(given).endswith(".parquet"):
            for group in range(row_groups(given)):
                sources = row_group_sources(given, group, id_column=id_column)
                yield Shard(number, (), stored(sources), retrieved, max_bytes, out,
                            (str(given), group, id_column, text_column))
                number += 1
            continue
        it = iter_inputs([given], id_override=id_override, id_column=id_column,
                         text_column=text_column)
        while chunk := tuple(islice(it, size)):
            yield Shard(number, chunk, stored(c.source for c in chunk), retrieved, max_bytes,
                        out)
            number += 1


def build_on_dask(
    store: Store,
    paths: Iterable[str | Path],
    *,
    id_override: str | None = None,
    id_column: str | None = None,
    text_column: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    shard_cards: int = SHARD_CARDS,
    shards: Path | None = None,
    max_bytes: int,
    progress: Callable[[int, int | None], None] | None = None,
    prune: bool = False,
) -> BuildReport:
    """Build the cards under ``paths`` into ``store`` with extraction on a Dask cluster.

    Parameters
    ----------
    id_override, id_column, text_column
        As for :func:`lineage.ingest.iter_inputs`.
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
    report, index, seen = begin(store, prune=prune)
    with tempfile.TemporaryDirectory(prefix="lineage-shards-") as tmp:
        out = shards or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        specs = list(_shards(list(paths), index, seen, size=shard_cards,
                             id_override=id_override, id_column=id_column,
                             text_column=text_column, retrieved=retrieval_time().isoformat(),
                             max_bytes=max_bytes, out=str(out)))
        cluster = None if scheduler else LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:  # type: ignore[no-untyped-call]
                bag = db.from_sequence(  # type: ignore[no-untyped-call]
                    specs, npartitions=max(1, len(specs))).map(extract_shard)
                futures = client.compute(bag.to_delayed())
                replaced = _load(store, report, futures, keep=shards is not None,
                                 progress=progress)
        finally:
            if cluster is not None:
                cluster.close()
    settle(store, report, index, seen=seen, replaced=replaced)
    persist(store, report)
    report.seconds = time.perf_counter() - started
    return report


def _load(store: Store, report: BuildReport, futures: list[Any], *, keep: bool,
          progress: Callable[[int, int | None], None] | None) -> int:
    """Load shard files in shard order as their tasks finish; return the graphs replaced."""
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
    return replaced
