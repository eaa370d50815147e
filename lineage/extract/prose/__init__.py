"""Lineage stated in the prose of a card.

Recognised forms (each a general card style, never one card):

- a derivation verb followed by a model link: "fine-tuned on top of [X](...)",
  "a fine-tuned version of [X](...) on the Y dataset", "based on [X](...)";
- labelled lines and the lists under them: "Base model:", "Original model:",
  "Finetuned from model:", "Parent model:", "Merged models:", "Models Merged";
- merge sentences: "a TIES merger of A and B with C being the Base model",
  mergekit's "merged using the TIES merge method using [X](...) as a base";
- quantized repacks: "GGUF format model files for [X](...)";
- quantized children: links to repos named after the card's model plus a quantization
  marker (``..._q8_0_gguf``, ``...-AWQ``);
- parents named without a link, read only when nothing else names one: a legacy id or its
  display name ("fine-tuned from BERT base multilingual cased"), "based on X-7B", Chinese,
  Japanese and Korean derivation wording, a converted checkpoint ("X model converted by
  [a script]"), versions of X for another framework, "X was used as an initialization",
  a distilled student's teacher, "this was made with X 1.4", a title "# X (variant)
  fine-tuned on ...", "is an X fine-tuned model";
- other styles: "Fork of [X]", "Base model is [X](...)" mid-line, a "Models used:" list in a
  merge card, a model zoo table's row for the card's own model ("fine-tuning from X"), and
  a component swapped in ("It's [X] model, just the text encoder is replaced with [Y]"),
  and, when nothing else names a parent, the one model the card's training code tunes
  (:mod:`lineage.extract.training_code`).

Placeholders and sentence fragments caught by these forms ("based on Following 6 epochs",
"using path/to/model as a base") are left out with a warning
(:func:`~lineage.extract.context.screen`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lineage.extract.context import Context, screen, specific_name
from lineage.extract.links import Link
from lineage.extract.scan import Gated, Scanner, blank_lines_start
from lineage.extract.training_code import training_code_parents
from lineage.facts import (
    Child,
    Derivation,
    Evidence,
    Fact,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Quantization,
    Relation,
    Role,
)
from lineage.ids import (
    LEGACY_MODEL_IDS,
    HubRef,
    id_key,
    is_fragment,
    is_repo_id,
    legacy_display_id,
    legacy_id,
    name_key,
    parse_hub_url,
)

__all__ = ["MERGE_METHODS", "QUANT_MARKER", "extract_prose"]

# Longest first, so that "bert-base-uncased-whole..." is not cut at "bert-base-uncased".
LEGACY_ALTERNATION = "|".join(re.escape(i) for i in sorted(LEGACY_MODEL_IDS, key=len,
                                                             reverse=True))
# The same ids as display names write them: "BERT base multilingual uncased", "RoBERTa large".
_LEGACY_DISPLAY = "|".join(re.escape(i).replace(r"\-", r"[ \t_-]") for i in
                           sorted(LEGACY_MODEL_IDS, key=len, reverse=True))

MERGE_METHODS = {
    "ties": "ties", "dare ties": "dare_ties", "dare_ties": "dare_ties", "dare": "dare_ties",
    "dare linear": "dare_linear", "dare_linear": "dare_linear", "slerp": "slerp",
    "nuslerp": "nuslerp", "linear": "linear", "passthrough": "passthrough",
    "task arithmetic": "task_arithmetic", "task_arithmetic": "task_arithmetic",
    "model stock": "model_stock", "model_stock": "model_stock", "della": "della",
    "della linear": "della_linear", "breadcrumbs": "breadcrumbs", "sce": "sce",
    "karcher": "karcher", "nearswap": "nearswap", "arcee fusion": "arcee_fusion",
    "moe": "moe", "frankenmerge": "passthrough",
}
QUANT_MARKER = re.compile(
    r"(?i)(?:^|[-_.])(gguf|ggml|gptq|awq|exl2|mlx|bnb|fp8|nvfp4|mxfp[48]|fp4|w[48]a(?:8|16)|"
    r"int[48]|[2-8][-_.]?bits?|"
    r"q[2-8](?:_[0-9a-z]+)*|iq[1-4]\w*|[2-8]\.[0-9]+bpw|quantized|quants?)(?=$|[-_.])"
)
# A link target may be a Hub address without its scheme ("(huggingface.co/org/name)").
_TARGET = r"(?:https?://|(?:www\.)?(?:huggingface|hf)\.co/)"
_LINKISH = (r"(?:\[[^\]\n]{0,200}\]\(\s*<?" + _TARGET + r"[^)\s>]+>?\s*\)|https?://\S+|"
            r"`[\w.-]+/[\w.-]+`|\*\*[A-Za-z0-9][\w.-]*/[\w.-]*\w\*\*)")  # (or in bold)
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
    r"[*_(]{0,2}(?!" + _OWNER_LINK + r"\s+\[)(" + _LINKISH + ")"
), "tun", "train", "sft", "dpo", "based", "built", "derived", "initiali", "distilled",
    "resumed", "fork", "converted", "adapted",
    starts=("fine", "trained", "sft", "dpo", "instruct", "continued", "further", "based", "built",
            "derived", "initiali", "distilled", "resumed", "fork", "converted", "adapted"))
_DATASET_AFTER = re.compile(r"(?:\s*[*_]{1,2})?\s+on\s+(?:the\s+)?([\w./-]+)\s+dataset", re.I)
# "Base model" in other languages (and Russian "the initial model", inflected), read as it.
_BASE_MODEL_WORDS = ("ベースモデル", "베이스 모델", "기반 모델", "basismodell", "modèle de base",
                     "modelo base", "modelo de base", "mô hình cơ sở", "mô hình gốc",
                     "базовая модель", "базовую модель", "исходная модель", "исходную модель",
                     "ссылка на исходную модель", "ссылка на базовую модель")
_LABEL = re.compile(
    r"(?im)^[ \t>*_#-]*(?:(?:the|our)[ \t]+)?(base[ _]models?|original[ _]model|"
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
# Linear: the (at most two) words before "merge" are at most 100 characters each, as every
# word boundary inside a long hyphenated word starts a match; the listed models end after a
# non-blank, or at their third character (a blank run is not tried again at each blank).
_MERGE_SENTENCE = Gated(re.compile(
    r"(?i)\b(?:an?\s+)?(?:([\w-]{1,100}(?:\s+[\w-]{1,100})?)\s+)?(?:(?:merger|merge)\s+of|"
    r"models\s+(?:used|included)\s+in\s+the\s+merge\s+(?:are|were)|"
    r"merged\s+(?:models|from)(?:\s*(?:are|were|:))?)\s+"
    r"(.{3}|.{4,400}?(?<!\s))(?:\s+with\s+(.{2,120}?)\s+(?:being|as)\s+the\s+base(?:\s+model)?)?"
    r"\s*(?:\.(?=\s|$)|\n|$)"
), "merge")
# Linear: the leading marks are taken whole; the inputs end after a non-blank (or at their
# first character); and a trailing "(...)" is tried only when the line ends with ")" (group
# 2), which is read once, not after every "=" of a long line.
_RECIPE_LINE = Gated(re.compile(
    r"(?im)^[ \t>*-]*(?![ \t>*-])(?:([\w-]+(?:[ \t]+[\w-]+)?)[ \t]+)?merge[ \t]+of[ \t]+"
    r"(?:(?=.*(\))[ \t]*$)|)(.|..+?(?<![ \t]))[ \t]*(?:=|=>|->)[ \t]*"
    r"[*_`]*([\w./-]+)(?:[*`][*_`]*)?(?(2)(?:[ \t]*\(.*\))?)[ \t]*$"
), "merge")
_AT_WEIGHT = re.compile(r"(?:(?<!\s)\s+)?@\s*([-+]?(?:\d*\.\d+|\d+))\s*$")
# "I then merged [X](...) into the resultant blend": a step after the configuration.
MERGED_INTO = Gated(re.compile(
    r"(?i)\bmerged\s+(" + _LINKISH + r")\s+(?:into|on top of)\b"),
    "merged", starts=("merged",))
_TEMPLATE_METHOD = Gated(re.compile(
    r"(?i)merged using the\s+\[?([\w\s-]{2,30}?)\]?(?:\([^)]{0,2000}\))?\s+merge method"
    r"(?:\s+using\s+(" + _LINKISH + r"|[\w./-]+)\s+as\s+a\s+base)?"
), "merged using the", starts=("merged using the",))
_QUANT_OF = Gated(re.compile(
    r"(?i)(?:\b(?:gguf|ggml|gptq|awq|exl2|mlx|quantized|quantised|quantizations?|quants?|"
    r"int4|int8|[248]-bit|torchscript|onnx|coreml|tflite|openvino)\b|llama\.cpp)"
    r"[^.\n\[]{0,60}?\b(?:of|for)\s+"
    r"(?:(?:the|an?|original|model)\s+){0,3}[*_]{0,2}(" + _LINKISH + ")"
), "gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quant", "int4", "int8", "-bit", "llama.cpp",
    "torchscript", "onnx", "coreml", "tflite", "openvino",
    starts=("gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quant", "int4", "int8", "2-bit", "4-bit",
            "8-bit", "llama.cpp", "torchscript", "onnx", "coreml", "tflite", "openvino"))
_FIRST_LINK = re.compile(_LINKISH)
_HUB_IN_URL = re.compile(r"(?:huggingface|hf)\.co/[^)\s>]+")


def _link_ref(ctx: Context, text: str) -> ModelRef | None:
    """Return the model a markdown link, bare URL or backticked id points at."""
    m = re.search(_TARGET + r"[^)\s>]+", text)
    if m is not None:
        ref = parse_hub_url(m.group(0))
        if ref is None and (hub := _HUB_IN_URL.search(m.group(0), 1)) is not None:
            ref = parse_hub_url(hub.group(0))  # "(https://steps/huggingface.co/org/x)": a typo
        return ModelRef(ref.id, ref.id) if ref is not None and ref.kind == "model" else None
    bare = text.strip("`*")
    # A local path (/home/u/models/x) is no Hub id: the caller resolves it by its last part.
    return ModelRef(bare, bare) if is_repo_id(bare, require_org=True) else None


def _names(text: str) -> list[str]:
    # A separator with blanks before it starts at the first blank (not again at each).
    parts = re.split(r",\s*(?:and\s+)?|(?<!\s)\s+and\s+|(?:(?<!\s)\s+)?[&+]\s*", text)
    return [p.strip(" *_`'\"") for p in parts if p.strip(" *_`'\"")]


def _usable(ref: ModelRef) -> bool:
    """Tell whether a name from free prose is trusted: it resolved or looks like a model id."""
    if ref.id is not None:
        return True
    name = ref.name
    return len(name) <= 96 and "-" in name and bool(re.fullmatch(r"[\w.-]*\d[\w.-]*", name))


def extract_prose(ctx: Context) -> tuple[Fact, ...]:
    """Lineage facts from the card's prose."""
    facts: list[Fact] = list(_verb_links(ctx))
    # A card known only by a bare name owns every id of that name, but not one a derivation
    # sentence names: "Fork of [org/NAME](...)" in a card titled NAME is its original.
    stated = {id(f) for f in facts}
    facts.extend(_labels(ctx))
    facts.extend(_merge_sentences(ctx))
    facts.extend(_quant_of(ctx))
    facts.extend(_repack_original(ctx))
    facts.extend(_named_original(ctx))
    facts.extend(_lora_extraction(ctx))
    facts.extend(_table_labels(ctx))
    # A command's model argument names the base unless a sentence names it already: the
    # card's own words win over a command that may load a sibling ("cased" said, "uncased" run).
    if not any(isinstance(f, Parent) for f in facts if id(f) in stated):
        facts.extend(_code_arguments(ctx))
    for style in _HUB_ID_SENTENCES:
        facts.extend(style.parent(ctx))
    facts.extend(_base_is(ctx))
    facts.extend(_component_swap(ctx))
    if not any(isinstance(f, Parent) for f in facts):
        facts.extend(_zoo_row(ctx))
    if not any(isinstance(f, Parent) for f in facts):
        facts.extend(_legacy_parent(ctx) or list(_unlinked(ctx)) or _named_elsewhere(ctx)
                     or training_code_parents(ctx))
    facts.extend(_quant_children(ctx, {id_key(f.ref.id) for f in facts
                                       if isinstance(f, Parent) and f.ref.id}))
    return tuple(screen(f for f in facts if not (
        isinstance(f, Parent | Child) and ctx.is_own(f.ref.id)
        and (id(f) not in stated or id_key(f.ref.id or "") in ctx.own_keys))))


