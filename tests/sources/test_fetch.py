"""lineage fetch: the real huggingface_hub client against a fake Hub on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import lineage
from lineage.api import fetch
from lineage.sources.hub import HubCache, HubClient, fetch_cards
from tests.sources.fakehub import FakeHub, Repo

TOKEN = "hf_secretTestToken0123456789"
BASE = "basecamp/Base-7B"
INSTRUCT = "tuneco/Base-7B-Instruct"
CHAT = "otherlab/Base-7B-Chat"
LORA = "loraland/Base-7B-lora"
GATED = "vault/Base-7B-Gated"
MERGE = "mixers/Base-7B-Merge"
GGUF = "quantfolk/Base-7B-Merge-GGUF"
PRIVATE = "secret/Private-7B"


def child_tags(parent: str, kind: str) -> list[str]:
    return ["transformers", "safetensors", f"base_model:{parent}", f"base_model:{kind}:{parent}"]


def tune_card(name: str, license: str = "apache-2.0", epochs: int = 2) -> str:
    return (f"---\nlicense: {license}\nbase_model: {BASE}\ndatasets:\n- tuneco/chat-mix\n---\n"
            f"# {name}\nFine-tuned from [Base-7B](https://huggingface.co/{BASE}) for {epochs} "
            "epochs.\n")


def family() -> dict[str, Repo]:
    return {
        BASE: Repo("---\nlicense: apache-2.0\nlanguage:\n- en\n---\n# Base-7B\nA pretrained "
                   "base model.\n", ["transformers", "text-generation", "en"], downloads=90000,
                   likes=300),
        INSTRUCT: Repo(tune_card("Base-7B-Instruct"), child_tags(BASE, "finetune"),
                       downloads=5000, likes=40),
        CHAT: Repo(tune_card("Base-7B-Chat"), child_tags(BASE, "finetune"), downloads=700),
        LORA: Repo(f"---\nbase_model: {BASE}\nlibrary_name: peft\ntags:\n- lora\n---\n# LoRA\n"
                   "A LoRA adapter.\n", ["peft", "lora", *child_tags(BASE, "adapter")[2:]],
                   library_name="peft"),
        GATED: Repo(tune_card("Base-7B-Gated"), child_tags(BASE, "finetune"), gated="manual"),
        MERGE: Repo(f"---\nbase_model:\n- {INSTRUCT}\n- {CHAT}\ntags:\n- merge\n- mergekit\n---\n"
                    "# Base-7B-Merge\nA SLERP merge of the two fine-tunes made with mergekit.\n",
                    ["merge", "mergekit", *child_tags(INSTRUCT, "merge")[2:],
                     *child_tags(CHAT, "merge")[2:]]),
        GGUF: Repo(f"---\nbase_model: {MERGE}\nquantized_by: quantfolk\ntags:\n- gguf\n---\n"
                   f"# Base-7B-Merge-GGUF\nGGUF files of [Base-7B-Merge](https://huggingface.co/"
                   f"{MERGE}).\n", ["gguf", *child_tags(MERGE, "quantized")[2:]],
                   downloads=12345, likes=6, gated=False, library_name=None,
                   created="2024-04-02T08:00:00.000Z"),
        PRIVATE: Repo(tune_card("Private-7B"), child_tags(BASE, "finetune"), private=True),
    }


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    server = FakeHub(family(), token="hf_ownerOnlyToken")
    yield server
    server.close()


@pytest.fixture
def hf_env(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """Point huggingface_hub (also in the console script's process) at the fake Hub."""
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return hub


def ids(rows: list[dict]) -> set[str]:
    return {r["id"] for r in rows}


def test_tree_walk_builds_the_family_retries_429_reports_gated_and_hides_the_token(
        hf_env: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run):
    hub = hf_env
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.fail[f"/api/models/{BASE}"] = [(429, {"Retry-After": "1"})]
    cache, store = tmp_path / "cache", tmp_path / "store"
    proc = run("fetch", "--tree", BASE, "--depth", "3", "--cache", cache, "--store", store)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"failed: {GATED}: gated repository: access must be requested and granted on the Hub "
        "(then set HF_TOKEN to a token of that account)"]
    assert "models fetched 6 / unchanged 0 / failed 1" in proc.stdout
    assert "cards ingested 6 / skipped unchanged 0 / rejected 0" in proc.stdout
    # The 429 was retried, and every request carried the token.
    assert len(hub.requests("GET", f"/api/models/{BASE}")) == 2
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in hub.log)
    # ... which appears nowhere else.
    assert TOKEN not in proc.stdout + proc.stderr
    assert not [p for p in cache.rglob("*") if p.is_file() and TOKEN in p.read_text("utf-8")]
    # The gated card could not be read: nothing in the graph speaks of it.
    assert ids(lineage.descendants(BASE, store=store)) == {INSTRUCT, CHAT, LORA, MERGE, GGUF}
    assert ids(lineage.ancestors(GGUF, store=store)) == {MERGE, INSTRUCT, CHAT, BASE}
    kinds = {(r["id"], r["relation"]) for r in lineage.descendants(BASE, store=store,
                                                                   max_depth=1)}
    assert kinds == {(INSTRUCT, "finetune"), (CHAT, "finetune"), (LORA, "adapter")}
    gguf = lineage.show(GGUF, store=store)
    assert [(p["id"], p["relation"]) for p in gguf["parents"]] == [(MERGE, "quantized")]
    assert {e["method"] for e in gguf["parents"][0]["evidence"]} == {"metadata", "prose", "hub"}
    assert gguf["hub"] == {"downloads": 12345, "likes": 6, "created": "2024-04-02T08:00:00Z",
                           "modified": "2024-06-01T12:00:00Z", "gated": False,
                           "revision": hub.repos[GGUF].sha}
    merge = lineage.show(MERGE, store=store)
    assert {(p["id"], p["relation"]) for p in merge["parents"]} == {(INSTRUCT, "merge"),
                                                                  (CHAT, "merge")}
    assert merge["warnings"] == []
    assert lineage.check(store=store).conforms  # the Hub's facts fit the shapes
    meta = json.loads((cache / "quantfolk" / "Base-7B-Merge-GGUF" / "hub.json").read_text())
    assert meta["sha"] == hub.repos[GGUF].sha
    assert meta["id"] == GGUF
    assert "fetched_at" in meta


