"""How a model was trained: hardware, settings, framework, data, prompt format.

Hardware: "8x NVIDIA H100", "8 x [AMD Instinct MI300X](...)", "on 4 A100 80GB GPUs",
"a single RTX 4090". Settings: epochs, learning rate, batch size (effective or total
first), tokens, cost. Framework: Axolotl and other trainers by name, badge or link.
Datasets: Hub dataset links outside evaluation sections, "on the Y dataset", and named
"X dataset" mentions in data sections.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from lineage.extract.context import Context
from lineage.extract.hardware import hardware
from lineage.extract.prose import trainer_dataset
from lineage.extract.scan import Anchored, Gated, Scanner
from lineage.extract.sentences import (
    EVAL_SECTION,
    INFERENCE_CONTEXT,
    TRAIN_CONTEXT,
    Sentences,
    prose_positions,
)
from lineage.facts import (
    DatasetRef,
    DatasetUse,
    Fact,
    Method,
    PromptFormat,
    TrainingSetting,
)
from lineage.ids import is_repo_id, parse_hub_url

__all__ = ["extract_training"]

_EPOCHS = Anchored(re.compile(
    r"(?i)(?<![\w.])(\d+(?:\.\d+)?)\s+(?:full\s+)?epochs?\b|"
    r"\b(?:num_(?:train_)?epochs|epochs?)\s*[:=]\s*[`*]*(\d+(?:\.\d+)?)\b"),
    re.compile(r"(?i)epoch"), reach=80, span=80, starts=("epoch",))
_LR_EXPLICIT = Gated(re.compile(
    r"(?i)\b(?:learning[ _]rate|lr)\b\s*(?:(?:of|=|:|was|is|:=)\s*)?[`*]*"
    r"(\d+(?:\.\d+)?(?:e-?\d+)?|\d\.\d+)"), "learning", "lr", starts=("learning", "lr"))
_SCI = re.compile(r"(?<![\w.])(\d(?:\.\d+)?e-\d{1,2})(?![\w.])", re.I)
_BATCH = Anchored(re.compile(
    r"(?i)(?:\b(effective|total|global)[ _]|\b)(?:train[ _])?batch[ _]size\b\s*"
    r"(?:of|=|:|was|is)?\s*[`*]*(\d{1,7})\b"), re.compile(r"(?i)batch[ _]size"), span=80,
    starts=("batch",))
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
_FRAMEWORKS: tuple[tuple[str, str], ...] = (
    ("axolotl", r"axolotl"), ("unsloth", r"unsloth"), ("llama-factory", r"llama[-_ ]?factory"),
    ("trl", r"\btrl\b|huggingface/trl"), ("deepspeed", r"deepspeed"),
    ("torchtune", r"torchtune"), ("nemo", r"\bnemo\b"), ("megatron", r"megatron"),
)
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
    r"\s*(?:(?:is|:)\s*)?[*_`]*([\w-]+)|(?:using|with|in|uses?)\s+(?:the\s+)?"
    r"([\w-]+)[- ](?:style\s+)?(?:prompt\s+|chat\s+|instruct(?:ion)?\s+)?"
    r"(?:format(?:ting)?|template)\b"), "template", "format",
    starts=("prompt", "instruct", "chat", "using", "with", "in", "use"))
_DATA_SECTION = re.compile(r"(?i)data|credit|train|fine-?tun|acknowledg")
_IN_DATASET_LINK = re.compile(r"[^\]\n]{0,60}\]\(\s*https?://huggingface\.co/datasets/")
# Anchored: a name longer than 240 characters is not looked for. Up to four capitalised
# words before "dataset", split only at spaces: "[ -]" between words could split a long
# hyphenated name (a GGUF file name) in every way, and the words already take hyphens.
_NAMED_DATASET = Anchored(re.compile(
    r"(?<![\w/.-])([A-Z][\w.+-]*(?: [A-Z0-9][\w.+-]*){0,3}|"
    r"(?<=\")[\w.+ -]{2,60}(?=\"))\"?,?\s+(?:data\s*set|dataset)s?\b"),
    re.compile(r"data\s*set"), reach=240, span=10, starts=("data",))
# Words that name a quantisation or evaluation set, never training data.
_NOT_TRAINING_DATA = re.compile(r"(?i)^(?:gptq|awq|gguf|exl2|imatrix|calibration|quanti[sz]ation|"
                                r"eval(?:uation)?|test|validation|benchmark)$")
# A picture or a sound a card shows, hosted in a dataset repo: no training data.
_MEDIA_FILE = re.compile(r"(?i)\.(?:png|jpe?g|gif|webp|svg|bmp|mp4|webm|mov|mp3|wav|flac|ogg)$")
_TEST_SET = re.compile(r"(?i)(?:^|[-_/])(?:test|eval|evaluation|benchmark)(?:$|[-_])")


def _number(text: str) -> float | int:
    value = float(text)
    return (int(value) if value.is_integer() and "." not in text and "e" not in text.lower()
            else value)


def extract_training(ctx: Context) -> tuple[Fact, ...]:
    """Hardware, training settings, datasets and prompt format stated in the card's body."""
    facts: list[Fact] = []
    facts.extend(hardware(ctx))
    facts.extend(_settings(ctx))
    facts.extend(_datasets(ctx))
    facts.extend(_prompt(ctx))
    return tuple(facts)


