"""The prefilter changes nothing: prefiltered extraction gives what the exhaustive one gives."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.cards import read_card
from lineage.errors import CardError
from lineage.extract import datasets, extract, hardware, prefilter, prose, relation, training
from lineage.extract.scan import Anchored, Gated, matches_at
from lineage.ingest import iter_inputs
from tests.conftest import ROOT, need

# The prose rules live in the modules of their package.
PROSE = tuple(importlib.import_module(f"{prose.__name__}.{m.name}")
              for m in pkgutil.iter_modules(prose.__path__))
SCANNERS = [(f"{m.__name__}.{name}", v) for m in (*PROSE, relation, training, datasets, hardware)
            for name, v in vars(m).items() if isinstance(v, Gated | Anchored)]
SCANNERS += [(f"training._PROMPT_RES.{name}", gated) for name, gated, _ in training._PROMPT_RES]
SCANNERS += [(f"training._TRAINER_FIELDS.{key}", p) for key, p, _ in training._TRAINER_FIELDS]
# Words the rules start with or need, marks around them, and characters that lowering
# treats apart (long s, dotless i, dotted capital I, Kelvin sign) — in any case.
TOKENS = ["8", "x", "4 x", "NVIDIA", "A100", "H100", "a10g", "MI300X", "RTX 4090", "TPU v4",
          "GPUs", "[", "](https://huggingface.co/org/model)", "trained", "fine-tuned", "finetuned",
          "sft'd", "DPO", "instruction-tuned", "continued pretraining", "further trained",
          "based", "on", "from", "of", "the", "a", "an", "\t", "merge", "merged", "Merge of",
          "merged using the", "merge method", "GGUF", "quants", "4-bit", "int8", "llama.cpp",
          "for", "epochs", "3", "epoch:", "learning rate", "lr", "2e-5", "batch size",
          "batch_size", "tokens", "1.5B", "$", "600", "cost", "gpu hours", "AWS", "Google Colab",
          "chatml", "format", "template", "prompt", "using", "in", "<|im_start|>", "USER:",
          "ASSISTANT:", "[INST]", "extracted from", "base_model=", "--model_name_or_path",
          "pretrained_model_name_or_path", "org/model", "bert-base-uncased", "gpt2",
          "version of", "checkpoint", "dataset", "data set", "Data", "pre-trained", "pretrained",
          "pre-train", "with", "Base model is", "model", "converted by", "versions", "Wren-XL",
          "for Tensorflow", "Multilingual BERT", "was used as an initialization", "# WREN",
          "fine tuned model", "is an", "\u672c\u6a21\u578b\u57fa\u4e8e", "\u5fae\u8c03",
          "(`Wren-7B v1`)", "It's", "text encoder and tokenizer are", "replaced with my",
          "as teacher", "Models used:", "this was made with", "SD 1.4", "further pre-trained from",
          "adapted from",
          "\u3092\u30d9\u30fc\u30b9\u306b", "\ub97c \uae30\ubc18\uc73c\ub85c",
          "\ud30c\uc778\ud29c\ub2dd",
          "optimizer: adam", "seed: 42", "hardware: 8x A100", "\n", "\n- ", "| ", " ", ",", ".",
          "\u017ft", "\u017fFT", "\u0131nstruct", "\u0130nitialized", "\u212aB", "ba\u017fed"]


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prefilter on for every text, however short."""
    monkeypatch.setattr(prefilter, "_ON", [True])
    monkeypatch.setattr(prefilter, "MIN_LENGTH", 0)


def _spans(scanner: Gated | Anchored, text: str, pos: int = 0, *, exhaustive: bool = False,
           ) -> list[tuple[int, int]]:
    """Return the scanner's match spans, prefiltered or (``exhaustive``) not."""
    was = prefilter.set_enabled(not exhaustive)
    try:
        return [m.span() for m in scanner.finditer(text, pos)]
    finally:
        prefilter.set_enabled(was)


