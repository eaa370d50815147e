"""The one relation rule: how the card's model derives from each parent.

Applied once per card, after every extractor ran. A single ``base_model_relation`` in the
front matter is the answer; signals that contradict it become a warning, not a guess.
Otherwise the first of these checks that holds decides (:data:`KIND_RULES`):

1. an adapter its prose describes ("a LoRA extracted from [X] ... uses [B] as a base"), even
   when mergekit made it and two models are named;
2. a repack named after a model it links, with a quantization marker in its name (even
   when it carries a copy of the original's merge configuration);
3. a merge: a mergekit configuration, a merge sentence, two or more front-matter bases
   (unless the card speaks only of fine-tuning), or merge tags and two or more parents;
4. a model composed of several: one prose sentence builds it on two or more models
   ("built on Eye-400M and Talk-8B") and nothing else names a parent: ``derived``, as the
   card does not say how it derives from each;
5. a student distilled with its teacher ("using X as teacher model"): ``derived``, as it
   learns from the teacher's outputs, not its weights;
6. a quantized repack: quantization format tags (``gguf``, ``gptq``, ``awq``, ``exl2``,
   ``mlx``...), ``quantized_by``, a file table naming the quantization method, a
   quantization marker in the model's own name, "Original model:" or "GGUF files for [X]"
   wording, or "was quantized" in a card that neither tunes nor trains;
7. an adapter: ``library_name: peft``, ``lora``/``peft``/``adapter`` tags (``controlnet``,
   ``t2i-adapter``, ``ip-adapter``: add-on networks run beside a frozen base), PEFT loading code;
8. a model the prose only says shares its parent's architecture ("based on the [X]
   architecture"), without training, tuning wording or a fine-tune name: ``derived``;
9. a fine-tune: derivation wording ("fine-tuned on top of"), a front-matter ``base_model``
   with no other signal (the Hub's own reading of ``base_model``), a fine-tune marker in
   the model's name, or training the card reports;
10. otherwise ``derived`` (the card names a parent without saying how).

A card whose adapter was merged back into full weights ("QLoRA, then merged into ...") is
read neither as an adapter nor, from its tags, as quantized.

:func:`settle_parents` then keeps the parents of that kind (a quantized repack only the
parents it quantizes: models named in an embedded copy of the original card are
grandparents; a configured merge only its configuration's inputs), folds the names of
one model into its id, and gives each parent the relation and, in a merge, its role and
the recipe's method, weight and density.

Examples
--------
>>> [(rule.name, rule.kind.value) for rule in KIND_RULES][:3]  # doctest: +NORMALIZE_WHITESPACE
[('an adapter its prose describes', 'adapter'),
 ('a repack named after the model it links', 'quantized'), ('a merge', 'merge')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

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

__all__ = ["KIND_RULES", "KindRule", "Signs", "card_kind", "settle_parents"]

_QUANT_TAGS = {"gguf", "ggml", "gptq", "awq", "exl2", "mlx", "quantized", "4-bit", "8-bit",
               "4bit", "8bit", "bnb", "bitsandbytes", "imatrix", "int4", "int8", "fp8", "autoround",
               "nvfp4", "mxfp4", "mxfp8", "fp4", "w4a16", "w8a8"}
# A ControlNet, T2I-Adapter or IP-Adapter is an add-on network run beside its frozen base.
_ADAPTER_TAGS = {"lora", "qlora", "peft", "adapter", "adapters", "controlnet", "t2i-adapter",
                 "ip-adapter"}
_MERGE_TAGS = {"merge", "mergekit", "merged", "model_stock", "slerp", "ties", "dare"}
# A repack's file table: "| Name | Quant method | Bits | Size |".
# Only searched for (match or not): a line that starts and ends with "|" and names the
# quantisation method; its end is checked once, not again after each mention.
# A "Quantization: q4f16_1" field: the card describes its own quantization.
# A half-precision cast ("Quantization: Float16") is a dtype, not a quantization.
_QUANT_FIELD = Gated(re.compile(
    r"(?im)^[ \t>*-]*[*_]{0,2}quanti[sz]ation(?:[ _](?:method|type|format))?"
    r"[*_]{0,2}[ \t]*[:|][ \t]*[*_`]{0,2}(?!(?i:float|fp|bfloat|bf|brainfloat|half)16\b)[\w.-]*\d"),
    "quanti")
# "Only the LLM portion was quantized", "the weights were quantized": read only in a card
# that neither tunes nor trains (a QLoRA card quantizes its base to train on it).
_QUANTIZED_TEXT = Gated(re.compile(r"(?i)\b(?:was|were|been|is|are)[ \t]+quanti[sz]ed\b"),
                        "quanti")
_QUANT_TABLE = Gated(re.compile(r"(?im)^\|(?=.*\|[^\S\n]*$).*?"
                                r"\b(?:quant(?:isation|ization)?[ _]method|quant[ _]type)\b"),
                     "quant")
# Tuning words, or "Model trained with/on <data>" (a model trained further on data is a
# fine-tune; "the base model was trained on ..." tells the base's history).
_TUNED_TEXT = re.compile(r"(?i)\bfine[- ]?tun(?:ed|ing|es?)\b|\b(?:sft|dpo|orpo|rlhf)\b|"
                         r"微[调調]|ファインチューニング|파인[ ]?튜닝|"
                         r"(?<!base )\b(?:this model|model|we)[ \t]+(?:was[ \t]+|were[ \t]+)?"
                         r"trained[ \t]+(?:with|on)\b")
_MERGE_TEXT = re.compile(r"(?i)\bmerg(?:e|ed|es|ing|er)\b|mergekit")
_FINETUNE_NAME = re.compile(r"(?i)(?:^|[-_.])(?:fine-?tuned|ft|sft|dpo|orpo|rlhf|instruct|chat|it)"
                            r"(?=$|[-_.\d])")
# Adapter wording, PEFT code, and the PEFT and diffusers training scripts' card templates
# ("- PEFT 0.15.2" under Framework versions; "These are X LoRA adaption weights for Y").
_ADAPTER_TEXT = Gated(re.compile(
    r"PeftModel|adapter_config\.json|--lora_weights|"
    r"(?i:\b(?:this is|is) an? (?:lora |peft )?adapter\b)|"
    r"(?i:\b(?:q?lora|peft)\b[^.\n]{0,40}"
    r"\badapters?\b|\badapters?\b[^.\n]{0,40}\b(?:q?lora|peft)\b)|"
    r"(?im:^[ \t]*[-*][ \t]*PEFT[ \t]+\d+\.\d+)|"
    r"(?i:\bq?lora[ \t]+(?:adapt(?:at)?ion[ \t]+)?weights[ \t]+for\b)|"
    # "This LoRA enables X to ...", "A LoRA model trained on icons": the card's own LoRA
    r"(?i:\b(?:this|a)[ \t]+lora(?:[ \t]+model)?[ \t]+(?:enables|trained|for|that|which|was|"
    r"is|lets|adds)\b)|"
    # LLaMA-Factory's "finetuning_type: lora" (it saves the adapter), and tuning said to be
    # done with LoRA ("fine-tune X using LoRA", "LoRA fine-tuning of X", Chinese "LoRA方法").
    # (LoRA's settings alone, "lora_alpha=16", say how a model was tuned, not what it ships.)
    r"(?i:\bfinetuning_type[ \t]*[:=][ \t]*['\"]?q?lora\b|"
    r"\bfine-?tun(?:e|ed|ing)\b[^.\n]{0,60}\b(?:using|with|via)[ \t]+\[?q?lora\b|"
    r"(?<![\w-])q?lora[ \t-]+fine-?tun(?:ed|ing)\b|q?lora[ \t]*(?:方法|技术|技術|微调|微調))"),
    "adapter", "peftmodel", "lora_weights", "peft", "lora")
# "QLoRA ..., then merged into a single checkpoint": full weights, a fine-tune, whatever
# adapter or 4-bit wording the card also has.
_MERGED_BACK = Gated(re.compile(
    r"(?i)\b(?:q?lora|adapters?)\b[^\n]{0,120}\bmerged?\b[^\n]{0,40}"
    r"\b(?:into|back|with)\b|\bmerged (?:lora|adapter)|"
    # Chinese: "将微调后的 adapters 文件与基础模型合并" (merged with the base model)
    r"\b(?:q?lora|adapters?)\b[^\n]{0,60}?(?:与|和|到)[^\n]{0,20}?(?:模型|权重)[^\n]{0,10}?(?:合并|融合)"),
    "merge", "合并", "融合")


@dataclass(frozen=True)
class Signs:
    """What the relation rule reads of one card and its parents, each read once when asked."""

    ctx: Context
    parents: tuple[Parent, ...]
    trained: bool  # the card reports training of its own model (data, hardware, settings)

    @cached_property
    def tags(self) -> frozenset[str]:
        """The front matter's tags, lower case."""
        raw = self.ctx.card.meta.get("tags")
        values = raw if isinstance(raw, list) else [raw]
        return frozenset(str(v).strip().casefold() for v in values if isinstance(v, str))

    @cached_property
    def keys(self) -> frozenset[str]:
        """The parents' keys."""
        return frozenset(_key(p.ref) for p in self.parents)

    @cached_property
    def meta_keys(self) -> frozenset[str]:
        """The keys of the parents the front matter names."""
        return frozenset(_key(p.ref) for p in self.parents
                         if p.evidence.method is Method.METADATA)

    @cached_property
    def stated(self) -> frozenset[Relation]:
        """The kinds ``base_model_relation`` states."""
        return frozenset(p.relation for p in self.parents if p.evidence.method is Method.METADATA
                         and p.relation is not Relation.DERIVED)

    @cached_property
    def own_name(self) -> str:
        """The repo name of the card's own id ("" when unknown)."""
        return self.ctx.own_id.rsplit("/", 1)[-1] if self.ctx.own_id else ""

    @cached_property
    def quant_named(self) -> bool:
        """Whether the model's own name carries a quantization marker."""
        return QUANT_MARKER.search(self.own_name) is not None

    @cached_property
    def tuned_text(self) -> bool:
        """Whether the body speaks of fine-tuning (or SFT, DPO...)."""
        return _TUNED_TEXT.search(self.ctx.card.body) is not None

    @cached_property
    def tuned_only(self) -> bool:
        """Whether the card speaks of fine-tuning and never of merging."""
        return (self.tuned_text and _MERGE_TEXT.search(self.ctx.card.body) is None
                and not self.tags & _MERGE_TAGS)

    @cached_property
    def merged_back(self) -> bool:
        """Whether the card's adapter was merged back into full weights."""
        # The text from the body's offset: the body is another text, scanned once more.
        card = self.ctx.card
        return _MERGED_BACK.search(card.text, card.body_offset) is not None


