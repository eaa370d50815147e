"""Parents given as the value of a label, in a line or a table.

Labelled lines and the lists under them ("Base model:", "Original model:", "Finetuned from
model:", "Parent model:", "Merged models:", "Models Merged", a "Models used:" list in a merge
card), table rows ("| Base model | org/x |"), "Base model is [X](...)" mid-line, and a model
zoo table's row for the card's own model ("fine-tuning from X").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context
from lineage.extract.prose.shared import ACRONYM_OR_DIGIT, FIRST_LINK, link_ref
from lineage.extract.scan import Gated, blank_lines_start
from lineage.facts import Fact, Method, ModelRef, Parent, Relation, Role
from lineage.ids import id_key

__all__ = ["base_is", "labels", "table_labels", "zoo_row"]

# "Base model" in other languages (and Russian "the initial model", inflected), read as it.
_BASE_MODEL_WORDS = ("ベースモデル", "베이스 모델", "기반 모델", "basismodell", "modèle de base",
                     "modelo base", "modelo de base", "mô hình cơ sở", "mô hình gốc",
                     "базовая модель", "базовую модель", "исходная модель", "исходную модель",
                     "ссылка на исходную модель", "ссылка на базовую модель")
_LABEL = re.compile(
    r"(?im)^[ \t>*_#-]*(?:(?:the|our)[ \t]+)?(base[ _]models?|original[ _]model|"
    # "Original: [org/x](...)" above "Fine Tuned: [me/y](...)": read only as a Hub id
    r"original(?=[ \t*_]*[:\uff1a])|"
    r"finetuned from model|fine-tuned from(?: model)?|parent model|backbone model|merged models|"
    r"models merged|source models?|models used|sentence transformer body|language model|"
    r"基础模型|基座模型|" + "|".join(sorted(_BASE_MODEL_WORDS, key=len, reverse=True)) + ")"
    # A full-width colon or comma ends a label too: "- 基础模型\uff0cM3E 使用 [X](...) 进行训练".
    r"[ \t*_]*(?:\[optional\])?[ \t*_]*([:\uff1a\uff0c])?[ \t*_]*(.*)$"
)
# _LABEL read only on the lines holding one of its labels' words.
_LABEL_LINES = Gated(_LABEL, "base", "original", "finetuned", "fine-tuned", "parent", "backbone",
                     "merged", "source", "models used", "sentence transformer", "language model",
                     "基础模型", "基座模型", *_BASE_MODEL_WORDS)
_DISPLAY_NAME = re.compile(r"(?=[^\n]*\d)[A-Z][\w.-]*(?:[ \t]+(?:[A-Z0-9][\w.-]*|v\d[\w.]*)){1,3}")
_MODEL_NAME = re.compile(r"(?=[\w.-]*[\d-])[A-Za-z][\w.-]{1,59}")
# (Only whether it matches counts: "-+" between two "\W*" is "a dash among non-word signs".)
_PLACEHOLDER = re.compile(r"(?i)more information needed|^\W*(?:n/?a|none|tbd|todo|unknown)\W*$|"
                          r"^(?=\W*-)\W*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(.*)$")


def _list_after(ctx: Context, end: int) -> Iterator[tuple[int, str]]:
    """Bullet items (offset, text) right after a label line; one intro line may precede."""
    text = ctx.card.text
    pos = end + 1
    items = intro = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        nl = len(text) if nl < 0 else nl
        line = text[pos:nl]
        b = _BULLET.match(line)
        if b is not None and (label := _LABEL.match(line)) is not None and \
                label.group(2) is not None and not label.group(3).strip():
            return  # "- Merged models:" starts a list of its own
        if b is None and (link := _LINK_LINE.match(line)) is not None:
            items += 1  # a link alone on its line: "## The base models" then "[X](...)"
            yield pos + link.start(1), link.group(1)
        elif b is not None:
            items += 1
            yield pos + b.start(1), b.group(1)
        elif line.strip():
            if items or intro or not line.rstrip().endswith(":") or _LABEL.match(line):
                return
            intro += 1
        pos = nl + 1


_LINK_LINE = re.compile(r"[ \t]*(\[[^\]\n]{1,200}\]\([^)\s]{1,300}\))[ \t]*$")
_MERGE_WORD = re.compile(r"(?i)\bmerg(?:e|ed|es|ing|er)\b")
_AS_THE_BASE = re.compile(r"(?i)\b(?:as|be)[ \t]+the[ \t]+base\b")


def labels(ctx: Context) -> Iterator[Fact]:
    """Yield the parents named on labelled lines and in the lists under them."""
    merging: bool | None = None  # whether the card speaks of merging, read once when asked
    for m in ctx.body_matches(_LABEL_LINES):
        label = m.group(1).casefold().replace("_", " ")
        if label in _BASE_MODEL_WORDS:
            label = "base model"
        heading = m.group(0).lstrip().startswith("#")
        if m.group(2) is None and not heading:
            continue  # "* Base models" as a list header, not a "Base model:" field
        if label == "models used":
            if merging is None:
                merging = _MERGE_WORD.search(ctx.card.body) is not None
            if not merging:
                continue  # "Models used:" lists a merge's inputs only in a card about merging
        rest = m.group(3).strip()
        items: list[tuple[int, str]] = []
        if rest:
            items.append((m.start(3), rest))
        elif not heading or "merged" in label or "base" in label:
            items.extend(_list_after(ctx, m.end()))
        merged = "merged" in label or "source" in label or label == "models used"
        single = not merged
        template = label in ("parent model", "backbone model")
        # One model named by a one-model label, on its line or as the only item under it.
        # (A "Language model:" field's value counts only as a Hub or legacy id.)
        named = single and label not in ("language model", "original") and \
            (bool(rest) or (len(items) == 1 and not label.endswith("s")))
        for offset, item in items:
            ref = _item_ref(ctx, item, named=named, any_word=template)
            if ref is None:
                continue
            role = None
            relation = Relation.DERIVED
            if merged:
                relation, role = Relation.MERGE, Role.SOURCE
                if _AS_THE_BASE.search(item) is not None:
                    role = Role.BASE  # "- **org/x** - ... the best model to act as the base"
            elif label.startswith("base"):
                role = Role.BASE
            elif label.startswith(("finetuned", "fine-tuned", "sentence transformer")):
                relation = Relation.FINETUNE  # SetFit fine-tunes its Sentence Transformer body
            ev = ctx.evidence(Method.PROSE, offset, offset + len(item), 0.85)
            if label == "original":  # not "Original model:", a repack's wording
                yield Parent(ref, Relation.DERIVED, ev)
            elif label.startswith("original"):
                yield Parent(ref, Relation.DERIVED, ev, method="original")
            else:
                yield Parent(ref, relation, ev, role=role)


# The row's own line; a match of "^\s*\|" starts on the blank lines above it, if any (see
# table_labels). The value ends after a non-blank, or at its first character.
_TABLE_LABEL = re.compile(
    r"(?im)^[^\S\n]*\|\s*[*_]*(base[ _]model|original[ _]model|parent[ _]model|backbone(?: model)?|"
    r"fine-?tuned from|基础模型|基座模型|"
    + "|".join(sorted(_BASE_MODEL_WORDS, key=len, reverse=True))
    + r")[*_]*\s*\|\s*([^|\n]|[^|\n]{2,}?(?<!\s))\s*\|"
)


def table_labels(ctx: Context) -> Iterator[Fact]:
    """Table rows such as ``| Base model | org/name |`` (or its link)."""
    text, floor = ctx.card.text, ctx.card.body_offset
    for m in _TABLE_LABEL.finditer(text, floor):
        start = blank_lines_start(text, m.start(), floor)
        ref = _item_ref(ctx, m.group(2))
        if ref is not None:
            yield Parent(ref, Relation.DERIVED, ctx.evidence(Method.TABLE, start, m.end(), 0.8))
        floor = m.end()


# "Base model is [X](...)" in the middle of a line (a label line is read by :func:`labels`), also
# "The base model used for fine-tuning is [X](...)".
_BASE_IS = Gated(re.compile(
    r"(?i)(?<!'s )(?<!\u2019s )\bbase[ \t]+model[ \t]+"
    # "The base model used for fine-tuning is", "The base model we chose was"
    r"(?:(?:used|we[ \t]+used|chosen|we[ \t]+chose|selected)(?:[ \t]+(?:for|in)[ \t]+"
    r"(?:the[ \t]+|this[ \t]+)?[\w-]{1,20})?[ \t]+)?(?:is|was)[ \t]+"
    r"(?:the[ \t]+)?[*_]{0,2}(\[[^\]\n]{1,80}\]\([^)\s]{1,300}\)|`[^`\n]{1,100}`)"), "base model",
    starts=("base",))
# A model zoo table's row for the card's own model, saying what it was made from:
# "| [org/own](...) | 1024 | unified fine-tuning from own-unsupervised |".
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|[^\n]{0,2000}")
_ROW_FROM = re.compile(r"(?i)\b(fine-?tun\w*|trained|pre-?trained|distilled|continued)\b"
                       r"[^|\n]{0,60}?\bfrom[ \t]+[*_`]{0,2}([A-Za-z][\w./-]{1,100}?)[*_`]{0,2}"
                       r"[ \t]*(?:\||[,;]|\.(?=\s|$)|$)")


def zoo_row(ctx: Context) -> Iterator[Fact]:
    """Read the model table row of the card's own model: "... fine-tuning from X"."""
    if ctx.own_id is None:
        return
    own = id_key(ctx.own_id)
    for row in ctx.body_matches(_TABLE_ROW):
        first = row.group(0).split("|", 2)[1] if row.group(0).count("|") >= 2 else ""
        if own not in id_key(first):
            continue
        m = _ROW_FROM.search(row.group(0))
        if m is None:
            continue
        ref = ctx.resolve(m.group(2))
        if ref.id is None or ctx.is_own(ref.id):
            continue  # only a model the card links or names by its id
        relation = Relation.DERIVED if m.group(1).casefold() == "distilled" else \
            Relation.FINETUNE
        yield Parent(ref, relation, ctx.evidence(Method.TABLE, row.start(), row.end(), 0.7))
        return


