"""Parents named without a link, read only when nothing else names one.

A legacy id or its display name ("fine-tuned from BERT base multilingual cased") and a name
after derivation wording ("based on X-7B", "X-7B as GGUF", "initialized with Multilingual
BERT").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context, specific_name
from lineage.extract.prose.shared import LORA, not_a_derivation, other_subject
from lineage.extract.scan import Gated
from lineage.facts import Fact, Method, ModelRef, Parent, Relation
from lineage.ids import LEGACY_MODEL_IDS, id_key, legacy_display_id, name_key

__all__ = ["legacy_parent", "unlinked"]

# The same ids as display names write them: "BERT base multilingual uncased", "RoBERTa large".
_LEGACY_DISPLAY = "|".join(re.escape(i).replace(r"\-", r"[ \t_-]") for i in
                           sorted(LEGACY_MODEL_IDS, key=len, reverse=True))
# After a name read without a link: more of a display name ("C4AI Command R+": the match
# is a fragment) or an alternative ("A or B": no one parent).
_NAME_GOES_ON = re.compile(r"[ \t]+(?:[A-Z]|\(?[^.\n]{0,60}\bor\b)")
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
# "initialized with Multilingual BERT": the one verb strong enough to take a name without
# a digit, when the name has an acronym in it (not "with random weights", "with Xavier").
_INITIALISED = Gated(re.compile(
    r"\b(initiali[sz]ed|warm-started)[ \t]+(?:with|from)[ \t]+(?:the[ \t]+)?"
    r"((?:[A-Z][\w-]*[ \t]+)?[A-Z][a-z]*[A-Z]{2,}[\w-]*)(?![\w-])"), "initiali", "warm")
# "In this repository, I've finetuned TinyLlama model for ...", "We fine-tuned Wren-7B on ...":
# the writer tunes a model named with an acronym or a digit (not "we fine-tuned it").
_WE_TUNED = Gated(re.compile(
    r"\b(?:I|[Ww]e)(?:['\u2019]ve|[ \t]+have)?[ \t]+((?i:fine-?tuned))[ \t]+(?:(?i:the|an?)[ \t]+)?"
    # (a name without a digit, "TinyLlama", only before "model": "we fine-tuned LLaMA with
    # transformers" names a family)
    r"(?:([A-Z][\w.-]{0,60}\d[\w.-]{0,60}?)[.,]?(?=[ \t]+(?:model\b|(?:on|for|to|with|using)[ \t]))"
    r"|((?=[\w.-]*[a-z][\w.-]*[A-Z])[A-Z][\w.-]{1,60})(?=[ \t]+model\b))"), "fine")
# (Its "t" first, in either case but not under IGNORECASE, and the word boundary checked
# behind it: ``re`` then tries the pattern only at a "t", not at every position.)
_THIS_IS_A = re.compile(r"[Tt](?<!\w[Tt])(?i:his is an? ((?=[\w.-]*\d)[\w.-]+(?:\s+[\w.-]+){0,4}?)"
                        r"\s+model\s+(fine-?tuned|trained|based))")
_SUBJECT_MODEL = re.compile(r"\b[A-Z][\w.-]*\d[\w.-]*")
_AS_FORMAT_AT = re.compile(r"(?i)\b([A-Za-z](?=[\w.-]*\d)[\w.-]*)\s+(?:model\s+)?(?:as|in)\s+"
                           r"(?:gguf|gptq|awq|exl2|mlx)\b")
# (A blank first, the one before it checked behind it, so that ``re`` tries only blanks; and
# only in a card naming a format: the words hold no "i" or "s", which IGNORECASE matches to
# characters that lowering leaves apart, "\u0131" and "\u017f".)
_AS_FORMAT_TAIL = Gated(re.compile(
    r"(?i)\s(?<!\s\s)\s*(?:model\s+)?(?:as|in)\s+(?:gguf|gptq|awq|exl2|mlx)\b"),
    "gguf", "gptq", "awq", "exl2", "mlx")
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


def legacy_parent(ctx: Context) -> list[Fact]:
    """Return the first legacy id a sentence names as the card's parent ("from gpt2").

    Read only when the card names no parent otherwise, like :func:`unlinked`.
    """
    for m in ctx.body_matches(_LEGACY_PARENT):
        if (other_subject(ctx, m.start()) is not None
                or not_a_derivation(ctx.card.text, m.start(), m.group(0))):
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


def unlinked(ctx: Context) -> Iterator[Fact]:
    """Find parents named without a link ("based on Mistral-7B").

    Read only when the card names no parent otherwise; kept unresolved unless the name is
    a Hub id.
    """
    text = ctx.card.text
    # Without its own id the card may be a project README: only repack wording is read, and
    # sentences whose subject is the model the card is titled by ("# Wren-R1" ... "Wren-R1
    # is trained based on Wren-V3-Base").
    for pattern in (_UNLINKED, _THIS_IS_A, _INITIALISED, _WE_TUNED, _AS_FORMAT):
        for m in ctx.body_matches(pattern):
            group = 1 if pattern is _THIS_IS_A else 2 if pattern is _INITIALISED else \
                (3 if m.group(2) is None else 2) if pattern is _WE_TUNED else (
                m.lastindex or 1)
            name = m.group(group).strip(" .,;:*_`")
            end = m.end()
            full = _FULL_NAME_AFTER.match(text, end)
            if full is not None and id_key(full.group(1)).startswith(id_key(name)):
                name, end = full.group(1).strip(), full.end()  # the variant, not the family
            if not_a_derivation(text, m.start(), m.group(0)) or \
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
            titled = ctx.own_id is None and (pattern is _WE_TUNED or
                                             _THIS_SUBJECT.match(whole) is not None or
                                             _names_own(ctx, whole))
            if ctx.own_id is None and pattern is not _AS_FORMAT and not titled:
                continue
            subjects = {id_key(t) for t in _SUBJECT_MODEL.findall(sentence)}
            if subjects - {own} and not titled:
                continue  # "Yi-9B is trained based on Yi-6B": about another model
            ref = ctx.resolve(name)
            if ctx.is_own(ref.id) or id_key(name) == own:
                continue
            words = (m.group(1).casefold() if pattern in (_UNLINKED, _INITIALISED, _WE_TUNED) else
                     m.group(2).casefold() if pattern is _THIS_IS_A else "gguf")
            relation = (Relation.QUANTIZED if any(q in words for q in _CONVERSION_WORDS)
                        else Relation.FINETUNE if "tun" in words or "train" in words
                        or "initiali" in words else Relation.DERIVED)
            if relation is Relation.QUANTIZED and _TUNED_AFTER.match(text, end, end + 80):
                relation = Relation.FINETUNE  # "the quantized version of X fine-tuned for Y"
            elif relation is Relation.FINETUNE and LORA.search(whole):
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
# (after a heading's marks or an emoji; "This Gorilla model is": a name may come between)
_THIS_SUBJECT = re.compile(r"(?i)[^\w\n]{0,12}?this[ \t]+(?:(?-i:[A-Z])[\w.-]{0,40}[ \t]+){0,2}?"
                           r"(?:model|repo(?:sitory)?|project|checkpoint)[ \t]+"
                           r"(?:is|was|hosts|contains|provides|holds)\b")
_CARD_WORDS = re.compile(r"(?i)(?:[ \t:-]+(?:model[ \t]+card|card|readme|model))+[ \t]*$")


def _names_own(ctx: Context, sentence: str) -> bool:
    """Tell whether ``sentence`` names the model the card is titled by ("Wren Guard 3-1B")."""
    key = name_key(_CARD_WORDS.sub("", ctx.own_name or ""))
    return specific_name(key) and key in name_key(sentence)


# The second of two models a sentence builds on: "built on Eye-400M and Talk-8B-Instruct".
_AND_NAME = re.compile(r"[ \t]{1,3}and[ \t]{1,3}((?=[\w.-]{0,60}\d)[A-Za-z][\w.-]{1,60})")
# A more exact name in parentheses right after the one read: "BioBERT (`BioBERT-Base v1.0`)".
_FULL_NAME_AFTER = re.compile(r"[ \t]{0,3}\([ \t]{0,3}`([^`\n]{2,100})`[ \t]{0,3}\)")
