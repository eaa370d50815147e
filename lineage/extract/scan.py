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
from typing import Protocol, TypeAlias

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

    __slots__ = ("pattern", "starts", "words")

    def __init__(self, pattern: Searchable, *words: str, starts: tuple[str, ...] = ()):
        self.pattern = pattern
        self.words = words
        self.starts = starts
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