# Derivation words in a sentence that does not say the card's model derives from what
# follows: something else is based on it ("the dataset is based on X", "an architecture
# based on X"), what readers may do ("developers may fine-tune X"), the very model unpacked
# ("the non-quantized version of X"), or another card's text ("the [X model card](...)").
# After a name read without a link: more of a display name ("C4AI Command R+": the match
# is a fragment) or an alternative ("A or B": no one parent).
_NAME_GOES_ON = re.compile(r"[ \t]+(?:[A-Z]|\(?[^.\n]{0,60}\bor\b)")
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


def _not_a_derivation(text: str, start: int, matched: str) -> bool:
    """Tell whether derivation words at ``start`` say nothing of the card's model."""
    before = text[max(0, start - 60):start]
    return bool(_SOMETHING_ELSE.search(before) or _WHAT_READERS_MAY_DO.search(before)
                or _UNPACKED.search(before) or _CARD_LINK.search(matched))


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


def _verb_links(ctx: Context) -> Iterator[Fact]:
    for m in ctx.body_matches(_VERB_LINK):
        ref = _link_ref(ctx, m.group(2))
        if ref is None or _not_a_derivation(ctx.card.text, m.start(), m.group(0)) or (
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
        subject = _other_subject(ctx, m.start())
        if subject is None and not finetune and \
                _ARCHITECTURE_AFTER.match(ctx.card.text, m.end()) is not None:
            yield Parent(ref, Relation.DERIVED, ev, method="architecture")  # its design only
        elif subject is None:
            yield Parent(ref, relation, ev)
            if _PREPOSITION.search(ctx.card.text, m.end(1), m.start(2)) is not None:
                yield from _more_links(ctx, m.end(), relation)
        elif ref.id is None or id_key(ref.id) != id_key(subject.id or ""):
            yield Derivation(subject, ref, relation, ev)


# "based on [X](...) and [Y](...)", "fine-tuned from [X](...), [Y](...) and [Z](...)".
_AND_LINK = re.compile(r"[ \t*_]{0,3}(?:,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|[ \t]*&[ \t]*)"
                       r"(?:the[ \t]+)?[*_]{0,2}(" + _LINKISH + ")")


def _more_links(ctx: Context, end: int, relation: Relation) -> Iterator[Fact]:
    """Yield the links joined to a derivation's first by "and" or commas, parents alike.

    Only after a preposition ("based on", "fine-tuned from"): "we fine-tuned [X] and [Y]"
    may have made two models.
    """
    while (m := _AND_LINK.match(ctx.card.text, end)) is not None:
        end = m.end()
        ref = _link_ref(ctx, m.group(1))
        if ref is not None:
            yield Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(1), m.end(1), 0.7))


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
# A sentence about the card's own model: "This model was...", "It is...", "We fine-tuned...".
# "This `Name-7B` model is ..." names the card's own model too.
_ABOUT_ITSELF = re.compile(r"(?i)\b(?:this|our|the)\s+(?:[^\s.]{1,100}\s+)?(?:model|merge|"
                           r"checkpoint|adapter|version|repo(?:sitory)?|fine-?tune|lora)\b|"
                           r"\b(?:it|we|i)\b")
_WORD = re.compile(r"[A-Za-z][\w.-]{2,95}")


def _other_subject(ctx: Context, verb: int) -> ModelRef | None:
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


def _labels(ctx: Context) -> Iterator[Fact]:
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
        named = single and label != "language model" and \
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
            if label.startswith("original"):
                yield Parent(ref, Relation.DERIVED, ev, method="original")
            else:
                yield Parent(ref, relation, ev, role=role)


# The row's own line; a match of "^\s*\|" starts on the blank lines above it, if any (see
# _table_labels). The value ends after a non-blank, or at its first character.
_TABLE_LABEL = re.compile(
    r"(?im)^[^\S\n]*\|\s*[*_]*(base[ _]model|original[ _]model|parent[ _]model|backbone(?: model)?|"
    r"fine-?tuned from|基础模型|基座模型)[*_]*\s*\|\s*([^|\n]|[^|\n]{2,}?(?<!\s))\s*\|"
)
# The value: a Hub id, a legacy id, or a path into a Hugging Face cache ("models--org--name")
# anywhere it was copied to; the separator: "=", a blank, or a JSON key's colon (a YAML
# "base_model:" is a mergekit or axolotl config's, which their own readers take).
_CODE_ARG = Gated(re.compile(
    r"""(?:--|\b)(base_model(?:_name(?:_or_path)?)?|model_name_or_path|pretrained_model_name_or_path)"""
    r"""(?:['"][ \t]*:[ \t]*|['"]?[ \t]*=[ \t]*|(?=[^\S ]* )\s+)['"]?([A-Za-z0-9][\w.-]*/[\w.-]+|"""
    r"""[^\s'"]{0,200}?models--[\w.-]+--[\w.-]+|"""
    r"""(?:""" + LEGACY_ALTERNATION + r""")(?![\w.-]))"""
), "base_model", "model_name_or_path",
    starts=("--base_model", "--model_name_or_path", "--pretrained_model_name_or_path",
            "base_model", "model_name_or_path", "pretrained_model_name_or_path"))
# The words that lead a command in as an example for other models, and the titles of
# sections on using (not training) the model.
_EXAMPLE_FOR = re.compile(r"(?i)\b(?:an?|another)[ \t]+example[ \t]+(?:for|of)\b|"
                          r"\balso[ \t]+works[ \t]+for\b|\bfor[ \t]+example\b|\be\.g\.")
_USAGE_TITLE = re.compile(r"(?i)\busage\b|\bhow to use\b|\binference\b|\bgenerat|"
                          r"\bquick ?start\b|\bgetting started\b")
# A legacy id named as the parent in a sentence: "fine-tuned from bert-base-uncased",
# "this model is a *bert-base-cased* model that was fine-tuned on ...", "a gpt2 model
# finetuned for ...".
_LEGACY_PARENT = Gated(re.compile(
    r"(?i)\b(?:(fine[- ]?tun(?:ed?|ing)|trained|based|built|derived|initiali[sz]ed|distilled)[ \t]+"
    r"(?:(?:version|checkpoint)[ \t]+of[ \t]+|(?:from|on|upon|of|on top of)[ \t]+)?"
    r"(?:(?:the|a|an|pre-?trained)[ \t]+){0,2}"
    r"|((?:version|checkpoint|(?:torchscript|onnx|coreml|tflite|openvino)[ \t]+(?:model|export))"
    r"[ \t]+of)[ \t]+(?:the[ \t]+)?"
    r"|\ban?[ \t]+|\b(?:this|it)[ \t]+is[ \t]+(?:the[ \t]+)?)"
    r"[*_`\[\"\u201c]{0,2}(" + _LEGACY_DISPLAY + r")(?![\w.-])[*_`\]\"\u201d]{0,2}"
    r"(?:[ \t]+(?:model|checkpoint)?[ \t]*(?:that[ \t]+was[ \t]+|which[ \t]+was[ \t]+)?"
    r"(fine-?tuned|trained))?"),
    "tun", "train", "based", "built", "derived", "initiali", "distilled", "version", "checkpoint",
    "torchscript", "onnx", "coreml", "tflite", "openvino",
    starts=("fine", "trained", "based", "built", "derived", "initiali", "distilled", "version",
            "checkpoint", "a ", "a\t", "an ", "an\t", "this", "it ", "it\t", "torchscript", "onnx",
            "coreml", "tflite", "openvino"))
