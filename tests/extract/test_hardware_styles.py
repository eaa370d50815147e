"""Hardware styles the dev half of the larger corpus showed, each on a card written for it.

The card's own *training* hardware only, with the total device count.
"""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.extract.hardware import accelerator_in
from lineage.facts import Hardware


def hardware(text: str) -> dict[str, int | None]:
    card = read_card(("---\nlicense: mit\n---\n# M\n" + text).encode(), "me/tune/README.md",
                     id_hint="me/tune", id_hint_method="path")
    return {h.accelerator: h.count for h in extract(card).of(Hardware)}


def test_tpus_in_every_notation():
    assert hardware("- **Hardware Type:** TPUv4\n") == {"Google TPU v4": None}
    assert hardware("It was trained on a single TPU v3-8 for 1M steps.\n") == {"Google TPU v3": 8}
    assert hardware("We trained on a v3-8 TPU for a week.\n") == {"Google TPU v3": 8}
    assert hardware("Pre-training used a TPU pod for two weeks.\n") == {"Google TPU": None}
    assert hardware("The training is supported by the [TPU Research Cloud]"
                    "(https://example.org/trc) program.\n") == {"Google TPU": None}
    # the same TPUs named again without their version are no second accelerator
    assert hardware("- **Hardware Type:** TPUv5e\n\nTraining: TPU Pods provide a scalable "
                    "solution.\n") == {"Google TPU v5e": None}


def test_a_tpu_slice_times_slices_and_a_stated_total():
    assert accelerator_in("2 TPU v3-8") == ("Google TPU v3", 16)
    assert hardware("The model was trained on 4 cloud TPUs in Pod configuration (16 TPU chips "
                    "total) for one million steps.\n") == {"Google TPU": 16}


def test_compute_acknowledged_is_training_hardware_only_when_nothing_else_is():
    assert hardware("Research supported with Cloud TPUs from a research cloud program.\n") == {
        "Google TPU": None}
    assert hardware("We were able to use a single Google Cloud TPU v3-8 provided for free.\n") == {
        "Google TPU v3": 8}
    assert hardware("The model was trained for 5 days on 4 RTX 2080 TI.\n\n"
                    "Research supported with Cloud TPUs from a research cloud program.\n") == {
        "NVIDIA RTX 2080 Ti": 4}


def test_a_tesla_gpu_and_memory_written_before_the_chip():
    assert hardware("The model was trained on a Tesla P100 GPU and 25GB of RAM.\n") == {
        "NVIDIA P100": 1}
    assert hardware("A LoRA was trained on a 48 Gb A40 Nvidia GPU.\n") == {"NVIDIA A40 48GB": 1}
    # Colab is where a card says it trained, when it says so
    assert hardware("The model was trained with an Nvidia Tesla V100 GPU on Google Colab "
                    "servers.\n") == {"NVIDIA V100": 1}
    assert hardware("You can try it on Colab with a T4 GPU.\n") == {}


def test_nodes_times_gpus_per_node():
    assert hardware("- **Hardware:** 32 x 8 x A100 GPUs\n") == {"NVIDIA A100": 256}
    assert hardware("It was trained on our cluster across 8 nodes with 8 A100 GPUs.\n") == {
        "NVIDIA A100": 64}
    assert hardware("Training took 3 days on 2 nodes of 8 H100.\n") == {"NVIDIA H100": 16}


def test_gpus_without_a_model_name():
    assert hardware("We train on an 8 GPU setup with data parallelism.\n") == {"GPU": 8}
    assert hardware("You can run it on a single GPU with 8GB.\n") == {}
    # a named accelerator wins
    assert hardware("We train on an 8 GPU setup of A100 GPUs.\n") == {"NVIDIA A100": None}


def test_a_count_of_cards_before_a_consumer_gpu_in_cjk_prose():
    assert hardware("本模型使用单卡4090训练1小时得到。\n") == {"NVIDIA RTX 4090": 1}
    assert hardware("本模型使用双卡3090微调。\n") == {"NVIDIA RTX 3090": 2}
    assert hardware("推理只需要单卡4090。\n") == {}


