"""Parents named by a bare Hub id: in a command's arguments, or in the card's own sentences.

``--model_name_or_path org/base``, ``base_model="org/base"``, and sentence styles that name
the base by its id: "This model is a fine-tuned version of org/x", "These weights were added
on top of org/x", "a LoRA adapter for org/x", "This is a port of [X](...)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lineage.extract.context import Context
from lineage.extract.prose.shared import TARGET
from lineage.extract.scan import Gated, Scanner
from lineage.facts import Fact, Method, Parent, Relation
from lineage.ids import LEGACY_MODEL_IDS

__all__ = ["HUB_ID_SENTENCES", "LEGACY_ALTERNATION", "code_arguments"]

# Longest first, so that "bert-base-uncased-whole..." is not cut at "bert-base-uncased".
LEGACY_ALTERNATION = "|".join(re.escape(i) for i in sorted(LEGACY_MODEL_IDS, key=len,
                                                             reverse=True))
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
_PLACEHOLDER_ORG = re.compile(r"(?i)^(?:path_?to|path|your[\w-]*|my[\w-]*|username|user|org|"
                              r"organi[sz]ation|models?|outputs?|checkpoints?|local|tmp)/")


def code_arguments(ctx: Context) -> Iterator[Fact]:
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
# The card's own sentences naming its parent by a bare Hub id: a Trainer-style version
# sentence, weights added on top of a base (an adapter), a package of a checkpoint (a repack).
# "The models are initialized with `org/base` and then pre-trained": a Hub id, so read even
# when the card's own id is unknown (unlike the names :data:`.names._INITIALISED` reads).
_INITIALISED_ID = Gated(re.compile(
    r"(?i)\binitiali[sz]ed[ \t]+(?:with|from)[ \t]+(?:the[ \t]+)?(?:weights[ \t]+of[ \t]+)?"
    r"[`'\"]([A-Za-z0-9][\w.-]*/[\w.-]*\w)[`'\"]"), "initiali")
# "This is a LoRA adapter for [X](...)", "A QLoRA adapter for org/x": what the card holds, said
# at a line's or a sentence's start ("LoRA adapters for X are also on the Hub" in a fine-tune's
# card is another repo); also "org/x 向けの QLoRA adapter" (Japanese: "for org/x").
_ADAPTER_TARGET = (r"(?:\[[^\]\n]{1,100}\]\([ \t]*(" + TARGET + r"[^)\s>]+)[ \t]*\)|"
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
    r"(?:the[ \t]+)?(?:\[[^\]\n]{1,100}\]\([ \t]*(" + TARGET + r"[^)\s>]+)[ \t]*\)|"
    r"[`'\"]([A-Za-z0-9][\w./-]*\w)[`'\"])[ \t]+(?:(?:model|checkpoint)[ \t]+)?"
    r"(?:(?:that[ \t]+was|and)[ \t]+)?(?:then[ \t]+)?(?:fine-?tun(?:ed|es?)|finetune|trained|"
    r"trains?)\b"), "version", "take", "took", "start", "layers",
    starts=("this", "it ", "it\t", "we ", "we\t", "layers"))  # (a "version of X" that

# is not "this model" is another release)
# "This is a port of the multilingual X encoder (https://huggingface.co/org/x) to the
# transformers format": the same weights in another framework, a conversion.
_PORT_OF = Gated(re.compile(
    r"(?i)\bthis[ \t]+(?:model[ \t]+|repo(?:sitory)?[ \t]+)?(?:is|contains|holds)[ \t]+"
    r"(?:an?|the)[ \t]+(?:port|conversion)"
    r"[ \t]+of[ \t]+[^.\n\[]{0,80}?[(\[]?[ \t]*(?:\[[^\]\n]{1,100}\]\([ \t]*)?"
    r"(https?://(?:huggingface\.co|hf\.co)/[\w.-]+/[\w.-]+)"), "port", "conversion",
    starts=("this",))
# "This is a GPT-style model, based on "org/x" model and fine-tuned on ...": a quoted Hub id
# after a derivation word, in a sentence whose subject is the card's model.
_QUOTED_BASE = Gated(re.compile(
    r"(?i)\b(?:this|it)\b[^.\n]{0,80}?\b(based[ \t]+on|built[ \t]+(?:on|upon)|derived[ \t]+from|"
    r"fine-?tuned[ \t]+from|initiali[sz]ed[ \t]+from)[ \t]+(?:the[ \t]+)?"
    r"[\"\u201c'`]([A-Za-z0-9][\w.-]*/[\w.-]*\w)[\"\u201d'`]"),
    "based", "built", "derived", "tuned", "initiali")
HUB_ID_SENTENCES = (
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
