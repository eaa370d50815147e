"""Golden tests: every fact the five seed cards state is in `show --format json`."""

from __future__ import annotations

from pathlib import Path

import pytest

import lineage


@pytest.fixture(scope="module")
def info(built_store: Path):
    cache: dict[str, dict] = {}

    def get(model: str) -> dict:
        if model not in cache:
            cache[model] = lineage.show(model, store=built_store)
        return cache[model]
    return get


def parent(info: dict, pid: str) -> dict:
    hits = [p for p in info["parents"] if p["id"].lower() == pid.lower()]
    assert hits, f"{pid} not among parents {[p['id'] for p in info['parents']]}"
    return hits[0]


def score_values(info: dict, benchmark: str) -> set[float]:
    return {s["value"] for s in info["scores"] if s["benchmark"].lower() == benchmark.lower()}


def test_schema_keys_always_present(info):
    keys = {"id", "iri", "aliases", "parents", "children", "datasets", "license", "languages",
            "tags", "prompt_format", "hardware", "training", "scores", "warnings", "hub",
            "identity"}
    for model in ("Qwen/Qwen2-72B", "smelborp/MixtralOrochi8x7B"):
        out = info(model)
        assert set(out) == keys
        assert set(out["training"]) == {"epochs", "learning_rate", "batch_size", "tokens",
                                        "framework", "cost"}
        assert set(out["license"]) == {"id", "name", "link"}
        assert set(out["identity"]) == {"method", "confidence", "candidates", "sources"}


class TestSeed000:
    """A renamed fine-tune with duplicated and conflicting leaderboard metrics and mojibake."""

    def test_identity_and_rename(self, info):
        out = info("anthracite-org/magnum-v1-72b")
        assert {out["id"], *out["aliases"]} == {"anthracite-org/magnum-v1-72b",
                                                "alpindale/magnum-72b-v1"}
        assert info("alpindale/magnum-72b-v1")["id"] == out["id"]
        assert out["iri"] == "https://huggingface.co/" + out["id"]

    def test_parent_from_metadata_and_prose(self, info):
        p = parent(info("alpindale/magnum-72b-v1"), "Qwen/Qwen2-72B-Instruct")
        assert p["relation"] == "finetune"
        assert {e["method"] for e in p["evidence"]} == {"metadata", "prose"}
        assert all(e["card"].startswith("urn:lineage:card:") and e["line"] >= 1
                   for e in p["evidence"])

    def test_license_languages_tags_prompt(self, info):
        out = info("alpindale/magnum-72b-v1")
        assert out["license"] == {"id": "other", "name": "tongyi-qianwen",
                                  "link": "https://huggingface.co/Qwen/Qwen2-72B-Instruct/blob/main/LICENSE"}
        assert out["languages"] == ["en", "zh"]
        assert out["tags"] == ["chat"]
        assert out["prompt_format"] == "chatml"

    def test_hardware_with_mojibake_repaired(self, info):
        out = info("alpindale/magnum-72b-v1")
        assert out["hardware"] == [{"accelerator": "AMD Instinct MI300X", "count": 8}]
        assert any("mojibake" in w for w in out["warnings"])

    def test_training(self, info):
        t = info("alpindale/magnum-72b-v1")["training"]
        assert t["epochs"] == 1.5
        assert t["tokens"] == 55_000_000
        assert t["framework"] == "axolotl"

    def test_scores_deduplicated_and_conflict_kept(self, info):
        out = info("alpindale/magnum-72b-v1")
        assert score_values(out, "IFEval (0-Shot)") == {76.06}
        assert len([s for s in out["scores"] if s["benchmark"] == "IFEval (0-Shot)"]) == 1
        assert score_values(out, "MMLU-PRO (5-shot)") == {49.64, 49.85}
        assert any("MMLU-PRO" in w for w in out["warnings"])
        ifeval = next(s for s in out["scores"] if s["benchmark"] == "IFEval (0-Shot)")
        assert ifeval["dataset"] == "HuggingFaceH4/ifeval"
        assert ifeval["shots"] == 0
        assert ifeval["origin"] == "model-index"
        assert ifeval["source"].endswith("query=alpindale/magnum-72b-v1")


class TestSeed001:
    def test_lineage_and_license(self, info):
        out = info("anthracite-org/magnum-v2-12b")
        assert parent(out, "mistralai/Mistral-Nemo-Base-2407")["relation"] == "finetune"
        assert out["license"]["id"] == "apache-2.0"
        assert out["languages"] == ["en", "fr", "de", "es", "it", "pt", "ru", "zh", "ja"]

    def test_datasets_linked_and_unlinked(self, info):
        ds = info("anthracite-org/magnum-v2-12b")["datasets"]
        ids = {d["id"] for d in ds if d["id"]}
        assert ids == {"kalomaze/Opus_Instruct_25k", "Nopm/Opus_WritingStruct",
                       "Gryphe/Sonnet3.5-SlimOrcaDedupCleaned", "kalomaze/Opus_Instruct_3k"}
        unlinked = [d for d in ds if d["id"] is None]
        assert len(unlinked) == 1
        assert "stheno" in unlinked[0]["name"].lower()

    def test_hardware_training_prompt(self, info):
        out = info("anthracite-org/magnum-v2-12b")
        assert out["hardware"] == [{"accelerator": "NVIDIA H100", "count": 8}]
        assert out["training"]["epochs"] == 2
        assert out["training"]["framework"] == "axolotl"
        assert out["prompt_format"] == "chatml"
        assert score_values(out, "MuSR (0-shot)") == {11.37}


