"""Accelerators a card says its model was trained on, with their counts.

One vocabulary of data-centre, workstation and consumer GPUs, TPUs, Gaudi, dataflow units,
wafer-scale engines, IPUs, Trainium and Apple silicon (:data:`_ACCELERATORS`), read in every
common notation: "8x A100", "A100 x 8", "trained on 96 A100 GPUs", "an A100x8", "a Tesla
V100", "32 x 8 x A100" and "8 nodes with 8 A100" (the total), "Hardware: 4 RTX 2080 Ti"
fields (also CJK labels, and "单卡4090"), "TPUv4", "a TPU v3-8" (eight chips), "v3-8 TPU",
"(16 TPU chips total)". GPUs without a model ("an 8 GPU setup") count only when no model is
named. A sentence about inference (VRAM, "to run", Colab) or about hardware the card tested,
demonstrated or supports names no training hardware; compute a card only thanks someone for
("supported with Cloud TPUs") counts only when nothing else does.

Examples
--------
>>> accelerator_in("8 x NVIDIA A100 80GB")
('NVIDIA A100 80GB', 8)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache

from lineage.extract.context import Context
from lineage.extract.scan import Anchored, Gated
from lineage.extract.sentences import (
    INFERENCE_CONTEXT,
    TRAIN_CONTEXT,
    Sentences,
    prose_positions,
    sentences_of,
)
from lineage.facts import Fact, Hardware, Method

__all__ = ["accelerator_in", "hardware", "normalise_accelerator"]

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "eight": 8, "sixteen": 16}
# Accelerator models: (pattern, vendor, canonical model name).
_ACCELERATORS: tuple[tuple[str, str, str], ...] = (
    (r"GH200", "NVIDIA", "GH200"), (r"[HB]200", "NVIDIA", ""), (r"H100", "NVIDIA", "H100"),
    (r"H800", "NVIDIA", "H800"), (r"A100", "NVIDIA", "A100"), (r"A800", "NVIDIA", "A800"),
    (r"A10G", "NVIDIA", "A10G"), (r"A10", "NVIDIA", "A10"), (r"A40", "NVIDIA", "A40"),
    (r"(?:RTX\s*)?A6000", "NVIDIA", "RTX A6000"), (r"(?:RTX\s*)?A5000", "NVIDIA", "RTX A5000"),
    (r"L40S", "NVIDIA", "L40S"), (r"L40", "NVIDIA", "L40"), (r"L4", "NVIDIA", "L4"),
    (r"V100", "NVIDIA", "V100"), (r"T4", "NVIDIA", "T4"), (r"P100", "NVIDIA", "P100"),
    (r"P40", "NVIDIA", "P40"), (r"P4", "NVIDIA", "P4"), (r"K80", "NVIDIA", "K80"),
    (r"M60", "NVIDIA", "M60"), (r"RTX\s*[68]000(?:\s*Ada)?", "NVIDIA", ""),
    (r"(?:GeForce\s*)?RTX\s*[345]0[6-9]0(?:\s*Ti)?", "NVIDIA", ""),
    (r"(?:GeForce\s*)?RTX\s*20[6-8]0(?:\s*(?:Ti|Super))?", "NVIDIA", ""),
    (r"RTX\s*PRO\s*\d{4}(?:\s*Blackwell)?", "NVIDIA", ""),
    (r"Quadro\s*(?:RTX\s*)?[A-Z]?\d{3,4}", "NVIDIA", ""),
    (r"(?:GeForce\s*)?GTX\s*(?:TITAN(?:\s*(?:X[Pp]?|V|Black))?|1[06][5-8]0(?:\s*Ti)?|"
     r"9[5-8]0(?:\s*Ti)?)", "NVIDIA", ""),
    (r"(?:10[78]0|20[78]0)\s*Ti", "NVIDIA", ""),  # "2 Nvidia 1080 Ti's"
    (r"Ti ?[345]0[6-9]0", "NVIDIA", ""),  # "a Nvidia TI 3080": the Ti written first
    (r"TITAN\s*(?:RTX|V|X[Pp]?)", "NVIDIA", ""),
    (r"(?:Instinct\W{0,3}\s*)?MI[23]\d\dX?", "AMD", ""),
    (r"Gaudi\s*[23]?", "Intel", ""),
    # a TPU with its version ("TPUv3", "TPU v3-8", "v3-8 TPU"), a Cloud TPU, a TPU pod or
    # the TPU Research Cloud ("newer GPUs, TPUs" names no hardware)
    (r"(?:Cloud\s*TPUs?(?:\s*v\d[a-z]?(?:-\d+)?)?|TPUs?\s*`?v\d[a-z]?(?:-\d+)?`?|"
     r"v\d[a-z]?(?:-\d+)?\s*(?:Cloud\s*)?TPUs?)(?:\s*pods?)?|TPUs?\s*pods?\s*v\d[a-z]?(?:-\d+)?|"
     r"TPU\s*(?:pods?|Research\s*Cloud)",
     "Google", ""),
    # accelerators of other kinds: dataflow units, wafer-scale engines, IPUs, Trainium
    (r"(?:SambaNova\s*)?Reconfigurable\s*Dataflow\s*Units?(?:\s*\(?RDUs?\)?)?|SambaNova\s*RDUs?",
     "SambaNova", "RDU"),
    (r"Cerebras\s*CS-?[123]", "Cerebras", ""),
    (r"Graphcore\s*(?:Bow\s*)?IPUs?", "Graphcore", "IPU"),
    (r"(?:AWS\s*)?Trainium\s*2?", "AWS", ""),
    # Apple silicon: "M2" alone names too many other things
    (r"(?:Apple\s*)?M[1-4]\s*(?:Pro|Max|Ultra)|Apple\s*M[1-4]|Mac\s*(?:Studio|mini|Pro)|"
     r"MacBook\s*(?:Pro|Air)", "Apple", ""),
)
_ACC_RE = "|".join(f"(?:{p})" for p, _, _ in _ACCELERATORS)
_COUNT = r"(\d{1,3}(?:,\d{3})+|\d{1,5}|an?|one|single|two|three|four|five|six|eight|sixteen)"
_VENDOR = r"(?:(?:NVIDIA|Nvidia|nvidia|AMD|Intel|Google|Apple)\s+)?(?:(?:Tesla|Titan)\s+)?"
# What a match of _HW can start with: a digit, "*", "_", "[" or "-"; an accelerator right after
# "8x"; a word that may follow other letters ("nodes", "GPUs", "cores", a vendor or series);
# else, at a word's start, a count's or an accelerator's first letters. The pattern tries its
# many alternatives only where one of these is (one position in twelve of a card's text).
_HW_START = (r"(?=[\d*_\[-]|(?<=\dx)|node|gpu|core|nvidia|amd|intel|google|apple|tesla|titan|"
             r"instinct|\b(?:a|one|single|two|three|four|five|six|eight|sixteen|gh|[hb][128]00|"
             r"rtx|l4|v\d|t4|p[14]|k80|m[1-6]|mi|mac|geforce|quadro|gtx|ti|cloud|tpu|gaudi|"
             r"sambanova|reconfigurable|cerebras|graphcore|trainium))")
_HW = Anchored(re.compile(
    rf"(?i){_HW_START}(?:\b{_COUNT}\s*(?:(?:x|×|\*)\s*)?)?"  # noqa: RUF001 - multiplication sign
    # ("one GPU NVIDIA V100", "a **Tesla V100** GPU": the word or the bold marks between)
    rf"(?:nodes?\s+of\s+|GPUs?\s+|-?cores?\s+)?(?:\*\*|__)?\[?{_VENDOR}(?:\*?\d{{2,3}}\s*GB\s+)?"
    rf"(?:Instinct\W{{0,3}}\s*)?"
    rf"(?:\b|(?<=\dx))({_ACC_RE})(?=s?\b|x\d)(?:[\s-]*(\d{{2,3}})\s*GB)?"
    rf"\s*(?:Tensor Core\s*)?(?:GPUs?|Accelerators?)?"
    rf"(?:\s*\]\([^)]*\))?(?:\s*(?:GPUs?|s\b))?"
), re.compile(
    r"(?i)(?:\b|(?<=\dx))(?:gh200|[hb]200|h100|h800|a100|a800|a10|a40|a6000|a5000|l40|l4|v100|t4|p100|"
    r"p40|p4|k80|m60|rtx|10[78]0|20[78]0|ti ?[345]0[6-9]0|"
    r"geforce|gtx|titan|quadro|instinct|mi[23]\d\d|gaudi|tpu|cloud|apple|mac|m[1-4]|"
    r"reconfigurable|sambanova|cerebras|graphcore|trainium)"),
    starts=("gh200", "h200", "b200", "h100", "h800", "a10", "a800", "a40", "a6000", "a5000", "l4",
            "v100", "t4", "p100", "p40", "p4", "k80", "m60", "rtx", "geforce", "gtx", "titan",
            "quadro", "instinct", "mi2", "mi3", "gaudi", "tpu", "cloud", "apple", "mac", "m1", "m2",
            "m3", "m4", "reconfigurable", "sambanova", "cerebras", "graphcore", "trainium",
            "1070", "1080", "2070", "2080", "ti 30", "ti 40", "ti 50", "ti30", "ti40",
            "ti50"))
_HW_AFTER = re.compile(rf"(?i)\s*(?:x|×)\s*{_COUNT}\b")  # noqa: RUF001 - multiplication sign


@lru_cache(maxsize=256)  # pure: a card names the same few accelerators many times
def normalise_accelerator(match: str, vendor_hint: str | None = None) -> str:
    """Canonical accelerator name: vendor then model (``NVIDIA H100``, ``AMD Instinct MI300X``).

    Examples
    --------
    >>> normalise_accelerator("Instinct™ MI300X"), normalise_accelerator("rtx4090")
    ('AMD Instinct MI300X', 'NVIDIA RTX 4090')
    >>> normalise_accelerator("cloud TPUs"), normalise_accelerator("Cloud TPU v3-8")
    ('Google TPU', 'Google TPU v3')
    >>> normalise_accelerator("v5e-8 TPU"), normalise_accelerator("TPUv4 pod")
    ('Google TPU v5e', 'Google TPU v4')
    >>> normalise_accelerator("mac studio"), normalise_accelerator("Apple M2 ultra")
    ('Apple Mac Studio', 'Apple M2 Ultra')
    """
    text = " ".join(re.sub(r"[^\w\s.-]", " ", match).split())
    for pattern, vendor, canonical in _ACCELERATORS:
        if re.fullmatch(pattern, text, re.I):
            name = canonical or text.upper().replace("GEFORCE ", "").replace("INSTINCT ", "")
            return f"{vendor} {_model_name(vendor, name)}"
    return text


def _model_name(vendor: str, name: str) -> str:
    """Return the model part of an accelerator's name as its vendor writes it."""
    name = re.sub(r"(?i)^TI ?(\d{4})$", r"RTX \1 Ti", name)  # "TI 3080" -> "RTX 3080 Ti"
    name = re.sub(r"(?i)(?:\b|(?<=\d))\s*ti\b", " Ti", name).strip()  # "1080TI" -> "1080 Ti"
    name = re.sub(r"(?i)\b(quadro|super|blackwell)\b", lambda m: m.group(1).title(), name)
    name = re.sub(r"(?i)\b(RTX|GTX)(?=\d)", r"\1 ", name)  # "RTX4090" -> "RTX 4090"
    name = re.sub(r"^(?=10[5-8]0)", "GTX ", re.sub(r"^(?=20[6-8]0)", "RTX ", name))
    if vendor == "AMD":
        return "Instinct " + name
    if vendor == "Google":  # "CLOUD TPUS V3-8", "V3-8 TPU" -> "TPU v3" (the slice is a count)
        version = re.search(r"(?i)(?:^|[^a-z]|tpus?)v(\d[a-z]?)", name)
        return f"TPU v{version.group(1).lower()}" if version else "TPU"
    if vendor == "Cerebras":  # "CEREBRAS CS2" -> "CS-2"
        return re.sub(r"(?i)^.*?CS-?(\d)$", r"CS-\1", name)
    if vendor == "AWS":  # "AWS TRAINIUM 2" -> "Trainium2"
        return "Trainium" + "".join(re.findall(r"\d", name))
    if vendor == "Apple":  # "MAC STUDIO", "APPLE M2 ULTRA" -> "Mac Studio", "M2 Ultra"
        words = re.sub(r"(?i)^apple\s*", "", name).split()
        return " ".join(w.upper() if re.fullmatch(r"(?i)m\d", w) else
                        "MacBook" if w.casefold() == "macbook" else w.title() for w in words)
    return name


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.casefold()
    return _WORD_NUMBERS.get(t) if t in _WORD_NUMBERS else int(t.replace(",", ""))