def _settings(ctx: Context) -> Iterator[Fact]:
    """Training settings stated in the body: the first value found of each, in table order."""
    sentences = Sentences(ctx.card.text)
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
        yield _setting(ctx, "learningRate", float(m.group(1)), m)
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
        yield _setting(ctx, "batchSize", int(m.group(2)), m)


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
    r"(?i)\b(\d[\d,]{0,40}(?:\.\d+)?)\s*(?:(k|m|million|thousand)\s*)?gpu[- ]hours\b"),
    "gpu")
_HOURS = re.compile(r"(?i)(?<![\w.])(\d+(?:\.\d+)?)\s*(?:hours|hrs|h)\b(?![- ]?gpu)")
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
)


def _framework(ctx: Context) -> TrainingSetting | None:
    """Find the training framework: a named trainer, else PEFT or Transformers version lists."""
    text = ctx.card.text
    for name, pattern in _FRAMEWORKS:
        m = re.compile(rf"(?i){pattern}").search(text, ctx.card.body_offset)
        if m is not None:
            return TrainingSetting("framework", name,
                                   ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8))
    versions = re.compile(r"(?im)^[ \t#*-]*framework versions").search(text, ctx.card.body_offset)
    if versions is not None:
        block = text[versions.end():versions.end() + 400]
        lib = str(ctx.card.meta.get("library_name") or "").casefold()
        name = "peft" if lib == "peft" or re.search(r"(?im)^\W*peft\b", block) else "transformers"
        return TrainingSetting("framework", name, ctx.evidence(Method.PROSE, versions.start(),
                                                         versions.end(), 0.7))
    return None


# Trailing markup after the id starts with "`" or "*": a "_" there belongs to the id, and
# letting either take it splits a long run of "_" every way.
_ID_ITEM = re.compile(r"(?m)^[ \t]*[-*+][ \t]+[`*_]*([A-Za-z0-9][\w.-]*/[\w.-]+)"
                      r"(?:[`*][`*_]*)?[ \t]*$")


_PRETRAINING_DATA = re.compile(r"(?i)pre-?training (?:data|corpus|dataset)")


def _has_parent(ctx: Context) -> bool:
    base = ctx.card.meta.get("base_model")
    return bool(base) or re.search(r"(?i)fine-?tun|based on|sft|dpo", ctx.card.body) is not None


def _linked_names(ctx: Context) -> Iterator[tuple[int, str]]:
    """Find datasets named by the text of a non-Hub link in a training sentence.

    Example: "pre-trained on the [C4 corpus](https://www.tensorflow.org/...)".
    """
    text = ctx.card.text
    for m in ctx.body_matches(_TRAINED_ON_LINK):
        # "... with the [A](...) and [B](...)": every link the sentence lists.
        links = [(m.start(1), m.group(1), m.group(2))]
        pos = m.end()
        while (more := _AND_LINK.match(text, pos)) is not None:
            links.append((more.start(1), more.group(1), more.group(2)))
            pos = more.end()
        with_tool = _WITH.search(text, m.start(), m.start(1)) is not None
        for offset, label, url in links:
            name = label.strip(" *_`")
            tool = any(re.search(rf"(?i){pattern}", name) for _, pattern in _FRAMEWORKS) or \
                _PLATFORM.search(name) is not None or (
                    with_tool and _CODE_HOST.match(url) is not None and
                    _DATA_WORD.search(name) is None)
            if "huggingface.co" not in url and 2 <= len(name) <= 80 and not tool and \
                    not re.search(r"(?i)paper|blog|here|this|link|recipe|github|code|script",
                                  name):
                yield offset, name


