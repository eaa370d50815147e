"""Parents named in prose and by legacy or display names: each style on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import Parent


def parents(text: str, source: str = "me/tune/README.md", hint: str | None = "me/tune",
            ) -> dict[str, str]:
    card = read_card(text.encode(), source, id_hint=hint, id_hint_method="path" if hint else None)
    return {p.ref.id or p.ref.name: p.relation.value for p in extract(card).of(Parent)}


# Links in derivation sentences.

def test_a_makers_name_with_a_dot_before_the_link_is_read_through():
    text = ("# Neon\nThis is a fine-tuned image model.\nTrained on Lab.ai's "
            "[Painter 2.0 Base](https://huggingface.co/lab/painter-2-base) at 512x512.\n")
    assert parents(text) == {"lab/painter-2-base": "finetune"}


def test_a_makers_link_before_the_models_link_is_read_through():
    text = ("# Tune-12b\n`tune-12b` is a language model that is derived from\n"
            "[Lab's](https://lab.example.org/) [Base-12b](https://huggingface.co/lab/base-12b) "
            "and fine-tuned on instructions.\n")
    assert parents(text) == {"lab/base-12b": "finetune"}
    # A maker's link alone names no model.
    assert parents("# Tune\nDerived from [Lab's](https://lab.example.org/) work.\n") == {}


def test_base_model_is_a_link_in_the_middle_of_a_line():
    text = ("# Sentiment\nModel trained with a corpus of reviews. Base model is "
            "[WREN](https://github.com/lab/wren), a BERT model trained in Spanish.\n")
    assert list(parents(text, "x/README.md", None)) == ["WREN"]
    # Another model's base model is not this card's.
    assert parents("# Tune\nWren-7B's base model is [X](https://huggingface.co/lab/x-7b).\n") \
        == {}


def test_the_base_model_used_for_tuning_is_a_link():
    text = ("# Tagger\nA BERT-based tagger fine-tuned on a news corpus.\nThe base model used "
            "for fine-tuning is [`lab/bert-base-news`](https://huggingface.co/lab/bert-base-news)."
            "\n")
    assert parents(text, "x/README.md", None) == {"lab/bert-base-news": "finetune"}
    assert parents("# Tune\nThe base model we chose was `lab/wren-7b`.\n") == \
        {"lab/wren-7b": "derived"}
    # What the base model was used for says nothing of this card.
    assert parents("# Tune\nThe base model used by them is large; ours is [X](https://hugging"
                   "face.co/lab/x-7b).\n") == {}


def test_a_model_adapted_from_an_id_is_tuned_from_it():
    text = ("# Wren Arabic\n- An encoder adapted from `lab/wren-base` via continued pretraining "
            "on 17GB of text.\n")
    assert parents(text) == {"lab/wren-base": "finetune"}
    # Adapted to a language with a dataset, or a recipe adapted from a page: no parent.
    assert parents("# Tune\nAdapted to French with [lab/fr](https://huggingface.co/datasets/"
                   "lab/fr).\nThe recipe was adapted from [a post](https://huggingface.co/blog/"
                   "x).\n") == {}


def test_a_link_alone_under_a_base_models_heading_is_a_parent():
    text = ("# Coder\nA tuned coder.\n\n## The base models\n[Wren-2](https://huggingface.co/lab/"
            "wren-2-7b)\n\nLab released the Wren family of models.\n")
    assert parents(text, "x/README.md", None) == {"lab/wren-2-7b": "derived"}
    # A sentence that starts with "The base model" is no label.
    assert parents("# Tune\nThe base model was trained on the web: see [X](https://huggingface"
                   ".co/lab/x-7b).\n", "x/README.md", None) == {}


def test_a_size_in_brackets_after_a_chinese_base_is_part_of_its_name():
    text = ("# 情感识别\n\n本文档围绕基于 wren2\uff08base\uff09在 EMO 数据集上微调的情感识别"
            "模型展开。\n")
    assert parents(text, "x/README.md", None) == {"wren2 base": "finetune"}


def test_the_only_item_under_a_base_model_heading_may_be_a_name():
    text = ("# Solver\nA LoRA for math.\n\n## Base Model\n- **Wren-Math-1.5B**\n\n---\n## Use\n"
            "Load the base model, then the adapter.\n")
    # ("A LoRA for math": the card's own LoRA, an adapter of its base)
    assert parents(text, "x/README.md", None) == {"Wren-Math-1.5B": "adapter"}
    # Several names under it, or a plural heading: each must resolve to a Hub id.
    two = text.replace("- **Wren-Math-1.5B**", "- **Wren-Math-1.5B**\n- **Kin-2B**")
    assert parents(two, "x/README.md", None) == {}


def test_a_model_initialized_with_a_hub_id_in_quotes_is_tuned_from_it():
    text = ("# Wren-ext\nThe models are initialized with `lab/wren-base-ext` and then pre-trained "
            "with a 2-step strategy.\n")
    assert parents(text, "x/README.md", None) == {"lab/wren-base-ext": "finetune"}
    assert parents("# Tune\nThe head is initialized with `zeros` and trained.\n") == {}


def test_a_link_in_brackets_after_based_and_a_language_model_field():
    text = ("# Tagger\nPretrained BERT-based ([wren-base](https://huggingface.co/lab/wren-base)) "
            "entity tagger for Arabic.\n")
    assert parents(text) == {"lab/wren-base": "derived"}
    field = ("# QA\n## Overview\n**Language model:** bert-base-german-cased  \n"
             "**Language:** German\n")
    assert parents(field) == {"bert-base-german-cased": "derived"}
    # Only an id counts there: "electra-base" names no checkpoint.
    assert parents("# QA\n**Language model:** electra-base  \n") == {}


def test_this_is_a_legacy_model_fine_tuned():
    assert parents("# QA\nThis is T5-base model fine-tuned for abstractive QA.\n",
                   "x/README.md", None) == {"t5-base": "finetune"}
    assert parents("# QA\nIt is the T5-base model.\n", "x/README.md", None) == {}


def test_a_torchscript_or_onnx_export_of_a_linked_model_is_a_conversion():
    text = ("# TorchScript model of lab/wren-ner\nA serialized torchscript model of [lab/wren-ner]"
            "(https://huggingface.co/lab/wren-ner) with a config for a Triton server.\n")
    assert parents(text) == {"lab/wren-ner": "quantized"}
    onnx = "# Wren ONNX\nThe ONNX version of [Wren-7B](https://huggingface.co/lab/wren-7b).\n"
    assert parents(onnx) == {"lab/wren-7b": "quantized"}
    legacy = "# Tagger\nA serialized torchscript model of bert-large-cased for a Triton server.\n"
    assert parents(legacy) == {"bert-large-cased": "quantized"}


def test_fine_tuned_on_a_model_with_a_size_in_billions():
    assert parents("# Caller\nThis Caller model is fine-tuned on Wren-7B and is open.\n") == \
        {"Wren-7B": "finetune"}
    # Data with a size in millions of examples, or of images, is no model.
    assert parents("# Tune\nWe fine-tuned on C4-200M, then fine-tuned on LAION-5B pictures.\n") \
        == {}


# Parents named without a link.

def test_a_bare_name_resolves_to_the_one_hub_id_of_that_name_in_the_cards_code():
    text = ("# 轨迹模拟\n\n本项目对Wren2.5-7B-Instruct模型进行微调\uff0c使其能够生成轨迹。\n\n"
            "```bash\nhuggingface-cli download lab/Wren2.5-7B-Instruct --local-dir "
            "/root/models/Wren2.5-7B-Instruct\n```\n")
    assert parents(text, "x/README.md", None) == {"lab/Wren2.5-7B-Instruct": "finetune"}
    # Two organisations' copies of the name: which one is not said.
    two = text.replace("```\n", "huggingface-cli download kin/Wren2.5-7B-Instruct\n```\n")
    assert parents(two, "x/README.md", None) == {"Wren2.5-7B-Instruct": "finetune"}


def test_chinese_based_on_wording_names_the_base():
    assert parents("# 模型\n本模型基于Wren-3B-Instruct并使用Lora进行模型微调获得。\n",
                   "x/README.md", None) == {"Wren-3B-Instruct": "finetune"}
    assert parents("# Wren-7B-Chat-Yue\n基於Wren-7B-Chat嘅微調版本\uff0c基於大量數據進行訓練。\n",
                   "x/README.md", None) == {"Wren-7B-Chat": "finetune"}
    # A dataset or a method "based on" something, with no tuning said, is no parent.
    assert parents("# 模型\n评测基于C-Eval-2数据集。\n", "x/README.md", None) == {}


def test_a_checkpoint_converted_by_a_script_keeps_its_original_name():
    text = ("# tune\nThis a wren_chinese_tiny model from [a project](https://github.com/lab/w), "
            "wren_tiny_lab_zh model\nconverted by the [script](https://github.com/lab/convert.py)"
            "\n")
    assert parents(text) == {"wren_tiny_lab_zh": "quantized"}
    # The original may carry the repo's own name: it is still not the repo.
    text = ("# tune_xl\nThis a tune_xl model from [Lab's github](https://github.com/lab/w)  \n"
            "converted by the [script](https://github.com/lab/convert.py)\n")
    assert parents(text, "me/tune_xl/README.md", "me/tune_xl") == {"tune_xl": "quantized"}


def test_versions_of_a_model_for_another_framework_are_a_conversion():
    text = ("# TF Wren\nIn this repository you will find different versions of the Wren-XL "
            "model for Tensorflow.\n")
    assert parents(text) == {"Wren-XL": "quantized"}


def test_a_display_name_used_as_the_initialization():
    text = ("# slav-bert\nSlavBERT was trained on news. Multilingual BERT was used as an "
            "initialization for SlavBERT.\n")
    assert parents(text) == {"Multilingual BERT": "finetune"}
    text = ("# ru-bert\nRuBERT was trained on news. We took a multilingual version of BERT-base "
            "as an initialization for RuBERT.\n")
    assert parents(text) == {"multilingual BERT-base": "finetune"}


def test_a_title_naming_the_base_fine_tuned_for_a_task():
    # A display name that spells a legacy id resolves to it.
    assert parents("# BERT (base-multilingual-uncased) fine-tuned for multilingual Q&A\n"
                   "Fine-tuned on XQuAD.\n") == {"bert-base-multilingual-uncased": "finetune"}
    # Otherwise the name is kept as written.
    assert parents("# WREN (large-sized model), fine-tuned on news\nIt summarises.\n") == \
        {"WREN": "finetune"}
    # A plain word is not a model name.
    assert parents("# Model fine-tuned on news\nIt summarises.\n") == {}


def test_an_open_source_named_base_fine_tuned_model():
    text = ("# Nightjar is an open source Stable Wren fine tuned model on photos, by Lab\n"
            "### Stable Wren v1.5 vs Nightjar\n")
    assert parents(text, "x/README.md", None) == {"Stable Wren": "finetune"}


def test_a_parenthesised_variant_name_is_the_exact_base():
    text = ("# Clinical\nThe model was trained on notes. Model parameters were initialized with "
            "WrenBERT (`WrenBERT-Base v1.0 + Notes 200K`).\n")
    assert list(parents(text)) == ["WrenBERT-Base v1.0 + Notes 200K"]


# The card's own name and its relatives.

def test_a_model_named_after_the_cards_own_is_its_child_not_its_parent():
    text = ("# Wren-7B\nWren-7B is pretrained from scratch on 1T tokens. It handles long inputs "
            "(we finetuned [Wren-7B-Story](https://huggingface.co/lab/wren-7b-story) on up to "
            "65k inputs).\n")
    assert parents(text, "lab/wren-7b/README.md", "lab/wren-7b") == {}
    # After "from" or "on", a name with more to it may be the base the card's model grew from.
    text = "# Wren-2\nResumed from [Wren-2-Base](https://huggingface.co/lab/wren-2-base).\n"
    assert parents(text, "lab/wren-2/README.md", "lab/wren-2") == {"lab/wren-2-base": "finetune"}


def test_a_fork_named_like_its_original_derives_from_it():
    # Known only by its title, the card owns every id of that name, but not its original's.
    text = ("---\nlibrary_name: transformers.js\n---\n# wren-small\n\nFork of "
            "[lab/wren-small](huggingface.co/lab/wren-small) with ONNX weights to run in the "
            "browser.\n\nUse it like [this](https://huggingface.co/lab/wren-small).\n")
    assert parents(text, "README.md", None) == {"lab/wren-small": "quantized"}


def test_a_model_converted_from_a_linked_model_is_a_conversion():
    text = ("# Wren-MLX\nThis model was converted to MLX format from "
            "[lab/wren-1b](https://huggingface.co/lab/wren-1b).\n")
    assert parents(text) == {"lab/wren-1b": "quantized"}


def test_a_repack_known_by_its_title_is_named_after_its_original():
    text = ("# Wren-4-mini-GGUF-Q3_K_M\n\nThis is a 3-bit quantized GGUF of Lab's Wren model.\n\n"
            "## Acknowledgments\n* [Wren-4-mini](https://huggingface.co/lab/Wren-4-mini)\n")
    assert parents(text, "README.md", None) == {"lab/Wren-4-mini": "quantized"}


# How the model derives from parents named in prose.

def test_a_model_built_on_two_named_models_derives_from_both():
    text = ("# Wren-V\n**Wren-V 2.5** is the latest model of its series. The model is built on "
            "Eye-400M and Talk-8B-Instruct with a total of 8B parameters. We support LoRA "
            "fine-tuning.\n")
    assert parents(text) == {"Eye-400M": "derived", "Talk-8B-Instruct": "derived"}


def test_a_model_based_on_an_architecture_does_not_say_how_it_derives():
    text = ("---\nbase_model:\n- lab/speech-2b\n---\n# Speech Arabic\nAn Arabic speech "
            "recognition model. Based on the [Speech](https://huggingface.co/lab/speech-2b) "
            "architecture.\n")
    assert parents(text) == {"lab/speech-2b": "derived"}
    # Training on data says it: then it is a fine-tune.
    assert parents(text + "\nFine-tuned on 500 hours of Arabic speech.\n") == \
        {"lab/speech-2b": "finetune"}


def test_a_chinese_base_model_label_may_end_in_a_full_width_comma():
    text = ("# M9\n- \u57fa\u7840\u6a21\u578b\uff0cM9 \u4f7f\u7528 [Wren](https://huggingface.co/"
            "lab/wren-zh) \u7cfb\u5217\u6a21\u578b\u8fdb\u884c\u8bad\u7ec3\n")
    assert list(parents(text)) == ["lab/wren-zh"]


def test_models_used_in_a_merge_are_its_inputs():
    text = ("# Blend-70B\nA multi-model merge of several 70B fine-tunes.\n\n## Procedure\n\n"
            "Models used:\n- **lab/chat-70b** - Great at role play.\n- **other/tutor-70b** - "
            "Follows instructions, so the best model to act as the base for the merge.\n\n"
            "Both were merged with SLERP.\n")
    ex = extract(read_card(text.encode(), "me/blend/README.md", id_hint="me/blend",
                           id_hint_method="path"))
    assert {p.ref.id: (p.relation.value, p.role and p.role.value) for p in ex.of(Parent)} == {
        "lab/chat-70b": ("merge", "source"), "other/tutor-70b": ("merge", "base")}
    # Without merging, "Models used:" lists tools, not parents.
    assert parents("# Eval\nModels used:\n- **lab/judge-70b** - the judge.\n") == {}


def test_a_distilled_students_teacher_is_its_parent():
    text = ("# DistilWren\nDistilWren was trained on 7GB of the original training data, using "
            "the cased version of WrenBERT as teacher model.\n")
    assert parents(text) == {"WrenBERT": "derived"}


def test_a_card_that_only_says_its_weights_were_quantized_is_a_repack():
    text = ("---\nbase_model:\n- lab/vision-7b\n---\n\nVision-7B NF4 Quant\nOnly the language "
            "portion was quantized, the image encoder remains as is.\n")
    assert parents(text, "README.md", None) == {"lab/vision-7b": "quantized"}
    # A QLoRA card quantizes its base to tune on it: still a fine-tune.
    text = ("---\nbase_model:\n- lab/vision-7b\n---\n# Tune\nThe base was quantized to 4 bits "
            "and fine-tuned with QLoRA, then merged back into the base.\n")
    assert parents(text) == {"lab/vision-7b": "finetune"}


def test_a_model_zoo_row_of_the_cards_own_model_names_its_base():
    text = ("# Wren-M3\n| Model | Dimension | Note |\n|---|---|---|\n"
            "| [lab/wren-m3](https://huggingface.co/lab/wren-m3) | 1024 | unified fine-tuning "
            "from wren-m3-unsupervised |\n"
            "| [lab/wren-m3-unsupervised](https://huggingface.co/lab/wren-m3-unsupervised) | 1024 "
            "| contrastive learning from wren-m3-retro |\n")
    assert parents(text, "lab/wren-m3/README.md", "lab/wren-m3") == \
        {"lab/wren-m3-unsupervised": "finetune"}
    # Another model's row says nothing of this one.
    assert parents(text, "lab/wren-m4/README.md", "lab/wren-m4") == {}


def test_a_model_with_another_models_component_swapped_in_merges_both():
    text = ("# my-korean-painter\nIt's [lab/painter-1-5](https://huggingface.co/lab/painter-1-5) "
            "model, just text encoder and tokenizer are replaced with my "
            "[me/text-encoder-ko](https://huggingface.co/me/text-encoder-ko).\n")
    ex = extract(read_card(text.encode(), "README.md"))
    assert {p.ref.id: (p.relation.value, p.role and p.role.value) for p in ex.of(Parent)} == {
        "lab/painter-1-5": ("merge", "base"), "me/text-encoder-ko": ("merge", "source")}


# What these styles must not read as a parent.

def test_method_words_and_data_makers_are_not_bases():
    assert parents("# LoRA fine-tuned on reviews\nA small adapter.\n") == {}
    assert parents("# Tune\nThis is a LoRA fine-tuned model for reviews.\n") == {}
    # A teacher that wrote the training data, in a card that distils nothing.
    assert parents("# Tune\nTrained on answers written using Oracle-4 as the teacher.\n") == {}
    # "Based on X-4 generated data": the data's maker, not the base.
    assert parents("# \u6a21\u578b\n\u57fa\u4e8eOracle-4\u751f\u6210\u7684\u6570\u636e"
                   "\u8fdb\u884c\u5fae\u8c03\u3002\n", "x/README.md", None) == {}
    # A link's text that is no model name.
    assert parents("# Tune\nThe base model is [paper](https://example.org/wren), see below.\n") \
        == {}


def test_a_base_named_by_a_family_and_a_version():
    text = ("---\ntags:\n- text-to-image\n- finetune\n---\n## Icons 1.0\n# about\n\n"
            "- this was made with WD 2.1 \n- generates icons\n")
    assert parents(text, "x/README.md", None) == {"WD 2.1": "finetune"}
    # Data and tools are not bases.
    assert parents("# Tune\nThis model is fine-tuned on the SUC 3.0 dataset.\n") == {}
    assert parents("# Tune\nThis model was made with Axolotl 0.4.1 on one GPU.\n") == {}


def test_a_sentence_naming_the_model_whose_weights_the_card_offers_is_about_the_card():
    text = ("---\nlibrary_name: diffusers\n---\n\nPainter Inpaint is an image model.\n\n"
            "The **Painter-Inpaint** was initialized with the weights of the "
            "[Painter-1-2](https://steps/huggingface.co/lab/painter-1-2-original). Then 440k "
            "steps of inpainting training.\n\n1. Download the weights [painter-inpaint.ckpt]"
            "(https://huggingface.co/lab/painter-inpaint/resolve/main/painter-inpaint.ckpt)\n")
    assert list(parents(text, "d001.md", None)) == ["lab/painter-1-2-original"]
    # Without the download link the sentence tells another linked model's history.
    other = text.replace("/resolve/main/painter-inpaint.ckpt", "")
    assert parents(other, "d001.md", None) == {}


def test_japanese_and_korean_derivation_wording_names_the_base():
    assert parents("# モデル\nWren-7B-InstructをベースにSFTしたモデルです。\n", "x/README.md",
                   None) == {"Wren-7B-Instruct": "finetune"}
    assert parents("# 모델\n이 모델은 Wren-7B를 기반으로 한국어 데이터로 파인튜닝한 모델입니다.\n",
                   "x/README.md", None) == {"Wren-7B": "finetune"}
    # Data generated with a model names no base.
    assert parents("# モデル\nOracle-4を元に生成したデータで学習しました。\n", "x/README.md",
                   None) == {}


def test_further_pretraining_from_a_named_model_is_a_fine_tune():
    assert parents("# Wren-Ko\nThis model was further pre-trained from Wren-2-7b on Korean "
                   "text.\n") == {"Wren-2-7b": "finetune"}
    assert parents("# Wren-Ko\nThis model was further pretrained on top of "
                   "[Wren-2-7b](https://huggingface.co/lab/wren-2-7b).\n") == \
        {"lab/wren-2-7b": "finetune"}


def test_a_language_is_no_base_of_a_fine_tuned_model():
    assert parents("# Tune\nThis is a Spanish fine-tuned model for reviews.\n") == {}
    assert parents("# Tune\nThis is a Stable Wren fine-tuned model for photos.\n") == {}


def test_a_model_trained_on_data_from_a_named_base_is_its_fine_tune():
    text = ("# Sentiment\nModel trained with a corpus of 5k reviews. Base model is "
            "[WREN](https://github.com/lab/wren), a BERT model.\n")
    assert parents(text, "x/README.md", None) == {"WREN": "finetune"}
    # The base's own training says nothing of how this model derives from it.
    text = ("# Tune\nBased on [Wren-7B](https://huggingface.co/lab/wren-7b). The base model was "
            "trained on web text.\n")
    assert parents(text) == {"lab/wren-7b": "derived"}


def test_more_unlinked_derivation_wording():
    assert parents("# Tune\nThis model is a fine-tuned version of Wren-2-7b on our chat "
                   "data.\n") == {"Wren-2-7b": "finetune"}
    assert parents("# Tune\nThis is a DreamBooth model trained on top of Wren-XL 1.0.\n") \
        == {"Wren-XL 1.0": "finetune"}
    # Initialized from a model's weights and trained further: a fine-tune of it.
    assert parents("# Tune\nThis model was initialized from Wren-1.3B and trained on code.\n") \
        == {"Wren-1.3B": "finetune"}
    assert parents("# Tune\nInitialized from [Wren-1.3B](https://huggingface.co/lab/wren-1.3b)."
                   "\n") == {"lab/wren-1.3b": "finetune"}


# Styles of the second batch's dev cards.

def test_the_trainer_sentence_with_a_bare_hub_id_names_the_base_even_without_an_own_id():
    text = ("# Speech Small Tamil\n\nThis model is a fine-tuned version of lab/speech-small on "
            "the lab/voices ta dataset.\n")
    assert parents(text, "0042.md", None) == {"lab/speech-small": "finetune"}
    # Only about "this model": another model's version names nothing.
    assert parents("# X\nOur teacher is a fine-tuned version of lab/speech-small.\n",
                   "0042.md", None) == {}
    # A placeholder is no base.
    assert parents("# X\nThis model is a fine-tuned version of path/to/model on data.\n") == {}


def test_a_card_packaging_another_checkpoint_is_a_repack_of_it():
    text = ("# Enc-8M\n`me/Enc-8M` packages the `lab/enc_t6_8M` checkpoint with a faster "
            "attention backend.\n")
    assert parents(text, "me/Enc-8M/README.md", "me/Enc-8M") == {"lab/enc_t6_8M": "quantized"}
    # Packages of software name no model.
    assert parents("# Enc\nThe image packages the `torch` library.\n") == {}


def test_a_training_configs_json_key_names_the_base():
    json_config = ("# Sum\n## Hyperparameters\n```json\n{\n    \"dataset_name\": \"dialogs\",\n"
                   "    \"model_name_or_path\": \"lab/summarizer-large\",\n"
                   "    \"seed\": 7\n}\n```\n")
    assert parents(json_config) == {"lab/summarizer-large": "finetune"}
    # A YAML "base_model:" belongs to a merge or training config, read by their own readers:
    # in a merge's config it is the merge's base, not a second parent of another kind.
    merge = ("# M\n```yaml\nmodels:\n  - model: lab/a-7b\n  - model: lab/b-7b\n"
             "merge_method: slerp\nbase_model: lab/a-7b\n```\n")
    assert parents(merge) == {"lab/a-7b": "merge", "lab/b-7b": "merge"}


def test_a_training_command_with_a_copied_cache_folder_names_its_model():
    text = ("# Weapons LoRA\n```\naccelerate launch train_text_to_image_lora.py `\n"
            "  --pretrained_model_name_or_path=\"D:\\models--lab--diffusion-v1-5\" `\n"
            "  --rank=4\n```\n")
    assert list(parents(text)) == ["lab/diffusion-v1-5"]


def test_chinese_tuning_of_a_named_model_names_it():
    text = "# 睡眠助手\n本项目对Wren-6b模型进行微调\uff0c并进行了临床试验。\n"
    assert parents(text) == {"Wren-6b": "finetune"}
    # Tuned through LoRA: an adapter of the model.
    lora = "# 睡眠助手\n本项目通过LoRA技术对Wren-6b模型进行微调\uff0c并进行了临床试验。\n"
    assert parents(lora) == {"Wren-6b": "adapter"}
    # Tuning something that is not a named model (no digit): nothing.
    assert parents("# X\n我们对数据进行了清洗和训练。\n") == {}


def test_weights_added_on_top_of_a_quoted_hub_id_are_an_adapter_of_it():
    text = ("# Logo maker\n5. The run wrote the newly trained weights.\n"
            "6. These weights were added on top of the \u2018lab/diffusion-v1-5\u2019\n")
    assert parents(text, "0007.md", None) == {"lab/diffusion-v1-5": "adapter"}
    # Another model's weights say nothing of this card.
    assert parents("# X\nThe teacher weights are far larger than lab/diffusion-v1-5.\n") == {}


# Styles of the dev half studied in session 7.

def test_after_fine_tuning_the_legacy_model_names_it():
    text = ("# Paraphraser\n## Results\nAfter fine-tuning the **T5-Small** model for paraphrases, "
            "we obtained these scores.\n")
    assert parents(text) == {"t5-small": "finetune"}
    # Telling readers how to fine-tune it names nothing of this card.
    assert parents("# X\nWe recommend fine-tuning the t5-small model yourself.\n") == {}


def test_a_quoted_legacy_id_after_based_on_names_it():
    text = '# Flavour\nThe model was based on the "gpt2" pretrained transformer.\n'
    assert parents(text) == {"gpt2": "derived"}


def test_a_title_naming_a_legacy_id_fine_tuned_on_data():
    text = "---\nlanguage: de\n---\n\n# bert-base-german-cased fine-tuned on PAWS-X-de\n"
    assert parents(text) == {"bert-base-german-cased": "finetune"}
    # A title with no model name in it names no base.
    assert parents("# model fine-tuned on PAWS-X-de\n") == {}


def test_chinese_on_the_basis_of_a_linked_model():
    text = ("# Wren-6B-32K\nWren-6B-32K在[Wren-6B](https://huggingface.co/lab/wren-6b)的基础上"
            "进一步强化了对于长文本的理解能力。\n")
    assert parents(text) == {"lab/wren-6b": "finetune"}
    named = ("# Wren-7B-Chat\n同时\uff0c在Wren-7B的基础上\uff0c我们使用对齐机制打造了助手"
             "Wren-7B-Chat。\n")
    assert parents(named) == {"Wren-7B": "finetune"}
    # On the basis of a model's architecture, or building something else on it: no parent.
    assert parents("# X\n在Wren-7B的基础上\uff0c我们搭建了一个问答系统。\n") == {}


def test_a_linked_teacher_employed_in_a_distillation():
    text = ("# Small speech\nA distilled speech model: we employ Lab's [Wren large-v3]"
            "(https://huggingface.co/lab/wren-large-v3) as the teacher model.\n")
    assert parents(text) == {"lab/wren-large-v3": "derived"}
    # A teacher in a card that distils nothing wrote data, it is no parent.
    assert parents("# X\nAnswers were graded using [J](https://huggingface.co/lab/j-70b) as "
                   "the teacher.\n") == {}


def test_continued_training_from_a_linked_model():
    text = ("# Painter\nVersion 3.4 continued training from [Painter v2.2]"
            "(https://huggingface.co/lab/painter-v2.2) with added photorealism.\n")
    assert parents(text) == {"lab/painter-v2.2": "finetune"}


def test_a_link_to_a_card_folder_of_the_transformers_repository_names_the_model():
    text = ("# Tagger\nThe model initialized from [`wren-small`](https://github.com/huggingface/"
            "transformers/blob/master/model_cards/lab/wren-small) model and trained on tags.\n")
    assert parents(text) == {"lab/wren-small": "finetune"}
    # Other files of that repository name no model.
    assert parents("# Tagger\nInitialized from [the docs](https://github.com/huggingface/"
                   "transformers/blob/master/README.md).\n") == {}


def test_a_lora_adapter_for_a_named_base():
    assert parents("# X\nA QLoRA adapter for lab/Coder-7B-Instruct, trained on CTF tasks.\n") == \
        {"lab/Coder-7B-Instruct": "adapter"}
    assert parents("# X\nThis is a LoRA adapter for [Coder-7B](https://huggingface.co/lab/"
                   "coder-7b).\n") == {"lab/coder-7b": "adapter"}
    assert parents("# X\nThis repository contains LoRA adapters for `lab/coder-7b`.\n") == \
        {"lab/coder-7b": "adapter"}
    assert parents("# X\nlab/Coder-7B-Instruct \u5411\u3051\u306e CTF \u7528 QLoRA adapter\n") \
        == {"lab/Coder-7B-Instruct": "adapter"}
    # Adapters in another repository are not what this card holds.
    assert parents("# X\nWe fine-tuned all weights. LoRA adapters for lab/coder-7b are in "
                   "another repo.\n") == {}


def test_a_card_known_by_its_title_names_its_base_in_a_sentence_about_it():
    # No id of its own: the sentence must be about the model the card is titled by.
    text = ("# Wren-R1\n## Training\nWren-R1-Zero & Wren-R1 are trained based on "
            "Wren-V3-Base.\n")
    assert parents(text, "0001.md", None) == {"Wren-V3-Base": "derived"}
    other = "# Wren-R1\n## Training\nThe older Wren-Q2 is trained based on Wren-V2-Base.\n"
    assert parents(other, "0001.md", None) == {}


def test_is_a_fine_tuned_named_pretrained_model():
    text = ("# Wren Guard 3-1B Model Card\nWren Guard 3-1B is a fine-tuned Wren-3.2-1B pretrained "
            "model for content safety classification.\n")
    assert parents(text, "0002.md", None) == {"Wren-3.2-1B": "finetune"}
    # A fine-tuned model the card's own only beats is no parent.
    assert parents("# Tune\nOur model outperforms a fine-tuned Wren-3.2-1B on safety.\n") == {}


def test_the_base_named_before_its_tuning():
    assert parents("# X\nThis model is a version of [Wren-small](https://huggingface.co/lab/"
                   "wren-small) fine-tuned for tagging.\n") == {"lab/wren-small": "finetune"}
    assert parents("# X\nThis model takes [wren-large](https://huggingface.co/lab/wren-large) "
                   "and fine-tunes it on NLI.\n") == {"lab/wren-large": "finetune"}
    layers = ("# X\nWe copy alternating layers from `wren-large` and finetune more.\n\n"
              "| [wren-large](https://huggingface.co/lab/wren-large) (baseline) | 89.9 |\n")
    assert parents(layers) == {"lab/wren-large": "finetune"}
    # Another release's version is no parent of this card.
    assert parents("# X\nA version of [Wren](https://huggingface.co/lab/wren) trained on more "
                   "data is also out.\n") == {}


def test_a_sentence_naming_the_base_wins_over_a_command_loading_a_sibling():
    text = ("# Sentiment\nThis model is based on [Wren cased](https://huggingface.co/lab/"
            "wren-cased) for Turkish.\n\n```\npython run_glue.py \\\n  --model_name_or_path "
            "lab/wren-uncased \\\n  --do_train\n```\n")
    assert parents(text) == {"lab/wren-cased": "derived"}


def test_a_port_of_a_linked_model_to_another_format_is_a_conversion():
    text = ("# Wren encoder\nThis is a port of the multilingual Wren text encoder "
            "(https://huggingface.co/lab/Wren) to the `transformers` format from `fairseq2`.\n")
    assert parents(text, "0003.md", None) == {"lab/Wren": "quantized"}
    # A port someone else made, mentioned in passing, is no parent.
    assert parents("# X\nThere is also a port of it (https://huggingface.co/lab/Wren).\n") == {}


def test_a_display_name_with_a_version_in_a_base_model_field():
    assert parents("# Icon LoRA\n\n- **Base Model:** Wren Base 1.0\n") == \
        {"Wren Base 1.0": "derived"}
    # Words that are no name, even with a number, are not kept.
    assert parents("# Icon LoRA\n\n- **Base Model:** our own 7B model\n") == {}


# Precision guards from the eighth dev batch (family READMEs), session 7.

def test_a_command_given_as_an_example_for_another_model_names_no_parent():
    text = ("# Chat family\n### Side notes\nThe same script also works for other models. Here's "
            "an example for fine-tuning Lab-6.7B\n\n```bash\ntorchrun train.py \\\n"
            "    --model_name_or_path \"lab/lab-6.7b\" \\\n    --num_train_epochs 3\n```\n")
    assert parents(text, "0004.md", None) == {}


def test_the_model_a_usage_section_loads_is_no_parent_but_a_base_given_to_it_is():
    usage = ("# Family\n## Usage\n```python\nmodel_name_or_path = \"lab/wren-large\"\n"
             "model = AutoModel.from_pretrained(model_name_or_path)\n```\n")
    assert parents(usage, "0005.md", None) == {}
    adapter = ("# Tuned\n### Usage\n```\npython inference.py --base_model 'lab/wren-7b' "
               "--lora_weights 'me/tune'\n```\n")
    assert parents(adapter) == {"lab/wren-7b": "adapter"}


def test_a_list_item_about_another_model_of_a_family_names_none_of_this_cards():
    text = ("# Family of Korean models\n* GPT3\uc758 \uacbd\uc6b0 GPT2\ub97c \uae30\ubc18\uc73c"
            "\ub85c \ud559\uc2b5\ud558\uc600\uc2b5\ub2c8\ub2e4.\n")
    assert parents(text, "0006.md", None) == {}


def test_a_korean_sentence_basing_the_model_on_a_linked_base():
    text = ("# \u2601\ufe0f WREN (\uad6c\ub984): A Korean Model\n- WREN3\uc740 [lab/Base-10.7B]"
            "(https://huggingface.co/lab/Base-10.7B)\uc744 \uae30\ubc18\uc73c\ub85c instruction-"
            "tuning \ub41c \ubaa8\ub378\uc785\ub2c8\ub2e4.\n")
    assert parents(text, "0007.md", None) == {"lab/Base-10.7B": "finetune"}


def test_this_repository_contains_the_conversion_of_a_linked_model():
    text = ("# Fast speech\nThis repository contains the conversion of [lab/speech-large-v3]"
            "(https://huggingface.co/lab/speech-large-v3) to the CTranslate2 model format.\n")
    assert parents(text, "0008.md", None) == {"lab/speech-large-v3": "quantized"}


# Session 8: styles from the eighth dev batch and earlier dev misses.

def test_links_joined_by_and_after_a_derivation_are_all_parents():
    text = ("# Speech\nFine-tuned speech models for Catalan based on [lab/speech-large]"
            "(https://huggingface.co/lab/speech-large) and [lab/speech-100k]"
            "(https://huggingface.co/lab/speech-100k)\n")
    assert set(parents(text, "0009.md", None)) == {"lab/speech-large", "lab/speech-100k"}
    # Without a preposition the verb may have made two models: only the first is read.
    tuned = ("# Pair\nWe fine-tuned [lab/a-1b](https://huggingface.co/lab/a-1b) and "
             "[lab/b-1b](https://huggingface.co/lab/b-1b) on reviews.\n")
    assert set(parents(tuned, "0010.md", None)) <= {"lab/a-1b"}
    # A dataset link joined to the base is no parent.
    data = ("# Tune\nFine-tuned from [lab/base-1b](https://huggingface.co/lab/base-1b) and "
            "[the chats](https://huggingface.co/datasets/lab/chats).\n")
    assert parents(data) == {"lab/base-1b": "finetune"}


def test_a_quoted_hub_id_after_based_on_in_a_sentence_about_the_model():
    text = ("# Chat\nThis is a GPT-style model, based on \"Lab/wrenGpt-medium-chat\" model and "
            "fine-tuned on a forum dataset.\n")
    assert parents(text, "0011.md", None) == {"Lab/wrenGpt-medium-chat": "finetune"}
    # A quoted id after "based on" in a sentence about something else names no parent.
    other = "# Chat\nThe dataset is based on \"lab/forum-dump\" and cleaned by hand.\n"
    assert parents(other, "0012.md", None) == {}


def test_base_model_labels_and_headings_in_other_languages():
    russian = ("# \u041a\u043b\u0430\u0441\u0441\u0438\u0444\u0438\u043a\u0430\u0446\u0438\u044f\n"
               "#### \u0421\u0441\u044b\u043b\u043a\u0430 \u043d\u0430 \u0438\u0441\u0445\u043e"
               "\u0434\u043d\u0443\u044e \u043c\u043e\u0434\u0435\u043b\u044c\n"
               "[Wren for NLI](https://huggingface.co/lab/wren-base-nli)\n")
    assert parents(russian, "0013.md", None) == {"lab/wren-base-nli": "derived"}
    german = "# Modell\n- **Basismodell:** [lab/wren-7b](https://huggingface.co/lab/wren-7b)\n"
    assert parents(german, "0014.md", None) == {"lab/wren-7b": "derived"}
    french = "# Mod\u00e8le\nMod\u00e8le de base : [Wren 7B](https://huggingface.co/lab/wren-7b)\n"
    assert parents(french, "0015.md", None) == {"lab/wren-7b": "derived"}
    # The words inside a sentence are no label.
    prose = "# Mod\u00e8le\nLe mod\u00e8le de base est excellent.\n"
    assert parents(prose, "0016.md", None) == {}


def test_a_japanese_or_korean_base_named_with_a_spaced_version():
    japanese = ("# Wren-ja-13b\n**Wren-ja-13b** \u306f\u3001 Llama 2\u3092\u30d9\u30fc\u30b9"
                "\u3068\u3057\u3066\u8ffd\u52a0\u4e8b\u524d\u5b66\u7fd2\u3092\u884c\u3063\u305f"
                "\u30e2\u30c7\u30eb\u3067\u3059\u3002\n")
    assert parents(japanese, "0017.md", None) == {"Llama 2": "finetune"}
    korean = ("# Wren-ko\nWren-ko\ub294 Wren 2 7B\ub97c \uae30\ubc18\uc73c\ub85c \ud30c\uc778"
              "\ud29c\ub2dd\ud55c \ubaa8\ub378\uc785\ub2c8\ub2e4.\n")
    assert parents(korean, "0018.md", None) == {"Wren 2 7B": "finetune"}


def test_a_merge_verb_then_linked_inputs_marks_the_base():
    text = ("# Merge experiment\nThis repo documents an attempt to SLERP merge "
            "[lab/wren-7b](https://huggingface.co/lab/wren-7b) (base) and "
            "[lab/wren-7b-chat](https://huggingface.co/lab/wren-7b-chat) using mergekit.\n")
    card = read_card(text.encode(), "0019.md")
    found = {p.ref.id: (p.relation.value, p.role and p.role.value, p.method)
             for p in extract(card).of(Parent)}
    assert found == {"lab/wren-7b": ("merge", "base", "slerp"),
                     "lab/wren-7b-chat": ("merge", "source", "slerp")}
    # One linked model after "merged" is no merge recipe of this card.
    assert parents("# Notes\nThe team may SLERP merge [lab/a-7b](https://huggingface.co/lab/"
                   "a-7b) next month.\n", "0020.md", None) == {}


def test_this_project_is_a_fine_tuning_of_a_named_model():
    text = ("# Translation tune\nThis project is a fine-tuning of the SMALL-100 model to "
            "translate between English and Thai.\n")
    assert parents(text, "0021.md", None) == {"SMALL-100": "finetune"}
    lora = "# Tune\nThis model is a LoRA fine-tune of Wren-7B for chat.\n"
    assert parents(lora, "0022.md", None) == {"Wren-7B": "adapter"}
    # Another model's tuning is not this card's.
    other = "# Tune\nThe first release was a fine-tuning of Wren-7B.\n"
    assert parents(other, "0023.md", None) == {}


def test_the_base_model_of_the_titled_model():
    text = ("# Wren3-6B\n1. **Base model:** The base model of Wren3-6B, Wren3-6B-Base, uses "
            "more data.\n")
    assert parents(text, "0024.md", None) == {"Wren3-6B-Base": "derived"}
    chinese = ("# Wren3-6B\n1. Wren3-6B \u7684\u57fa\u7840\u6a21\u578b Wren3-6B-Base "
               "\u91c7\u7528\u4e86\u66f4\u591a\u7684\u8bad\u7ec3\u6570\u636e\u3002\n")
    assert parents(chinese, "0025.md", None) == {"Wren3-6B-Base": "derived"}
    # Another model's base model is that model's.
    other = "# Wren3-6B\nThe base model of Kite-2B, Kite-2B-Base, is small.\n"
    assert parents(other, "0026.md", None) == {}


def test_fine_tunes_a_linked_model_and_a_bold_hub_id_after_derived_from():
    text = ("# Summaries\nThis project fine-tunes the [lab/wren-v2](https://huggingface.co/lab/"
            "wren-v2) model on a summarization dataset.\n")
    assert parents(text, "0027.md", None) == {"lab/wren-v2": "finetune"}
    export = "# Wren CoreML\nThis CoreML export is derived from **lab/wren-tts-2**.\n"
    assert parents(export, "0028.md", None) == {"lab/wren-tts-2": "quantized"}
    derived = "# Wren Chat\nThis model is derived from **lab/wren-7b** by merging heads.\n"
    assert parents(derived, "0029.md", None) == {"lab/wren-7b": "derived"}


def test_this_repository_hosts_a_version_of_a_named_model():
    text = ("# Book recommendations\nThis repository hosts the quantized version of the "
            "all-MiniLM-L6-v2 model fine-tuned for book recommendation tasks.\n")
    assert parents(text, "0030.md", None) == {"all-MiniLM-L6-v2": "finetune"}
    repack = "# Wren GGUF\nThis repository contains a GGUF version of Wren-7B-Chat.\n"
    assert parents(repack, "0031.md", None) == {"Wren-7B-Chat": "quantized"}
    # Someone else's sentence in a card of unknown id names no parent of its own.
    other = "# Notes\nOur previous release was a quantized version of Wren-7B.\n"
    assert parents(other, "0032.md", None) == {}


def test_a_base_model_row_of_a_table_in_another_language():
    text = ("# Modell\n| Eigenschaft | Wert |\n|---|---|\n| Basismodell | [lab/wren-7b]"
            "(https://huggingface.co/lab/wren-7b) |\n")
    assert parents(text, "0033.md", None) == {"lab/wren-7b": "derived"}


def test_this_named_model_is_tuned_on_a_name_after_a_headings_marks():
    text = "# Squirrel\n### \U0001f4e3 This Squirrel model is fine-tuned on Wren-7B and is free.\n"
    assert parents(text, "0034.md", None) == {"Wren-7B": "finetune"}
    # A sentence that does not start with the card's "this" is someone else's.
    other = "# Notes\nOur other project: this model is based on Wren-7B.\n"
    assert parents(other, "0035.md", None) == {}


def test_the_writer_fine_tuned_a_named_model():
    text = "# Reviews\nIn this repository, I've finetuned TinyWren model, for summaries.\n"
    assert parents(text, "0036.md", None) == {"TinyWren": "finetune"}
    assert parents("# Q\nWe fine-tuned Wren-7B on our data.\n", "0037.md", None) \
        == {"Wren-7B": "finetune"}
    # A family's name without a digit, not followed by "model", is no one parent.
    assert parents("# Q\nWe fine-tuned WREN with the transformers library.\n", "0038.md",
                   None) == {}


def test_an_original_field_above_the_fine_tuned_one_names_a_hub_model():
    text = ("# Small model tuning\n## Models\nOriginal: [lab/wren-4b-chat](https://huggingface.co/"
            "lab/wren-4b-chat)\nFine Tuned: [me/wren-4b-jp](https://huggingface.co/me/wren-4b-jp)\n")
    assert parents(text, "0039.md", None) == {"lab/wren-4b-chat": "finetune"}
    # Only a Hub model: a paper or a bare name after "Original:" is no parent.
    paper = ("# Notes\nOriginal: [the paper](https://arxiv.org/abs/1234.5678)\n"
             "Original: Wren-7B\n")
    assert parents(paper, "0040.md", None) == {}


def test_a_one_word_name_with_capitals_in_a_base_model_field():
    assert parents("# Cobol\nBase model: CodeWren\n", "0041.md", None) == {"CodeWren": "derived"}
    assert parents("# Cobol\nBase model: wren\n", "0042.md", None) == {}


def test_a_base_model_row_naming_a_checkpoint_off_the_hub_is_no_parent():
    # A table row is read only for a Hub model: a name a link's text gives, off the Hub, is
    # left out (on cards never seen, such rows named models the card did not derive from).
    text = ("# Wren v4\n|Item|Value|\n|---|---|\n|Base model structure|Wren-2|\n"
            "|Base model|[v3-1.7b-exp2 Iter988k](https://github.com/lab/cards/blob/main/v3.md)|\n")
    assert parents(text, "0043.md", None) == {}
    linked = text.replace("https://github.com/lab/cards/blob/main/v3.md",
                          "https://huggingface.co/lab/v3-1.7b")
    assert parents(linked, "0044.md", None) == {"lab/v3-1.7b": "derived"}