def test_rerun_downloads_only_changed_cards_and_replaces_their_graphs(hf_env: FakeHub,
                                                                      tmp_path: Path):
    hub = hf_env
    cache, store = tmp_path / "cache", tmp_path / "store"
    first = fetch([INSTRUCT, CHAT, MERGE], cache=cache, store=store, jobs=1)
    assert first.ok
    assert (first.fetched, first.build.ingested) == ([INSTRUCT, CHAT, MERGE], 3)
    old_sha = hub.repos[INSTRUCT].sha
    hub.repos[INSTRUCT].card = tune_card("Base-7B-Instruct", license="mit", epochs=3)
    hub.log.clear()
    second = fetch([INSTRUCT, CHAT, MERGE], cache=cache, store=store, jobs=1)
    assert second.ok
    assert (second.fetched, sorted(second.unchanged)) == ([INSTRUCT], sorted([CHAT, MERGE]))
    assert (second.build.ingested, second.build.skipped) == (1, 2)
    assert hub.downloads_of(INSTRUCT) == 1
    assert hub.downloads_of(CHAT) == hub.downloads_of(MERGE) == 0
    out = lineage.show(INSTRUCT, store=store)
    assert (out["license"]["id"], out["training"]["epochs"]) == ("mit", 3)
    assert out["hub"]["revision"] == hub.repos[INSTRUCT].sha != old_sha
    assert out["warnings"] == []  # the old graph is gone: nothing to disagree with
    store_ = lineage.open_store(store, read_only=True)
    assert len(store_.card_index()) == 3
    store_.close()


