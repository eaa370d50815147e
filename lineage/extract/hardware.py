"""Accelerators a card says its model was trained on, with their counts.

One vocabulary of data-centre, workstation and consumer GPUs, TPUs, Gaudi and Apple
silicon (:data:`_ACCELERATORS`), read in every common notation: "8x A100", "A100 x 8",
"trained on 96 A100 GPUs", "an A100x8", "Hardware: 4 RTX 2080 Ti" fields (also CJK labels),
"a single Google Cloud TPU v3-8". A sentence about inference (VRAM, "to run", Colab) names
no training hardware.

Examples
--------
>>> accelerator_in("8 x NVIDIA A100 80GB")
('NVIDIA A100 80GB', 8)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context
from lineage.extract.scan import Anchored, Gated
from lineage.extract.sentences import INFERENCE_CONTEXT, TRAIN_CONTEXT, Sentences, prose_positions
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
    (r"(?:GeForce\s*)?RTX\s*[345]0[6-9]0(?:\s*Ti)?", "NVIDIA", ""),
    (r"(?:GeForce\s*)?RTX\s*20[6-8]0(?:\s*(?:Ti|Super))?", "NVIDIA", ""),
    (r"RTX\s*PRO\s*\d{4}(?:\s*Blackwell)?", "NVIDIA", ""),
    (r"Quadro\s*(?:RTX\s*)?[A-Z]?\d{3,4}", "NVIDIA", ""),
    (r"(?:GeForce\s*)?GTX\s*(?:TITAN(?:\s*(?:X[Pp]?|V|Black))?|1[06][5-8]0(?:\s*Ti)?|"
     r"9[5-8]0(?:\s*Ti)?)", "NVIDIA", ""),
    (r"TITAN\s*(?:RTX|V|X[Pp]?)", "NVIDIA", ""),
    (r"(?:Instinct\W{0,3}\s*)?MI[23]\d\dX?", "AMD", ""),
    (r"Gaudi\s*[23]?", "Intel", ""),
    # a TPU with its version, or a Cloud TPU ("newer GPUs, TPUs" names no hardware)
    (r"Cloud\s*TPUs?(?:\s*v\d[a-z]?(?:-\d+)?)?|TPUs?\s*v\d[a-z]?(?:-\d+)?", "Google", ""),
    # Apple silicon: "M2" alone names too many other things
    (r"(?:Apple\s*)?M[1-4]\s*(?:Pro|Max|Ultra)|Apple\s*M[1-4]|Mac\s*(?:Studio|mini|Pro)|"
     r"MacBook\s*(?:Pro|Air)", "Apple", ""),
)
_ACC_RE = "|".join(f"(?:{p})" for p, _, _ in _ACCELERATORS)
_COUNT = r"(\d{1,5}|an?|one|single|two|three|four|five|six|eight|sixteen)"
_VENDOR = r"(?:(?:NVIDIA|Nvidia|nvidia|AMD|Intel|Google|Apple)\s+)?"
_HW = Anchored(re.compile(
    rf"(?i)(?:\b{_COUNT}\s*(?:(?:x|×|\*)\s*)?)?"  # noqa: RUF001 - multiplication sign
    rf"(?:nodes?\s+of\s+)?\[?{_VENDOR}(?:Instinct\W{{0,3}}\s*)?"
    rf"\b({_ACC_RE})(?=s?\b|x\d)(?:[\s-]*(\d{{2,3}})\s*GB)?"
    rf"\s*(?:Tensor Core\s*)?(?:GPUs?|Accelerators?)?"
    rf"(?:\s*\]\([^)]*\))?(?:\s*(?:GPUs?|s\b))?"
), re.compile(
    r"(?i)\b(?:gh200|[hb]200|h100|h800|a100|a800|a10|a40|a6000|a5000|l40|l4|v100|t4|p100|rtx|"
    r"geforce|gtx|titan|quadro|instinct|mi[23]\d\d|gaudi|tpu|cloud|apple|mac|m[1-4])"),
    starts=("gh200", "h200", "b200", "h100", "h800", "a10", "a800", "a40", "a6000", "a5000", "l4",
            "v100", "t4", "p100", "rtx", "geforce", "gtx", "titan", "quadro", "instinct", "mi2",
            "mi3", "gaudi", "tpu", "cloud", "apple", "mac", "m1", "m2", "m3", "m4"))
_HW_AFTER = re.compile(rf"(?i)\s*(?:x|×)\s*{_COUNT}\b")  # noqa: RUF001 - multiplication sign


def normalise_accelerator(match: str, vendor_hint: str | None = None) -> str:
    """Canonical accelerator name: vendor then model (``NVIDIA H100``, ``AMD Instinct MI300X``).

    Examples
    --------
    >>> normalise_accelerator("Instinct™ MI300X"), normalise_accelerator("rtx4090")
    ('AMD Instinct MI300X', 'NVIDIA RTX 4090')
    >>> normalise_accelerator("cloud TPUs"), normalise_accelerator("Cloud TPU v3-8")
    ('Google TPU', 'Google TPU V3-8')
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
    name = re.sub(r"(?i)\bti\b", "Ti", name)
    name = re.sub(r"(?i)\b(quadro|super|blackwell)\b", lambda m: m.group(1).title(), name)
    name = re.sub(r"(?i)\b(RTX|GTX)(?=\d)", r"\1 ", name)  # "RTX4090" -> "RTX 4090"
    if vendor == "AMD":
        return "Instinct " + name
    if vendor == "Google":  # "CLOUD TPUS V3" -> "TPU V3"
        return re.sub(r"(?i)^(?:cloud\s*)?tpus?\s*", "TPU ", name).strip()
    if vendor == "Apple":  # "MAC STUDIO", "APPLE M2 ULTRA" -> "Mac Studio", "M2 Ultra"
        words = re.sub(r"(?i)^apple\s*", "", name).split()
        return " ".join(w.upper() if re.fullmatch(r"(?i)m\d", w) else
                        "MacBook" if w.casefold() == "macbook" else w.title() for w in words)
    return name


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.casefold()
    return _WORD_NUMBERS.get(t) if t in _WORD_NUMBERS else int(t)