def test_accelerators_of_other_kinds():
    assert hardware("- Hardware: SambaNova Reconfigurable Dataflow Unit (RDU)\n") == {
        "SambaNova RDU": None}
    assert hardware("We trained it with our in-house Reconfigurable Dataflow Unit (RDU).\n") == {
        "SambaNova RDU": None}
    assert hardware("The model was trained on 16 Cerebras CS-2 systems.\n") == {
        "Cerebras CS-2": 16}
    assert hardware("Trained on 64 AWS Trainium2 chips.\n") == {"AWS Trainium2": 64}
    assert hardware("Fine-tuned on 16 Graphcore IPUs.\n") == {"Graphcore IPU": 16}
    assert hardware("Pre-trained on 128 Gaudi 2 accelerators.\n") == {"Intel GAUDI 2": 128}


def test_hardware_tested_demonstrated_or_supported_trained_nothing():
    assert hardware("* An NVIDIA GPU with CUDA support is required.\n"
                    "  * We have tested V100 and A100 GPUs.\n") == {}
    assert hardware("* [2024.05.28] We now support LoRA fine-tuning for this model, using only "
                    "2 V100 GPUs!\n") == {}
    assert hardware("- This is because for our testing of this repo we used 4 80GB A100 GPUs "
                    "and would run into memory issues\n") == {}
    assert hardware("We demonstrate generations as long as 80k tokens on a single A100-80GB "
                    "GPU.\n\nThis model was trained on 440 A100-40GBs for about 9.5 days.\n") == {
        "NVIDIA A100 40GB": 440}


def test_counts_in_every_common_notation():
    assert hardware("The model was trained using 2,048 A100 GPUs.\n") == {"NVIDIA A100": 2048}
    assert hardware("Trained on 8xH100 for a day.\n") == {"NVIDIA H100": 8}
    assert hardware("We used 4 nodes, each with 8 A100 GPUs, to train.\n") == {"NVIDIA A100": 32}
    # GPU hours are no count of GPUs
    assert hardware("Training took 1,000 V100 GPU hours.\n") == {"NVIDIA V100": None}
    assert hardware("Training took 300 A100-hours.\n") == {"NVIDIA A100": None}


def test_hardware_a_sentence_needs_or_could_use_trained_nothing():
    assert hardware("I need a multi-turn trainloop that squeezes the juice out of 8xH100.\n") == {}
    assert hardware("Training would take a week on 8 A100 GPUs.\n") == {}


def test_the_training_of_a_sibling_of_another_size_is_not_this_models():
    def sized(text: str, source: str) -> dict[str, int | None]:
        card = read_card(("---\nlicense: mit\n---\n# M\n" + text).encode(), source,
                         id_hint=source.removesuffix("/README.md"), id_hint_method="path")
        return {h.accelerator: h.count for h in extract(card).of(Hardware)}

    text = "The 70B model was trained on 992 A100 GPUs.\n"
    assert sized(text, "me/tune-125m/README.md") == {}
    assert sized(text, "me/tune-70b/README.md") == {"NVIDIA A100": 992}
    # an id that states no size could be the sized model itself
    assert sized(text, "me/tune/README.md") == {"NVIDIA A100": 992}
    # unless the card names models of other sizes: "the 70B model" is then one of a family
    family = ("Wren comes in sizes from 125M to 70B parameters.\n\nUse `lab/wren-125m` for "
              "tests.\n\n" + text)
    assert sized(family, "me/tune/README.md") == {}
    assert sized("Wren comes in one size, trained on 40B tokens.\n\n" + text,
                 "me/tune/README.md") == {"NVIDIA A100": 992}
    # "a 70B model", "our 70B model" is the card's own
    assert sized(family.replace("The 70B", "Our 70B"), "me/tune/README.md") == {
        "NVIDIA A100": 992}


def test_memory_in_brackets_after_the_chip_is_its_size():
    assert accelerator_in("4x NVIDIA RTX PRO 6000 Blackwell (96GB each)") == \
        ("NVIDIA RTX PRO 6000 Blackwell 96GB", 4)
    assert accelerator_in("one H100 (80GB HBM3)") == ("NVIDIA H100 80GB", 1)
    assert accelerator_in("2x A100 (for 3 days)") == ("NVIDIA A100", 2)


def test_a_spec_table_gives_the_count_nodes_times_devices_per_node():
    text = ("# Wren-13B\n\n# Environmental specs\n\n|Spec name|Value|\n|:---|:---|\n"
            "|Number of Nodes|8|\n|Accelerators|NVIDIA H100 80GB|\n"
            "|Number of accelerators per instance|8|\n\nTrained for 3 weeks.\n")
    assert hardware(text) == {"NVIDIA H100 80GB": 64}
    total = text.replace("|Number of accelerators per instance|8|", "|Total GPUs|48|")
    assert hardware(total) == {"NVIDIA H100 80GB": 48}


