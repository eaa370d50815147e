"""Which model does lineage think each card is about? Card identity on loose layouts.

Lays the development corpus out as a scrape would (the organisation dropped): once as
``NAME/README.md`` folders and once as flat ``NAME.md`` files, builds each layout into a
fresh store and compares the id lineage adopts for every card with the known id (the
corpus manifest, else the gold annotation). Prints, per layout:

- adopted ``org/name`` ids right and wrong, and their precision;
- cards left with a bare name (the organisation unknown);
- ids shared by cards of different models (unrelated cards merged);
- parents that are local paths, placeholders or sentence fragments yet shown as resolved;
- local paths the card itself resolves (a Hub id it names elsewhere ends in the path's last
  part) and how many of them lineage resolved.

    python bench/identity.py [--shared ../shared] [--strict] [--details]

With ``--strict`` the exit code is 1 when a target of the identity issue is missed
(precision >= 0.99, no shared id, no junk resolved parent, every resolvable path resolved).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.errors import LineageError  # noqa: E402

_CARDS = """\
SELECT DISTINCT ?src ?m ?label WHERE {
  GRAPH ?g { ?g lin:sourceLocation ?src ; lin:describes ?m }
  OPTIONAL { ?m rdfs:label ?label }
}"""
_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_PATHLIKE = re.compile(r"^(?:[A-Za-z]:[\\/]|[./~\\]|.*[\\/].*[\\/])")
_HUB_TOKEN = re.compile(r"(?:huggingface\.co/|(?<![\w./\\-]))"
                        r"([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)(?![\w/\\])")


@dataclass
class Figures:
    """What one layout gives."""

    cards: int = 0
    right: int = 0
    wrong: int = 0
    bare: int = 0
    unidentified: int = 0
    shared: int = 0
    junk_resolved: int = 0
    resolvable_paths: int = 0
    paths_resolved: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        adopted = self.right + self.wrong
        return self.right / adopted if adopted else None


def card_file(shared: Path, corpus: str, file: str) -> Path:
    """The text of one card of a corpus (``shared``, or a half of ``bench/corpus``)."""
    if corpus == "shared":
        return shared / "corpus" / "cards" / file
    return ROOT / "bench" / "corpus" / "cards" / "files" / file


def known_ids(shared: Path, corpus: str = "shared") -> dict[str, str]:
    """Corpus file -> known ``org/name`` id (manifest first, then the gold)."""
    ids: dict[str, str] = {}
    if corpus != "shared":  # a half of bench/corpus: its manifest, else its gold
        with (ROOT / "bench" / "corpus" / "manifest.tsv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row["split"] == corpus and _ID.fullmatch(row["known_id"].strip()):
                    ids[row["file"]] = row["known_id"].strip()
        gold_file = ROOT / "bench" / "gold" / f"{corpus}.jsonl"
        for line in gold_file.read_text().splitlines() if gold_file.is_file() else []:
            gold = json.loads(line)
            if gold["file"] not in ids and gold.get("id") and _ID.fullmatch(gold["id"]):
                ids[gold["file"]] = gold["id"]
        return ids
    with (shared / "corpus" / "MANIFEST.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["hf_model_id_if_known"].strip():
                ids[row["file"]] = row["hf_model_id_if_known"].strip()
    for line in (ROOT / "bench" / "gold" / "corpus.jsonl").read_text().splitlines():
        gold = json.loads(line)
        if gold["file"] not in ids and gold.get("id") and _ID.fullmatch(gold["id"]):
            ids[gold["file"]] = gold["id"]
    return ids


def lay_out(shared: Path, ids: dict[str, str], into: Path, flat: bool,
            corpus: str = "shared") -> dict[str, Path]:
    """Write each card as ``NAME/README.md`` or ``NAME.md``; file -> path.

    Cards whose names repeat go to further roots (``root1``...), as separate folders would.
    """
    paths: dict[str, Path] = {}
    taken: dict[str, int] = defaultdict(int)
    for file, rid in sorted(ids.items()):
        name = rid.rsplit("/", 1)[-1]
        n = taken[name.casefold()]
        taken[name.casefold()] += 1
        root = into / f"root{n}"
        dest = root / f"{name}.md" if flat else root / name / "README.md"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(card_file(shared, corpus, file).read_bytes())
        paths[file] = dest
    return paths


def resolvable(text: str, path: str) -> str | None:
    """The Hub id named in ``text`` whose name the local ``path`` ends in, if exactly one."""
    last = re.split(r"[\\/]", path.rstrip("/\\"))[-1].casefold()
    hits = set()
    for m in _HUB_TOKEN.finditer(text):
        org, name = m.group(1), m.group(2)
        if last in (name.casefold(), f"{org}_{name}".casefold(), f"{org}--{name}".casefold()):
            hits.add(f"{org}/{name}".casefold())
    return hits.pop() if len(hits) == 1 else None


def junk(parent: dict[str, Any]) -> bool:
    """A parent shown as resolved that is a local path, placeholder or fragment."""
    if parent.get("resolved") is False:
        return False
    pid = str(parent.get("id") or "")
    return bool(_PATHLIKE.match(pid) or " " in pid.strip() or
                (not _ID.fullmatch(pid) and "/" in pid))


def measure(shared: Path, flat: bool, work: Path, corpus: str = "shared") -> Figures:
    """Build one layout and compare."""
    ids = known_ids(shared, corpus)
    work = work / corpus
    paths = lay_out(shared, ids, work / ("flat" if flat else "nested"), flat, corpus)
    store_dir = work / ("store-flat" if flat else "store-nested")
    store = lineage.open_store(store_dir)
    roots = sorted({p.parent if flat else p.parent.parent for p in paths.values()})
    lineage.build([str(r) for r in roots], store=store, jobs=1)
    rq = work / "cards.rq"
    rq.write_text(_CARDS)
    rows = lineage.query(str(rq), store=store)
    assert isinstance(rows, list)
    by_src: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_src[r["src"]].append(r)
    fig = Figures(cards=len(paths))
    models: dict[str, set[str]] = defaultdict(set)
    for file, path in sorted(paths.items()):
        truth = ids[file]
        found = by_src.get(path.as_posix()) or by_src.get(str(path)) or []
        if not found:
            fig.unidentified += 1
            fig.details.append(f"{file}: not built")
            continue
        row = found[0]
        models[row["m"]].add(truth.casefold())
        adopted = row["m"].removeprefix("https://huggingface.co/")
        if row["m"].startswith("https://huggingface.co/") and "/" in adopted:
            if adopted.casefold() == truth.casefold():
                fig.right += 1
            else:
                fig.wrong += 1
                fig.details.append(f"{file}: adopted {adopted}, is {truth}")
        else:
            fig.bare += 1
        try:
            shown = lineage.show(row["m"], store=store)
        except LineageError as exc:
            fig.details.append(f"{file}: show failed: {exc}")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for parent in shown["parents"]:
            if junk(parent):
                fig.junk_resolved += 1
                fig.details.append(f"{file}: junk parent shown as resolved: {parent['id']!r}")
        for parent in shown["parents"]:
            written = str(parent.get("written") or parent.get("id") or "")
            if _PATHLIKE.match(written) or ("/" in written and not _ID.fullmatch(written)):
                target = resolvable(text, written)
                if target is None:
                    continue
                fig.resolvable_paths += 1
                if parent.get("resolved") is not False and str(parent["id"]).casefold() == target:
                    fig.paths_resolved += 1
                else:
                    fig.details.append(f"{file}: path {written!r} not resolved to {target}")
    for m, truths in sorted(models.items()):
        if len(truths) > 1:
            fig.shared += 1
            fig.details.append(f"shared id {m}: {sorted(truths)}")
    return fig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--details", action="store_true",
                        help="list every wrong id and junk parent (never for heldout)")
    parser.add_argument("--corpus", action="append", choices=["shared", "dev", "heldout"],
                        help="the 84 shared cards (default), or a half of bench/corpus "
                             "(run bench/corpus/make.py first); repeatable")
    args = parser.parse_args()
    ok = True
    print(f"{'layout':<22}{'cards':>6}{'right':>7}{'wrong':>7}{'prec.':>7}{'bare':>6}"
          f"{'shared':>8}{'junk':>6}{'paths':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for corpus, flat in [(c, f) for c in args.corpus or ["shared"] for f in (False, True)]:
            fig = measure(args.shared, flat, Path(tmp), corpus)
            p = fig.precision
            layout = "NAME.md" if flat else "NAME/README.md"
            layout = layout if corpus == "shared" else f"{corpus}:{layout}"
            print(f"{layout:<22}{fig.cards:>6}{fig.right:>7}"
                  f"{fig.wrong:>7}{(f'{p:.3f}' if p is not None else '-'):>7}{fig.bare:>6}"
                  f"{fig.shared:>8}{fig.junk_resolved:>6}"
                  f"{f'{fig.paths_resolved}/{fig.resolvable_paths}':>8}")
            if args.details and corpus != "heldout":
                for line in fig.details:
                    print("   ", line)
            ok &= (p is None or p >= 0.99) and fig.shared == 0 and fig.junk_resolved == 0 and \
                fig.paths_resolved == fig.resolvable_paths
    print("columns: right/wrong = adopted org/name ids; bare = no organisation adopted; shared = "
          "ids claimed by cards of different models; junk = local paths, placeholders or "
          "fragments shown as resolved parents; paths = resolvable local paths resolved")
    if args.strict and not ok:
        print("identity targets missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
