"""False parents of a corpus half counted by class, never listed.

A class is whether the card has a front-matter ``base_model`` and the evidence methods of
the false parent (``prose``, ``table``, ``metadata``...). Only counts are printed, so the
held-out half can be read this way without reading its misses (``bench/accuracy.py``
lists misses for ``84`` and ``dev`` only).

    python bench/parent_classes.py [--set dev|heldout]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy


def classes(split: str) -> tuple[int, Counter[tuple[str, str]]]:
    """Return how many parents the half's cards yield, and its false parents by class."""
    paths = accuracy.corpus_paths(split)
    root = accuracy.ROOT / "bench" / "corpus" / "cards" / split
    with tempfile.TemporaryDirectory() as tmp:
        views, _ = accuracy.lineage_view(Path(tmp) / "store", paths, root)
    gold_file = accuracy.ROOT / "bench" / "gold" / f"{split}.jsonl"
    gold = [json.loads(line) for line in gold_file.open(encoding="utf-8") if line.strip()]
    found, false = 0, Counter[tuple[str, str]]()
    for g in gold:
        view = views.get(g["file"]) or {"parents": []}
        wanted = {accuracy.norm_id(p["id"]) for p in g["parents"]}
        front = "base_model" if accuracy.has_base_model(paths[g["file"]]) else "no base_model"
        for parent in view["parents"]:
            found += 1
            written = accuracy.norm_id(str(parent.get("written") or ""))
            if accuracy.norm_id(parent["id"]) in wanted or written in wanted:
                continue
            methods = ",".join(sorted({e.get("method") or "?" for e in parent["evidence"]}))
            false[(front, methods)] += 1
    return found, false


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("dev", "heldout"), default="heldout")
    args = ap.parse_args()
    found, false = classes(args.set)
    print(f"[{args.set}] parents found {found}, false {sum(false.values())}")
    for (front, methods), count in sorted(false.items()):
        print(f"  {front:14s} {methods:20s} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