def _prose_adapter(s: Signs) -> bool:
    """Tell whether the prose describes an adapter ("This LoRA was extracted from [X]")."""
    return not s.merged_back and any(p.relation is Relation.ADAPTER and
                                      p.evidence.method is Method.PROSE for p in s.parents)


def _named_repack(s: Signs) -> bool:
    """Tell whether the repo is named after a model it links, plus a quantization marker."""
    return s.quant_named and any(p.method == "original" for p in s.parents)


def _merge(s: Signs) -> bool:
    """Tell whether a configuration, merge sentence, front-matter bases or tags say merge."""
    return (any(p.evidence.method is Method.MERGEKIT or p.relation is Relation.MERGE
                for p in s.parents)
            or (len(s.meta_keys) >= 2 and not s.tuned_only)
            or (bool(s.tags & _MERGE_TAGS) and len(s.keys) >= 2))


def _composed(s: Signs) -> bool:
    """Tell whether one prose sentence builds the model on several models, not as a merge.

    "Built on Eye-400M and Talk-8B-Instruct": a vision encoder and a language model joined
    and trained further; the card does not say how the model derives from each.
    """
    lines = {p.evidence.line for p in s.parents}
    return (len(s.keys) >= 2 and len(lines) == 1
            and all(p.evidence.method is Method.PROSE and p.relation is Relation.DERIVED
                    for p in s.parents)
            and not _several_models(s.ctx, next(iter(lines))))


