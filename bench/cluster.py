"""Dask benchmark: ``lineage build --engine dask`` on a local cluster of 1 and 2 workers.

Builds one ``gen_cards.py`` corpus (reused between runs) into fresh stores: with the local
engine (``--jobs 2``), then on Dask local clusters of 1 and 2 single-threaded workers
(started once per run, outside the timing), and prints seconds and cards/s of each and
whether every store holds the same N-Quads.

    python bench/cluster.py [-n 10000] [--shard-cards 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402
from build import corpus_for  # noqa: E402

import lineage  # noqa: E402
from lineage import cluster as cluster_mod  # noqa: E402


def dump(store: Path) -> bytes:
    """Return the N-Quads of a store."""
    s = lineage.open_store(store, read_only=True)
    out = io.BytesIO()
    s.dump(out, ox.RdfFormat.N_QUADS)
    s.close()
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="number of cards")
    ap.add_argument("--shard-cards", type=int, default=cluster_mod.SHARD_CARDS)
    ap.add_argument("--keep", type=Path, help="corpus directory to create or reuse")
    args = ap.parse_args()
    from distributed import LocalCluster

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    cluster_mod.SHARD_CARDS = args.shard_cards
    corpus = corpus_for(args.n, 0, args.keep)
    rows: list[tuple[str, float, int]] = []
    dumps: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="lineage-bench-dask-") as tmp:
        started = time.perf_counter()
        report = lineage.build([corpus], store=Path(tmp) / "local", jobs=2)
        rows.append(("local engine, --jobs 2", time.perf_counter() - started, report.ingested))
        dumps["local"] = dump(Path(tmp) / "local")
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as c:
                store = Path(tmp) / f"dask{workers}"
                started = time.perf_counter()
                report = lineage.build([corpus], store=store, engine="dask",
                                       scheduler=c.scheduler_address)
                rows.append((f"dask, {workers} worker{'s' * (workers > 1)}",
                             time.perf_counter() - started, report.ingested))
            dumps[f"dask{workers}"] = dump(store)
    print(f"\n{args.n} cards, shards of {args.shard_cards}, {os.cpu_count()} cores\n")
    print(f"{'engine':<24}{'seconds':>9}{'cards/s':>10}")
    for label, seconds, cards in rows:
        print(f"{label:<24}{seconds:>9.2f}{cards / seconds:>10,.0f}")
    same = len(set(dumps.values())) == 1
    print(f"\nsame N-Quads from every engine: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
