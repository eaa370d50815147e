"""Patterns respelled for speed match exactly what their former spelling matched.

A pattern that starts with a look-behind or a word boundary is tried by ``re`` at every
position of a card; one that starts with a character class only where the class matches.
The respelled patterns check the boundary behind their first character instead, or ask
first whether a match can start at all; the former spellings are kept here to compare.
"""

from __future__ import annotations

import heapq
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.extract import hardware, prefilter, training
from lineage.extract.prose import bare_ids, elsewhere, labelled, merges, names
from lineage.extract.scan import Gated

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


WORDS = ["this", "This", "is", "a", "an", "Wren-7B", "7", "v2", "model", "fine-tuned",
         "finetuned", "trained", "based", "as", "in", "GGUF", "gptq", "AWQ", "exl2", "mlx",
         "org/wren-7b", "t", "T", "xt", "th\u0131s", "\u0131s", "\u0130S", *ODD]
_THIS_IS_A = re.compile(r"(?i)\bthis is an? ((?=[\w.-]*\d)[\w.-]+(?:\s+[\w.-]+){0,4}?)\s+model\s+"
                        r"(fine-?tuned|trained|based)")
_AS_FORMAT_TAIL = re.compile(
    r"(?i)(?<!\s)\s+(?:model\s+)?(?:as|in)\s+(?:gguf|gptq|awq|exl2|mlx)\b")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.randoms(use_true_random=False),
       st.booleans())
def test_name_patterns_match_as_before(tokens, rnd, long):
    text = _text(tokens, rnd) + (" " * 300 if long else "")  # (long: the prefilter scans it)
    _same(_THIS_IS_A, names._THIS_IS_A, text, rnd)
    _same(_AS_FORMAT_TAIL, names._AS_FORMAT_TAIL.pattern, text, rnd)
    for on in (True, False):  # the gate: with the prefilter's word offsets and without
        was = prefilter.set_enabled(on)
        try:
            want = [m.span() for m in _AS_FORMAT_TAIL.finditer(text)]
            assert [m.span() for m in names._AS_FORMAT_TAIL.finditer(text)] == want
        finally:
            prefilter.set_enabled(was)


NAME_TEXTS = ["Wren-7B as GGUF", "Wren-7B  \n as gguf", "Wren-7B model in GPTQ", "x as AWQ",
              "Wren-7B in exl2", "Wren-7B as MLX", " as gguf", "this is a Wren-7B model trained",
              "xthis is a v2 model based", "This is an x7  model fine-tuned",
              "_this is a 7 model trained"]


def test_name_patterns_match_as_before_from_every_start():
    for text in NAME_TEXTS:
        for padded in (text, text + " " * 300):  # (padded: the prefilter scans it)
            for pos in range(len(text) + 1):
                for old, new in ((_THIS_IS_A, names._THIS_IS_A),
                                 (_AS_FORMAT_TAIL, names._AS_FORMAT_TAIL.pattern),
                                 (_AS_FORMAT_TAIL, names._AS_FORMAT_TAIL)):
                    want = [m.span() for m in old.finditer(padded, pos)]
                    assert [m.span() for m in new.finditer(padded, pos)] == want, (text, pos)


def test_this_is_a_finds_its_cases():
    text = "THIS IS A Wren-7B model fine-tuned here; this is an x1 model trained; xthis is a a1 " \
           "model based"
    assert [m.group(1) for m in names._THIS_IS_A.finditer(text)] == ["Wren-7B", "x1"]


ACCELERATORS = ["A100", "a100", "H100", "H200", "B200", "GH200", "H800", "A800", "A10G", "A10",
                "A40", "RTX A6000", "A5000", "L40S", "L40", "L4", "V100", "T4", "P100", "P40", "P4",
                "K80", "M60", "RTX 6000 Ada", "GeForce RTX 4090", "RTX3090 Ti", "RTX 2080 Super",
                "RTX PRO 6000 Blackwell", "Quadro RTX 8000", "GTX 1080 Ti", "GTX TITAN X",
                "1080 Ti", "Ti 3080", "TITAN RTX", "Instinct\u2122 MI300X", "MI250", "Gaudi 2",
                "Cloud TPU v3-8", "TPU v4", "TPUv4", "v3-8 TPU", "TPU pod", "TPU Research Cloud",
                "SambaNova RDU", "Reconfigurable Dataflow Unit", "Cerebras CS-2",
                "Graphcore IPU", "AWS Trainium2", "Trainium", "Apple M2 Ultra", "M1 Max",
                "Mac Studio", "MacBook Pro"]
