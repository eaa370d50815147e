"""The relation rule (lineage.extract.relation), one small card per check and warning."""

from __future__ import annotations

import pytest

from lineage.cards import read_card
from lineage.extract import Extraction, extract, relation
from lineage.facts import MergeRecipe, Method, Parent, Relation, Role, Warning

HUB = "https://huggingface.co"


def run(text: str, rid: str = "me/model") -> Extraction:
    return extract(read_card(text.encode(), f"{rid}/README.md", id_hint=rid, id_hint_method="path"))


def kinds(ex: Extraction) -> dict[str, Relation]:
    return {p.ref.id or p.ref.name: p.relation for p in ex.of(Parent)}


def warnings(ex: Extraction) -> list[str]:
    return [w.text for w in ex.of(Warning)]


MERGEKIT = """
```yaml
merge_method: slerp
base_model: a/left-7b
models:
  - model: a/left-7b
  - model: b/right-7b
parameters:
  t: 0.5
```
"""

# One card per rule of KIND_RULES, in the table's order; each would also read as the kinds
# of later rules, so the order decides.
CARDS = {
    "an adapter its prose describes": (
        "me/extracted-lora",
        f"This LoRA was extracted from [a/tuned-7b]({HUB}/a/tuned-7b) and uses "
        f"[a/base-7b]({HUB}/a/base-7b) as a base. It was fine-tuned.\n" + MERGEKIT,
        Relation.ADAPTER),
    "a repack named after the model it links": (
        "me/left-right-7b-GGUF",
        "---\ntags: [gguf]\n---\n"
        f"GGUF files of [left-right-7b]({HUB}/a/left-right-7b).\n" + MERGEKIT,
        Relation.QUANTIZED),
    "a merge": (
        "me/merged-7b",
        "---\ntags: [gguf, lora]\n---\nA fine-tuned merge.\n" + MERGEKIT,
        Relation.MERGE),
    "a model composed of several, by one sentence": (
        "me/vision-chat",
        "---\ntags: [gguf, lora]\n---\nThe model is built on Eye-400M and Talk-8B-Instruct, "
        "then fine-tuned.\n",
        Relation.DERIVED),
    "a student distilled with its teacher": (
        "me/small-student",
        "---\ntags: [gguf, lora]\n---\nDistilled on 7GB of text, using the cased version of "
        "WrenBERT as teacher model.\n",
        Relation.DERIVED),
    "a quantized repack": (
        "me/small-7b",
        "---\nbase_model: a/small-7b\ntags: [gguf, lora]\n---\nFine-tuned, then quantized.\n",
        Relation.QUANTIZED),
    "an adapter": (
        "me/small-lora",
        "---\nbase_model: a/small-7b\nlibrary_name: peft\n---\nFine-tuned with LoRA.\n",
        Relation.ADAPTER),
    "a model said only to share its parent's architecture": (
        "me/small-arabic",
        f"---\nbase_model: a/small-7b\n---\nBased on the [Small]({HUB}/a/small-7b) "
        "architecture.\n",
        Relation.DERIVED),
    "a fine-tune": (
        "me/small-chat",
        f"Built on [a/small-7b]({HUB}/a/small-7b) with SFT.\n",
        Relation.FINETUNE),
}


def test_the_rule_table_is_in_the_documented_order():
    assert [r.name for r in relation.KIND_RULES] == list(CARDS)
    assert [r.kind for r in relation.KIND_RULES] == [k for _, _, k in CARDS.values()]


@pytest.mark.parametrize("name", list(CARDS))
def test_each_rule_decides_before_the_later_ones(name: str):
    rid, text, kind = CARDS[name]
    ex = run(text, rid)
    assert ex.of(Parent)
    assert set(kinds(ex).values()) == {kind}, kinds(ex)


def test_a_parent_named_without_a_kind_is_derived():
    ex = run(f"Built on [a/small-7b]({HUB}/a/small-7b).\n", "me/other")
    assert kinds(ex) == {"a/small-7b": Relation.DERIVED}