def test_missing_and_private_repos_are_reported_and_a_token_opens_the_private_one(
        hf_env: FakeHub, tmp_path: Path, run):
    cache = tmp_path / "cache"
    proc = run("fetch", "ghost/nothing-here", PRIVATE, BASE, "--cache", cache, "--no-build")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "failed: ghost/nothing-here: repository not found",
        f"failed: {PRIVATE}: not found or private (no access without a token: set HF_TOKEN)"]
    assert "models fetched 1 / unchanged 0 / failed 2" in proc.stdout
    assert (cache / "basecamp" / "Base-7B" / "README.md").is_file()
    hf_env.token = TOKEN
    report = fetch([PRIVATE, BASE], cache=cache, build=False, token=TOKEN)
    assert (report.fetched, report.unchanged, report.failed) == ([PRIVATE], [BASE], [])


def test_walk_up_from_a_leaf_with_relations_and_listings(hf_env: FakeHub, tmp_path: Path):
    cache = tmp_path / "cache"
    report = fetch(tree=GGUF, depth=3, cache=cache, build=False)
    assert report.ok
    assert set(report.fetched) == {GGUF, MERGE, INSTRUCT, CHAT, BASE}
    only = fetch(tree=BASE, depth=1, relations=["adapter"], cache=cache, build=False)
    assert (only.fetched, only.unchanged) == ([LORA], [BASE])
    assert hf_env.requests("GET", "/api/models")[-1].query["filter"] == [
        f"base_model:adapter:{BASE}"]
    listed = fetch(author=["basecamp", "mixers"], search="GGUF", cache=cache, build=False)
    assert sorted(listed.unchanged) == sorted([BASE, MERGE, GGUF])
    capped = fetch(tree=BASE, depth=1, limit=1, cache=cache, build=False)
    assert len(capped.fetched + capped.unchanged) == 2


def test_an_interrupted_fetch_resumes_and_failures_never_leave_partial_files(
        hf_env: FakeHub, tmp_path: Path):
    cache = HubCache(tmp_path / "cache")
    client = HubClient(endpoint=hf_env.url)
    real = client.download_card
    calls = []

    def flaky(repo_id: str, revision: str | None, folder: Path) -> Path:
        calls.append(repo_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(repo_id, revision, folder)

    client.download_card = flaky  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        fetch_cards(client, cache, models=[BASE, INSTRUCT, CHAT])
    assert cache.revision(BASE) == hf_env.repos[BASE].sha
    assert not cache.folder(INSTRUCT).exists()
    assert list((cache.root / ".tmp").iterdir()) == []
    client.download_card = real  # type: ignore[method-assign]
    again = fetch_cards(client, cache, models=[BASE, INSTRUCT, CHAT])
    assert (again.unchanged, again.fetched) == ([BASE], [INSTRUCT, CHAT])


def test_retries_are_bounded_and_server_errors_reported_per_model(hf_env: FakeHub,
                                                                   tmp_path: Path):
    hf_env.fail[f"/api/models/{BASE}"] = [(503, {})] * 3
    hf_env.fail[f"/api/models/{CHAT}"] = [(429, {"Retry-After": "120"})] * 5
    waits: list[float] = []
    client = HubClient(endpoint=hf_env.url, tries=3, max_wait=2.0, sleep=waits.append)
    report = fetch_cards(client, HubCache(tmp_path / "cache"), models=[BASE, CHAT, INSTRUCT])
    assert report.fetched == [INSTRUCT]
    assert report.failed == [(BASE, "HTTP error 503, gave up after 3 tries"),
                             (CHAT, "rate limited by the Hub (HTTP 429), gave up after 3 tries")]
    assert waits == [1.0, 2.0, 2.0, 2.0]  # backoff 1, 2; Retry-After capped at max_wait


def test_offline_mode_fails_at_once_with_one_line(hf_env: FakeHub, tmp_path: Path,
                                                  lineage_exe: str):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": hf_env.url}
    started = time.monotonic()
    proc = subprocess.run([lineage_exe, "fetch", "tiny-org/base",
                           "--store", str(tmp_path / "s"), "--cache", str(tmp_path / "c")],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert time.monotonic() - started < 10  # no retrying with backoff
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "HF_HUB_OFFLINE is set" in proc.stderr
    assert hf_env.log == []  # nothing was asked of the Hub