# The words every match of _UNLINKED starts with (it is tried only where they occur).
_UNLINKED_STARTS = ("based", "built", "derived", "fine", "a fine", "an fine", "trained",
                    "initiali", "further", "continued", "gguf", "gptq", "awq", "exl2", "mlx",
                    "quantized", "torchscript", "onnx", "coreml", "tflite", "openvino")
_UNLINKED = Gated(re.compile(
    r"(?i)\b(based on|built (?:on|upon)|derived from|fine-?tuned? (?:from|of)|fine-?tune|"
    # "X is a fine-tuned Wren-3.2-1B pretrained model": after "is" or "was" only
    r"(?:(?<=\bis )|(?<=\bwas ))an? fine-?tuned(?= [A-Za-z][\w.-]*\d)|"
    r"fine-?tuned (?:version|checkpoint) of|(?:trained|fine-?tuned|built) on top of|"
    r"initiali[sz]ed from|further pre-?trained (?:from|on top of)|"
    r"continued pre-?training (?:of|from)|"
    # "fine-tuned on MPT-7B": "on" names data as often as a model; a size in billions of
    # parameters ("-7B") says model (not "C4-200M" examples, nor the LAION-5B images)
    r"fine-?tuned on(?=[ \t]+(?:the[ \t]+)?(?!laion)[A-Za-z][\w.-]{0,60}?-\d{1,3}(?:\.\d)?b"
    r"(?:-[\w.]{1,20}){0,3}(?![\w.-]))|"
    r"(?:gguf|gptq|awq|exl2|mlx|quantized) (?:version|quants?) of|"
    r"(?:torchscript|onnx|coreml|tflite|openvino) (?:model|version|export|conversion) of)\s+"
    r"(?:the\s+)?(?:original\s+)?(?:[\w-]+'s\s+)?"
    # "further pre-trained from an intermediate checkpoint of Wren-V2"
    r"(?:(?:an?|the)\s+(?:(?:intermediate|earlier|final|early)\s+)?(?:checkpoint|version)\s+of\s+)?"
    r"((?=[\w.-]*\d|[A-Z][\w.-]*\s+[\w.-]*\d)"
    r"[A-Za-z][\w.-]*(?:\s+(?=[\w.-]*\d)[\w.-]+){0,3})"
), *_UNLINKED_STARTS, starts=_UNLINKED_STARTS)
# "This model is a fine-tuned version of org/name on ...": the Trainer card's sentence with
# the base written as a bare Hub id. About the card's own model by its subject, so read even
# in a card whose id is unknown.
_THIS_MODEL_VERSION_OF = Gated(re.compile(
    r"(?i)\bthis[ \t]+model[ \t]+is[ \t]+an?[ \t]+(fine-?tuned|trained|quantized)[ \t]+"
    r"(?:version|checkpoint)[ \t]+of[ \t]+(?:the[ \t]+)?[`'\"]?([A-Za-z0-9][\w.-]*/[\w.-]*\w)"
    r"(?![\w/-])"), "this model is a")
# "These (LoRA) weights were added on top of the 'org/base'": the card's own trained weights
# (its subject) applied to a base model: an adapter of it, read even without an own id.
_WEIGHTS_ON_TOP = Gated(re.compile(
    r"(?i)\b(?:these|the|our|its)[ \t]+(?:new(?:ly)?[ \t]+)?(?:trained[ \t]+)?(?:lora[ \t]+)?"
    r"weights[ \t]+(?:were|are|was|is)[ \t]+(?:added|applied|loaded|trained)[ \t]+on[ \t]+"
    r"top[ \t]+of[ \t]+(?:the[ \t]+)?[`'\"\u2018\u201c]?([A-Za-z0-9][\w.-]*/[\w.-]*\w)"
    r"(?![\w/-])"), "on top of")
# "`org/NAME` packages the `org/base` checkpoint with ...": the same weights repackaged.
_PACKAGES = Gated(re.compile(
    r"(?i)\b(?:re)?packag(?:es|ed)[ \t]+(?:the[ \t]+)?(?:original[ \t]+)?[`'\"]?"
    r"([A-Za-z0-9][\w.-]*/[\w.-]*\w)[`'\"]?[ \t]+(?:checkpoint|weights|model)\b"), "packag")
# "initialized with Multilingual BERT": the one verb strong enough to take a name without
# a digit, when the name has an acronym in it (not "with random weights", "with Xavier").
_INITIALISED = Gated(re.compile(
    r"\b(initiali[sz]ed|warm-started)[ \t]+(?:with|from)[ \t]+(?:the[ \t]+)?"
    r"((?:[A-Z][\w-]*[ \t]+)?[A-Z][a-z]*[A-Z]{2,}[\w-]*)(?![\w-])"), "initiali", "warm")
_THIS_IS_A = re.compile(r"(?i)\bthis is an? ((?=[\w.-]*\d)[\w.-]+(?:\s+[\w.-]+){0,4}?)\s+model\s+"
                        r"(fine-?tuned|trained|based)")
_SUBJECT_MODEL = re.compile(r"\b[A-Z][\w.-]*\d[\w.-]*")
_PLACEHOLDER_ORG = re.compile(r"(?i)^(?:path_?to|path|your[\w-]*|my[\w-]*|username|user|org|"
                              r"organi[sz]ation|models?|outputs?|checkpoints?|local|tmp)/")
_AS_FORMAT_AT = re.compile(r"(?i)\b([A-Za-z](?=[\w.-]*\d)[\w.-]*)\s+(?:model\s+)?(?:as|in)\s+"
                           r"(?:gguf|gptq|awq|exl2|mlx)\b")
_AS_FORMAT_TAIL = re.compile(r"(?i)(?<!\s)\s+(?:model\s+)?(?:as|in)\s+(?:gguf|gptq|awq|exl2|mlx)\b")
_LETTER_AT_BOUNDARY = re.compile(r"(?i)\b[A-Za-z]")
_DIGIT = re.compile(r"\d")


class _AsFormat:
    """``X-7B as GGUF``: the matches of ``_AS_FORMAT_AT`` (a name with a digit) in linear time.

    Each word boundary inside a long name ("x1.x1.x1...") would start a match that reads
    the name to its end, and all of them end alike: only the first in each name is tried,
    and only before "as GGUF" wording.
    """

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """Return the matches from ``pos``, left to right."""
        floor = pos
        for tail in _AS_FORMAT_TAIL.finditer(text, pos):
            start = tail.start()
            while start > floor and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
                start -= 1  # to the start of the name before the wording
            lead = _LETTER_AT_BOUNDARY.search(text, start, tail.start())
            if lead is None or _DIGIT.search(text, lead.start() + 1, tail.start()) is None:
                continue
            m = _AS_FORMAT_AT.match(text, lead.start())
            if m is not None:
                yield m
                floor = m.end()


_AS_FORMAT = _AsFormat()


def _table_labels(ctx: Context) -> Iterator[Fact]:
    """Table rows such as ``| Base model | org/name |`` (or its link)."""
    text, floor = ctx.card.text, ctx.card.body_offset
    for m in _TABLE_LABEL.finditer(text, floor):
        start = blank_lines_start(text, m.start(), floor)
        ref = _item_ref(ctx, m.group(2))
        if ref is not None:
            yield Parent(ref, Relation.DERIVED, ctx.evidence(Method.TABLE, start, m.end(), 0.8))
        floor = m.end()


def _code_arguments(ctx: Context) -> Iterator[Fact]:
    """Training or loading commands: ``--model_name_or_path org/base``, ``base_model="x"``.

    Not a command given as an example for other models ("The same script also works for
    X. Here's an example for fine-tuning X"), nor the model a section on using it loads
    (unless given as the base of what is loaded: ``--base_model X --lora_weights Y``).
    """
    text = ctx.card.text
    for m in _CODE_ARG.finditer(text, ctx.card.body_offset):
        ref = ctx.resolve(m.group(2))
        if ref.id is None or ctx.is_own(ref.id) or _PLACEHOLDER_ORG.match(ref.id):
            continue
        # The words just before the command's code block (or before the command itself)
        block = ctx.doc.code_block_at(m.start())
        lead = text[max(0, (block.start if block else m.start()) - 200):m.start()]
        if _EXAMPLE_FOR.search(lead) or (  # (a base model given to usage code is the base)
                not m.group(1).startswith("base_model")
                and _USAGE_TITLE.search(ctx.doc.section_title(m.start()))):
            continue
        relation = Relation.FINETUNE if m.group(1) == "model_name_or_path" else Relation.DERIVED
        yield Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.7))


@dataclass(frozen=True, slots=True)
class _HubIdSentence:
    """A sentence style that names the card's parent by a bare Hub id, and how it derives.

    ``relation`` maps the match to the relation; the id is the last group of the match.
    """

    pattern: Scanner
    relation: Callable[[re.Match[str]], Relation]
    confidence: float

    def parent(self, ctx: Context) -> Iterator[Fact]:
        """Yield the first parent the style names (a placeholder or the card's own id: none)."""
        for m in ctx.body_matches(self.pattern):
            ref = ctx.resolve(m.group(m.lastindex or 1))
            if ref.id is None or ctx.is_own(ref.id) or _PLACEHOLDER_ORG.match(ref.id):
                continue
            yield Parent(ref, self.relation(m),
                         ctx.evidence(Method.PROSE, m.start(), m.end(), self.confidence))
            return


# The card's own sentences naming its parent by a bare Hub id: a Trainer-style version
# sentence, weights added on top of a base (an adapter), a package of a checkpoint (a repack).
# "The models are initialized with `org/base` and then pre-trained": a Hub id, so read even
# when the card's own id is unknown (unlike the names :data:`_INITIALISED` reads).
_INITIALISED_ID = Gated(re.compile(
    r"(?i)\binitiali[sz]ed[ \t]+(?:with|from)[ \t]+(?:the[ \t]+)?(?:weights[ \t]+of[ \t]+)?"
    r"[`'\"]([A-Za-z0-9][\w.-]*/[\w.-]*\w)[`'\"]"), "initiali")
