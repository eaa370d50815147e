"""Extraction accuracy on the development corpus, against the gold annotations.

Builds every card of ``../shared/corpus/cards`` (laid out as ``org/name/README.md`` when the
manifest knows the id), reads ``lineage show`` for each, compares with
``bench/gold/corpus.jsonl`` and prints per-field precision, recall and F1 beside the plain
``huggingface_hub`` metadata parse, then the misses and false facts.

    python bench/accuracy.py [--shared ../shared] [--strict] [--details]

With ``--strict`` the exit code is 1 when a target of the accuracy issue is missed.
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
from lineage.cards import read_card  # noqa: E402
from lineage.errors import CardError, LineageError  # noqa: E402

TARGETS = {
    ("parents", "precision"): 0.98,
    ("parents", "recall"): 0.97,
    ("relation", "accuracy"): 0.97,
    ("parents (no base_model)", "recall"): 0.95,
    ("datasets", "precision"): 0.95,
    ("datasets", "recall"): 0.95,
    ("license", "accuracy"): 0.99,
    ("hardware", "recall"): 0.95,
}


@dataclass
class Tally:
    """Counts for one field: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def add(self, card: str, gold: set[str], got: set[str]) -> None:
        self.tp += len(gold & got)
        self.fp += len(got - gold)
        self.fn += len(gold - got)
        self.misses += [f"{card}: {x}" for x in sorted(gold - got)]
        self.false += [f"{card}: {x}" for x in sorted(got - gold)]

    @property
    def precision(self) -> float | None:
        """None when nothing was found (undefined, not perfect)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision or 0.0, self.recall or 0.0
        if self.precision is None and self.recall is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def norm_id(text: str) -> str:
    return re.sub(r"\\", "/", text.strip()).casefold()


def norm_dataset(text: str) -> str:
    t = text.strip().casefold()
    t = re.sub(r"^https?://huggingface\.co/datasets/", "", t)
    return re.sub(r"\s+(data\s*set|dataset)s?$", "", t)


def _matching(name: str, gold: set[str]) -> str:
    """A name written with its acronym ("Colossal Clean Crawled Corpus (C4)") counts as
    the gold entry that is the acronym or the name without it."""
    m = re.fullmatch(r"(.+?)\s*\(([^)]+)\)", name)
    if m is not None:
        for alt in (m.group(2).strip(), m.group(1).strip()):
            if alt in gold:
                return alt
    return name


def accel_key(name: str) -> str:
    """The accelerator model token, for matching: "NVIDIA A100 80GB" -> "a100"."""
    m = re.search(
        r"(?i)(gh200|[hb]200|h100|h800|a100|a800|a10g|a10|a40|a6000|a5000|l40s|l40|l4|v100|"
        r"t4|p100|rtx\s*\d{4}(?:\s*ti)?|mi\d{3}x?|gaudi\s*\d?|tpu\s*v\d\w*)",
        name,
    )
    return re.sub(r"\s+", "", m.group(1).casefold()) if m else name.casefold()


def lay_out(shared: Path, into: Path) -> dict[str, Path]:
    """Copy each corpus card to org/name/README.md (or keep its file name); file -> path."""
    paths = {}
    with (shared / "corpus" / "MANIFEST.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            src = shared / "corpus" / "cards" / row["file"]
            rid = row["hf_model_id_if_known"].strip()
            dest = into / rid / "README.md" if rid else into / "_unknown" / row["file"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes())
            paths[row["file"]] = dest
    return paths


def lineage_view(
    store: Path, sources: dict[str, Path]
) -> tuple[dict[str, dict[str, Any] | None], dict[str, str]]:
    """`show` output per corpus file (None when the card was rejected), and rejections."""
    root = next(iter(sources.values())).parents[
        1 if "_unknown" in str(next(iter(sources.values()))) else 2
    ]
    report = lineage.build([root], store=store, jobs=1)
    names = {p.as_posix(): n for n, p in sources.items()}
    rejected = {names.get(s, s): r for s, r in report.rejected}
    rows = lineage.query(str(ROOT / "bench" / "card_models.rq"), store=store)
    assert isinstance(rows, list)
    # The model IRI, not its label: cards known by one bare name are different models.
    by_source = {r["src"]: r["m"] if "huggingface.co/" not in r["m"] else r["label"]
                 for r in rows}
    out: dict[str, dict[str, Any] | None] = {}
    for name, path in sources.items():
        label = by_source.get(path.as_posix())
        out[name] = lineage.show(label, store=store) if label else None
    return out, rejected


def reference_view(path: Path) -> dict[str, Any] | None:
    """What the plain huggingface_hub metadata parse finds."""
    from huggingface_hub import ModelCard

    try:
        data = ModelCard(
            path.read_text(encoding="utf-8", errors="replace"), ignore_metadata_errors=True
        ).data
    except Exception:  # the reference parser raises assorted errors on broken cards
        return None
    base = data.base_model or []
    base = [base] if isinstance(base, str) else [b for b in base if isinstance(b, str)]
    datasets = data.datasets or []
    datasets = (
        [datasets] if isinstance(datasets, str) else [d for d in datasets if isinstance(d, str)]
    )
    try:
        results = data.eval_results or []
    except Exception:
        results = []
    lic = data.license if isinstance(data.license, str) else None
    return {
        "parents": [{"id": b, "relation": None} for b in base],
        "datasets": [{"id": d, "name": d} for d in datasets],
        "license": {"id": lic},
        "hardware": [],
        "scores": results,
        "training": {},
    }


def has_base_model(path: Path) -> bool:
    try:
        return bool(read_card(path.read_bytes(), str(path)).meta.get("base_model"))
    except CardError:
        return False


def score(
    gold: list[dict[str, Any]], views: dict[str, dict[str, Any] | None], paths: dict[str, Path]
) -> dict[str, Tally]:
    t: dict[str, Tally] = defaultdict(Tally)
    for g in gold:
        name = g["file"]
        v = views.get(name) or {
            "parents": [],
            "datasets": [],
            "license": {"id": None},
            "hardware": [],
            "scores": [],
            "training": {},
        }
        gp = {norm_id(p["id"]): p for p in g["parents"]}
        # The gold keeps a local path as the card wrote it; lineage resolves it to the Hub
        # id the card names elsewhere and shows the path as "written": the same parent.
        vp = {}
        for p in v["parents"]:
            key, written = norm_id(p["id"]), norm_id(str(p.get("written") or ""))
            vp[written if key not in gp and written in gp else key] = p
        t["parents"].add(name, set(gp), set(vp))
        if not has_base_model(paths[name]):
            t["parents (no base_model)"].add(name, set(gp), set(vp))
        for k in set(gp) & set(vp):
            want = gp[k]["relation"]
            got = {"derived": "unknown"}.get(vp[k]["relation"], vp[k]["relation"])
            t["relation"].add(name, {f"{k} {want}"}, {f"{k} {got}"})
            if want == "merge":
                for attr in ("role", "method", "weight", "density"):
                    w, o = gp[k].get(attr), vp[k].get(attr)
                    if w is not None:
                        t[f"merge {attr}"].add(name, {f"{k} {w}"}, {f"{k} {o}"})
        gd = {norm_dataset(d) for d in g["datasets"]}
        vd = {_matching(norm_dataset(d["id"] or d["name"]), gd) for d in v["datasets"]}
        t["datasets"].add(name, gd, vd)
        gl = (g.get("license") or "").casefold() or None
        vl = (v["license"]["id"] or "").casefold() or None
        t["license"].add(name, {gl} if gl else set(), {vl} if vl else set())
        gh = {accel_key(h["accelerator"]) for h in g["hardware"]}
        vh = {accel_key(h["accelerator"]) for h in v["hardware"]}
        t["hardware"].add(name, gh, vh)
        gc = {
            f"{accel_key(h['accelerator'])} x{h.get('count')}"
            for h in g["hardware"]
            if h.get("count")
        }
        vc = {
            f"{accel_key(h['accelerator'])} x{h.get('count')}"
            for h in v["hardware"]
            if h.get("count")
        }
        t["hardware count"].add(name, gc, vc)
        for key in ("epochs", "learning_rate", "batch_size", "tokens", "framework", "cost"):
            gv = (g.get("training") or {}).get(key)
            vv = (v.get("training") or {}).get(key)
            t[f"training {key}"].add(
                name, {f"{gv}"} if gv is not None else set(), {f"{vv}"} if vv is not None else set()
            )
        gs, vs = g["scores"], len(v["scores"])
        t["scores (count exact)"].add(name, {f"{gs}"}, {f"{vs}"})
    return t


def _f(value: float | None, width: int) -> str:
    """A figure, or "-" where nothing was found to measure."""
    return f"{value:>{width}.3f}" if value is not None else f"{'-':>{width}}"


def accuracy(t: Tally) -> float:
    """For single-valued fields: correct over cards where either side has a value."""
    return t.tp / (t.tp + max(t.fp, t.fn)) if t.tp + max(t.fp, t.fn) else 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--details", action="store_true", help="list every miss and false fact")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    gold = [
        json.loads(line)
        for line in (ROOT / "bench" / "gold" / "corpus.jsonl").open(encoding="utf-8")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        paths = lay_out(args.shared, Path(tmp) / "cards")
        try:
            views, rejected = lineage_view(Path(tmp) / "store", paths)
        except LineageError as exc:
            print(f"build failed: {exc}", file=sys.stderr)
            return 2
        ref_views = {name: reference_view(p) for name, p in paths.items()}
        ours, ref = score(gold, views, paths), score(gold, ref_views, paths)
    print(
        f"cards: {len(gold)}; ingested {sum(v is not None for v in views.values())}; "
        f"rejected {len(rejected)}"
    )
    for _name, reason in sorted(rejected.items()):
        print(f"  rejected: {reason}")
    print()
    print(f"{'field':<26} {'lineage P':>9} {'R':>6} {'F1':>6}   {'hf_hub P':>8} {'R':>6} {'F1':>6}")
    figures: dict[str, dict[str, float]] = {}
    for key in sorted(ours, key=lambda k: (not k.startswith(("parents", "relation")), k)):
        o, r = ours[key], ref[key]
        print(
            f"{key:<26} {_f(o.precision, 9)} {_f(o.recall, 6)} {_f(o.f1, 6)}   "
            f"{_f(r.precision, 8)} {_f(r.recall, 6)} {_f(r.f1, 6)}"
        )
        figures[key] = {
            "precision": o.precision,
            "recall": o.recall,
            "f1": o.f1,
            "accuracy": accuracy(o),
            "ref_precision": r.precision,
            "ref_recall": r.recall,
            "ref_f1": r.f1,
        }
    print()
    missed = []
    for (key, measure), target in TARGETS.items():
        value = figures.get(key, {}).get(measure) or 0.0
        ok = value >= target
        print(f"target {key} {measure} >= {target}: {value:.3f} {'ok' if ok else 'MISSED'}")
        if not ok:
            missed.append(key)
    if args.details or not args.strict:
        for key in ("parents", "relation", "datasets", "license", "hardware"):
            t = ours[key]
            if t.misses or t.false:
                print(f"\n{key}: {len(t.misses)} missed, {len(t.false)} false")
                for m in t.misses:
                    print(f"  miss  {m}")
                for m in t.false:
                    print(f"  false {m}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
