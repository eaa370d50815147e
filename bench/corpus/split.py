"""Assign each card of the larger development corpus to the dev half or the held-out half.

A fixed-seed random split, stratified by ``kind``: within every kind the cards are shuffled
with ``random.Random(seed)`` of their batch (sorted by file name first, so the result
depends only on the manifest) and the first half goes to ``dev``, the rest to ``heldout``;
when a kind has an odd count the spare card alternates between the halves from one kind to
the next, so neither half grows by more than one card overall. The assignment is written to
the ``split`` column of ``manifest.tsv``. Only manifest columns are read: never the card
texts.

The corpus grew in batches, and each batch is split on its own with its own seed, so adding a
batch never moves a card of an earlier one: the first batch (``d001``-``d332``) uses seed 19,
the second (``d333``-``d412``, fresh cards for new rules) seed 20. The third batch
(``d413``-``d492``), the fourth (``d493``-``d572``, Hub model cards only), the fifth
(``d573``-``d652``, Hub model cards only, weighted towards bases, datasets and hardware named
in prose), the sixth (``d653``-``d684``, weighted towards cards whose prose names models
other than the parent), the seventh (``d685``-``d697``, the same weighting plus bases
named only in prose; it reserved ``d685``-``d724`` but found 13 cards), the eighth
(``d698``-``d727``, mainly cards in languages other than English, plus cards whose prose
names models other than the parent), the ninth (``d728``-``d741``, cards with no
``base_model`` key whose prose names models, the class where parents read from prose are most
often wrong; it reserved ``d728``-``d767`` but found 14 cards) and the tenth (``d742``-``d750``,
the same class again, weighted towards Hub model cards; it reserved ``d742``-``d781`` but found
9 cards) have no seed: they are fresh
cards added to study, so every one of them is ``dev`` and the held-out half (206 cards of
the first two batches) stays exactly as it was, comparable with earlier scores.

    python bench/corpus/split.py [--check]

With ``--check`` nothing is written; the exit code is 1 when the manifest disagrees with a
fresh split.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.tsv"
SEED = 19
# (first file number, last file number, seed) of each batch, in the order they were added;
# seed None: the whole batch is dev (fresh cards to study, none held out)
BATCHES: tuple[tuple[int, int, int | None], ...] = (
    (1, 332, 19),
    (333, 412, 20),
    (413, 492, None),
    (493, 572, None),
    (573, 652, None),
    (653, 684, None),
    (685, 697, None),
    (698, 727, None),
    (728, 741, None),
    (742, 750, None),
)


def read_manifest(path: Path = MANIFEST) -> tuple[list[str], list[dict[str, str]]]:
    """Column names and rows of the manifest."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        return list(reader.fieldnames or []), list(reader)


def write_manifest(fields: list[str], rows: list[dict[str, str]], path: Path = MANIFEST) -> None:
    """Write the manifest back, tab-separated, one card a line."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def assign(rows: list[dict[str, str]], seed: int = SEED) -> dict[str, str]:
    """File name -> ``dev`` or ``heldout``, stratified by kind."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row["file"])
    rng = random.Random(seed)
    out: dict[str, str] = {}
    spare_to_dev = True
    for kind in sorted(by_kind):
        files = sorted(by_kind[kind])
        rng.shuffle(files)
        n_dev = len(files) // 2 + (len(files) % 2 if spare_to_dev else 0)
        if len(files) % 2:
            spare_to_dev = not spare_to_dev
        for i, name in enumerate(files):
            out[name] = "dev" if i < n_dev else "heldout"
    return out


def batch_of(name: str) -> tuple[int, int, int | None]:
    """The batch a card file (``dNNN.md``) belongs to."""
    number = int(name[1:].split(".")[0])
    for batch in BATCHES:
        if batch[0] <= number <= batch[1]:
            return batch
    msg = f"{MANIFEST.name}: {name}: in no batch of split.py; add its batch"
    raise ValueError(msg)


def assign_all(rows: list[dict[str, str]]) -> dict[str, str]:
    """File name -> half for every row, each batch split with its own seed."""
    out: dict[str, str] = {}
    for batch in BATCHES:
        members = [r for r in rows if batch_of(r["file"]) == batch]
        if batch[2] is None:
            out.update((r["file"], "dev") for r in members)
        else:
            out.update(assign(members, seed=batch[2]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args()
    fields, rows = read_manifest()
    try:
        split = assign_all(rows)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    if args.check:
        wrong = [r["file"] for r in rows if r.get("split") != split[r["file"]]]
        for name in wrong:
            print(f"{MANIFEST.name}: {name}: split is not the fixed-seed assignment")
        return 1 if wrong else 0
    if "split" not in fields:
        fields.append("split")
    for row in rows:
        row["split"] = split[row["file"]]
    write_manifest(fields, rows)
    for first, last, seed in BATCHES:
        halves = Counter(v for k, v in split.items() if first <= int(k[1:4]) <= last)
        how = f"seed {seed}" if seed is not None else "all dev"
        span = f"d{first:03d}-d{last:03d}"
        print(f"{span}: {halves['dev']} dev, {halves['heldout']} held out ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
