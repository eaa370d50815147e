"""``lineage show`` benchmark: seconds to describe models of a large store, and per query.

Opens the store read-only, loads its networkx view (timed apart: ``bench/view.py`` measures
it), then runs :func:`lineage.describe.show` ``--reps`` times for each model and prints the
median time of each, its number of queries and its slowest query (first line of its text).
Models default to the most-described model, the model with the most children and one
merged model of the store.

    python bench/show.py --store DIR [--model ORG/NAME ...] [--reps 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PICK = """\
PREFIX lin: <https://w3id.org/lineage/ns#>
SELECT ?id WHERE {{ {{ SELECT ?m (COUNT(*) AS ?n) WHERE {{ {pattern} }} GROUP BY ?m
  ORDER BY DESC(?n) LIMIT 1 }} ?m lin:hubId ?id }}"""
_PATTERNS = ("?g lin:describes ?m", "?c lin:derivedFrom ?m", "?m lin:mergedFrom ?p")


def pick_models(store: object) -> list[str]:
    """The most-described model, the one with the most children, one merged model."""
    found = []
    for pattern in _PATTERNS:
        for row in store.query(_PICK.format(pattern=pattern)):  # type: ignore[attr-defined]
            found.append(str(row["id"].value))
    return list(dict.fromkeys(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store")
    parser.add_argument("--model", action="append", default=[], help="a model to show")
    parser.add_argument("--reps", type=int, default=5, help="runs per model")
    args = parser.parse_args()

    from lineage import describe
    from lineage.describe import show
    from lineage.store import open_store
    from lineage.view import LineageView

    store = open_store(str(args.store), read_only=True)
    started = time.perf_counter()
    view = LineageView.of(store)
    print(f"store {args.store}: {store.quad_count():,} quads; view "
          f"{time.perf_counter() - started:.2f} s ({'read back' if view.loaded else 'built'})")
    timings: list[tuple[float, str]] = []
    select = describe._select

    def timed(store: object, query: str, **bindings: object) -> object:
        t0 = time.perf_counter()
        rows = select(store, query, **bindings)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - t0, query))
        return rows

    describe._select = timed  # type: ignore[assignment]
    print(f"{'model':<44}{'median s':>10}{'queries':>9}{'slowest s':>11}  slowest query")
    for model in args.model or pick_models(store):
        runs = []
        for _ in range(args.reps):
            timings.clear()
            t0 = time.perf_counter()
            show(store, model, view=view)
            runs.append(time.perf_counter() - t0)
        slowest = max(timings)
        first = next(line for line in slowest[1].splitlines() if not line.startswith("PREFIX"))
        print(f"{model:<44}{statistics.median(runs):>10.3f}{len(timings):>9}"
              f"{slowest[0]:>11.3f}  {first[:60]}")


if __name__ == "__main__":
    main()
