"""What the words around a dataset's mention say of it, for :mod:`lineage.extract.datasets`.

A set the model was tested on, one a news line announces, a results table's column, a
prompt template's source, a code repository or a web site a training sentence links, what
a reader may do, and a corpus named as the source or a part of another.
"""

from __future__ import annotations

import re

from lineage.extract.sentences import Sentences

__all__ = ["CJK_TUNED", "RULE_ROW", "after_a_test", "benchmark_or_template", "dated_news",
           "in_table_header", "link_names_no_data", "name_before", "no_training_bridge",
           "source_or_part"]

# A CJK word for tuning or training (Korean, Chinese, Japanese), or the English ones.
CJK_TUNED = re.compile(r"\ud30c\uc778\ud29c\ub2dd|\ud559\uc2b5|\ubbf8\uc138|\u5fae\u8c03|"
                        r"\u5fae\u8abf|\u8bad\u7ec3|\u8a13\u7df4|\u5b66\u7fd2|"
                        r"\u30d5\u30a1\u30a4\u30f3\u30c1\u30e5\u30fc\u30cb\u30f3\u30b0|"
                        r"(?i:fine-?tun|train)")


# A verb of testing, and one of training: "achieves a lower WER on the test sets including
# [X](...)", "Validate models on [X dataset](...)" name what the model was tested on, unless
# a verb of training comes between ("compared to v1, it was trained on [X](...)").
_TESTED = re.compile(r"(?i)\b(?:validat(?:e[sd]?|ing)|evaluat\w*|test(?:ed|ing)\b|"
                     r"benchmark(?:ed|ing)\b|compar(?:e[sd]?|ing)\b|achiev\w*|outperform\w*)")
_TRAINED = re.compile(r"(?i)train|fine-?tun|\btun(?:ed|ing)\b|\blearn")


def after_a_test(text: str, lines: Sentences, pos: int) -> bool:
    """Whether the sentence at ``pos`` says, before it, that something was tested on it.

    The sentence may start on the line before, when that line runs on into pos's
    ("achieves a low WER on the test sets including [A](...) and" / "the subset of [B](...)").
    """
    start = _sentence_start(text, lines, pos)
    ends = [t.end() for t in _TESTED.finditer(text, max(start, pos - 400), pos)]
    return bool(ends) and _TRAINED.search(text, ends[-1], pos) is None


# "Details of the training on X are available on [Y](...)": where they are, not data.
_WHERE_BRIDGE = re.compile(r"(?i)\b(?:available|hosted|published|logged|found)[ \t]+"
                           r"(?:on|at|in|under|here)\b")
# "To try fine-tuning X on [Y](...)", "you can fine-tune it on [Y](...)": what a reader may do.
_ADVICE = re.compile(r"(?i)\b(?:to[ \t]+try|you[ \t]+(?:can|could|may|might|should)(?:[ \t]+also)?|"
                     r"(?:can|could|may|might|should)[ \t]+(?:also[ \t]+)?be(?:[ \t]+further)?)"
                     r"[ \t]+$")
# "[X](...) repo was used to build the LM": code, not data.
_THEN_TOOL_WORD = re.compile(r"(?i)[ \t]*(?:repo|repository|library|package|toolkit|tool|script|"
                             r"code|framework)s?\b")
# A link text that is a web site's address ("[site.com](https://www.site.com/translator)"):
# a service, not a dataset. An encyclopedia article's link explains a word ("trained on
# [Manglish](https://en.wikipedia.org/wiki/Manglish) data").
_SITE_NAME = re.compile(r"(?i)(?:www\.)?[\w-]{1,60}\.(?:com|net|io|ai)")
_ENCYCLOPEDIA = re.compile(r"(?i)https?://[\w.-]{0,30}wikipedia\.org/wiki/")


# "On the [X](...) benchmark", "[X](...) 评测集" (evaluation set): a set it was tested on.
_THEN_BENCHMARK = re.compile(r"(?i)[ \t]*(?:benchmark|leaderboard|test[ \t]+set|eval(?:uation)?\b|"
                             r"\u8bc4\u6d4b|\u6d4b\u8bc4|\u8a55\u6e2c|\u57fa\u51c6)")
# "following the function calling template from [X](...)": a prompt's format, not data.
_TEMPLATE_BEFORE = re.compile(r"(?i)\b(?:template|prompt[ \t]+format|chat[ \t]+format)\b"
                              r"[^.\n\[\]]{0,40}\[[^\]\n]{0,80}\]\(\s*$")
# A news line: "- 2023.06.01: [X](...) released", "**[2024/03]** ...".
_DATED = re.compile(r"[ \t]*(?:[-*+][ \t]+)?[*_\[]{0,3}(?:19|20)\d\d[./-]\d{1,2}(?:[./-]\d{1,2})?"
                    r"[*_\]]{0,3}[ \t]*[:\uff1a\u2013\u2014-]")