def accelerator_in(text: str) -> tuple[str, int | None] | None:
    """Find an accelerator and its count in a short text ("8 x A100 80GB").

    Examples
    --------
    >>> accelerator_in("8 x NVIDIA A100 80GB")
    ('NVIDIA A100 80GB', 8)
    >>> accelerator_in("32 x 8 x A100 GPUs"), accelerator_in("a single TPU v3-8")
    (('NVIDIA A100', 256), ('Google TPU v3', 8))
    """
    m = _HW.search(text)
    return None if m is None else _read(text, m)


def _read(text: str, m: re.Match[str]) -> tuple[str, int | None]:
    """Return the accelerator of an ``_HW`` match in ``text`` and its total count."""
    after = _MEMORY_AFTER.match(text, m.end())  # "RTX PRO 6000 (96GB each)"
    memory = m.group(3) or next(iter(_MEMORY_BEFORE.findall(text, m.start(), m.start(2))), None) \
        or (after.group(1) if after else None)
    name = normalise_accelerator(m.group(2)) + (f" {memory}GB" if memory else "")
    # a pod or a research program is no count of devices, nor are GPU hours
    count = None if _NO_COUNT.search(m.group(2)) or _HOURS.match(text, m.end()) else \
        _count_of(text, m)
    # A TPU slice counts its chips ("a TPU v3-8" is eight), times the slices.
    chips = _SLICE.search(m.group(2))
    if chips is not None and name.startswith("Google TPU"):
        count = int(chips.group(1)) * (count or 1)
    total = _TOTAL.match(text, m.end(), min(len(text), m.end() + 80))
    if total is not None:  # "4 cloud TPUs in Pod configuration (16 TPU chips total)"
        count = int(total.group(1))
    return name, count


