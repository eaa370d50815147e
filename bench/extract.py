"""Extraction benchmark: ``extract(read_card(...))`` per card, in one process.

Times reading (``read_card``) and extraction (``extract``) of each card separately, over
the directories given (synthetic cards from ``gen_cards.py``, real cards), and prints per
set: cards, KB, ms per card (mean, p50, p99, largest), ms per KB of extraction, and the
share of the whole spent in extraction. ``--exhaustive`` times the path without the
prefilter (every rule over the whole text, ``prefilter.set_enabled(False)``) for comparison;
``--scanners`` times one scan per KB for each candidate multi-pattern library.
``--stages`` times each stage of the build's worker path (``lineage.ingest._extract_one``)
instead: read, extract, quads, validate (``Shapes.validate``) and serialise
(``validation_quads`` and ``to_nquads``), as the mean ms per card of each, best of
``--repeat`` per card and stage.

    python bench/gen_cards.py -n 3000 -o /tmp/gen3000 --seed 7
    python bench/extract.py /tmp/gen3000 --real /work/shared/corpus /work/shared/seeds \
        bench/corpus/cards [--exhaustive] [--scanners] [--stages] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def _cards(paths: list[str]) -> list[tuple[object, bytes]]:
    from lineage.ingest import iter_inputs

    out = []
    for p in paths:
        if not Path(p).exists():
            sys.exit(f"{p}: no such file or directory")
        for ci in iter_inputs([p]):
            if ci.error is None:
                data = ci.data if ci.data is not None else ci.path.read_bytes()  # type: ignore[union-attr]
                out.append((ci, data))
    return out


def _time(cards: list[tuple[object, bytes]], repeat: int) -> tuple[list[float], list[float],
                                                                     list[int]]:
    """Return the best-of-``repeat`` read and extraction times (s) and sizes of each card."""
    from lineage.cards import read_card
    from lineage.errors import CardError
    from lineage.extract import extract

    reads, extracts, sizes = [], [], []
    for ci, data in cards:
        best_r = best_e = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                card = read_card(data, ci.source, id_hint=ci.id_hint,  # type: ignore[attr-defined]
                                 id_hint_method=ci.id_hint_method)  # type: ignore[attr-defined]
            except CardError:
                break
            t1 = time.perf_counter()
            extract(card)
            t2 = time.perf_counter()
            best_r, best_e = min(best_r, t1 - t0), min(best_e, t2 - t1)
        if best_e < float("inf"):
            reads.append(best_r)
            extracts.append(best_e)
            sizes.append(len(data))
    return reads, extracts, sizes


_STAGES = ("read", "extract", "quads", "validate", "serialise")


def _stages(cards: list[tuple[object, bytes]], repeat: int) -> tuple[list[list[float]], int]:
    """Return the best-of-``repeat`` seconds of each stage of the worker path, per card.

    The stages are those of ``lineage.ingest._extract_one``, called the same way (the
    card's key and retrieval time as ``prepare`` gives them), each timed on its own.
    """
    from datetime import datetime

    from lineage.cards import DEFAULT_MAX_BYTES, read_card
    from lineage.errors import CardError
    from lineage.extract import extract
    from lineage.ingest import prepare, retrieval_time
    from lineage.rdf import card_quads, to_nquads, validation_quads
    from lineage.shapes import load_shapes, ontology_dir
    from lineage.sources.files import hub_revision

    shapes = load_shapes(ontology_dir())
    retrieved = retrieval_time().isoformat()
    times: list[list[float]] = []
    skipped = 0
    for ci, _ in cards:
        work = prepare(ci, None, retrieved, DEFAULT_MAX_BYTES)  # type: ignore[arg-type]
        if isinstance(work, str) or work is None:
            skipped += 1
            continue
        card_in = work.card
        best = [float("inf")] * len(_STAGES)
        for _ in range(repeat):
            t = [time.perf_counter()]
            try:
                card = read_card(work.data, card_in.source, id_hint=card_in.id_hint,
                                 id_hint_method=card_in.id_hint_method,
                                 max_bytes=work.max_bytes, hub=card_in.hub)
            except CardError:
                break
            t.append(time.perf_counter())
            ex = extract(card)
            t.append(time.perf_counter())
            quads = card_quads(ex, key=work.key, retrieved=datetime.fromisoformat(work.retrieved),
                               revision=hub_revision(card_in.hub))
            t.append(time.perf_counter())
            violations = [v.text for v in shapes.validate(quads)]
            t.append(time.perf_counter())
            to_nquads(quads + validation_quads(work.key, violations, shapes.digest))
            t.append(time.perf_counter())
            best = [min(b, t[i + 1] - t[i]) for i, b in enumerate(best)]
        if best[0] < float("inf"):
            times.append(best)
        else:
            skipped += 1
    return times, skipped


def _report_stages(name: str, times: list[list[float]], skipped: int) -> None:
    means = [1000 * statistics.fmean(t[i] for t in times) for i in range(len(_STAGES))]
    parts = "  ".join(f"{s} {m:6.3f}" for s, m in zip(_STAGES, means, strict=True))
    print(f"{name:10s} cards {len(times):5d} (rejected {skipped})  ms/card: {parts}"
          f"  total {sum(means):6.3f}")


def _report(name: str, reads: list[float], extracts: list[float], sizes: list[int]) -> None:
    ms = sorted(e * 1000 for e in extracts)
    kb = sum(sizes) / 1024
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    biggest = max(range(len(sizes)), key=sizes.__getitem__)
    print(f"{name:10s} cards {len(ms):5d}  KB {kb:9.0f}  extract ms/card mean "
          f"{statistics.fmean(ms):6.3f}"
          f" p50 {ms[len(ms) // 2]:6.3f} p99 {p99:7.3f} max {ms[-1]:7.2f}"
          f"  ms/KB {sum(ms) / kb:6.3f}  largest card {sizes[biggest] / 1024:.0f} KB:"
          f" {extracts[biggest] * 1000:.2f} ms  read ms/card {1000 * statistics.fmean(reads):.3f}")


def _scanners(cards: list[tuple[object, bytes]]) -> None:
    """Time, per candidate library, one scan of each lowered card into offsets by word."""
    import re

    import lineage.extract  # noqa: F401 - the rules register their words
    from lineage.extract import prefilter

    words = list(prefilter.words())
    texts = [d.decode("utf-8", "replace").lower() for _, d in cards]
    kb = sum(len(t.encode()) for t in texts) / 1024
    candidates = {}
    try:
        import ahocorasick

        auto = ahocorasick.Automaton()
        for w in words:
            auto.add_word(w, w)
        auto.make_automaton()

        def pyac(t: str) -> dict[str, list[int]]:
            at: dict[str, list[int]] = {}
            for end, w in auto.iter(t):
                at.setdefault(w, []).append(end - len(w) + 1)
            return at
        candidates["pyahocorasick"] = pyac
    except ImportError:
        print("pyahocorasick: not installed")
    try:
        import ahocorasick_rs

        rs = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard)

        def rsac(t: str) -> dict[str, list[int]]:
            at: dict[str, list[int]] = {}
            for i, start, _ in rs.find_matches_as_indexes(t, overlapping=True):
                at.setdefault(words[i], []).append(start)
            return at
        candidates["ahocorasick-rs"] = rsac
    except ImportError:
        print("ahocorasick-rs: not installed")
    try:
        import hyperscan

        db = hyperscan.Database()
        db.compile(expressions=[re.escape(w).encode() for w in words],
                   ids=list(range(len(words))), flags=[0] * len(words))

        def hs(t: str) -> dict[str, list[int]]:  # byte offsets where words end (not starts)
            at: dict[str, list[int]] = {}
            db.scan(t.encode(), match_event_handler=lambda i, f, to, fl, c:
                    at.setdefault(words[i], []).append(to))
            return at
        candidates["hyperscan"] = hs
    except ImportError:
        print("hyperscan: not installed")
    print(f"{len(words)} anchor words, {len(texts)} cards, {kb:.0f} KB")
    for name, scan in candidates.items():
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            hits = sum(sum(map(len, scan(t).values())) for t in texts)
            best = min(best, time.perf_counter() - t0)
        print(f"  {name:15s} {1000 * best / kb:7.4f} ms/KB  ({hits} hits)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("synthetic", nargs="*", help="directories of synthetic cards")
    ap.add_argument("--real", nargs="*", default=[], help="directories of real cards")
    ap.add_argument("--repeat", type=int, default=1, help="best of N per card")
    ap.add_argument("--exhaustive", action="store_true", help="also time without the prefilter")
    ap.add_argument("--scanners", action="store_true", help="time the candidate libraries")
    ap.add_argument("--stages", action="store_true",
                    help="time each stage of the worker path (read ... serialise)")
    args = ap.parse_args()
    sets = [("synthetic", _cards(args.synthetic)) if args.synthetic else None,
            ("real", _cards(args.real)) if args.real else None]
    if args.stages:
        for s in sets:
            if s is not None:
                _report_stages(s[0], *_stages(s[1], args.repeat))
        return
    if args.scanners:
        for s in sets:
            if s is not None:
                print(s[0])
                _scanners(s[1])
    from lineage.extract import prefilter

    modes = [("1", "")] + ([("0", " (exhaustive)")] if args.exhaustive else [])
    for flag, label in modes:
        prefilter.set_enabled(flag == "1")
        for s in sets:
            if s is not None:
                _report(s[0] + label, *_time(s[1], args.repeat))


if __name__ == "__main__":
    main()