# "Fine-tuned models for Catalan based on [A] and [B]": models, one on each, not one model.
_SEVERAL_BASED = re.compile(r"(?i)\bmodels\b[^.\n]{0,100}?\b(?:based|built)[ \t]+(?:on|upon)\b")


def _several_models(ctx: Context, line: int | None) -> bool:
    """Tell whether the card's line ``line`` builds several models ("models based on")."""
    return line is not None and _SEVERAL_BASED.search(ctx.card.line_text(line)) is not None


def _distilled(s: Signs) -> bool:
    """Tell whether every parent is the teacher a student was distilled with.

    A student learns from its teacher's outputs, not its weights: how it derives from the
    teacher is none of the kinds.
    """
    return bool(s.parents) and all(p.method == "teacher" for p in s.parents)


def _quantized(s: Signs) -> bool:
    """Tell whether tags, ``quantized_by``, a file table, the name or an original say repack."""
    card = s.ctx.card
    text, body = card.text, card.body_offset  # searched from the body's start, in the text
    return ((bool(s.tags & _QUANT_TAGS) and not s.merged_back) or "quantized_by" in card.meta
            or _QUANT_TABLE.search(text, body) is not None or s.quant_named
            # (a "Quantization: 4-bit" field in an adapter's card is QLoRA's quantized base)
            or (_QUANT_FIELD.search(text, body) is not None and not _adapter(s))
            or (_QUANTIZED_TEXT.search(text, body) is not None and not s.tuned_text
                and not s.trained)
            or any(p.relation is Relation.QUANTIZED or p.method == "original"
                   for p in s.parents))