# "This is a LoRA adapter for [X](...)", "A QLoRA adapter for org/x": what the card holds, said
# at a line's or a sentence's start ("LoRA adapters for X are also on the Hub" in a fine-tune's
# card is another repo); also "org/x 向けの QLoRA adapter" (Japanese: "for org/x").
_ADAPTER_TARGET = (r"(?:\[[^\]\n]{1,100}\]\([ \t]*(" + _TARGET + r"[^)\s>]+)[ \t]*\)|"
                   r"[`'\"]?([A-Za-z0-9][\w.-]*/[\w.-]*\w)[`'\"]?)")
# ("LoRA adapters for X are in another repo": plural adapters only after "this repo contains".)
_ADAPTER_FOR = Gated(re.compile(
    r"(?im)(?:(?:^[ \t#>*-]*|(?<=\. ))(?:an?[ \t]+|the[ \t]+)?(?:[\w-]+[ \t]+){0,3}?"
    r"(?:q?lora|peft|dora)?[ \t-]*adapter(?:[ \t]+weights)?|"
    r"\bthis[ \t]+(?:is|repo(?:sitory)?[ \t]+(?:is|contains|holds)|model[ \t]+is)[ \t]+"
    r"(?:an?[ \t]+|the[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:q?lora|peft|dora)?[ \t-]*"
    r"adapters?(?:[ \t]+weights)?)[ \t]+(?:for|of|on[ \t]+top[ \t]+of)"
    r"[ \t]+(?:the[ \t]+)?(?:base[ \t]+model[ \t]+)?" + _ADAPTER_TARGET + r"(?![\w/-])"),
    "adapter")
_ADAPTER_FOR_JA = Gated(re.compile(
    r"(?im)^[ \t#>*-]*" + _ADAPTER_TARGET + r"[ \t]*\u5411\u3051\u306e?[^\u3002\n]{0,40}?"
    r"(?i:q?lora|adapter|\u30a2\u30c0\u30d7\u30bf)"), "\u5411\u3051")
# The base named before its tuning: "This model is a version of [X](...) fine-tuned for POS",
# "This model takes [X](...) and fine-tunes it on NLI", "we copy alternating layers from
# `x-large` and finetune more" (a student made of its teacher's layers).
_NAMED_THEN_TUNED = Gated(re.compile(
    r"(?i)\b(?:(?:this[ \t]+(?:model|checkpoint)[ \t]+is|this[ \t]+is|it[ \t]+is)[ \t]+"
    r"(?:an?|the)[ \t]+version[ \t]+of|(?:this[ \t]+model|we)[ \t]+(?:takes?|took|"
    r"starts?[ \t]+from|started[ \t]+from)|layers[ \t]+(?:copied[ \t]+)?from)[ \t]+"
    r"(?:the[ \t]+)?(?:\[[^\]\n]{1,100}\]\([ \t]*(" + _TARGET + r"[^)\s>]+)[ \t]*\)|"
    r"[`'\"]([A-Za-z0-9][\w./-]*\w)[`'\"])[ \t]+(?:(?:model|checkpoint)[ \t]+)?"
    r"(?:(?:that[ \t]+was|and)[ \t]+)?(?:then[ \t]+)?(?:fine-?tun(?:ed|es?)|finetune|trained|"
    r"trains?)\b"), "version", "take", "took", "start", "layers")  # (a "version of X" that
# is not "this model" is another release)
# "This is a port of the multilingual X encoder (https://huggingface.co/org/x) to the
# transformers format": the same weights in another framework, a conversion.
_PORT_OF = Gated(re.compile(
    r"(?i)\bthis[ \t]+(?:model[ \t]+|repo(?:sitory)?[ \t]+)?(?:is|contains|holds)[ \t]+"
    r"(?:an?|the)[ \t]+(?:port|conversion)"
    r"[ \t]+of[ \t]+[^.\n\[]{0,80}?[(\[]?[ \t]*(?:\[[^\]\n]{1,100}\]\([ \t]*)?"
    r"(https?://(?:huggingface\.co|hf\.co)/[\w.-]+/[\w.-]+)"), "port", "conversion")
# "This is a GPT-style model, based on "org/x" model and fine-tuned on ...": a quoted Hub id
# after a derivation word, in a sentence whose subject is the card's model.
_QUOTED_BASE = Gated(re.compile(
    r"(?i)\b(?:this|it)\b[^.\n]{0,80}?\b(based[ \t]+on|built[ \t]+(?:on|upon)|derived[ \t]+from|"
    r"fine-?tuned[ \t]+from|initiali[sz]ed[ \t]+from)[ \t]+(?:the[ \t]+)?"
    r"[\"\u201c'`]([A-Za-z0-9][\w.-]*/[\w.-]*\w)[\"\u201d'`]"),
    "based", "built", "derived", "tuned", "initiali")
_HUB_ID_SENTENCES = (
    _HubIdSentence(_THIS_MODEL_VERSION_OF, lambda m: Relation.QUANTIZED if m.group(1).lower()
                   .startswith("quant") else Relation.FINETUNE, 0.8),
    _HubIdSentence(_INITIALISED_ID, lambda m: Relation.FINETUNE, 0.7),
    _HubIdSentence(_WEIGHTS_ON_TOP, lambda m: Relation.ADAPTER, 0.7),
    _HubIdSentence(_PACKAGES, lambda m: Relation.QUANTIZED, 0.7),
    _HubIdSentence(_ADAPTER_FOR, lambda m: Relation.ADAPTER, 0.7),
    _HubIdSentence(_NAMED_THEN_TUNED, lambda m: Relation.FINETUNE, 0.7),
    _HubIdSentence(_PORT_OF, lambda m: Relation.QUANTIZED, 0.7),
    _HubIdSentence(_ADAPTER_FOR_JA, lambda m: Relation.ADAPTER, 0.7),
    _HubIdSentence(_QUOTED_BASE, lambda m: Relation.FINETUNE if "tun" in m.group(1).casefold()
                   else Relation.DERIVED, 0.7),
)


def _legacy_parent(ctx: Context) -> list[Fact]:
    """Return the first legacy id a sentence names as the card's parent ("from gpt2").

    Read only when the card names no parent otherwise, like :func:`_unlinked`.
    """
    for m in ctx.body_matches(_LEGACY_PARENT):
        if (_other_subject(ctx, m.start()) is not None
                or _not_a_derivation(ctx.card.text, m.start(), m.group(0))):
            continue
        verb = (m.group(1) or m.group(4) or "").casefold()
        if not verb and m.group(2) is None:
            continue  # "a gpt2 ..." alone says nothing about training
        legacy = legacy_display_id(m.group(3))  # "BERT base uncased" spells bert-base-uncased
        ref = ModelRef(legacy, m.group(3)) if legacy else ctx.resolve(m.group(3))
        if ref.id is None or ctx.is_own(ref.id):
            continue
        relation = Relation.FINETUNE if "tun" in verb or "train" in verb else Relation.DERIVED
        if m.group(2) and any(w in m.group(2).casefold() for w in _CONVERSION_WORDS):
            relation = Relation.QUANTIZED  # "a TorchScript model of bert-large-cased"
        return [Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    return []


# A repack's or a conversion's words: the same weights in another format.
_CONVERSION_WORDS = ("gguf", "gptq", "awq", "exl2", "mlx", "quant", "torchscript", "onnx",
                     "coreml", "tflite", "openvino")


def _unlinked(ctx: Context) -> Iterator[Fact]:
    """Find parents named without a link ("based on Mistral-7B").

    Read only when the card names no parent otherwise; kept unresolved unless the name is
    a Hub id.
    """
    text = ctx.card.text
    # Without its own id the card may be a project README: only repack wording is read, and
    # sentences whose subject is the model the card is titled by ("# Wren-R1" ... "Wren-R1
    # is trained based on Wren-V3-Base").
    for pattern in (_UNLINKED, _THIS_IS_A, _INITIALISED, _AS_FORMAT):
        for m in ctx.body_matches(pattern):
            group = 1 if pattern is _THIS_IS_A else 2 if pattern is _INITIALISED else (
                m.lastindex or 1)
            name = m.group(group).strip(" .,;:*_`")
            end = m.end()
            full = _FULL_NAME_AFTER.match(text, end)
            if full is not None and id_key(full.group(1)).startswith(id_key(name)):
                name, end = full.group(1).strip(), full.end()  # the variant, not the family
            if _not_a_derivation(text, m.start(), m.group(0)) or \
                    _NAME_GOES_ON.match(text, end) is not None:
                continue
            near = max(0, m.start() - 80)  # the sentence is cut to 80 characters anyway
            sentence = text[max(text.rfind("\n", near, m.start()),
                                text.rfind(". ", near, m.start()), m.start() - 80) + 1:m.start()]
            own = id_key((ctx.own_id or "/").rsplit("/", 1)[-1])
            lead = max(0, m.start() - 300)  # the whole sentence, for the title's name
            whole = text[max(text.rfind("\n", lead, m.start()), text.rfind(". ", lead, m.start()),
                             lead) + 1:m.start()]
            # (a sentence whose subject is the card's model, "This repository hosts ...", or
            # the model the card is titled by)
            titled = ctx.own_id is None and (_THIS_SUBJECT.match(whole) is not None or
                                             _names_own(ctx, whole))
            if ctx.own_id is None and pattern is not _AS_FORMAT and not titled:
                continue
            subjects = {id_key(t) for t in _SUBJECT_MODEL.findall(sentence)}
            if subjects - {own} and not titled:
                continue  # "Yi-9B is trained based on Yi-6B": about another model
            ref = ctx.resolve(name)
            if ctx.is_own(ref.id) or id_key(name) == own:
                continue
            words = (m.group(1).casefold() if pattern in (_UNLINKED, _INITIALISED) else
                     m.group(2).casefold() if pattern is _THIS_IS_A else "gguf")
            relation = (Relation.QUANTIZED if any(q in words for q in _CONVERSION_WORDS)
                        else Relation.FINETUNE if "tun" in words or "train" in words
                        or "initiali" in words else Relation.DERIVED)
            if relation is Relation.QUANTIZED and _TUNED_AFTER.match(text, end, end + 80):
                relation = Relation.FINETUNE  # "the quantized version of X fine-tuned for Y"
            elif relation is Relation.FINETUNE and _LORA.search(whole):
                relation = Relation.ADAPTER  # "This model is a LoRA fine-tune of X"
            ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.5)
            yield Parent(ref, relation, ev)
            other = _AND_NAME.match(text, end) if pattern is _UNLINKED and \
                words.startswith(("built", "based")) else None
            if other is not None and _NAME_GOES_ON.match(text, other.end()) is None:
                second = ctx.resolve(other.group(1).rstrip("."))
                if not ctx.is_own(second.id):  # "built on A-400M and B-8B": both, composed
                    yield Parent(second, relation, ev)
            return


