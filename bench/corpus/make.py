"""Re-create the texts of the larger development corpus from fetched repository snapshots.

The card texts are third-party and stay out of the repository: ``manifest.tsv`` names, for
every card, the public repository, the path and the commit it comes from, and the sha256 of
its bytes. This script reads each card with ``git show COMMIT:PATH`` from the snapshot's git
directory (``MIRROR/owner+name/repo``, as ``fetch`` leaves it) and writes, under the
git-ignored ``bench/corpus/cards/``:

- ``files/dNNN.md``: the exact bytes, one file per manifest row;
- ``dev/`` and ``heldout/``: the same cards laid out the way ``bench/accuracy.py`` reads a
  corpus, ``ORG/NAME/README.md`` when the manifest knows the model's id (``NAME/README.md``
  for a legacy id without an organisation), ``_unknown/dNNN.md`` otherwise.

Every card is checked against its sha256; the script prints the count and the check. When
snapshots are missing it prints one ``fetch github:owner/name`` line for each and exits 1.

    python bench/corpus/make.py [--mirror DIR] [--out DIR] [--check]

``--check`` verifies the bytes without writing anything.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.tsv"
# The worktree sits next to the snapshots: /work/<checkout>/bench/corpus -> /work/.mirror
DEFAULT_MIRROR = HERE.parents[2] / ".mirror"
DEFAULT_OUT = HERE / "cards"


def git_dir(mirror: Path, repo: str) -> Path:
    """Where ``fetch`` puts the git directory of ``owner/name``."""
    return mirror / repo.replace("/", "+", 1) / "repo"


def card_bytes(mirror: Path, row: dict[str, str]) -> bytes:
    """The exact bytes of one manifest row, from its snapshot."""
    proc = subprocess.run(
        [
            "git",
            f"--git-dir={git_dir(mirror, row['source_repo'])}",
            "show",
            f"{row['commit']}:{row['source_path']}",
        ],
        capture_output=True,
        check=False,
    )
    if proc.returncode:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LookupError(msg[-1] if msg else "git show failed")
    return proc.stdout


def layout_path(root: Path, row: dict[str, str]) -> Path:
    """Where ``bench/accuracy.py`` expects this card inside its half."""
    half = root / (row.get("split") or "unsplit")
    known = row["known_id"].strip()
    return half / known / "README.md" if known else half / "_unknown" / row["file"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--mirror",
        type=Path,
        default=DEFAULT_MIRROR,
        help="directory holding the fetched snapshots (owner+name/repo)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the cards")
    ap.add_argument("--check", action="store_true", help="verify the bytes, write nothing")
    args = ap.parse_args()

    with MANIFEST.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    missing = sorted(
        {r["source_repo"] for r in rows if not git_dir(args.mirror, r["source_repo"]).is_dir()}
    )
    if missing:
        print(
            f"{len(missing)} snapshots missing under {args.mirror}; fetch them first:",
            file=sys.stderr,
        )
        for repo in missing:
            print(f"fetch github:{repo}")
        return 1

    texts: dict[str, bytes] = {}
    bad: list[str] = []
    for row in rows:
        try:
            data = card_bytes(args.mirror, row)
        except LookupError as err:
            bad.append(f"{row['file']}: {row['source_repo']}:{row['source_path']}: {err}")
            continue
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            bad.append(
                f"{row['file']}: {row['source_repo']}:{row['source_path']}: "
                "sha256 differs from the manifest"
            )
            continue
        texts[row["file"]] = data
    for line in bad:
        print(line, file=sys.stderr)
    print(
        f"{len(texts)}/{len(rows)} cards re-created, sha256 "
        f"{'all match' if not bad else f'{len(bad)} failed'}"
    )
    if bad:
        return 1
    if args.check:
        return 0

    if args.out.exists():
        shutil.rmtree(args.out)
    for row in rows:
        data = texts[row["file"]]
        for dest in (args.out / "files" / row["file"], layout_path(args.out, row)):
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    print(f"written to {args.out} (files/, dev/, heldout/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