def test_reported_training_makes_such_a_parent_a_fine_tune():
    ex = run(f"Built on [a/small-7b]({HUB}/a/small-7b).\n\nTrained on 8x NVIDIA H100 for 3 "
             "epochs.\n", "me/other")
    assert kinds(ex) == {"a/small-7b": Relation.FINETUNE}


def test_a_stated_relation_wins_and_a_contradiction_is_a_warning():
    ex = run("---\nbase_model: [a/left-7b, b/right-7b]\nbase_model_relation: finetune\n"
             "tags: [merge]\n---\nA merge.\n")
    assert kinds(ex) == {"a/left-7b": Relation.FINETUNE, "b/right-7b": Relation.FINETUNE}
    assert "base_model_relation says finetune but the card also reads as merge; kept " \
           "finetune" in warnings(ex)


def test_a_stated_adapter_is_not_contradicted_by_quantization_tags():
    ex = run("---\nbase_model: a/small-7b\nbase_model_relation: adapter\ntags: [4bit]\n---\n")
    assert kinds(ex) == {"a/small-7b": Relation.ADAPTER}
    assert not [w for w in warnings(ex) if "base_model_relation" in w]
    ex = run("---\nbase_model: a/small-7b\nbase_model_relation: finetune\ntags: [4bit]\n---\n")
    assert "base_model_relation says finetune but the card also reads as quantized; kept " \
           "finetune" in warnings(ex)


def test_conflicting_stated_relations_are_a_warning_and_the_rule_decides():
    # base_model_relation says finetune; model_name with quantized_by states a repack's original.
    ex = run("---\nbase_model: a/small-7b\nbase_model_relation: finetune\nmodel_name: small-7b\n"
             f"quantized_by: me\n---\nThe original: [small-7b]({HUB}/a/small-7b).\n")
    assert "conflicting base_model_relation values" in warnings(ex)
    assert kinds(ex) == {"a/small-7b": Relation.QUANTIZED}


def test_several_bases_of_a_card_that_speaks_only_of_fine_tuning():
    ex = run("---\nbase_model: [a/left-7b, b/right-7b]\n---\nWe fine-tuned it with DPO.\n")
    assert set(kinds(ex).values()) == {Relation.FINETUNE}
    assert "several base models in the front matter, but the card describes a fine-tune, " \
           "not a merge; read as a fine-tune" in warnings(ex)
    ex = run("---\nbase_model: [a/left-7b, b/right-7b]\n---\nA fine-tuned merge.\n")
    assert set(kinds(ex).values()) == {Relation.MERGE}


def test_a_repack_keeps_its_original_over_another_base_model():
    ex = run("---\nbase_model: b/other-7b\n---\n"
             f"Quants of [Small-7B]({HUB}/a/Small-7B).\n", "me/Small-7B-GGUF")
    assert kinds(ex) == {"a/Small-7B": Relation.QUANTIZED}
    assert "base_model names another model than the one this repack is named after; the " \
           "repack's original is kept" in warnings(ex)


def test_a_configured_merge_keeps_only_its_inputs():
    ex = run(f"Merged from [a/left-7b]({HUB}/a/left-7b). [a/left-7b]({HUB}/a/left-7b) was "
             f"itself based on [c/grand-7b]({HUB}/c/grand-7b).\n" + MERGEKIT)
    ps = {p.ref.id: p for p in ex.of(Parent)}
    assert set(ps) == {"a/left-7b", "b/right-7b"}
    assert {k: (p.relation, p.role, p.method) for k, p in ps.items()} == {
        "a/left-7b": (Relation.MERGE, Role.BASE, "slerp"),
        "b/right-7b": (Relation.MERGE, Role.SOURCE, "slerp")}
    assert [r.method for r in ex.of(MergeRecipe)] == ["slerp"]


def test_a_recipe_without_inputs_keeps_its_best_description():
    ex = run("A TIES merge.\n\n```yaml\nmerge_method: ties\ndtype: bfloat16\nslices: []\n```\n")
    recipes = ex.of(MergeRecipe)
    assert len(recipes) == 1
    assert recipes[0].evidence.method is Method.MERGEKIT
    assert recipes[0].dtype == "bfloat16"


