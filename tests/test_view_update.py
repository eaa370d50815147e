"""The saved view brought up to date from the changed card graphs (lineage.view_update)."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lineage
from lineage import view as view_module
from lineage.graph import lineage_graph
from lineage.store import open_store
from lineage.store.oxigraph import CHANGES_FILE, GENERATION_FILE, OxigraphStore
from lineage.view import VIEW_FILE, LineageView

BOARD = "https://huggingface.co/spaces/board-org/open_llm_leaderboard?query="
# Card ids: case variants of one id, a renamed model and its former name, shared parents.
IDS = ["o/base", "O/Base", "o/tuned", "o/quant", "o/merged", "n/model-v2", "old/model-v2",
       "p/adapter", "q/other"]
PARENTS = [*IDS, "x/external", "X/External", "./local-ckpt"]
# One license node or dataset node that cards label differently: a new label reaches every
# model using it, whichever card it came from.
LICENSES = ["mit", "apache-2.0", "Apache-2.0", "cc-by-nc-4.0", "other\nlicense_name: my-lic",
            "other\nlicense_name: My-Lic"]
DATASETS = ["d/one", "D/One", "d/two", "plain words", "Plain Words"]
RELATIONS = ["finetune", "quantized", "adapter", "merge", None]


def card_text(rng: random.Random, rid: str) -> str:
    """A small random card for ``rid``."""
    meta: list[str] = []
    parents = rng.sample(PARENTS, rng.choice([0, 1, 1, 2]))
    if len(parents) == 1:
        meta.append(f"base_model: {parents[0]}")
    elif parents:
        meta.append("base_model:\n" + "".join(f"- {p}\n" for p in parents).rstrip())
    relation = rng.choice(RELATIONS)
    if parents and relation:
        meta.append(f"base_model_relation: {relation}")
    license_ = rng.choice([*LICENSES, None])
    if license_:
        meta.append(f"license: {license_}")
    datasets = rng.sample(DATASETS, rng.choice([0, 1, 2]))
    if datasets:
        meta.append("datasets:\n" + "".join(f"- {d}\n" for d in datasets).rstrip())
    tags = rng.sample(["chat", "code", "gguf"], rng.choice([0, 1, 2]))
    if tags:
        meta.append("tags:\n" + "".join(f"- {t}\n" for t in tags).rstrip())
    body = f"# {rid.rsplit('/', 1)[-1]}\n"
    if rng.random() < 0.3:  # a former name on the leaderboard: an alias
        body += f"Scores: [board]({BOARD}{rid}) and [earlier]({BOARD}old/{rid.split('/')[-1]})\n"
    return "---\n" + "\n".join(meta) + "\n---\n" + body


def write_cards(root: Path, cards: dict[str, str]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    for i, (rid, text) in enumerate(sorted(cards.items())):
        # Case variants need their own directories on any file system.
        path = root / str(i) / rid / "README.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def as_sets(g: nx.MultiDiGraph) -> tuple[dict[str, Any], list[str]]:
    """Nodes with attributes, and edges with keys and attributes, whatever their order."""
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    edges = sorted(repr((u, v, k, sorted(d.items()))) for u, v, k, d in g.edges(keys=True,
                                                                                 data=True))
    return nodes, edges


def view_of(store_dir: Path) -> LineageView:
    store = open_store(store_dir, read_only=True)
    try:
        return LineageView.of(store)
    finally:
        store.close()


def check_equal(store_dir: Path, view: LineageView) -> None:
    store = open_store(store_dir, read_only=True)
    try:
        built = lineage_graph(store)
    finally:
        store.close()
    got_nodes, got_edges = as_sets(view.graph)
    want_nodes, want_edges = as_sets(built)
    assert set(got_nodes) == set(want_nodes)
    for node, data in want_nodes.items():
        assert got_nodes[node] == data, node
    assert got_edges == want_edges


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="lineage-view-update-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_builds(root: Path, seed: int, steps: int) -> tuple[list[int | None], int]:
    """Build ``steps`` random changes of a random store.

    Returns each view's count of models updated, and how many views folded aliases or
    case variants into one node.
    """
    rng = random.Random(seed)
    cards = {rid: card_text(rng, rid) for rid in rng.sample(IDS, 5)}
    store_dir, cards_dir = root / "store", root / "cards"
    write_cards(cards_dir, cards)
    assert lineage.build([cards_dir], store=store_dir, jobs=1, prune=True).ok
    first = view_of(store_dir)
    assert first.updated is None
    updates, folded = [], 0
    for _ in range(steps):
        for rid in rng.sample(IDS, rng.randint(1, 3)):
            if rid in cards and rng.random() < 0.3:
                del cards[rid]  # removed: pruned
            else:
                cards[rid] = card_text(rng, rid)  # added or changed
        write_cards(cards_dir, cards)
        lineage.build([cards_dir], store=store_dir, jobs=1, prune=True)
        if rng.random() < 0.3:  # two builds before the view is read again
            rid = rng.choice(IDS)
            cards[rid] = card_text(rng, rid)
            write_cards(cards_dir, cards)
            lineage.build([cards_dir], store=store_dir, jobs=1, prune=True)
        view = view_of(store_dir)
        updates.append(view.updated)
        check_equal(store_dir, view)
        folded += any(d["aliases"] for _, d in view.graph.nodes(data=True))
        assert view_of(store_dir).loaded  # and the updated view was saved
    return updates, folded


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_an_updated_view_equals_a_view_built_from_scratch(seed: int):
    root = Path(tempfile.mkdtemp(prefix="lineage-view-update-"))
    try:
        updates, _ = run_builds(root, seed, steps=4)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert all(u is not None for u in updates), updates  # each was an update, not a rebuild


def test_the_random_builds_fold_aliases_and_case_variants(workdir: Path):
    updates, folded = run_builds(workdir, 0, steps=4)
    assert folded >= 2  # the property above meets merged nodes, not only plain ones
    assert all(u for u in updates)


def test_an_update_reads_only_the_changed_models(workdir: Path, monkeypatch):
    cards = {f"o/m{i}": f"---\nbase_model: o/m{i - 1}\nlicense: mit\n---\n" if i else
             "---\nlicense: mit\n---\n" for i in range(60)}
    write_cards(workdir / "cards", cards)
    store_dir = workdir / "store"
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view_of(store_dir)
    cards["o/m30"] = "---\nbase_model: o/m3\nlicense: apache-2.0\ntags:\n- chat\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1, prune=True).ok

    rows: list[int] = []
    real_query = OxigraphStore.query

    def counting(self, sparql, bindings=None):  # type: ignore[no-untyped-def]
        rows.append(len(list(real_query(self, sparql, bindings))))  # counted, then run again
        return real_query(self, sparql, bindings)

    monkeypatch.setattr(OxigraphStore, "query", counting)
    view = view_of(store_dir)
    assert view.updated is not None
    # The changed card mentions o/m30, its old parent o/m29, its new one o/m3: those three
    # models are read again (and the license nodes it used), not the 60 of the store.
    assert view.updated == 3
    assert sum(rows) < 40, rows
    assert view.graph.nodes["https://huggingface.co/o/m30"]["tags"] == ("chat",)
    assert set(view.graph.successors("https://huggingface.co/o/m30")) == {
        "https://huggingface.co/o/m3"}
    monkeypatch.undo()
    check_equal(store_dir, view)


def test_without_a_change_record_the_view_is_rebuilt(workdir: Path):
    cards = {"o/base": "---\nlicense: mit\n---\n", "o/ft": "---\nbase_model: o/base\n---\n"}
    write_cards(workdir / "cards", cards)
    store_dir = workdir / "store"
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view_of(store_dir)
    (store_dir / CHANGES_FILE).unlink()  # as a store written by an older version
    cards["o/q"] = "---\nbase_model: o/ft\nbase_model_relation: quantized\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view = view_of(store_dir)
    assert view.updated is None
    assert not view.loaded
    check_equal(store_dir, view)


def test_a_broken_chain_of_records_rebuilds(workdir: Path):
    cards = {"o/base": "---\nlicense: mit\n---\n"}
    write_cards(workdir / "cards", cards)
    store_dir = workdir / "store"
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view_of(store_dir)
    cards["o/ft"] = "---\nbase_model: o/base\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    lines = (store_dir / CHANGES_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) > 2
    # A write that left no record (a writer of an older version): the chain has a gap.
    (store_dir / CHANGES_FILE).write_text("\n".join(lines[:1] + lines[2:]) + "\n",
                                          encoding="utf-8")
    view = view_of(store_dir)
    assert view.updated is None
    check_equal(store_dir, view)
    # A generation no record leads to.
    cards["o/q"] = "---\nbase_model: o/ft\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    (store_dir / GENERATION_FILE).write_text("not-recorded", encoding="ascii")
    view = view_of(store_dir)
    assert view.updated is None
    check_equal(store_dir, view)


def test_a_view_saved_on_an_unsettled_store_is_rebuilt(workdir: Path):
    cards = {"o/base": "---\nlicense: mit\n---\n", "o/ft": "---\nbase_model: o/base\n---\n"}
    write_cards(workdir / "cards", cards)
    store_dir = workdir / "store"
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view_of(store_dir)
    doc = json.loads((store_dir / VIEW_FILE).read_text(encoding="utf-8"))
    assert doc["settled"] is True
    doc["settled"] = False  # as if saved between a dead build's removals and its settling
    (store_dir / VIEW_FILE).write_text(json.dumps(doc), encoding="utf-8")
    cards["o/ft"] = "---\nbase_model: o/base\nlicense: mit\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view = view_of(store_dir)
    assert view.updated is None
    check_equal(store_dir, view)


def test_the_incremental_path_can_be_turned_off(workdir: Path, monkeypatch):
    cards = {"o/base": "---\nlicense: mit\n---\n"}
    write_cards(workdir / "cards", cards)
    store_dir = workdir / "store"
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    view_of(store_dir)
    cards["o/ft"] = "---\nbase_model: o/base\n---\n"
    write_cards(workdir / "cards", cards)
    assert lineage.build([workdir / "cards"], store=store_dir, jobs=1).ok
    monkeypatch.setattr(view_module, "INCREMENTAL", False)
    view = view_of(store_dir)
    assert view.updated is None
    check_equal(store_dir, view)
