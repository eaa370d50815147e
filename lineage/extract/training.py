"""How a model was trained: hardware, settings, framework, data, prompt format.

Hardware: "8x NVIDIA H100", "8 x [AMD Instinct MI300X](...)", "on 4 A100 80GB GPUs",
"a single RTX 4090". Settings: epochs, learning rate, batch size (effective or total
first), tokens, cost. Framework: Axolotl and other trainers by name, badge or link.
Datasets: see :mod:`lineage.extract.datasets`.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lineage.extract.context import Context
from lineage.extract.datasets import datasets
from lineage.extract.hardware import hardware
from lineage.extract.scan import Anchored, Gated, Scanner
from lineage.extract.sentences import (
    INFERENCE_CONTEXT,
    TRAIN_CONTEXT,
    TRAINERS,
    Sentences,
    prose_positions,
    sentences_of,
)
from lineage.facts import (
    Evidence,
    Fact,
    Method,
    PromptFormat,
    TrainingSetting,
)

__all__ = ["extract_training"]

_EPOCHS = Anchored(re.compile(
    # Not one end of a range ("3-5 epochs", "Epochs: 5-10"); a table row's "|" separates too.
    r"(?i)(?<![\w.\u2013-])(\d+(?:\.\d+)?)\s+(?:full\s+)?epochs?\b|"
    r"\b(?:num_(?:train_)?epochs|epochs?)[`*]*\s*[:=|]\s*[`*(]*(\d+(?:\.\d+)?)\b"
    r"(?![ \t]*[\u2013-][ \t]*\d)"),
    re.compile(r"(?i)epoch"), reach=80, span=80, starts=("epoch",))
# Keys in backticks ("- `learning_rate`: 5e-05", sentence-transformers cards) and SetFit's
# pairs ("- body_learning_rate: (2e-05, 2e-05)", the body's rate first) too.
_LR_EXPLICIT = Gated(re.compile(
    r"(?i)\b(?:(?:body_)?learning[ _]rate|lr)\b[`*]*\s*(?:(?:of|=|:|\||was|is|:=)\s*)?[`*(]*"
    r"(\d+(?:\.\d+)?(?:e-?\d+)?|\d\.\d+)"), "learning", "lr",
    starts=("learning", "lr", "body_learning"))
# "5 · 10-5" (with a minus sign): a number times a power of ten.
_TIMES_TEN = re.compile(
    r"[ \t]*[\u00b7\u00d7x*][ \t]*10[ \t]*(?:\^|\*\*)?[ \t]*[-\u2212\u2013](\d{1,2})")
# (A digit first and the boundary checked behind it, "(?<![\w.]\d)", not before it: a
# pattern that starts with a character class is tried only at those characters, one that
# starts with a look-behind at every position, at about three times the cost.)
_SCI = re.compile(r"(\d(?<![\w.]\d)(?:\.\d+)?e-\d{1,2})(?![\w.])", re.I)
_BATCH = Anchored(re.compile(
    r"(?i)(?:\b(effective|total|global)[ _]|\b(?:per_device_)?)(?:train[ _])?batch[ _]size\b"
    r"[`*]*\s*(?:of|=|:|\||was|is)?\s*[`*(]*(\d{1,3}(?:,\d{3})+|\d{1,7})\b"),
    re.compile(r"(?i)batch[ _]size"), span=80, starts=("batch",))
_EFFECTIVE = re.compile(r"(?i)\b(?:effective|total|global)(?:\s+batch(?:\s+size)?)?\s*"
                        r"(?:(?:of|=|:)\s*)?(\d{1,7})\b")
_TOKENS = Anchored(re.compile(
    r"(?i)\b(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion|[KMBT])\s+"
    r"(?:high[- ]quality\s+|training\s+|\w+\s+)?tokens\b"), re.compile(r"(?i)tokens\b"),
    reach=120, span=10, starts=("tokens",))
_COST = Gated(re.compile(
    r"(?i)\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k|m|million|thousand)?\b"), "$", starts=("$",))
_COST_CONTEXT = re.compile(r"(?i)cost|spent|spend|budget|price|\bpaid\b|usd|dollars")
_RATE_WORD = re.compile(r"(?i)\brate\b|\blr\b")
_TUNING_WORD = re.compile(r"(?i)train|fine-?tun")
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "b": 1e9,
          "trillion": 1e12, "t": 1e12}
# Named trainers in order of precedence, each searched only in a card holding its word.
_FRAMEWORKS: tuple[tuple[str, Gated], ...] = tuple(
    (name, Gated(re.compile(rf"(?i){pattern}"), word)) for name, pattern, word in TRAINERS)
# Libraries a "Framework versions" list names that train with their own trainer.
_VERSIONED = (("setfit", re.compile(r"(?im)^\W*setfit\b")),
              ("sentence-transformers", re.compile(r"(?im)^\W*sentence[ -]transformers\b")))
_FRAMEWORK_VERSIONS = Gated(re.compile(r"(?im)^[ \t#*-]*framework versions"),
                            "framework versions")
# Libraries named in a framework field or a training sentence, most specific first.
_LIBRARIES = (("diffusers", re.compile(r"(?i)\bdiffusers\b")),
              ("peft", re.compile(r"(?i)\bpeft\b")),
              ("sentence-transformers", re.compile(r"(?i)\bsentence[ -]transformers\b")),
              ("transformers", re.compile(r"(?i)(?<![\w-])(?:transformers|trainer)\b")),
              ("flax", re.compile(r"(?i)\b(?:jax/)?flax\b")),
              ("pytorch", re.compile(r"(?i)\bpytorch\b")))
# "- **Fine-tuning Framework:** Hugging Face Transformers", "; framework: PyTorch + PEFT".
_FRAMEWORK_FIELD = Gated(re.compile(
    r"(?im)(?:^|;)[ \t>*|-]*(?:fine-?tuning[ \t]+|training[ \t]+)?(?:framework|library)"
    r"[*_]{0,2}[ \t]*[:|][ \t]*[*_]{0,2}([^\n|;]{2,80})"), "framework", "library")
# "trained using the Hugging Face trainer", "fine-tuned with HF Transformers", "trained using
# the diffusers based dreambooth training".
_TRAINED_WITH_LIBRARY = Gated(re.compile(
    r"(?i)\b(?:trained|fine-?tuned|fine-?tuning|training)\b[^.\n]{0,60}?\b(?:using|with|via)"
    r"[ \t]+(?:the[ \t]+)?(?:(?:hugging[ \t]?face|hf|\U0001f917)(?:['\u2019]s)?[ \t]+)?"
    r"(transformers|trainer|diffusers|peft)\b"), "using", "with", "via", starts=("train", "fine"))
# The example training scripts of transformers ("run_squad.py", "run_clm_flax.py").
_EXAMPLE_SCRIPT = Gated(re.compile(r"(?i)\brun_(?:[a-z0-9]+_){0,3}?[a-z0-9]+?(_flax)?\.py\b"),
                        "run_", starts=("run_",))
# Front-matter signs of the library that made the weights: its training tag, or the
# library of an adapter or embedding model (its own training loop wrote the files).
_MADE_BY_TAG = {"diffusers-training": "diffusers"}
_MADE_BY_LIBRARY = {"peft": "peft", "sentence-transformers": "sentence-transformers"}
_PROMPTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (  # name, pattern, words it needs
    ("chatml", r"chat-?ml|<\|im_start\|>", ("chatml", "chat-ml", "<|im_start|>")),
    ("llama3", r"llama[- ]?3(?: chat| instruct)? (?:prompt |chat )?(?:format|template)|"
               r"<\|start_header_id\|>", ("llama", "<|start_header_id|>")),
    ("llama2", r"llama[- ]?2(?:[- ]chat)? (?:prompt |chat )?(?:format|template)|<<SYS>>",
     ("llama", "<<sys>>")),
    ("mistral", r"mistral(?:[- ]instruct)? (?:prompt |chat |instruct )?(?:format|template|preset)|"
                r"\[INST\]", ("mistral", "[inst]")),
    ("alpaca", r"\balpaca\b|### Instruction:", ("alpaca", "### instruction:")),
    ("vicuna", r"\bvicuna\b (?:format|template)|USER:.{0,80}ASSISTANT:", ("vicuna", "user:")),
    ("zephyr", r"zephyr (?:format|template)|<\|user\|>", ("zephyr", "<|user|>")),
    ("gemma", r"<start_of_turn>", ("<start_of_turn>",)), ("phi3", r"<\|end\|>", ("<|end|>",)),
    ("metharme", r"metharme|<\|system\|>.*<\|model\|>", ("metharme", "<|system|>")),
)
# Per format: the pattern anywhere in the body, and the pattern as a whole format name.


class _FirstToLast:
    """The pattern ``alone|first.*last`` (any case, "." matching line breaks), in linear time.

    Backtracking reads the rest of the text again from every ``first`` that no ``last``
    follows; the leftmost ``first`` with any ``last`` after it reaches the last ``last``.
    """

    def __init__(self, alone: str, first: str, last: str):
        self.alone, self.first, self.last = (re.compile(re.escape(w), re.I)
                                             for w in (alone, first, last))

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize,
               ) -> re.Match[str] | None:
        """Return the first match, or None."""
        return self._search(string, pos, endpos, self._final(string, pos, endpos))

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Return the matches, left to right."""
        final = self._final(string, pos, endpos)
        while (m := self._search(string, pos, endpos, final)) is not None:
            yield m
            pos = m.end()

    def _final(self, string: str, pos: int, endpos: int) -> re.Match[str] | None:
        final = None
        for final in self.last.finditer(string, pos, endpos):  # noqa: B007 - keep the last
            pass
        return final

    def _search(self, string: str, pos: int, endpos: int,
                final: re.Match[str] | None) -> re.Match[str] | None:
        alone = self.alone.search(string, pos, endpos)
        first = self.first.search(string, pos, alone.start() if alone else endpos)
        if first is not None and final is not None and final.start() >= first.end():
            return _ANY.match(string, first.start(), final.end())
        return alone


