"""Named-query benchmark: time every ``queries/*.rq`` example on a store that grows.

Builds the example family (``examples/cards``, 12 cards) plus N renamed copies of it
(``acme-ai-7/Acme-7B``...), then runs each query's header example five times and prints
the best and median time. A query about one model should take about as long with 100
copies as with none: its time must follow its result, not the size of the store (Oxigraph
hashes whole patterns in some joins; the queries are written so that it looks them up).

    python bench/queries.py [--copies 0 20 150] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.named_queries import list_queries, parse_params, prefixed  # noqa: E402
from lineage.store import open_store  # noqa: E402

EXAMPLES = ROOT / "examples" / "cards"
ORGS = ["acme-ai", "bluefin", "lonewolf", "medtune", "mergecraft", "nightowl", "orchard-lab",
        "pomme-ai"]
_ORG = "|".join(map(re.escape, ORGS))
# An org in an id (org/name) or in a leaderboard details link (details_org__name).
_ID = re.compile(rf"(?<![\w-])({_ORG})(?=/|__)|(?<=details_)({_ORG})(?=__)")


def write_copies(out: Path, copies: int) -> None:
    """The example cards, and ``copies`` renamed copies of the whole family."""
    for card in sorted(EXAMPLES.rglob("README.md")):
        rel = card.relative_to(EXAMPLES)
        text = card.read_text(encoding="utf-8")
        for n in range(-1, copies):
            dest = out / (str(rel) if n < 0 else f"{rel.parts[0]}-{n}/{rel.parts[1]}/README.md")
            dest.parent.mkdir(parents=True, exist_ok=True)
            body = text if n < 0 else _ID.sub(rf"\1\2-{n}", text)
            dest.write_text(body, encoding="utf-8")


def time_queries(store: Path) -> dict[str, tuple[int, float, float]]:
    """Each named query: (rows, best ms, median ms) of its header example."""
    s = open_store(store, read_only=True)
    out = {}
    try:
        for q in list_queries():
            args = shlex.split(q.examples[0])[3:]
            bound = parse_params(q, [args[i + 1] for i in range(0, len(args), 2)])
            text = prefixed(q.text)
            times, n = [], 0
            for _ in range(5):
                start = time.perf_counter()
                n = len(list(s.query(text, bound)))
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            out[q.name] = (n, times[0], times[2])
    finally:
        s.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[0, 20, 150])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    opts = parser.parse_args()
    results = {}
    for copies in opts.copies:
        with tempfile.TemporaryDirectory() as tmp:
            cards = Path(tmp) / "cards"
            write_copies(cards, copies)
            report = lineage.build([cards], store=Path(tmp) / "store", jobs=opts.jobs)
            assert report.ok, report.rejected
            results[report.ingested] = time_queries(Path(tmp) / "store")
    sizes = list(results)
    print(f"{'query':<22}" + "".join(f"{f'{n} cards: rows best/median ms':>36}" for n in sizes))
    for name in results[sizes[0]]:
        cells = (f"{results[n][name][0]:>10} {results[n][name][1]:>10.2f} "
                 f"{results[n][name][2]:>10.2f}    " for n in sizes)
        print(f"{name:<22}" + "".join(cells))


if __name__ == "__main__":
    main()