def test_hardware_in_a_section_about_the_base_model_is_the_bases():
    text = ("# Coder\nA fine-tuned coder.\n\n## The base models\n\nThe Wren project pretrained "
            "its 1B model on 3T tokens within 90 days using 16 A100-40G GPUs.\n\n## Training\n\n"
            "We will run the training on Google Colab using a A100 to go faster.\n")
    assert hardware(text) == {"NVIDIA A100": 1}


def test_hardware_in_a_section_on_running_the_model_did_not_train_it():
    text = ("# Draft head\nTrained with 3,300 dialogues.\n\n## Inference:\n**Engine:** Runtime 1.1 "
            "<br>\n**Test Hardware:** B200 <br>\n\n## Deployment\nHardware: 2x H100\n")
    assert hardware(text) == {}
    both = "# Tune\n## Training and inference\nTrained on 8 A100 GPUs.\n"
    assert hardware(both) == {"NVIDIA A100": 8}


def test_older_and_workstation_gpus_and_a_tpu_pod_by_its_version():
    assert accelerator_in("1 Tesla P4 GPU") == ("NVIDIA P4", 1)
    assert accelerator_in("1x Nvidia K80") == ("NVIDIA K80", 1)
    assert accelerator_in("2x GTX 1080TI") == ("NVIDIA GTX 1080 Ti", 2)
    assert accelerator_in("RTX6000 24GB gpu") == ("NVIDIA RTX 6000 24GB", 1)
    assert accelerator_in("a single TPU Pod V3-512") == ("Google TPU v3", 512)


def test_training_on_a_notebook_gpu_said_plainly_and_an_infrastructure_field():
    colab = ("# Tune\nThe model trained on Nvidia Tesla P100 GPU from Google Colab platform with "
             "5e-5 learning rate.\n")
    assert hardware(colab) == {"NVIDIA P100": 1}
    kaggle = ("# Tune\n**Training time**: ~6 hours on the NVIDIA Tesla P100 GPU in Kaggle "
              "Notebooks.\n")
    assert hardware(kaggle) == {"NVIDIA P100": 1}
    vram = "# Tune\nThis model was trained using the reference code on 3 V100 32GB VRAM.\n"
    assert hardware(vram) == {"NVIDIA V100 32GB": 3}
    field = "# QA\n## Overview\n**Infrastructure**: 1x Tesla v100\n"
    assert hardware(field) == {"NVIDIA V100": 1}
    # Colab to run the model is still no training hardware.
    assert hardware("# Tune\nTry it on Colab with a T4 GPU.\n") == {}


def test_one_gpu_named_in_the_singular_counts_one_a_unit_of_gpus_does_not():
    assert accelerator_in("on Nvidia Tesla P100 GPU from a notebook") == ("NVIDIA P100", 1)
    assert accelerator_in("about 300 V100 GPU hours") == ("NVIDIA V100", None)
    assert accelerator_in("on A100 GPU nodes") == ("NVIDIA A100", None)
    assert accelerator_in("on 8 V100 GPUs") == ("NVIDIA V100", 8)


# Styles of the dev half studied in session 7.

def test_a_tpu_without_its_version_right_after_the_training_verb():
    assert hardware("## Model training\nThis model was trained on colab TPU with 35GB RAM for 2 "
                    "epochs\n") == {"Google TPU": None}
    assert hardware("It was fine-tuned on 8 TPUs.\n") == {"Google TPU": 8}
    # TPUs a reader may use name no training hardware.
    assert hardware("It can be trained on TPUs or GPUs.\n") == {}


def test_the_trainer_cards_multi_gpu_devices():
    text = ("## Training hyperparameters\n- learning_rate: 2e-05\n- distributed_type: multi-GPU\n"
            "- num_devices: 4\n- total_train_batch_size: 64\n")
    assert hardware(text) == {"GPU": 4}
    # Without a number of devices it says nothing countable.
    assert hardware("## Training hyperparameters\n- distributed_type: multi-GPU\n") == {}


def test_words_of_the_next_sentence_on_the_line_are_not_this_ones():
    text = ("The model is pre-trained for 20 epochs, which takes around 8 days on 4 Lab V cards "
            "and 4 Titan V cards. The details of training could be found in the paper.\n")
    assert hardware(text) == {"NVIDIA TITAN V": 4}
    # In the same sentence, "could" still says what was not done.
    assert hardware("It could be trained on 4 Titan V cards.\n") == {}