_NO_COUNT = re.compile(r"(?i)pod|research")
_HOURS = re.compile(r"(?i)[\s-]{0,3}(?:GPU[\s-]{0,3})?hours?\b")
_MEMORY_BEFORE = re.compile(r"(?i)(\d{2,3})\s*GB")
_MEMORY_AFTER = re.compile(
    r"(?i)[ \t]*\([ \t]*(\d{2,3})[ \t]*GB\b(?:[ \t]+(?:each|VRAM|HBM\w*))?[ \t]*\)")
_SLICE = re.compile(r"(?i)v\d[a-z]?-(\d{1,4})")
_TOTAL = re.compile(r"(?i)[^.\n(]{0,50}\(\s*(\d{1,5})\s+(?:[a-z]+\s+)?"
                    r"(?:chips|cores|devices|gpus|tpus)\s+(?:in\s+)?total\b")
# "32 x 8 x A100", "8 nodes with 8 A100", "2 nodes of 8 H100 each": the nodes multiply.
_TIMES_BEFORE = re.compile(r"(?i)(\d{1,4})\s*(?:x|×|\*)\s*$")  # noqa: RUF001 - multiplication sign
_PER_NODE_AFTER = re.compile(r"(?i)[ \t]{0,3}(?:per|each|/|a|an)[ \t]{0,3}(?:node|machine|server|"
                             r"host|instance)\b")
