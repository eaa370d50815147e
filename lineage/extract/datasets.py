"""Datasets a model was trained or fine-tuned on, as its card's body names them.

Hub dataset links outside evaluation sections, "on the Y dataset", named "X dataset"
mentions in data sections, non-Hub links in training sentences, "Source | ..." tables.
Only training uses count: evaluation sets, a quantisation's calibration set and the data
of other models the card mentions are left out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from functools import cache

from lineage.extract.context import Context
from lineage.extract.dataset_context import (
    CJK_TUNED,
    RULE_ROW,
    after_a_test,
    benchmark_or_template,
    dated_news,
    in_table_header,
    link_names_no_data,
    name_before,
    no_training_bridge,
    source_or_part,
)
from lineage.extract.prose import trainer_dataset
from lineage.extract.scan import Anchored, Gated
from lineage.extract.sentences import (
    TRAINERS,
    Sentences,
    about_evaluation,
    prose_positions,
    sentences_of,
)
from lineage.facts import DatasetRef, DatasetUse, Method
from lineage.ids import is_repo_id, parse_hub_url

__all__ = ["corpus_part", "datasets"]

_TUNING_WORD = re.compile(r"(?i)train|fine-?tun")
# Trainers a link may name ("trained with [Axolotl](...)"): tools, not data.
_TOOL = re.compile("(?i)" + "|".join(pattern for _, pattern, _ in TRAINERS))
_DATA_SECTION = re.compile(r"(?i)data|credit|train|fine-?tun|acknowledg")
_IN_DATASET_LINK = re.compile(
    r"[^\]\n]{0,60}\]\(\s*https?://(?:huggingface\.co|hf-mirror\.com)/datasets/")
_IN_LINK = re.compile(r"[^\[\]\n]{0,60}\]\(")
# Anchored: a name longer than 240 characters is not looked for. Up to four capitalised
# words before "dataset", split only at spaces: "[ -]" between words could split a long
# hyphenated name (a GGUF file name) in every way, and the words already take hyphens.
# A version word goes on the name: "SQuAD v1 dataset"; "the ItWac corpus" names one too, and
# so does "the **SetBooks** dataset" (bold).
_NAMED_DATASET = Anchored(re.compile(
    r"(?<![\w/.-])([A-Z][\w.+-]*(?: (?:[A-Z0-9][\w.+-]*|v\d[\w.]*)){0,3}|"
    r"(?<=\")[\w.+ -]{2,60}(?=\")|(?<=`)[\w.+/-]{2,60}(?=`))(?:[\"`]|\*\*)?,?\s+"
    r"(?:data\s*set|dataset|corpus|corpora)s?\b"),
    re.compile(r"data\s*set|corp(?:us|ora)"), reach=240, span=10, starts=("data", "corp"))
# "X, a corpus which was obtained by classifying the Y corpus", "paraphrases, mainly derived
# from Y": a clause that says what another set was made from; Y after it is that source.
_SOURCE_CLAUSE = re.compile(
    r"(?i)(?:\b(?:which|that)[ \t]{1,4}(?:was|were|is|are|ha(?:s|ve)[ \t]{1,4}been)|,)[ \t]{1,4}"
    r"(?:(?:mainly|mostly|largely|partly|all|first)[ \t]{1,4})?(?:obtained|derived|extracted|built|"
    r"created|collected|sampled|taken|filtered|crawled|mined|scraped|compiled)\b")
_SOURCE_OF_DATA = re.compile(r"(?i)\b(?:derived|created|built|collected|extracted|compiled|"
                             r"sampled|taken)[ \t]+from\b")
# A language alone is no corpus's name: "the Italian corpus".
_LANGUAGES = (
    r"English|German|French|Spanish|Italian|Portuguese|Dutch|Russian|Chinese|Japanese|Korean|"
    r"Arabic|Turkish|Polish|Czech|Swedish|Finnish|Danish|Norwegian|Greek|Hindi|Vietnamese|Thai|"
    r"Indonesian|Malay|Persian|Hebrew|Ukrainian|Romanian|Hungarian|Bengali|Urdu|Tamil|Catalan|"
    r"Basque|Mongolian|Sanskrit|Icelandic|Multilingual|Monolingual")
_LANGUAGE = re.compile(f"(?:{_LANGUAGES})")
_LANGUAGE_WORD = re.compile(f"(?:{_LANGUAGES})\\b")
_LANGUAGE_BEFORE = re.compile(f"(?<![\\w-])({_LANGUAGES})[ \\t]+$")
_LANGUAGE_ONLY = re.compile(f"(?:{_LANGUAGES}|Parallel|Web|News|Text|Training|Pretraining|"
                            r"Pre-training)")
# "To reproduce the results, refer to [X](...)": the data of an evaluation.
_REPRODUCE_RESULTS = re.compile(r"(?i)\breproduc\w*\b[^.\n]{0,40}\bresults?\b")
# "the X dataset for evaluation": a set the model was tested on.
_EVALUATION_USE = re.compile(r"(?i)\bfor (?:the )?evaluat|\bto evaluate\b")
# "a Crawl-based dataset": a kind of data named after where it comes from, no name.
_ADJECTIVE = re.compile(r"(?i)-(?:based|derived|like|style|sized)$")
# Capitalised at a sentence's or a heading's start, not part of the name: "The X dataset",
# "## Load X dataset".
_LEADING_WORD = re.compile(r"(?:The|This|These|Our|Its|Their|Each|Every|Load|Loading|Download|"
                           r"Downloading|Prepare|Preparing|Preprocess|Preprocessing|Process|"
                           r"Processing|Import|Use|Using|Get|Create|Creating|Build|Building) ")
# One word that says what a set is for or how it was made, not which set it is: "the
# Original dataset format", "trained on the DPO dataset", "the Combined dataset".
_GENERIC_NAME = re.compile(
    r"(?i)(?:original|code|text|image|audio|training|train|fine-?tuning|instruction|preference|"
    r"dpo|sft|rlhf|ppo|orpo|kto|combined|merged|full|final|new|raw|clean(?:ed)?|processed|"
    r"curated|filtered|augmented|annotated|labell?ed|generated|sample|example|entire|whole|"
    r"above|below|following|given|resulting|main|base|target|source|public|large|small|all|"
    r"these|those|such|both|some|many|several|other|others|synthetic|additional|various|"
    r"multiple|open|proprietary|internal|external|existing|different|specific|real|"
    # a task, not a set: "several well-known QA datasets"
    r"qa|nli|ner|pos|summari[sz]ation|classification|translation|sentiment|dialogue|chat)")
# Words that name a quantisation or evaluation set, never training data.
_NOT_TRAINING_DATA = re.compile(r"(?i)^(?:gptq|awq|gguf|exl2|imatrix|calibration|quanti[sz]ation|"
                                r"eval(?:uation)?|test|validation|benchmark)$")
# A picture or a sound a card shows, hosted in a dataset repo: no training data.
_MEDIA_FILE = re.compile(r"(?i)\.(?:png|jpe?g|gif|webp|svg|bmp|mp4|webm|mov|mp3|wav|flac|ogg)$")
_TEST_SET = re.compile(r"(?i)(?:^|[-_/])(?:test|eval|evaluation|benchmark)(?:$|[-_])")

# Trailing markup after the id starts with "`" or "*": a "_" there belongs to the id, and
# letting either take it splits a long run of "_" every way.
_ID_ITEM = re.compile(r"(?m)^[ \t]*[-*+][ \t]+[`*_]*([A-Za-z0-9][\w.-]*/[\w.-]+)"
                      r"(?:[`*][`*_]*)?[ \t]*$")


_PRETRAINING_DATA = re.compile(r"(?i)pre-?training (?:data|corpus|dataset)")
_PRETRAINED = re.compile(r"(?i)pre-?train")


def _has_parent(ctx: Context) -> bool:
    base = ctx.card.meta.get("base_model")
    return bool(base) or re.search(r"(?i)fine-?tun|based on|sft|dpo", ctx.card.body) is not None


def _item_ends(ctx: Context) -> Iterator[tuple[int, int]]:
    """Where each list item that :func:`_items` reads starts, and where its name ends."""
    for line, at, name in _items(ctx):
        yield line, at + len(name)


def _linked_starts(ctx: Context) -> set[int]:
    """Where the link texts that :func:`_linked_names` reads start."""
    return {offset for offset, _, _ in _linked_names(ctx)}


def _linked_names(ctx: Context) -> Iterator[tuple[int, str, str]]:
    """Find datasets named by the text of a non-Hub link in a training sentence.

    Example: "pre-trained on the [C4 corpus](https://www.tensorflow.org/...)".
    """
    text = ctx.card.text
    fields = {m.group(2) for m in ctx.body_matches(_FIELD_LINK)}  # named there, as "Dataset: X"
    found = sorted([*ctx.body_matches(_TRAINED_ON_LINK), *ctx.body_matches(_TRAINING_DATA_LINK),
                    *ctx.body_matches(_LINK_AS_TRAINING)], key=lambda m: m.start("label"))
    for m in found:
        if _NOT_DATA_BRIDGE.search(text, m.start("via"), m.start("label")) or \
                no_training_bridge(text, m.start(), m.start("label")) or \
                _in_base_section(ctx, m.start()):
            continue
        # "pretrained on [X]" in the card of a model with a front-matter base: the base's data
        if _PRETRAINED.match(m.group(0)) and ctx.card.meta.get("base_model"):
            continue
        # "... with the [A](...) and [B](...)": every link the sentence lists.
        links = [(m.start("label"), m.group("label"), m.group("url"), m.end())]
        pos = m.end()
        while (more := _AND_LINK.match(text, pos)) is not None:
            links.append((more.start(1), more.group(1), more.group(2), more.end()))
            pos = more.end()
        with_tool = _WITH.search(text, m.start(), m.start("label")) is not None
        for offset, label, url, end in links:
            name = _ARTICLE.sub("", label.strip(" *_`"))
            tool = _TOOL.search(name) is not None or _PLATFORM.search(name) is not None or (
                    with_tool and _CODE_HOST.match(url) is not None and
                    _DATA_WORD.search(name) is None)
            # a code repository, a web service, a word's encyclopedia article
            tool = tool or link_names_no_data(text, end, name, url)
            # "fine-tuned with [X](paper)": a method; "with [A](...) and [B](paper)": data
            method = with_tool and offset == m.start("label") and _PAPER_HOST.match(url) is not None
            if "huggingface.co" not in url and 2 <= len(name) <= 80 and not tool and \
                    not method and url not in fields and _NOT_A_NAME.search(name) is None and \
                    _OWNED.match(name) is None and not _LINK_TEXT_NO_NAME.fullmatch(name):
                yield offset, name, url


def _in_base_section(ctx: Context, pos: int) -> bool:
    """Whether ``pos`` is in a section below the top about the base model.

    "## Details of the language model": the base's data; "# Wren pretrained model" is the
    card's own title.
    """
    sections = ctx.doc.sections_at(pos)
    return bool(sections) and sections[-1].level > 1 and \
        _BASE_MODEL_TITLE.search(sections[-1].title) is not None


# "trained on a [dataset](...) of 11M images": the link's text is no name.
_LINK_TEXT_NO_NAME = re.compile(r"(?i)(?:the[ \t]+|a[ \t]+)?(?:data[ \t]*sets?|data|corpus|"
                                r"corpora)")


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
_ON_LINK = re.compile(r"(?i)\bon\s+(?:the\s+)?\[[^\[\]\n]*\]\(\s*$")
_LINK_THEN_DATASET = re.compile(r"(?i)[^)\s]*\s*\)\s*data\s*sets?\b")
_AND_LINK = re.compile(r"\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?\[([^\]]{2,80})\]\((https?://[^)\s]+)\)")
# Trained or fine-tuned "on" a link, or on a part "of" it ("trained on the Greek part of
# [X](...)", "fine-tuned on [X](...)"); "with" a link, or with "A and [B](...)". Not "from":
# "abstracts from [X](...)" names a part of X that is a dataset of its own.
_TRAINED_ON_LINK = Gated(re.compile(
    r"(?i)\b(?:(?:pre-?)?train(?:ed|ing)?|fine-?tun(?:ed|ing|e))\b[^.\n\[]{0,40}?\b"
    r"(?P<via>on\s+(?:the\s+|an?\s+)?(?:[^.\n\[]{0,60}?(?:\b(?:and|of)\s+|\w\s+\())?|"
    r"with\s+(?:the\s+)?(?:[^.\n\[]{0,40}?\band\s+)?|"
    # "fine-tune is completed with data from [X](...)"
    r"(?:with|using|on)\s+(?:the\s+)?(?:data|texts?|samples|examples)\s+(?:from|of)\s+(?:the\s+)?)"
    r"\[(?P<label>[^\]]{2,80})\]\((?P<url>https?://[^)\s]+)\)"
), "train", "tun", starts=("pre-train", "pretrain", "train", "fine-tun", "finetun"))
# "The training data includes [A](...), [B](...)", "the training corpus was taken from [X](...)".
_TRAINING_DATA_LINK = Gated(re.compile(
    r"(?i)\b(?:pre-?)?training\s+(?:data(?:\s*sets?)?|corpus|corpora)\b[^.\n\[]{0,40}?\b"
    r"(?P<via>(?:includes?|including|consists?\s+of|comprises?|from)\s+(?:the\s+)?)"
    r"\[(?P<label>[^\]]{2,80})\]\((?P<url>https?://[^)\s]+)\)"), "train",
    starts=("pre-train", "pretrain", "train"))
# "utilizes the Italian part of [X](...) as training set": the link, then what it is for.
_LINK_AS_TRAINING = Gated(re.compile(
    r"(?i)\[(?P<label>[^\]\n]{2,80})\]\((?P<url>https?://[^)\s]+)\)(?P<via>[ \t]+as[ \t]+"
    r"(?:the[ \t]+|its[ \t]+|a[ \t]+)?(?:pre-?)?train(?:ing)?[ \t]+(?:set|data|corpus)\b)"),
    "train")
# Between the verb and the link: "on top of", "the weights of" name a model, not data.
# "subsets of [X](...)": a part of X that is a dataset of its own, left unnamed.
_NOT_DATA_BRIDGE = re.compile(r"(?i)\btop of|\bweights|\bcheckpoint|\bmodel|\bversion of|"
                              r"\bsubsets? of")
# Links to papers: after "with", a method.
_PAPER_HOST = re.compile(r"(?i)https?://(?:www\.)?(?:arxiv\.org|aclanthology\.org|openreview\.net|"
                         r"doi\.org|papers\.nips\.cc|proceedings\.)")
# Link texts that name no dataset.
_NOT_A_NAME = re.compile(r"(?i)\b(?:paper|blog|here|this|link|recipe|github|code|script)s?\b")


# "[an original Set-A](...)", "[the original Set-A](...)": no part of the name ("The Pile"
# keeps its "The").
_ARTICLE = re.compile(r"(?i)^(?:an?[ \t]+(?:original[ \t]+)?|the[ \t]+original[ \t]+)")
# "[our forum](...)": a possessive says whose, not which dataset.
_OWNED = re.compile(r"(?i)(?:our|my|their|its|your)\b")
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
                       not about_evaluation(title))
    for m in ctx.body_matches(_ID_ITEM):
        if about_data(ctx.doc.section_title(m.start())) and is_repo_id(m.group(1)):
            yield m.start(1), m.group(1)


def datasets(ctx: Context) -> Iterator[DatasetUse]:
    """Datasets the model was trained on, once each, from every source in table order.

    A name that holds a word naming a dataset the card gives by id ("Set-A QQP" beside
    ``org/set-a``, "Dutch Voices" beside ``org/voices_11_0``) is a part of that dataset.
    """
    seen: set[str] = set()
    sentences = sentences_of(ctx.card.text)
    uses = [use for source in _DATASET_SOURCES for use in source(ctx, sentences)]
    # A table's row or a list item spells a name as the set's makers do: it names the set
    # where prose spells it otherwise ("the Wave Set corpus" beside "[WaveSet](...)").
    spelled = {same_dataset_key(name): name for name in
               [*(name for _, name in _data_table_rows(ctx)), *(n for _, _, n in _items(ctx))]}
    given = _strings(ctx.card.meta.get("datasets"))
    given_ids = [*given, *(u.ref.id for u in uses if u.ref.id)]
    ids = {re.sub(r"\d+$", "", _compact(rid.rsplit("/", 1)[-1])) for rid in given_ids}
    # A name spelling an id's name ("SQuAD 2.0" beside squad_v2) is that dataset.
    id_names = {same_dataset_key(rid.rsplit("/", 1)[-1]) for rid in given_ids}
    for use in uses:
        if use.ref.id is None and (part := corpus_part(use.ref.name)) != use.ref.name:
            use = DatasetUse(DatasetRef(None, part), use.evidence)  # "German Wikipedia dump"
        if use.ref.id is None and (_UNFILLED.fullmatch(use.ref.name.strip()) or
                                   _NO_DATASET.fullmatch(use.ref.name.strip())):
            continue  # a template's unfilled value ("the None dataset"), a script, a platform
        if use.ref.id is not None and "/" in use.ref.id:
            key = use.ref.id.casefold()
        else:
            key = same_dataset_key(use.ref.id or use.ref.name)
        if use.ref.id is None and key in id_names:
            continue
        if key not in seen and (use.ref.id or not _part_of(use.ref.name, ids)):
            seen.add(key)
            if use.ref.id is None and spelled.get(key, use.ref.name) != use.ref.name:
                use = DatasetUse(DatasetRef(None, spelled[key]), use.evidence)
            yield use


# Names that are no dataset: a script ("generate_chat.py"), the platform that hosts the data,
# or words for data in general ("private", "training data").
_NO_DATASET = re.compile(r"(?i)[\w./-]+\.(?:py|sh|ipynb|ya?ml|toml|cfg)|hugging ?face(?: hub)?|"
                         r"github|kaggle|private(?: data)?|(?:our |the )?(?:own |internal )?"
                         r"(?:training|train|fine-?tuning) data")
# Values a card template writes where nothing was filled in.
_UNFILLED = re.compile(r"(?i)none|null|n/?a|nan|unknown|tbd|todo|\[?more information needed\]?|"
                       r"\{\{.*\}\}|<[^>]*>")


# A version after a name, however written: "2.0", "v2", "_v2", " V2.0" (a ".0" adds nothing).
_VERSION = re.compile(r"(?<=[^\W\d_])[\s_-]*v?(\d+)(?:[._]0)?(?![\d.])|"
                      r"(?<=[^\W\d_])[\s_-]*v?(\d+[._]\d+)(?![\d.])")


def same_dataset_key(name: str) -> str:
    """Return the key under which two spellings of one dataset name are the same.

    Case, separators and the notation of a version are folded: "SQuAD 2.0", "squad_v2" and
    "SQuAD v2" are one key; "SQuAD v1.1" stays another.

    Examples
    --------
    >>> same_dataset_key("SQuAD 2.0") == same_dataset_key("squad_v2")
    True
    >>> same_dataset_key("SQuAD v1.1") == same_dataset_key("SQuAD 2.0")
    False
    """
    folded = _VERSION.sub(lambda m: "v" + (m.group(1) or m.group(2).replace("_", ".")),
                          name.casefold())
    return re.sub(r"[^\w.]+|_", "", folded)


def _compact(name: str) -> str:
    """Return ``name`` lower case without separators: "Common_Voice-11" -> "commonvoice11"."""
    return re.sub(r"[\W_]+", "", name.casefold())


def _part_of(name: str, ids: set[str]) -> bool:
    """Whether a word of ``name`` is one of ``ids`` (names without a version after them)."""
    words = [_compact(w) for w in name.split()]
    return len(words) > 1 and any(len(w) >= 3 and w in ids for w in words)


def _strings(value: object) -> list[str]:
    """Return a front matter value as a list of strings (a string alone, or a list's)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dataset_links(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Hub dataset links, but those about evaluation, quantisation or the base model.

    Left out: leaderboard details and test sets, a quantisation's calibration set (a GPTQ
    table's dataset column), "the base's pretraining data" when the card has a base, and
    links in an evaluation section that is not also about data.
    """
    tables: dict[int, bool] = {}
    has_parent: bool | None = None
    about_data = cache(lambda title: _DATA_SECTION.search(title) is not None)
    for link in ctx.links:
        if link.ref.kind != "dataset" or link.in_front_matter:
            continue
        rid = link.ref.id
        org = rid.split("/", 1)[0].casefold()
        if rid.casefold() in _PLACEHOLDER_IDS or "leaderboard" in org or "/details_" in rid or \
                _TEST_SET.search(rid) or _MEDIA_FILE.search(link.url.split("?", 1)[0]) or \
                _in_quant_table(ctx, link.offset, sentences, tables):
            continue
        if sentences.search(_PRETRAINING_DATA, link.offset) is not None:
            has_parent = _has_parent(ctx) if has_parent is None else has_parent
            if has_parent:
                continue
        if any(about_evaluation(title) for title in ctx.doc.section_path(link.offset)) and \
                not about_data(ctx.doc.section_title(link.offset)):
            continue
        if benchmark_or_template(ctx.card.text, link.offset, link.offset + len(link.url)) or \
                dated_news(ctx.card.text, sentences, link.offset):
            continue
        if _about_another_model(ctx, link.offset, sentences) or \
                sentences.search(_REPRODUCE_RESULTS, link.offset) or \
                in_table_header(ctx.card.text, sentences, link.offset) or \
                after_a_test(ctx.card.text, sentences, link.offset):
            continue
        yield DatasetUse(DatasetRef(rid, rid), ctx.evidence(Method.LINK, link.offset,
                                                            link.offset + len(link.url), 0.8))


def _dataset_repos_linked_as_models(ctx: Context, sentences: Sentences,
                                    ) -> Iterator[DatasetUse]:
    """Dataset repos linked without /datasets/ right after the word "dataset".

    "a modified Winogrande dataset (c.f. [x](https://huggingface.co/org/x))", or "on" one
    and right before it: "fine-tuned on [org/x](https://huggingface.co/org/x) dataset".
    """
    text = ctx.card.text
    for link in ctx.links:
        if link.ref.kind != "model":
            continue
        before = text[max(0, link.offset - 120):link.offset]
        after = link.offset + len(link.url)
        if _DATASET_THEN_LINK.search(before[-40:]) or (
                _ON_LINK.search(before) and _LINK_THEN_DATASET.match(text, after)):
            rid = link.ref.id
            yield DatasetUse(DatasetRef(rid, rid), ctx.evidence(Method.LINK, link.offset,
                                                                link.offset + len(link.url), 0.6))


def _listed_dataset_ids(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Bare ``org/name`` list items in a section about data (:func:`_dataset_list_items`)."""
    for offset, rid in _dataset_list_items(ctx):
        yield DatasetUse(DatasetRef(rid, rid),
                         ctx.evidence(Method.PROSE, offset, offset + len(rid), 0.7))


def _named_by_links(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Datasets named by the text of a non-Hub link in a training sentence.

    Where the card links the same address elsewhere by the name that ends it ("[Set-es-v1]
    (https://host/sets/Set-es-v1)"), that name is the set's; "[Spanish Set v1 dataset](...)"
    describes it.
    """
    text = ctx.card.text
    for offset, name, url in _linked_names(ctx):
        end = offset + len(name)
        last = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if last and last != name and re.search(r"\[[ \t*_`]{0,2}" + re.escape(last) +
                                               r"[ \t*_`]{0,2}\]\(\s*" + re.escape(url) + r"\s*\)",
                                               text) is not None:
            name = last
        yield DatasetUse(DatasetRef(None, name), ctx.evidence(Method.PROSE, offset, end, 0.6))


# An owner-less dataset id that a template left unfilled: huggingface.co/datasets/unknown.
_PLACEHOLDER_IDS = frozenset({"unknown", "none", "n-a", "na", "tbd", "todo", "dataset", "datasets",
                              "your-dataset", "your_dataset", "my-dataset", "my_dataset"})
# "an Italian dataset", "a large Arabic Twitter dataset" (a language after a described
# article): some dataset, not one by name; "a filtered Wren-QA dataset" names Wren-QA.
_INDEFINITE = re.compile(r"(?i)\ban?[ \t]+$")
_INDEFINITE_DESCRIBED = re.compile(r"\b[Aa]n?[ \t]+(?:[a-z][\w-]{0,20}[ \t]+){1,2}$")
# Words that stand where a dataset's name would: "on the same dataset".
_NO_NAME_WORDS = frozenset({"same", "this", "that", "these", "our", "their", "its", "following",
                            "above", "below", "previous", "new", "whole", "full", "entire",
                            "original", "same-sized", "other", "private", "internal", "proprietary",
                            "custom", "in-house", "own"})


def _trainer_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Hub ids in "fine-tuned version of [X](...) on the Y dataset" sentences."""
    for offset, name in trainer_dataset(ctx):
        rid = name.strip("./")
        if is_repo_id(rid) and rid.casefold() not in _NO_NAME_WORDS:
            yield DatasetUse(DatasetRef(rid, rid),
                             ctx.evidence(Method.PROSE, offset, offset + len(name), 0.8))


def _named_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Names before the word "dataset" in a data section or a sentence about tuning.

    "the MNLI and SNLI datasets" gives both. Left out: a dataset link's own text, a list
    item about another model, a quantisation or evaluation set, and a family named like
    the model ("the Acme-3 datasets" in the card of Acme-3-mini).
    """
    about_data = cache(lambda title: _DATA_SECTION.search(title) is not None)
    own = (ctx.own_id or ctx.own_name or "").rsplit("/", 1)[-1].casefold()
    linked: set[int] | None = None
    items: dict[int, int] | None = None
    text = ctx.card.text
    for m in prose_positions(ctx, _NAMED_DATASET):
        if not (about_data(ctx.doc.section_title(m.start()))
                or sentences.search(_TUNING_WORD, m.start())):
            continue
        if _INDEFINITE.search(text, max(0, m.start() - 4), m.start()) or (
                _LANGUAGE_WORD.match(m.group(0)) and
                _INDEFINITE_DESCRIBED.search(text, max(0, m.start() - 50), m.start())):
            continue  # "fine-tuned on an Italian dataset": some dataset, not one by name
        after = ctx.card.text[m.end():m.end() + 200]
        if _IN_DATASET_LINK.match(after) or _about_another_model(ctx, m.start(), sentences):
            continue
        if sentences.search(_EVALUATION_USE, m.start()) or \
                after_a_test(text, sentences, m.start()):  # "the X dataset for evaluation"
            continue
        line, _ = sentences.line(m.start())
        items = dict(_item_ends(ctx)) if items is None else items
        if items.get(line, sys.maxsize) <= m.start():  # describes the corpus its item names
            continue
        if _IN_LINK.match(after):  # in a link's text that names the dataset whole
            linked = _linked_starts(ctx) if linked is None else linked
            if ctx.card.text.rfind("[", max(0, m.start() - 80), m.start()) + 1 in linked:
                continue
        corpus = m.group(0).rstrip("s").casefold().endswith(("corpus", "corpora", "corpu"))
        if corpus and sentences.search(_SOURCE_OF_DATA, m.start()):
            continue  # "this dataset was derived from the X corpus": its source
        if _SOURCE_CLAUSE.search(text, max(sentences.span(m.start())[0], m.start() - 300),
                                 m.start()):
            continue
        listed = _LISTED_BEFORE.search(ctx.card.text, max(0, m.start(1) - 120), m.start(1))
        names = [n.strip(" `") for n in re.split(r",\s*|\s+(?:and|&)\s+", listed.group(1))
                 ] if listed else []
        for name in [*names, m.group(1).strip()]:
            while (lead := _LEADING_WORD.match(name)) is not None:
                name = name[lead.end():]
            if corpus and " " not in name and not re.search(r".[A-Z0-9-]", name):
                continue  # "the Reuters corpus", "a Yoruba corpus": a source or a language
            if name and name.casefold() not in {"the", "this", "our", "a", "same"} and \
                    ". " not in name and \
                    not _NOT_TRAINING_DATA.match(name) and not _ADJECTIVE.search(name) and \
                    not _GENERIC_NAME.fullmatch(name) and not _LANGUAGE_ONLY.fullmatch(name) and \
                    not _own_family(own, name):
                yield DatasetUse(DatasetRef(None, name),
                                 ctx.evidence(Method.PROSE, m.start(), m.end(), 0.6))


def _translated(name: str, other: str) -> bool:
    """Whether ``other`` is ``name`` with a language code after a hyphen ("Set-2-es-v2")."""
    head = other[:len(name)]
    return head.casefold() == name.casefold() and \
        _LANGUAGE_CODE.match(other, len(name)) is not None


# ISO 639-1 codes of the languages :data:`_LANGUAGES` names, after a hyphen.
_LANGUAGE_CODE = re.compile(r"-(?:en|de|fr|es|it|pt|nl|ru|zh|ja|ko|ar|tr|pl|cs|sv|fi|da|no|el|hi|"
                            r"vi|th|id|ms|fa|he|uk|ro|hu|bn|ur|ta|ca|eu|mn|sa|is)(?:-|$)")


def _own_family(own: str, name: str) -> bool:
    """Whether ``name`` is the family the card's own model is named after.

    "Acme-3" in the card of ``acme-3-mini`` or of ``org-acme-3-mini``.
    """
    key = re.sub(r"[\s_]+", "-", name.casefold())
    return bool(own) and (own.startswith(key) or f"-{key}-" in f"-{own}-")


def _table_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """First-column names of a "Source | ..." table (:func:`_data_table_rows`).

    A name that another row's name holds as a word ("Set-2" beside "Dutch Set-2"), or with a
    language code after it ("Set2.0" beside "Set2.0-es-v2.0"), is the source that one was made
    from (translated, filtered), not trained on itself.
    """
    rows = list(_data_table_rows(ctx))
    for offset, name in rows:
        if any(name.casefold() in other.casefold().split() or _translated(name, other)
               for _, other in rows if other != name):
            continue
        ref = DatasetRef(name, name) if is_repo_id(name, require_org=True) else \
            DatasetRef(None, name)
        yield DatasetUse(ref, ctx.evidence(Method.TABLE, offset, offset + len(name), 0.6))


# A field that names the training data: "* dataset: X", "**Training data**: X", "- Corpora: X",
# "## Training data: X" (a release note's key list); its value a short name, not a sentence.
_FIELD = Gated(re.compile(
    r"(?im)^[ \t]*(?:[-*+][ \t]+|\#{1,6}[ \t]+)?[*_]*"
    r"(?:(?:(?:pre-?)?train(?:ing)?|fine-?tuning)[ \t]+"
    r"(?:data(?:[ \t]*sets?)?|corpus|corpora|sets?)|data[ \t]*sets?|corpus|corpora)"
    r"[*_]*[ \t]*:[*_ \t]*([^\n]{1,80}?)[ \t]*$"), "data", "corp", "set")
# A spec table's row: "| Dataset | Set-A v3 |", "| **Training data** | Set-A |" (two cells).
_FIELD_ROW = Gated(re.compile(
    r"(?im)^[ \t]*\|[ \t]*[*_]*(?:(?:(?:pre-?)?train(?:ing)?|fine-?tuning)[ \t]+"
    r"(?:data(?:[ \t]*sets?)?|corpus|corpora)|data[ \t]*sets?|corpus|corpora)[*_]*[ \t]*\|"
    r"[ \t]*([^|\n]{1,80}?)[ \t]*\|[ \t]*$"), "data", "corp")
# "Subsets of Set-A": the set.
_PART_OF = re.compile(r"(?i)^(?:(?:a|the)[ \t]+)?(?:subsets?|parts?|portions?|samples?)[ \t]+"
                      r"of[ \t]+(?:the[ \t]+)?")
# A link whose text is such a field: "[Dataset: X](https://...)".
_FIELD_LINK = Gated(re.compile(
    r"(?i)\[[*_ \t]*(?:training[ \t]+)?data[ \t]*set[*_ \t]*:[ \t]*([^\]\n]{2,60})\]"
    r"\((https?://[^)\s]+)\)"), "data")
# A value that is no name: a placeholder, a description, a link (read as a link).
_NOT_FIELD_VALUE = re.compile(
    r"(?i)\]\(|https?:|\. |^(?:n/?a|none|unknown|tbd|todo|various|see\b|more information|same\b)|"
    r"\b(?:custom|synthetic|own|internal|private|in-house|proprietary)\b")


# "Hugging Face's `sms_spam`": where a set is hosted is not part of its name.
_HOSTED_BY = re.compile(r"(?i)^(?:the[ \t]+)?(?:hugging[ \t]*face|kaggle|tensorflow[ \t]+datasets|"
                        r"tfds|github|papers[ \t]+with[ \t]+code|modelscope)['\u2019]s[ \t]+")
_QUOTES = " *_`'\"\u2018\u2019\u201c\u201d.;"


def _under_evaluation(ctx: Context, pos: int) -> bool:
    """Tell whether ``pos`` is in a section under one about evaluation.

    "## Evaluation" then "#### Triplet": a dataset field there names evaluation data.
    """
    return any(about_evaluation(title) for title in ctx.doc.section_path(pos)[:-1])


def corpus_part(name: str) -> str:
    """Return the public corpus a name gives with its language, a date or a dump's words.

    "Arabic Wikipedia", "a dump of Italian Wikipedia (November 2019)", "dumping wikipedia",
    "German Wikipedia Article Pages Dump (20200701)" are Wikipedia; a name with any other
    word ("Wikipedia-ITA", "Common Crawl News") stays as it is.

    Examples
    --------
    >>> [corpus_part(n) for n in ("Arabic Wikipedia", "dumping wikipedia", "OSCAR Arabic")]
    ['Wikipedia', 'Wikipedia', 'OSCAR']
    >>> [corpus_part(n) for n in ("Wikipedia-ITA", "Common Crawl News", "SetQA")]
    ['Wikipedia-ITA', 'Common Crawl News', 'SetQA']
    >>> [corpus_part(n) for n in ("Common Voice 8", "Wikipedia Talk Pages Dump (20200620)")]
    ['Common Voice 8', 'Wikipedia']
    >>> corpus_part("wikipedia-20220301.en.hf")
    'Wikipedia'
    >>> corpus_part("Dutch part of the OSCAR corpus from Acme Lab")
    'OSCAR'
    """
    dump = _DATED_DUMP.fullmatch(name)
    if dump is not None and _CORPUS_NAME.fullmatch(dump.group(1)):
        name = dump.group(1)  # "wikipedia-20220301.en.hf": a dump's date, language, format
    m = _CORPUS_NAME.search(name)
    if m is None or len(name) > 120:
        return name
    # (a link written after the name, "(https://...)", says where, not which part; "from
    # Acme Lab" after the corpus says who cut the part)
    after = name[m.end():]
    provider = _PROVIDER.search(after)
    after = after[:provider.start()] if provider is not None else after
    rest = _PART_WORD.findall(_URL.sub(" ", name[:m.start()] + " " + after))
    # A language names a part of a web corpus, but a translation of a task set ("Dutch SQuAD")
    web = _WEB_CORPUS.fullmatch(m.group(0)) is not None
    if len(rest) > 6 or not all((web and _LANGUAGE.fullmatch(w.title()))
                                or _DUMP_WORD.fullmatch(w) for w in rest):
        return name
    # A number after a task or speech set is its version ("Common Voice 8"), not a dump's date
    if not web and any(_NUMBER_WORD.fullmatch(w) for w in rest):
        return name
    corpus = m.group(0)
    return "Wikipedia" if corpus.casefold().startswith("wikipedia") else corpus


_URL = re.compile(r"https?://[^\s()]+")
_PROVIDER = re.compile(r"[ \t]+(?:from|by)[ \t]+[A-Z][\w.&-]{0,30}"
                       r"(?:[ \t]+[A-Z][\w.&-]{0,30}){0,2}$")
_DATED_DUMP = re.compile(r"(?i)([a-z]\w{1,40})[-_.](?:19|20)\d{6}(?:\.[a-z]{2,3})?"
                         r"(?:\.[a-z]{1,8})?")
_NUMBER_WORD = re.compile(r"(?i)v?\d[\w.]*")
_WEB_CORPUS = re.compile(r"(?i)wikipedias?|oscar|common ?crawl|m?c4|cc100|cc-news|fineweb|"
                         r"redpajama|slimpajama|dolma|openwebtext|webtext")
# The words around a corpus's name that only say which part or copy of it: a dump, its pages,
# a date ("May 2020", "20200701", "2019-11").
_PART_WORD = re.compile(r"[^\s,()\[\]:\u2013\u2014-]+")
_DUMP_WORD = re.compile(
    r"(?i)a|an|the|of|from|dump(?:s|ing|ed)?|articles?|talk|pages?|latest|snapshot|version|"
    r"sections?|portions?|parts?|subsets?|shuffled|deduplicated|filtered|cleaned|corpus|dataset|"
    r"\d{1,8}|v\d[\w.]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")


def _field_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Names given as a field's value (:data:`_FIELD`, :data:`_FIELD_ROW`) or link.

    A field link is :data:`_FIELD_LINK`. "* dataset: corpus-a, corpus-b" gives both; a value
    of more than five words, or of more than one word starting in lower case, reads as a
    sentence and gives nothing.
    """
    text = ctx.card.text
    rows = (m for m in prose_positions(ctx, _FIELD_ROW)
            if not RULE_ROW.match(text, m.end() + 1))  # not a table's header
    for m in (*prose_positions(ctx, _FIELD), *rows):
        value = _PART_OF.sub("", m.group(1).strip(" *_`"))
        if not value or _NOT_FIELD_VALUE.search(value) or _under_evaluation(ctx, m.start()):
            continue
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", value):
            name = _HOSTED_BY.sub("", name.strip(" *_`.;")).strip(_QUOTES)
            words = name.split()
            # a letter: "Datasets: 2.14.0" is a library's version in a framework list
            if 2 <= len(name) <= 60 and len(words) <= 5 and re.search("[^\\W\\d_]", name) and \
                    (len(words) == 1 or name[0].isupper()):
                ref = DatasetRef(name, name) if is_repo_id(name, require_org=True) else \
                    DatasetRef(None, name)
                yield DatasetUse(ref, ctx.evidence(Method.PROSE, m.start(1), m.end(1), 0.7))
    for m in prose_positions(ctx, _FIELD_LINK):
        name = m.group(1).strip(" *_`")
        if 2 <= len(name) <= 60 and not _NOT_FIELD_VALUE.search(name):
            yield DatasetUse(DatasetRef(None, name),
                             ctx.evidence(Method.LINK, m.start(1), m.end(1), 0.7))


# A section about the training data by its title: "Training data", "Pre-training corpora",
# "Fine-tuning corpus".
_DATA_TITLE = re.compile(r"(?i)(?:(?:pre-?)?train(?:ing)?|fine-?tuning)\s+"
                         r"(?:data(?:\s*sets?)?|corpus|corpora)|"
                         r"^\W*(?:data(?:\s*sets?)?|corpus|corpora)(?:\s+(?:sources?|used))?\W*$")
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)")  # bulleted or numbered
# A list led in by "future releases will include:" names no data of this model.
_NOT_YET = re.compile(r"(?i)\bfuture\b|\bwill\b|\bplann|\bupcoming\b|\bexclud")
_ITEM_LINK = re.compile(r"\[([^\]\n]{2,80})\]\((https?://[^)\s]+)\)")
# "Prompt: [x.txt](...)", "Example notebook: [...]": an item about something else than data.
_NOT_DATA_LEAD = re.compile(r"(?i)\b(?:prompts?|scripts?|code|examples?|templates?|notebooks?|"
                            r"demo)\b[^\[\]\n]{0,30}$")
_CITATION = re.compile(r"(?i)\bet al\b|\b(?:19|20)\d\d\b")
# An item's leading name: capitalised words (and a trailing "data"), then a stop: the end,
# a punctuation mark, a dash, or a word that starts a description ("BookSet, which ...").
_LEAD_NAME = re.compile(
    r"[*_`]*([A-Z][\w.+-]*(?:[ \t]+[A-Z0-9][\w.+-]*){0,4}(?:[ \t]+data)?)[*_`]*"
    r"(?=[ \t]*(?:$|[,:;(\[]|[-\u2013\u2014][ \t])|[ \t]+(?:and|containing|which|from|with)\b)")
_NOT_LEAD_NAME = re.compile(
    r"(?i)^(?:the|a|an|our|this|these|all|other|more|some)$|\b(?:data(?:sets?)?|total|size|"
    r"sources?|languages?|licen[cs]e|format|notes?|tokens|number|version|custom|synthetic|"
    r"private|internal)\b(?!$)|\b(?:datasets|data[ \t]+sets|corpora)$")  # "SFT Datasets": a kind
_FROM_NAME_URL = re.compile(
    r"\b(?:from|of)[ \t]+(?:the[ \t]+)?(?:journal[ \t]+|repository[ \t]+)?[\u201e\u201c\"]?"
    r"([A-Z][\w.-]*(?:[ \t]+[A-Z][\w.-]*){0,4})[\u201c\u201d\"]?[ \t]*\([ \t]*https?://")
# An item led by a Hub dataset id, bold or in code: "**org/name**: what it holds".
_LEAD_HUB_ID = re.compile(r"([*_`]{1,2})([\w.-]{1,96}/[\w.-]{1,96})\1"
                          r"(?=[ \t]*(?:$|[:,(]|[-\u2013\u2014][ \t]))")
_THEN_URL = re.compile(r"[ \t]*(?::|[-\u2013\u2014])[ \t]*<?https?://")
# "Term: a sentence that defines it" is a glossary of kinds of data, not a list of names.
_DEFINITION = re.compile(r"[ \t]*:[ \t]*(?:[^\s\[(]+[ \t]+){4}")


def _section_items(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Corpora named by the list items of a training-data section (:func:`_items`)."""
    for _, at, name in _items(ctx):
        ref = DatasetRef(name, name) if is_repo_id(name, require_org=True) else \
            DatasetRef(None, name)
        yield DatasetUse(ref, ctx.evidence(Method.PROSE, at, at + len(name), 0.6))


def _items(ctx: Context) -> Iterator[tuple[int, int, str]]:
    """Corpora named by the list items of a training-data section: (line, offset, name).

    An item names a corpus by a link it starts with ("The Greek part of [Wiki](...)"), else
    by its leading name ("BookSet, which consists of ...", "Power Demand: https://...",
    "SetQA [Author et al., 2019](...)"). A one-word name needs a capital inside it, a digit
    or a hyphen ("BookSet", "C4"): a plain word leads a category ("Sentiment analysis").
    Hub links are read as links; items led in by "future releases will include" are left.
    """
    text = ctx.card.text
    sections = ctx.doc.sections
    for i, section in enumerate(sections):
        if not _DATA_TITLE.search(section.title) or about_evaluation(section.title):
            continue
        end = sections[i + 1].start if i + 1 < len(sections) else section.end
        pos = section.start
        skipping = False
        while pos < end:
            stop = text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            line = text[pos:stop]
            item = _ITEM.match(line)
            if item is None:
                if line.strip() and not line.lstrip().startswith("#"):
                    skipping = _NOT_YET.search(line) is not None
            elif not skipping and not ctx.doc.in_code(pos):
                found = _item_name(item.group(1))
                if found is not None:
                    yield pos, pos + item.start(1) + found[0], found[1]
            pos = stop + 1


def _item_name(item: str) -> tuple[int, str] | None:
    """Where in a list item's text the corpus it names starts, and its name, or None."""
    hub = _LEAD_HUB_ID.match(item)
    if hub is not None and is_repo_id(hub.group(2), require_org=True):
        return hub.start(2), hub.group(2)  # "- **org/counsel-chat**: therapist answers"
    link = _ITEM_LINK.search(item, 0, 200)
    lead = item
    if link is not None and link.start() <= 60:
        if "huggingface.co" in link.group(2) or _NOT_DATA_LEAD.search(item, 0, link.start()):
            return None
        # "Cleaned Common Crawl 2019 German: [cc-tool](https://github.com/...)": a public
        # corpus's part, and the code that cut it
        named = item[:link.start()].rstrip(" \t:\u2013\u2014-").strip("*_`")
        if _CODE_HOST.match(link.group(2)) and _CORPUS_NAME.fullmatch(corpus_part(named)):
            return item.find(named), named
        label = _ARTICLE.sub("", link.group(1).strip(" *_`"))
        if not _CITATION.search(label):
            if _NOT_A_NAME.search(label) or _PLATFORM.search(label) or _TOOL.search(label):
                return None
            return link.start(1), label
        lead = item[:link.start()].rstrip()
    m = _LEAD_NAME.match(lead)
    if m is None:
        # "Fairy tales from Grimm Korpus (https://...)": the source named before its address
        source = _FROM_NAME_URL.search(lead, 0, 300)
        return (source.start(1), source.group(1)) if source is not None else None
    name = m.group(1)
    words = name.split()
    if _NOT_LEAD_NAME.search(name) or _DEFINITION.match(lead, m.end()) or (
            len(words) == 1 and not re.search(r".[A-Z0-9-]", name) and
            not _THEN_URL.match(lead, m.end())):  # "Solar: https://..." names a resource
        return None
    return m.start(1), name


# Public corpora and task sets that cards name without the word "dataset": a vocabulary of
# dataset names (no model, no organisation). Case matters but for Wikipedia. Not in an
# address ("https://en.wikipedia.org/wiki/...").
_CORPUS_NAME = re.compile(
    r"(?<![\w./-])(?:(?i:wikipedia)s?|OSCAR|BooksCorpus|BookCorpus|Common ?Crawl|m?C4|The Pile|"
    r"SNLI|MultiNLI|MNLI|XNLI|SQuAD(?: ?v?[12](?:\.[01])?)?|CodeSearchNet|OpenWebText|WebText|"
    r"CC-News|CC100|RealNews|LAION-(?:5B|2B|400M)|ImageNet|MS ?COCO|LibriSpeech|Common Voice|"
    r"VoxPopuli|GigaSpeech|OpenSubtitles|Europarl|ParaCrawl|RedPajama|SlimPajama|FineWeb|"
    r"Dolma|The Stack|PubMed)(?![\w-]|\.\w)")
# A verb of training and the word that leads to its data: "pretrained on", "trained with".
_TRAINED_ON = Gated(re.compile(
    r"(?i)\b(?:(?:pre-?)?train(?:ed|ing)|fine-?tun(?:ed|ing)|finetuned)\b[^.\n]{0,20}?"
    r"\b(?:on|with|using)\b"), "train", "tun",
    starts=("pre-train", "pretrain", "train", "fine-tun", "finetun"))
# Where a sentence turns from the training data to something else.
_CLAUSE_END = re.compile(r"(?i)\bevaluat|\btest(?:ed|ing)?\b|\bbenchmark|\bcompar|"
                         r"\boutperform|\bthan\b|\bbut\b|\bexcept\b|\bwhile\b|\bwhereas\b|"
                         r"\bunlike\b|\. |\n")
# "was not trained on X".
_NOT = re.compile(r"(?i)\b(?:not|never|no)\s+(?:\w+\s+)?$")
# A section about the model this one was made from: "## Details of the base model".
_BASE_MODEL_TITLE = re.compile(r"(?i)\b(?:base|language|original|underlying|pre-?trained|"
                               r"backbone|teacher)[ _-]model")
# A line that defines a linked thing: "[Other-LM](...) is a cross-lingual encoder".
_DEFINES_LINK = re.compile(r"\s*\[[^\]\n]+\]\([^)\s]+\)\s+(?:is|was|are|were)\b")
# "can be fine-tuned on X", "to fine-tune on X": what a reader may do, not what was done.
_MAY_BE = re.compile(r"(?i)\b(?:can|could|may|might|should|to|you)\s+(?:be\s+|further\s+)?$")


def _corpora_in_sentences(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Public corpora (:data:`_CORPUS_NAME`) named after "trained on" in the same sentence.

    "pretrained on the French part of the web corpus WebSet and Wikipedia" gives both.
    Left out: what follows a turn to evaluation ("... and evaluated on X"), what a reader
    may do ("can be fine-tuned on X"), and the pretraining data of a card that names its
    base model in its front matter (the base's data, not this model's).
    """
    text = ctx.card.text
    has_base = bool(ctx.card.meta.get("base_model"))
    about_base = cache(lambda title: _BASE_MODEL_TITLE.search(title) is not None)
    floor = 0
    for m in prose_positions(ctx, _TRAINED_ON):
        before = text[max(0, m.start() - 30):m.start()]
        if _MAY_BE.search(before) or _NOT.search(before) or \
                (has_base and re.match(r"(?i)pre-?train", m.group(0))) or \
                about_base(ctx.doc.section_title(m.start())) or \
                sentences.at_line_start(_DEFINES_LINK, m.start()) is not None:
            continue
        start = max(m.end(), floor)  # windows of near verbs are read once
        limit = min(len(text), m.end() + 300)
        stop = _CLAUSE_END.search(text, m.end(), limit)
        end = stop.start() if stop else limit
        floor = max(floor, end)
        for c in _CORPUS_NAME.finditer(text, start, end):
            # a link's text (read as a link), a part of the corpus, an example in brackets
            if _IN_LINK.match(text, c.end()) or _NOT_DATA_BRIDGE.search(text, m.end(), c.start()) \
                    or _SOURCE_CLAUSE.search(text, m.end(), c.start()) \
                    or (text[c.start() - 1:c.start()] == "(" and text[c.end():c.end() + 1] == ")"):
                continue
            yield _corpus_use(ctx, c)


def _corpus_use(ctx: Context, c: re.Match[str]) -> DatasetUse:
    """Return the use of the public corpus :data:`_CORPUS_NAME` matched.

    "Chinese SQuAD": a task set's translation is a set of its own; a web corpus's language
    names a part of it ("French OSCAR" is OSCAR).
    """
    name = c.group(0)
    name = "Wikipedia" if name.casefold().startswith("wikipedia") else name
    start = c.start()
    language = _LANGUAGE_BEFORE.search(ctx.card.text, max(0, start - 20), start)
    if language is not None and _WEB_CORPUS.fullmatch(name) is None:
        name, start = f"{language.group(1)} {name}", language.start(1)
    return DatasetUse(DatasetRef(None, name), ctx.evidence(Method.PROSE, start, c.end(), 0.6))


def _corpora_in_data_sections(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Public corpora (:data:`_CORPUS_NAME`) a training-data section names (:data:`_DATA_TITLE`).

    "## Training data", then "Mongolian Wikipedia and a news set" gives Wikipedia. Left out: code, a
    sentence that turns to something else ("unlike X", "evaluated on X"), a corpus named as
    the source or a part of another ("filtered from X", "Set-B, which contains a subset of
    X", "RedPajama - X", "code (X)"), and a longer name it is part of ("Acme X 11.0").
    """
    text = ctx.card.text
    for section in ctx.doc.sections:
        if not _DATA_TITLE.search(section.title) or about_evaluation(section.title):
            continue
        for c in _CORPUS_NAME.finditer(text, section.start, section.end):
            named = name_before(text, sentences, c.start())
            if ctx.doc.in_code(c.start()) or source_or_part(text, sentences, c.start(), c.end()) \
                    or (named is not None and not _LANGUAGE_WORD.fullmatch(named)):
                continue
            yield _corpus_use(ctx, c)


# "We set aside an evaluation set from each data set": the evaluation table's datasets are
# the ones the model was trained on, each tested on a part held out of it.
_HELD_OUT_OF_EACH = Gated(re.compile(
    r"(?i)\b(?:set aside|held[- ]out|hold out|split off)\b[^.\n]{0,60}?\b(?:from|of) each\b"),
    "each")
_NAME_TABLE = re.compile(r"(?im)^[ \t]*\|?[ \t]*[*_]*(?:data[ \t]*set|corpus|source)[*_]*[ \t]*\|"
                         r"[^\n]*\n[ \t]*\|?[ \t]*:?-{3,}[^\n]*\n")
_SUMMARY_ROW = re.compile(r"(?i)^(?:average|mean|total|overall|all)$")


def _held_out_tables(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Name the datasets of a "Dataset | ..." table that a part was held out of for testing.

    Only in a card that says it set aside an evaluation part of each dataset it was trained
    on; summary rows ("Average") and bold rows are left out.
    """
    if next(ctx.body_matches(_HELD_OUT_OF_EACH), None) is None:
        return
    text = ctx.card.text
    for table in ctx.body_matches(_NAME_TABLE):
        pos = table.end()
        while pos < len(text) and text.startswith("|", pos):
            stop = text.find("\n", pos)
            stop = len(text) if stop < 0 else stop
            first = text[pos:stop].strip().strip("|").split("|")[0]
            name = first.strip()
            if name and not name.startswith(("*", "_")) and not _SUMMARY_ROW.match(name) and \
                    re.search("[^\\W\\d_]", name):
                at = text.find(name, pos, stop)
                yield DatasetUse(DatasetRef(None, name),
                                 ctx.evidence(Method.TABLE, at, at + len(name), 0.6))
            pos = stop + 1


# "the A, B and C datasets"; "the Chinese SQuAD and C datasets" (a set's translation).
_LISTED_BEFORE = re.compile(r"((?:[A-Z][\w.+-]*,\s*)*(?:(?:" + _LANGUAGES + r") )?[A-Z][\w.+-]*|"
                            r"`[\w.+/-]{2,60}`)\s+(?:and|&)\s+`?$")
_SOURCE_HEADER = re.compile(r"(?i)^\W*(?:source|dataset|data(?:set)? name|name|corpus|"
                            r"数据集(?:名称)?)\W*$")
_GENERIC_DATA = re.compile(r"(?i)\b(?:custom|synthetic|own|internal|private|in-house|total)\b")


_LIST_LINK = re.compile(r"\s*[-*+]\s*\[[^\]]*\]\((https?://[^)\s]+)\)")
_LIST_MARK = re.compile(r"[ \t]*[-*+][ \t]")
_ROW_LINK = re.compile(r"[ \t]*\|[ \t]*[*_]{0,2}\[[^\]\n]*\]\((https?://[^)\s]+)\)")
_ITEM_LINES = 6


def _about_another_model(ctx: Context, offset: int, lines: Sentences) -> bool:
    r"""Whether ``offset`` is in a list item or table row that starts with another model's link.

    The item's lines that follow its first without a list mark of their own (at most a
    few) belong to it: "* [Chat-7B](...): a chat model.\nBuilt by tuning on [X](...)". A
    model table's row ("| [Chat-7B](...) | 1.8B | [Set-A](...) |") is about its model.
    """
    text = ctx.card.text
    start, _ = lines.line(offset)
    row = _ROW_LINK.match(text, start)
    if row is not None and row.end() <= offset:
        ref = parse_hub_url(row.group(1))
        return ref is not None and ref.kind == "model" and not ctx.is_own(ref.id)
    for _ in range(_ITEM_LINES):
        if start == 0 or _LIST_MARK.match(text, start) is not None:
            break
        above, _ = lines.line(start - 1)
        if not text[above:start - 1].strip():
            break
        start = above
    link = lines.at_line_start(_LIST_LINK, start)  # read once per line
    if link is None or link.end() > offset:
        return False
    ref = parse_hub_url(link.group(1))
    return ref is not None and ref.kind == "model" and not ctx.is_own(ref.id)


# "datasets such as [X](...)", "instruction datasets including A, B, and C", "using the
# following sources: the [A](...), [B](...) and the [C](...)": the list that follows.
_SUCH_AS = Gated(re.compile(
    r"(?i)\b(?:data[ \t]*sets?|corpora|sources)[ \t]*,?[ \t]*(?:such[ \t]+as|including|like|:|"
    r"\([ \t]*(?:i\.e\.|e\.g\.),?)[ \t]+"), "such as", "including", "like", "sources:", "datasets:",
    "corpora:", "i.e.", "e.g.")
_TURNED = re.compile(r"(?i)evaluat|\btest(?:ed|ing)?\b|benchmark|compar")
_THANKS = re.compile(r"(?i)\bthank|\bgrateful|\backnowledg|\bcredit")
_LIST_SEPARATOR = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+)")
_LIST_LINK_ITEM = re.compile(r"(?:the[ \t]+)?\[([^\]\n]{2,80})\]\((https?://[^)\s]+)\)")
_LIST_NAME_ITEM = re.compile(r"(?:the[ \t]+)?([A-Z0-9][\w.+-]*(?:[ \t]+[A-Z0-9][\w.+-]*){0,3})"
                             r"(?=$|[ \t]*(?:[,.;)]|and\b|&))")


def _listed_after_such_as(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Yield the names or linked sets listed after "datasets such as" about training.

    Read in a sentence that says the model was trained or tuned, or in a data section; the
    list ends at its first item that is neither a link nor a capitalised name. Hub links
    are read as links.
    """
    text = ctx.card.text
    for m in prose_positions(ctx, _SUCH_AS):
        if not (_DATA_SECTION.search(ctx.doc.section_title(m.start()))
                or sentences.search(_TUNING_WORD, m.start())) or \
                sentences.search(_EVALUATION_USE, m.start()) or \
                sentences.search(_THANKS, m.start()):
            continue  # (the authors of datasets a card thanks did not train it)
        start, line_end = sentences.span(m.start())
        if _TURNED.search(text, start, m.start()):
            continue  # "evaluated on datasets such as ...", "compared with ..."
        stop = _CLAUSE_END.search(text, m.end(), line_end)
        end = stop.start() if stop else line_end
        pos = m.end()
        while pos < end:
            link = _LIST_LINK_ITEM.match(text, pos, end)
            item = link or _LIST_NAME_ITEM.match(text, pos, end)
            if item is None:
                break
            name = item.group(1).strip(" *_`").rstrip(".")
            if not (link and "huggingface.co" in link.group(2)) and \
                    not _GENERIC_NAME.fullmatch(name) and not _LANGUAGE_ONLY.fullmatch(name):
                yield DatasetUse(DatasetRef(None, name),
                                 ctx.evidence(Method.PROSE, item.start(1), item.end(1), 0.6))
            sep = _LIST_SEPARATOR.match(text, item.end(), end)
            if sep is None or sep.end() == item.end():
                break
            pos = sep.end()


# CJK: "KorNLI, KorSTS 데이터셋으로 파인튜닝한" (Korean), "在Set-A数据集上微调" (Chinese),
# "Set-Aデータセットで学習" (Japanese): ASCII names right before the word for dataset, in a
# sentence that says tuning or training.
_CJK_DATASET = Gated(re.compile(
    r"((?a:[A-Za-z][\w.-]{1,60})"
    r"(?:[ \t]*(?:,|\u3001|\uff0c|\uc640|\uacfc|\ubc0f|\u548c|\u4e0e)[ \t]*"
    r"(?a:[A-Za-z][\w.-]{1,60})){0,6})[ \t]*(?:\ub370\uc774\ud130[ \t]?\uc14b|\u6570\u636e\u96c6|"
    r"\u6578\u64da\u96c6|\u30c7\u30fc\u30bf\u30bb\u30c3\u30c8)"),
    "\ub370\uc774\ud130", "\u6570\u636e\u96c6", "\u6578\u64da\u96c6", "\u30c7\u30fc\u30bf")
_HUB_SITE = re.compile(r"(?i)hugging[ \t]?face|hf|kaggle|github|modelscope$")
_CJK_SEPARATOR = re.compile(r"[ \t]*(?:,|\u3001|\uff0c|\uc640|\uacfc|\ubc0f|\u548c|\u4e0e)[ \t]*")


def _cjk_named_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Yield the ASCII names a CJK sentence about tuning puts before its word for dataset."""
    own = (ctx.own_id or ctx.own_name or "").rsplit("/", 1)[-1].casefold()
    for m in prose_positions(ctx, _CJK_DATASET):
        if not sentences.search(CJK_TUNED, m.start()) or \
                sentences.search(_EVALUATION_USE, m.start()):
            continue
        offset = m.start(1)
        for name in _CJK_SEPARATOR.split(m.group(1)):
            at = ctx.card.text.find(name, offset)
            offset = at + len(name)
            # not a link's text (read as a link), a platform ("huggingface 数据集"), nor the
            # card's own family's data ("M3E 数据集" in the card of "M3E Models")
            if not _GENERIC_NAME.fullmatch(name) and not _LANGUAGE_ONLY.fullmatch(name) and \
                    ctx.card.text[at - 1:at] != "[" and not _HUB_SITE.match(name) and \
                    not own.startswith(name.casefold()) and name.casefold() not in own.split():
                yield DatasetUse(DatasetRef(None, name),
                                 ctx.evidence(Method.PROSE, at, at + len(name), 0.6))


# Where the datasets a model was trained on are named, in order; the first use of each is kept
# (a language or dump part of a public corpus read as that corpus, see :func:`corpus_part`).
# A training command's dataset, by Hub id: "--dataset_name org/x", "--dataset_id=org/x",
# 'dataset_name="org/x"', 'load_dataset("org/x")' (in a command or code that trains, not one
# that evaluates or runs the model).
_DATASET_ARG = Gated(re.compile(
    r"""(?:(?:--|\b)(?:train_)?dataset(?:_name|_id|_path)?(?:['"]?[ \t]*[:=][ \t]*|[ \t]+)|"""
    r"""\bload_dataset\([ \t]*)['"]?([A-Za-z0-9][\w.-]*/[\w.-]*\w)(?![\w/-])"""), "dataset")
_TRAINING_COMMAND = re.compile(r"(?i)train|fine-?tun|\b(?:sft|mlm|clm)\b")
_NOT_TRAINING_COMMAND = re.compile(r"(?i)\beval|\bbenchmark|\binfer|\bgenerat|\bpredict|"
                                   r"\bpipeline\(|\btranscri|split=['\"](?:test|valid|eval)")


def _command_datasets(ctx: Context, sentences: Sentences) -> Iterator[DatasetUse]:
    """Hub datasets a training command or training code is given (see :data:`_DATASET_ARG`)."""
    text = ctx.card.text
    for m in _DATASET_ARG.finditer(text, ctx.card.body_offset):
        block = ctx.doc.code_block_at(m.start())
        if block is None:
            continue
        if _TRAINING_COMMAND.search(block.content) is None or \
                _NOT_TRAINING_COMMAND.search(block.content) is not None or \
                _under_evaluation(ctx, m.start()):
            continue
        rid = m.group(1)
        if is_repo_id(rid, require_org=True) and not _PLACEHOLDER_OWNER.match(rid) and \
                _LOCAL_FILE.search(rid) is None:
            yield DatasetUse(DatasetRef(rid, rid),
                             ctx.evidence(Method.PROSE, m.start(1), m.end(1), 0.7))


_LOCAL_FILE = re.compile(r"(?i)\.(?:ya?ml|json|jsonl|csv|tsv|txt|parquet|arrow|py)$")
_PLACEHOLDER_OWNER = re.compile(r"(?i)(?:your|my|user(?:name)?|org(?:ani[sz]ation)?|path|data|"
                                r"datasets?)[\w-]*/")


_DATASET_SOURCES: tuple[Callable[[Context, Sentences], Iterator[DatasetUse]], ...] = (
    _dataset_links, _dataset_repos_linked_as_models, _listed_dataset_ids, _named_by_links,
    _trainer_datasets, _field_datasets, _named_datasets, _table_datasets, _section_items,
    _corpora_in_sentences, _corpora_in_data_sections, _held_out_tables, _listed_after_such_as,
    _cjk_named_datasets, _command_datasets,
)


_HELD_SPLIT = re.compile(r"(?i)dev|valid|val|test")
_SPLIT_WORD = re.compile(r"(?i)(?:^|[ \t_-]+)(?:train(?:ing)?|dev(?:elopment)?|valid(?:ation)?|val|"
                         r"test(?:ing)?)(?:[ \t]+(?:set|split))?$")


def _data_table_rows(ctx: Context) -> Iterator[tuple[int, str]]:
    """First-column names of a "Source | ..." table in a training-data section.

    In a section about the data ("## Pre-training corpora", "## 中文数据"), a table of
    another header gives the rows whose first cell is a link: "| [Set-A](https://...) | 2 GB |".
    """
    text = ctx.card.text
    for section in ctx.doc.sections:
        linked_only = (_DATA_TITLE.search(section.title) is not None or
                       _CJK_DATA_TITLE.search(section.title) is not None)
        if not (linked_only or _TABLE_SECTION.search(section.title)) or \
                about_evaluation(section.title) or _CJK_TEST_TITLE.search(section.title):
            continue
        lines = text[section.start:section.end].split("\n")
        offset = section.start
        for i, line in enumerate(lines[:-1]):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            named = bool(cells) and _SOURCE_HEADER.match(cells[0]) is not None
            if line.lstrip().startswith("|") and \
                    (named or (linked_only and not _MODEL_HEADER.match(cells[0]))) and \
                    re.match(r"\s*(?:\|\s*)?:?-{3,}", lines[i + 1]) and \
                    not _SCORE_HEADER.search(line):
                row_offset = offset + len(line) + len(lines[i + 1]) + 2
                for row in lines[i + 2:]:
                    if not row.lstrip().startswith("|"):
                        break
                    first = row.strip().strip("|").split("|")[0].strip(" *_`")
                    link = _CELL_LINK.fullmatch(first)
                    if "huggingface.co/" in row or (not named and (
                            link is None or _NOT_A_NAME.search(link.group(1)) or
                            _TOOL.search(link.group(1)) or _PLATFORM.search(link.group(1)))):
                        # a Hub dataset's link names it; a model's is no data
                        row_offset += len(row) + 1
                        continue
                    # a split's row names its dataset ("Set-2 Train"), or nothing ("Dev");
                    # a linked name is its link's text ("[Set-2](https://...)")
                    for cell in _CELL_LINK.findall(first) or [first]:
                        split = _SPLIT_WORD.search(_without_note(cell))
                        if split is not None and _HELD_SPLIT.search(split.group(0)):
                            continue  # "Set-2 Dev": the part it was tested on
                        name = _SPLIT_WORD.sub("", _without_note(cell)).strip(" *_`")
                        name = name.replace("\\", "")
                        if name and not _GENERIC_DATA.search(name):
                            yield row_offset + row.find(first), name
                    row_offset += len(row) + 1
            offset += len(line) + 1  # (and on to the section's next table)


_CJK_DATA_TITLE = re.compile("\u6570\u636e|\u8bed\u6599|\u8a9e\u6599")  # data, corpus
_CJK_TEST_TITLE = re.compile("\u8bc4\u6d4b|\u6d4b\u8bc4|\u8bc4\u4f30|\u8a55\u6e2c")  # evaluation
_MODEL_HEADER = re.compile(r"(?i)^\W*(?:models?|checkpoints?|weights|variants?|versions?|"
                           "\u6a21\u578b)\\W*$")
_CELL_LINK = re.compile(r"\[([^\]\n]{1,120})\]\([^)\s]{1,300}\)")
# The sections whose "Dataset | ..." tables list training data: training data, datasets, or
# training at large ("## Training Details") when the table holds no scores.
_TABLE_SECTION = re.compile(r"(?i)(?:training|fine-?tuning)\s+data|datasets?\b|数据集|"
                            r"\btrain(?:ing)?\b|fine-?tun")
_SCORE_HEADER = re.compile(r"(?i)\b(?:acc(?:uracy)?|f1|score|bleu|rouge|wer|cer|em|exact|"
                           r"precision|recall|perplexity|ppl|loss|map|ndcg|mrr|results?)\b")


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
