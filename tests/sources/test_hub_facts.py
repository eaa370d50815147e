"""The Hub's metadata as facts (lineage.extract.hub), and hub.json beside a card."""

from __future__ import annotations

import json
from pathlib import Path

import lineage
from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import HubInfo, Method, Parent, Tag
from lineage.sources import iter_paths

CARD = b"---\nbase_model: o/base\nlibrary_name: transformers\n---\n# M\nFine-tuned.\n"


def facts(card: bytes, hub: dict) -> list:
    return list(extract(read_card(card, "o/m/README.md", id_hint="o/m", id_hint_method="path",
                                  hub=hub)).facts)


def test_hub_parent_agrees_with_the_card_and_adds_evidence():
    out = facts(CARD, {"tags": ["base_model:o/base", "base_model:finetune:o/base"]})
    parents = [(f.ref.id, f.relation.value, f.evidence.method) for f in out
               if isinstance(f, Parent)]
    assert parents == [("o/base", "finetune", Method.METADATA),
                       ("o/base", "finetune", Method.HUB)]
    assert not [f for f in out if type(f).__name__ == "Warning"
                and "Hub" in f.text]


def test_disagreements_are_warnings_never_silent():
    ex = extract(read_card(CARD, "o/m/README.md", id_hint="o/m", hub={
        "tags": ["base_model:adapter:o/base", "base_model:o/extra"],
        "library_name": "peft", "downloads": "many", "createdAt": "yesterday"}))
    assert {(p.ref.id, p.relation.value) for p in ex.of(Parent)} == {("o/base", "finetune"),
                                                                     ("o/extra", "derived")}
    text = " | ".join(ex.warnings)
    assert "the Hub tags o/base as a adapter parent" in text
    assert "the Hub lists base model o/extra" in text
    assert "the Hub gives library_name 'peft', the card 'transformers'" in text
    assert "downloads is not a count" in text
    assert "createdAt is not a date" in text


def test_hub_only_parents_dates_and_gating():
    out = facts(b"# No front matter\n", {
        "id": "o/m", "tags": ["base_model:quantized:o/base"], "pipeline_tag": "text-generation",
        "downloads": 3, "likes": 0, "gated": "manual", "lastModified": "2024-05-06T07:08:09.123Z",
        "createdAt": "2024-01-01 00:00:00"})
    (parent,) = [f for f in out if isinstance(f, Parent)]
    assert (parent.ref.id, parent.relation.value) == ("o/base", "quantized")
    (info,) = [f for f in out if isinstance(f, HubInfo)]
    assert (info.repo_id, info.downloads, info.likes, info.gated) == ("o/m", 3, 0, True)
    assert (info.created, info.modified) == ("2024-01-01T00:00:00Z", "2024-05-06T07:08:09Z")
    assert [(t.kind, t.value) for t in out if isinstance(t, Tag)] == [
        ("pipeline", "text-generation")]


def test_no_hub_metadata_changes_nothing():
    assert facts(CARD, {}) == list(extract(read_card(CARD, "o/m/README.md", id_hint="o/m",
                                                     id_hint_method="path")).facts)


def test_hub_json_beside_a_card_is_read_and_a_broken_one_reported(tmp_path: Path):
    good = tmp_path / "o" / "m"
    good.mkdir(parents=True)
    (good / "README.md").write_bytes(CARD)
    (good / "hub.json").write_text(json.dumps({"sha": "c0ffee", "downloads": 4}))
    bad = tmp_path / "o" / "broken"
    bad.mkdir()
    (bad / "README.md").write_bytes(CARD)
    (bad / "hub.json").write_text("{not json")
    items = {i.id_hint: i for i in iter_paths([tmp_path])}
    assert items["o/m"].hub == {"sha": "c0ffee", "downloads": 4}
    assert items["o/broken"].error.startswith(f"{(bad / 'hub.json').as_posix()}: not JSON: ")
    report = lineage.build([tmp_path], store="memory:", jobs=1)
    assert (report.ingested, len(report.rejected)) == (1, 1)
    store = lineage.open_store("memory:")
    lineage.build([good / "README.md"], store=store, jobs=1)
    out = lineage.show("o/m", store=store)
    assert out["hub"] == {"downloads": 4, "likes": None, "created": None, "modified": None,
                          "gated": None, "revision": "c0ffee"}
    assert lineage.check(store=store).conforms