_NODES_BEFORE = re.compile(r"(?i)(\d{1,4})\s+(?:nodes?|machines?|servers?|hosts?)\s*"
                           r"(?:,\s*)?(?:each\s+)?(?:with|of|having|x|×|\*)\s*$")  # noqa: RUF001


# Runs that two classes could share ("*" before the label, blanks around a closing "|")
# are each read by one quantifier, so a line of "*" or of blanks is not split every way.
# CJK cards write the label's colon full-width.
_HW_FIELD = Gated(re.compile(
    r"(?im)^[ \t>*|-]*(?:_[*_]*)?(?:hardware(?:[ _]type)?|training[ _]devices?|infrastructure|"
    # the value starts after the blanks, not within them: "Hardware:" then hundreds of blanks
    # was tried at every split of them (cubic)
    r"训练设备|训练硬件|硬件)[*_]*\s*[:|\uff1a]\s*(?:[*_]+[ \t]*)?"
    r"([^|\s][^|\n]{1,79}?)[*_]*\s*(?:\|\s*)?$"), "hardware", "device", "infrastructure",
    "训练设备", "硬件")
# A count of cards before a consumer GPU's bare number in CJK prose: "单卡4090" (one card).
_CJK_CARDS = Gated(re.compile(
    r"(单|双|两|四|八|\d{1,4})\s*(?:张|块)?\s*卡\s*(?:RTX\s*)?([345]0[6-9]0(?:\s*Ti)?)"
    r"(?![0-9A-Za-z])"), "卡")
_CJK_NUMBERS = {"单": 1, "双": 2, "两": 2, "四": 4, "八": 8}
# A number of GPUs with no model named anywhere: "we train on an 8 GPU setup".
_ANY_GPU = Anchored(re.compile(
    r"(?i)\b(\d{1,5}|one|single|two|four|eight|sixteen)[\s-]*(?:x\s*)?GPUs?\b"),
    re.compile(r"(?i)gpu"), reach=12, span=4, starts=("gpu",))
# A GPU of no model and no count in a sentence that says the model was trained on it
# ("training was done on Kaggle using free GPU", "we fine-tuned on Colab GPU"), the last resort:
# "GPU memory", "GPU hours" and the like are no device.
_BARE_GPU = Gated(re.compile(
    r"(?i)(?<![\w-])(?<!per )(?<!each )(?<!every )(?:(NVIDIA|AMD)[ \t]+)?GPU\b"
    r"(?![ \t-]*(?:memory|hours?|h\b|days?|ram|vram|utili[sz]ation|poor|rich|count|type|"
    r"kernels?|-))"), "gpu", starts=("nvidia", "amd", "gpu"))
# The Trainer card's hyperparameters: "- distributed_type: multi-GPU" then "- num_devices: 4".
_TRAINER_DEVICES = Gated(re.compile(
    r"(?im)^[ \t*-]*distributed_type:[ \t]*multi-GPU[ \t]*\n"
    r"[ \t*-]*num_devices:[ \t]*(\d{1,4})[ \t]*$"), "num_devices")
# A TPU without its version right after the training verb: "trained on colab TPU", "was
# fine-tuned on a TPU" ("newer GPUs, TPUs" elsewhere names no hardware).
_TRAINED_ON_TPU = Gated(re.compile(
    r"(?i)\b(?:trained|fine-?tuned)[ \t]+on[ \t]+(?:(?:an?|one|single|colab|google|cloud|"
    r"free)[ \t]+){0,2}(\d{1,4}[ \t]*(?:x[ \t]*)?)?TPUs?\b(?![ \t-]*v\d)"), "tpu",
    starts=("trained", "fine"))
# A TPU without its version anywhere else: "who provided 5x TPUs", "- On TPU" under a training
# heading ("newer GPUs, TPUs" in other prose names no hardware).
_BARE_TPU = Gated(re.compile(r"(?i)(?<![\w-])(?:(\d{1,4}[ \t]*x?|an?|one|single)[ \t]+)?"
                             r"(?:Google[ \t]+)?TPUs?\b(?![ \t-]*v\d)"), "tpu")
_ON_TPU_ITEM = re.compile(r"(?i)[ \t]{0,8}[-*+][ \t]{1,4}(?:on|using|with)[ \t]{1,4}"
                          r"(?:an?[ \t]+|google[ \t]+|cloud[ \t]+){0,2}TPUs?[ \t.]*$")
_MODAL = re.compile(r"(?i)\b(?:can|may|might|should|will)\b")
# Besides the shared training words: compute acknowledged ("supported by", "provided by",
# credits) and CJK training words.
_TRAINED_WITH = re.compile(r"(?i)supported\s+(?:with|by)|provided|credits?\b|sponsor|"
                           # thanks for compute, not "thanks to its size, it runs on a T4"
                           r"\bspecial[ \t]+thanks\b|\bgrat(?:itude|eful)\b|"
                           r"\b(?:we|i)[ \t]+(?:would[ \t]+like[ \t]+to[ \t]+)?thank\b|"
                           r"\bthanks[ \t]+to\b[^.\n]{1,60}?\bfor\b|"
                           r"训练|微调")