def dated_news(text: str, lines: Sentences, offset: int) -> bool:
    """Whether ``offset`` is on a dated news line that says nothing of training.

    "- 2023.06.01: [Set v2](...) released" announces a dataset; the model is not said to
    be trained on it.
    """
    start, end = lines.line(offset)
    return _DATED.match(text, start) is not None and \
        _TRAINED.search(text, start, end) is None and CJK_TUNED.search(text, start, end) is None


RULE_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}[ \t]*:?[ \t]*\|")


def in_table_header(text: str, lines: Sentences, offset: int) -> bool:
    """Whether ``offset`` is in a table's header row: a column of results per dataset."""
    start, end = lines.line(offset)
    return text.startswith("|", start) and RULE_ROW.match(text, end + 1) is not None


_SOURCE_BEFORE = re.compile(r"(?i)\b(?:from|via|filtered|subsets?|portions?|parts?|included|"
                            r"includes?|including|contains?|containing|derived|sampled|extracted|"
                            r"such as|like|e\.g\.)\b|[-\u2013\u2014(][ \t]*\[?$")
_LONGER_NAME = re.compile(r"[ \t]*(?:v?\d|[-\u2013\u2014][ \t]*[A-Z])")
_LANGUAGE_LIKE = re.compile(r"(?:ish|ian|ese|ic)$")  # "Mongolian Wikipedia"
_NAME_BEFORE = re.compile(r"(?<![\w-])([A-Z][\w.-]{0,30})[ \t]+\[?$")


def _sentence_start(text: str, lines: Sentences, pos: int) -> int:
    """Where the sentence at ``pos`` starts, on the line before when it wraps onto pos's."""
    start, _ = lines.span(pos)
    line_start, _ = lines.line(pos)
    if start == line_start > 0 and not _BLOCK_MARK.match(text, line_start):
        prev = text[lines.line(line_start - 1)[0]:line_start - 1].rstrip()
        if prev and prev[-1] not in ".:!?|" and not prev.lstrip().startswith(("#", "|")):
            return lines.span(line_start - 1)[0]
    return start


_BLOCK_MARK = re.compile(r"[ \t]*(?:[-*+|#>]|\d{1,3}[.)])")


# A sentence of a training-data section that turns away from the data it was trained on.
_TURN = re.compile(r"(?i)\bevaluat|\btest(?:ed|ing)?\b|\bbenchmark|\bcompar|\boutperform|"
                   r"\bthan\b|\bunlike\b|\bnot\b|\bremoved\b|\bexclud|\bfilter(?:ed)? out")


def no_training_bridge(text: str, verb: int, label: int) -> bool:
    """Whether the words from a training verb at ``verb`` to a link at ``label`` train nothing.

    "Details of the training are available on [X](...)" says where details are, "To try
    finetuning it on [X](...)" what a reader may do.
    """
    return _WHERE_BRIDGE.search(text, verb, label) is not None or \
        _ADVICE.search(text, max(0, verb - 30), verb) is not None


def link_names_no_data(text: str, end: int, name: str, url: str) -> bool:
    """Whether a link (text ``name``, ending at ``end``) names code, a site or a word."""
    return _THEN_TOOL_WORD.match(text, end) is not None or \
        _SITE_NAME.fullmatch(name) is not None or \
        (_ENCYCLOPEDIA.match(url) is not None and "wiki" not in name.casefold())


def benchmark_or_template(text: str, start: int, end: int) -> bool:
    """Whether the address from ``start`` to ``end`` is a benchmark's or a template's."""
    after = end + text.startswith(")", end)
    return _THEN_BENCHMARK.match(text, after) is not None or \
        _TEMPLATE_BEFORE.search(text, max(0, start - 140), start) is not None


def source_or_part(text: str, lines: Sentences, start: int, end: int) -> bool:
    """Whether a corpus's name from ``start`` to ``end`` is no set the model was trained on.

    It is the source or a part of another, part of a longer name, or in a sentence that
    turns away from the training data.
    """
    begin = _sentence_start(text, lines, start)
    return lines.search(_TURN, start) is not None or \
        _SOURCE_BEFORE.search(text, max(begin, start - 200), start) is not None or \
        _LONGER_NAME.match(text, end) is not None


def name_before(text: str, lines: Sentences, start: int) -> str | None:
    """Return the capitalised word right before ``start``, or None.

    "Acme" in "Acme Common Voice"; a word that reads as a language ("Mongolian Wikipedia")
    is none.
    """
    begin = _sentence_start(text, lines, start)
    named = _NAME_BEFORE.search(text, max(begin, start - 40), start)
    if named is None or _LANGUAGE_LIKE.search(named.group(1)):
        return None
    return named.group(1)