# Trained "on" or "with" a link that names where or with what, not on which data: a
# compute platform ("[X Cloud](...)", "[X DataScale systems](...)"), or code on a code host
# whose name says nothing of data ("trained with [SomeTokenizer](https://github.com/...)";
# "trained on [Set](https://github.com/...)" is data kept in a code repository).
_PLATFORM = re.compile(r"(?i)\b(?:cloud|platform|systems?|cluster|supercomputer|"
                       r"infrastructure|library|toolkit|tokeni[sz]er)\b")
_CODE_HOST = re.compile(r"(?i)https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/")
_WITH = re.compile(r"(?i)\bwith\b")
_DATA_WORD = re.compile(r"(?i)data|corpus|corpora|set\b|bench|collection|dump")
_DATASET_THEN_LINK = re.compile(r"(?i)\bdataset\s*(?:[(:]\s*)?(?:(?:c\.?f\.?|see|i\.e\.,?)\s*)?"
                                r"\[[^\]]*\]\(\s*$")
_AND_LINK = re.compile(r"\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?\[([^\]]{2,80})\]\((https?://[^)\s]+)\)")
_TRAINED_ON_LINK = Gated(re.compile(
    r"(?i)\b(?:pre-?)?train(?:ed|ing)?\b[^.\n\[]{0,40}?\b(?:on|with)\s+(?:the\s+)?"
    r"(?:[^.\n\[]{0,40}?\band\s+)?\[([^\]]{2,80})\]\((https?://[^)\s]+)\)"
), "train", starts=("pre-train", "pretrain", "train"))


_LINE_MARK = re.compile(r"\s*(\S)")
_QUANT_HEADER = re.compile(r"(?i)gptq|awq|quant|\bbits\b|act order|group size")


def _in_quant_table(ctx: Context, offset: int, lines: Sentences,
                    tables: dict[int, bool]) -> bool:
    """Whether ``offset`` is in a table whose header speaks of quantisation.

    ``tables`` keeps the answer for each table row walked up from, so the rows of a long
    table do not each walk up to its header again.
    """
    text = ctx.card.text
    start, _ = lines.line(offset)
    mark = lines.at_line_start(_LINE_MARK, offset)
    if mark is None or mark.start(1) >= offset or mark.group(1) != "|":
        return False
    pos = start
    walked = []
    found = False
    while pos > 0 and pos not in tables:
        walked.append(pos)
        prev, _ = lines.line(pos - 1)
        mark = lines.at_line_start(_LINE_MARK, prev)
        if mark is None or mark.group(1) != "|":
            header = text[pos:text.find("\n", pos)]
            found = _QUANT_HEADER.search(header) is not None
            break
        pos = prev
    else:
        found = tables.get(pos, False)
    tables.update(dict.fromkeys(walked, found))
    return found


def _dataset_list_items(ctx: Context) -> Iterator[tuple[int, str]]:
    """Bare ``org/name`` list items in a section about data ("## Datasets")."""
    about_data = cache(lambda title: re.search(r"(?i)data", title) is not None and
                       EVAL_SECTION.search(title) is None)
    for m in ctx.body_matches(_ID_ITEM):
        if about_data(ctx.doc.section_title(m.start())) and is_repo_id(m.group(1)):
            yield m.start(1), m.group(1)


def _datasets(ctx: Context) -> Iterator[Fact]:
    """Datasets the model was trained on, once each, from every source in table order."""
    seen: set[str] = set()
    sentences = Sentences(ctx.card.text)
    for source in _DATASET_SOURCES:
        for use in source(ctx, sentences):
            key = (use.ref.id or use.ref.name).casefold()
            if key not in seen:
                seen.add(key)
                yield use


