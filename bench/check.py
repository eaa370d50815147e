"""Check benchmark: ``lineage check`` against ``lineage build`` on the same cards (issue #18).

Builds the given card folders (by default the real cards: ``../shared/corpus``,
``../shared/seeds`` and ``bench/corpus/cards``) into a fresh store, then times, each as a
subprocess on that store:

1. ``lineage build PATH... --store S --jobs N -q`` (which validates each card's graph in
   its workers and stores the result with the card);
2. ``lineage check --store S --format json`` (the default ``--shacl cards``: the stored
   results, the cross-card limits and the graph-wide health checks);
3. with ``--full``: ``lineage check --full``, pySHACL over the whole graph (minutes).

It prints one table (seconds, cards/s, findings) and the ratio check / build; with
``--full`` it also says whether both modes found the same findings (exit 1 otherwise).

    python bench/check.py [PATH...] [--jobs 2] [--full] [--keep-store DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build import lineage_cmd, measure  # noqa: E402

SHARED = HERE.parent.parent / "shared"
DEFAULT_PATHS = [SHARED / "corpus", SHARED / "seeds", HERE / "corpus" / "cards"]


def _findings(stdout: str) -> tuple[dict[str, object], list[tuple[str, ...]]]:
    data = json.loads(stdout)
    return data, sorted(tuple(f.values()) for f in data["findings"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="card folders (default: real cards)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="also time pySHACL over the graph")
    ap.add_argument("--keep-store", type=Path, help="build into this directory and keep it")
    args = ap.parse_args(argv)
    paths = args.paths or [p for p in DEFAULT_PATHS if p.is_dir()]
    if not paths:
        print("no card folders: give PATH... (the default ones are missing)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="lineage-bench-check-"))
    store = args.keep_store or tmp / "store"
    if store.exists():
        shutil.rmtree(store)
    try:
        lineage = lineage_cmd()
        build = measure([*lineage, "build", *map(str, paths), "--store", str(store),
                         "--jobs", str(args.jobs), "-q"])
        summary = next((line for line in (build.stdout + build.stderr).splitlines()
                        if line.startswith("cards ingested ")), "")
        if not summary:
            print(f"the build failed: {build.stderr.strip()}", file=sys.stderr)
            return 2
        print(f"build: {summary}")
        cards = int(summary.split("cards ingested ")[1].split()[0])
        rows = [("lineage build", build.seconds, "-")]
        runs = {"cards": ["check", "--store", str(store), "--format", "json"]}
        if args.full:
            runs["full"] = [*runs["cards"], "--full"]
        found = {}
        for mode, cmd in runs.items():
            run = measure([*lineage, *cmd])
            if run.code not in (0, 1):
                print(f"check --shacl {mode} failed: {run.stderr.strip()}", file=sys.stderr)
                return 2
            data, found[mode] = _findings(run.stdout)
            rows.append((f"lineage check ({mode})", run.seconds, str(len(found[mode]))))
            if mode == "cards":
                print(f"check: {data['cards']}")
        print(f"{cards} cards from {', '.join(map(str, paths))}, --jobs {args.jobs}")
        print(f"{'step':<24}{'seconds':>9}{'cards/s':>9}{'findings':>10}")
        for name, seconds, n in rows:
            print(f"{name:<24}{seconds:>9.2f}{cards / seconds:>9.0f}{n:>10}")
        for name, seconds, _ in rows[1:]:
            print(f"{name} / build: {seconds / build.seconds:.2f}x")
        if args.full:
            same = found["cards"] == found["full"]
            print(f"cards and full modes report the same findings: {same}")
            return 0 if same else 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
