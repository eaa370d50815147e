"""Dump benchmark: ``lineage build DUMP.parquet`` on a synthetic parquet dump of cards.

Writes (or reuses) a parquet dump in the layout of ``librarian-bots/model_cards_with_metadata``
(``modelId``, ``card``, ``author``, ``downloads``, ``likes``, ``library_name``, ``tags``,
``pipeline_tag``, ``createdAt``, ``last_modified``) whose cards come from ``gen_cards.py``'s
generator, each followed by a GGUF-style file table with sha256 hashes: realistic,
incompressible content, so that the dump reaches its size on disk (``--size`` MB, about
6 KB a row) with a moderate number of cards. Then it runs ``lineage build DUMP --store S
-q`` as a subprocess and prints cards/s and the peak RSS of the process tree (``measure``
from ``build.py``). Run it at two sizes: the peak RSS should not grow with the dump.

    python bench/dump.py --size 100 [--jobs N] [--out DUMP.parquet] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build import lineage_cmd, measure  # noqa: E402 - bench scripts sit side by side

ROW_BYTES = 6_000  # on disk, as measured: the card (snappy-compressed) and its file table
GROUP_ROWS = 1000
_SUMMARY = re.compile(r"cards ingested (\d+) / skipped unchanged (\d+) / rejected (\d+), "
                      r"triples (\d+)")
QUANTS = ["Q2_K", "Q3_K_S", "Q3_K_M", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K",
          "Q8_0", "IQ2_XS", "IQ3_M", "IQ4_XS", "F16"]


def file_table(rng: random.Random, name: str, lines: int) -> str:
    """A GGUF repack's file list: names, quant types, sizes and sha256 hashes."""
    rows = ["", "## Files", "", "| File | Quant | Size | SHA256 |", "|---|---|---|---|"]
    for i in range(lines):
        quant = QUANTS[i % len(QUANTS)]
        part = i // len(QUANTS) + 1
        digest = rng.getrandbits(256).to_bytes(32, "big").hex()
        rows.append(f"| {name}-{quant}-{part:05d}-of-00008.gguf | {quant} | "
                    f"{rng.uniform(0.5, 40):.2f} GB | {digest} |")
    return "\n".join(rows) + "\n"


def write_dump(out: Path, size_mb: int, seed: int) -> tuple[int, int]:
    """Write the dump; return (rows, bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from gen_cards import Forest, _word, make_orgs, render

    rows = max(GROUP_ROWS, size_mb * 1_000_000 // ROW_BYTES)
    models = Forest(rows, seed).grow()
    rng = random.Random(seed * 7919 + 1)  # as gen_cards.generate
    pool_orgs = make_orgs(random.Random(seed + 17), 60)
    kinds = ["Instruct", "Chat", "Math", "Code", "Pref", "SFT"]
    pools = [f"{rng.choice(pool_orgs)}/{_word(rng).capitalize()}-{rng.choice(kinds)}"
             f"-{rng.choice(['10k', '50k', '100k', '1M'])}" for _ in range(400)]
    for m in models:
        if m.kind == "merge" and m.extra["method"] in ("ties", "dare_ties", "della",
                                                       "task_arithmetic", "model_stock"):
            m.extra["base"] = m.root if rng.random() < 0.7 else m.parents[0]
    schema = pa.schema([("modelId", pa.string()), ("author", pa.string()),
                        ("last_modified", pa.timestamp("us", tz="UTC")),
                        ("downloads", pa.int64()), ("likes", pa.int64()),
                        ("library_name", pa.string()), ("tags", pa.list_(pa.string())),
                        ("pipeline_tag", pa.string()),
                        ("createdAt", pa.timestamp("us", tz="UTC")), ("card", pa.string())])
    epoch = datetime(2023, 1, 1, tzinfo=timezone.utc)
    tmp = out.with_name(out.name + ".tmp")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for start in range(0, len(models), GROUP_ROWS):
            batch: dict[str, list[object]] = {name: [] for name in schema.names}
            for m in models[start:start + GROUP_ROWS]:
                card = render(m, models, rng, pools) + file_table(rng, m.name, 60)
                created = epoch + timedelta(minutes=rng.randrange(800_000))
                parents = [models[p].rid for p in m.parents]
                batch["modelId"].append(m.rid)
                batch["author"].append(m.org)
                batch["createdAt"].append(created)
                batch["last_modified"].append(created + timedelta(days=rng.randrange(300)))
                batch["downloads"].append(int(rng.paretovariate(1.2) * 10))
                batch["likes"].append(int(rng.paretovariate(1.5)))
                batch["library_name"].append("transformers" if m.kind != "quantized" else None)
                batch["pipeline_tag"].append("text-generation")
                batch["tags"].append(["transformers", "safetensors"] +
                                     [f"base_model:{p}" for p in parents])
                batch["card"].append(card)
            writer.write_table(pa.table(batch, schema=schema))
    tmp.replace(out)
    return len(models), out.stat().st_size


def dump_for(size_mb: int, seed: int, out: Path | None) -> Path:
    """The dump of ``size_mb``: ``out`` (reused when made with the same arguments)."""
    target = out or Path(tempfile.gettempdir()) / f"lineage-bench-dump-{size_mb}MB-{seed}.parquet"
    marker = target.with_name(target.name + ".json")
    want = {"size_mb": size_mb, "seed": seed, "row_bytes": ROW_BYTES}
    if target.exists() and marker.exists() and json.loads(marker.read_text()) == want:
        print(f"dump: reusing {target} ({target.stat().st_size / 1e6:.0f} MB)")
        return target
    t0 = time.perf_counter()
    rows, size = write_dump(target, size_mb, seed)
    marker.write_text(json.dumps(want))
    print(f"dump: wrote {rows} rows, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s "
          f"-> {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1000, help="dump size on disk, MB")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, help="dump file to create or reuse")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    dump = dump_for(args.size, args.seed, args.out)
    with tempfile.TemporaryDirectory(prefix="lineage-bench-dump-store-") as tmp:
        run = measure([*lineage_cmd(), "build", str(dump), "--store", str(Path(tmp) / "s"),
                       "--jobs", str(args.jobs), "-q"])
    m = _SUMMARY.search(run.stdout)
    if run.code not in (0, 1) or m is None:
        print(run.stdout[-2000:], run.stderr[-2000:], sep="\n", file=sys.stderr)
        return 1
    cards = int(m.group(1))
    print(f"{m.group(0)}")
    print(f"dump {dump.stat().st_size / 1e6:.0f} MB, {cards} cards in {run.seconds:.1f} s: "
          f"{cards / run.seconds:.0f} cards/s, {dump.stat().st_size / 1e6 / run.seconds:.1f} "
          f"MB/s; peak RSS of the process tree {run.peak_rss / 2**20:.0f} MiB (jobs {args.jobs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
