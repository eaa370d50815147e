"""Card styles the dev half of the larger corpus showed, each on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.extract.links import find_links
from lineage.facts import DatasetUse, Derivation, Hardware, Identity, Parent


def parents(text: str, source: str = "me/tune/README.md", hint: str | None = "me/tune",
            ) -> dict[str, str]:
    card = read_card(text.encode(), source, id_hint=hint, id_hint_method="path" if hint else None)
    return {p.ref.id or p.ref.name: p.relation.value for p in extract(card).of(Parent)}


def test_training_resumed_from_a_checkpoint_is_a_fine_tune():
    text = ("# Inpaint\nThis model is resumed from [base-2](https://huggingface.co/lab/base-2) "
            "and trained for another 200k steps.\n")
    assert parents(text) == {"lab/base-2": "finetune"}


def test_a_setfit_cards_sentence_transformer_body_is_its_base():
    text = ("# SetFit with lab/embedder\n## Model Details\n- **Model Type:** SetFit\n"
            "- **Sentence Transformer body:** [lab/embedder](https://huggingface.co/lab/embedder)\n"
            "- **Classification head:** a LogisticRegression instance\n")
    assert parents(text) == {"lab/embedder": "finetune"}


def test_a_hub_link_written_without_its_scheme_is_a_link():
    text = "# Tune\nFine-tuned from [lab/base-1b](huggingface.co/lab/base-1b) on reviews.\n"
    card = read_card(text.encode(), "t.md")
    assert [(lk.ref.kind, lk.ref.id) for lk in find_links(card)] == [("model", "lab/base-1b")]
    assert parents(text) == {"lab/base-1b": "finetune"}


def test_this_named_model_sentence_is_about_the_card_itself():
    text = ("# Inpaint-2\nSee also [the inpainting repo](https://huggingface.co/lab/inpaint-2/"
            "blob/main/x.yaml).\nThis `inpaint-2` model is fine-tuned from "
            "[base-2](https://huggingface.co/lab/base-2).\n")
    card = read_card(text.encode(), "0007.md")
    ex = extract(card)
    assert [p.ref.id for p in ex.of(Parent)] == ["lab/base-2"]
    assert ex.of(Derivation) == []


def test_a_scrapes_sequence_number_is_no_name():
    text = "# Model Card for Tiny-LM\n[x](https://huggingface.co/lab/Tiny-LM/resolve/main/a.bin)\n"
    for source in ("d017.md", "cards/0042.md"):
        (me,) = extract(read_card(text.encode(), source)).of(Identity)
        assert me.id == "lab/Tiny-LM"


def test_a_fork_of_a_repo_derives_from_it():
    text = "# Small-ONNX\nFork of [lab/small](huggingface.co/lab/small) with ONNX weights.\n"
    assert parents(text) == {"lab/small": "quantized"}  # converted weights: a repack
    assert parents("# Small-2\nFork of [lab/small](huggingface.co/lab/small).\n") == \
        {"lab/small": "derived"}


# Derivation words in sentences that do not say the card's model derives from what follows.

def test_a_dataset_or_an_architecture_based_on_a_model_is_no_parent():
    assert parents("# Tune\nThe training set is small. As the dataset is based on QA-Set-2.0, "
                   "no question is unanswerable.\n") == {}
    assert parents("# Tune\nIt is an auto-regressive model with a transformer architecture "
                   "based on Wren-2 and trained from scratch.\n") == {}
    assert parents("# Tune\nThe tokenizer is based on [lab/base-7b](https://huggingface.co/"
                   "lab/base-7b).\n") == {}


def test_what_users_may_do_with_a_model_is_no_parent():
    assert parents("# Tune\n**Note: Developers may fine-tune Wren 3 models for other "
                   "languages under its license.**\n") == {}
    assert parents("# Tune\nYou can fine-tune [lab/base-7b](https://huggingface.co/lab/"
                   "base-7b) with the script below.\n") == {}


def test_a_non_quantized_version_of_a_model_is_that_model_not_its_child():
    assert parents("# Tune\nThis model is the non-quantized version of Wren Command-R2. The "
                   "quantized one is elsewhere.\n") == {}


def test_a_card_text_based_on_another_models_card_is_no_parent():
    assert parents("# Tune\n*This model card was written by us and is based on the "
                   "[Wren-2 model card](https://huggingface.co/lab/wren-2).*\n") == {}


def test_derivation_sentences_about_the_model_still_give_parents():
    assert parents("# Tune\nThis model is based on Wren-2-7B and tuned on chats.\n") == {
        "Wren-2-7B": "derived"}
    assert parents("# Tune\nWe used LoRA to fine-tune [lab/base-7b](https://huggingface.co/"
                   "lab/base-7b) on reviews.\n") == {"lab/base-7b": "finetune"}
    assert parents("# Tune\nA quantized version of Wren-2-7B for small GPUs.\n") == {
        "Wren-2-7B": "quantized"}


def datasets(text: str) -> set[str]:
    card = read_card(text.encode(), "me/tune/README.md", id_hint="me/tune", id_hint_method="path")
    return {d.ref.id or d.ref.name for d in extract(card).of(DatasetUse)}


def test_pictures_hosted_in_a_dataset_repo_are_no_training_data():
    text = ("# Tune\n![samples](https://huggingface.co/datasets/someone/images/resolve/main/"
            "grid.png)\n<img src=\"https://huggingface.co/datasets/lab/docs-images/resolve/main/"
            "a.JPG?download=true\">\n\nTrained on [lab/chats](https://huggingface.co/datasets/"
            "lab/chats).\n")
    assert datasets(text) == {"lab/chats"}


def test_a_data_table_of_splits_names_each_dataset_once_and_no_split():
    text = ("# Tune\n## Training data\n| Dataset | Examples |\n|---|---|\n"
            "| QA-Set 2.0 Train | 130 K |\n| QA-Set 2.0 Dev | 12 K |\n| Dev | 2 K |\n"
            "| Local QA train set | 9 K |\n")
    assert datasets(text) == {"QA-Set 2.0", "Local QA"}


def test_a_platform_or_a_tool_a_model_was_trained_with_is_no_dataset():
    text = ("# Tune\nThe model was trained on [Nimbus Cloud](https://nimbus.example/cloud), a "
            "platform for large jobs.\nWe trained it with [Rapid DataFlow systems](https://"
            "rapid.example/df).\nIt was trained with [WordSplit](https://github.com/lab/"
            "wordsplit) and masking.\nIt was pre-trained on the [Web Text corpus](https://"
            "github.com/lab/webtext).\n")
    assert datasets(text) == {"Web Text corpus"}
    assert datasets("# Tune\nIt was trained on [QA-Rank](https://github.com/lab/qa-rank), a "
                    "ranking task.\n") == {"QA-Rank"}


# Accelerators in every common notation: data-centre, workstation and consumer GPUs, TPUs
# and Apple silicon, with their counts.

def hardware(text: str) -> dict[str, int | None]:
    card = read_card(("---\nlicense: mit\n---\n# M\n" + text).encode(), "me/tune/README.md",
                     id_hint="me/tune", id_hint_method="path")
    return {h.accelerator: h.count for h in extract(card).of(Hardware)}


def test_a_single_gpu_in_a_training_sentence_with_recommended_settings():
    assert hardware("This model was trained on a single NVIDIA V100 GPU with the recommended "
                    "hyperparameters of the paper.\n") == {"NVIDIA V100": 1}


def test_consumer_and_workstation_gpus():
    assert hardware("The model was trained for 5 days on 4 RTX 2080 TI.\n") == {
        "NVIDIA RTX 2080 Ti": 4}
    assert hardware("It was trained with our code on a GeForce GTX TITAN X 12 GB GPU.\n") == {
        "NVIDIA GTX TITAN X 12GB": 1}
    assert hardware("Training setup: `GPUs: 2 GeForce GTX 1070, each with 8GiB memory`\n") == {
        "NVIDIA GTX 1070": 2}
    assert hardware("Fine-tuned on one RTX4090 in 3 hours.\n") == {"NVIDIA RTX 4090": 1}
    assert hardware("We trained it on 2 Quadro RTX 8000 cards.\n") == {"NVIDIA Quadro RTX 8000": 2}


def test_cloud_tpus_with_or_without_a_version():
    assert hardware("The model was trained on 4 cloud TPUs in Pod configuration for one "
                    "million steps.\n") == {"Google TPU": 4}
    # a v3-8 slice is eight TPU v3 chips (the gold's notation)
    assert hardware("We trained it on a single Google Cloud TPU v3-8 provided for free.\n") == {
        "Google TPU v3": 8}


def test_apple_silicon_as_the_training_device():
    assert hardware("- **Training device**: Mac Studio MPS (fp32)\n") == {"Apple Mac Studio": None}
    assert hardware("Fine-tuned with MLX on an Apple M2 Ultra in 40 minutes.\n") == {
        "Apple M2 Ultra": 1}
    assert hardware("- **训练设备**: Apple M3 (MPS)\n") == {"Apple M3": None}
    assert hardware("Trained with M2 alone, a method of ours, for 3 epochs.\n") == {}


def test_a_count_after_the_chip_wins_over_an_article_before_it():
    assert hardware("* **Hardware**: We utilized an H100x8 for training our model\n") == {
        "NVIDIA H100": 8}
    assert hardware("Trained on a node with A100 x 4 for two days.\n") == {"NVIDIA A100": 4}


def test_adapters_from_the_peft_and_diffusers_card_templates():
    peft = ("---\nbase_model: lab/base-1b\nlibrary_name: trainer-kit\n---\n# Model Card\n"
            "## Training\nTrained by me.\n### Framework versions\n\n- PEFT 0.15.2\n")
    assert parents(peft) == {"lab/base-1b": "adapter"}
    diffusers = ("---\nbase_model: lab/image-xl\nlibrary_name: diffusers\n---\n# XL LoRA "
                 "Fine-tuning - me/tune\nThese are me/tune LoRA adaption weights for "
                 "lab/image-xl.\n")
    assert parents(diffusers) == {"lab/image-xl": "adapter"}


def test_a_card_that_states_its_own_quantization_is_a_quantized_repack():
    text = ("# Tune-q4f16_1-MLC\nThis is [lab/tune](https://huggingface.co/lab/tune) compiled "
            "for a web runtime.\n\n- **Base Model**: lab/tune\n- **Quantization**: q4f16_1 "
            "(4-bit weights)\n")
    assert parents(text) == {"lab/tune": "quantized"}
    assert parents("# Tune\nFine-tuned from [lab/tune](https://huggingface.co/lab/tune).\n"
                   "Quantization: none, full bf16 weights.\n") == {"lab/tune": "finetune"}


def test_a_model_initialised_with_a_named_model_without_a_digit():
    assert parents("# Sentence Wren\nIt is initialized with Multilingual WREN and fine-tuned on "
                   "pairs.\n") == {"Multilingual WREN": "finetune"}
    assert parents("# Sentence Wren\nIt is initialized with RuWREN and fine-tuned on NLI.\n") == {
        "RuWREN": "finetune"}
    assert parents("# Tune\nThe head is initialized with random weights.\n") == {}
    assert parents("# Tune\nWeights are initialized with Xavier.\n") == {}


def test_fine_tuning_the_linked_model():
    assert parents("# Tune\nWe fine-tune the [`wren-small`](https://huggingface.co/lab/"
                   "wren-small) model on code.\n") == {"lab/wren-small": "finetune"}


def test_a_name_cut_from_a_longer_display_name_or_one_of_alternatives_is_no_parent():
    assert parents("# Tune\nThis model is a quantized version of K9X Command R+ for GPUs.\n") == {}
    assert parents("# Tune\nFour models: initialized with WREN-Base (`L-12`) or BioWREN.\n") == {}
    assert parents("# Tune\nYou can find the quantized version of Wren-2 here.\n") == {}
    assert parents("# Tune\nThis model is based on Wren-2-7B and tuned on chats.\n") == {
        "Wren-2-7B": "derived"}