def base_is(ctx: Context) -> Iterator[Fact]:
    """Read "Base model is [X](...)" in a sentence, the link's text naming a model off the Hub."""
    for m in ctx.body_matches(_BASE_IS):
        ref = _item_ref(ctx, m.group(1), named=True, any_word=True)
        if ref is not None and (ref.id is not None or ACRONYM_OR_DIGIT.search(ref.name)):
            yield Parent(ref, Relation.DERIVED,
                         ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8), role=Role.BASE)


def _item_ref(ctx: Context, item: str, *, named: bool = False,
              any_word: bool = False) -> ModelRef | None:
    """Return the model a label's value or list item names.

    ``named``: the value of a one-model field ("Parent Model: T5"), which may be kept as
    an unresolved name; list items must resolve to a Hub id.
    """
    link = FIRST_LINK.search(item)
    if link is not None:
        ref = link_ref(ctx, link.group(0))
        text = re.match(r"\[([^\]]+)\]", link.group(0))
        if ref is not None or not named or text is None:
            return ref
        item = text.group(1)  # "[LLaMA](github link)": the model's name, not a Hub repo
    if _PLACEHOLDER.search(item):
        return None
    token = item.strip().strip("*_`").split()[0] if item.strip() else ""
    if not token or token.startswith(("[", "(")):
        return None
    ref = ctx.resolve(token.rstrip(".,;:").rstrip("*_`"))  # "**org/name** - a model that..."
    if ref.id is not None or not named:
        return ref if ref.id is not None else None
    name = re.split(r"(?:(?<!\s)\s+)?[(,;]", item.strip().strip("*_`"))[0].strip(" .*_`")
    hit = ctx.resolve_prefix(name) if name else None
    if hit is not None:
        return hit
    # Kept unresolved only when it looks like a model name (T5, RoBERTa-large, "Painter Base
    # 1.0": capitalised words with a version), not prose.
    plain = re.fullmatch(r"[A-Za-z][\w.-]{1,59}", name) is not None and \
        (any_word or ACRONYM_OR_DIGIT.search(name) is not None)  # "Base model: CodeLlama"
    if _DISPLAY_NAME.fullmatch(name):
        return ctx.resolve_display(name) or ModelRef(None, name)
    return ModelRef(None, name) if plain or _MODEL_NAME.fullmatch(name) else None