AROUND = ["8", "8x", "2,048", "16", "x", "\u00d7", "*", "**", "__", "[", "](https://x.y/z)",
          "a", "an", "one", "single", "two", "three", "four", "five", "six", "eight", "sixteen",
          "nodes of", "node of", "GPUs", "GPU", "-cores", "cores", "NVIDIA", "Nvidia", "AMD",
          "Intel", "Google", "Apple", "Tesla", "Titan", "80GB", "*80 GB", "Instinct", "Tensor Core",
          "Accelerators", "s", "the", "on", "with", "hours", "e", "q", "z", "9",
          "\u017fingle", "\u0131ntel", "\u212a80", *ODD]


_HW_BARE = re.compile(hardware._HW.pattern.pattern.replace(hardware._HW_START, "", 1))


def test_hardware_tries_every_word_before_every_accelerator():
    assert _HW_BARE.pattern != hardware._HW.pattern.pattern
    for word in AROUND:
        for acc in ACCELERATORS:
            for text in (f"{word} {acc}", f"{word}{acc}", f"z{word} {acc}", f"z{word}{acc} GPUs",
                         f"{word.upper()}\n{acc.upper()}", f"8 {word} {acc}"):
                want = [(m.span(), m.groups()) for m in _HW_BARE.finditer(text)]
                assert [(m.span(), m.groups()) for m in hardware._HW.pattern.finditer(text)] == \
                    want, text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(AROUND), max_size=3),
                          st.sampled_from(ACCELERATORS)), max_size=8),
       st.randoms(use_true_random=False))
def test_hardware_tries_only_where_a_match_can_start(segments, rnd):
    # Words that may come before an accelerator, then the accelerator, again and again.
    text = _text([t for before, acc in segments for t in (*before, acc)], rnd)
    _same(_HW_BARE, hardware._HW.pattern, text, rnd)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abcde"),
                       st.lists(st.integers(0, 60), min_size=1, unique=True).map(sorted)),
       st.lists(st.sampled_from("abcdef"), max_size=6))
def test_word_offsets_are_merged_as_before(at, words):
    hits = prefilter.Hits(at, exact_starts=True)
    lists = [at[w] for w in words if w in at]
    assert hits.starts(words) == list(dict.fromkeys(heapq.merge(*lists)))
    assert hits.any(words) == any(w in at for w in words)


LINK = "[Wren-7B](https://huggingface.co/lab/wren-7b)"
# Gated patterns tried only where their start words are, with texts each of them matches.
STARTED = [
    (hardware._BARE_GPU, ["trained on a NVIDIA GPU", "on an AMD  GPU.", "the gpu, per GPU",
                          "xGPU or multi-GPU or a GPU", "GPU memory; the gpu"]),
    (hardware._TRAINED_ON_TPU, ["trained on a TPU", "fine-tuned on colab TPU",
                                "Fine-Tuned on 8 TPUs", "finetuned on TPU v3, trained on TPU"]),
    (training._TRAINED_WITH_LIBRARY, ["trained using the Hugging Face transformers",
                                      "Fine-tuning with peft", "training via HF trainer",
                                      "finetuned with diffusers"]),
    (training._EXAMPLE_SCRIPT, ["python run_clm_flax.py --x", "RUN_SQUAD.py",
                                "xrun_a.py run_b.py"]),
    (merges._MERGE_LINKS, [f"slerp merge of {LINK}", f"nuslerp merged {LINK}",
                           f"dare_ties merge {LINK}", f"Task Arithmetic merging the {LINK}",
                           f"model_stock merge of {LINK}", f"merged {LINK}, Merge **{LINK}"]),
    (bare_ids._NAMED_THEN_TUNED, [f"This is a version of {LINK} fine-tuned",
                                  "It is the version of 'lab/wren-7b' trained",
                                  "we took 'lab/wren-7b' and fine-tuned",
                                  f"this model starts from {LINK} then trained",
                                  "layers copied from 'lab/wren-7b' trained"]),
    (bare_ids._PORT_OF, ["This is a port of the X encoder (https://huggingface.co/lab/x)",
                         "this repository contains a conversion of [X](https://hf.co/lab/x)"]),
    (labelled._BASE_IS, [f"The base model is {LINK}", "base model used for tuning is `lab/x`",
                         f"Lab's base model is {LINK}; the base  model was `x`"]),
    (elsewhere._MADE_WITH_VERSION, ["This model was made with Wren Tools 1.2",
                                    "It was trained from Wren 2.1", "it\tis built on Acme v3.0"]),
]


def test_started_patterns_match_as_the_bare_pattern(monkeypatch):
    monkeypatch.setattr(prefilter, "_ON", [True])
    monkeypatch.setattr(prefilter, "MIN_LENGTH", 0)  # the prefilter for every text
    for gated, texts in STARTED:
        assert isinstance(gated, Gated)
        assert gated.starts
        for text in texts:
            assert gated.pattern.search(text), text
            for variant in (text, "x " + text.upper() + " " * 300, text + " \u017f"):
                for pos in range(len(text) + 1):
                    want = [m.span() for m in gated.pattern.finditer(variant, pos)]
                    assert [m.span() for m in gated.finditer(variant, pos)] == want, (text, pos)