def test_a_name_folds_into_the_linked_parent_it_begins():
    ex = run(f"Parent Model: wav2vec\n\nFine-tuned from [wav2vec2-large]({HUB}/fb/wav2vec2-large)."
             "\n", "me/asr")
    assert [p.ref.id for p in ex.of(Parent)] == ["fb/wav2vec2-large"] * 2
    assert {p.evidence.snippet for p in ex.of(Parent)} == {
        "Parent Model: wav2vec", f"Fine-tuned from [wav2vec2-large]({HUB}/fb/wav2vec2-large)."}


def test_a_controlnet_is_an_adapter_of_the_base_it_conditions():
    text = ("---\nbase_model: a/diffusion-1-5\ntags: [art, controlnet, stable-diffusion]\n---\n"
            "# ControlNet\nAn auxiliary network that adds a depth condition to a pre-trained "
            "diffusion model. Trained for 500 GPU-hours.\n")
    ex = run(text, "me/depth-control")
    assert [(p.ref.id, p.relation) for p in ex.of(Parent)] == \
        [("a/diffusion-1-5", Relation.ADAPTER)]


def test_an_nvfp4_release_of_a_base_is_a_quantized_repack():
    ex = run("---\nbase_model:\n- lab/wren-1t\ntags: [wren, nvfp4, vllm]\n---\n"
             "# NVFP4-Quantized lab/wren-1t-NVFP4\n", "me/wren-1t-NVFP4")
    assert kinds(ex) == {"lab/wren-1t": Relation.QUANTIZED}


def test_a_half_precision_cast_of_a_fine_tune_is_no_quantization():
    text = ("# Entity tagger\nThis repository hosts the quantized version of the "
            "`bert-base-cased` model for entity extraction using the 'lab/ner' dataset.\n"
            "- **Quantization**: Float16\n- **Fine-tuning Framework**: Transformers\n")
    assert kinds(run(text, "me/tagger")) == {"bert-base-cased": Relation.FINETUNE}
    assert kinds(run(text.replace("Float16", "BrainFloat16"), "me/tagger")) == \
        {"bert-base-cased": Relation.FINETUNE}
    assert kinds(run(text.replace("Float16", "int8"), "me/tagger")) == \
        {"bert-base-cased": Relation.QUANTIZED}


def test_the_hubs_relation_tag_in_the_front_matter_states_the_relation():
    text = ("---\nbase_model: lab/wren-7b\nlibrary_name: peft\ntags:\n"
            "- base_model:adapter:lab/wren-7b\n- lora\n---\n# Wren LoRA\n"
            "Merge adapters: merge LoRA weights into the base with merge_and_unload() if you "
            "like.\n")
    assert kinds(run(text, "me/wren-lora")) == {"lab/wren-7b": Relation.ADAPTER}
    # A tag for another model says nothing of this one's parent.
    other = text.replace("base_model:adapter:lab/wren-7b", "base_model:adapter:lab/other-7b")
    assert kinds(run(other, "me/wren-lora")) == {"lab/wren-7b": Relation.FINETUNE}


# Styles of the dev half studied in session 7.

def test_a_qlora_fine_tune_with_a_quantization_field_is_an_adapter_not_a_repack():
    text = ("# Helper\nBuilt on Wren 3.1 8B and fine-tuned with LoRA.\n\n## Model details\n"
            "- Base model: `Wren 3.1 8B`\n- Quantization: `4-bit` (bitsandbytes, NF4)\n\n"
            "```python\nbase = FastLanguageModel.from_pretrained(\"lab/wren-3.1-8b-bnb-4bit\")\n"
            "model = PeftModel.from_pretrained(base, \"me/model\")\n```\n")
    # (the display name resolves to the one id the code loads)
    assert kinds(run(text)) == {"lab/wren-3.1-8b-bnb-4bit": Relation.ADAPTER}
    # A repack's quantization field without tuning still says repack.
    repack = "# Wren GGUF\n- Base model: `Wren 3.1 8B`\n- Quantization: `Q4_K_M`\n"
    assert kinds(run(repack)) == {"Wren 3.1 8B": Relation.QUANTIZED}