_ANY = re.compile(r".*", re.S)
_ANYWHERE = {"metharme": _FirstToLast("metharme", "<|system|>", "<|model|>")}
_PROMPT_RES = tuple((name, Gated(_ANYWHERE.get(name) or re.compile(p, re.I | re.S), *words,
                                 starts=() if name in _ANYWHERE else words),
                     re.compile(p, re.I)) for name, p, words in _PROMPTS)
_NAMED_PROMPT = Gated(re.compile(
    r"(?i)(?:prompt|instruct|chat)[\w ]{0,12}(?:template|format(?:ting)?)"
    r"\s*(?:(?:is|:)\s*)?[*_`]*([\w-]+)|(?:using|with|in|uses?)[ \t]+(?:the\s+)?"
    r"([\w-]+)[- ](?:style\s+)?(?:prompt\s+|chat\s+|instruct(?:ion)?\s+)?"
    r"(?:format(?:ting)?|template)\b"), "template", "format",
    starts=("prompt", "instruct", "chat", "using", "with", "in ", "in\t", "use"))


def _number(text: str) -> float | int:
    value = float(text)
    return (int(value) if value.is_integer() and "." not in text and "e" not in text.lower()
            else value)


def extract_training(ctx: Context) -> tuple[Fact, ...]:
    """Hardware, training settings, datasets and prompt format stated in the card's body."""
    facts: list[Fact] = []
    facts.extend(hardware(ctx))
    facts.extend(_settings(ctx))
    facts.extend(datasets(ctx))
    facts.extend(_prompt(ctx))
    return tuple(facts)