_TUNED_AFTER = re.compile(r"(?i)[ \t]*(?:model[ \t]*)?,?[ \t]*"
                          r"(?:that[ \t]+(?:was|has[ \t]+been)[ \t]+)?fine-?tuned\b")
_THIS_SUBJECT = re.compile(r"(?i)[ \t*_>-]*this[ \t]+(?:model|repo(?:sitory)?|project|"
                           r"checkpoint)[ \t]+(?:is|was|hosts|contains|provides|holds)\b")
_CARD_WORDS = re.compile(r"(?i)(?:[ \t:-]+(?:model[ \t]+card|card|readme|model))+[ \t]*$")


def _names_own(ctx: Context, sentence: str) -> bool:
    """Tell whether ``sentence`` names the model the card is titled by ("Wren Guard 3-1B")."""
    key = name_key(_CARD_WORDS.sub("", ctx.own_name or ""))
    return specific_name(key) and key in name_key(sentence)


# The second of two models a sentence builds on: "built on Eye-400M and Talk-8B-Instruct".
_AND_NAME = re.compile(r"[ \t]{1,3}and[ \t]{1,3}((?=[\w.-]{0,60}\d)[A-Za-z][\w.-]{1,60})")


# -- parents named in other card styles -------------------------------------------------------

# "Base model is [X](...)" in the middle of a line (a label line is read by _labels), also
# "The base model used for fine-tuning is [X](...)".
_BASE_IS = Gated(re.compile(
    r"(?i)(?<!'s )(?<!\u2019s )\bbase[ \t]+model[ \t]+"
    # "The base model used for fine-tuning is", "The base model we chose was"
    r"(?:(?:used|we[ \t]+used|chosen|we[ \t]+chose|selected)(?:[ \t]+(?:for|in)[ \t]+"
    r"(?:the[ \t]+|this[ \t]+)?[\w-]{1,20})?[ \t]+)?(?:is|was)[ \t]+"
    r"(?:the[ \t]+)?[*_]{0,2}(\[[^\]\n]{1,80}\]\([^)\s]{1,300}\)|`[^`\n]{1,100}`)"), "base model")
# "The base model of Wren-6B, Wren-6B-Base, ...", "Wren-6B 的基础模型 Wren-6B-Base": the base
# of the model the card is titled by (any other model's base is that model's).
_NAMED = r"([A-Za-z](?=[\w.-]{0,60}\d)[\w.-]{1,60})"
_BASE_MODEL_OF = Gated(re.compile(
    r"(?i)\bthe[ \t]+base[ \t]+model[ \t]+of[ \t]+[*_`]{0,2}" + _NAMED +
    r"[*_`]{0,2}(?:[ \t]*,|[ \t]+is)[ \t]+(?:the[ \t]+)?[*_`]{0,2}" + _NAMED + "|"
    r"(?<![\w.-])" + _NAMED + r"[ \t]*的[ \t]*(?:基础|基座)模型[ \t]*(?:是|为)?[ \t]*" + _NAMED),
    "base model of", "基础模型", "基座模型")
# "This project is a fine-tuning of the X-100 model", "This model is a LoRA fine-tune of X-7B":
# the card's own subject, so read even when the card's id is unknown.
_THIS_IS_A_TUNING_OF = Gated(re.compile(
    r"(?i)\bthis[ \t]+(?:model|project|repo(?:sitory)?|checkpoint)[ \t]+is[ \t]+(?:an?[ \t]+)?"
    r"((?:q?lora|full)[ \t-]+)?fine-?tun(?:ing|e)[ \t]+of[ \t]+(?:the[ \t]+)?[*_`]{0,2}"
    r"([A-Za-z](?=[\w.-]{0,60}\d)[\w.-]{1,60})"), "tun")
# Chinese (and Cantonese) derivation: "本模型基于X并...微调" ("this model is based on X and
# fine-tuned"), "基於X嘅微調版本" ("a fine-tuned version based on X"). The name is an ASCII
# model name with a digit; the sentence must say the card's model ("本模型") or tuning.
_ZH_BASED_ON = Gated(re.compile(
    r"(本模型|该模型|此模型|這個模型|这个模型)?[ \t]*(?:是)?基[于於][ \t]*[*_`“\"]{0,2}"
    r"((?a:[A-Za-z][\w.-]*\d[\w.-]*))[*_`”\"]{0,2}([^。\uff01\n]{0,60})"), "基于", "基於")
# "在X的基础上进一步训练" ("on the basis of X, further trained"): X a link or a model name;
# what follows must say tuning, training or building on it.
_ZH_ON_THE_BASIS = Gated(re.compile(
    r"在[ \t]*(?:(\[[^\]\n]{1,80}\]\([^)\s]{1,300}\))|[*_`\u201c\"]{0,2}"
    r"((?a:[A-Za-z][\w.-]*\d[\w.-]*))[*_`\u201d\"]{0,2})[ \t]*(?:模型)?[ \t]*的?基[础礎]上"
    r"([^\u3002\uff01\n]{0,60})"), "基础上", "基礎上")
# Training it further: strengthened, enhanced, aligned, continued, extended, optimised.
_ZH_BUILT = re.compile(r"强化|增强|增強|对齐|對齊|继续|繼續|扩展|擴展|优化|優化")
# "对X模型进行LoRA微调" ("fine-tune the X model with LoRA"): the object of the tuning.
_ZH_TUNE_OBJECT = Gated(re.compile(
    r"对[ \t]*[*_`“\"]{0,2}((?a:[A-Za-z][\w.-]*\d[\w.-]*))[*_`”\"]{0,2}[ \t]*(?:模型)?[ \t]*"
    r"进行[^。\uff01\n]{0,12}?(微调|精调|训练)"), "进行")
_LORA = re.compile(r"(?i)(?<![a-z])q?lora(?![a-z])")
# "基于X生成的数据" (data generated with X), "基于X架构" (X's architecture): not the base.
_ZH_NOT_A_MODEL = re.compile(r"[ \t]{0,3}(?:[生合]成|的?数据|的?數據|的?[架框]构|的?[架框]構|框架|"
                             r"的?方法|的?代[码碼])")
_SIZE_IN_BRACKETS = re.compile(r"[ \t]*[(\uff08][ \t]*(base|large|small|tiny|medium|mini|xl)[ \t]*"
                               r"[)\uff09]", re.I)
_ZH_TUNED = re.compile(r"微[调調]|精[调調]|[训訓]练|[训訓]練|蒸[馏餾]")
# Japanese and Korean: "Wren-7BをベースにSFTしたモデル", "Wren-7B를 기반으로 파인튜닝한 모델"
# ("a model tuned from Wren-7B"). The base wording needs tuning or training said after it.
_JA_KO_BASED_ON = Gated(re.compile(
    r"(?:(?<![\w.-])((?a:[A-Za-z][\w.-]*\d[\w.-]*|[A-Za-z][\w.-]*(?:[ \t]\d[\w.]*){1,2}))|"
    r"\[[^\]\n]{1,100}\]\([ \t]*(" + _TARGET + r"[^)\s>]+)[ \t]*\))[*_`\u300d\u300f\"]{0,2}[ \t]*"
    r"(?:\u3092|\ub97c|\uc744)[ \t]*"  # the object particles (wo, reul, eul)
    r"(\u30d9\u30fc\u30b9[\u306b\u3068]|\u5143\u306b|\u3082\u3068\u306b|"  # base / from
    r"\u30d5\u30a1\u30a4\u30f3\u30c1\u30e5\u30fc\u30cb\u30f3\u30b0|\u5fae\u8abf\u6574|"
    r"\u7d99\u7d9a\u4e8b\u524d\u5b66\u7fd2|\u8ffd\u52a0\u5b66\u7fd2|"  # fine-tuning, further
    r"\uae30\ubc18\uc73c\ub85c|\ud30c\uc778\ud29c\ub2dd|\ubbf8\uc138[ \t]?\uc870\uc815)"
    r"([^\u3002\n]{0,60})"),
    "\u30d9\u30fc\u30b9", "\u5143\u306b", "\u3082\u3068\u306b",
    "\u30d5\u30a1\u30a4\u30f3", "\u5fae\u8abf\u6574", "\u5b66\u7fd2", "\uae30\ubc18",
    "\ud30c\uc778\ud29c\ub2dd", "\ubbf8\uc138")
# Tuning or training (Japanese, Korean): fine-tuning, SFT, learning, training.
_JA_KO_TUNED = re.compile(r"(?i)\u30d5\u30a1\u30a4\u30f3\u30c1\u30e5\u30fc\u30cb\u30f3\u30b0|"
                          r"\u5fae\u8abf\u6574|\u5b66\u7fd2|\ud30c\uc778\ud29c\ub2dd|"
                          r"\ubbf8\uc138[ \t]?\uc870\uc815|\ud559\uc2b5|\ud6c8\ub828|"
                          r"(?<![a-z])(?:sft|dpo|lora)(?![a-z])|"  # (no \b: "SFT\u3057\u305f")
                          r"\btun(?:ing|ed)\b")  # "instruction-tuning \ub41c"
