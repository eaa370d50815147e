"""Extraction takes time linear in the size of the card, whatever the card holds.

Each rewritten pattern or loop has a row below: it must still find what it finds on a
normal line, and on adversarial text (runs of blanks, long hyphenated words, lines of "-",
repeated tokens) the time for 8n characters must stay within a generous multiple of the
time for n (linear is 8; the old patterns were 64 and more). Times are the best of a few
runs, so a loaded machine slows both sizes alike. A hypothesis test then feeds random
cards of up to 100 KB mixing those ingredients through the whole extraction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.cards import read_card
from lineage.extract import (
    Extraction,
    context,
    datasets,
    extract,
    hardware,
    license,
    markdown,
    prose,
    relation,
    scores,
    training,
)
from lineage.extract import _datasets as fold_datasets
from lineage.extract.links import find_links
from lineage.extract.scan import blank_lines_start, first_occurrences
from lineage.facts import (
    DatasetRef,
    DatasetUse,
    Evidence,
    Hardware,
    LicenseFact,
    Method,
    ModelRef,
    Parent,
    Score,
    Tag,
    TrainingSetting,
)
from lineage.ids import id_key

LINEAR = 8  # the time ratio of 8n to n characters for linear work
SLACK = 20  # what the rows allow: n log n and noise pass, quadratic (64) does not


def card(body: str, meta: str = "", own: str = "org/own-7b") -> Any:
    return read_card(f"---\n{meta}---\n{body}".encode(), f"{own}/README.md", id_hint=own,
                     id_hint_method="path")


def run(body: str, meta: str = "", own: str = "org/own-7b") -> Extraction:
    return extract(card(body, meta, own))


def ctx_of(body: str, meta: str = "", own: str = "org/own-7b") -> context.Context:
    c = card(body, meta, own)
    return context.Context(c, markdown.parse(c), find_links(c), own, frozenset({id_key(own)}))


def groups(pattern: Any, text: str) -> list[tuple[str | None, ...]]:
    return [m.groups() for m in pattern.finditer(text)]


def of(kind: type, ex: Extraction) -> list[Any]:
    return [f for f in ex.facts if isinstance(f, kind)]


@dataclass(frozen=True)
class Row:
    """A rewritten pattern or loop: a call, a normal input and its result, adversarial text."""

    name: str
    call: Callable[[str], Any]
    normal: str
    want: Any
    adversarial: Callable[[int], str]
    n: int = 2000


ROWS = [
    # lineage.extract.training
    Row("datasets._NAMED_DATASET", lambda t: [m.group(1) for m in
                                              datasets._NAMED_DATASET.finditer(t)],
        "It was trained on the Open Orca dataset.", ["Open Orca"],
        # the word length scales (a window of 240 characters holds it), 30 lines of it
        lambda n: ("On " + "-".join(["A"] * (n // 2)) + ": dataset\n") * 30, n=28),
    Row("hardware._HW_FIELD", lambda t: groups(hardware._HW_FIELD, t),
        "| Hardware | 8 x A100 |", [("8 x A100",)],
        lambda n: "*" * n + "\nHardware: ab" + " " * n + "x\n"),
    Row("hardware._CJK_CARDS", lambda t: [(h.accelerator, h.count) for h in of(Hardware, run(t))],
        "## 训练\n我们使用单卡4090训练了该模型。\n", [("NVIDIA RTX 4090", 1)],
        lambda n: "## 训练\n" + "单卡" * (n // 2) + "\n"),
    Row("hardware._ANY_GPU", lambda t: [(h.accelerator, h.count) for h in of(Hardware, run(t))],
        "We trained the model on an 8 GPU setup.\n", [("GPU", 8)],
        lambda n: "We trained it on " + "8 GPU, " * (n // 7) + "\n"),
    Row("hardware colab sentences", lambda t: [(h.accelerator, h.count)
                                               for h in of(Hardware, run(t))][:1],
        "We fine-tuned it on a single T4 GPU in Google Colab.\n", [("NVIDIA T4", 1)],
        lambda n: "We trained it in Colab on a T4 and ran it in a notebook, " * (n // 57) + "\n",
        n=500),
    Row("license.license_name_in_prose", lambda t: license.license_name_in_prose(
        card(t, "license: other\n")),
        "The weights are released under a modified Acme license.\n", "modified Acme",
        lambda n: "The weights are released under a " + "modified " * (n // 9) + "x\n"),
    Row("training._GPU_HOURS", lambda t: groups(training._GPU_HOURS.pattern, t),
        "It used 1,200 GPU hours.", [("1,200", None)], lambda n: "1," * n),
    Row("training._LR_EXPLICIT", lambda t: groups(training._LR_EXPLICIT.pattern, t),
        "learning rate: 2e-5", [("2e-5",)], lambda n: "lr" + " " * n + "x"),
    Row("training._EFFECTIVE", lambda t: groups(training._EFFECTIVE, t),
        "an effective batch size of 64", [("64",)], lambda n: "effective" + " " * n + "x"),
    Row("training._NAMED_PROMPT", lambda t: groups(training._NAMED_PROMPT.pattern, t),
        "Prompt format: ChatML", [("ChatML", None)], lambda n: "prompt format" + " " * n + "!"),
    Row("datasets._ID_ITEM", lambda t: groups(datasets._ID_ITEM, t),
        "- `org/data-1`", [("org/data-1",)], lambda n: "- a/b" + "_" * n + " x\n"),
    Row("datasets._without_note", datasets._without_note, "Set A (45%) ", "Set A",
        lambda n: "(" * n + ")"),
    Row("training metharme", lambda t: bool(training._ANYWHERE["metharme"].search(t)),
        "<|system|>Be kind<|user|>Hi<|model|>", True,
        lambda n: "<|model|> " + "<|system|> " * n, n=500),
    Row("training sentences (hardware)", lambda t: [(h.accelerator, h.count)
                                                    for h in of(Hardware, run(t))],
        "Trained on 8x A100 GPUs.", [("NVIDIA A100", 8)],
        lambda n: "trained on " + "A100 " * n + "\n", n=500),
    Row("training sentences (cost)", lambda t: [(s.key, s.value) for s in
                                                of(TrainingSetting, run(t))],
        "Training cost $1,200 in total.", [("cost", 1200)],
        lambda n: "spent " + "$1," * n + "\n", n=500),
    Row("datasets._in_quant_table", lambda t: [d.ref.id for d in of(DatasetUse, run(t))],
        "| Bits | Group size | Dataset |\n|---|---|---|\n"
        "| 4 | 128 | [c4](https://huggingface.co/datasets/o/c4) |\n", [],
        lambda n: "| Bits | Dataset |\n|---|---|\n" + "".join(
            f"| 4 | [d](https://huggingface.co/datasets/o/d{i}) |\n" for i in range(n // 50)),
        n=1000),
    Row("datasets._about_another_model", lambda t: [d.ref.name for d in
                                                    of(DatasetUse, run(t))],
        "## Data\n- [m](https://huggingface.co/o/m) was trained on the Foo dataset\n", [],
        lambda n: "## Data\n- [m](https://huggingface.co/o/m) trained on " +
        "Foo dataset, " * (n // 13) + "\n", n=1000),
    Row("datasets._data_table_rows", lambda t: [d.ref.name for d in of(DatasetUse, run(t))],
        "## Training data\n| Source | Share |\n|---|---|\n| Books (45%) | 45 |\n", ["Books"],
        lambda n: "## Training data\n| Source | n |\n" + " " * n + "x\n| (" + "(" * n + ") |\n"),
    Row("datasets._items", lambda t: [d.ref.name for d in of(DatasetUse, run(t))],
        "## Training data\n- BookSet, which has books\n", ["BookSet"],
        lambda n: "## Training data\n- " + "Aa " * (n // 3) + "x\n" +
        "- Aa Bb Cc Dd Ee Ff\n" * (n // 20)),
    Row("datasets._FIELD", lambda t: groups(datasets._FIELD.pattern, t),
        "* dataset: opus\n", [("opus",)],
        lambda n: "* dataset:" + " " * n + "x\n" + "dataset: " + "a " * (n // 2) + "\n"),
    Row("datasets._corpora_in_sentences", lambda t: [d.ref.name for d in of(DatasetUse, run(t))],
        "It was trained on Wikipedia.\n", ["Wikipedia"],
        lambda n: "trained on " * (n // 11) + "\n" + "trained on C4 " * (n // 14) + "\n"),
    Row("datasets._held_out_tables", lambda t: [d.ref.name for d in of(DatasetUse, run(t))],
        "We set aside a test set from each data set.\n\n|Dataset|x|\n|---|---|\n|Pang (2005)|1|\n",
        ["Pang (2005)"], lambda n: "We set aside a test set from each set.\n|Dataset|x|\n|---|\n" +
        "".join(f"|Set {i}|1|\n" for i in range(n // 10))),
    Row("datasets._TRAINED_ON_LINK", lambda t: groups(datasets._TRAINED_ON_LINK.pattern, t),
        "fine-tuned on the [Set](https://e.org/s)", [("on the ", "Set", "https://e.org/s")],
        lambda n: "fine-tuned on of and " * (n // 21) + "[x](https://e.org)"),
    Row("hardware._HW", lambda t: [m.groups()[:2] for m in hardware._HW.pattern.finditer(t)],
        "8 x NVIDIA A100 80GB GPUs", [("8", "A100")], lambda n: "@ 0.5" + " " * n + "x"),
    Row("datasets._DATASET_THEN_LINK", lambda t: bool(datasets._DATASET_THEN_LINK.search(t)),
        "a modified dataset (c.f. [x](", True, lambda n: "dataset" + " " * n + "x"),
    Row("training section titles", lambda t: [s.value for s in of(TrainingSetting, run(t))
                                              if s.key == "epochs"],
        "## Training\nTrained for 3 epochs.\n", [3],
        lambda n: "## Training " + "x " * (n // 4) + "\n" + "2 epochs, " * (n // 20) + "\n"),
    # lineage.extract.license
    Row("license._under_sentences", lambda t: [(s, x) for s, x in
                                               license._under_sentences(t, 0)],
        "Weights are released under the MIT license. More.",
        [(0, "Weights are released under the MIT license")], lambda n: "w " * n + "\n"),
    Row("license._STRAY", lambda t: groups(license._STRAY, t), "- **License:** MIT\n",
        [("MIT",)], lambda n: "- **License:** " + " " * n + "x y\n"),
    Row("license apache phrase", license.prose_license_id, "Apache License, Version 2.0",
        "apache-2.0", lambda n: "apache" + " " * n + "x"),
    # lineage.extract.scores
    Row("scores._NUMBER", scores._value, " **71.2** ± 0.4 ", "71.2",
        lambda n: "1" + " " * n + "x"),
    Row("scores._SHOTS", scores._shots, "MMLU (5-shot)", 5, lambda n: "1" * n),
    Row("scores._value_text", scores._value_text, "71.5 %", "71.5",
        lambda n: "1" + " " * n + "x"),
    Row("scores._TRAINER_RESULTS", lambda t: bool(scores._TRAINER_RESULTS.search(t)),
        "It achieves the following results on the evaluation set:\n", True,
        lambda n: "results on the evaluation set" + " " * n + "x"),
    Row("scores._flat_tables", lambda t: [(x.header, [r for r, _ in x.rows])
                                          for x in scores._flat_tables(0, t)],
        "| Benchmark | Score | | --- | --- | | MMLU | 70.1 | | ARC | 60.2 |",
        [(("Benchmark", "Score"), [("MMLU", "70.1"), ("ARC", "60.2")])],
        lambda n: "| a | b | | --- | --- | " + "| x | 1 | | --- | --- | " * (n // 20)),
    # lineage.extract.markdown
    Row("markdown.unlink", markdown.unlink, "[Base](https://x.y/b) and ![i](p.png)",
        "Base and i", lambda n: "[a](" * n),
    Row("markdown._HEADING", lambda t: [s.title for s in markdown.parse(card(t)).sections],
        "## Training data ##\n", ["Training data"], lambda n: "# a" + " " * n + "b\n"),
    Row("markdown._fences", lambda t: [b.info for b in markdown.parse(card(t)).code_blocks],
        "```yaml\na: 1\n```\n", ["yaml"], lambda n: "```x\n" * n, n=500),
    Row("markdown sections", lambda t: [doc.section_path(i) for doc in [markdown.parse(card(t))]
                                        for i in range(0, len(t) + 8, 8)][-1],
        "# A\n## B\n### C\nx\n", ("A", "B", "C"),
        lambda n: "# T\n" + "## S\n" * (n // 5), n=1000),
    # lineage.cards
    Row("cards._FLAT_FRONT", lambda t: dict(read_card(t.encode(), "c.md").meta),
        "--- license: mit base_model: a/b --- # T", {"license": "mit", "base_model": "a/b"},
        lambda n: "--- license: mit" + " " * n + "x\n"),
    Row("cards._LATE_FRONT", lambda t: dict(read_card(t.encode(), "c.md").meta),
        "![b](b.png)\n---\nlicense: mit\n---\nx\n", {"license": "mit"},
        lambda n: "![b](b.png)\n" * 9 + "---\n" + "license: mit\n" * (n // 13)),
    Row("cards._FLAT_KEY", lambda t: dict(read_card(t.encode(), "c.md").meta),
        "--- a: b  c: d --- x", {"a": "b", "c": "d"},
        lambda n: "--- tags:" + " \t- a" * (n // 5) + " --- x"),
    # lineage.extract.context
    Row("context.snippet_at", lambda t: [context.snippet_at(c, i, i + 4) for c in [card(t)]
                                         for i in range(8, len(t), 97)][:1],
        "The quick brown fox\n", ["The quick brown fox"], lambda n: "w " * n, n=1000),
    Row("context name indexes", lambda t: [ctx.resolve(w).id for ctx in [ctx_of(t)]
                                           for w in re.findall(r"\bm\d+", t)][:1],
        "[M1](https://huggingface.co/o/m1) m1", ["o/m1"],
        lambda n: "".join(f"[M{i}](https://huggingface.co/o/m{i}) m{i} " for i in
                          range(n // 50)), n=1000),
    # lineage.extract.prose
    Row("prose.bare_ids._THIS_MODEL_VERSION_OF",
        lambda t: groups(prose.bare_ids._THIS_MODEL_VERSION_OF.pattern, t),
        "This model is a fine-tuned version of o/m on d.", [("fine-tuned", "o/m")],
        lambda n: "this model is a fine-tuned version of " * (n // 38) + "x"),
    Row("prose.elsewhere._ZH_TUNE_OBJECT",
        lambda t: groups(prose.elsewhere._ZH_TUNE_OBJECT.pattern, t),
        "对Wren-6b模型进行微调", [("Wren-6b", "微调")],
        lambda n: "对Wren-6b模型进行" + "的" * n + "\n"),
    Row("prose.bare_ids._WEIGHTS_ON_TOP",
        lambda t: groups(prose.bare_ids._WEIGHTS_ON_TOP.pattern, t),
        "These weights were added on top of the 'o/m'", [("o/m",)],
        lambda n: "these weights were added on top of " * (n // 35) + "x"),
    Row("prose.bare_ids._PACKAGES", lambda t: groups(prose.bare_ids._PACKAGES.pattern, t),
        "`me/x` packages the `o/base-1` checkpoint", [("o/base-1",)],
        lambda n: "packages the a/" + "b" * n + " x"),
    Row("prose.bare_ids._CODE_ARG cache path",
        lambda t: groups(prose.bare_ids._CODE_ARG.pattern, t),
        '--model_name_or_path="D:\\models--o--m"', [("model_name_or_path", "D:\\models--o--m")],
        lambda n: ("--model_name_or_path=" + "x" * 150 + "\n") * (n // 170)),
    Row("prose.verbs._DATASET_AFTER",
        lambda t: (m := prose.verbs._DATASET_AFTER.match(t)) and m.groups(),
        " on the Foo dataset", ("Foo",), lambda n: " " * n + "x"),
    Row("prose.labelled._PLACEHOLDER",
        lambda t: bool(prose.labelled._PLACEHOLDER.search(t)), "N/A", True,
        lambda n: "-" * n + "x"),
    Row("prose.merges._MERGE_SENTENCE", lambda t: groups(prose.merges._MERGE_SENTENCE.pattern, t),
        "A TIES merge of org/a and org/b.", [("TIES", "org/a and org/b", None)],
        lambda n: "a-" * n + " x merge of ab" + " " * n + "x"),
    Row("prose.merges._RECIPE_LINE", lambda t: [(g[0], g[2], g[3]) for g in
                                                groups(prose.merges._RECIPE_LINE, t)],
        "Gradient SLERP merge of A @0.5 and B = Own-7B (final)",
        [("Gradient SLERP", "A @0.5 and B", "Own-7B")],
        lambda n: "-" * n + "\nmerge of " + "a = b (" * (n // 7) + "\n"),
    Row("prose.merges._AT_WEIGHT",
        lambda t: groups(prose.merges._AT_WEIGHT, t), "org/a @ 0.5", [("0.5",)],
        lambda n: "a" + " " * n + "b @ " + "1" * n + "x"),
    Row("prose.merges._TEMPLATE_METHOD", lambda t: groups(prose.merges._TEMPLATE_METHOD, t),
        "merged using the [TIES](https://arxiv.org/abs/1) merge method", [("TIES", None)],
        lambda n: "merged using the ab(" * (n // 20)),
    Row("prose.merges._names", prose.merges._names, "A, B and C + D", ["A", "B", "C", "D"],
        lambda n: "a" + " " * n + "b"),
    Row("prose.merges._usable", lambda t: prose.merges._usable(ModelRef(None, t)), "Model-7B", True,
        lambda n: "1-" + "1." * n + " "),
    Row("prose.labelled._list_after", lambda t: sorted(p.ref.id for p in of(Parent, run(t))
                                                       if p.ref.id),
        "Merged models:\n- org/a\n- org/b\n", ["org/a", "org/b"],
        lambda n: "- Merged models:\n" * (n // 17), n=1000),
    Row("prose.labelled._TABLE_LABEL",
        lambda t: [(blank_lines_start(t, m.start()), m.group(2))
                   for m in prose.labelled._TABLE_LABEL.finditer(t)],
        "text\n\n| Base model | org/x |\n", [(5, "org/x")],
        lambda n: "\n" * n + "| Base model | a" + " " * n + "b |\n"),
    Row("prose.bare_ids._CODE_ARG", lambda t: groups(prose.bare_ids._CODE_ARG.pattern, t),
        "--model_name_or_path org/base", [("model_name_or_path", "org/base")],
        lambda n: "base_model" + " " * n + "x"),
    Row("prose.names.unlinked", lambda t: [p.ref.name for p in of(Parent, run(t))],
        "It is based on Mistral-7B-v0.1.", ["Mistral-7B-v0.1"],
        lambda n: "Foo-7B based on Bar-1B " * (n // 23), n=1000),
    Row("prose.labelled._item_ref", lambda t: [p.ref.name for p in of(Parent, run(t))],
        "Parent Model: T5 (Google)\n", ["T5"], lambda n: "Parent model: a" + " " * n + "b\n"),
    Row("prose.names._AS_FORMAT",
        lambda t: [m.group(1) for m in prose.names._AS_FORMAT.finditer(t)],
        "This is Foo-7B as GGUF.", ["Foo-7B"], lambda n: "x1." * n + " in x"),
    # lineage.extract.mergekit
    Row("mergekit._first_lines", lambda t: [p.ref.name for p in of(Parent, run(t))],
        "merge_method: ties\n- model: org/a\n- model: org/b\n", ["org/a", "org/b"],
        # each recipe reads up to 80 lines: from 4 KB on, the time per recipe is constant
        lambda n: "merge_method: ties\n- model: a\n" * (n // 30), n=4000),
    Row("mergekit evidence lines", lambda t: [p.evidence.line for p in of(Parent, run(t))],
        "```yaml\nmerge_method: ties\nmodels:\n  - model: org/a\n  - model: org/b\n```\n",
        [6, 7], lambda n: "```yaml\nmerge_method: ties\nmodels:\n" + "".join(
            f"  - model: o/m{i}\n" for i in range(n // 20)) + "```\n", n=1000),
    # lineage.extract.relation and lineage.extract
    Row("relation._QUANT_TABLE", lambda t: bool(relation._QUANT_TABLE.search(t)),
        "| Name | Quant method | Bits |", True, lambda n: "| quant method " * (n // 14) + "x"),
    Row("relation._prefix_of", lambda t: [relation._prefix_of(ModelRef(None, w), resolved, names).id
                                          for resolved in [{id_key(w): ModelRef(f"o/{w}", w)
                                                            for w in t.split()}]
                                          for names in [sorted(resolved)] for w in t.split()][:1],
        "wav2vec2-large", ["o/wav2vec2-large"], lambda n: " ".join(
            f"name{i}" for i in range(n // 7)), n=1000),
    Row("extract._datasets", lambda t: len(fold_datasets([
        DatasetUse(DatasetRef(w if "/" in w else None, w), Evidence(Method.PROSE, "", 1, 1))
        for w in t.split()])), "org/airoboros-2.2 Airoboros", 1,
        lambda n: " ".join(f"o/set{i} Set{i}x" for i in range(n // 16)), n=4000),
    Row("scores._subject", lambda t: sorted({s.model.id for s in of(Score, run(t)) if s.model}),
        "[Details](https://huggingface.co/datasets/open-llm-leaderboard/details_o__m)\n\n"
        "| Metric | Value |\n|---|---|\n| MMLU | 70.1 |\n", ["o/m"],
        lambda n: "".join(f"[m](https://huggingface.co/o/m{i}) [x](https://huggingface.co/x/{i})"
                          "\n| Metric | Value |\n|---|---|\n| MMLU | 1 |\n\n"
                          for i in range(n // 120)),
        n=2000),
    Row("scores._model_index", lambda t: [s.evidence.line for s in of(
        Score, extract(read_card(t.encode(), "c.md")))][:1],
        "---\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: ARC, type: arc}\n"
        "    metrics: [{type: acc, value: 60}]\n---\nx\n", [5],
        lambda n: "---\nmodel-index:\n- name: m\n  results:\n" + "".join(
            f"  - dataset: {{name: D{i}, type: d}}\n    metrics: [{{type: acc, value: 1}}]\n"
            for i in range(n // 70)) + "---\nx\n", n=2000),
    Row("extract._merge_scores", lambda t: [len(s.more_evidence) for s in of(Score, run(t))],
        "| Metric | Value |\n|---|---|\n| MMLU | 70.1 |\n| MMLU | 70.1 |\n", [1],
        lambda n: "| Metric | Value |\n|---|---|\n" + "| MMLU | 70.1 |\n" * (n // 16), n=2000),
    # lineage.extract.scan
    Row("scan.Anchored", lambda t: [m.group(2) for m in hardware._HW.finditer(t)],
        "on 8x A100 GPUs", ["A100"], lambda n: "RTX Instinct " * (n // 13), n=2000),
    Row("scan.first_occurrences", lambda t: len(first_occurrences(t, t.split())),
        # both sizes hold enough needles to be searched in one pass
        "a b a", 2, lambda n: " ".join(f"w{i}" for i in range(n // 6)), n=24000),
    # lineage.extract.metadata
    Row("metadata._KeyLines", lambda t: [f.evidence.line for f in of(
        Tag, extract(read_card(t.encode(), "c.md")))][-1:],
        "---\nlicense: mit\n\ntags:\n- chat\n---\nx\n", [5],
        lambda n: "---\ndatasets:\n" + "".join(f"- d{i}\n" for i in range(n // 6)) + "\n" * n +
        "tags:\n" + "".join(f"- t{i}\n" for i in range(n // 6)) + "---\nx\n", n=1000),
    Row("metadata license line", lambda t: [f.evidence.line for f in of(
        LicenseFact, extract(read_card(t.encode(), "c.md")))],
        "---\ntags: [x]\n\n\nlicense: mit\n---\nx\n", [3], lambda n: "---\n" + "\n" * n +
        "license: mit\n---\nx\n"),
]


def best_time(call: Callable[[str], Any], text: str, runs: int = 5) -> float:
    # CPU time of this thread, not wall time: other processes on the cores (a parallel
    # test worker, a build's workers) must not read as growth.
    best = float("inf")
    for _ in range(runs):
        start = time.thread_time()
        call(text)
        best = min(best, time.thread_time() - start)
    return best


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_finds_what_it_should(row: Row):
    assert row.call(row.normal) == row.want


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_time_grows_linearly(row: Row):
    small, large = row.adversarial(row.n), row.adversarial(LINEAR * row.n)
    row.call(small)  # warm caches (compiled patterns, the SPDX table)
    ratio = best_time(row.call, large) / max(best_time(row.call, small), 2e-4)
    assert ratio < SLACK, f"{row.name}: 8x the text took {ratio:.0f}x the time"


def test_every_rewritten_pattern_has_a_row():
    assert len({r.name.split()[0].split(".")[0] for r in ROWS}) >= 9
    assert len(ROWS) >= 55


# Ingredients of adversarial cards: what made the old patterns backtrack or re-read text.
INGREDIENTS = [
    "-".join(["A"] * 100) + ": dataset\n", "v1.2.3 ", "x1.x1.x1.x1 in gguf ", "| a" + " " * 300,
    "| Base model | b" + " " * 200 + "c |\n", "-" * 200 + "\n", "*" * 200 + "\n", "$1,",
    "A100 ", "8x A100 GPUs trained ", "```x\n", "~~~~\n", "# a" + " " * 300 + "b\n",
    " " * 500, "\n" * 50, "   \n", "[a](", "[", "merge of a, b", "<|system|> ", "USER: ",
    "released under ", "- Merged models:\n", "merge_method: ties\n- model: a\n", "lr ",
    "learning rate", "effective ", "1,1,1 gpu hours ", "(" * 50, "Apache " + " " * 100,
    "[m](https://huggingface.co/o/m) ", "[d](https://huggingface.co/datasets/o/d) ",
    "## Training data\n", "| Source | n |\n|---|---|\n", "based on Foo-7B ", "x" * 300, ". ",
    "| x | 1 | | --- | --- | ", "lora adapter merged into ", "Hardware: ", "@ 0.5 ",
]


@st.composite
def adversarial_cards(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from([1_000, 10_000, 30_000, 60_000, 100_000]))  # large ones too
    size -= draw(st.integers(0, 999))
    parts = draw(st.lists(st.sampled_from(INGREDIENTS), min_size=2, max_size=8))
    layout = draw(st.sampled_from(["lines", "flat", "flat front matter"]))
    body = "".join(parts)
    body = (body * (size // len(body) + 1))[:size]
    if layout == "flat":  # a card flattened onto one line
        return "--- license: mit tags: - a --- " + body.replace("\n", " ")
    if layout == "flat front matter":
        return "--- license: mit tags: - a " + body.replace("\n", " ") + " --- # x"
    return "---\nlicense: mit\nbase_model: org/base-7b\n---\n" + body


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(adversarial_cards())
def test_random_adversarial_cards_extract_in_linear_time(text: str):
    data = text.encode()
    start = time.thread_time()
    extract(read_card(data, "org/model-7b/README.md", id_hint="org/model-7b",
                      id_hint_method="path"))
    seconds = time.thread_time() - start
    assert seconds < 0.05 * len(data) / 1000 + 1, f"{len(data):,} bytes took {seconds:.1f} s"


@pytest.mark.parametrize("title", ["## Training data A100 ", "## Performance ### Training A100 "])
def test_accelerators_under_one_long_heading_extract_in_linear_time(title: str):
    # A card flattened onto one line is one heading: every accelerator named under it asks
    # about that title, which is read once (hypothesis found 30 KB taking 2.8 s).
    data = ("--- license: mit tags: - a --- " + title * 1500).encode()
    start = time.thread_time()
    extract(read_card(data, "org/model-7b/README.md", id_hint="org/model-7b",
                      id_hint_method="path"))
    seconds = time.thread_time() - start
    assert seconds < 0.05 * len(data) / 1000 + 1, f"{len(data):,} bytes took {seconds:.1f} s"
