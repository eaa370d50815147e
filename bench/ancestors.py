"""Ancestors benchmark: the networkx view against a SPARQL property path on a deep model.

Writes N synthetic cards (the deterministic family of ``bench/exports.py``, with every
K-th card turned into the next link of a chain of fine-tunes, L links a chain, so that
deep models exist), builds them into a temporary store, picks the model with the most
ancestors and times, in one open store: building (or reading back) the networkx view;
its ancestors from the view (``lineage.analysis.ancestors`` on the view and on its bare
graph, and plain ``nx.descendants``, edges going from child to parent); and the same by
SPARQL (``?m lin:derivedFrom+ ?a`` with ``?m`` bound,
and the named query ``ancestors``). Checks that all five give the same set and prints a
table of median and p95 times.

    python bench/ancestors.py [-n 10000] [--reps 200] [--chain-every 10] [--chain-length 16]
                              [--jobs N] [--keep DIR]
    python bench/ancestors.py --store DIR    # time an existing store (e.g. bench/build.py's)
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import networkx as nx  # noqa: E402
import pyoxigraph as ox  # noqa: E402

import lineage  # noqa: E402
from exports import LICENSES, card  # noqa: E402
from lineage.analysis import ancestors  # noqa: E402
from lineage.graph import lineage_graph  # noqa: E402
from lineage.ns import LIN_IRI  # noqa: E402
from lineage.store import Store  # noqa: E402
from lineage.view import LineageView  # noqa: E402

DEEP = 12  # a model this many derivation steps below a root is deep
PATH_QUERY = f"PREFIX lin: <{LIN_IRI}>\nSELECT DISTINCT ?a WHERE {{ ?m lin:derivedFrom+ ?a }}"


def chain_card(i: int, parent: str, rng: random.Random) -> tuple[str, str]:
    """Return (org/name, README text) of synthetic card ``i``, a plain fine-tune of ``parent``."""
    name = f"org{i % 997:03d}/model-{i:06d}-finetune"
    meta = [f"license: {rng.choice(LICENSES)}", "library_name: transformers",
            f"base_model: {parent}"]
    body = [f"# {name.split('/')[1]}", "",
            f"Fine-tuned on top of [{parent}](https://huggingface.co/{parent}) for 1 epoch."]
    return name, "---\n" + "\n".join(meta) + "\n---\n" + "\n".join(body) + "\n"


def write_cards(root: Path, n: int, *, chain_every: int, chain_length: int) -> None:
    """Write ``n`` cards as ``root/org/name/README.md``.

    Card ``i`` (from 20 on) with ``i % chain_every == chain_every - 1`` is the next link of
    the current chain: a fine-tune of the chain's previous card, or, every ``chain_length``
    links, the head of a new chain fine-tuning a random earlier model. The other cards are
    ``exports.card``'s; with ``chain_every`` 0 the corpus is exactly ``bench/exports.py``'s.
    """
    rng = random.Random(42)
    models: list[str] = []
    chain: list[str] = []
    for i in range(n):
        if chain_every and i >= 20 and i % chain_every == chain_every - 1:
            parent = rng.choice(models) if len(chain) % chain_length == 0 else chain[-1]
            name, text = chain_card(i, parent, rng)
            chain.append(name)
        else:
            name, text = card(i, models or ["seed-org/seed-model"], rng)
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "README.md").write_text(text, encoding="utf-8")
        models.append(name)


def ancestry(g: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Map each model to (number of ancestors, edges of its longest chain up to a root)."""
    if not nx.is_directed_acyclic_graph(g):
        sys.exit("the synthetic graph has a cycle: cannot rank its models by ancestry")
    # Parents before children; a model's ancestors as a bitset over model positions.
    order = list(reversed(list(nx.topological_sort(g))))
    bit = {node: 1 << k for k, node in enumerate(order)}
    above: dict[str, int] = {}
    longest: dict[str, int] = {}
    for node in order:
        parents = set(g.successors(node))
        above[node] = 0
        for parent in parents:
            above[node] |= bit[parent] | above[parent]
        longest[node] = max((longest[p] + 1 for p in parents), default=0)
    return {node: (above[node].bit_count(), longest[node]) for node in order}


