"""The consumer core (lineage.view): one resolver, one walk, one view per store state, saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lineage
from lineage import analysis
from lineage.errors import QueryError
from lineage.facts import Relation
from lineage.graph import lineage_graph
from lineage.store import open_store
from lineage.view import VIEW_FILE, LineageView, read_view, write_view

from .conftest import EXAMPLES

RELATIONS = ["finetune", "merge", "quantized", "adapter", "derived"]


def write(root: Path, rid: str, text: str) -> None:
    path = root / rid / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def disk_store(tmp_path: Path) -> Path:
    cards = tmp_path / "cards"
    write(cards, "o/base", "---\nlicense: mit\n---\n# base\n")
    write(cards, "o/tuned", "---\nbase_model: o/base\nlicense: cc-by-nc-4.0\n---\n# tuned\n")
    write(cards, "o/quant", "---\nbase_model: o/tuned\nbase_model_relation: quantized\n---\n")
    store = tmp_path / "store"
    assert lineage.build([cards], store=store, jobs=1).ok
    return store


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """Equal nodes, edges and attributes, in the same order (exports depend on none, but
    iteration order reaches users through lineage_graph())."""
    return (list(a.nodes(data=True)) == list(b.nodes(data=True))
            and list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
            and a.graph == b.graph)


# one view per store state, kept off the store ----------------------------------------------

def test_the_view_is_kept_per_state_and_never_on_the_store():
    store = open_store("memory:")
    attributes = set(vars(store))
    first = LineageView.of(store)
    assert LineageView.of(store) is first
    assert set(vars(store)) == attributes
    lineage.build([EXAMPLES / "acme-ai" / "Acme-7B" / "README.md"], store=store)
    second = LineageView.of(store)
    assert second is not first
    assert second.resolve("acme-ai/acme-7b") == "https://huggingface.co/acme-ai/Acme-7B"
    assert analysis.graph_for(store) is second.graph
    assert set(vars(store)) == attributes


def test_the_view_of_another_open_store_is_its_own():
    a, b = open_store("memory:"), open_store("memory:")
    lineage.build([EXAMPLES / "acme-ai" / "Acme-7B" / "README.md"], store=a)
    assert LineageView.of(a).graph.number_of_nodes() == 1
    assert LineageView.of(b).graph.number_of_nodes() == 0


# the saved view ------------------------------------------------------------------------

def test_an_on_disk_view_is_saved_and_read_back_by_the_next_opener(disk_store: Path):
    first = open_store(disk_store, read_only=True)
    built = LineageView.of(first)
    assert not built.loaded
    assert (disk_store / VIEW_FILE).is_file()
    assert LineageView.of(first) is built  # saving it did not make the view stale
    again = open_store(disk_store, read_only=True)  # a new store object: as a new process
    loaded = LineageView.of(again)
    assert loaded.loaded
    assert same_graph(loaded.graph, built.graph)
    assert same_graph(loaded.graph, lineage_graph(again))
    assert analysis.licenses(loaded, "o/quant") == analysis.licenses(built, "o/quant")
    first.close()
    again.close()


def test_a_changed_store_rebuilds_the_saved_view(disk_store: Path, tmp_path: Path):
    with_view = open_store(disk_store, read_only=True)
    LineageView.of(with_view)
    with_view.close()
    write(tmp_path / "more", "o/adapter", "---\nbase_model: o/base\n"
          "base_model_relation: adapter\n---\n")
    assert lineage.build([tmp_path / "more"], store=disk_store, jobs=1).ok
    reader = open_store(disk_store, read_only=True)
    view = LineageView.of(reader)
    assert not view.loaded
    assert view.resolve("o/adapter") in view.graph
    assert LineageView.of(open_store(disk_store, read_only=True)).loaded
    reader.close()


@pytest.mark.parametrize("planted", [
    b"not json at all",
    b'{"format": "lineage-view", "version": 1, "key": "0000"}',
    b"[1, 2, 3]",
    b'{"__class__": "os.system", "args": ["touch /tmp/pwned"]}',
])
def test_a_planted_or_stale_file_is_ignored_and_replaced(disk_store: Path, planted: bytes):
    (disk_store / VIEW_FILE).write_bytes(planted)
    store = open_store(disk_store, read_only=True)
    view = LineageView.of(store)
    assert not view.loaded
    assert same_graph(view.graph, lineage_graph(store))
    assert json.loads((disk_store / VIEW_FILE).read_bytes())["format"] == "lineage-view"
    store.close()


def test_a_saved_view_with_the_right_key_but_bad_columns_is_not_read(disk_store: Path):
    store = open_store(disk_store, read_only=True)
    LineageView.of(store)
    store.close()
    doc = json.loads((disk_store / VIEW_FILE).read_bytes())
    for broken in ({"edges": [[0, 999, "finetune"]] * len(doc["edges"])},
                   {"node_data": {"id": []}},
                   {"nodes": doc["nodes"][:1] * len(doc["nodes"])}):
        (disk_store / VIEW_FILE).write_text(json.dumps(doc | broken), encoding="utf-8")
        assert read_view(disk_store / VIEW_FILE, doc["key"]) is None
    (disk_store / VIEW_FILE).write_text(json.dumps(doc), encoding="utf-8")
    assert read_view(disk_store / VIEW_FILE, doc["key"]) is not None
    assert read_view(disk_store / VIEW_FILE, "another state") is None


def test_a_view_that_cannot_be_saved_still_answers(disk_store: Path):
    (disk_store / VIEW_FILE).mkdir()  # the file's place is taken: nothing can be written
    store = open_store(disk_store, read_only=True)
    assert [r["id"] for r in analysis.ancestors(LineageView.of(store), "o/quant")] == [
        "o/tuned", "o/base"]
    assert (disk_store / VIEW_FILE).is_dir()
    store.close()


def test_write_view_keeps_tuples_and_refuses_uneven_attributes(tmp_path: Path):
    g = nx.MultiDiGraph()
    g.add_node("a", tags=("x", "y"), license=None)
    g.add_node("b", tags=(), license="mit")
    g.add_edge("a", "b", key="merge", relation="merge", weight=0.5)
    assert write_view(tmp_path / "v.json", g, "k")
    back = read_view(tmp_path / "v.json", "k")
    assert back is not None
    assert same_graph(back, g)
    assert back.nodes["a"]["tags"] == ("x", "y")
    g.add_node("c", tags=())  # no license: not a graph lineage_graph makes
    assert not write_view(tmp_path / "w.json", g, "k")
    assert not (tmp_path / "w.json").exists()


def test_analysis_reads_the_same_from_a_loaded_view(examples_store: Path):
    built = LineageView(lineage_graph(open_store(examples_store, read_only=True)))
    opened = open_store(examples_store, read_only=True)
    LineageView.of(opened)
    loaded = LineageView.of(open_store(examples_store, read_only=True))
    assert loaded.loaded
    for model in ("nightowl/Owl-Mega-7B", "acme-ai/Acme-7B-Instruct-AWQ"):
        for fn in (analysis.ancestors, analysis.descendants, analysis.licenses,
                   analysis.datasets, analysis.contributions, analysis.roots):
            assert fn(loaded, model) == fn(built, model)
    opened.close()


# one resolver ------------------------------------------------------------------------------

def test_show_and_the_analyses_resolve_alike(examples_store: Path):
    for name in ("orchard-lab/Pomme-7B-Chat", "POMME-AI/pomme-chat-7b",
                 "https://huggingface.co/orchard-lab/pomme-7b-chat"):
        assert lineage.show(name, store=examples_store)["id"] == "orchard-lab/Pomme-7B-Chat"
        assert lineage.roots(name, store=examples_store)[0]["id"] == "acme-ai/Acme-7B"
    errors = []
    for call in (lambda: lineage.show("nightowl/Owl-Mega-8B", store=examples_store),
                 lambda: lineage.ancestors("nightowl/Owl-Mega-8B", store=examples_store)):
        with pytest.raises(QueryError) as err:
            call()
        errors.append(str(err.value))
    assert errors[0] == errors[1]
    assert "; did you mean nightowl/Owl-Mega-7B" in errors[0]


def test_a_bare_name_of_two_models_is_an_error_listing_both_everywhere(tmp_path: Path):
    write(tmp_path / "x", "Tune-1B", "---\nlicense: mit\n---\n# Tune-1B\n")
    write(tmp_path / "y", "Tune-1B", "---\nlicense: gpl-3.0\n---\n# Tune-1B\n")
    store = open_store("memory:")
    assert lineage.build([tmp_path / "x", tmp_path / "y"], store=store, jobs=1).ok
    messages = set()
    for call in (lineage.show, lineage.ancestors, lineage.licenses):
        with pytest.raises(QueryError, match="'Tune-1B' names 2 different models; give one IRI"
                           ) as err:
            call("Tune-1B", store=store)
        messages.add(str(err.value))
    assert len(messages) == 1
    iris = messages.pop().split("give one IRI: ")[1].split(", ")
    assert {lineage.show(iri, store=store)["license"]["id"] for iri in iris} == {"mit", "gpl-3.0"}


def test_a_resolver_index_is_built_once_per_view(examples_store: Path):
    view = LineageView.of(open_store(examples_store, read_only=True))
    view.resolve("acme-ai/acme-7b")
    index = view._memo["index"]
    view.resolve("nightowl/owl-mega-7b")
    assert view._memo["index"] is index


# one walk --------------------------------------------------------------------------------

def reference_walk(g: nx.MultiDiGraph, start: str, *, up: bool, relations: set[str] | None,
                   max_depth: int | None) -> dict[str, tuple[int, str | None, str | None]]:
    """The layer-by-layer walk analysis had before the view (kept here as the oracle)."""
    def name(n: str) -> tuple[str, str]:
        return str(g.nodes[n].get("id") or n).casefold(), n

    def around(node: str) -> list[tuple[str, str]]:
        found: dict[str, set[str]] = {}
        edges = g.out_edges(node, keys=True) if up else g.in_edges(node, keys=True)
        for u, v, k in edges:
            other = v if up else u
            if other != node and (relations is None or k in relations):
                found.setdefault(other, set()).add(k)
        return [(o, Relation.preferred(found[o]).value) for o in sorted(found, key=name)]

    seen: dict[str, tuple[int, str | None, str | None]] = {start: (0, None, None)}
    frontier, depth = [start], 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        reached = []
        for node in frontier:
            for other, relation in around(node):
                if other not in seen:
                    seen[other] = (depth, node, relation)
                    reached.append(other)
        frontier = reached
    return seen


edges = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from(RELATIONS)),
                 max_size=24)


@settings(max_examples=150, deadline=None)
@given(edges, st.integers(0, 7), st.booleans(),
       st.none() | st.sets(st.sampled_from(RELATIONS), min_size=1),
       st.none() | st.integers(0, 4))
def test_the_walk_matches_the_reference_walk(pairs: list[Any], start: int, up: bool,
                                             relations: set[str] | None,
                                             max_depth: int | None):
    g = nx.MultiDiGraph()
    g.add_nodes_from(f"o/m{i}" for i in range(8))
    for u, v, rel in pairs:
        g.add_edge(f"o/m{u}", f"o/m{v}", key=rel, relation=rel)
    view = LineageView.from_graph(g)
    got = view.walk(f"o/m{start}", up=up, relations=relations, max_depth=max_depth)
    assert got == reference_walk(g, f"o/m{start}", up=up, relations=relations,
                                 max_depth=max_depth)
    assert list(got) == list(reference_walk(g, f"o/m{start}", up=up, relations=relations,
                                            max_depth=max_depth))


def test_resolved_only_walks_skip_unresolved_models_but_not_the_start():
    g = nx.MultiDiGraph([("o/m", "./local", "derived", {"relation": "derived"}),
                         ("./local", "o/base", "finetune", {"relation": "finetune"}),
                         ("o/m", "o/other", "merge", {"relation": "merge"})])
    g.nodes["./local"]["unresolved"] = True
    view = LineageView.from_graph(g)
    assert list(view.walk("o/m", up=True, resolved_only=True)) == ["o/m", "o/other"]
    assert list(view.walk("./local", up=True, resolved_only=True)) == ["./local", "o/base"]
    assert list(view.walk("o/m", up=True, stop="./local")) == ["o/m", "./local"]


def test_layers_leave_out_excluded_models_and_stop_at_the_limit():
    g = nx.MultiDiGraph([("b", "a", "finetune"), ("c", "b", "finetune"), ("a", "c", "merge")])
    view = LineageView.from_graph(g)
    assert view.layers("a", up=False, limit=5) == [["a"], ["b"], ["c"]]
    assert view.layers("a", up=False, limit=1) == [["a"], ["b"]]
    assert view.layers("a", up=False, limit=5, exclude={"b", "a"}) == [["a"]]
    assert view.layers("a", up=True, limit=5, relations=["finetune"]) == [["a"]]


def test_a_build_that_changes_nothing_keeps_the_saved_view(tmp_path):
    """The saved view is keyed by the store's generation, which only writes renew."""
    from lineage.store import open_store

    def view_of(location: Path) -> LineageView:
        s = open_store(location, read_only=True)
        try:
            return LineageView.of(s)
        finally:
            s.close()

    store = tmp_path / "s"
    lineage.build([EXAMPLES], store=store, jobs=1)
    assert not view_of(store).loaded  # built, then saved
    saved = (store / VIEW_FILE).stat().st_mtime_ns
    assert lineage.build([EXAMPLES], store=store, jobs=1).skipped == 12  # a no-op build
    assert view_of(store).loaded  # read back, not rebuilt
    assert (store / VIEW_FILE).stat().st_mtime_ns == saved
    card = next(EXAMPLES.rglob("README.md"))
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "README.md").write_bytes(card.read_bytes() + b"\nOne more line.\n")
    lineage.build([changed], store=store, jobs=1, id="someone/changed")
    view = view_of(store)
    assert not view.loaded  # the build's writes renewed the generation
    assert "someone/changed" in {d.get("id") for _, d in view.graph.nodes(data=True)}