def test_a_commented_out_code_block_hides_no_prose_after_it():
    text = ("<!--```\n@inproceedings{x, title={A}}\n```-->\n\n```\n@misc{y, title={B}}\n```\n\n"
            "## Pretraining details\n- This model was trained on a single TPU v3-8.\n")
    assert hardware(text) == {"Google TPU v3": 8}


def test_inference_words_of_the_next_sentence_on_the_line_are_not_this_ones():
    text = ("**Training Energy Use:** Pre-training utilized 7.38M GPU hours on H100-80GB type "
            "hardware. Training time is the total GPU time required for training each model.\n")
    assert hardware(text) == {"NVIDIA H100 80GB": None}
    # Fitting the model on a card is running it.
    assert hardware("The model can fit within a single H100 GPU with int4 quantization.\n") == {}


def test_hardware_of_a_sentence_about_another_model_named_by_its_id():
    text = ("`lab/base-70B` was instruction fine-tuned using LoRA on 8 A100 80GB. See its repo "
            "for inference.\n")
    assert hardware(text) == {}
    # The card's own id as the subject is this model.
    assert hardware("`me/tune` was fine-tuned on 8 A100 80GB.\n") == {"NVIDIA A100 80GB": 8}


def test_a_model_distilled_on_cards_said_with_their_vram():
    assert hardware("- This model was distilled using the [repository](https://github.com/x) on "
                    "3 V100 32GB VRAM.\n") == {"NVIDIA V100 32GB": 3}


# Session 8: styles from the eighth dev batch (non-English cards, launch commands).

def test_a_korean_training_sentence_with_a_backticked_tpu_slice():
    text = ("## \ud559\uc2b5\nTPU `v3-8` \uc744 \uc774\uc6a9\ud574 \uc57d 10\uc77c \ud559\uc2b5"
            "\uc744 \uc9c4\ud589\ud588\uace0, weight\uac00 \uc5c5\ub85c\ub4dc \ub418\uc5c8"
            "\uc2b5\ub2c8\ub2e4.\n")
    assert hardware(text) == {"Google TPU v3": 8}


def test_a_geforce_card_named_by_its_number_and_ti():
    assert hardware("Between jobs, 2 Nvidia 1080 Ti's also covered some parameter updates "
                    "during training.\n") == {"NVIDIA GTX 1080 Ti": 2}
    assert hardware("The model was trained on 8 NVIDIA 2080 Ti GPUs.\n") == \
        {"NVIDIA RTX 2080 Ti": 8}


def test_serving_demos_and_requirements_in_other_languages_are_not_training():
    korean = ("- \ub370\ubaa8\uc5d0\uc11c\ub294 A5000 24G GPU 2\ub300\ub85c \uc11c\ube59\uc911"
              "\uc774\uba70, fp16 \ubaa8\ub378\ub85c \ud559\uc2b5\ud55c \ubaa8\ub378\uc744 "
              "\uc11c\ube44\uc2a4\ud569\ub2c8\ub2e4.\n")
    assert hardware(korean) == {}
    spanish = ("* **Recomendaci\u00f3n:** verifica que tu sesi\u00f3n de entrenamiento tenga "
               "asignada una GPU (T4 o superior).\n")
    assert hardware(spanish) == {}
    assert hardware("Training runs on an A100 or better.\n") == {}
    assert hardware("We are serving the model on two L4 GPUs after training it.\n") == {}


def test_an_example_or_a_guide_for_readers_is_not_the_training_hardware():
    assert hardware("2. Run LoRA training (example on 4 GPUs):\n") == {}
    assert hardware("- Added a guide to fine-tune it on RTX 3090/4090/A5000 cards.\n") == {}
    korean = ("- [RTX3090 4\ub300 \uc0ac\uc6a9\ud55c \ud559\uc2b5 \uc608\uc81c \ucf54\ub4dc]"
              "(https://example.org/train) \ucd94\uac00\n")
    assert hardware(korean) == {}
    assert hardware("We trained the model on 8 A100 GPUs for 3 days.\n") == {"NVIDIA A100": 8}


def test_a_subsection_of_an_evaluation_section_is_about_evaluation():
    speed = ("## Performance\n### Characters per Second\n| System | Short |\n|---|---|\n"
             "| **Wren** (M4 pro - WebGPU) | 996 |\n\nTraining used 8 A100 GPUs.\n")
    assert hardware(speed) == {}
    # unless its own title speaks of training, however the card nested it
    nested = ("## Other benchmarks:\n### Training Infrastructure\n* **Hardware**: trained on 8 "
              "nodes with 8 A100 80GBs GPUs for each node.\n")
    assert hardware(nested) == {"NVIDIA A100 80GB": 64}
    titled = "# A High-Performance Model\n## Training\nTrained on 4 V100 GPUs.\n"
    assert hardware(titled) == {"NVIDIA V100": 4}


