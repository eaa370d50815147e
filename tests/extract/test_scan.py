"""Gated and anchored patterns find exactly what the bare patterns find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.extract import prose, relation, training
from lineage.extract.scan import Anchored, Gated

SCANNERS = [(f"{m.__name__}.{name}", v) for m in (prose, relation, training)
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


def test_every_gated_pattern_is_checked():
    assert len(SCANNERS) >= 25
    assert any(isinstance(s, Anchored) for _, s in SCANNERS)
