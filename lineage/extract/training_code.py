r"""The parent a card's training code loads: a tutorial's or a project's fine-tuning script.

A card whose code trains (``trainer.train()``, ``SFTTrainer(``, ``get_peft_model(``, a
``LoraConfig``) or puts an adapter on a base (``PeftModel.from_pretrained(base, ...)``) and
whose code blocks load exactly one Hub model other than the card's own
(``from_pretrained("org/base")``, or ``model_name = "org/base"`` passed on) names the model
it tunes: a fine-tune of it, an adapter when the code sets up LoRA or PEFT. Read only when
nothing else names a parent; two different models loaded say nothing (a teacher, a reward
model, the tuned model published under its own id), nor does code that puts an adapter
published under another id on its base (it is about that adapter).

Examples
--------
>>> from lineage.cards import read_card
>>> from lineage.extract.context import Context
>>> from lineage.extract.markdown import parse
>>> card = read_card(b"# Tune\n```python\nm = AutoModel.from_pretrained('lab/wren-7b')\n"
...                  b"trainer = Trainer(model=m)\ntrainer.train()\n```\n", "README.md")
>>> ctx = Context(card, parse(card), (), None, frozenset())
>>> [(p.ref.id, p.relation.value) for p in training_code_parents(ctx)]
[('lab/wren-7b', 'finetune')]
"""

from __future__ import annotations

import re

from lineage.extract.context import Context
from lineage.facts import Method, Parent, Relation
from lineage.ids import is_placeholder, is_repo_id, legacy_id

__all__ = ["training_code_parents"]

# Training, or an adapter put on its base, not only loading.
_TRAINS = re.compile(r"\b(?:\w*Trainer\(|trainer\.train\(|get_peft_model\(|LoraConfig\(|"
                     r"prepare_model_for_kbit_training\(|PeftModel\.from_pretrained\(|"
                     r"optimizer\.step\(\)|\.fit\()")
# The adapter put on the base: a Hub id other than the card's own is another model's.
_ADAPTER_LOADED = re.compile(
    r"""PeftModel\.from_pretrained\(\s*\w+\s*,\s*["']([^"'\n]{1,200})["']""")
_PEFT = re.compile(r"\b(?:LoraConfig|get_peft_model|PeftModel|peft)\b|(?i:\bq?lora\b)")
# A model loaded by its Hub id, directly or through a variable named for it; tokenizers and
# processors load the same id and are not counted apart.
_LOADED = re.compile(
    r"""(?:from_pretrained\(\s*(?:pretrained_model_name_or_path\s*=\s*|model_name\s*=\s*)?|"""
    r"""\b(?:model_name|model_id|model_checkpoint|checkpoint|base_model\w*|"""
    r"""MODEL_NAME|MODEL_ID|BASE_\w+)\s*=\s*)"""
    r"""["']([A-Za-z0-9][\w.-]{0,95}(?:/[A-Za-z0-9][\w.-]{0,95})?)["']""")


def training_code_parents(ctx: Context) -> list[Parent]:
    """Return the one model the card's training code loads and trains, if there is one."""
    blocks = ctx.doc.code_blocks
    if not any(_TRAINS.search(block.content) for block in blocks):
        return []
    found: dict[str, tuple[int, int]] = {}
    for block in blocks:
        for m in _ADAPTER_LOADED.finditer(block.content):
            if is_repo_id(m.group(1), require_org=True) and not ctx.is_own(m.group(1)):
                return []  # the code puts another model's adapter on its base
        for m in _LOADED.finditer(block.content):
            name = m.group(1)
            rid = name if is_repo_id(name, require_org=True) else legacy_id(name)
            if rid is None or is_placeholder(rid) or ctx.is_own(rid):
                continue
            start = block.content_start + m.start(1)
            found.setdefault(rid.casefold(), (start, start + len(name)))
    if len(found) != 1:
        return []
    (_, (start, end)), = found.items()
    ref = ctx.resolve(ctx.card.text[start:end])
    peft = any(_PEFT.search(block.content) for block in blocks)
    relation = Relation.ADAPTER if peft else Relation.FINETUNE
    return [Parent(ref, relation, ctx.evidence(Method.PROSE, start, end, 0.6))]