_CJK_TRAINING = re.compile(r"训练|微调")
# Hardware a card tested, demonstrated or supports for its users did not train the model.
# So does hardware in a sentence about what could or would be done, or is needed.
_NOT_TRAINING = re.compile(r"(?i)\btest(?:ed|ing)\b|\bdemonstrat|\bsupports\b|"
                           r"\bwe\s+(?:now\s+|also\s+)?support\b|"
                           r"\b(?:could|need)\b|\bwould\b(?![ \t]+like\b)|"  # (not a thank-you)
                           # hardware the weights or a number format run on ("Supported
                           # Hardware: ...", "compatible with", "native support for H100";
                           # Turkish "yerel destek") or are deployed on
                           r"\bsupported[ \t]+hardware\b|\bcompatib|\bnative(?:ly)?[ \t]+support|"
                           r"\byerel[ \t]+destek|\bdeploy|"
                           # an example or a guide for readers ("example on 4 GPUs"; Korean
                           # "example code", "guide"; Chinese "example")
                           # (not a link's host, "example.org")
                           r"(?<![/.])\b(?:examples?|guides?|tutorials?)\b(?![.\w])|"
                           r"예제|가이드|示例")
# Colab or a notebook is where a card runs its model, unless the sentence says it trained.
_WEAK_INFERENCE = re.compile(r"(?i)colab|notebooks?|vram")  # VRAM: a card's memory, said anywhere
_SAYS_TRAINED = re.compile(r"(?i)\b(?:was|were|been|is|are|we)\s+(?:\w+\s+){0,2}?"
                           r"(?:trained|fine-?tuned|pre-?trained|distilled)\b|"
                           r"\b(?:run|ran|running)\s+(?:the\s+)?(?:training|fine-?tuning)\b|"
                           r"\bmodel\s+(?:was\s+)?trained\s+(?:on|using|with)\b|"
                           r"\btraining\s+(?:time|took|environment)\b|"
                           r"\b(?:training|fine-?tuning)\s+(?:was|were)\s+(?:performed|done|run|"
                           r"conducted|carried\s+out)\b")


def hardware(ctx: Context) -> Iterator[Fact]:
    """Yield the accelerators (and their counts) the card says trained its model."""
    found: dict[str, Hardware] = {}
    sentences = sentences_of(ctx.card.text)
    text = ctx.card.text

    def add(name: str, count: int | None, start: int, end: int, confidence: float) -> None:
        if name not in found or (found[name].count is None and count is not None):
            found[name] = Hardware(name, count,
                                   ctx.evidence(Method.PROSE, start, end, confidence))

    # "Hardware: ..." fields and "| Hardware | ... |" rows say what trained the model, even
    # in wording (Colab) that elsewhere means inference.
    for m in ctx.body_matches(_HW_FIELD):
        if _running(ctx.doc.section_title(m.start())):
            continue
        value = m.group(1).strip()
        acc = _HW.search(value)
        if acc is not None:
            name, count = _read(value, acc)
        elif re.search(r"(?i)\b(?:tpu|gpu|accelerator)s?\b", value):
            name, count = value, None
        else:
            continue
        if name not in found:
            add(name, count, m.start(1), m.end(1), 0.8)
    acknowledged: list[tuple[str, int | None, int, int]] = []
    own = (ctx.own_id or ctx.own_name or "").casefold()
    named: list[int] = []  # where accelerators of a model are named, set aside or not
    for m in prose_positions(ctx, _HW):
        named.append(m.start())
        about = _about_training(sentences, m.start())
        title = ctx.doc.section_title(m.start())
        if about is None or _of_another_size(sentences, m.start(), own) or \
                _about_a_base(title) or _running(title) or \
                _another_models_sentence(ctx, sentences, m.start()) or \
                _a_recipe(sentences, m.start()):
            continue
        name, count = _read(text, m)
        if about:
            add(name, count, m.start(), m.end(), 0.8)
        else:
            acknowledged.append((name, count, m.start(), m.end()))
    for m in prose_positions(ctx, _CJK_CARDS):
        if _about_training(sentences, m.start()):
            add(normalise_accelerator("RTX " + m.group(2)),
                _CJK_NUMBERS.get(m.group(1)) or int(m.group(1)), m.start(), m.end(), 0.7)
    # Compute a card only thanks someone for is its training hardware when nothing else is.
    for name, count, start, end in acknowledged if not found else ():
        add(name, count, start, end, 0.6)
    if not found:
        for m in prose_positions(ctx, _TRAINED_ON_TPU):
            start, _ = sentences.span(m.start())
            if not _about_training(sentences, m.start()) or \
                    _MODAL.search(text, start, m.start()) is not None:
                continue  # "it can be trained on TPUs": what a reader may do
            chips = m.group(1).strip(" \tx") if m.group(1) else None
            add("Google TPU", int(chips) if chips else None, m.start(), m.end(), 0.7)
            break
    if not found:
        for m in prose_positions(ctx, _BARE_TPU):
            start, _ = sentences.span(m.start())
            if _a_bare_tpu_trained(ctx, sentences, m.start()) and \
                    _MODAL.search(text, start, m.start()) is None:
                add("Google TPU", _count(m.group(1).strip(" \tx")) if m.group(1) else None,
                    m.start(), m.end(), 0.6)
                break
    if not found:
        for m in ctx.body_matches(_TRAINER_DEVICES):
            add("GPU", int(m.group(1)), m.start(), m.end(), 0.8)
            break
    if not found:
        for m in prose_positions(ctx, _ANY_GPU):
            if _about_training(sentences, m.start()) and not _a_recipe(sentences, m.start()) \
                    and sentences.search(_SAYS_TRAINED_OR_TRAIN, m.start()):
                add("GPU", _count(m.group(1)), m.start(), m.end(), 0.6)
                break
    if not found:
        for m in prose_positions(ctx, _BARE_GPU):
            start, end = sentences.span(m.start())
            i = bisect.bisect_left(named, start)
            if i < len(named) and named[i] < end:
                continue  # the GPU of a model named and set aside ("The 175B ... A100 GPUs")
            if _about_training(sentences, m.start()) and not _a_recipe(sentences, m.start()) \
                    and sentences.search(_SAYS_TRAINED, m.start()) and \
                    _MODAL.search(text, start, m.start()) is None:  # not "can be fine-tuned on"
                vendor = m.group(1)
                add(f"{vendor.upper()} GPU" if vendor else "GPU", None, m.start(), m.end(), 0.5)
                break
    # One accelerator without a count: a spec table may give it ("Number of Nodes | 8").
    if len(found) == 1 and (only := next(iter(found.values()))).count is None:
        count = _table_count(text)
        if count is not None:
            found[only.accelerator] = replace(only, count=count)
    # A TPU named without its version is the versioned TPU the card names elsewhere.
    versioned = any(name.startswith("Google TPU v") for name in found)
    yield from (h for name, h in found.items() if not (versioned and name == "Google TPU"))


