"""Parents named without a link in other styles, read only when nothing else names one.

Chinese, Japanese and Korean derivation wording, "the base model of X is Y", a converted
checkpoint ("X model converted by [a script]"), versions of X for another framework, "X was
used as an initialization", a distilled student's teacher, "this was made with X 1.4", a
title "# X (variant) fine-tuned on ..." and "is an X fine-tuned model".
"""

from __future__ import annotations

import re

from lineage.extract.context import Context
from lineage.extract.prose.shared import ACRONYM_OR_DIGIT, LORA, TARGET, link_ref, not_a_derivation
from lineage.extract.scan import Gated
from lineage.facts import Fact, Method, ModelRef, Parent, Relation
from lineage.ids import id_key, is_fragment, legacy_display_id, legacy_id, name_key

__all__ = ["named_elsewhere"]

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
    r"\[[^\]\n]{1,100}\]\([ \t]*(" + TARGET + r"[^)\s>]+)[ \t]*\))[*_`\u300d\u300f\"]{0,2}[ \t]*"
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
    r"(?![ \t]+(?i:data|corpus|benchmark))"), "made", "trained", "tuned", "built",
    starts=("this", "it ", "it\t"))
# Tools a card is "made with", not models.
_TOOLS = frozenset(["mergekit", "axolotl", "unsloth", "peft", "transformers", "diffusers", "kohya",
                    "pytorch", "python", "tensorflow", "jax", "deepspeed", "trl", "keras"])
# Words that name how or in what form a model was tuned, not the model tuned.
_NOT_A_BASE = frozenset(["lora", "qlora", "peft", "adapter", "sft", "dpo", "orpo", "kto", "rlhf",
                         "ppo", "gguf", "gptq", "awq", "exl2", "mlx", "instruction", "instruct",
                         "chat", "custom", "private", "new", "merged", "model"])


def named_elsewhere(ctx: Context) -> list[Fact]:
    """Return the parent a card names without a link in the styles below, if any.

    Read only when the card names no parent otherwise, like :func:`.names.unlinked`: the
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
        basis = link_ref(ctx, m.group(1)) if m.group(1) else ctx.resolve(m.group(2).rstrip("."))
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
            lora = LORA.search(text, start + 1, m.end()) is not None
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
                    not_a_derivation(ctx.card.text, m.start(), m.group(0)):
                continue  # ("you will find versions of X for TF" still says what they are)
            name = m.group(1) or " ".join(g for g in m.group(2, 3) if g)
            ref = ctx.resolve(name)
            if ctx.is_own(ref.id):
                continue  # a converted checkpoint may keep its original's name: not its id
            return [Parent(ref, relation, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))]
    # A teacher counts in a card about distillation, not one that wrote data or graded answers.
    teachers = ctx.body_matches(_TEACHER) if _DISTIL.search(ctx.card.text) else iter(())
    for m in teachers:
        teacher = link_ref(ctx, m.group(2)) if m.group(2) else ctx.resolve(m.group(1).rstrip("."))
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
        if legacy is None and (ACRONYM_OR_DIGIT.search(name) is None or
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
        if ACRONYM_OR_DIGIT.search(name) is None and re.search(
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
    if lead is None or ACRONYM_OR_DIGIT.search(lead.group(1)) is None:
        return False
    subject = name_key(lead.group(1))
    own_text = (ctx.own_id or ctx.own_name or "").rsplit("/", 1)[-1]
    first = re.search(r"[A-Za-z][\w.-]*", own_text)  # "☁️ KULLM (...)": its first name, KULLM
    own = {name_key(own_text), name_key(first.group(0)) if first else ""} - {""}
    return subject != name_key(named) and not any(o.startswith(subject) or subject.startswith(o)
                                                  for o in own)
