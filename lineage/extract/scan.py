r"""Cheap pre-tests for expensive patterns.

Python's ``re`` tries a case-insensitive alternation at every position of a card, which
costs tens of nanoseconds per character and pattern; most patterns need a word that most
cards lack ("merge", "epoch", an accelerator name). A :class:`Gated` pattern first asks
whether the card's lowered text contains one of its words (a substring test, about a
microsecond) and scans only when it does, with the same results as the bare pattern.

Examples
--------
>>> import re
>>> merge = Gated(re.compile(r"(?i)\bmerged? of (\w+)"), "merge")
>>> [m.group(1) for m in merge.finditer("A Merge of Foo and Bar")]
['Foo']
>>> merge.search("fine-tuned from Foo") is None
True
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, Protocol, TypeAlias

from lineage.extract import prefilter

__all__ = ["Anchored", "Gated", "Scanner", "Searchable", "blank_lines_start", "first_occurrences",
           "lowered", "matches_at"]


class Searchable(Protocol):
    """What :class:`Gated` needs of a pattern: ``re.Pattern``'s ``search`` and ``finditer``."""

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize,
               ) -> re.Match[str] | None:
        """Return the first match, or None."""

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Return the matches, left to right."""


@lru_cache(maxsize=8)
def lowered(text: str) -> str:
    """Return ``text`` lowered (cached: every gate of a card tests the same text)."""
    return text.lower()


class Gated:
    """A compiled pattern that can only match text containing one of ``words``.

    ``words`` are lower case; each match of the pattern must contain one of them (for
    case-insensitive patterns, in any case). The gate tests the whole text, so positional
    arguments behave exactly as with the bare pattern. ``starts``, when given, are lower
    case words one of which every match starts with: the pattern is then tried only where
    they occur (found by :mod:`~lineage.extract.prefilter` in one scan of the text), with
    the same matches as scanning every position.
    """

    __slots__ = ("in_lines", "pattern", "starts", "words")

    def __init__(self, pattern: Searchable, *words: str, starts: tuple[str, ...] = ()):
        self.pattern = pattern
        self.words = words
        self.starts = starts
        # A match within one line holds a word, so it lies on a line where a word occurs:
        # only those lines are scanned (see in_one_line).
        self.in_lines = isinstance(pattern, re.Pattern) and in_one_line(pattern)
        prefilter.register((*words, *starts))

    def possible(self, text: str) -> bool:
        """Tell whether ``text`` contains one of the words, so a match is possible."""
        found = prefilter.hits(text)
        if found is not None:
            return found.any(self.words)
        low = lowered(text)
        return any(w in low for w in self.words)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Return the pattern's matches, or none without scanning when none is possible."""
        found = prefilter.hits(text)
        if found is None:
            return self.pattern.finditer(text, pos, endpos) if self.possible(text) else iter(())
        if not found.any(self.words):
            return iter(())
        if self.starts and found.exact_starts and isinstance(self.pattern, re.Pattern):
            return matches_at(self.pattern, text, found.starts(self.starts), pos, endpos)
        if self.in_lines and found.exact_starts and isinstance(self.pattern, re.Pattern):
            return matches_in_lines(self.pattern, text, found.starts(self.words), pos, endpos)
        return self.pattern.finditer(text, pos, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Return the pattern's first match, or None without scanning when none is possible."""
        return next(self.finditer(text, pos, endpos), None)


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int], pos: int = 0,
               endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
    r"""Yield ``pattern.finditer(text, pos, endpos)`` when every match starts in ``starts``.

    ``starts`` ascending. The pattern is tried (``match``) at each start not inside the
    previous match, as ``finditer`` tries each position from the previous match's end.
    Every match starts with a word, so none is empty.

    Examples
    --------
    >>> p = re.compile(r"(?i)ab+")
    >>> text = "ab abb xab AB"
    >>> [m.span() for m in matches_at(p, text, [0, 3, 8, 11])]
    [(0, 2), (3, 6), (8, 10), (11, 13)]
    >>> _ == [m.span() for m in p.finditer(text)]
    True
    """
    end = min(endpos, len(text))
    floor = pos
    for at in starts[bisect.bisect_left(starts, pos):]:
        if at >= end:
            break
        if at < floor:
            continue
        m = pattern.match(text, at, endpos)
        if m is not None:
            floor = max(m.end(), at + 1)
            yield m


