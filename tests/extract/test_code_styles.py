"""Parents read from a card's training and adapter-loading code: each style on its own card."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import Parent


def parents(text: str) -> dict[str, str]:
    card = read_card(text.encode(), "x/README.md")
    return {p.ref.id or p.ref.name: p.relation.value for p in extract(card).of(Parent)}


TUTORIAL = """# Receipt parser

This project fine-tunes a document model on scanned receipts.

```python
processor = DocProcessor.from_pretrained("lab/doc-base-2")
```

```python
model = VisionEncoderDecoderModel.from_pretrained("lab/doc-base-2")
```

```python
trainer = Seq2SeqTrainer(model=model, args=args, train_dataset=train)
trainer.train()
```
"""

ADAPTER = """# Calm helper

A LoRA-tuned assistant for supportive conversations.

```python
from peft import PeftModel

BASE_ID = "lab/wren-3.1-8b"
base = AutoModelForCausalLM.from_pretrained(BASE_ID, device_map="auto")
model = PeftModel.from_pretrained(base, "./")  # the adapter in this folder
```
"""


def test_the_one_model_a_cards_training_code_loads_is_its_base():
    assert parents(TUTORIAL) == {"lab/doc-base-2": "finetune"}


def test_the_base_an_adapter_is_loaded_onto_is_its_parent():
    assert parents(ADAPTER) == {"lab/wren-3.1-8b": "adapter"}


def test_code_that_only_loads_or_loads_two_models_names_no_parent():
    usage = "# Use\n```python\nm = AutoModel.from_pretrained('lab/wren-7b')\nm.generate()\n```\n"
    assert parents(usage) == {}
    two = TUTORIAL.replace("```python\ntrainer", "```python\nref = AutoModel.from_pretrained("
                           "'lab/judge-7b')\ntrainer")
    assert parents(two) == {}


def test_the_cards_own_model_in_its_training_code_is_not_its_parent():
    text = TUTORIAL.replace('"lab/doc-base-2"', '"me/receipts-3"')
    card = read_card(text.encode(), "me/receipts-3/README.md", id_hint="me/receipts-3",
                     id_hint_method="path")
    assert list(extract(card).of(Parent)) == []


def test_code_putting_another_repos_adapter_on_its_base_is_about_that_adapter():
    text = ADAPTER.replace('"./")  # the adapter in this folder', '"lab/wren-3.1-8b-lora")')
    assert parents(text) == {}
