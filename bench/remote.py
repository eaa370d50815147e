"""Remote store benchmark: ``lineage build`` into the embedded store and into Virtuoso.

Generates (or reuses, as ``build.py`` does) a synthetic corpus with ``gen_cards.py``, then
builds it twice in this process, with the same extraction settings:

1. into the embedded Oxigraph store (a temporary directory);
2. into a private Virtuoso on 127.0.0.1 (started here, stopped at the end) through the
   remote backend, ``sparql+http://127.0.0.1:PORT/sparql``: one Graph Store PUT per card,
   entity statements POSTed in chunks.

and then a no-op rebuild of each (every card skipped). Extraction is the same work in both
builds, so besides the whole build it times the store's own calls (``card_index`` and
``replace_cards``): "store s" and "load cards/s". The quad counts of the two stores must
agree. Needs ``virtuoso-opensource``.

    python bench/remote.py [-n 10000] [--jobs N] [--workers 2] [--keep DIR] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from build import corpus_for  # noqa: E402

import lineage  # noqa: E402
from lineage.store import CardGraph, Store, open_store  # noqa: E402
from tests.store.virtuoso import PrivateVirtuoso, available  # noqa: E402


class Timed:
    """A store whose reading of the index and loading of cards are timed."""

    def __init__(self, store: Store):
        self.store = store
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def card_index(self) -> dict[str, str]:
        t0 = time.perf_counter()
        try:
            return self.store.card_index()
        finally:
            self.seconds += time.perf_counter() - t0

    def replace_cards(self, cards: Sequence[CardGraph]) -> None:
        t0 = time.perf_counter()
        try:
            self.store.replace_cards(cards)
        finally:
            self.seconds += time.perf_counter() - t0


def timed_build(corpus: Path, store: Store, jobs: int) -> tuple[float, int, int, float]:
    timed = Timed(store)
    t0 = time.perf_counter()
    report = lineage.build([corpus], store=timed, jobs=jobs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    if report.rejected:
        print(f"  {len(report.rejected)} cards rejected, e.g. {report.rejected[0]}")
    return seconds, report.ingested, report.triples, timed.seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="cards (default 10000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="extraction processes (default: all cores)")
    ap.add_argument("--workers", type=int, default=2,
                    help="concurrent Graph Store requests to Virtuoso (default 2)")
    ap.add_argument("--keep", type=Path, help="corpus directory to reuse")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    why = available()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    corpus = corpus_for(args.n, args.seed, args.keep)
    rows = []
    with tempfile.TemporaryDirectory(prefix="lineage-bench-remote-") as tmp:
        embedded = open_store(Path(tmp) / "store")
        first = timed_build(corpus, embedded, args.jobs)
        again = timed_build(corpus, embedded, args.jobs)
        rows.append(("embedded Oxigraph", *first, again[0], embedded.quad_count()))
        embedded.close()
        print(f"embedded: {first[1]:,} cards in {first[0]:.1f} s")
        (Path(tmp) / "virtuoso").mkdir()
        with PrivateVirtuoso(Path(tmp) / "virtuoso") as server:
            remote = open_store(f"{server.spec}?workers={args.workers}")
            first = timed_build(corpus, remote, args.jobs)
            again = timed_build(corpus, remote, args.jobs)
            rows.append((f"Virtuoso ({args.workers} workers)", *first, again[0],
                         remote.quad_count()))
            remote.close()
    print()
    print(f"{'store':<24} {'cards':>7} {'build s':>8} {'cards/s':>8} {'triples/s':>10} "
          f"{'store s':>8} {'load cards/s':>13} {'no-op rebuild s':>16} {'quads':>10}")
    for name, seconds, cards, triples, store_s, rebuild, quads in rows:
        print(f"{name:<24} {cards:>7,} {seconds:>8.1f} {cards / seconds:>8,.0f} "
              f"{triples / seconds:>10,.0f} {store_s:>8.1f} {cards / store_s:>13,.0f} "
              f"{rebuild:>16.2f} {quads:>10,}")
    if rows[0][6] != rows[1][6]:
        print(f"MISMATCH: the stores hold {rows[0][6]:,} and {rows[1][6]:,} quads")
        return 1
    print(f"\nVirtuoso / embedded: build time {rows[1][1] / rows[0][1]:.1f}x, store time "
          f"{rows[1][4] / rows[0][4]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