def _settings(ctx: Context) -> Iterator[Fact]:
    """Training settings stated in the body: the first value found of each, in table order."""
    sentences = sentences_of(ctx.card.text)
    first: dict[str, TrainingSetting] = {}
    for read in _SETTING_READERS:
        for setting in read(ctx, sentences):
            first.setdefault(setting.key, setting)
    yield from first.values()


_SettingReader = Callable[[Context, Sentences], Iterator[TrainingSetting]]


@dataclass(frozen=True, slots=True)
class _Setting:
    """A setting read from each match of ``pattern`` in prose.

    ``near``: a pattern the match's sentence must hold; ``not_near``: one it must not.
    """

    key: str
    pattern: Scanner
    value: Callable[[re.Match[str]], float | int | str]
    confidence: float = 0.8
    near: re.Pattern[str] | None = None
    not_near: re.Pattern[str] | None = None

    def __call__(self, ctx: Context, sentences: Sentences) -> Iterator[TrainingSetting]:
        """Yield the setting at each match, in order."""
        for m in prose_positions(ctx, self.pattern):
            if self.near is not None and not sentences.search(self.near, m.start()):
                continue
            if self.not_near is not None and sentences.search(self.not_near, m.start()):
                continue
            yield _setting(ctx, self.key, self.value(m), m, self.confidence)