def test_counts_with_the_word_gpu_or_bold_marks_between():
    assert hardware("It was trained in a day, on one GPU NVIDIA V100 32GB and 1GB of data.\n") \
        == {"NVIDIA V100 32GB": 1}
    assert hardware("The model was trained on a **Tesla V100** GPU with this command:\n") == \
        {"NVIDIA V100": 1}
    assert hardware("This model was trained with the reference code on 3 Titan V100 32GB.\n") \
        == {"NVIDIA V100 32GB": 3}
    assert hardware("Training was performed with the original code on eight core Google Cloud "
                    "TPU v2.\n") == {"Google TPU v2": 8}


def test_the_ti_written_before_the_number():
    assert accelerator_in("a Nvidia TI 3080") == ("NVIDIA RTX 3080 Ti", 1)
    assert hardware("Wren was fine-tuned at home on one Nvidia Ti 4080.\n") == {
        "NVIDIA RTX 4080 Ti": 1}
    assert accelerator_in("the title 3080 of the list") is None


def test_hardware_a_model_supports_or_is_deployed_on_is_not_its_training_hardware():
    assert hardware("- Supported Hardware: A100, H100 (trained weights in bf16)\n") == {}
    assert hardware("Trained weights are compatible with A100 and H100 GPUs.\n") == {}
    assert hardware("* Precision: trained in bf16, natively supported on A100 GPUs.\n") == {}
    assert hardware("* Hassasiyet: bf16 ile egitildi (A100 GPU icin yerel destek).\n") == {}
    assert hardware("**Deployment on one node of 4x B200:**\n") == {}
    assert hardware("The model was trained on 8 H100 GPUs for 2 days.\n") == {"NVIDIA H100": 8}


def test_a_command_for_the_reader_to_run_is_a_recipe():
    assert hardware("Run the Wren pre-training script on 2 H100 nodes (16 GPUs):\n") == {}
    assert hardware("Launch fine-tuning of Wren on 16 nodes (128 GPUs).\n") == {}
    assert hardware("1. Start fine-tuning on 2 A100 GPUs with this script.\n") == {}
    # a sentence that only starts with a word like it is no command
    assert hardware("Started in May, training took 3 days on 2 A100 GPUs.\n") == {"NVIDIA A100": 2}
    assert hardware("We ran training on 2 A100 GPUs.\n") == {"NVIDIA A100": 2}


def test_a_gpu_of_no_model_the_card_says_trained_it():
    assert hardware("Wren was fine-tuned with PyTorch on a free cloud GPU.\n") == {"GPU": None}
    assert hardware("The model was trained thanks to the GPU credits of a cloud.\n") == {
        "GPU": None}
    assert hardware("- **Training Environment:** Google Colab with NVIDIA GPU.\n") == {
        "NVIDIA GPU": None}
    # memory, hours, a device of a batch, many GPUs, a named model set aside: no device
    assert hardware("Training was limited by GPU memory.\n") == {}
    assert hardware("The batch size per GPU was 8 during training.\n") == {}
    assert hardware("Its training scales to hundreds of GPUs.\n") == {}
    assert hardware("Wren comes as `lab/wren-125m` and `lab/wren-70b`.\n\n"
                    "The 70B model was trained on 992 A100 GPUs.\n") == {}
    assert hardware("Run the fine-tuning on your GPU with this script.\n") == {}
    assert hardware("You can run the model on a GPU.\n") == {}
    # what a reader may or should do, or what will be done, is not what was
    assert hardware("This model can be fine-tuned on a consumer GPU.\n") == {}
    assert hardware("Training on GPU is recommended.\n") == {}
    assert hardware("To train it, use a GPU.\n") == {}
    assert hardware("We will train larger models on GPU later.\n") == {}
    assert hardware("We have trained it on a GPU, and you can too.\n") == {"GPU": None}


def test_a_list_item_under_a_lead_in_that_says_training_was_done_there():
    lead = "# Hardware\n\nTraining was performed on:\n- Google Colab T4 GPU (16GB VRAM)\n"
    assert hardware(lead) == {"NVIDIA T4 16GB": 1}
    # an item under a lead-in of another kind is where the model runs
    assert hardware("It runs well on:\n- Google Colab T4 GPU (16GB VRAM)\n") == {}
    assert hardware("Training was performed on a Colab T4 GPU.\n") == {"NVIDIA T4": 1}