def measure(fn: Callable[[], Any], reps: int, *, warmup: int = 3) -> tuple[list[float], Any]:
    """Call ``fn`` ``warmup`` times untimed, then ``reps`` times timed.

    Returns the seconds of each timed call and the last result.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:,.2f} ms"
    return f"{seconds:,.2f} s"


def row(label: str, times: list[float], result: str) -> str:
    p95 = sorted(times)[math.ceil(0.95 * len(times)) - 1]
    return (f"| {label} | {len(times)} | {fmt_time(statistics.median(times))} "
            f"| {fmt_time(p95)} | {result} |")


def sparql_ancestors(store: Store, iri: str) -> set[str]:
    result = store.query(PATH_QUERY, {"m": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    return {sol["a"].value for sol in result}


def named_ancestors(store: Store, model: str) -> set[str]:
    rows = lineage.query("ancestors", store=store, params={"model": model})
    assert isinstance(rows, list)
    return {r["ancestor"] for r in rows if isinstance(r, dict)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--cards", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=200, help="Timed calls per ancestors query.")
    parser.add_argument("--graph-reps", type=int, default=3,
                        help="Timed builds of the networkx view.")
    parser.add_argument("--chain-every", type=int, default=10,
                        help="Every K-th card extends a chain of fine-tunes (0: no chains).")
    parser.add_argument("--chain-length", type=int, default=16, help="Links per chain.")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="Write cards and store here.")
    parser.add_argument("--store", type=Path, help="Time this existing store; write nothing.")
    args = parser.parse_args()
    if args.store is not None:
        store = lineage.open_store(args.store, read_only=True)
        try:
            bench(store, args.reps, args.graph_reps)
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        started = time.perf_counter()
        write_cards(work / "cards", args.cards, chain_every=args.chain_every,
                    chain_length=args.chain_length)
        print(f"{args.cards:,} cards written in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        report = lineage.build([work / "cards"], store=work / "store", jobs=args.jobs)
        seconds = time.perf_counter() - started
        print(report.summary())
        print(f"build: {seconds:.1f} s, {report.ingested / seconds:,.0f} cards/s "
              f"({args.jobs} jobs)")
        store = lineage.open_store(work / "store")
        try:
            bench(store, args.reps, args.graph_reps)
        finally:
            store.close()


def bench(store: Store, reps: int, graph_reps: int) -> None:
    started = time.perf_counter()
    view = LineageView.of(store)
    g = view.graph
    first = time.perf_counter() - started
    cached, _ = measure(lambda: LineageView.of(store), reps)
    rebuilt, _ = measure(lambda: lineage_graph(store), graph_reps, warmup=0)
    ranks = ancestry(g)
    print(f"networkx view: {g.number_of_nodes():,} models, {g.number_of_edges():,} edges; "
          f"longest derivation chain in the graph {max(r[1] for r in ranks.values())} edges")
    focus = min(ranks, key=lambda node: (-ranks[node][0], node))
    count, longest = ranks[focus]
    model = str(g.nodes[focus]["id"])
    depth = max(r["depth"] for r in ancestors(g, model))
    print(f"focus (most ancestors): {model}, {count:,} ancestors; depth {depth} "
          f"(shortest path to its farthest ancestor), longest chain up {longest} edges")
    if longest < DEEP:
        print(f"note: the focus is not deep (< {DEEP} edges up): raise --chain-length")

    timings: list[tuple[str, list[float], set[str]]] = []
    times, found = measure(lambda: ancestors(view, model), reps)
    timings.append(("analysis.ancestors(view, model)", times, {r["iri"] for r in found}))
    times, found = measure(lambda: ancestors(g, model), reps)
    timings.append(("analysis.ancestors(g, model), a bare graph", times,
                    {r["iri"] for r in found}))
    times, found = measure(lambda: nx.descendants(g, focus), reps)
    timings.append(("nx.descendants(g, node)", times, set(found)))
    times, found = measure(lambda: sparql_ancestors(store, focus), reps)
    timings.append(("SPARQL ?m lin:derivedFrom+ ?a", times, found))
    times, found = measure(lambda: named_ancestors(store, model), reps)
    timings.append(('lineage.query("ancestors")', times, found))

    print("\n| step | calls | median | p95 | result |\n|---|---:|---:|---:|---:|")
    origin = "read back from the saved view" if view.loaded else "built"
    print(row("LineageView.of(store), first call", [first],
              f"{g.number_of_nodes():,} nodes, {origin}"))
    print(row("LineageView.of(store), cached", cached, "same object"))
    print(row("lineage_graph(store)", rebuilt, f"{g.number_of_nodes():,} nodes"))
    for label, times, found in timings:
        print(row(label, times, f"{len(found):,} ancestors"))

    reference = timings[0][2]
    differ = [label for label, _, found in timings if found != reference]
    if differ:
        print(f"\nFAIL: ancestor sets differ from analysis.ancestors: {', '.join(differ)}")
        sys.exit(1)
    print(f"\nOK: all five give the same {len(reference):,} ancestors of {model}")


if __name__ == "__main__":
    main()