def _setting(ctx: Context, key: str, value: float | int | str, m: re.Match[str],
             confidence: float = 0.8) -> TrainingSetting:
    return TrainingSetting(key, value, ctx.evidence(Method.PROSE, m.start(), m.end(), confidence))


def _learning_rate(ctx: Context, sentences: Sentences) -> Iterator[TrainingSetting]:
    """Learning rates named as such; failing those, a number like 2e-5 beside "rate" or "lr"."""
    named = False
    for m in prose_positions(ctx, _LR_EXPLICIT):
        named = True
        power = _TIMES_TEN.match(ctx.card.text, m.end(1))
        value = float(m.group(1)) * 10 ** -int(power.group(1)) if power else float(m.group(1))
        yield _setting(ctx, "learningRate", value, m)
    if not named:
        for m in prose_positions(ctx, _SCI):
            if sentences.search(_RATE_WORD, m.start()):
                yield _setting(ctx, "learningRate", float(m.group(1)), m, 0.6)


def _batch_size(ctx: Context, sentences: Sentences) -> Iterator[TrainingSetting]:
    """Batch sizes, an effective (or total, global) size first.

    "batch size: 4 per device ... (effective 16)": the effective size in the sentence wins.
    """
    batches = sorted(prose_positions(ctx, _BATCH), key=lambda m: m.group(1) is None)
    if batches and batches[0].group(1) is None:  # no size is called effective itself
        for m in batches:
            eff = sentences.search(_EFFECTIVE, m.start())
            if eff is not None:
                yield _setting(ctx, "batchSize", int(eff.group(1)), m)
    for m in batches:
        yield _setting(ctx, "batchSize", int(m.group(2).replace(",", "")), m)


def _of_group_one(convert: Callable[[str], float | int | str],
                  ) -> Callable[[re.Match[str]], float | int | str]:
    """Return the reading of a match's group 1 by ``convert``."""
    return lambda m: convert(m.group(1))


def _framework_reader(ctx: Context, sentences: Sentences) -> Iterator[TrainingSetting]:
    """Yield the training framework (see :func:`_framework`)."""
    framework = _framework(ctx)
    if framework is not None:
        yield framework


