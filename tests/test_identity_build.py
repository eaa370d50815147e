"""Identity across cards: nothing merged, nothing lost (the build, the store, show and check)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
import lineage.errors
from lineage.store import open_store

BOARD = "https://huggingface.co/spaces/board-org/open_llm_leaderboard?query="
CHAT = f"---\nlicense: mit\n---\n# Chat-7B\nScores: [board]({BOARD}someone/Chat-7B)\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def described(store) -> dict[str, str]:
    """Source -> the IRI of the model its card describes."""
    rows = store.query("SELECT ?src ?m WHERE { GRAPH ?g { ?g "
                       "<https://w3id.org/lineage/ns#describes> ?m ; "
                       "<https://w3id.org/lineage/ns#sourceLocation> ?src } }")
    return {r["src"].value: r["m"].value for r in rows}


def test_byte_identical_cards_keep_their_own_graphs_through_change_rebuild_and_prune(tmp_path):
    text = "---\nlicense: mit\nbase_model: base-org/Base-7B\n---\n# Tune\nA tune.\n"
    a = write(tmp_path / "cards" / "a" / "README.md", text)
    b = write(tmp_path / "cards" / "b" / "README.md", text)
    store = open_store(tmp_path / "store")
    first = lineage.build([tmp_path / "cards"], store=store, jobs=1)
    assert (first.ingested, first.skipped) == (2, 0)
    index = store.card_index()
    assert len(set(index.values())) == 2  # two sources, two graphs
    write(a, text + "Trained for 2 epochs.\n")
    second = lineage.build([tmp_path / "cards"], store=store, jobs=1)
    assert (second.ingested, second.skipped, len(second.rejected)) == (1, 1, 0)
    after = store.card_index()
    assert after[b.as_posix()] == index[b.as_posix()]  # b's graph survives a's change
    assert after[a.as_posix()] != index[a.as_posix()]
    third = lineage.build([tmp_path / "cards"], store=store, jobs=1, prune=True)
    assert (third.ingested, third.skipped, third.pruned) == (0, 2, 0)
    assert store.card_index() == after
    for graph in after.values():
        ask = store.query("ASK { GRAPH ?g { ?g ?p ?o } }", {"g": ox.NamedNode(graph)})
        assert bool(ask)
    b.unlink()
    fourth = lineage.build([tmp_path / "cards"], store=store, jobs=1, prune=True)
    assert (fourth.skipped, fourth.pruned) == (1, 1)
    assert list(store.card_index()) == [a.as_posix()]


def test_dump_rows_repeating_an_id_are_cards_of_their_own(tmp_path):
    dump = tmp_path / "cards.jsonl"
    rows = [{"modelId": "org/m", "card": "# M\nfirst"}, {"modelId": "org/m", "card": "# M\nfirst"},
            {"modelId": "org/n", "card": "# N"}]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = open_store(tmp_path / "store")
    report = lineage.build([dump], store=store, jobs=1)
    assert (report.ingested, len(report.rejected)) == (3, 0)
    assert sorted(store.card_index()) == [f"{dump.as_posix()}#org/m", f"{dump.as_posix()}#org/m@2",
                                          f"{dump.as_posix()}#org/n"]
    again = lineage.build([dump], store=store, jobs=1)
    assert (again.ingested, again.skipped) == (0, 3)
    # One explicit id: both rows describe the one model.
    assert set(described(store).values()) == {"https://huggingface.co/org/m",
                                              "https://huggingface.co/org/n"}


def test_two_cards_inferring_one_id_stay_two_models(tmp_path):
    write(tmp_path / "one" / "Chat-7B" / "README.md", CHAT)
    write(tmp_path / "two" / "Chat-7B" / "README.md", CHAT + "Another copy, edited.\n")
    store = open_store(tmp_path / "store")
    report = lineage.build([tmp_path / "one", tmp_path / "two"], store=store, jobs=1)
    assert report.ingested == 2
    models = described(store)
    assert len(set(models.values())) == 2
    first = models[(tmp_path / "one" / "Chat-7B" / "README.md").as_posix()]
    assert first == "https://huggingface.co/someone/Chat-7B"
    second = models[(tmp_path / "two" / "Chat-7B" / "README.md").as_posix()]
    shown = lineage.show(second, store=store)
    assert shown["identity"]["method"] == "name"
    assert [c["id"] for c in shown["identity"]["candidates"]] == ["someone/Chat-7B"]
    assert any("someone/Chat-7B is the id of another card" in w for w in shown["warnings"])
    assert lineage.show("someone/Chat-7B", store=store)["identity"]["sources"] == \
        [(tmp_path / "one" / "Chat-7B" / "README.md").as_posix()]
    # The demoted card stays apart in later builds too.
    again = lineage.build([tmp_path / "one", tmp_path / "two"], store=store, jobs=1)
    assert again.skipped == 2
    assert described(store) == models


def test_an_inferred_id_the_store_holds_already_is_not_taken(tmp_path):
    write(tmp_path / "one" / "Chat-7B" / "README.md", CHAT)
    store = open_store(tmp_path / "store")
    lineage.build([tmp_path / "one"], store=store, jobs=1)
    write(tmp_path / "two" / "Chat-7B" / "README.md", CHAT + "Edited.\n")
    lineage.build([tmp_path / "two"], store=store, jobs=1)
    assert len(set(described(store).values())) == 2


def test_two_cards_with_one_explicit_id_are_one_model(tmp_path):
    write(tmp_path / "rev1" / "org" / "Chat-7B" / "README.md", "---\nlicense: mit\n---\n# Chat\n")
    write(tmp_path / "rev2" / "org" / "Chat-7B" / "README.md", "---\nlicense: apache-2.0\n---\n")
    store = open_store(tmp_path / "store")
    lineage.build([tmp_path / "rev1", tmp_path / "rev2"], store=store, jobs=1)
    assert set(described(store).values()) == {"https://huggingface.co/org/Chat-7B"}
    shown = lineage.show("org/Chat-7B", store=store)
    assert shown["identity"]["method"] == "path"
    assert len(shown["identity"]["sources"]) == 2


def test_cards_known_by_one_bare_name_are_never_mixed_by_show(tmp_path):
    write(tmp_path / "x" / "Tune-1B" / "README.md", "---\nlicense: mit\n---\n# Tune-1B\n")
    write(tmp_path / "y" / "Tune-1B" / "README.md", "---\nlicense: gpl-3.0\n---\n# Tune-1B\n")
    store = open_store(tmp_path / "store")
    lineage.build([tmp_path / "x", tmp_path / "y"], store=store, jobs=1)
    models = described(store)
    assert len(set(models.values())) == 2
    with pytest.raises(lineage.errors.QueryError, match="names 2 different models"):
        lineage.show("Tune-1B", store=store)
    licenses = {lineage.show(m, store=store)["license"]["id"] for m in models.values()}
    assert licenses == {"mit", "gpl-3.0"}


def test_check_lists_id_collisions_with_both_sources_and_the_evidence(tmp_path):
    one = write(tmp_path / "one" / "Chat-7B" / "README.md", CHAT)
    two = write(tmp_path / "two" / "Chat-7B" / "README.md", CHAT + "Edited.\n")
    write(tmp_path / "rev1" / "org" / "Tune" / "README.md", "---\nlicense: mit\n---\n")
    write(tmp_path / "rev2" / "org" / "Tune" / "README.md", "---\nlicense: mit\n---\nv2\n")
    store = open_store(tmp_path / "store")
    lineage.build([tmp_path / d for d in ("one", "two", "rev1", "rev2")], store=store, jobs=1)
    report = lineage.check(store=store, shacl=False)
    found = [f for f in report.findings if f.kind == "id collision"]
    assert len(found) == 2
    refused = next(f for f in found if f.subject == "someone/Chat-7B")
    assert two.as_posix() in refused.message
    assert one.as_posix() in refused.message
    assert "line 5" in refused.message
    assert "open_llm_leaderboard?query=someone/Chat-7B" in refused.message
    revisions = next(f for f in found if f.subject == "org/Tune")
    assert "2 cards describe this model" in revisions.message
    assert "inferred" not in revisions.message