def test_a_tpu_without_its_version_thanked_for_or_listed_under_training():
    assert hardware("Special thanks to a friend who provided 5x TPUs.\n") == {"Google TPU": 5}
    assert hardware("We would like to thank a research cloud for the free use of Cloud TPU "
                    "instances.\n") == {"Google TPU": None}
    assert hardware("## Training\n- On TPU\n- With masked language modelling\n") == {
        "Google TPU": None}
    assert hardware("## Inference\n- On TPU\n") == {}
    assert hardware("It runs on newer GPUs, TPUs and CPUs.\n") == {}
    assert hardware("The training would take a week on TPUs.\n") == {}
    # a sentence that says the model was trained on it, not one about training in general
    assert hardware("The model was pre-trained using TPUs.\n") == {"Google TPU": None}
    assert hardware("Training on TPU is faster than on GPU.\n") == {}
    assert hardware("Our training library works with TPUs.\n") == {}


def test_a_count_with_a_cjk_counter_after_the_chip():
    assert hardware("Wren 모델 학습은 A100 80GB 4대로 진행했습니다.\n") == {"NVIDIA A100 80GB": 4}
    assert hardware("本模型使用 RTX 3090 2张 训练。\n") == {"NVIDIA RTX 3090": 2}
    # a number after the chip without a counter word is no count
    assert hardware("Wren 모델 학습은 A100 80GB 환경에서 2024년에 진행했습니다.\n") == {
        "NVIDIA A100 80GB": None}


def test_a_count_of_gpus_with_the_chip_in_brackets_after_it():
    assert hardware("Training setup:\n+ n_gpu 4 (Nvidia Tesla V100)\n") == {"NVIDIA V100": 4}
    assert hardware("The model was trained on 8 GPUs (NVIDIA A100 80GB) for a week.\n") == {
        "NVIDIA A100 80GB": 8}
    assert hardware("Wren was trained thanks to the power of the GPU (GPU NVIDIA V100 32 Go) of "
                    "a lab.\n") == {"NVIDIA V100": 1}
    assert hardware("The model was trained on A100 (80GB) GPUs.\n") == {"NVIDIA A100 80GB": None}
    assert hardware("Wren was trained on GPU 0 (NVIDIA A100).\n") == {"NVIDIA A100": None}


def test_a_field_labelled_with_one_gpu_counts_one():
    assert hardware("## Training environment\n- GPU: NVIDIA H100 80GB HBM3\n- CUDA: 12.1\n") == {
        "NVIDIA H100 80GB": 1}
    assert hardware("## Training environment\n- **GPU**: Nvidia GTX1080ti\n") == {
        "NVIDIA GTX 1080 Ti": 1}
    # "GPUs:", or a card that counts its GPUs elsewhere, says no one
    assert hardware("## Training environment\n- GPUs: NVIDIA H100\n") == {"NVIDIA H100": None}
    assert hardware("## Training environment\n- GPU: NVIDIA H100\n- Number of GPUs: 16\n") == {
        "NVIDIA H100": None}


def test_gpus_per_node_on_nodes_not_counted_have_no_total():
    assert hardware("Wren was trained on a cluster with 4 Nvidia P100 GPUs per node, the nodes "
                    "varying over time.\n") == {"NVIDIA P100": None}
    assert hardware("Wren was trained on 8 nodes with 8 A100 GPUs per node.\n") == {
        "NVIDIA A100": 64}
    assert hardware("Wren was trained on 4 Nvidia P100 GPUs for a week.\n") == {"NVIDIA P100": 4}


def test_a_hardware_label_before_a_long_run_of_blanks_is_read_in_linear_time():
    import time

    text = ("A-" * 100 + ": dataset\nHardware: " + " " * 500) * 15
    start = time.thread_time()
    assert hardware(text) == {}
    assert time.thread_time() - start < 1.0
    assert hardware("- **Hardware:**    8 x A100\n") == {"NVIDIA A100": 8}


def test_thanks_for_compute_not_thanks_to_a_property():
    assert hardware("We thank the lab, who lent us two A100s.\n") == {"NVIDIA A100": 2}
    assert hardware("Thanks to quantization, it runs on a single RTX 3090.\n") == {}
    assert hardware("Thanks to its small size, Wren works on one T4.\n") == {}