def _adapter(s: Signs) -> bool:
    """Tell whether ``library_name``, tags or PEFT code say adapter (unless merged back)."""
    library = str(s.ctx.card.meta.get("library_name") or "").casefold()
    return not s.merged_back and (library == "peft" or bool(s.tags & _ADAPTER_TAGS)
                                  or _ADAPTER_TEXT.search(s.ctx.card.text,
                                                          s.ctx.card.body_offset) is not None)


def _architecture_only(s: Signs) -> bool:
    """Tell whether the prose names the parents only as the model's architecture.

    "Based on the [X](...) architecture", a front-matter ``base_model`` and no training,
    tuning wording or fine-tune name: the card does not say how the model derives from X.
    """
    prose = [p for p in s.parents if p.evidence.method is not Method.METADATA]
    return (bool(prose) and all(p.method == "architecture" for p in prose) and not s.trained
            and not s.tuned_text and _FINETUNE_NAME.search(s.own_name) is None)


def _finetune(s: Signs) -> bool:
    """Tell whether wording, the name, a front-matter base or training say fine-tune."""
    return (any(p.relation is Relation.FINETUNE for p in s.parents) or bool(s.meta_keys)
            or _FINETUNE_NAME.search(s.own_name) is not None or s.trained or s.tuned_text)


@dataclass(frozen=True, slots=True)
class KindRule:
    """One check of the relation rule: the card is ``kind`` when ``holds``."""

    name: str
    kind: Relation
    holds: Callable[[Signs], bool]