# Data made with the model: "generated" anywhere after, or "data" right after (Japanese,
# Korean); "tuned on Korean data" further on is the tuning.
_JA_KO_GENERATED = ("\u751f\u6210", "\uc0dd\uc131")
_JA_KO_DATA = re.compile(r"[ \t]{0,3}\u306e?(?:\u30c7\u30fc\u30bf|\ub370\uc774\ud130)")
# A converted checkpoint: "NAME model (from [source](...)) converted by/with [a script]".
_CONVERTED = Gated(re.compile(
    r"(?a)\b([A-Za-z](?=[\w.-]{0,80}[\d_])[\w.-]{2,80})[ \t]+(?:model|checkpoint)"
    r"(?:[ \t]+from[ \t]+\[[^\]\n]{1,80}\]\([^)\s]{1,300}\))?[ \t,]*\n?[ \t]*"
    r"converted[ \t]+(?:by|with|using)\b"), "converted")
# "versions of the X model for TensorFlow": the same weights in another framework.
_FRAMEWORK_VERSION = Gated(re.compile(
    r"\b(?i:versions?|ports?|conversions?)[ \t]+of[ \t]+(?:the[ \t]+)?"
    r"((?=[\w.-]*[A-Z\d])[A-Za-z][\w.-]{1,60})[ \t]+(?:model[ \t]+)?(?:for|in|to)[ \t]+"
    r"(?i:tensorflow|pytorch|flax|jax|onnx|core[ \t]?ml|tf)\b"), "version", "port", "conversion")
# "Multilingual BERT was used as an initialization for X", "took a multilingual version of
# BERT-base as an initialization" (the name is then "multilingual BERT-base").
_ACRONYM_NAME = r"(?:[A-Z][\w-]{0,60}[ \t]+)?[A-Z][a-z]{0,30}[A-Z]{2,}[\w-]{0,60}"
_USED_AS_INIT = Gated(re.compile(
    r"\b(" + _ACRONYM_NAME + r")[ \t]+(?:(?:was|is)[ \t]+used|served)"
    r"[ \t]+as[ \t]+(?:an?[ \t]+|the[ \t]+)?(?i:initiali[sz]ation|starting[ \t]+point)\b|"
    r"\b(?:took|take|used|use)[ \t]+(?:(?:an?|the)[ \t]+([a-z][\w-]*)[ \t]+version[ \t]+of[ \t]+)?"
    r"(" + _ACRONYM_NAME + r")[ \t]+as[ \t]+(?:an?[ \t]+|the[ \t]+)?"
    r"(?i:initiali[sz]ation|starting[ \t]+point)\b"),
    "initiali", "starting point")
# A title naming the model as its base fine-tuned: "# BERT (base-multilingual-uncased)
# fine-tuned for Q&A", "# BART (large-sized model), fine-tuned on news".
_TITLE_TUNED = Gated(re.compile(
    r"(?m)^#[ \t]+([A-Za-z][\w.-]{1,60})(?:[ \t]*\(([^()\n]{1,40})\))?,?[ \t]+"
    r"(?i:fine-?tuned|finetuned)[ \t]+(?i:on|for|with)\b"), "tuned")
# "X is an open source Stable Diffusion fine-tuned model": a named base without a link.
_IS_A_TUNED = Gated(re.compile(
    r"\b(?i:is)[ \t]+an?[ \t]+(?:(?i:open[- ]source)[ \t]+)?"
    r"((?:[A-Z][\w.-]*[ \t]+){0,2}[A-Z][\w.-]*)[ \t]+(?i:fine[- ]?tuned)[ \t]+(?i:model)\b"),
    "tuned")
_DISTIL = re.compile(r"(?i)distil")
# A distilled student's teacher: "using the cased version of WrenBERT as teacher model".
# Or "we employ Lab's [Wren large](link) as the teacher model".
_TEACHER = Gated(re.compile(
    r"\b(?i:using|with|employ|employs|employed|use|uses|used|adopt|adopts|adopted)[ \t]+"
    r"(?:(?i:the)[ \t]+)?(?:[\w-]+[ \t]+(?i:version)[ \t]+(?i:of)[ \t]+)?"
    r"(?:((?=[\w.-]*(?:[A-Z][\w.-]*[A-Z]|\d))[A-Z][\w.-]{1,60})|"
    r"(?:[\w.-]{1,40}['\u2019]s[ \t]+)?(\[[^\]\n]{1,80}\]\([^)\s]{1,300}\)))[ \t]+(?i:as)[ \t]+"
    r"(?:(?i:the|a|our)[ \t]+)?(?i:teacher)\b"), "teacher")
# "this was made with SD 1.4": a base named by a family and a version, no link ("trained
# on" and "fine-tuned on" name data: "fine-tuned on the SUC 3.0 dataset").
_MADE_WITH_VERSION = Gated(re.compile(
    r"\b(?i:this|it)(?:[ \t]+(?i:model))?[ \t]+(?i:was|is)[ \t]+"
    r"(?i:made[ \t]+with|built[ \t]+(?:on|upon)|(?:fine-?tuned|trained)[ \t]+from)[ \t]+"
    r"(?:(?i:the)[ \t]+)?((?:[A-Z][\w-]*[ \t]+){1,2}[vV]?\d+(?:\.\d+)+)(?![\w.])"
    r"(?![ \t]+(?i:data|corpus|benchmark))"), "made", "trained", "tuned", "built")
# Tools a card is "made with", not models.
_TOOLS = frozenset(["mergekit", "axolotl", "unsloth", "peft", "transformers", "diffusers", "kohya",
                    "pytorch", "python", "tensorflow", "jax", "deepspeed", "trl", "keras"])
_ACRONYM_OR_DIGIT = re.compile(r"[A-Z][\w.-]*[A-Z]|\d")  # in one word
# Words that name how or in what form a model was tuned, not the model tuned.
_NOT_A_BASE = frozenset(["lora", "qlora", "peft", "adapter", "sft", "dpo", "orpo", "kto", "rlhf",
                         "ppo", "gguf", "gptq", "awq", "exl2", "mlx", "instruction", "instruct",
                         "chat", "custom", "private", "new", "merged", "model"])
# A more exact name in parentheses right after the one read: "BioBERT (`BioBERT-Base v1.0`)".
_FULL_NAME_AFTER = re.compile(r"[ \t]{0,3}\([ \t]{0,3}`([^`\n]{2,100})`[ \t]{0,3}\)")

# A model zoo table's row for the card's own model, saying what it was made from:
# "| [org/own](...) | 1024 | unified fine-tuning from own-unsupervised |".
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|[^\n]{0,2000}")
_ROW_FROM = re.compile(r"(?i)\b(fine-?tun\w*|trained|pre-?trained|distilled|continued)\b"
                       r"[^|\n]{0,60}?\bfrom[ \t]+[*_`]{0,2}([A-Za-z][\w./-]{1,100}?)[*_`]{0,2}"
                       r"[ \t]*(?:\||[,;]|\.(?=\s|$)|$)")
# A component swapped into a model: "It's [X](...) model, just the text encoder and
# tokenizer are replaced with my [Y](...)" (X's weights with Y's part: a merge of both).
_COMPONENT_SWAP = Gated(re.compile(
    r"(?i)\b(?:it's|it\s+is|this\s+is)\s+(" + _LINKISH + r")(?:\s+model)?[,;]?\s+"
    r"(?:just\s+|but\s+|with\s+)?(?:its\s+|the\s+)?(?:text[ -]encoder|vae|tokeni[sz]er|unet|"
    r"(?:image|vision)[ -]encoder)(?:\s+and\s+(?:its\s+|the\s+)?(?:text[ -]encoder|vae|"
    r"tokeni[sz]er|unet))?\s+(?:(?:are|is|were|was)\s+)?(?:replaced|swapped)\s+(?:with|by|for)\s+"
    r"(?:my\s+|the\s+|an?\s+)?(" + _LINKISH + ")"), "replaced", "swapped")


def _zoo_row(ctx: Context) -> Iterator[Fact]:
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


def _component_swap(ctx: Context) -> Iterator[Fact]:
    """Read a model whose component (text encoder, VAE) is another model's: a merge of both."""
    for m in ctx.body_matches(_COMPONENT_SWAP):
        base, part = _link_ref(ctx, m.group(1)), _link_ref(ctx, m.group(2))
        if base is None or part is None:
            continue
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.75)
        yield Parent(base, Relation.MERGE, ev, role=Role.BASE)
        yield Parent(part, Relation.MERGE, ev, role=Role.SOURCE)


def _base_is(ctx: Context) -> Iterator[Fact]:
    """Read "Base model is [X](...)" in a sentence, the link's text naming a model off the Hub."""
    for m in ctx.body_matches(_BASE_IS):
        ref = _item_ref(ctx, m.group(1), named=True, any_word=True)
        if ref is not None and (ref.id is not None or _ACRONYM_OR_DIGIT.search(ref.name)):
            yield Parent(ref, Relation.DERIVED,
                         ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8), role=Role.BASE)