def test_special_characters_are_all_that_lowering_treats_apart():
    special = "".join(c for c in map(chr, range(0x80, 0x110000))
                      if len(c.lower()) != 1 or (re.fullmatch(r"(?i)[a-z]", c) and
                                                 c.lower() not in string.ascii_lowercase))
    assert special == prefilter.SPECIAL


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the same on every input
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=80), rnd=st.randoms(use_true_random=False))
def test_prefiltered_scanners_find_what_exhaustive_ones_find(always, tokens, rnd):
    # A link after many words: the rules read a word, a few more and a link.
    text = "".join((t.upper() if rnd.random() < 0.2 else t) +
                   rnd.choice([" ", "", "\n", " ", " [Org/M-7B](https://huggingface.co/org/m-7b) ",
                               " org/m-7b. "]) for t in tokens)
    pos = rnd.randrange(len(text) + 1)
    for name, scanner in SCANNERS:
        assert _spans(scanner, text) == _spans(scanner, text, exhaustive=True), name
        assert _spans(scanner, text, pos) == _spans(scanner, text, pos, exhaustive=True), name


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=40), st.integers(0, 40), st.integers(0, 45))
def test_matches_at_is_finditer_when_every_match_starts_at_a_start(text, pos, endpos):
    pattern = re.compile(r"ab*(?: a)?")
    starts = [i for i, c in enumerate(text) if c == "a"]
    assert [m.span() for m in matches_at(pattern, text, starts, pos, endpos)] == \
        [m.span() for m in pattern.finditer(text, pos, endpos)]


def test_a_text_with_a_special_character_is_not_tried_at_word_starts_only(always):
    text = "This model was \u017fft'd from [x](https://huggingface.co/org/base) " * 3
    assert not prefilter.hits(text).exact_starts
    # Tried everywhere, as without the prefilter: the long-s "sft" is found once the gate opens.
    text += " trained"
    verb_link = prose.verbs._VERB_LINK
    assert _spans(verb_link, text) == _spans(verb_link, text, exhaustive=True)
    assert len(_spans(verb_link, text)) == 3


def test_the_prefilter_can_be_turned_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(prefilter, "_ON", [True])
    assert prefilter.set_enabled(False) is True
    assert prefilter.hits("x" * 1000) is None
    prefilter.set_enabled(True)
    assert prefilter.hits("x" * 1000) is not None


def test_the_environment_turns_the_prefilter_off_at_import():
    probe = "from lineage.extract import prefilter; print(prefilter.enabled())"
    env = {**os.environ, "LINEAGE_PREFILTER": "0"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"


def _both(data: bytes, source: str, monkeypatch: pytest.MonkeyPatch,
          id_hint: str | None = "org/model") -> tuple[object, object]:
    """Return the card's extraction with the prefilter on and off."""
    try:
        card = read_card(data, source, id_hint=id_hint, id_hint_method="path" if id_hint else None)
    except CardError:
        return None, None
    monkeypatch.setattr(prefilter, "_ON", [True])
    fast = extract(card)
    prefilter.set_enabled(False)
    slow = extract(card)
    return fast, slow


LINES = ["# Model card", "## Training", "## Evaluation results", "---", "| Base model | org/b |",
         "|---|---|", "Base model: [Org/Base-7B](https://huggingface.co/org/base-7b)",
         "This model is a fine-tuned version of [org/base-7b](https://huggingface.co/org/base-7b)"
         " on the org/data dataset.", "Trained for 3 epochs on 8x A100 80GB GPUs in 12 hours.",
         "learning rate: 2e-5, batch size 64 (effective 256)", "GGUF quants of "
         "[Org/X-13B](https://huggingface.co/org/x-13b)", "A TIES merge of org/a-7b and org/b-7b"
         " with org/c-7b being the base model.", "```", "merge_method: slerp", "- optimizer: adamw",
         "Prompt format: ChatML", "<|im_start|>user", "trained on 2 trillion tokens",
         "a bert-base-uncased model fine-tuned for NER", "cost about $600 on AWS",
         "The MNLI and SNLI datasets", "- org/dataset-one", "LoRA adapter merged into the base",
         "This is a \u017fft'd version of [Org/Y-3B](https://huggingface.co/org/y-3b)",
         "--model_name_or_path org/base-7b", "I then merged [org/z-7b](https://huggingface.co/"
         "org/z-7b) into the blend", "", "extracted from [org/ft-7b](https://huggingface.co/org/"
         "ft-7b), uses [org/base-7b](https://huggingface.co/org/base-7b) as the base"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # each input sets the env
@given(lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=40),
       front=st.sampled_from(["", "---\nbase_model: org/base-7b\nlicense: mit\n---\n",
                              "---\ntags:\n- gguf\nquantized_by: someone\n---\n"]))
def test_generated_cards_extract_the_same_prefiltered(monkeypatch, lines, front):
    fast, slow = _both((front + "\n".join(lines)).encode(), "org/model/README.md", monkeypatch)
    assert fast == slow


def test_synthetic_cards_extract_the_same_prefiltered(monkeypatch, tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_cards.py"), "-n", "150", "-o",
                    str(tmp_path), "--seed", "11"], check=True, capture_output=True)
    compared = 0
    for ci in iter_inputs([tmp_path]):
        fast, slow = _both(ci.path.read_bytes(), ci.source, monkeypatch, ci.id_hint)
        assert fast == slow, ci.source
        compared += fast is not None
    assert compared >= 140


