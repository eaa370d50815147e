"""The recurring card styles of the Hub, each on a small card written for this test."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import Extraction, extract
from lineage.facts import (
    Child,
    DatasetUse,
    Hardware,
    MergeRecipe,
    Parent,
    Quantization,
    Relation,
    Role,
    Score,
    Successor,
    TrainingSetting,
    Warning,
)


def run(text: str, rid: str = "me/model") -> Extraction:
    return extract(read_card(text.encode(), f"{rid}/README.md", id_hint=rid, id_hint_method="path"))


def parents(ex: Extraction) -> dict[str, Parent]:
    return {p.ref.id or p.ref.name: p for p in ex.of(Parent)}


def settings(ex: Extraction) -> dict[str, object]:
    return {s.key: s.value for s in ex.of(TrainingSetting)}


TRAINER = """---
license: mit
base_model: tinyorg/tiny-gpt-1b
tags:
- generated_from_trainer
datasets:
- tinyorg/recipes-10k
---
# tiny-gpt-1b-recipes

This model is a fine-tuned version of [tinyorg/tiny-gpt-1b](https://huggingface.co/tinyorg/tiny-gpt-1b) on the tinyorg/recipes-10k dataset.
It achieves the following results on the evaluation set:
- Loss: 1.2345
- Accuracy: 0.61

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 3e-05
- train_batch_size: 4
- eval_batch_size: 4
- seed: 1234
- gradient_accumulation_steps: 8
- total_train_batch_size: 32
- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
- lr_scheduler_type: linear
- num_epochs: 3
- mixed_precision_training: Native AMP

### Framework versions

- Transformers 4.40.0
- Pytorch 2.3.0
"""


def test_transformers_trainer_card():
    ex = run(TRAINER)
    p = parents(ex)["tinyorg/tiny-gpt-1b"]
    assert p.relation is Relation.FINETUNE
    assert [d.ref.id for d in ex.of(DatasetUse)] == ["tinyorg/recipes-10k"]
    assert settings(ex) == {"epochs": 3, "learningRate": 3e-05, "batchSize": 32,
                            "optimizer": "Adam", "scheduler": "linear", "seed": 1234,
                            "precision": "Native AMP", "framework": "transformers"}
    assert {(s.benchmark, s.value) for s in ex.of(Score)} == {("Loss", "1.2345"),
                                                            ("Accuracy", "0.61")}


PEFT = """---
library_name: peft
base_model: tinyorg/tiny-gpt-1b
---
# recipe-lora

A LoRA adapter for recipe writing.

```python
from peft import PeftModel
from transformers import AutoModelForCausalLM
base = AutoModelForCausalLM.from_pretrained("tinyorg/tiny-gpt-1b")
model = PeftModel.from_pretrained(base, "me/recipe-lora")
```
"""


def test_peft_adapter_card():
    ex = run(PEFT, "me/recipe-lora")
    assert {k: p.relation for k, p in parents(ex).items()} == {
        "tinyorg/tiny-gpt-1b": Relation.ADAPTER}


def test_adapter_base_from_loading_code_only():
    text = PEFT.replace("base_model: tinyorg/tiny-gpt-1b\n", "")
    text = text.replace('from_pretrained("tinyorg/tiny-gpt-1b")',
                        'from_pretrained(base_model_name_or_path="tinyorg/tiny-gpt-1b")')
    ex = run(text, "me/recipe-lora")
    assert parents(ex)["tinyorg/tiny-gpt-1b"].relation is Relation.ADAPTER


GGUF = """---
base_model: tinyorg/tiny-chat-1b
quantized_by: quantcrew
tags:
- gguf
---
# tiny-chat-1b-GGUF

- Original model: [tiny-chat-1b](https://huggingface.co/tinyorg/tiny-chat-1b)

GGUF format model files for [TinyOrg's tiny-chat-1b](https://huggingface.co/tinyorg/tiny-chat-1b).

| Name | Quant method | Bits | Size |
| ---- | ---- | ---- | ---- |
| tiny-chat-1b.Q4_K_M.gguf | Q4_K_M | 4 | 0.7 GB |

<!-- original-model-card start -->
# Original model card: TinyOrg's tiny-chat-1b

tiny-chat-1b is fine-tuned from [tinyorg/tiny-base-1b](https://huggingface.co/tinyorg/tiny-base-1b)
on 8x NVIDIA A100 for 2 epochs.

| Benchmark | Score |
|---|---|
| MMLU | 41.0 |
<!-- original-model-card end -->
"""


def test_quantized_repack_takes_only_the_model_it_quantizes():
    ex = run(GGUF, "quantcrew/tiny-chat-1b-GGUF")
    assert {k: p.relation for k, p in parents(ex).items()} == {
        "tinyorg/tiny-chat-1b": Relation.QUANTIZED}
    assert ex.of(Hardware) == []
    assert ex.of(Score) == []
    assert "epochs" not in settings(ex)
    [q] = ex.of(Quantization)
    assert q.method == "gguf"
    assert any("embedded original model card" in w.text for w in ex.of(Warning))


def test_repack_named_after_its_original_without_front_matter():
    text = ("---\ntags: [awq]\n---\n# tiny-chat-1b-AWQ-4bit\n\n"
            "See [the original](https://huggingface.co/tinyorg/tiny-chat-1b).\n")
    ex = run(text, "quantcrew/tiny-chat-1b-AWQ-4bit")
    assert {k: p.relation for k, p in parents(ex).items()} == {
        "tinyorg/tiny-chat-1b": Relation.QUANTIZED}
    [q] = ex.of(Quantization)
    assert (q.method, q.bits) == ("awq", 4.0)


MERGEKIT = """---
base_model:
- tinyorg/tiny-chat-1b
- tinyorg/tiny-code-1b
tags: [mergekit, merge]
---
# tiny-blend-1b

This is a merge of pre-trained language models created using [mergekit](https://github.com/arcee-ai/mergekit).

## Merge Details
### Merge Method

This model was merged using the SLERP merge method.

### Models Merged

The following models were included in the merge:
* [tinyorg/tiny-chat-1b](https://huggingface.co/tinyorg/tiny-chat-1b)
* [tinyorg/tiny-code-1b](https://huggingface.co/tinyorg/tiny-code-1b)
* /data/checkpoints/my-local-sft

### Configuration

```yaml
slices:
  - sources:
      - model: tiny-chat-1b
        layer_range: [0, 24]
      - model: tinyorg/tiny-code-1b+tinyorg/code-lora
        layer_range: [0, 24]
      - model: /data/checkpoints/my-local-sft
        layer_range: [0, 24]
merge_method: slerp
base_model: tiny-chat-1b
parameters:
  t:
    - filter: self_attn
      value: [0, 0.5, 0.3, 0.7, 1]
    - value: 0.5
dtype: bfloat16
```
"""


def test_mergekit_template_with_slices_lora_and_local_paths():
    ex = run(MERGEKIT, "me/tiny-blend-1b")
    p = parents(ex)
    assert set(p) == {"tinyorg/tiny-chat-1b", "tinyorg/tiny-code-1b",
                      "/data/checkpoints/my-local-sft"}
    assert all(x.relation is Relation.MERGE and x.method == "slerp" for x in p.values())
    assert p["tinyorg/tiny-chat-1b"].role is Role.BASE
    assert p["/data/checkpoints/my-local-sft"].ref.id is None  # a local path stays unresolved
    [recipe] = ex.of(MergeRecipe)
    assert recipe.dtype == "bfloat16"
    assert dict(recipe.parameters)["t"].startswith("[")


def test_mergekit_moe_config():
    text = """---
tags: [moe]
---
# tiny-moe-2x1b

```yaml
base_model: tinyorg/tiny-chat-1b
gate_mode: hidden
experts:
  - source_model: tinyorg/tiny-chat-1b
    positive_prompts: ["chat"]
  - source_model: tinyorg/tiny-code-1b
    positive_prompts: ["code"]
```
"""
    ex = run(text, "me/tiny-moe-2x1b")
    p = parents(ex)
    assert set(p) == {"tinyorg/tiny-chat-1b", "tinyorg/tiny-code-1b"}
    assert {x.method for x in p.values()} == {"moe"}


TEMPLATE = """---
base_model: tinyorg/tiny-chat-1b
new_version: me/tiny-helper-v2
co2_eq_emissions:
  emissions: 12.5
  source: CodeCarbon
  training_type: fine-tuning
  hardware_used: 4 x NVIDIA A10G
---
# tiny-helper

## Model Details

- **Developed by:** me
- **Finetuned from model:** [tinyorg/tiny-chat-1b](https://huggingface.co/tinyorg/tiny-chat-1b)

## Training

We trained on 4x A10G GPUs for 12 hours on Lambda Labs (about 48 GPU-hours).
"""


def test_model_card_template_new_version_and_emissions():
    ex = run(TEMPLATE, "me/tiny-helper")
    assert parents(ex)["tinyorg/tiny-chat-1b"].relation is Relation.FINETUNE
    assert [s.ref.id for s in ex.of(Successor)] == ["me/tiny-helper-v2"]
    assert [(h.accelerator, h.count) for h in ex.of(Hardware)] == [("NVIDIA A10G", 4)]
    got = settings(ex)
    assert got["trainingHours"] == 12
    assert got["gpuHours"] == 48
    assert got["cloudProvider"] == "Lambda"


def test_model_index_salvaged_result_by_result():
    text = """---
model-index:
- name: tiny-helper
  results:
  - dataset: {name: ARC (25-shot), type: ai2_arc}
    metrics: [{type: acc_norm, value: 51.2}]
  - dataset: {name: Broken}
    metrics: [{type: acc, value: not-a-number}]
  - dataset: {name: GSM8K (5-shot), type: gsm8k}
    metrics: [{type: acc, value: 12.5}]
---
# tiny-helper
"""
    ex = run(text, "me/tiny-helper")
    assert {(s.benchmark, s.value) for s in ex.of(Score)} == {("ARC (25-shot)", "51.2"),
                                                            ("GSM8K (5-shot)", "12.5")}
    assert any("malformed" in w.text for w in ex.of(Warning))


def test_competitor_columns_never_go_to_the_card_model():
    text = """---
license: mit
---
# tiny-chat-1b

| Benchmark | Rival-1B | **tiny-chat-1b** |
|---|---|---|
| MMLU | 40.0 | **44.5** |
| GSM8K | 20.0 | 25.5 |
"""
    ex = run(text, "tinyorg/tiny-chat-1b")
    assert {(s.benchmark, s.value, s.model) for s in ex.of(Score)} == {
        ("MMLU", "44.5", None), ("GSM8K", "25.5", None)}


def test_quantized_child_linked_from_the_card():
    text = ("---\nlicense: mit\n---\n# tiny-chat-1b\n\nQuantized: "
            "[GGUF](https://huggingface.co/tinyorg/tiny-chat-1b-GGUF)\n")
    ex = run(text, "tinyorg/tiny-chat-1b")
    assert [(c.ref.id, c.relation) for c in ex.of(Child)] == [
        ("tinyorg/tiny-chat-1b-GGUF", Relation.QUANTIZED)]


def test_datasets_named_by_links_in_a_training_sentence():
    text = """---
license: mit
---
# tiny-long-1b

We train our model with the [LongStories collection](https://example.org/longstories) and [Multi-hop QA](https://example.org/mhqa) data.
A slightly modified puzzles dataset (c.f. [puzzles_dpo](https://huggingface.co/tinyorg/puzzles_dpo)) was used for DPO.
"""
    ex = run(text, "tinyorg/tiny-long-1b")
    assert [(d.ref.id, d.ref.name) for d in ex.of(DatasetUse)] == [
        ("tinyorg/puzzles_dpo", "tinyorg/puzzles_dpo"),
        (None, "LongStories collection"), (None, "Multi-hop QA")]
    assert ex.of(Parent) == []


def test_listed_dataset_names_and_a_training_data_table():
    text = """---
license: mit
---
# tiny-nli-1b

We fine-tune on the combination of QNLI and WNLI datasets.

## Training Data

| Source | Pairs |
|--------|-------|
| OPUS-100 (Helsinki-NLP) | ~4,000 |
| tinyorg/pidgin-pairs | 12 |
| Custom synthetic pairs | 24 |

## Related models

- [otherorg/other-model](https://huggingface.co/otherorg/other-model): this model is trained on the Capybara dataset.
"""
    ex = run(text, "tinyorg/tiny-nli-1b")
    assert [(d.ref.id, d.ref.name) for d in ex.of(DatasetUse)] == [
        (None, "QNLI"), (None, "WNLI"), (None, "OPUS-100"),
        ("tinyorg/pidgin-pairs", "tinyorg/pidgin-pairs")]


def test_repack_original_from_model_name_and_file_table():
    text = """---
model_creator: TinyOrg
model_name: Tiny Chat 1B
quantized_by: quantcrew
---
# Tiny Chat 1B - GPTQ

Made from [Tiny Chat 1B](https://huggingface.co/tinyorg/tiny-chat-1b).

| Branch | Bits | Quant method | Size |
| ------ | ---- | ------------ | ---- |
| main | 4 | GPTQ | 0.8 GB |
"""
    ex = run(text, "quantcrew/Tiny-Chat-1B-GPTQ")
    assert {k: p.relation for k, p in parents(ex).items()} == {
        "tinyorg/tiny-chat-1b": Relation.QUANTIZED}
    [q] = ex.of(Quantization)
    assert q.method == "gptq"


def test_lora_extracted_from_a_fine_tune():
    text = """---
library_name: peft
tags: [mergekit, peft]
---
# tiny-chat-1b-lora

This LoRA adapter was extracted from [tinyorg/tiny-chat-1b](https://huggingface.co/tinyorg/tiny-chat-1b) and uses [tinyorg/tiny-base-1b](https://huggingface.co/tinyorg/tiny-base-1b) as a base.
"""
    ex = run(text, "me/tiny-chat-1b-lora")
    p = parents(ex)
    assert {k: x.relation for k, x in p.items()} == {
        "tinyorg/tiny-chat-1b": Relation.ADAPTER, "tinyorg/tiny-base-1b": Relation.ADAPTER}