def matches_in_lines(pattern: re.Pattern[str], text: str, hits: list[int], pos: int = 0,
                     endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
    r"""Yield ``pattern.finditer(text, pos, endpos)`` when every match lies in a line of ``hits``.

    ``hits`` ascending: offsets of which every match's line holds one (a
    :func:`in_one_line` pattern whose matches contain a word found there). Each such line
    is scanned once, its newline included, so that ``$`` and look-aheads see what the
    whole text shows them.

    Examples
    --------
    >>> p = re.compile(r"(?i)\btrained on (\w+)")
    >>> text = "# Card\nTrained on A.\nnothing\nwe trained on B and trained on C\n"
    >>> hits = [text.lower().find("trained"), text.lower().rfind("trained on b"),
    ...         text.lower().rfind("trained")]
    >>> [m.group(1) for m in matches_in_lines(p, text, hits)]
    ['A', 'B', 'C']
    >>> _ == [m.group(1) for m in p.finditer(text)]
    True
    """
    end = min(endpos, len(text))
    scanned = -1  # the end of the last line scanned
    for at in hits[bisect.bisect_left(hits, text.rfind("\n", 0, pos) + 1):]:
        if at >= end:
            break
        if at < scanned:
            continue
        start = max(pos, text.rfind("\n", 0, at) + 1)
        newline = text.find("\n", at, end)
        scanned = end if newline < 0 else newline + 1
        yield from pattern.finditer(text, start, scanned)


class Anchored:
    """A pattern scanned only near the matches of a cheaper ``anchor`` pattern.

    Each match of ``pattern`` must start at most ``reach`` characters before a match of
    ``anchor`` and end at most ``span`` characters after it. The pattern runs only in
    windows around the anchor's matches (a short literal alternation that ``re`` scans
    several times faster), with the same matches as ``pattern.finditer`` over the text.
    ``starts``, when given, are lower case words one of which every match of ``anchor``
    starts with: the anchor is then tried only where they occur (see :class:`Gated`).
    """

    __slots__ = ("anchor", "pattern", "reach", "span", "starts")

    def __init__(self, pattern: re.Pattern[str], anchor: re.Pattern[str], *, reach: int = 80,
                 span: int = 400, starts: tuple[str, ...] = ()):
        self.pattern = pattern
        self.anchor = anchor
        self.reach = reach
        self.span = span
        self.starts = starts
        prefilter.register(starts)

    def _anchors(self, text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        found = prefilter.hits(text) if self.starts else None
        if found is None or not found.exact_starts:
            return self.anchor.finditer(text, pos, endpos)
        return matches_at(self.anchor, text, found.starts(self.starts), pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Yield the pattern's matches, left to right, without overlaps.

        Windows that overlap are scanned as one: dense anchors ("A100 A100 ...") would
        otherwise have the same text scanned again for each of them.
        """
        start = end = -1
        for a in self._anchors(text, pos, endpos):
            lo, hi = max(pos, a.start() - self.reach), min(endpos, a.end() + self.span)
            if lo <= end:
                end = max(end, hi)
                continue
            if end >= 0:
                yield from self.pattern.finditer(text, start, end)
            start, end = lo, hi
        if end >= 0:
            yield from self.pattern.finditer(text, start, end)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Return the pattern's first match, or None."""
        return next(self.finditer(text, pos, endpos), None)


Scanner: TypeAlias = "re.Pattern[str] | Gated | Anchored"


def in_one_line(pattern: re.Pattern[str]) -> bool:
    r"""Tell whether every match of ``pattern`` is non-empty and lies within one line.

    Decided from the parsed pattern: no part of it (look-arounds included) can match a
    newline, and it asserts no end of the whole text (``\Z``, or ``$`` without
    ``re.MULTILINE``). Anything the check does not know makes it say no.

    Examples
    --------
    >>> in_one_line(re.compile(r"(?i)\btrained on ([^.\n]{1,40})$", re.M))
    True
    >>> [in_one_line(re.compile(p)) for p in (r"a\s+b", r"a[^x]b", r"a.b", r"(?s)a.b")]
    [False, False, True, False]
    >>> [in_one_line(re.compile(p)) for p in (r"a$", r"x?", r"(a)\1")]
    [False, False, False]
    """
    try:
        parsed = _PARSER.parse(pattern.pattern, pattern.flags)
        return bool(parsed.getwidth()[0]) and not _may_cross(parsed, pattern.flags)
    except Exception:  # a construct this check does not know: scan the whole text
        return False


# The standard library's own parser of patterns (private, so any surprise means "no").
try:
    from re import _constants as _SRE  # type: ignore[attr-defined]
    from re import _parser as _PARSER  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _SRE
    import sre_parse as _PARSER
_NEWLINE = 10
# Character classes that hold a newline.
_BREAKING = frozenset(getattr(_SRE, name) for name in (
    "CATEGORY_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT", "CATEGORY_LINEBREAK",
    "CATEGORY_UNI_SPACE", "CATEGORY_UNI_NOT_WORD", "CATEGORY_UNI_NOT_DIGIT",
    "CATEGORY_UNI_LINEBREAK", "CATEGORY_LOC_NOT_WORD"))
_REPEATS = tuple(getattr(_SRE, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_SRE, name))


def _may_cross(items: Any, flags: int) -> bool:
    """Whether parsed pattern ``items`` may match a newline or assert the text's end."""
    c = _SRE
    for op, av in items:
        if op is c.LITERAL or op is c.NOT_LITERAL:
            crosses = (av == _NEWLINE) == (op is c.LITERAL)
        elif op is c.ANY:
            crosses = bool(flags & re.DOTALL)
        elif op is c.IN:
            crosses = _set_has_newline(av)
        elif op is c.AT:
            crosses = av is c.AT_END_STRING or (av is c.AT_END and not flags & re.MULTILINE)
        elif op is c.SUBPATTERN:
            _, add, remove, sub = av
            crosses = _may_cross(sub, (flags | add) & ~remove)
        elif op is c.BRANCH:
            crosses = any(_may_cross(sub, flags) for sub in av[1])
        elif op in _REPEATS:
            crosses = _may_cross(av[2], flags)
        elif op is c.ASSERT or op is c.ASSERT_NOT:
            crosses = _may_cross(av[1], flags)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            crosses = _may_cross(av, flags)
        else:  # back-references, conditionals, anything else: not known to stay in a line
            crosses = True
        if crosses:
            return True
    return False


def _set_has_newline(items: Any) -> bool:
    r"""Whether a parsed character set (``[...]``, ``\s``) matches a newline."""
    c = _SRE
    negated = False
    holds = False
    for op, av in items:
        if op is c.NEGATE:
            negated = True
        elif op is c.LITERAL:
            holds |= av == _NEWLINE
        elif op is c.RANGE:
            holds |= av[0] <= _NEWLINE <= av[1]
        elif op is c.CATEGORY:
            holds |= av in _BREAKING
        else:
            return True  # an item this test does not know
    return holds != negated


def blank_lines_start(text: str, line: int, floor: int = 0) -> int:
    r"""Return where ``(?m)^\s*X`` starts when ``(?m)^[^\S\n]*X`` matches at ``line``.

    That is the first line start at or after ``floor`` from which only whitespace leads to
    ``line``: the blank lines above belong to the match. Matching the pattern on its own
    line and moving its start up here is linear, where ``^\s*`` reads the rest of a run of
    blank lines again from each of its lines.

    Examples
    --------
    >>> text = "a\n\n  \n| x |"
    >>> blank_lines_start(text, text.index("|")), blank_lines_start(text, text.index("|"), 4)
    (2, 6)
    """
    start = line
    while start > floor:
        above = text.rfind("\n", floor, start - 1) + 1  # start of the line above
        if not above:
            if floor and text[floor - 1] != "\n":
                break  # the line above starts before floor
            above = floor
        if text[above:start - 1] and not text[above:start - 1].isspace():
            break
        start = above
    return start


def first_occurrences(text: str, needles: Iterable[str], start: int = 0,
                      end: int | None = None) -> dict[str, int]:
    r"""Return where each needle first occurs in ``text[start:end]``, as ``text.find`` would.

    Needles that do not occur are left out. Few needles or a short text are searched one by
    one; otherwise all at once in one pass (Aho-Corasick, ``pyahocorasick``), since
    searching thousands of list values each from the same start reads the text again for each.

    Examples
    --------
    >>> first_occurrences("tags:\n- text-generation\n- text\n", ["text", "gen", "x-y"], 5)
    {'text': 8, 'gen': 13}
    """
    end = len(text) if end is None else min(end, len(text))
    wanted = list(dict.fromkeys(needles))
    if len(wanted) * max(0, end - start) <= 20_000_000:
        found = {n: text.find(n, start, end) for n in wanted}
        return {n: at for n, at in found.items() if at >= 0}
    return _aho_corasick(text, wanted, start, end)


def _aho_corasick(text: str, needles: list[str], start: int, end: int) -> dict[str, int]:
    import ahocorasick

    found: dict[str, int] = {"": start} if "" in needles else {}
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle:
            automaton.add_word(needle, needle)
    if not len(automaton):
        return found
    automaton.make_automaton()
    left = len(automaton)
    # Reported by where they end: a longer needle ending later may start earlier.
    for last, needle in automaton.iter(text, start, end):
        at = last - len(needle) + 1
        if needle not in found:
            found[needle] = at
            left -= 1
            if not left:
                break
    return found