class TestSeed002:
    """No front-matter base: identity from self links, parent from prose."""

    def test_identity_from_self_links(self, info):
        assert info("anthracite-org/Magnum-123b-v1")["id"] == "anthracite-org/Magnum-123b-v1"

    def test_parent_from_prose(self, info):
        p = parent(info("anthracite-org/Magnum-123b-v1"), "mistralai/Mistral-Large-Instruct-2407")
        assert p["relation"] == "finetune"
        assert [e["method"] for e in p["evidence"]] == ["prose"]

    def test_license_datasets_prompt(self, info):
        out = info("anthracite-org/Magnum-123b-v1")
        assert out["license"] == {"id": "other", "name": "mrl",
                                  "link": "https://mistral.ai/licenses/MRL-0.1.md"}
        assert {d["id"] for d in out["datasets"]} == {
            "anthracite-org/Stheno-Data-Filtered",
            "anthracite-org/kalo-opus-instruct-22k-no-refusal",
            "anthracite-org/nopm_claude_writing_fixed"}
        assert out["prompt_format"] == "mistral"

    def test_training_settings_from_prose(self, info):
        out = info("anthracite-org/Magnum-123b-v1")
        assert out["hardware"] == [{"accelerator": "AMD Instinct MI300X", "count": 8}]
        assert out["training"] == {"epochs": 1.5, "learning_rate": 2e-6, "batch_size": 64,
                                   "tokens": None, "framework": "axolotl", "cost": 600}


class TestSeed003:
    """A base model flattened onto two lines with a competitor comparison table."""

    def test_identity_from_license_link(self, info):
        out = info("Qwen/Qwen2-72B")
        assert out["id"] == "Qwen/Qwen2-72B"
        assert out["parents"] == []
        assert out["tags"] == ["pretrained"]
        assert out["license"] == {"id": "other", "name": "tongyi-qianwen",
                                  "link": "https://huggingface.co/Qwen/Qwen2-72B/blob/main/LICENSE"}
        assert out["languages"] == ["en"]

    def test_only_own_column_scores(self, info):
        out = info("Qwen/Qwen2-72B")
        values = {s["benchmark"]: s["value"] for s in out["scores"]}
        assert values["MMLU"] == 84.2
        assert values["GSM8K"] == 89.5
        assert values["HellaSwag"] == 87.6
        assert values["Multi-Translation"] == 37.8
        assert len(out["scores"]) == 21
        assert all(s["origin"] == "table" for s in out["scores"])
        # Competitors' numbers (DeepSeek-V2 78.5, Qwen1.5-110B 80.4 on MMLU) are not Qwen2's.
        assert 78.5 not in values.values()
        assert 80.4 not in values.values()


class TestSeed004:
    """A TIES merge with short names in its mergekit config and a quantized child."""

    def test_merge_parents_resolved(self, info):
        out = info("rombodawg/Open_Gpt4_8x7B_v0.2")
        base = parent(out, "smelborp/MixtralOrochi8x7B")
        assert (base["relation"], base["role"], base["method"]) == ("merge", "base", "ties")
        a = parent(out, "mistralai/Mixtral-8x7B-Instruct-v0.1")
        assert (a["role"], a["weight"], a["density"]) == ("source", 1, 0.5)
        b = parent(out, "jondurbin/bagel-dpo-8x7b-v0.2")
        assert (b["role"], b["weight"], b["density"]) == ("source", 0.7, 0.5)
        assert len(out["parents"]) == 3
        assert {e["method"] for e in base["evidence"]} >= {"mergekit", "prose"}

    def test_quantized_child(self, info):
        out = info("rombodawg/Open_Gpt4_8x7B_v0.2")
        assert [(c["id"], c["relation"]) for c in out["children"]] == [
            ("rombodawg/Open_Gpt4_8x7B_v0.2_q8_0_gguf", "quantized")]

    def test_license_tags_prompt_scores(self, info):
        out = info("rombodawg/Open_Gpt4_8x7B_v0.2")
        assert out["license"]["id"] == "cc-by-4.0"
        assert out["tags"] == ["merge", "moe"]
        assert out["prompt_format"] == "alpaca"
        assert score_values(out, "MMLU (5-Shot)") == {72.07}
        assert len(out["scores"]) == 7  # six model-index results and the leaderboard average

    def test_merge_recipe_in_graph(self, built_store):
        rows = lineage.query(str(Path(__file__).parent / "data" / "merge_recipe.rq"),
                             store=built_store, params={"model": "rombodawg/Open_Gpt4_8x7B_v0.2"})
        assert rows == [{"method": "ties", "dtype": "float16",
                         "base": "https://huggingface.co/smelborp/MixtralOrochi8x7B",
                         "nparams": "2"}]

    def test_derived_from_plus_reaches_base_of_merge(self, built_store):
        rows = lineage.query("ancestors", store=built_store,
                             params={"model": "rombodawg/Open_Gpt4_8x7B_v0.2_q8_0_gguf"})
        ids = {r["id"] for r in rows}
        assert "smelborp/MixtralOrochi8x7B" in ids
        assert "rombodawg/Open_Gpt4_8x7B_v0.2" in ids