# The relation rule without base_model_relation, in order: the first that holds decides.
KIND_RULES: tuple[KindRule, ...] = (
    KindRule("an adapter its prose describes", Relation.ADAPTER, _prose_adapter),
    KindRule("a repack named after the model it links", Relation.QUANTIZED, _named_repack),
    KindRule("a merge", Relation.MERGE, _merge),
    KindRule("a model composed of several, by one sentence", Relation.DERIVED, _composed),
    KindRule("a student distilled with its teacher", Relation.DERIVED, _distilled),
    KindRule("a quantized repack", Relation.QUANTIZED, _quantized),
    KindRule("an adapter", Relation.ADAPTER, _adapter),
    KindRule("a model said only to share its parent's architecture", Relation.DERIVED,
             _architecture_only),
    KindRule("a fine-tune", Relation.FINETUNE, _finetune),
)


def card_kind(ctx: Context, parents: Sequence[Parent], *, trained: bool = False,
              ) -> tuple[Relation, list[Warning]]:
    """Decide the kind of derivation the card describes, by the rule above.

    ``trained``: the card reports training of its own model (data, hardware, settings),
    which makes a parent named without a kind ("based on [X]") the model it was tuned from.
    """
    s = Signs(ctx, tuple(parents), trained)
    warnings: list[Warning] = []
    if len(s.meta_keys) >= 2 and s.tuned_only:
        warnings.append(Warning("several base models in the front matter, but the card describes "
                                "a fine-tune, not a merge; read as a fine-tune"))
    if len(s.stated) == 1:
        (kind,) = s.stated
        warnings.extend(_contradictions(s, kind))
        return kind, warnings
    if len(s.stated) > 1:
        warnings.append(Warning("conflicting base_model_relation values"))
    return next((rule.kind for rule in KIND_RULES if rule.holds(s)), Relation.DERIVED), warnings


def _contradictions(s: Signs, stated: Relation) -> Iterator[Warning]:
    """Warn when the card also reads as a merge or a repack, unlike ``base_model_relation``."""
    implied = (Relation.MERGE if _merge(s) and len(s.keys) >= 2 else
               Relation.QUANTIZED if _quantized(s) and stated is not Relation.ADAPTER else None)
    if implied is not None and implied is not stated:
        yield Warning(f"base_model_relation says {stated.value} but the card also "
                      f"reads as {implied.value}; kept {stated.value}")


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
    """Give every parent the card's relation, unify refs, roles and merge parameters.

    The steps: decide the relation (:func:`card_kind`); keep the parents of that kind
    (:func:`_of_kind`); fold the names of one model together (:func:`_by_model`); give
    each model the relation and, in a merge, its role and the recipe's terms
    (:func:`_settled`). Of several merge recipes the best is kept, and only in a merge.
    """
    parents = [f for f in facts if isinstance(f, Parent)]
    others: list[Fact] = [f for f in facts if not isinstance(f, Parent)]
    recipe = _best_recipe(others)
    if not parents:
        # A merge recipe with no input named is still one merge: keep its best description.
        return [f for f in others if not isinstance(f, MergeRecipe) or f is recipe]
    kind, warnings = card_kind(ctx, parents, trained=_reports_training(others))
    parents, left_out = _of_kind(kind, parents)
    groups = _by_model(parents)
    terms = _MergeTerms.of(recipe, parents, groups) if kind is Relation.MERGE else None
    others = [f for f in others if not isinstance(f, MergeRecipe)]
    if recipe is not None and kind is Relation.MERGE:
        others.append(recipe)
    return [*_settled(groups, kind, terms), *others, *warnings, *left_out]


def _best_recipe(facts: Sequence[Fact]) -> MergeRecipe | None:
    """Return the merge recipe that describes the merge best: a configuration's, else the first."""
    recipes = [f for f in facts if isinstance(f, MergeRecipe)]
    return next((r for r in recipes if r.evidence.method is Method.MERGEKIT), None) or \
        next(iter(recipes), None)


def _reports_training(facts: Sequence[Fact]) -> bool:
    """Whether the facts report training of the card's own model (data, hardware, settings)."""
    return any(isinstance(f, DatasetUse | Hardware) or
               (isinstance(f, TrainingSetting) and f.key != "framework") for f in facts)


