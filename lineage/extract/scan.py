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

import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Protocol, TypeAlias

__all__ = ["Anchored", "Gated", "Scanner", "Searchable", "blank_lines_start", "lowered"]


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
    arguments behave exactly as with the bare pattern.
    """

    __slots__ = ("pattern", "words")

    def __init__(self, pattern: Searchable, *words: str):
        self.pattern = pattern
        self.words = words

    def possible(self, text: str) -> bool:
        """Tell whether ``text`` contains one of the words, so a match is possible."""
        low = lowered(text)
        return any(w in low for w in self.words)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Return the pattern's matches, or none without scanning when none is possible."""
        if not self.possible(text):
            return iter(())
        return self.pattern.finditer(text, pos, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Return the pattern's first match, or None without scanning when none is possible."""
        return self.pattern.search(text, pos, endpos) if self.possible(text) else None


class Anchored:
    """A pattern scanned only near the matches of a cheaper ``anchor`` pattern.

    Each match of ``pattern`` must start at most ``reach`` characters before a match of
    ``anchor`` and end at most ``span`` characters after it. The pattern runs only in
    windows around the anchor's matches (a short literal alternation that ``re`` scans
    several times faster), with the same matches as ``pattern.finditer`` over the text.
    """

    __slots__ = ("anchor", "pattern", "reach", "span")

    def __init__(self, pattern: re.Pattern[str], anchor: re.Pattern[str], *, reach: int = 80,
                 span: int = 400):
        self.pattern = pattern
        self.anchor = anchor
        self.reach = reach
        self.span = span

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize,
                 ) -> Iterator[re.Match[str]]:
        """Yield the pattern's matches, left to right, without overlaps."""
        last = pos
        for a in self.anchor.finditer(text, pos, endpos):
            if a.start() < last:
                continue
            m = self.pattern.search(text, max(last, a.start() - self.reach),
                                    min(endpos, a.end() + self.span))
            if m is not None:
                yield m
                last = max(m.end(), m.start() + 1)

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
