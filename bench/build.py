"""Build benchmark: ``lineage build`` end to end against a naive peer pipeline.

Generates (or reuses) a synthetic corpus with ``gen_cards.py`` (or, with ``--cards DIR``, copies
real cards), then in one run times:

1. ``lineage build DIR --store S --jobs N --format json`` (a subprocess: wall clock, peak RSS
   of the process tree, store size on disk, and the report's timings: where the time went);
2. the naive peer, also a subprocess: read each card, split the front matter with
   huggingface_hub's regex, ``yaml.load(..., Loader=yaml.SafeLoader)`` (the pure-Python
   loader), and ``rdflib.Graph.add`` one triple at a time for base_model, its relation,
   datasets, license, tags, pipeline_tag, library_name and model-index results;
3. a no-op rebuild of the same store;
4. a rebuild after 1% of the cards changed (a line appended; restored afterwards);
5. with ``--compare-jobs A,B``: two more builds into fresh stores with ``--jobs A`` and
   ``--jobs B`` whose N-Quads exports must be byte-identical (exit 1 otherwise; CI runs
   this on 1,000 cards as a smoke test).

It prints one table (seconds, cards/s, triples, triples/s, peak RSS, bytes of RSS per
triple, store size), the speed ratio lineage / naive and the quads stored per card. The two
do not do the same work: lineage also reads the prose, mergekit blocks and tables, keeps
evidence per fact and writes a persistent store; the naive peer reads only the metadata into
memory.

    python bench/build.py -n 10000 [--jobs N] [--keep DIR] [--seed 0] [--compare-jobs 1,2]
    python bench/build.py --cards ../shared/corpus --cards bench/corpus/cards/dev [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = ".gen_cards.json"
# huggingface_hub.repocard.REGEX_YAML_BLOCK
REGEX_YAML_BLOCK = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")


# ---------------------------------------------------------------------------------------
# The naive peer (run as `build.py --naive DIR`)


def naive(corpus: Path) -> dict[str, float]:
    """Parse every card's metadata with PyYAML's pure-Python loader into one rdflib Graph."""
    import rdflib
    import yaml
    from rdflib import RDF, BNode, Literal, Namespace, URIRef

    started = time.perf_counter()
    hf = Namespace("https://huggingface.co/")
    v = Namespace("https://example.org/hf#")
    g = rdflib.Graph()
    cards = failed = 0
    parse_s = add_s = 0.0
    for path in card_files(corpus):
        rel = path.relative_to(corpus).parts
        text = path.read_text(encoding="utf-8", errors="replace")
        cards += 1
        t0 = time.perf_counter()
        match = REGEX_YAML_BLOCK.search(text)
        try:
            meta = yaml.load(match.group(2), Loader=yaml.SafeLoader) if match else {}
        except yaml.YAMLError:
            failed += 1
            meta = {}
        t1 = time.perf_counter()
        parse_s += t1 - t0
        if not isinstance(meta, dict):
            meta = {}
        model = hf["/".join(rel[-3:-1]) if rel[-1] == "README.md" else "/".join(rel)]
        g.add((model, RDF.type, v.Model))
        bases = meta.get("base_model") or []
        for b in [bases] if isinstance(bases, str) else bases:
            g.add((model, v.baseModel, hf[str(b)]))
        if meta.get("base_model_relation"):
            g.add((model, v.baseModelRelation, Literal(str(meta["base_model_relation"]))))
        for d in meta.get("datasets") or []:
            g.add((model, v.dataset, URIRef(f"https://huggingface.co/datasets/{d}")))
        for key in ("license", "pipeline_tag", "library_name"):
            if meta.get(key):
                g.add((model, v[key], Literal(str(meta[key]))))
        for tag in meta.get("tags") or []:
            g.add((model, v.tag, Literal(str(tag))))
        for entry in meta.get("model-index") or []:
            for result in entry.get("results") or []:
                ds = result.get("dataset") or {}
                for metric in result.get("metrics") or []:
                    r = BNode()
                    g.add((model, v.evalResult, r))
                    g.add((r, v.dataset, Literal(str(ds.get("type")))))
                    g.add((r, v.datasetName, Literal(str(ds.get("name")))))
                    g.add((r, v.metric, Literal(str(metric.get("type")))))
                    g.add((r, v.value, Literal(metric.get("value"))))
        add_s += time.perf_counter() - t1
    return {"cards": cards, "failed": failed, "triples": len(g), "seconds":
            time.perf_counter() - started, "parse_seconds": parse_s, "add_seconds": add_s}


# ---------------------------------------------------------------------------------------
# Measuring a subprocess


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc), 0 when unknown."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with Path(f"/proc/{p}/status").open() as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                stack.extend(int(k) for k in kids)
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    """One measured subprocess."""

    seconds: float
    peak_rss: int  # bytes: max of the sampled process-tree sum and the largest process
    stdout: str
    stderr: str
    code: int


def measure(cmd: list[str]) -> Run:
    """Run ``cmd``; wall clock, and peak RSS of its process tree (sampled every 20 ms)."""
    peak = 0
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, max(peak, usage.ru_maxrss * 1024), out.read().decode(),
                   err.read().decode(), proc.returncode)


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def corpus_for(n: int, seed: int, keep: Path | None) -> Path:
    """A corpus of ``n`` cards: ``keep`` (reused when it was made with the same arguments)."""
    target = keep or Path(tempfile.gettempdir()) / f"lineage-bench-cards-{n}-{seed}"
    marker = target / MARKER
    want = {"n": n, "seed": seed}
    if marker.exists() and json.loads(marker.read_text()) == want:
        print(f"corpus: reusing {target}")
        return target
    sys.path.insert(0, str(HERE))
    from gen_cards import generate

    t0 = time.perf_counter()
    cards, size, kinds, stats = generate(n, target, seed)
    marker.write_text(json.dumps(want))
    print(f"corpus: generated {cards} cards, {size / 1e6:.1f} MB in "
          f"{time.perf_counter() - t0:.1f} s -> {target} ({dict(kinds)}; {stats})")
    return target


def card_files(corpus: Path) -> list[Path]:
    """The card files under ``corpus`` as lineage reads them (``.md`` and ``.txt``)."""
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())


def real_corpus(dirs: list[Path], into: Path) -> Path:
    """Copy the card files of ``dirs`` (real cards) into ``into``, keeping their layout."""
    shutil.rmtree(into, ignore_errors=True)
    for i, source in enumerate(dirs):
        for path in card_files(source):
            target = into / f"{i}-{source.name}" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    print(f"corpus: {len(card_files(into))} real cards from {', '.join(map(str, dirs))}")
    return into


def stored_quads(store: Path) -> int:
    """Count the quads of a built store (in a child process, as the build ran)."""
    code = ("import sys; from lineage.store import open_store; "
            "print(open_store(sys.argv[1], read_only=True).quad_count())")
    run = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True,
                         text=True, check=True)
    return int(run.stdout)


def lineage_cmd() -> list[str]:
    """The ``lineage`` command: the installed script, or this checkout's module."""
    exe = shutil.which("lineage")
    return [exe] if exe else [sys.executable, "-m", "lineage.cli"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="number of cards")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="lineage build --jobs [default: all cores]")
    ap.add_argument("--keep", type=Path, help="corpus directory to create or reuse")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep-store", type=Path,
                    help="copy the store of the full build here (for bench/ancestors.py --store)")
    ap.add_argument("--compare-jobs", metavar="A,B",
                    help="also check that --jobs A and --jobs B give identical N-Quads")
    ap.add_argument("--cards", type=Path, action="append", metavar="DIR",
                    help="real cards instead of generated ones (repeatable; copied first)")
    ap.add_argument("--naive", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.naive is not None:
        print(json.dumps(naive(args.naive)))
        return 0

    if args.cards:
        corpus = real_corpus(args.cards, Path(tempfile.mkdtemp(prefix="lineage-bench-real-")))
    else:
        corpus = corpus_for(args.n, args.seed, args.keep)
    n_cards = len(card_files(corpus))
    corpus_bytes = dir_size(corpus)
    rows: list[tuple[str, Run, int, int | None]] = []  # step, run, triples, store bytes
    with tempfile.TemporaryDirectory(prefix="lineage-bench-store-") as tmp:
        store = Path(tmp) / "store"
        build = [*lineage_cmd(), "build", str(corpus), "--store", str(store),
                 "--jobs", str(args.jobs), "--format", "json"]
        timings: list[tuple[str, float, dict[str, float]]] = []

        def lineage_step(step: str) -> None:
            run = measure(build)
            try:
                report = json.loads(run.stdout)
            except ValueError:
                report = None
            if run.code not in (0, 1) or not isinstance(report, dict):
                print(run.stdout[-2000:], run.stderr[-2000:], sep="\n", file=sys.stderr)
                msg = f"{step}: lineage build exited {run.code}"
                raise SystemExit(msg)
            print(f"{step}: cards ingested {report['ingested']} / skipped unchanged "
                  f"{report['skipped']} / rejected {len(report['rejected'])}, triples "
                  f"{report['triples']} ({run.seconds:.2f} s)")
            rows.append((step, run, int(report["triples"]), dir_size(store)))
            timings.append((step, float(report["seconds"]), report.get("timings", {})))

        lineage_step("lineage build")
        stored = stored_quads(store)
        if args.keep_store is not None:
            shutil.rmtree(args.keep_store, ignore_errors=True)
            shutil.copytree(store, args.keep_store)
        peer = measure([sys.executable, str(Path(__file__).resolve()), "--naive", str(corpus)])
        if peer.code != 0:
            print(peer.stderr[-2000:], file=sys.stderr)
            msg = f"naive peer exited {peer.code}"
            raise SystemExit(msg)
        stats = json.loads(peer.stdout)
        print(f"naive peer: {stats['cards']} cards, {stats['triples']} triples, "
              f"yaml {stats['parse_seconds']:.2f} s, rdflib add {stats['add_seconds']:.2f} s, "
              f"yaml errors {stats['failed']}")
        rows.append(("naive peer", peer, int(stats["triples"]), None))
        lineage_step("no-op rebuild")

        changed = card_files(corpus)[:: 100]
        saved = {p: p.read_bytes() for p in changed}
        try:
            for p in changed:
                with p.open("a", encoding="utf-8") as fh:
                    fh.write("\nUpdated: a line appended by bench/build.py.\n")
            lineage_step(f"rebuild, {len(changed)} changed")
        finally:
            for p, data in saved.items():
                p.write_bytes(data)

    same = compare_jobs(corpus, args.compare_jobs) if args.compare_jobs else True
    print(f"\n{n_cards} cards, {corpus_bytes / 1e6:.1f} MB, lineage --jobs {args.jobs}, "
          f"{os.cpu_count()} cores\n")
    head = (f"{'step':<22}{'seconds':>9}{'cards/s':>10}{'triples':>10}{'triples/s':>11}"
            f"{'peak RSS MB':>13}{'B RSS/triple':>14}{'store MB':>10}")
    print(head)
    print("-" * len(head))
    for step, run, triples, store_bytes in rows:
        tps = f"{triples / run.seconds:,.0f}" if triples else "-"
        per = f"{run.peak_rss / triples:,.0f}" if triples and step in (
            "lineage build", "naive peer") else "-"
        size = f"{store_bytes / 1e6:.1f}" if store_bytes is not None else "-"
        print(f"{step:<22}{run.seconds:>9.2f}{n_cards / run.seconds:>10,.0f}{triples:>10,}"
              f"{tps:>11}{run.peak_rss / 1e6:>13.0f}{per:>14}{size:>10}")
    full, peer_run = rows[0][1], rows[1][1]
    print(f"\nspeed lineage / naive (cards/s): {peer_run.seconds / full.seconds:.2f}x "
          f"(lineage {full.seconds:.2f} s, naive {peer_run.seconds:.2f} s); triples/s: "
          f"{(rows[0][2] / full.seconds) / (rows[1][2] / peer_run.seconds):.2f}x "
          f"({rows[0][2] / max(1, rows[1][2]):.1f}x the triples)")
    for step, seconds, t in timings[:1]:
        if t:
            busy = t["extract"] / (args.jobs * seconds) if seconds else 0.0
            print(f"where the time went ({step}, {seconds:.2f} s in the build): workers "
                  f"{t['extract']:.2f} s of CPU = {busy:.0%} of {args.jobs} x the build; the "
                  f"build process waited {t['wait_extract']:.2f} s for extraction results "
                  f"and {t['wait_load']:.2f} s for loads; loading {t['load']:.2f} s (beside "
                  f"the extraction); settling and flushing {t['finish']:.2f} s")
    store_bytes = rows[0][3] or 0
    print(f"store on disk: {store_bytes / max(1, rows[0][2]):.0f} bytes per quad")
    print(f"quads stored: {stored:,}, {stored / max(1, n_cards):.1f} per card "
          f"({rows[0][2] / max(1, n_cards):.1f} written per card, shared declarations repeated)")
    return 0 if same else 1


def compare_jobs(corpus: Path, spec: str) -> bool:
    """Build ``corpus`` with two ``--jobs`` values; True when their N-Quads are identical."""
    a, b = (int(x) for x in spec.split(","))
    dumps = []
    with tempfile.TemporaryDirectory(prefix="lineage-bench-jobs-") as tmp:
        for jobs in (a, b):
            store, out = Path(tmp) / f"store-{jobs}", Path(tmp) / f"out-{jobs}.nq"
            for cmd in ([*lineage_cmd(), "build", str(corpus), "--store", str(store),
                         "--jobs", str(jobs), "-q"],
                        [*lineage_cmd(), "export", "--store", str(store), "--format", "nq",
                         "-o", str(out)]):
                run = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                     env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
                if run.returncode not in (0, 1):
                    msg = f"{' '.join(cmd)} exited {run.returncode}: {run.stderr[-500:]}"
                    raise SystemExit(msg)
            dumps.append(out.read_bytes())
    same = dumps[0] == dumps[1] and len(dumps[0]) > 0
    print(f"identical N-Quads for --jobs {a} and --jobs {b}: {'yes' if same else 'NO'} "
          f"({len(dumps[0]):,} and {len(dumps[1]):,} bytes)")
    return same


if __name__ == "__main__":
    sys.exit(main())