def test_a_card_calling_itself_a_lora_is_an_adapter():
    text = ("# Icon Style LoRA (SDXL)\n> A LoRA model trained on 2200 app icons.\n\nThis LoRA "
            "enables Stable Diffusion XL to draw icons.\n\n- **Base Model:** SDXL Base 1.0\n")
    assert kinds(run(text)) == {"SDXL Base 1.0": Relation.ADAPTER}
    # A LoRA's rank in a full fine-tune's card says nothing of an adapter.
    tuned = "# Tune\nFine-tuned from [X-7B](https://huggingface.co/lab/x-7b) on dialogs.\n"
    assert kinds(run(tuned)) == {"lab/x-7b": Relation.FINETUNE}


def test_tuning_done_with_lora_makes_an_adapter():
    base = "---\nbase_model: lab/wren-7b\n---\n# Tune\n"
    said = base + "The aim of this repository is to fine-tune Wren using [LoRA](https://x.org/lora).\n"
    assert kinds(run(said)) == {"lab/wren-7b": Relation.ADAPTER}
    config = base + "```yaml\nstage: sft\nfinetuning_type: lora\n```\n"
    assert kinds(run(config)) == {"lab/wren-7b": Relation.ADAPTER}
    chinese = base + ("\u91c7\u7528LoRA\u65b9\u6cd5\u8fdb\u884c\u9ad8\u6548\u53c2\u6570"
                      "\u5fae\u8c03\u3002\n")
    assert kinds(run(chinese)) == {"lab/wren-7b": Relation.ADAPTER}
    # LoRA's settings alone say how a full model was tuned, and a merged-back adapter is one.
    settings = base + "We fine-tuned it with DPO.\n\n**LoRA**:\n* r=16\n* lora_alpha=16\n"
    assert kinds(run(settings)) == {"lab/wren-7b": Relation.FINETUNE}
    merged = said + "The LoRA adapter was then merged into the base weights.\n"
    assert kinds(run(merged)) == {"lab/wren-7b": Relation.FINETUNE}


def test_models_based_on_two_bases_are_each_fine_tuned_not_composed():
    text = ("# Speech models\nFine-tuned Wren2Vec2 models for the Catalan language based on "
            "[lab/wren-xlsr](https://huggingface.co/lab/wren-xlsr) and "
            "[lab/wren-vox](https://huggingface.co/lab/wren-vox).\n")
    assert kinds(run(text)) == {"lab/wren-xlsr": Relation.FINETUNE,
                                  "lab/wren-vox": Relation.FINETUNE}
    # One model built on two stays composed: the card does not say how it derives.
    one = ("# Eyes\nThe model is built on [lab/eye](https://huggingface.co/lab/eye)"
           " and [lab/talk](https://huggingface.co/lab/talk).\n")
    assert set(kinds(run(one)).values()) == {Relation.DERIVED}


def test_a_model_distilled_from_a_linked_model_learns_from_a_teacher():
    text = ("# Wren small\nA smaller version of Wren, distilled from [lab/wren-base]"
            "(https://huggingface.co/lab/wren-base). It was trained on news for 3 epochs.\n")
    assert kinds(run(text)) == {"lab/wren-base": Relation.DERIVED}
    # Fine-tuned from a link, with the same training: a fine-tune.
    tuned = text.replace("distilled from", "fine-tuned from")
    assert kinds(run(tuned)) == {"lab/wren-base": Relation.FINETUNE}


def test_a_lora_tuning_merged_back_in_chinese_is_a_fine_tune():
    text = ("# 问答助手\n本项目的基础模型为 [Wren-14B-Chat](https://huggingface.co/lab/wren-14b-chat)。\n"
            "使用 LoRA 对 Wren-14B-Chat 进行微调\uff1a\n\n"
            "将微调后的 `adapters` 文件与基础模型合并。\n")
    assert kinds(run(text, "me/qa")) == {"lab/wren-14b-chat": Relation.FINETUNE}
    # Without the merge the LoRA tuning stays an adapter.
    kept = text.replace("\n\n将微调后的 `adapters` 文件与基础模型合并。", "")
    assert kinds(run(kept, "me/qa")) == {"lab/wren-14b-chat": Relation.ADAPTER}