def _real_cards(shared: Path) -> Iterator[tuple[Path, str | None, str]]:
    for root in (shared / "corpus", shared / "seeds"):
        need(root.is_dir(), f"{root} is missing")
        for ci in iter_inputs([root]):
            assert ci.path is not None
            yield ci.path, ci.id_hint, ci.source


def test_real_cards_extract_the_same_prefiltered(monkeypatch, shared: Path):
    compared = 0
    for path, id_hint, source in _real_cards(shared):
        fast, slow = _both(path.read_bytes(), source, monkeypatch, id_hint)
        assert fast == slow, source
        compared += fast is not None
    assert compared >= 85


LINK = "[Org/A-7B](https://huggingface.co/org/a-7b)"
ACCELERATORS = ["GH200", "H200", "B200", "H100", "H800", "A100", "A800", "A10G", "A40", "A6000",
                "A5000", "L40S", "L4", "V100", "T4", "P100", "P40", "P4", "K80", "M60", "RTX 6000",
                "RTX 4090", "GeForce RTX 3090",
                "Instinct MI300X", "MI250", "Gaudi 2", "TPU v4", "GTX 1080 Ti", "TITAN RTX",
                "Quadro RTX 8000", "Cloud TPU v3-8", "Apple M2 Ultra", "Mac Studio", "M1 Max",
                "M2 Pro", "M3 Ultra", "M4 Max", "Reconfigurable Dataflow Units", "SambaNova RDU",
                "Cerebras CS-2", "Graphcore IPU", "Trainium2", "1070 Ti", "1080 Ti", "2070 Ti",
                "2080 Ti", "TI 3080", "Ti 4090", "Ti 5090", "TI3080", "Ti4070", "ti5060"]
