"""The extraction rules written as tables: training settings, dataset sources, score-table
readings and a mergekit configuration's steps (issue #16), each on a small card."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import Extraction, extract
from lineage.facts import DatasetUse, Method, Parent, Role, Score, TrainingSetting, Warning

HUB = "https://huggingface.co"


def run(text: str, rid: str = "me/tiny-7b") -> Extraction:
    return extract(read_card(text.encode(), f"{rid}/README.md", id_hint=rid, id_hint_method="path"))


def settings(ex: Extraction) -> list[tuple[str, object]]:
    return [(s.key, s.value) for s in ex.of(TrainingSetting)]


def test_settings_keep_the_first_value_of_each_in_the_table_order():
    ex = run("## Training\n\nWe fine-tuned with a batch size of 8 on AWS. Trained for 2 epochs, "
             "then for 3 epochs.\nThe learning rate was 1e-4, not 2e-5.\n"
             "Fine-tuning cost $1,200 on AWS.\n")
    assert settings(ex) == [("epochs", 2), ("learningRate", 1e-4), ("batchSize", 8),
                            ("cost", 1200), ("cloudProvider", "AWS")]


def test_a_learning_rate_without_its_name_only_when_none_is_named():
    got = settings(run("## Training\n\nFine-tuned with lr 3e-5 (cosine decay from 1e-4).\n"))
    assert got == [("learningRate", 3e-5)]
    got = settings(run("## Training\n\nFine-tuned at a rate of 3e-5 throughout.\n"))
    assert got == [("learningRate", 3e-5)]
    got = settings(run("## Training\n\nFine-tuned for 3e-5 of the time throughout.\n"))
    assert got == []


def test_an_effective_batch_size_wins_over_the_per_device_one():
    got = settings(run("## Training\n\nbatch size: 4 per device (effective 64)\n"))
    assert got == [("batchSize", 64)]
    got = settings(run("## Training\n\nbatch size: 4, then total batch size: 32\n"))
    assert got == [("batchSize", 32)]


def test_hours_are_training_hours_only_in_a_sentence_about_training_not_inference():
    assert settings(run("Training took 6 hours.\n")) == [("trainingHours", 6)]
    assert settings(run("Training for inference takes 6 hours.\n")) == []


def test_a_framework_comes_last_and_a_stated_one_is_not_overwritten():
    ex = run("## Training\n\nTrained with Axolotl for 1 epoch.\n\n### Framework versions\n"
             "- PEFT 0.10.0\n")
    assert settings(ex) == [("epochs", 1), ("framework", "axolotl")]
    ex = run("## Training\n\n### Framework versions\n- PEFT 0.10.0\n- Transformers 4.40\n",
             "me/tiny-lora")
    assert settings(ex) == [("framework", "peft")]


def test_a_dataset_named_by_several_sources_is_used_once_with_the_first_evidence():
    ex = run(f"## Training data\n\nFine-tuned on [d/chat-set]({HUB}/datasets/d/chat-set).\n\n"
             "- d/chat-set\n- d/other-set\n\n| Source | Share |\n|---|---|\n| d/chat-set | 50% |\n"
             "| Extra Set | 50% |\n")
    uses = {u.ref.id or u.ref.name: u.evidence.method for u in ex.of(DatasetUse)}
    assert uses == {"d/chat-set": Method.LINK, "d/other-set": Method.PROSE,
                    "Extra Set": Method.TABLE}


def test_datasets_about_evaluation_or_quantisation_are_left_out():
    ex = run(f"## Evaluation\n\nScored on [e/test-set]({HUB}/datasets/e/test-set) and "
             f"[e/held]({HUB}/datasets/e/held).\n\n## Files\n\n| Bits | GPTQ dataset |\n"
             f"|---|---|\n| 4 | [c/calib]({HUB}/datasets/c/calib) |\n")
    assert ex.of(DatasetUse) == []


def test_named_datasets_list_every_name_but_not_a_family_named_like_the_model():
    ex = run("## Training\n\nFine-tuned on the MNLI and SNLI datasets and the Tiny-7B "
             "datasets.\n")
    assert [u.ref.name for u in ex.of(DatasetUse)] == ["MNLI", "SNLI"]


def scores(ex: Extraction) -> set[tuple[str, str, str | None]]:
    return {(s.benchmark, s.value, s.model.id if s.model else None) for s in ex.of(Score)}


def test_a_table_with_the_cards_own_column_gives_only_that_column():
    ex = run("| Benchmark | other-7b | tiny-7b |\n|---|---|---|\n| ARC | 40.1 | 45.2 |\n")
    assert scores(ex) == {("ARC", "45.2", None)}


def test_a_table_with_the_cards_own_row_gives_only_that_row():
    ex = run("| Model | ARC | GSM8K |\n|---|---|---|\n| other-7b | 40.1 | 10 |\n"
             "| tiny-7b | 45.2 | 12 |\n")
    assert scores(ex) == {("ARC", "45.2", None), ("GSM8K", "12", None)}


def test_a_benchmark_score_table_and_a_label_value_table():
    ex = run("| Benchmark | Score |\n|---|---|\n| ARC | 45.2 |\n\n"
             "| Task | Metric | Value | Notes |\n|---|---|---|---|\n| GSM8K | acc | 12 | x |\n")
    assert scores(ex) == {("ARC", "45.2", None), ("GSM8K", "12", None)}
    assert {s.metric for s in ex.of(Score) if s.benchmark == "GSM8K"} == {"acc"}
    # A label column without a value column gives nothing.
    assert run("| Task | A | B |\n|---|---|---|\n| GSM8K | 1 | 2 |\n").of(Score) == []


def test_a_leaderboard_table_belongs_to_the_model_its_link_names():
    ex = run("[details](https://huggingface.co/datasets/open-llm-leaderboard/"
             "details_o__other-7b)\n\n| Metric | Value |\n|---|---|\n| ARC | 40.1 |\n")
    assert scores(ex) == {("ARC", "40.1", "o/other-7b")}


def test_a_mergekit_configuration_in_steps():
    ex = run("```yaml\nmerge_method: ties\nbase_model: a/base-7b\nmodels:\n"
             "  - model: b/left-7b\n    parameters: {weight: .nan, density: 0.5}\n"
             "  - parameters: {weight: 0.3}\n"
             "  - model: c/right-7b+d/lora\n    parameters: {weight: 0.5}\n"
             "parameters: {normalize: true}\ndtype: bfloat16\n```\n")
    got = {p.ref.id: (p.role, p.weight, p.density, p.evidence.line) for p in ex.of(Parent)}
    assert got == {"b/left-7b": (Role.SOURCE, None, 0.5, 5),
                   "c/right-7b": (Role.SOURCE, 0.5, None, 8),
                   "a/base-7b": (Role.BASE, None, None, 3)}
    assert "weight .nan of b/left-7b is not a finite number; left out" in \
        [w.text for w in ex.of(Warning)]
