"""What the prose rules share: links read as models, the subject of a sentence.

A link's target (:data:`TARGET`, :data:`LINKISH`) read as a model (:func:`link_ref`), the
links joined to a first by "and" or commas (:data:`AND_LINK`), the words that say a sentence
is about something other than the card's model (:func:`not_a_derivation`), and the known
model a sentence is about when it is not the card's (:func:`other_subject`).
"""

from __future__ import annotations

import re

from lineage.extract.context import Context
from lineage.facts import ModelRef
from lineage.ids import is_repo_id, parse_hub_url

__all__ = ["ACRONYM_OR_DIGIT", "AND_LINK", "FIRST_LINK", "LINKISH", "LORA", "TARGET", "link_ref",
           "not_a_derivation", "other_subject"]

# A link target may be a Hub address without its scheme ("(huggingface.co/org/name)").
TARGET = r"(?:https?://|(?:www\.)?(?:huggingface|hf)\.co/)"
LINKISH = (r"(?:\[[^\]\n]{0,200}\]\(\s*<?" + TARGET + r"[^)\s>]+>?\s*\)|https?://\S+|"
           r"`[\w.-]+/[\w.-]+`|\*\*[A-Za-z0-9][\w.-]*/[\w.-]*\w\*\*)")  # (or in bold)
FIRST_LINK = re.compile(LINKISH)
_HUB_IN_URL = re.compile(r"(?:huggingface|hf)\.co/[^)\s>]+")


def link_ref(ctx: Context, text: str) -> ModelRef | None:
    """Return the model a markdown link, bare URL or backticked id points at."""
    m = re.search(TARGET + r"[^)\s>]+", text)
    if m is not None:
        ref = parse_hub_url(m.group(0))
        if ref is None and (hub := _HUB_IN_URL.search(m.group(0), 1)) is not None:
            ref = parse_hub_url(hub.group(0))  # "(https://steps/huggingface.co/org/x)": a typo
        return ModelRef(ref.id, ref.id) if ref is not None and ref.kind == "model" else None
    bare = text.strip("`*")
    # A local path (/home/u/models/x) is no Hub id: the caller resolves it by its last part.
    return ModelRef(bare, bare) if is_repo_id(bare, require_org=True) else None


# Derivation words in a sentence that does not say the card's model derives from what
# follows: something else is based on it ("the dataset is based on X", "an architecture
# based on X"), what readers may do ("developers may fine-tune X"), the very model unpacked
# ("the non-quantized version of X"), or another card's text ("the [X model card](...)").
_SOMETHING_ELSE = re.compile(
    r"(?i)\b(?:data(?:set)?s?|corpus|corpora|architecture|code(?:base)?|implementation|"
    r"tokeni[sz]er|paper|recipe|template|format|method|benchmark|evaluation|approach|design|"
    r"pipeline|scripts?|prompts?|questions|instructions|card)[ \t]+"
    r"(?:(?:is|are|was|were|itself|also)[ \t]+){0,2}$")
_WHAT_READERS_MAY_DO = re.compile(
    r"(?i)\b(?:may|can|could|might|should|must|will|would|please|how[ \t]+to|recommend|"
    r"suggest|consider|try)"
    r"(?:[ \t]+\w+){0,2}[ \t]+$")
_UNPACKED = re.compile(r"(?i)\b(?:non|un)-?$")
_CARD_LINK = re.compile(r"(?i)\bcard[*_]{0,2}\]\(")


def not_a_derivation(text: str, start: int, matched: str) -> bool:
    """Tell whether derivation words at ``start`` say nothing of the card's model."""
    before = text[max(0, start - 60):start]
    return bool(_SOMETHING_ELSE.search(before) or _WHAT_READERS_MAY_DO.search(before)
                or _UNPACKED.search(before) or _CARD_LINK.search(matched))


# "based on [X](...) and [Y](...)", "fine-tuned from [X](...), [Y](...) and [Z](...)".
AND_LINK = re.compile(r"[ \t*_]{0,3}(?:,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|[ \t]*&[ \t]*)"
                      r"(?:the[ \t]+)?[*_]{0,2}(" + LINKISH + ")")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
# A sentence about the card's own model: "This model was...", "It is...", "We fine-tuned...".
# "This `Name-7B` model is ..." names the card's own model too.
_ABOUT_ITSELF = re.compile(r"(?i)\b(?:this|our|the)\s+(?:[^\s.]{1,100}\s+)?(?:model|merge|"
                           r"checkpoint|adapter|version|repo(?:sitory)?|fine-?tune|lora)\b|"
                           r"\b(?:it|we|i)\b")
_WORD = re.compile(r"[A-Za-z][\w.-]{2,95}")


def other_subject(ctx: Context, verb: int) -> ModelRef | None:
    """Return the known model, not the card's, that a sentence is about, if it names one.

    "Base-7B was itself fine-tuned from [Grand-7B](...)" tells the parent's history: the
    subject before the verb names a model the card gives as a parent (in ``base_model``
    or a link), so the sentence is about that model, not the card's.
    """
    text = ctx.card.text
    lo = max(ctx.card.body_offset, verb - 300)
    start = lo
    for end in _SENTENCE_END.finditer(text, lo, verb):
        start = end.end()
    head = text[start:verb]
    if not head.strip() or _ABOUT_ITSELF.search(head):
        return None
    for link in ctx.links_between(start, verb):
        if link.ref.kind == "model" and ctx.is_known_other(link.ref.id):
            return ModelRef(link.ref.id, link.ref.id)
    for word in _WORD.finditer(head):
        ref = ctx.resolve(word.group(0).rstrip(".,;:'"))
        if ref.id is not None and ctx.is_known_other(ref.id) and not _weights_linked(ctx, ref.id):
            return ModelRef(ref.id, word.group(0))
    return None


def _weights_linked(ctx: Context, repo_id: str) -> bool:
    """Tell whether the card links a download of ``repo_id``'s files (``/resolve/main/...``).

    A card whose own id is unknown offers its own weights so: a sentence about that model
    by name ("The Painter-Inpainting was initialized with [X]") is about the card's model.
    """
    return ctx.own_id is None and ctx.links_files_of(repo_id)


LORA = re.compile(r"(?i)(?<![a-z])q?lora(?![a-z])")
ACRONYM_OR_DIGIT = re.compile(r"[A-Z][\w.-]*[A-Z]|\d")  # in one word
