"""Patterns respelled for speed match exactly what their former spelling matched.

A pattern that starts with a look-behind or a word boundary is tried by ``re`` at every
position of a card; one that starts with a character class only where the class matches.
The respelled patterns check the boundary behind their first character instead, or ask
first whether a match can start at all; the former spellings are kept here to compare.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.extract import training

# Characters IGNORECASE matches to an ASCII letter that lowering leaves apart (long s, dotless
# i, dotted capital I, Kelvin sign), an Arabic-Indic digit (a digit to \d) and marks.
ODD = ["\u017f", "\u0131", "\u0130", "\u212a", "\u0663", "_", ".", ",", "-", "*", "x", "\t",
       "\n", " ", "  "]


def _text(tokens: list[str], rnd) -> str:
    """Join tokens with nothing, a blank or a line break between, some in upper case."""
    return "".join((t.upper() if rnd.random() < 0.2 else t) + rnd.choice(["", " ", "", "\n"])
                   for t in tokens)


def _same(old: re.Pattern[str], new: re.Pattern[str], text: str, rnd) -> None:
    """Assert that both patterns give the same matches and groups, from any start to any end."""
    pos = rnd.randrange(len(text) + 1)
    endpos = rnd.randrange(pos, len(text) + 1)
    for args in ((), (pos,), (pos, endpos)):
        want = [(m.span(), m.groups()) for m in old.finditer(text, *args)]
        assert [(m.span(), m.groups()) for m in new.finditer(text, *args)] == want, (old, args)


NUMBERS = ["1", "12", "2", "3.5", "0.5", "5e-5", "2E-05", "1e-", "e-5", "hours", "hrs", "h",
           "hour", "gpu", "GPU hours", "gpu-hours", "k", "million", "a", "trained for",
           "\u0663\u0663", *ODD]
_SETTINGS = (
    (r"(?i)(?<![\w.])(\d+(?:\.\d+)?)\s*(?:hours|hrs|h)\b(?![- ]?gpu)", training._HOURS),
    (r"(?<![\w.])(\d(?:\.\d+)?e-\d{1,2})(?![\w.])", training._SCI),
    (r"(?i)\b(\d[\d,]{0,40}(?:\.\d+)?)\s*(?:(k|m|million|thousand)\s*)?gpu[- ]hours\b",
     training._GPU_HOURS.pattern),
)


# Numbers after a letter, a dot, an underscore, a digit of another script, at a start.
NUMBER_TEXTS = ["12 hours", "a12 hours", "x3.5 hrs", "_5 h", "v1.2e-5", ".5e-5", "1.2.3 hours",
                "\u06633 hours", "3e-5.", "lr 2e-05,", "a12 gpu hours", "12,000 GPU-hours",
                "(1.5k gpu hours)", "1,2 gpu hours", "x5e-5", "5e-5x", "8h", "8 h-gpu",
                "8 hours gpu"]


def test_numbers_first_match_as_the_boundary_first_from_every_start():
    for old, new in _SETTINGS:
        bare = re.compile(old, re.I if old.startswith("(?<!") else 0)
        for text in NUMBER_TEXTS:
            for pos in range(len(text) + 1):
                want = [(m.span(), m.groups()) for m in bare.finditer(text, pos)]
                assert [(m.span(), m.groups()) for m in new.finditer(text, pos)] == want, text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NUMBERS), max_size=40), st.randoms(use_true_random=False))
def test_numbers_first_match_as_the_boundary_first(tokens, rnd):
    text = _text(tokens, rnd)
    for old, new in _SETTINGS:
        _same(re.compile(old, re.I if old.startswith("(?<!") else 0), new, text, rnd)