def _dataset_links(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Hub dataset links, but those about evaluation, quantisation or the base model.

    Left out: leaderboard details and test sets, a quantisation's calibration set (a GPTQ
    table's dataset column), "the base's pretraining data" when the card has a base, and
    links in an evaluation section that is not also about data.
    """
    tables: dict[int, bool] = {}
    has_parent: bool | None = None
    about_evaluation = cache(lambda path: EVAL_SECTION.search(" ".join(path)) is not None)
    about_data = cache(lambda title: _DATA_SECTION.search(title) is not None)
    for link in ctx.links:
        if link.ref.kind != "dataset" or link.in_front_matter:
            continue
        rid = link.ref.id
        org = rid.split("/", 1)[0].casefold()
        if "leaderboard" in org or "/details_" in rid or _TEST_SET.search(rid) or \
                _MEDIA_FILE.search(link.url.split("?", 1)[0]) or \
                _in_quant_table(ctx, link.offset, sentences, tables):
            continue
        if sentences.search(_PRETRAINING_DATA, link.offset) is not None:
            has_parent = _has_parent(ctx) if has_parent is None else has_parent
            if has_parent:
                continue
        if about_evaluation(ctx.doc.section_path(link.offset)) and \
                not about_data(ctx.doc.section_title(link.offset)):
            continue
        yield DatasetUse(DatasetRef(rid, rid), ctx.evidence(Method.LINK, link.offset,
                                                            link.offset + len(link.url), 0.8))


def _dataset_repos_linked_as_models(ctx: Context, sentences: Sentences,
                                    ) -> Iterator[DatasetUse]:
    """Dataset repos linked without /datasets/ right after the word "dataset".

    "a modified Winogrande dataset (c.f. [x](https://huggingface.co/org/x))".
    """
    for link in ctx.links:
        before = ctx.card.text[max(0, link.offset - 40):link.offset]
        if link.ref.kind == "model" and _DATASET_THEN_LINK.search(before):
            rid = link.ref.id
            yield DatasetUse(DatasetRef(rid, rid), ctx.evidence(Method.LINK, link.offset,
                                                                link.offset + len(link.url), 0.6))


def _listed_dataset_ids(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Bare ``org/name`` list items in a section about data (:func:`_dataset_list_items`)."""
    for offset, rid in _dataset_list_items(ctx):
        yield DatasetUse(DatasetRef(rid, rid),
                         ctx.evidence(Method.PROSE, offset, offset + len(rid), 0.7))


def _named_by_links(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Datasets named by the text of a non-Hub link in a training sentence."""
    for offset, name in _linked_names(ctx):
        yield DatasetUse(DatasetRef(None, name),
                         ctx.evidence(Method.PROSE, offset, offset + len(name), 0.6))


def _trainer_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Hub ids in "fine-tuned version of [X](...) on the Y dataset" sentences."""
    for offset, name in trainer_dataset(ctx):
        rid = name.strip("./")
        if is_repo_id(rid):
            yield DatasetUse(DatasetRef(rid, rid),
                             ctx.evidence(Method.PROSE, offset, offset + len(name), 0.8))


def _named_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Names before the word "dataset" in a data section or a sentence about tuning.

    "the MNLI and SNLI datasets" gives both. Left out: a dataset link's own text, a list
    item about another model, a quantisation or evaluation set, and a family named like
    the model ("the Acme-3 datasets" in the card of Acme-3-mini).
    """
    about_data = cache(lambda title: _DATA_SECTION.search(title) is not None)
    own = (ctx.own_id or "").rsplit("/", 1)[-1].casefold()
    for m in prose_positions(ctx, _NAMED_DATASET):
        if not (about_data(ctx.doc.section_title(m.start()))
                or sentences.search(_TUNING_WORD, m.start())):
            continue
        after = ctx.card.text[m.end():m.end() + 200]
        if _IN_DATASET_LINK.match(after) or _about_another_model(ctx, m.start(), sentences):
            continue
        listed = _LISTED_BEFORE.search(ctx.card.text, max(0, m.start(1) - 120), m.start(1))
        names = [n.strip() for n in re.split(r",\s*|\s+(?:and|&)\s+", listed.group(1))
                 ] if listed else []
        for name in [*names, m.group(1).strip()]:
            if name and name.casefold() not in {"the", "this", "our", "a", "same"} and \
                    not _NOT_TRAINING_DATA.match(name) and \
                    not (own and own.startswith(name.casefold())):
                yield DatasetUse(DatasetRef(None, name),
                                 ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))


def _table_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """First-column names of a "Source | ..." table (:func:`_data_table_rows`)."""
    for offset, name in _data_table_rows(ctx):
        ref = DatasetRef(name, name) if is_repo_id(name, require_org=True) else \
            DatasetRef(None, name)
        yield DatasetUse(ref, ctx.evidence(Method.TABLE, offset, offset + len(name), 0.6))


_LISTED_BEFORE = re.compile(r"((?:[A-Z][\w.+-]*,\s*)*[A-Z][\w.+-]*)\s+(?:and|&)\s+$")
_SOURCE_HEADER = re.compile(r"(?i)^\W*(?:source|dataset|data(?:set)? name|name|corpus)\W*$")
_GENERIC_DATA = re.compile(r"(?i)\b(?:custom|synthetic|own|internal|private|in-house|total)\b")


_LIST_LINK = re.compile(r"\s*[-*+]\s*\[[^\]]*\]\((https?://[^)\s]+)\)")


def _about_another_model(ctx: Context, offset: int, lines: Sentences) -> bool:
    """Whether ``offset`` is in a list item that starts with a link to another model."""
    link = lines.at_line_start(_LIST_LINK, offset)  # read once per line
    if link is None or link.end() > offset:
        return False
    ref = parse_hub_url(link.group(1))
    return ref is not None and ref.kind == "model" and not ctx.is_own(ref.id)


# Where the datasets a model was trained on are named, in order; the first use of each is kept.
_DATASET_SOURCES: tuple[Callable[[Context, Sentences], Iterator[DatasetUse]], ...] = (
    _dataset_links, _dataset_repos_linked_as_models, _listed_dataset_ids, _named_by_links,
    _trainer_datasets, _named_datasets, _table_datasets,
)


_SPLIT_WORD = re.compile(r"(?i)(?:^|[ \t_-]+)(?:train(?:ing)?|dev(?:elopment)?|valid(?:ation)?|val|"
                         r"test(?:ing)?)(?:[ \t]+(?:set|split))?$")


def _data_table_rows(ctx: Context) -> Iterator[tuple[int, str]]:
    """First-column names of a "Source | ..." table in a training-data section."""
    text = ctx.card.text
    for section in ctx.doc.sections:
        if not re.search(r"(?i)(?:training|fine-?tuning)\s+data|datasets?\b", section.title) or \
                EVAL_SECTION.search(section.title):
            continue
        lines = text[section.start:section.end].split("\n")
        offset = section.start
        for i, line in enumerate(lines[:-1]):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.lstrip().startswith("|") and cells and _SOURCE_HEADER.match(cells[0]) and \
                    re.match(r"\s*(?:\|\s*)?:?-{3,}", lines[i + 1]):
                row_offset = offset + len(line) + len(lines[i + 1]) + 2
                for row in lines[i + 2:]:
                    if not row.lstrip().startswith("|"):
                        break
                    first = row.strip().strip("|").split("|")[0].strip(" *_`")
                    # a split's row names its dataset ("Set-2 Train"), or nothing ("Dev")
                    name = _SPLIT_WORD.sub("", _without_note(first))
                    if name and not _GENERIC_DATA.search(name):
                        yield row_offset + row.find(first), name
                    row_offset += len(row) + 1
                break
            offset += len(line) + 1


def _without_note(name: str) -> str:
    r"""Return ``name`` without a parenthesised note at its end ("Set (45%)" -> "Set").

    As ``re.sub(r"\s*\([^)]*\)\s*$", "", name)``, without trying every "(" and blank.

    Examples
    --------
    >>> _without_note("Set A (45%) "), _without_note("a (b (c)"), _without_note("x (y) z")
    ('Set A', 'a', 'x (y) z')
    """
    body = name.rstrip()
    if not body.endswith(")"):
        return name
    inner = body.rfind(")", 0, len(body) - 1) + 1  # the note holds no other ")"
    opening = body.find("(", inner, len(body) - 1)
    return name if opening < 0 else body[:opening].rstrip()


def _prompt(ctx: Context) -> Iterator[Fact]:
    text = ctx.card.text[ctx.card.body_offset:]
    for m in _NAMED_PROMPT.finditer(text):
        word = (m.group(1) or m.group(2) or "").casefold()
        for name, _, exact in _PROMPT_RES:
            if word == name or exact.fullmatch(word):
                start = ctx.card.body_offset + m.start()
                yield PromptFormat(name, ctx.evidence(Method.PROSE, start, start + len(m.group(0)),
                                                      0.9))
                return
    for name, anywhere, _ in _PROMPT_RES:
        m2 = anywhere.search(text)
        if m2 is not None:
            start = ctx.card.body_offset + m2.start()
            yield PromptFormat(name, ctx.evidence(Method.PROSE, start, start + len(m2.group(0)),
                                                  0.7))
            return