def accelerator_in(text: str) -> tuple[str, int | None] | None:
    """Find an accelerator and its count in a short text ("8 x A100 80GB").

    Examples
    --------
    >>> accelerator_in("8 x NVIDIA A100 80GB")
    ('NVIDIA A100 80GB', 8)
    """
    m = _HW.search(text)
    if m is None:
        return None
    name = normalise_accelerator(m.group(2)) + (f" {m.group(3)}GB" if m.group(3) else "")
    return name, _count(m.group(1))


# Runs that two classes could share ("*" before the label, blanks around a closing "|")
# are each read by one quantifier, so a line of "*" or of blanks is not split every way.
# CJK cards write the label's colon full-width.
_HW_FIELD = Gated(re.compile(
    r"(?im)^[ \t>*|-]*(?:_[*_]*)?(?:hardware(?:[ _]type)?|training[ _]devices?|"
    r"训练设备|训练硬件|硬件)[*_]*\s*[:|\uff1a]\s*[*_]*"
    r"([^|\n]{2,80}?)[*_]*\s*(?:\|\s*)?$"), "hardware", "device", "训练设备", "硬件")


def hardware(ctx: Context) -> Iterator[Fact]:
    """Yield the accelerators (and their counts) the card says trained its model."""
    seen: dict[str, int | None] = {}
    sentences = Sentences(ctx.card.text)
    # "Hardware: ..." fields and "| Hardware | ... |" rows say what trained the model, even
    # in wording (Colab) that elsewhere means inference.
    for m in ctx.body_matches(_HW_FIELD):
        value = m.group(1).strip()
        acc = _HW.search(value)
        if acc is not None:
            name = normalise_accelerator(acc.group(2)) + (
                f" {acc.group(3)}GB" if acc.group(3) else "")
            count = _count_of(value, acc)
        elif re.search(r"(?i)\b(?:tpu|gpu|accelerator)s?\b", value):
            name, count = value, None
        else:
            continue
        if name not in seen:
            seen[name] = count
            yield Hardware(name, count, ctx.evidence(Method.PROSE, m.start(1), m.end(1), 0.8))
    for m in prose_positions(ctx, _HW):
        if not sentences.search(TRAIN_CONTEXT, m.start()) or \
                sentences.search(INFERENCE_CONTEXT, m.start()):
            continue
        name = normalise_accelerator(m.group(2))
        if m.group(3):
            name = f"{name} {m.group(3)}GB"
        count = _count_of(ctx.card.text, m)
        if name in seen and (seen[name] is not None or count is None):
            continue
        seen[name] = count
        yield Hardware(name, count, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8))


def _count_of(text: str, m: re.Match[str]) -> int | None:
    """Return the count of an ``_HW`` match: "8 A100", "A100 x 8"; "an A100x8" is eight, not one."""
    before = m.group(1)
    if before is None or before.casefold() in ("a", "an"):
        after = _HW_AFTER.match(text, m.end())
        if after is not None:
            return _count(after.group(1))
    return _count(before)
