"""Gated and anchored patterns find exactly what the bare patterns find."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.extract import (
    context,
    datasets,
    hardware,
    identity,
    license,
    mergekit,
    metadata,
    prefilter,
    prose,
    relation,
    scores,
    training,
)
from lineage.extract.scan import Anchored, Gated, in_one_line, matches_in_lines

# The prose rules live in the modules of their package.
PROSE = tuple(importlib.import_module(f"{prose.__name__}.{m.name}")
              for m in pkgutil.iter_modules(prose.__path__))
MODULES = (context, datasets, hardware, identity, license, mergekit, metadata, *PROSE, relation,
           scores, training)
SCANNERS = [(f"{m.__name__}.{name}", v) for m in MODULES
            for name, v in vars(m).items() if isinstance(v, Gated | Anchored)]
SCANNERS += [(f"training._PROMPT_RES.{name}", gated) for name, gated, _ in training._PROMPT_RES]
# Words and marks the patterns look for, mixed with filler, in any case.
TOKENS = ["8", "x", "×", "4 x", "NVIDIA", "nvidia", "AMD", "Instinct™", "MI300X", "A100",  # noqa: RUF001
          "H100", "80GB", "GPUs", "RTX 4090", "TPU v4", "[", "](https://x.y/z)", "trained",
          "fine-tuned", "on", "from", "of", "the", "merge", "merged", "Merge of", "GGUF",
          "quants", "for", "epochs", "3", "epoch:", "learning rate", "2e-5", "lr:", "batch size",
          "effective", "tokens", "1.5B", "$", "600", "cost", "gpu hours", "AWS", "Colab",
          "chatml", "format", "template", "prompt", "<|im_start|>", "USER:", "ASSISTANT:",
          "adapter", "LoRA", "PeftModel", "extracted from", "base_model=", "org/model",
          "[Org/Model](https://huggingface.co/org/model)", "dataset", "data", ".", "\n", " ",
          "  ", ",", "GeForce", "A10", "L4", "T4"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.randoms(use_true_random=False))
def test_scanners_match_the_bare_pattern(tokens: list[str], rnd):
    text = " ".join(t.upper() if rnd.random() < 0.2 else t for t in tokens)
    for name, scanner in SCANNERS:
        bare: re.Pattern[str] = scanner.pattern
        want = [m.span() for m in bare.finditer(text)]
        assert [m.span() for m in scanner.finditer(text)] == want, name
        first = bare.search(text)
        found = scanner.search(text)
        assert (found.span() if found else None) == (first.span() if first else None), name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=20, max_size=160),
       st.randoms(use_true_random=False), st.integers(0, 400), st.integers(0, 900))
def test_scanners_match_the_bare_pattern_on_long_texts(tokens: list[str], rnd, pos: int,
                                                       endpos: int):
    # Long enough for the prefilter: gated patterns run on the lines of their words only.
    text = " ".join(t.upper() if rnd.random() < 0.2 else t for t in tokens)
    while len(text) < prefilter.MIN_LENGTH:
        text += "\n" + text
    for name, scanner in SCANNERS:
        bare: re.Pattern[str] = scanner.pattern
        want = [m.span() for m in bare.finditer(text, pos, endpos)]
        assert [m.span() for m in scanner.finditer(text, pos, endpos)] == want, name


def test_many_gated_patterns_scan_only_the_lines_of_their_words():
    in_lines = [name for name, s in SCANNERS if isinstance(s, Gated) and s.in_lines]
    assert len(in_lines) >= 15, in_lines


@pytest.mark.parametrize(("pattern", "flags", "one_line"), [
    (r"(?i)\btrained on ([^.\n]{1,40})", 0, True),
    (r"^x[ \t]*:[ \t]*(\w+)$", re.M, True),
    (r"a\s+b", 0, False),  # \s holds a newline
    (r"a[^x]b", 0, False),  # so does a negated set without \n
    (r"a[^x\n]b", 0, True),
    (r"a\Wb", 0, False),
    (r"a.b", 0, True),
    (r"a.b", re.S, False),
    (r"(?s:a.b)c", 0, False),
    (r"a(?=\n)", 0, False),  # a look-ahead past the line
    (r"a$", 0, False),  # the end of the text, not of a line
    (r"a\Z", re.M, False),
    (r"x?", 0, False),  # may be empty
    (r"(a)\1", 0, False),  # a back-reference: not known
    (r"[\x00-\x20]", 0, False),  # a range over the newline
])
def test_in_one_line(pattern: str, flags: int, one_line: bool):
    assert in_one_line(re.compile(pattern, flags)) is one_line


def test_matches_in_lines_is_finditer_on_the_lines_of_the_hits():
    p = re.compile(r"(?i)\bon (\w+)")
    text = "on a\nx on b on c\n\non d\nz\non e"
    hits = [i for i in range(len(text)) if text.startswith("on", i)]
    for pos in range(len(text)):
        for endpos in range(pos, len(text) + 2):
            assert [m.span() for m in matches_in_lines(p, text, hits, pos, endpos)] == \
                [m.span() for m in p.finditer(text, pos, endpos)], (pos, endpos)


def test_every_gated_pattern_is_checked():
    assert len(SCANNERS) >= 25
    assert any(isinstance(s, Anchored) for _, s in SCANNERS)