def _a_bare_tpu_trained(ctx: Context, sentences: Sentences, pos: int) -> bool:
    """Tell whether a TPU named without its version at ``pos`` trained the model.

    It does in a sentence that says the model was trained on it or thanks someone for it, or
    as a list item "On TPU" under a heading about training.
    """
    about = _about_training(sentences, pos)
    if about is False:  # compute acknowledged: "thanks to X who provided 5x TPUs"
        return True
    if about and sentences.search(_SAYS_TRAINED, pos) is not None:
        return True  # "the model was pre-trained using TPUs", not "training on TPUs is faster"
    start, end = sentences.line(pos)
    return _ON_TPU_ITEM.match(ctx.card.text, start, end) is not None and \
        _TRAIN_TITLE.search(ctx.doc.section_title(pos)) is not None


# A section on running the model: the hardware there served or tested it.
_RUN_SECTION = re.compile(r"(?i)\binferenc|\bdeploy|\bserving\b|\brequirements?\b|"
                          r"\bhow to (?:use|run)\b|\bquick ?start\b")
_TRAIN_TITLE = re.compile(r"(?i)train|fine-?tun")


# Titles are asked about once per accelerator named under them; a card may name hundreds
# under one long heading (a card on one line), so each title is read once.
@lru_cache(maxsize=4096)
def _running(title: str) -> bool:
    """Tell whether a section title is about running the model, not training it."""
    return _RUN_SECTION.search(title) is not None and _TRAIN_TITLE.search(title) is None


@lru_cache(maxsize=4096)
def _about_a_base(title: str) -> bool:
    """Tell whether a section title is about the model this one starts from."""
    return _BASE_SECTION.search(title) is not None


# A section about the model this one starts from: its training is not this model's.
_BASE_SECTION = re.compile(r"(?i)\b(?:base|original|parent|foundation|underlying)[ \t]+models?\b")
# Rows of a spec table: "| Number of Nodes | 8 |", "| Number of accelerators per instance | 8 |",
# "| GPUs | 64 |".
_NODES_ROW = re.compile(r"(?im)^\|[ \t]*(?:number[ \t]+of[ \t]+)?(?:nodes|instances|machines|"
                        r"servers|hosts)[ \t]*\|[ \t]*([\d,]{1,7})[ \t]*\|")
_DEVICES_ROW = re.compile(r"(?im)^\|[ \t]*(?:(?:total[ \t]+)?number[ \t]+of[ \t]+|total[ \t]+)?"
                          r"(?:accelerators|gpus|tpus|devices|chips)([ \t]+per[ \t]+(?:node|"
                          r"instance|machine|server|host))?[ \t]*\|[ \t]*([\d,]{1,7})[ \t]*\|")


def _table_count(text: str) -> int | None:
    """Return the devices a spec table gives: per node times nodes, or a total."""
    devices = _DEVICES_ROW.search(text)
    if devices is None:
        return None
    count = int(devices.group(2).replace(",", ""))
    if devices.group(1):  # per node: times the nodes, when the table says how many
        nodes = _NODES_ROW.search(text)
        if nodes is None:
            return None
        count *= int(nodes.group(1).replace(",", ""))
    return count or None


_SAYS_TRAINED_OR_TRAIN = re.compile(r"(?i)\b(?:train(?:ed|ing|s)?|fine-?tun(?:ed|ing|e))\b")