def _named_elsewhere(ctx: Context) -> list[Fact]:
    """Return the parent a card names without a link in the styles below, if any.

    Read only when the card names no parent otherwise, like :func:`_unlinked`: the
    Chinese "based on X" wording, a converted checkpoint, a framework version, an
    initialization, a distilled student's teacher, "this was made with X 1.4", a title "X
    fine-tuned on ..." and "is an X fine-tuned model".
    """
    own = {name_key(n) for n in (ctx.own_name, (ctx.own_id or "").rsplit("/", 1)[-1]) if n}
    for m in ctx.body_matches(_BASE_MODEL_OF):
        named, base = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if name_key(named) in own and name_key(base) not in own:
            return [Parent(ctx.resolve(base.rstrip(".")), Relation.DERIVED,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for m in ctx.body_matches(_THIS_IS_A_TUNING_OF):
        ref = ctx.resolve(m.group(2).rstrip("."))
        if not ctx.is_own(ref.id) and name_key(ref.name) != name_key(ctx.own_name or "-"):
            lora = m.group(1) is not None and "lora" in m.group(1).casefold()
            return [Parent(ref, Relation.ADAPTER if lora else Relation.FINETUNE,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for m in ctx.body_matches(_ZH_BASED_ON):
        tail = m.group(3)
        if (m.group(1) is None and _ZH_TUNED.search(tail) is None) or \
                _ZH_NOT_A_MODEL.match(tail) or _item_about_another(ctx, m.start(), m.group(2)):
            continue
        name = m.group(2).rstrip(".")
        if (size := _SIZE_IN_BRACKETS.match(tail)) is not None:
            name += " " + size.group(1)  # "wav2vec2 (base)" in full-width brackets: its base size
        ref = ctx.resolve(name)
        if ctx.is_own(ref.id) or id_key(ref.name) == id_key(ctx.own_name or ""):
            continue
        relation = Relation.FINETUNE if _ZH_TUNED.search(tail) else Relation.DERIVED
        return [Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for m in ctx.body_matches(_ZH_ON_THE_BASIS):
        tail = m.group(3)
        if not (_ZH_TUNED.search(tail) or _ZH_BUILT.search(tail)) or _ZH_NOT_A_MODEL.match(tail):
            continue
        basis = _link_ref(ctx, m.group(1)) if m.group(1) else ctx.resolve(m.group(2).rstrip("."))
        if basis is not None and not ctx.is_own(basis.id) and \
                id_key(basis.name) != id_key(ctx.own_name or ""):
            return [Parent(basis, Relation.FINETUNE,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for m in ctx.body_matches(_ZH_TUNE_OBJECT):
        ref = ctx.resolve(m.group(1).rstrip("."))
        if not ctx.is_own(ref.id) and id_key(ref.name) != id_key(ctx.own_name or ""):
            # "通过LoRA技术对X进行微调": tuned through LoRA, the weights an adapter of X
            text = ctx.card.text
            start = max(text.rfind("\n", 0, m.start()), text.rfind("。", 0, m.start()))
            lora = _LORA.search(text, start + 1, m.end()) is not None
            return [Parent(ref, Relation.ADAPTER if lora else Relation.FINETUNE,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for m in ctx.body_matches(_JA_KO_BASED_ON):
        said, tail = m.group(3) + m.group(4), m.group(4)
        named = m.group(1) or m.group(2)  # a name, or a link's address ("[X](...)를 기반으로")
        if _JA_KO_TUNED.search(said) is None or _JA_KO_DATA.match(tail) is not None or \
                any(w in tail for w in _JA_KO_GENERATED) or \
                _item_about_another(ctx, m.start(), named):
            continue
        ref = ctx.resolve(named.rstrip("."))
        if not ctx.is_own(ref.id) and name_key(ref.name) != name_key(ctx.own_name or "-"):
            return [Parent(ref, Relation.FINETUNE,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for pattern, relation in ((_CONVERTED, Relation.QUANTIZED),
                              (_FRAMEWORK_VERSION, Relation.QUANTIZED),
                              (_USED_AS_INIT, Relation.FINETUNE)):
        for m in ctx.body_matches(pattern):
            if pattern is not _FRAMEWORK_VERSION and \
                    _not_a_derivation(ctx.card.text, m.start(), m.group(0)):
                continue  # ("you will find versions of X for TF" still says what they are)
            name = m.group(1) or " ".join(g for g in m.group(2, 3) if g)
            ref = ctx.resolve(name)
            if ctx.is_own(ref.id):
                continue  # a converted checkpoint may keep its original's name: not its id
            return [Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    # A teacher counts in a card about distillation, not one that wrote data or graded answers.
    teachers = ctx.body_matches(_TEACHER) if _DISTIL.search(ctx.card.text) else iter(())
    for m in teachers:
        teacher = _link_ref(ctx, m.group(2)) if m.group(2) else ctx.resolve(m.group(1).rstrip("."))
        if teacher is not None and not ctx.is_own(teacher.id):
            return [Parent(teacher, Relation.DERIVED,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6), method="teacher")]
    for m in ctx.body_matches(_MADE_WITH_VERSION):
        name = " ".join(m.group(1).split())
        if name.split()[0].casefold() not in _TOOLS:
            return [Parent(ctx.resolve(name), Relation.FINETUNE,
                           ctx.evidence(Method.PROSE, m.start(), m.end(), 0.5))]
    for m in ctx.body_matches(_TITLE_TUNED):
        name = m.group(1).rstrip(".")
        legacy = legacy_display_id(f"{name} {m.group(2)}") if m.group(2) else legacy_id(name)
        if legacy is None and (_ACRONYM_OR_DIGIT.search(name) is None or
                               name.casefold() in _NOT_A_BASE):
            continue  # "# Model fine-tuned on X", "# LoRA fine-tuned ...", "# Whisper ..."
        ref = ModelRef(legacy, name) if legacy else ctx.resolve(name)
        if ctx.is_own(ref.id) or name_key(name) == name_key(ctx.own_name or ""):
            continue
        return [Parent(ref, Relation.FINETUNE,
                       ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    for tries, m in enumerate(ctx.body_matches(_IS_A_TUNED)):
        name = m.group(1)
        if tries >= 3:
            break  # each try may read the card once more
        if _ACRONYM_OR_DIGIT.search(name) is None and re.search(
                re.escape(name) + r"[ \t]+[vV]?\d", ctx.card.text) is None:
            continue  # "a Spanish fine-tuned model"; a family is named with a version elsewhere
        ref = ctx.resolve(name)
        if ctx.is_own(ref.id) or is_fragment(name) or name_key(name) == name_key(
                ctx.own_name or "") or any(w.casefold() in _NOT_A_BASE for w in name.split()):
            continue  # ("is a LoRA fine-tuned model" names no base)
        return [Parent(ref, Relation.FINETUNE,
                       ctx.evidence(Method.PROSE, m.start(), m.end(), 0.5))]
    return []


# A list item led by a model's name: "* Wren3의 경우 ..." ("in the case of Wren3"), "* Wren-M는".
_ITEM_SUBJECT = re.compile(r"[ \t]*[-*+][ \t]+[*_`]{0,2}([A-Za-z][\w.-]{1,60})")


def _item_about_another(ctx: Context, pos: int, named: str) -> bool:
    """Tell whether ``pos`` is in a list item about another model than the card's.

    The item is led by a model-like name (capitals or a digit) that is neither the model
    the sentence names as the base nor the card's own.
    """
    text = ctx.card.text
    lead = _ITEM_SUBJECT.match(text, text.rfind("\n", 0, pos) + 1, pos)
    if lead is None or _ACRONYM_OR_DIGIT.search(lead.group(1)) is None:
        return False
    subject = name_key(lead.group(1))
    own_text = (ctx.own_id or ctx.own_name or "").rsplit("/", 1)[-1]
    first = re.search(r"[A-Za-z][\w.-]*", own_text)  # "☁️ KULLM (...)": its first name, KULLM
    own = {name_key(own_text), name_key(first.group(0)) if first else ""} - {""}
    return subject != name_key(named) and not any(o.startswith(subject) or subject.startswith(o)
                                                  for o in own)


def _item_ref(ctx: Context, item: str, *, named: bool = False,
              any_word: bool = False) -> ModelRef | None:
    """Return the model a label's value or list item names.

    ``named``: the value of a one-model field ("Parent Model: T5"), which may be kept as
    an unresolved name; list items must resolve to a Hub id.
    """
    link = _FIRST_LINK.search(item)
    if link is not None:
        ref = _link_ref(ctx, link.group(0))
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
    plain = any_word and re.fullmatch(r"[A-Za-z][\w.-]{1,59}", name) is not None
    if _DISPLAY_NAME.fullmatch(name):
        return ctx.resolve_display(name) or ModelRef(None, name)
    return ModelRef(None, name) if plain or _MODEL_NAME.fullmatch(name) else None


# "to SLERP merge [X](...) (base) and [Y](...)": a merge verb, then linked inputs joined by
# "and" or commas (two at least); "(base)" after one marks the merge's base.
_MERGE_LINKS = Gated(re.compile(
    r"(?i)\b(?:(slerp|nuslerp|ties|dare[ _]ties|dare|linear|task[ _]arithmetic|model[ _]stock|"
    r"della|karcher|breadcrumbs)[ \t-]+)?merg(?:e|ed|ing)[ \t]+(?:of[ \t]+)?(?:the[ \t]+)?"
    r"[*_]{0,2}(" + _LINKISH + r")"), "merg")
_BASE_MARK = re.compile(r"[*_]{0,2}[ \t]*\((?:the[ \t]+)?base(?:[ \t]+model)?\)")


def _merge_links(ctx: Context) -> Iterator[Fact]:
    """Merge inputs linked after a merge verb, two at least ("SLERP merge [X] and [Y]")."""
    text = ctx.card.text
    for m in ctx.body_matches(_MERGE_LINKS):
        inputs: list[tuple[ModelRef, int, int, bool]] = []
        ref, end = _link_ref(ctx, m.group(2)), m.end()
        while ref is not None:
            base = _BASE_MARK.match(text, end)
            end = base.end() if base is not None else end
            inputs.append((ref, m.start(), end, base is not None))
            more = _AND_LINK.match(text, end)
            if more is None:
                break
            ref, end = _link_ref(ctx, more.group(1)), more.end()
        if len(inputs) < 2 or any(ctx.is_own(r.id) for r, *_ in inputs):
            continue
        method = MERGE_METHODS.get((m.group(1) or "").casefold().replace("_", " "))
        for ref, start, stop, is_base in inputs:
            yield Parent(ref, Relation.MERGE, ctx.evidence(Method.PROSE, start, stop, 0.8),
                         role=Role.BASE if is_base else Role.SOURCE, method=method)
        if method is not None:
            yield MergeRecipe(method, next((r for r, *_, b in inputs if b), None), None, (),
                              ctx.evidence(Method.PROSE, m.start(), inputs[-1][2], 0.8))
        return


def _merge_sentences(ctx: Context) -> Iterator[Fact]:
    yield from _merge_links(ctx)
    for m in ctx.body_matches(_TEMPLATE_METHOD):
        method = MERGE_METHODS.get(m.group(1).strip().casefold())
        base = None
        if m.group(2):
            base = _link_ref(ctx, m.group(2)) or ctx.resolve(m.group(2))
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85)
        if base is not None:
            yield Parent(base, Relation.MERGE, ev, role=Role.BASE, method=method)
        yield MergeRecipe(method, base, None, (), ev)
    for m in ctx.body_matches(_MERGE_SENTENCE):
        method = _method(m.group(1))
        sources = [_part_ref(ctx, n) for n in _names(m.group(2))]
        base = _part_ref(ctx, m.group(3).strip(" *_`")) if m.group(3) else None
        sources = [s for s in sources if _usable(s)]
        if len(sources) + (base is not None) < 2 and method is None:
            continue
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8)
        for ref in sources:
            yield Parent(ref, Relation.MERGE, ev, role=Role.SOURCE, method=method)
        if base is not None and _usable(base):
            yield Parent(base, Relation.MERGE, ev, role=Role.BASE, method=method)
        if method is not None:
            yield MergeRecipe(method, base, None, (), ev)
    yield from _recipe_lines(ctx)
    for m in ctx.body_matches(MERGED_INTO):
        merged = _link_ref(ctx, m.group(1))
        if merged is not None:
            yield Parent(merged, Relation.MERGE,
                         ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8), role=Role.SOURCE)


def _method(words: str | None) -> str | None:
    """Return the merge method named by the words before "merge" ("Gradient SLERP", "TIES")."""
    if not words:
        return None
    text = words.strip().casefold()
    return MERGE_METHODS.get(text) or MERGE_METHODS.get(text.split()[-1])


def _part_ref(ctx: Context, part: str) -> ModelRef:
    """Resolve a merge input named in prose.

    The input is a link, a Hub id, or a name the card's links resolve.
    """
    link = _FIRST_LINK.search(part)
    if link is not None:
        ref = _link_ref(ctx, link.group(0))
        if ref is not None:
            return ref
    return ctx.resolve(_AT_WEIGHT.sub("", part).strip(" *_`'\""))


def _recipe_lines(ctx: Context) -> Iterator[Fact]:
    """Read the recipe line that made the card's own model.

    A line like "Gradient SLERP merge of A @0.5 and B @0.5 = ThisModel"; other steps make
    intermediates, whose inputs are grandparents.
    """
    if ctx.own_id is None:
        return
    own = id_key(ctx.own_id.rsplit("/", 1)[-1])
    for m in ctx.body_matches(_RECIPE_LINE):
        if id_key(m.group(4).rsplit("/", 1)[-1]) != own:
            continue
        method = _method(m.group(1))
        ev = ctx.evidence(Method.MERGEKIT, m.start(), m.end(), 0.85)
        for part in _names(m.group(3)):
            weight = _AT_WEIGHT.search(part)
            ref = _part_ref(ctx, part)
            yield Parent(ref, Relation.MERGE, ev, role=Role.SOURCE, method=method,
                         weight=float(weight.group(1)) if weight else None)
        yield MergeRecipe(method, None, None, (), ev)


def _quant_of(ctx: Context) -> Iterator[Fact]:
    for m in ctx.body_matches(_QUANT_OF):
        ref = _link_ref(ctx, m.group(1))
        if ref is not None:
            yield Parent(ref, Relation.QUANTIZED,
                         ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85))


def strip_quant_markers(name: str) -> str:
    """Return a repack's name without its quantization suffixes (``X-GGUF`` -> ``X``).

    Examples
    --------
    >>> strip_quant_markers("L3-8B-Stheno-v3.3-32K-Ultra-NEO-V1-IMATRIX-GGUF")
    'L3-8B-Stheno-v3.3-32K-Ultra-NEO-V1-IMATRIX'
    >>> strip_quant_markers("Open_Gpt4_8x7B_v0.2_q8_0_gguf")
    'Open_Gpt4_8x7B_v0.2'
    >>> strip_quant_markers("Chat-4-mini-GGUF-Q3KM")  # a title's "Q3_K_M" read as emphasis
    'Chat-4-mini'
    """
    previous = None
    while previous != name:
        previous = name
        name = re.sub(r"(?i)[-_.](?:gguf|ggml|gptq|awq|exl2|mlx|bnb|fp8|int[48]|[2-8][-_.]?bits?|"
                      r"q[2-8](?:_[0-9a-z]+)*|q[2-8]k[a-z0-9]?|iq[1-4]\w*|[2-8]\.[0-9]+bpw|"
                      r"quantized|quants?|i1)$",
                      "", name)
    return name


def _repack_original(ctx: Context) -> Iterator[Fact]:
    """Find the linked ``X`` that a repack named ``X-GGUF`` (or ``-AWQ``, ``-4bit``...) quantizes.

    The linked model whose name equals the repack's name without its markers is the
    parent; failing that, the longest linked name that the stripped name starts with.
    """
    # A card known by a bare name (its title) is named after its original just as well.
    own_name = ctx.own_id.rsplit("/", 1)[-1] if ctx.own_id else ctx.own_name
    if not own_name:
        return
    base = id_key(strip_quant_markers(own_name))
    if base == id_key(own_name) or len(base) < 4:
        return
    declared = ctx.card.meta.get("base_model")
    for value in declared if isinstance(declared, list) else [declared]:
        if isinstance(value, str) and id_key(value.rsplit("/", 1)[-1]).startswith(base):
            return  # the front matter already names a model this repack is named after
    best: tuple[int, Link] | None = None
    for link in ctx.links:
        if link.ref.kind != "model" or ctx.is_own(link.ref.id):
            continue
        name = id_key(link.ref.id.rsplit("/", 1)[-1])
        rank = 2 * len(name) + 1 if name == base else (
            2 * len(name) if base.startswith(name) and len(name) >= 6 and
            base[len(name)] in "-_." else 0)
        if rank and (best is None or rank > best[0]):
            best = (rank, link)
    if best is not None:
        link = best[1]
        yield Parent(ModelRef(link.ref.id, link.ref.id), Relation.QUANTIZED,
                     ctx.evidence(Method.LINK, link.offset, link.offset + len(link.url), 0.85),
                     method="original")


_FORMATS = ("gguf", "ggml", "gptq", "awq", "exl2", "mlx", "bnb", "bitsandbytes", "fp8", "hqq")


def quantization_of(ctx: Context) -> Quantization | None:
    """Read a repack's format and bits from its name and tags (``-GGUF``, ``4bit``, ``Q8_0``)."""
    tags = ctx.card.meta.get("tags")
    words = [(ctx.own_id or "").rsplit("/", 1)[-1]]
    words += [str(t) for t in tags] if isinstance(tags, list) else []
    text = " ".join(words).casefold()
    method = next((f for f in _FORMATS if re.search(rf"(?:^|[\W_]){f}(?:$|[\W_])", text)), None)
    if method == "bitsandbytes":
        method = "bnb"
    bits: float | None = None
    if m := re.search(r"(?:^|[\W_])([2-8]\.\d+)bpw|(?:^|[\W_])([2-8])[-_ ]?bits?\b|"
                      r"\bint([48])\b|(?:^|[\W_])i?q([2-8])(?:_|$|\b)", text):
        bits = float(next(g for g in m.groups() if g))
    if method is None and bits is None:
        return None
    return Quantization(method, bits, Evidence(Method.METADATA, " ".join(words)[:160], None, 0.8))


def _named_original(ctx: Context) -> Iterator[Fact]:
    """Resolve a repack's ``model_name`` field by the text of a card link."""
    name = ctx.card.meta.get("model_name")
    if not isinstance(name, str) or not name.strip() or "quantized_by" not in ctx.card.meta:
        return
    hit = ctx.resolve(name.strip())
    if hit.id is not None and not ctx.is_own(hit.id):
        yield Parent(hit, Relation.QUANTIZED,
                     Evidence(Method.METADATA, f"model_name: {name.strip()}", None, 0.8),
                     method="original")


_EXTRACTED = Gated(re.compile(
    r"(?i)\bextracted from\s+(?:the\s+)?(?:model\s+)?[*_]{0,2}("
    + _LINKISH + ")"
    r"(?:[^.\n]{0,80}?\buses?\s+(" + _LINKISH + r")\s+as\s+(?:a|the)\s+base)?"),
    "extracted", starts=("extracted",))


def _lora_extraction(ctx: Context) -> Iterator[Fact]:
    """Read a LoRA extracted from a fine-tune (mergekit-extract-lora).

    The LoRA is an adapter of the base and stands for the fine-tune it approximates.
    """
    for m in ctx.body_matches(_EXTRACTED):
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85)
        source = _link_ref(ctx, m.group(1))
        if source is not None:
            yield Parent(source, Relation.ADAPTER, ev)
        base = _link_ref(ctx, m.group(2)) if m.group(2) else None
        if base is not None:
            yield Parent(base, Relation.ADAPTER, ev, role=Role.BASE)


def _quant_children(ctx: Context, parents: set[str]) -> Iterator[Fact]:
    """Links to repos named after this model plus a quantization marker."""
    if ctx.own_id is None:
        return
    own_name = id_key(ctx.own_id.rsplit("/", 1)[-1])
    seen: set[str] = set()
    for link in ctx.links:
        ref: HubRef = link.ref
        key = id_key(ref.id)
        if ref.kind != "model" or key in ctx.own_keys or key in parents or key in seen:
            continue
        name = id_key(ref.id.rsplit("/", 1)[-1])
        rest = name.replace(own_name, "", 1) if own_name in name else None
        if rest and QUANT_MARKER.search(rest):
            seen.add(key)
            yield Child(ModelRef(ref.id, ref.id), Relation.QUANTIZED,
                        ctx.evidence(Method.LINK, link.offset, link.offset + len(link.url), 0.8))


def trainer_dataset(ctx: Context) -> Iterator[tuple[int, str]]:
    """Datasets named in "fine-tuned version of [X](...) on the Y dataset" sentences."""
    for m in ctx.body_matches(_VERB_LINK):
        d = _DATASET_AFTER.match(ctx.card.text, m.end())
        if d is not None and d.group(1).casefold() not in ("none", "custom", "a", "an"):
            yield d.start(1), d.group(1)
