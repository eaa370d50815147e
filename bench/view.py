"""Reopen benchmark: the networkx view of an on-disk store, built versus read back.

Each step runs in a new Python process (nothing warm but the OS file cache), on a store
built by ``bench/build.py --keep-store DIR``:

1. *build*: the saved view is removed; the process opens the store read-only and asks
   ``LineageView.of(store)``, which queries the whole store and saves the view;
2. *reopen*: a new process opens the store and asks again: the view is read back from
   ``lineage-view.json`` (the figure issue #18 sets at most 2 s for 100,000 cards);
3. *reopen + resolve*: as 2, then resolves one model by id (building the resolver's index).
4. *update after a 1% rebuild* (with ``--cards``, the corpus the store was built from): a
   line is appended to every hundredth card, ``lineage build`` rebuilds the store (timed
   apart), and a new process asks for the view, which is brought up to date from the
   changed card graphs (:mod:`lineage.view_update`) instead of built anew. The cards are
   restored (and the store rebuilt) at the end.

Prints the median of ``--reps`` runs of each, with the import time of the process left
out (``import lineage.view``, networkx and pyoxigraph are loaded before the clock starts).

    python bench/view.py --store DIR [--cards CORPUS] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from lineage.store import open_store
from lineage.view import LineageView
t0 = time.perf_counter()
store = open_store({store!r}, read_only=True)
view = LineageView.of(store)
t1 = time.perf_counter()
model = {model!r}
if model:
    view.resolve(model)
t2 = time.perf_counter()
g = view.graph
some = next((d["id"] for _, d in g.nodes(data=True) if d.get("described") and d.get("id")), "")
print(json.dumps({{"view": t1 - t0, "resolve": t2 - t1, "loaded": view.loaded,
                  "updated": view.updated,
                  "nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "some": some}}))
"""


def run(store: Path, model: str = "") -> dict[str, object]:
    """Run one cold process over ``store``; return its timings."""
    code = CHILD.format(root=str(ROOT), store=str(store), model=model)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def rebuild(store: Path, cards: Path, jobs: int) -> float:
    """Run ``lineage build`` over ``cards`` into ``store``; return its seconds."""
    exe = shutil.which("lineage")  # the installed script, else this checkout's entry point
    command = [exe] if exe else [sys.executable, "-c", "from lineage.cli import main; main()"]
    started = time.perf_counter()
    done = subprocess.run([*command, "build", str(cards), "--store", str(store), "--jobs",
                           str(jobs), "-q"], check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        msg = f"lineage build exited {done.returncode}: {done.stderr[-2000:]}"
        raise SystemExit(msg)
    return time.perf_counter() - started


def updates(store: Path, cards: Path, reps: int, jobs: int,
            ) -> tuple[list[float], list[float], int, int]:
    """Time the view's update after 1% of the cards changed, ``reps`` times.

    Returns the update times, the rebuild times, the cards changed and the models updated.
    """
    files = sorted(cards.rglob("README.md"))[::100]
    saved = {p: p.read_bytes() for p in files}
    times, builds, models = [], [], 0
    try:
        for rep in range(reps):
            run(store)  # a saved view of the current state
            for p, data in saved.items():
                p.write_bytes(data + f"\nUpdated {rep}: appended by bench/view.py.\n".encode())
            builds.append(rebuild(store, cards, jobs))
            result = run(store)
            assert result["updated"] is not None, "the view was not updated"
            times.append(float(str(result["view"])))
            models = int(str(result["updated"]))
    finally:
        for p, data in saved.items():
            p.write_bytes(data)
        rebuild(store, cards, jobs)
    return times, builds, len(files), models


def main() -> None:
    """Time building and reopening the view of ``--store``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True,
                        help="an on-disk store, e.g. from bench/build.py --keep-store")
    parser.add_argument("--reps", type=int, default=3, help="runs of each step")
    parser.add_argument("--cards", type=Path,
                        help="the corpus the store was built from: also time an update")
    parser.add_argument("--jobs", type=int, default=2, help="lineage build --jobs")
    args = parser.parse_args()
    from lineage.view import VIEW_FILE

    saved = args.store / VIEW_FILE
    built, reopened, resolved = [], [], []
    first: dict[str, object] = {}
    for _ in range(args.reps):
        saved.unlink(missing_ok=True)
        first = run(args.store)
        assert first["loaded"] is False, "the view was not built"
        built.append(float(str(first["view"])))
    for _ in range(args.reps):
        again = run(args.store)
        assert again["loaded"] is True, "the saved view was not read back"
        reopened.append(float(str(again["view"])))
    for _ in range(args.reps):
        again = run(args.store, model=str(first["some"]))
        assert again["loaded"] is True
        resolved.append(float(str(again["view"])) + float(str(again["resolve"])))
    size = saved.stat().st_size
    steps = [("build the view (and save it)", built),
             ("reopen: read the saved view", reopened),
             ("reopen and resolve one model", resolved)]
    if args.cards is not None:
        updated, builds, changed, models = updates(args.store, args.cards, args.reps, args.jobs)
        steps.append((f"update after a 1% rebuild ({changed} cards, {models} models)", updated))
        print(f"the 1% rebuilds (lineage build, not in the table): median "
              f"{statistics.median(builds):.2f} s")
    print(f"store {args.store}: {first['nodes']:,} models, {first['edges']:,} edges; "
          f"saved view {size / 1e6:.1f} MB")
    print("| step (new process each) | runs | median |")
    print("|---|---:|---:|")
    for name, times in steps:
        print(f"| {name} | {len(times)} | {statistics.median(times):.2f} s |")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
