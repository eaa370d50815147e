r"""One pass over a card: where each anchor word of every rule occurs.

A rule's *anchors* are the literal words (lower case) that its pattern cannot match
without. The words of every rule form one Aho-Corasick automaton (``pyahocorasick``),
built lazily once per process; one scan of a card's lowered text gives the offsets of
every word, so that a rule whose words are absent is skipped and a rule whose matches
start at one of its words is tried only there (see :mod:`lineage.extract.scan`).

``LINEAGE_PREFILTER=0`` in the environment (read once, at import) or :func:`set_enabled`
turns the prefilter off: every rule then scans the whole text, the exhaustive path that
the property tests compare against.

Examples
--------
>>> register(("merge", "epoch"))
>>> found = hits("Merged for 3 epochs. Another merge." + " " * 300)
>>> found.any(("merge",)), found.any(("lora",)), found.starts(("merge", "epoch"))
(True, False, [0, 13, 29])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["SPECIAL", "Hits", "enabled", "hits", "register", "set_enabled", "words"]

# The characters that ``re``'s IGNORECASE matches to an ASCII letter but ``str.lower``
# does not turn into one (long s, U+017F, is an "s" to ``(?i)s``), or into more than one:
# a text holding one is scanned exhaustively (tests recompute this over all code points).
SPECIAL = "\u0130\u0131\u017f"
# Shorter texts (a table cell, a field's value) are scanned directly: a prefilter scan
# would cost more than it saves, and would push the card's own scan out of the cache.
MIN_LENGTH = 256

_WORDS: dict[str, None] = {}  # every rule's words, in order of registration
_AUTOMATON: list[Any] = []  # [the automaton, how many words it holds], built on first use
# Read once: the rules ask about every card dozens of times, and an environment lookup
# costed a tenth of the extraction.
_ON = [os.environ.get("LINEAGE_PREFILTER", "1") != "0"]


def register(words: Iterable[str]) -> None:
    """Add a rule's anchor words (lower case) to the words every scan looks for."""
    for w in words:
        if w != w.lower() or not w:
            msg = f"anchor words are non-empty and lower case: {w!r}"
            raise ValueError(msg)
        _WORDS.setdefault(w)


def words() -> tuple[str, ...]:
    """Return every registered word, in order of registration."""
    return tuple(_WORDS)


def enabled() -> bool:
    """Tell whether the prefilter is on."""
    return _ON[0]


def set_enabled(on: bool) -> bool:
    """Turn the prefilter on or off for this process; return whether it was on."""
    was, _ON[0] = _ON[0], on
    return was


class Hits:
    """Where each anchor word occurs in one text (offsets of its first character).

    ``exact_starts``: the text holds none of :data:`SPECIAL`, so every match of a
    case-insensitive pattern that starts with a word starts at one of its offsets.
    """

    __slots__ = ("_at", "exact_starts")

    def __init__(self, at: dict[str, list[int]], exact_starts: bool):
        self._at = at
        self.exact_starts = exact_starts

    def any(self, words: Iterable[str]) -> bool:
        """Tell whether one of ``words`` occurs (as ``w in text.lower()`` would)."""
        return not self._at.keys().isdisjoint(words)  # (asked dozens of times a card)

    def starts(self, words: Iterable[str]) -> list[int]:
        """Return the offsets where one of ``words`` starts, ascending, each once."""
        lists = [self._at[w] for w in words if w in self._at]
        if len(lists) == 1:
            return lists[0]
        # (Sorted at once: merging common words' offsets one by one in Python cost a tenth
        # of the extraction of a synthetic card.)
        return sorted(set().union(*lists))


def hits(text: str) -> Hits | None:
    """Return where each registered word occurs in ``text``, or None to scan exhaustively.

    None when the prefilter is off, the text is short, or lowering it changes its length
    (offsets in the lowered text would not be offsets in the text).
    """
    if not enabled() or len(text) < MIN_LENGTH:
        return None
    _automaton()  # first: a rebuild for newly registered words empties the cache
    return _hits(text)


@lru_cache(maxsize=4)
def _hits(text: str) -> Hits | None:
    # Cached: the rules of one card all ask about the same text.
    low = text.lower()
    if len(low) != len(text):
        return None
    automaton = _AUTOMATON[0]
    at: dict[str, list[int]] = {}
    for end, word in automaton.iter(low):
        at.setdefault(word, []).append(end - len(word) + 1)
    exact = text.isascii() or not any(c in text for c in SPECIAL)
    return Hits(at, exact)


def _automaton() -> Any:
    if not _AUTOMATON or _AUTOMATON[1] != len(_WORDS):  # a rule registered words since
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for w in _WORDS:
            automaton.add_word(w, w)
        automaton.make_automaton()
        _AUTOMATON[:] = [automaton, len(_WORDS)]
        _hits.cache_clear()
    return _AUTOMATON[0]