def _about_training(sentences: Sentences, pos: int) -> bool | None:
    """Tell whether the sentence at ``pos`` is about training the model, not running it.

    True for a sentence about training, False for one that only acknowledges compute
    ("supported by Cloud TPUs"), None for one about neither or about running the model.
    """
    trains = sentences.search(TRAIN_CONTEXT, pos) is not None
    if not trains and sentences.search(_TRAINED_WITH, pos) is None:
        return None
    if sentences.search_to_stop(_NOT_TRAINING, pos):
        return None
    inference = sentences.search_to_stop(INFERENCE_CONTEXT, pos)
    # Colab named in a sentence that says the model was trained there is where it trained.
    if inference is not None and not (
            _WEAK_INFERENCE.fullmatch(inference.group(0)) is not None and
            (sentences.search(_SAYS_TRAINED, pos) is not None or
             _lead_in_says_trained(sentences, pos)) and
            _only_weak_inference(sentences, pos)):
        return None
    return trains or (sentences.search(_CJK_TRAINING, pos) is not None)


_LIST_ITEM = re.compile(r"[ \t]{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]")


def _lead_in_says_trained(sentences: Sentences, pos: int) -> bool:
    """Tell whether ``pos`` is in a list item whose lead-in says the model trained there.

    "Training was performed on:" then "- Google Colab T4 GPU (16GB VRAM)": the items (a
    dozen at most above ``pos``) are what the lead-in's sentence, ending in a colon, speaks of.
    """
    text = sentences.text
    start, _ = sentences.line(pos)
    if _LIST_ITEM.match(text, start) is None:
        return False
    for _ in range(12):
        if start == 0:
            return False
        start, end = sentences.line(start - 1)
        if _LIST_ITEM.match(text, start) is not None:
            continue
        tail = text[max(start, end - 8):end].rstrip(" \t*_")
        return tail.endswith((":", "\uff1a")) and \
            sentences.search(_SAYS_TRAINED, end - 1) is not None
    return False


# "The 175B model was trained on ...": the subject is a model of one size.
_SIZED_SUBJECT = re.compile(r"(?i)\b(?:the|our|its|a)\s+(\d+(?:\.\d+)?)\s*([bm])\b(?:[\s-]*"
                            r"(?:param(?:eter)?s?))?\s+(?:model|version|variant|checkpoint)s?\b")


_OWN_SIZE = re.compile(r"(?i)(?<![a-z])\d+(?:\.\d+)?[bm](?![a-z])")


def _of_another_size(sentences: Sentences, pos: int, own: str) -> bool:
    """Tell whether the sentence at ``pos`` is about a model of another size than the card's.

    A card whose id states a size ("org/name-125m") is of another size than a sentence's
    subject of another size. A card whose id states none may be "a 7B model", "our 7B model"
    or "the 7B model", unless it also names models of other sizes ("org/name-125m", "a 350M
    model"): then "the 175B model" is one of a family, not known to be this one.
    """
    sized = sentences.search(_SIZED_SUBJECT, pos)
    if sized is None or sized.start() > pos:
        return False
    size = sized.group(1) + sized.group(2).casefold()
    if not _OWN_SIZE.search(own):  # "the 175B model" of a family the card names other sizes of
        return sized.group(0)[:3].casefold() == "the" and \
            bool(_model_sizes(sentences.text) - {size})
    return re.search(rf"(?<![\d.]){re.escape(size)}", own) is None


# A model's size where the card names one: "a 350M model", "125M parameters", "org/name-125m".
_MODEL_SIZE = re.compile(r"(?i)(?<![\w.])(\d{1,4}(?:\.\d{1,2})?)[ \t]?([bm])[ \t-]?"
                         r"(?:param|model|version|variant|checkpoint)|"
                         r"[\w.]-(\d{1,4}(?:\.\d{1,2})?)([bm])(?![\w.])")


@lru_cache(maxsize=8)
def _model_sizes(text: str) -> frozenset[str]:
    """Return the model sizes a card names ("125m", "175b")."""
    return frozenset((m.group(1) or m.group(3)) + (m.group(2) or m.group(4)).casefold()
                     for m in _MODEL_SIZE.finditer(text))


# A Hub id written in a sentence before the hardware: its subject ("`org/x` was fine-tuned on
# 8 A100", in a merge's card).
_SUBJECT_ID = re.compile(r"[ \t>*_`-]{0,3}([A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})"
                         r"(?![\w/-])")


def _another_models_sentence(ctx: Context, sentences: Sentences, pos: int) -> bool:
    """Tell whether the sentence at ``pos`` is about another model, named by its Hub id first."""
    start, _ = sentences.span(pos)
    m = _SUBJECT_ID.match(ctx.card.text, start, pos)  # (at the start only: linear)
    return m is not None and not ctx.is_own(m.group(1))


# A sentence that tells the reader to run something ("Run pre-training on 4 H100 nodes", "Launch
# the training on 32 nodes"): a recipe, not what trained the model. (A modal is no such sign:
# "we will run the training on an A100", "we can achieve this using 16 A100" are how cards
# say what trained them.)
_IMPERATIVE = re.compile(r"[ \t>*_#-]{0,8}(?:\d{1,2}\.[ \t]{1,4})?(?:Run|Launch|Start|Submit|"
                         r"Execute)\b")