def _scaled(m: re.Match[str]) -> float | int:
    """Return a number with thousands commas (group 1) times its scale (group 2: k, million)."""
    return _number(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").casefold(), 1)


# The transformers Trainer card's "Training hyperparameters" list.
_TRAINER_FIELDS: tuple[tuple[str, Scanner, Callable[[str], float | int | str]], ...] = (
    ("optimizer", Gated(re.compile(r"(?im)^[ \t*-]*optimizer\s*:\s*([A-Za-z][\w.-]*)"),
                        "optimizer"), str),
    ("scheduler", Gated(re.compile(r"(?im)^[ \t*-]*lr_scheduler_type\s*:\s*([A-Za-z][\w.-]*)"),
                        "lr_scheduler_type"), str),
    ("seed", Gated(re.compile(r"(?im)^[ \t*-]*seed\s*:\s*(\d{1,10})\s*$"), "seed"), int),
    ("precision", Gated(re.compile(
        r"(?im)^[ \t*-]*mixed_precision_training\s*:\s*([^\n]{2,40}?)\s*$"),
        "mixed_precision_training"), str),
)
# A number of at most 40 digits and commas: every digit after a comma starts a match, so
# an unbounded run ("1,1,1,...") would be read again from each of them.
_GPU_HOURS = Gated(re.compile(
    r"(?i)(\d(?<!\w\d)[\d,]{0,40}(?:\.\d+)?)\s*(?:(k|m|million|thousand)\s*)?gpu[- ]hours\b"),
    "gpu")
_HOURS = re.compile(r"(?i)(\d(?<![\w.]\d)\d*(?:\.\d+)?)\s*(?:hours|hrs|h)\b(?![- ]?gpu)")
_CLOUD_NAMES = {"aws": "AWS", "amazon sagemaker": "AWS", "sagemaker": "AWS",
                "google cloud": "Google Cloud", "gcp": "Google Cloud", "azure": "Azure",
                "lambda labs": "Lambda", "lambda": "Lambda", "runpod": "RunPod",
                "coreweave": "CoreWeave", "paperspace": "Paperspace", "vast.ai": "Vast.ai",
                "google colab": "Google Colab", "colab": "Google Colab"}
_CLOUD = Gated(re.compile(
    r"(?i)\b(aws|amazon sagemaker|sagemaker|google cloud|gcp|azure|lambda labs|"
    r"runpod|coreweave|paperspace|vast\.ai|google colab)\b"),
    "aws", "sagemaker", "google cloud", "gcp", "azure", "lambda", "runpod", "coreweave",
    "paperspace", "vast.ai", "colab",
    starts=("aws", "amazon sagemaker", "sagemaker", "google cloud", "gcp", "azure", "lambda labs",
            "runpod", "coreweave", "paperspace", "vast.ai", "google colab"))

# A training command's or config's setting: "--learning_rate 3e-5", "num_train_epochs=3",
# '"per_device_train_batch_size": 4', "lr: 1e-4".
_CODE_SETTING = re.compile(
    r"""(?i)(?:--|(?<![\w.-]))(num_train_epochs|epochs|learning_rate|lr|total_train_batch_size|"""
    r"""(?:per_device_|per_gpu_)?train_batch_size|batch_size)["'`]?[ \t]*(?:[:=][ \t]*|[ \t]+)"""
    r"""["'`]?(\d+(?:\.\d+)?(?:e-?\d+)?)(?![\w.])""")
_CODE_KEYS = {"num_train_epochs": "epochs", "epochs": "epochs", "learning_rate": "learningRate",
              "lr": "learningRate"}
# Which batch size a code block's keys give, the total first.
_BATCH_KEYS = ("total_train_batch_size", "train_batch_size", "per_device_train_batch_size",
               "per_gpu_train_batch_size", "batch_size")


def _code_settings(ctx: Context, sentences: Sentences) -> Iterator[TrainingSetting]:
    """Epochs, learning rate and batch size from the card's training commands and configs.

    Read from a code block that sets epochs or a learning rate (a training run's, not a
    usage example's), after what the prose states.
    """
    for block in ctx.doc.code_blocks:
        found = [(m.group(1).casefold(), m) for m in _CODE_SETTING.finditer(block.content)]
        if not any(key in _CODE_KEYS for key, _ in found):
            continue
        settings = [_code_setting(ctx, block.content_start, _CODE_KEYS[key], m)
                    for key, m in found if key in _CODE_KEYS]
        batches: dict[str, re.Match[str]] = {}
        for key, m in found:
            if key not in _CODE_KEYS:
                batches.setdefault(key, m)
        batch = next((batches[key] for key in _BATCH_KEYS if key in batches), None)
        if batch is not None:
            settings.append(_code_setting(ctx, block.content_start, "batchSize", batch))
        yield from (s for s in settings if s is not None)


def _code_setting(ctx: Context, offset: int, key: str, m: re.Match[str],
                  ) -> TrainingSetting | None:
    """Return the setting a code match gives, or None for a number out of range ("1e999")."""
    number = float(m.group(2))
    if not math.isfinite(number) or number <= 0:
        return None
    value: float | int = number if key == "learningRate" else int(number)
    return TrainingSetting(key, value, ctx.evidence(Method.PROSE, offset + m.start(),
                                                    offset + m.end(), 0.7))


# Every setting's readers, in order; the first value read of a setting is kept.
_SETTING_READERS: tuple[_SettingReader, ...] = (
    _Setting("epochs", _EPOCHS, lambda m: _number(m.group(1) or m.group(2))),
    _learning_rate,
    _batch_size,
    _Setting("tokens", _TOKENS, lambda m: int(float(m.group(1)) * _SCALE[m.group(2).casefold()])),
    _Setting("cost", _COST, _scaled, 0.6, near=_COST_CONTEXT),
    *(_Setting(key, pattern, _of_group_one(convert), 0.85)
      for key, pattern, convert in _TRAINER_FIELDS),
    _Setting("gpuHours", _GPU_HOURS, _scaled, 0.7),
    _Setting("trainingHours", _HOURS, lambda m: _number(m.group(1)), 0.7, near=TRAIN_CONTEXT,
             not_near=INFERENCE_CONTEXT),
    _Setting("cloudProvider", _CLOUD, lambda m: _CLOUD_NAMES.get(m.group(1).casefold(),
                                                                 m.group(1)), 0.7,
             near=_TUNING_WORD),
    _framework_reader,
    _code_settings,
)


def _framework(ctx: Context) -> TrainingSetting | None:
    """Find the training framework: a named trainer, else PEFT or Transformers version lists."""
    text = ctx.card.text
    tags = ctx.card.meta.get("tags")
    tagged = {str(t).strip().casefold() for t in tags} if isinstance(tags, list) else set()
    for name, pattern in _FRAMEWORKS:
        if name in tagged:  # "tags: [unsloth]": the trainer the card was made with
            return TrainingSetting("framework", name, Evidence(Method.METADATA, f"tags: {name}",
                                                                None, 0.8))
        m = pattern.search(text, ctx.card.body_offset)
        if m is not None:
            return TrainingSetting("framework", name,
                                   ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8))
    versions = _FRAMEWORK_VERSIONS.search(text, ctx.card.body_offset)
    if versions is not None:
        block = text[versions.end():versions.end() + 400]
        lib = str(ctx.card.meta.get("library_name") or "").casefold()
        name = next((n for n, p in _VERSIONED if p.search(block)), None) or (
            "peft" if lib == "peft" or re.search(r"(?im)^\W*peft\b", block) else "transformers")
        return TrainingSetting("framework", name, ctx.evidence(Method.PROSE, versions.start(),
                                                         versions.end(), 0.7))
    return _framework_named(ctx, tagged)


