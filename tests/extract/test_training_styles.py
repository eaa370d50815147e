"""Training settings as cards state them: each style on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import TrainingSetting


def settings(text: str) -> dict[str, object]:
    card = read_card(text.encode(), "me/tune/README.md", id_hint="me/tune", id_hint_method="path")
    return {s.key: s.value for s in extract(card).of(TrainingSetting)}


def test_a_sentence_transformers_card_lists_its_hyperparameters_with_keys_in_backticks():
    text = ("# Tune\n## Training Details\n#### Non-Default Hyperparameters\n\n"
            "- `per_device_train_batch_size`: 16\n- `per_device_eval_batch_size`: 16\n"
            "- `num_train_epochs`: 3\n\n#### All Hyperparameters\n\n- `learning_rate`: 5e-05\n"
            "- `per_gpu_train_batch_size`: None\n")
    got = settings(text)
    assert (got["batchSize"], got["epochs"], got["learningRate"]) == (16, 3, 5e-05)


def test_a_setfit_card_gives_pairs_and_the_bodys_learning_rate():
    text = ("# Tune\n### Training Hyperparameters\n- batch_size: (8, 8)\n- num_epochs: (1, 1)\n"
            "- head_learning_rate: 0.01\n- body_learning_rate: (2e-05, 2e-05)\n")
    got = settings(text)
    assert (got["batchSize"], got["epochs"], got["learningRate"]) == (8, 1, 2e-05)


def test_a_learning_rate_written_as_a_power_of_ten():
    text = ("# Tune\n## Training\nWe used a batch size of 32 and a learning rate of "
            "5 \u00b7 10\u22125 for pre-training.\n")
    assert settings(text)["learningRate"] == 5e-05