def _a_recipe(sentences: Sentences, pos: int) -> bool:
    """Tell whether the sentence at ``pos`` opens with an imperative: what a reader may run."""
    start, _ = sentences.span(pos)
    return _IMPERATIVE.match(sentences.text, start, pos) is not None


def _only_weak_inference(sentences: Sentences, pos: int) -> bool:
    """Tell whether every inference word of the sentence at ``pos`` is Colab, a notebook or VRAM."""
    # The first word that is neither, searched from the sentence's start, then remembered:
    # many matches in one long sentence read it once.
    return sentences.search_to_stop(_STRONG_INFERENCE, pos) is None


# INFERENCE_CONTEXT without Colab, notebooks and VRAM: the shared words, each tried where it
# starts, so that "colab", "notebook" and "vram" alone never match.
_STRONG_INFERENCE = re.compile(
    rf"(?!colab|notebook|vram)(?:{INFERENCE_CONTEXT.pattern.removeprefix('(?i)')})", re.I)


# A match that ends in the singular "GPU", not a unit of GPUs ("V100 GPU hours", "GPU nodes").
_ONE_GPU = re.compile(r"(?i)\bGPU$")
_GPU_UNIT = re.compile(r"(?i)[\s-]*(?:nodes?|hours?|h\b|days?|clusters?|servers?|instances?|"
                       r"machines?|memory|ram|vram|count|type|time|s\b)")


# A count after the chip with a CJK counter word: Korean "A100 80GB 4대로", Chinese "4张",
# "4块", "4台", Japanese "4枚".
_CJK_COUNTER_AFTER = re.compile(r"[ \t]{0,3}(\d{1,4})[ \t]{0,3}(?:대|张|張|块|塊|台|枚)")
# A count of GPUs with the chip in brackets after it: "n_gpu 2 (Nvidia Tesla P100)", "8 GPUs
# (A100 80GB)", "the GPU (NVIDIA V100)".
_COUNT_BEFORE_BRACKET = re.compile(
    r"(?i)(?:\b(?:n_?gpus?|num_?gpus|gpus?)[ \t]{0,3}[:=]?[ \t]{0,3}(\d{1,4})|"
    r"\b(\d{1,4})[ \t]{0,3}(?:x[ \t]{0,3})?GPUs?|\b(?:a|an|one|the|single)[ \t]{1,3}GPU)"
    r"[ \t]{0,3}\([ \t]{0,3}$")


# A field labelled with one GPU: "- GPU: NVIDIA H100 80GB", "- **GPU**: GTX 1080 Ti" (not
# "GPUs:", nor when the card counts GPUs in a field of its own, "Number of GPUs: 8").
_GPU_LABEL_BEFORE = re.compile(r"(?:^|\n)[ \t>+*-]{0,6}(?:[*_]{1,2})?GPU(?:[*_]{1,2})?[ \t]{0,3}"
                               r"[:\uff1a][ \t]{0,3}(?:[*_]{1,2}[ \t]{0,3})?$")
_GPUS_COUNTED = re.compile(r"(?i)\b(?:number[ \t]+of[ \t]+(?:gpus|devices)|num_?(?:gpus|devices)|"
                           r"n_?gpus?\b|gpus?[ \t_-]?(?:count|number)|gpus[ \t]*[:=|])")


@lru_cache(maxsize=8)
def _counts_gpus_elsewhere(text: str) -> bool:
    """Tell whether a card gives its number of GPUs in a field or setting of its own."""
    return _GPUS_COUNTED.search(text) is not None


def _count_of(text: str, m: re.Match[str]) -> int | None:
    """Return the count of an ``_HW`` match: "8 A100", "A100 x 8"; "an A100x8" is eight, not one.

    Nodes before the count multiply it: "32 x 8 x A100" is 256, "8 nodes with 8 A100" 64.
    """
    before = m.group(1)
    if before is None or before.casefold() in ("a", "an"):
        after = _HW_AFTER.match(text, m.end())
        if after is not None:
            return _count(after.group(1))
    count = _count(before)
    if count is None and _ONE_GPU.search(m.group(0)) and not _GPU_UNIT.match(text, m.end()):
        return 1  # "on Nvidia Tesla P100 GPU": one card, in the singular
    if count is None:
        counter = _CJK_COUNTER_AFTER.match(text, m.end())
        if counter is not None:
            return int(counter.group(1))
        bracket = _COUNT_BEFORE_BRACKET.search(text, max(0, m.start() - 40), m.start())
        if bracket is not None:
            return int(bracket.group(1) or bracket.group(2) or 1) or None  # ("GPU 0": an index)
        if _GPU_LABEL_BEFORE.search(text, max(0, m.start() - 40), m.start()) is not None and \
                not _counts_gpus_elsewhere(text):
            return 1  # "- GPU: NVIDIA H100 80GB": the field names one card
    if count is not None and before is not None and before[0].isdigit():
        lead = text[max(0, m.start() - 40):m.start()]
        nodes = _TIMES_BEFORE.search(lead) or _NODES_BEFORE.search(lead)
        if nodes is not None:
            count *= int(nodes.group(1))
        elif _PER_NODE_AFTER.match(text, m.end()) is not None:
            return None  # "4 P100 GPUs per node" on nodes not counted: the total is unknown
    return count
