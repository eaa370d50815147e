"""The one relation rule: how the card's model derives from each parent.

Applied once per card, after every extractor ran, in this order:

1. ``base_model_relation`` in the front matter, when given, is the answer;
2. a merge: a mergekit configuration, a merge sentence, or two or more parents;
3. a quantized repack: quantization format tags (``gguf``, ``gptq``, ``awq``, ``exl2``,
   ``mlx``...), ``quantized_by``, a quantization marker in the model's own name,
   "Original model:" or "GGUF files for [X]" wording;
4. an adapter: ``library_name: peft``, ``lora``/``peft``/``adapter`` tags, PEFT loading code;
5. a fine-tune: derivation wording ("fine-tuned on top of") or a front-matter
   ``base_model`` with no other signal (the Hub's own reading of ``base_model``);
6. otherwise ``derived`` (the card names a parent without saying how).

Signals that contradict an explicit ``base_model_relation`` become a warning, not a guess.
A quantized repack keeps only the parents it quantizes: models named in an embedded copy
of the original card are grandparents, not parents.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from lineage.extract.context import Context
from lineage.extract.prose import MERGED_INTO, QUANT_MARKER
from lineage.extract.scan import Gated
from lineage.facts import (
    DatasetUse,
    Fact,
    Hardware,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Relation,
    Role,
    TrainingSetting,
    Warning,
)
from lineage.ids import id_key

__all__ = ["card_kind", "settle_parents"]

_QUANT_TAGS = {"gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quantized", "4-bit", "8-bit",
               "4bit", "8bit", "bnb", "bitsandbytes", "imatrix", "int4", "int8", "fp8", "autoround"}
_ADAPTER_TAGS = {"lora", "qlora", "peft", "adapter", "adapters"}
_MERGE_TAGS = {"merge", "mergekit", "merged", "model_stock", "slerp", "ties", "dare"}
# A repack's file table: "| Name | Quant method | Bits | Size |".
# Only searched for (match or not): a line that starts and ends with "|" and names the
# quantisation method; its end is checked once, not again after each mention.
_QUANT_TABLE = re.compile(r"(?im)^\|(?=.*\|[^\S\n]*$).*?"
                          r"\b(?:quant(?:isation|ization)?[ _]method|quant[ _]type)\b")
_TUNED_TEXT = re.compile(r"(?i)\bfine-?tun(?:ed|ing|es?)\b|\b(?:sft|dpo|orpo|rlhf)\b")
_MERGE_TEXT = re.compile(r"(?i)\bmerg(?:e|ed|es|ing|er)\b|mergekit")
_FINETUNE_NAME = re.compile(r"(?i)(?:^|[-_.])(?:fine-?tuned|ft|sft|dpo|orpo|rlhf|instruct|chat|it)"
                            r"(?=$|[-_.\d])")
_ADAPTER_TEXT = Gated(re.compile(
    r"PeftModel|adapter_config\.json|--lora_weights|"
    r"(?i:\b(?:this is|is) an? (?:lora |peft )?adapter\b)|"
    r"(?i:\b(?:q?lora|peft)\b[^.\n]{0,40}"
    r"\badapters?\b|\badapters?\b[^.\n]{0,40}\b(?:q?lora|peft)\b)"),
    "adapter", "peftmodel", "lora_weights")
# "QLoRA ..., then merged into a single checkpoint": full weights, a fine-tune, whatever
# adapter or 4-bit wording the card also has.
_MERGED_BACK = Gated(re.compile(
    r"(?i)\b(?:q?lora|adapters?)\b[^\n]{0,120}\bmerged?\b[^\n]{0,40}"
    r"\b(?:into|back|with)\b|\bmerged (?:lora|adapter)"), "merge")


def _tags(ctx: Context) -> set[str]:
    raw = ctx.card.meta.get("tags")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).strip().casefold() for v in values if isinstance(v, str)}


def card_kind(ctx: Context, parents: Sequence[Parent], *, trained: bool = False,
              ) -> tuple[Relation, list[Warning]]:
    """Decide the kind of derivation the card describes, by the rule above.

    ``trained``: the card reports training of its own model (data, hardware, settings),
    which makes a parent named without a kind ("based on [X]") the model it was tuned from.
    """
    warnings: list[Warning] = []
    explicit = {p.relation for p in parents if p.evidence.method is Method.METADATA
                and p.relation is not Relation.DERIVED}
    tags = _tags(ctx)
    keys = {_key(p.ref) for p in parents}
    meta_keys = {_key(p.ref) for p in parents if p.evidence.method is Method.METADATA}
    # Several front-matter bases mean a merge, unless the card speaks only of fine-tuning.
    tuned_only = (_TUNED_TEXT.search(ctx.card.body) is not None
                  and _MERGE_TEXT.search(ctx.card.body) is None and not tags & _MERGE_TAGS)
    merge = (any(p.evidence.method is Method.MERGEKIT for p in parents)
             or any(p.relation is Relation.MERGE for p in parents)
             or (len(meta_keys) >= 2 and not tuned_only)
             or (bool(tags & _MERGE_TAGS) and len(keys) >= 2))
    if len(meta_keys) >= 2 and tuned_only:
        warnings.append(Warning("several base models in the front matter, but the card describes "
                                "a fine-tune, not a merge; read as a fine-tune"))
    own_name = ctx.own_id.rsplit("/", 1)[-1] if ctx.own_id else ""
    repack = bool(QUANT_MARKER.search(own_name)) and any(
        p.method == "original" for p in parents)
    merged_back = _MERGED_BACK.search(ctx.card.body) is not None
    quant = ((bool(tags & _QUANT_TAGS) and not merged_back) or "quantized_by" in ctx.card.meta
             or _QUANT_TABLE.search(ctx.card.body) is not None
             or bool(QUANT_MARKER.search(own_name))
             or any(p.relation is Relation.QUANTIZED or p.method == "original" for p in parents))
    library = str(ctx.card.meta.get("library_name") or "").casefold()
    adapter = not merged_back and (library == "peft" or bool(tags & _ADAPTER_TAGS)
                                   or _ADAPTER_TEXT.search(ctx.card.body) is not None)
    finetune = (any(p.relation is Relation.FINETUNE for p in parents) or bool(meta_keys)
                or _FINETUNE_NAME.search(own_name) is not None or trained
                or _TUNED_TEXT.search(ctx.card.body) is not None)
    if len(explicit) == 1:
        kind = explicit.pop()
        implied = (Relation.MERGE if merge and len(keys) >= 2 else
                   Relation.QUANTIZED if quant and kind is not Relation.ADAPTER else None)
        if implied is not None and implied is not kind:
            warnings.append(Warning(f"base_model_relation says {kind.value} but the card also "
                                    f"reads as {implied.value}; kept {kind.value}"))
        return kind, warnings
    if len(explicit) > 1:
        warnings.append(Warning("conflicting base_model_relation values"))
    if any(p.relation is Relation.ADAPTER and p.evidence.method is Method.PROSE for p in parents):
        # "This LoRA was extracted from [X] and uses [B] as a base": an adapter, even when
        # mergekit made it and two models are named.
        return Relation.ADAPTER, warnings
    if repack:
        # A repo named after a linked model plus a quantization marker is a repack of it,
        # even when it carries a copy of the original's merge configuration.
        return Relation.QUANTIZED, warnings
    if merge:
        return Relation.MERGE, warnings
    if quant:
        return Relation.QUANTIZED, warnings
    if adapter:
        return Relation.ADAPTER, warnings
    if finetune:
        return Relation.FINETUNE, warnings
    return Relation.DERIVED, warnings


def _key(ref: ModelRef) -> str:
    return id_key(ref.id or ref.name)


def _prefix_of(ref: ModelRef, resolved: dict[str, ModelRef], names: list[str]) -> ModelRef:
    """Return the one resolved ref whose name starts with ``ref``'s, else ``ref``.

    ``names`` are ``resolved``'s keys, sorted: those starting with the name are adjacent.
    """
    key = id_key(ref.name).replace(" ", "-")
    i = bisect.bisect_left(names, key)
    hits = names[i:i + 2] if len(key) >= 3 else []
    hits = [name for name in hits if name.startswith(key)]
    return resolved[hits[0]] if len(hits) == 1 else ref


def settle_parents(ctx: Context, facts: Sequence[Fact]) -> list[Fact]:
    """Give every parent the card's relation, unify refs, roles and merge parameters."""
    parents = [f for f in facts if isinstance(f, Parent)]
    others: list[Fact] = [f for f in facts if not isinstance(f, Parent)]
    if not parents:
        # A merge recipe with no input named is still one merge: keep its best description.
        recipes = [f for f in others if isinstance(f, MergeRecipe)]
        best = next((r for r in recipes if r.evidence.method is Method.MERGEKIT), None) or \
            next(iter(recipes), None)
        return [f for f in others if not isinstance(f, MergeRecipe) or f is best]
    trained = any(isinstance(f, DatasetUse | Hardware) or
                  (isinstance(f, TrainingSetting) and f.key != "framework") for f in others)
    kind, warnings = card_kind(ctx, parents, trained=trained)
    if kind is Relation.QUANTIZED:
        originals = [p for p in parents if p.method == "original"]
        strong = [p for p in parents if p.evidence.method is Method.METADATA
                  or p.relation is Relation.QUANTIZED or p.method == "original"]
        original_keys = {_key(o.ref) for o in originals}
        if originals and any(p.evidence.method is Method.METADATA and
                             _key(p.ref) not in original_keys for p in strong):
            warnings.append(Warning("base_model names another model than the one this repack "
                                    "is named after; the repack's original is kept"))
            strong = [p for p in strong if p.evidence.method is not Method.METADATA] or strong
        parents = strong or parents
    if kind is Relation.MERGE and any(p.evidence.method is Method.MERGEKIT for p in parents):
        # The configuration is the recipe: a model the prose names but the configuration and
        # the front matter do not is history (a grandparent), not an input of this merge.
        recipe_keys = {_key(p.ref) for p in parents
                       if p.evidence.method in (Method.METADATA, Method.MERGEKIT)}
        recipe_names = {id_key(p.ref.name) for p in parents
                        if p.evidence.method in (Method.METADATA, Method.MERGEKIT)}
        parents = [p for p in parents if _key(p.ref) in recipe_keys
                   or id_key(p.ref.name) in recipe_names
                   or MERGED_INTO.search(p.evidence.snippet) is not None]
    # Fold unresolved names into the resolved id with the same repo name, or whose repo
    # name they begin ("Parent Model: wav2vec" beside a link to wav2vec2-large-xlsr-53).
    resolved = {id_key(p.ref.id.rsplit("/", 1)[-1]): p.ref for p in parents if p.ref.id}
    names = sorted(resolved)
    groups: dict[str, list[Parent]] = {}
    for p in parents:
        ref = p.ref if p.ref.id else resolved.get(id_key(p.ref.name)) or \
            _prefix_of(p.ref, resolved, names)
        groups.setdefault(_key(ref), []).append(replace(p, ref=ref))
    recipes = [f for f in others if isinstance(f, MergeRecipe)]
    recipe = next((r for r in recipes if r.evidence.method is Method.MERGEKIT), None) or \
        next(iter(recipes), None)
    method = recipe.method if recipe else next((p.method for p in parents
                                                if p.method and p.method != "original"), None)
    base_key = _key(recipe.base) if recipe and recipe.base else next(
        (k for k, g in groups.items() if any(p.role is Role.BASE for p in g)), None)
    settled: list[Fact] = []
    for key, group in groups.items():
        ref = next((p.ref for p in group if p.ref.id), group[0].ref)
        role = None
        if kind is Relation.MERGE:
            role = Role.BASE if key == base_key else Role.SOURCE
        weight = next((p.weight for p in group if p.weight is not None), None)
        density = next((p.density for p in group if p.density is not None), None)
        for p in group:
            settled.append(Parent(ref, kind, p.evidence, role=role,
                                  method=method if kind is Relation.MERGE else None,
                                  weight=weight if kind is Relation.MERGE else None,
                                  density=density if kind is Relation.MERGE else None))
    if recipe is not None and kind is Relation.MERGE:
        others = [f for f in others if not isinstance(f, MergeRecipe)] + [recipe]
    else:
        others = [f for f in others if not isinstance(f, MergeRecipe)]
    return [*settled, *others, *warnings]