# One sample at least for each word a rule's matches start with.
SAMPLES = [
    *(f"The model was {verb} {LINK} on data." for verb in (
        "fine-tuned from", "trained on", "sft'd from", "dpo'd from", "instruction-tuned from",
        "continued pretraining from", "further trained from", "based on", "built on",
        "derived from", "initialized from", "distilled from", "resumed from", "forked from",
        "converted to MLX from", "adapted from")),
    f"I then merged {LINK} into the blend.", "It was merged using the SLERP merge method.",
    *(f"{q} files of {LINK}." for q in ("GGUF", "GGML", "GPTQ", "AWQ", "EXL2", "MLX",
                                         "Quantized", "int4", "int8", "2-bit", "4-bit", "8-bit",
                                         "llama.cpp", "TorchScript", "ONNX", "CoreML", "TFLite",
                                         "OpenVINO")),
    *(f"run {arg} org/a-7b" for arg in ("--base_model", "--model_name_or_path",
                                        "--pretrained_model_name_or_path")),
    *(f"x = f({arg}='org/a-7b')" for arg in ("base_model", "model_name_or_path",
                                             "pretrained_model_name_or_path")),
    *(f"This is {w} gpt2 model." for w in ("fine-tuned from", "trained from", "based on",
                                            "built on", "derived from", "initialized from",
                                            "distilled from", "a version of", "a checkpoint of",
                                            "a", "a\t", "an")),
    "an\tgpt2 model", "this is gpt2 model fine-tuned", "It is the gpt2 model trained",
    "It\tis the gpt2 model trained",
    *(f"a {w} model of gpt2" for w in ("TorchScript", "ONNX", "CoreML", "TFLite", "OpenVINO")),
    f"LoRA extracted from {LINK}.",
    *(f"Trained for 3 epochs on 8x {acc} GPUs." for acc in ACCELERATORS),
    "batch size 64, 2 trillion tokens, the MNLI dataset", "learning rate 2e-5, lr: 1e-4",
    "trained on the Tern Web corpus and the ItWac corpora",
    "- body_learning_rate: (2e-05, 2e-05)",
    "It cost $600 to train.", "Prompt format: chatml", "Instruct template: alpaca",
    "chat format is vicuna", "using the alpaca format", "with alpaca template",
    "in alpaca format", "in\talpaca format", "uses alpaca-style template",
    "chat-ml <|im_start|> llama-3 prompt format <|start_header_id|> llama-2 chat template <<SYS>>"
    " mistral instruct format [INST] alpaca ### Instruction: vicuna format USER: hi ASSISTANT:"
    " zephyr template <|user|> <start_of_turn> <|end|>",
    *(f"{w} on [C4](https://example.org/c4)." for w in ("Pre-trained", "Pretrained", "Trained",
                                                         "Fine-tuned", "Finetuned")),
    *(f"The {w} data includes [C4](https://example.org/c4)." for w in ("pre-training",
                                                                       "pretraining", "training")),
    *(f"Fine-tuned on {c}." for c in ("AWS", "Amazon SageMaker", "SageMaker", "Google Cloud", "GCP",
                                       "Azure", "Lambda Labs", "RunPod", "CoreWeave", "Paperspace",
                                       "Vast.ai", "Google Colab")),
    # the starts of the unlinked-parent sentences
    *(f"This model is {w} Wren-7B." for w in (
        "based on", "built upon", "derived from", "fine-tuned from", "finetune of",
        "trained on top of", "initialized from", "further pre-trained from",
        "continued pretraining of", "a GGUF version of", "the GPTQ quants of", "an AWQ version of",
        "an EXL2 version of", "an MLX version of", "a quantized version of",
        "a TorchScript model of", "an ONNX export of", "a CoreML version of",
        "a TFLite conversion of", "an OpenVINO model of")),
    "X is a fine-tuned Wren-3.2-1B model.", "X was an fine-tuned Wren-3.2-1B model.",
    # the starts of the sentences naming a model's version, a port, a base model, merged links
    "This is a version of 'org/a-7b' fine-tuned", "It is a version of 'org/a-7b' trained",
    "It\tis the version of 'org/a-7b' trained", "We took 'org/a-7b' and fine-tuned",
    "We\ttook 'org/a-7b' and trained", "Layers copied from 'org/a-7b' trained",
    "This is a port of the X encoder (https://huggingface.co/org/x)",
    "This model was made with Wren Tools 1.2", "It was trained from Wren 2.1",
    "It\tis built on Acme v3.0", f"The base model is {LINK}",
    *(f"{w} merge of {LINK}" for w in ("SLERP", "nuslerp", "TIES", "dare_ties", "linear",
                                        "task_arithmetic", "model_stock", "della", "karcher",
                                        "breadcrumbs")),
    # and of training libraries, example scripts, GPUs and TPUs without a model or version
    "trained using the Hugging Face transformers", "Fine-tuned with peft",
    "python run_clm_flax.py", "on a NVIDIA GPU, an AMD GPU, a GPU", "trained on a TPU",
    "fine-tuned on colab TPU",
]


def test_samples_cover_every_start_word_and_extract_the_same_prefiltered(always):
    started: set[tuple[str, str]] = set()
    for sample in SAMPLES:
        for name, scanner in SCANNERS:
            assert _spans(scanner, sample) == _spans(scanner, sample, exhaustive=True), \
                (name, sample)
            reads = scanner.anchor if isinstance(scanner, Anchored) else scanner.pattern
            for m in reads.finditer(sample):
                started.update((name, w) for w in scanner.starts
                               if m.group(0).lower().startswith(w))
    missing = [(name, w) for name, scanner in SCANNERS for w in scanner.starts
               if (name, w) not in started]
    assert not missing
