"""Parents named by a link after a derivation verb.

"fine-tuned on top of [X](...)", "a fine-tuned version of [X](...) on the Y dataset", "based
on [X](...) and [Y](...)", "Fork of [X]" (and the dataset after such a sentence, for
:mod:`lineage.extract.datasets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context
from lineage.extract.prose.shared import (
    AND_LINK,
    LINKISH,
    link_ref,
    not_a_derivation,
    other_subject,
)
from lineage.extract.scan import Gated
from lineage.facts import Derivation, Fact, Method, ModelRef, Parent, Relation
from lineage.ids import id_key

__all__ = ["trainer_dataset", "verb_links"]

# The maker's link before the model's: "derived from [Lab's](https://lab.org) [X-12b](...)".
_OWNER_LINK = r"\[[^\]\n]{1,60}['\u2019]s\]\([^)\s]{1,200}\)"
# (Words in the gap may hold dots: "trained on Lab.ai's [X](...)".)
_VERB_LINK = Gated(re.compile(
    r"(?i)\b(fine[- ]?tun(?:ed|es?|ing)|finetuned|trained|sft(?:'d|ed)?|dpo(?:'d|ed)?|"
    r"instruct(?:ion)?[- ]tuned|continued[- ](?:pre-?)?train(?:ed|ing)?|"
    r"further[- ](?:pre-?)?train(?:ed|ing)?|"
    r"based|built|derived|initiali[sz]ed|distilled|resumed|fork(?:ed)?|converted|adapted)\b"
    r"(?:[^.\n\[]{0,40}?\b(?:on\s+top\s+of|from|of|on|upon|using|over)\s+"
    r"(?:(?:[\w'-]+(?:\.[\w'-]+)*|" + _OWNER_LINK + r")\s+){0,4}?|\s+(?:the\s+)?)"
    r"[*_(]{0,2}(?!" + _OWNER_LINK + r"\s+\[)(" + LINKISH + ")"
), "tun", "train", "sft", "dpo", "based", "built", "derived", "initiali", "distilled",
    "resumed", "fork", "converted", "adapted",
    starts=("fine", "trained", "sft", "dpo", "instruct", "continued", "further", "based", "built",
            "derived", "initiali", "distilled", "resumed", "fork", "converted", "adapted"))
_DATASET_AFTER = re.compile(r"(?:\s*[*_]{1,2})?\s+on\s+(?:the\s+)?([\w./-]+)\s+dataset", re.I)
# After "Fork of [X](...)" (in the rest of its sentence, up to 40 characters): the fork
# holds X's weights in another format.
_CONVERSION = re.compile(r"(?i)\b(?:onnx|tensorflow|tflite|core ?ml|openvino|gguf|ggml|mlx)\b")
_CLAUSE_END = re.compile(r"[.\n]")
# "Based on the [X](...) architecture": the card says it shares X's design, not how it derives.
_ARCHITECTURE_AFTER = re.compile(r"[*_]{0,2}[ \t]{1,3}(?i:architecture)\b")
_PREPOSITION = re.compile(r"(?i)\b(?:from|of|on|upon|using|over)\b")
# "This CoreML export is derived from X", "The ONNX version is based on X": an export.
_FORMAT_SUBJECT = re.compile(
    r"(?i)\b(?:this|the|these)[ \t]+(?:onnx|core[ \t]?ml|tflite|openvino|tensorflow|gguf|ggml|"
    r"mlx|gptq|awq|exl2)[ \t]+(?:exports?|conversions?|versions?|ports?|files|weights)[ \t]+"
    r"(?:is|are|was|were)[ \t]+$")


def _converts(text: str, end: int) -> bool:
    """Tell whether a format is named within 40 characters after ``end``, in its sentence."""
    stop = _CLAUSE_END.search(text, end, end + 40)
    limit = stop.start() if stop is not None else end + 40
    word = _CONVERSION.search(text, end, limit + 16)  # a name starting in time may end past it
    return word is not None and word.start() < limit


def _named_after_own(ctx: Context, ref: ModelRef) -> bool:
    """Tell whether ``ref`` is named after the card's model plus more (``own-7b-chat``).

    The object of a derivation verb so named is made from the card's model ("we fine-tuned
    [Own-7B-Chat](...) on chats"); after "from" or "on" it may still be its base ("trained
    on [Own-2-Base](...)").
    """
    if ctx.own_id is None or ref.id is None:
        return False
    own, name = id_key(ctx.own_id.rsplit("/", 1)[-1]), id_key(ref.id.rsplit("/", 1)[-1])
    return len(name) > len(own) and name.startswith(own) and name[len(own)] in "-_."


def verb_links(ctx: Context) -> Iterator[Fact]:
    """Yield the parents a derivation verb names by a link ("fine-tuned from [X](...)")."""
    for m in ctx.body_matches(_VERB_LINK):
        ref = link_ref(ctx, m.group(2))
        if ref is None or not_a_derivation(ctx.card.text, m.start(), m.group(0)) or (
                _named_after_own(ctx, ref) and
                _PREPOSITION.search(ctx.card.text, m.end(1), m.start(2)) is None):
            continue
        verb = m.group(1).casefold()
        # (Initialized from X's weights and trained further: a fine-tune of X.)
        finetune = not verb.startswith(("based", "built", "derived", "distilled", "fork",
                                        "converted"))
        relation = Relation.FINETUNE if finetune else Relation.DERIVED
        if verb == "converted" or (verb.startswith("fork") and
                                   _converts(ctx.card.text, m.end())) or \
                _FORMAT_SUBJECT.search(ctx.card.text, max(0, m.start() - 60), m.start()):
            relation = Relation.QUANTIZED  # the same weights in another format
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85 if finetune else 0.7)
        subject = other_subject(ctx, m.start())
        if subject is None and not finetune and \
                _ARCHITECTURE_AFTER.match(ctx.card.text, m.end()) is not None:
            yield Parent(ref, Relation.DERIVED, ev, method="architecture")  # its design only
        elif subject is None:
            # "distilled from [X]": X is the teacher, whose outputs, not weights, it learns from
            yield Parent(ref, relation, ev, method="teacher" if verb == "distilled" else None)
            if _PREPOSITION.search(ctx.card.text, m.end(1), m.start(2)) is not None:
                yield from _more_links(ctx, m.end(), relation)
        elif ref.id is None or id_key(ref.id) != id_key(subject.id or ""):
            yield Derivation(subject, ref, relation, ev)


def _more_links(ctx: Context, end: int, relation: Relation) -> Iterator[Fact]:
    """Yield the links joined to a derivation's first by "and" or commas, parents alike.

    Only after a preposition ("based on", "fine-tuned from"): "we fine-tuned [X] and [Y]"
    may have made two models.
    """
    while (m := AND_LINK.match(ctx.card.text, end)) is not None:
        end = m.end()
        ref = link_ref(ctx, m.group(1))
        if ref is not None:
            yield Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(1), m.end(1), 0.7))


def trainer_dataset(ctx: Context) -> Iterator[tuple[int, str]]:
    """Datasets named in "fine-tuned version of [X](...) on the Y dataset" sentences."""
    for m in ctx.body_matches(_VERB_LINK):
        d = _DATASET_AFTER.match(ctx.card.text, m.end())
        if d is not None and d.group(1).casefold() not in ("none", "custom", "a", "an"):
            yield d.start(1), d.group(1)