def _of_kind(kind: Relation, parents: list[Parent]) -> tuple[list[Parent], list[Warning]]:
    """Keep the parents of a card of ``kind``, with a warning for any left out by rule."""
    if kind is Relation.QUANTIZED:
        return _quantized_parents(parents)
    if kind is Relation.MERGE and any(p.evidence.method is Method.MERGEKIT for p in parents):
        return _configured_inputs(parents), []
    return parents, []


def _quantized_parents(parents: list[Parent]) -> tuple[list[Parent], list[Warning]]:
    """Keep the models a repack quantizes: its original, front-matter and quantized parents.

    The original the repack is named after wins over another front-matter base model.
    """
    originals = {_key(p.ref) for p in parents if p.method == "original"}
    strong = [p for p in parents if p.evidence.method is Method.METADATA
              or p.relation is Relation.QUANTIZED or p.method == "original"]
    if originals and any(p.evidence.method is Method.METADATA and _key(p.ref) not in originals
                         for p in strong):
        kept = [p for p in strong if p.evidence.method is not Method.METADATA] or strong
        return kept, [Warning("base_model names another model than the one this repack "
                              "is named after; the repack's original is kept")]
    return strong or parents, []


def _configured_inputs(parents: list[Parent]) -> list[Parent]:
    """Keep a configured merge's inputs.

    The configuration is the recipe: a model the prose names but the configuration and the
    front matter do not is history (a grandparent), not an input of this merge.
    """
    recipe = [p for p in parents if p.evidence.method in (Method.METADATA, Method.MERGEKIT)]
    keys = {_key(p.ref) for p in recipe}
    names = {id_key(p.ref.name) for p in recipe}
    return [p for p in parents if _key(p.ref) in keys or id_key(p.ref.name) in names
            or MERGED_INTO.search(p.evidence.snippet) is not None]


def _by_model(parents: list[Parent]) -> dict[str, list[Parent]]:
    """Group the parents by the model they name, each under its key.

    An unresolved name folds into the resolved id with the same repo name, or whose repo
    name it begins ("Parent Model: wav2vec" beside a link to wav2vec2-large-xlsr-53).
    """
    resolved = {id_key(p.ref.id.rsplit("/", 1)[-1]): p.ref for p in parents if p.ref.id}
    names = sorted(resolved)
    groups: dict[str, list[Parent]] = {}
    for p in parents:
        ref = p.ref if p.ref.id else resolved.get(id_key(p.ref.name)) or \
            _prefix_of(p.ref, resolved, names)
        groups.setdefault(_key(ref), []).append(replace(p, ref=ref))
    return groups


@dataclass(frozen=True, slots=True)
class _MergeTerms:
    """The merge's method and the key of its base model."""

    method: str | None
    base_key: str | None

    @classmethod
    def of(cls, recipe: MergeRecipe | None, parents: list[Parent],
           groups: dict[str, list[Parent]]) -> _MergeTerms:
        """Read them from the recipe, else from the parents."""
        if recipe is not None:
            method = recipe.method
        else:
            method = next((p.method for p in parents if p.method and p.method != "original"),
                          None)
        base_key = _key(recipe.base) if recipe and recipe.base else next(
            (k for k, g in groups.items() if any(p.role is Role.BASE for p in g)), None)
        return cls(method, base_key)


def _settled(groups: dict[str, list[Parent]], kind: Relation,
             merge: _MergeTerms | None) -> Iterator[Parent]:
    """Give each group's parents one ref and the relation; in a ``merge``, its terms too."""
    for key, group in groups.items():
        ref = next((p.ref for p in group if p.ref.id), group[0].ref)
        if merge is None:
            yield from (Parent(ref, kind, p.evidence) for p in group)
            continue
        role = Role.BASE if key == merge.base_key else Role.SOURCE
        weight = next((p.weight for p in group if p.weight is not None), None)
        density = next((p.density for p in group if p.density is not None), None)
        yield from (Parent(ref, kind, p.evidence, role=role, method=merge.method, weight=weight,
                           density=density) for p in group)