def _framework_named(ctx: Context, tagged: set[str]) -> TrainingSetting | None:
    """Find a library named as the framework: a field, a training sentence, a script, metadata."""
    for pattern in (_FRAMEWORK_FIELD, _TRAINED_WITH_LIBRARY):
        for m in ctx.body_matches(pattern):
            name = next((n for n, p in _LIBRARIES if p.search(m.group(1))), None)
            if name is not None:
                return TrainingSetting("framework", name,
                                       ctx.evidence(Method.PROSE, m.start(), m.end(), 0.7))
    for block in ctx.doc.code_blocks:
        if (script := _EXAMPLE_SCRIPT.search(block.content)) is not None:
            start, end = block.content_start + script.start(), block.content_start + script.end()
            return TrainingSetting("framework", "flax" if script.group(1) else "transformers",
                                   ctx.evidence(Method.PROSE, start, end, 0.6))
    lib = str(ctx.card.meta.get("library_name") or "").strip().casefold()
    said = next((t for t in _MADE_BY_TAG if t in tagged), None)
    name = _MADE_BY_TAG[said] if said else _MADE_BY_LIBRARY.get(lib)
    if name is None:
        return None
    return TrainingSetting("framework", name, Evidence(
        Method.METADATA, f"tags: {said}" if said else f"library_name: {lib}", None, 0.6))


def _prompt(ctx: Context) -> Iterator[Fact]:
    # (The card's text from the body's offset, not a slice: a slice is a new text, which
    # the prefilter would scan once more.)
    text, body = ctx.card.text, ctx.card.body_offset
    for m in _NAMED_PROMPT.finditer(text, body):
        word = (m.group(1) or m.group(2) or "").casefold()
        for name, _, exact in _PROMPT_RES:
            if word == name or exact.fullmatch(word):
                yield PromptFormat(name, ctx.evidence(Method.PROSE, m.start(), m.end(), 0.9))
                return
    for name, anywhere, _ in _PROMPT_RES:
        m2 = anywhere.search(text, body)
        if m2 is not None:
            yield PromptFormat(name, ctx.evidence(Method.PROSE, m2.start(), m2.end(), 0.7))
            return
