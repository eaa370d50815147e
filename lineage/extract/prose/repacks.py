"""Quantized repacks and conversions: their originals, children, format and bits.

"GGUF format model files for [X](...)", a repack named after its original plus a
quantization marker (:data:`QUANT_MARKER`, :func:`strip_quant_markers`), a repack's
``model_name`` field, a LoRA extracted from a fine-tune, links to the card's quantized
children, and a repack's format and bits (:func:`quantization_of`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context
from lineage.extract.links import Link
from lineage.extract.prose.shared import LINKISH, link_ref
from lineage.extract.scan import Gated
from lineage.facts import (
    Child,
    Evidence,
    Fact,
    Method,
    ModelRef,
    Parent,
    Quantization,
    Relation,
    Role,
)
from lineage.ids import HubRef, id_key

__all__ = ["QUANT_MARKER", "lora_extraction", "named_original", "quant_children", "quant_of",
           "quantization_of", "repack_original", "strip_quant_markers"]

QUANT_MARKER = re.compile(
    r"(?i)(?:^|[-_.])(gguf|ggml|gptq|awq|exl2|mlx|bnb|fp8|nvfp4|mxfp[48]|fp4|w[48]a(?:8|16)|"
    r"int[48]|[2-8][-_.]?bits?|"
    r"q[2-8](?:_[0-9a-z]+)*|iq[1-4]\w*|[2-8]\.[0-9]+bpw|quantized|quants?)(?=$|[-_.])"
)
_QUANT_OF = Gated(re.compile(
    r"(?i)(?:\b(?:gguf|ggml|gptq|awq|exl2|mlx|quantized|quantised|quantizations?|quants?|"
    r"int4|int8|[248]-bit|torchscript|onnx|coreml|tflite|openvino)\b|llama\.cpp)"
    r"[^.\n\[]{0,60}?\b(?:of|for)\s+"
    r"(?:(?:the|an?|original|model)\s+){0,3}[*_]{0,2}(" + LINKISH + ")"
), "gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quant", "int4", "int8", "-bit", "llama.cpp",
    "torchscript", "onnx", "coreml", "tflite", "openvino",
    starts=("gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quant", "int4", "int8", "2-bit", "4-bit",
            "8-bit", "llama.cpp", "torchscript", "onnx", "coreml", "tflite", "openvino"))


def quant_of(ctx: Context) -> Iterator[Fact]:
    """Yield the model a repack's sentence links ("GGUF format model files for [X](...)")."""
    for m in ctx.body_matches(_QUANT_OF):
        ref = link_ref(ctx, m.group(1))
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


def repack_original(ctx: Context) -> Iterator[Fact]:
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


def named_original(ctx: Context) -> Iterator[Fact]:
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
    + LINKISH + ")"
    r"(?:[^.\n]{0,80}?\buses?\s+(" + LINKISH + r")\s+as\s+(?:a|the)\s+base)?"),
    "extracted", starts=("extracted",))


def lora_extraction(ctx: Context) -> Iterator[Fact]:
    """Read a LoRA extracted from a fine-tune (mergekit-extract-lora).

    The LoRA is an adapter of the base and stands for the fine-tune it approximates.
    """
    for m in ctx.body_matches(_EXTRACTED):
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85)
        source = link_ref(ctx, m.group(1))
        if source is not None:
            yield Parent(source, Relation.ADAPTER, ev)
        base = link_ref(ctx, m.group(2)) if m.group(2) else None
        if base is not None:
            yield Parent(base, Relation.ADAPTER, ev, role=Role.BASE)


def quant_children(ctx: Context, parents: set[str]) -> Iterator[Fact]:
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
