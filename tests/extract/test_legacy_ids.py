"""Legacy Hub ids (no organisation: bert-base-uncased, gpt2, t5-small) as parents."""

from __future__ import annotations

import pytest

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import Parent
from lineage.ids import legacy_display_id, legacy_id, parse_hub_url


def parents(text: str) -> dict[str, str]:
    card = read_card(text.encode(), "me/tune/README.md", id_hint="me/tune", id_hint_method="path")
    return {p.ref.id or p.ref.name: p.relation.value for p in extract(card).of(Parent)}


def test_a_link_to_a_legacy_repo_is_a_model_link():
    assert parse_hub_url("https://huggingface.co/bert-base-uncased").id == "bert-base-uncased"
    assert parse_hub_url("https://huggingface.co/gpt2/tree/main").id == "gpt2"
    assert parse_hub_url("https://huggingface.co/someuser") is None  # a user page


def test_trainer_sentence_linking_a_legacy_repo():
    text = ("# tune\nThis model is a fine-tuned version of "
            "[distilbert-base-uncased](https://huggingface.co/distilbert-base-uncased) on the "
            "imdb dataset.\n")
    assert parents(text) == {"distilbert-base-uncased": "finetune"}


@pytest.mark.parametrize("sentence", [
    "This model was fine-tuned from bert-base-cased on our reviews.",
    "Specifically, this model is a *bert-base-cased* model that was fine-tuned on news.",
    "This a bert-base-multilingual-uncased model finetuned for sentiment analysis.",
    "It is a checkpoint of roberta-large trained further on tweets.",
])
def test_a_sentence_naming_a_legacy_parent(sentence):
    (pid,) = parents(f"# tune\n{sentence}\n")
    assert legacy_id(pid) == pid


def test_a_training_command_with_a_legacy_id():
    text = ("# tune\n```bash\npython run_qa.py \\\n  --model_type camembert \\\n"
            "  --model_name_or_path camembert-base \\\n  --do_train\n```\n")
    assert parents(text) == {"camembert-base": "finetune"}


def test_legacy_names_that_say_nothing_about_training_are_no_parents():
    assert parents("# tune\nUnlike a gpt2 model, this one is small.\n") == {}
    assert parents("# tune\nCompared with t5-small and gpt2, scores are higher.\n") == {}


def test_a_family_word_never_resolves_to_a_legacy_checkpoint():
    text = ("# tune\n- **Parent Model:** T5\n\nSee the [t5-base card](https://huggingface.co/"
            "t5-base) for more.\n")
    assert "t5-base" not in parents(text)


def test_a_legacy_prefix_is_not_cut_short():
    text = "# tune\nFine-tuned from bert-large-uncased-whole-word-masking on SQuAD.\n"
    assert parents(text) == {"bert-large-uncased-whole-word-masking": "finetune"}


def test_a_display_name_that_spells_a_legacy_id_resolves_to_it():
    assert legacy_display_id("BERT-base multilingual uncased") == "bert-base-multilingual-uncased"
    assert legacy_display_id("XLM-RoBERTa large") == "xlm-roberta-large"
    # A name that leaves out part of an id spells none: which of cased and uncased?
    assert legacy_display_id("BERT base") is None
    assert legacy_display_id("XLM-RoBERTa") is None
    assert parents("# tune\nThis model is a fine-tuned version of BERT base multilingual cased "
                   "for NER.\n") == {"bert-base-multilingual-cased": "finetune"}
    assert parents("# tune\nThis is a RoBERTa large model fine-tuned on entailment.\n") == \
        {"roberta-large": "finetune"}
    assert parents("# tune\nThis is a BERT base model fine-tuned on entailment.\n") == {}
