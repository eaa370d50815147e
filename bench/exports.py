"""Export benchmark: time and size of every ``lineage export`` format on a synthetic graph.

Writes N synthetic cards (a deterministic family of base models, fine-tunes, mergekit
merges, adapters and quantized repacks, with datasets, licenses, tags, training settings
and scores), builds them into a temporary store, then exports every format once and
prints a table: seconds and bytes per format.

    python bench/exports.py [--cards 10000] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.exporters import EXPORTERS, ExportFormat  # noqa: E402

LICENSES = ["apache-2.0", "mit", "cc-by-nc-4.0", "llama3", "other"]
TAGS = ["chat", "code", "math", "roleplay", "medical", "multilingual", "instruct", "rlhf"]
METHODS = ["ties", "dare_ties", "slerp", "linear", "task_arithmetic"]


def card(i: int, models: list[str], rng: random.Random) -> tuple[str, str]:
    """Return (org/name, README text) of synthetic card ``i``; ``models`` are the earlier ids."""
    org = f"org{i % 997:03d}"
    kind = "base" if i < 20 or i % 25 == 0 else rng.choice(
        ["finetune"] * 5 + ["merge"] * 2 + ["quantized"] * 2 + ["adapter"])
    name = f"{org}/model-{i:06d}-{kind}"
    datasets = [f"data{rng.randrange(500):03d}/set-{rng.randrange(50)}" for _ in range(2)]
    meta = [f"license: {rng.choice(LICENSES)}", "library_name: transformers",
            "datasets:", *[f"- {d}" for d in datasets],
            "tags:", *[f"- {t}" for t in rng.sample(TAGS, 3)], "language:", "- en"]
    body = [f"# {name.split('/')[1]}", ""]
    if kind == "base":
        meta.append("pipeline_tag: text-generation")
        body.append("A model pretrained from scratch on 2 trillion tokens on 64x NVIDIA H100.")
    elif kind == "merge":
        parents = rng.sample(models, 3)
        meta += ["base_model:", *[f"- {p}" for p in parents]]
        weights = "\n".join(f"  - model: {p}\n    parameters:\n      weight: {w}\n"
                            f"      density: 0.5"
                            for p, w in zip(parents[1:], (0.6, 0.4), strict=True))
        body += [f"A {rng.choice(METHODS)} merge.", "", "```yaml", "models:", weights,
                 f"merge_method: {rng.choice(METHODS)}", f"base_model: {parents[0]}",
                 "dtype: bfloat16", "```"]
    else:
        parent = rng.choice(models)
        meta.append(f"base_model: {parent}")
        if kind != "finetune":
            meta.append(f"base_model_relation: {'quantized' if kind == 'quantized' else kind}")
        body += [f"Fine-tuned on top of [{parent}](https://huggingface.co/{parent}) for "
                 f"{rng.randrange(1, 4)} epochs with a learning rate of 2e-5 on "
                 f"{rng.choice([1, 2, 4, 8])}x NVIDIA A100."]
    body += ["", "| Benchmark | Score |", "|---|---|",
             f"| MMLU (5-shot) | {rng.uniform(40, 80):.2f} |",
             f"| GSM8K (5-shot) | {rng.uniform(10, 70):.2f} |"]
    return name, "---\n" + "\n".join(meta) + "\n---\n" + "\n".join(body) + "\n"


def write_cards(root: Path, n: int) -> None:
    rng = random.Random(42)
    models: list[str] = []
    for i in range(n):
        name, text = card(i, models or ["seed-org/seed-model"], rng)
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "README.md").write_text(text, encoding="utf-8")
        models.append(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="Write cards, store and exports here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        started = time.perf_counter()
        write_cards(work / "cards", args.cards)
        print(f"{args.cards:,} cards written in {time.perf_counter() - started:.1f} s")
        store = lineage.open_store(work / "store")
        report = lineage.build([work / "cards"], store=store, jobs=args.jobs)
        print(report.summary() + f"; {store.quad_count():,} quads")
        print("\n| format | seconds | bytes |\n|---|---:|---:|")
        for fmt in ExportFormat:
            out = work / "exports" / EXPORTERS[fmt.value].filename
            started = time.perf_counter()
            written = lineage.export(store=store, fmt=fmt, out=out)
            seconds = time.perf_counter() - started
            size = sum(p.stat().st_size for p in written)
            print(f"| {fmt.value} | {seconds:.2f} | {size:,} |", flush=True)
        store.close()


if __name__ == "__main__":
    main()
