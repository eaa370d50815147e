"""Every fact keeps its card, method, line and snippet, reachable in plain SPARQL 1.1.

The evidence shape (docs/evidence.md): a fact's triple is reified as a statement that carries
its evidence, or belongs to an evaluation or hardware use that points at its evidence with
``lin:evidence``. These tests build a few cards written for them into every backend and
find, from each fact, the evidence the extractor gave it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import DEFAULT_CONFIDENCE, Language, Method, Score, Tag, Warning
from lineage.store import Store
from tests.conftest import ROOT

CARDS = {
    "quillwork/Quill-3B-Tutor": """\
---
license: apache-2.0
base_model: quillwork/Quill-3B
language:
- en
- fr
datasets:
- quillwork/tutor-dialogues
pipeline_tag: text-generation
model-index:
- name: Quill-3B-Tutor
  results:
  - task:
      type: text-generation
    dataset:
      name: ARC (25-Shot)
      type: ai2_arc
    metrics:
    - type: acc_norm
      value: 51.5
---
# Quill-3B-Tutor

Quill-3B-Tutor was fine-tuned on top of [Quill-3B](https://huggingface.co/quillwork/Quill-3B).

Trained for 3 epochs on 4x NVIDIA A100 80GB with axolotl.

The following hyperparameters were used during training:
- learning_rate: 2e-05
- train_batch_size: 16

| Benchmark | Score |
|---|---|
| MMLU | 44.2 |
| GSM8K | 21.7 |
""",
    "quillwork/Quill-3B-Blend": """\
---
license: mit
tags:
- merge
---
# Quill-3B-Blend

A merge of [quillwork/Quill-3B-Tutor](https://huggingface.co/quillwork/Quill-3B-Tutor) and
[quillwork/Quill-3B](https://huggingface.co/quillwork/Quill-3B).

```yaml
merge_method: slerp
base_model: quillwork/Quill-3B
models:
  - model: quillwork/Quill-3B
  - model: quillwork/Quill-3B-Tutor
parameters:
  t: 0.5
dtype: bfloat16
```
""",
}

# Every fact with a triple in a card graph and the evidence it reaches, whichever way it
# is stored: a reified statement, or the lin:evidence of the node the triple belongs to.
FACT_EVIDENCE = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX lin: <https://w3id.org/lineage/ns#>
SELECT DISTINCT ?source ?s ?p ?o ?method ?line ?snippet WHERE {
  {
    GRAPH ?card { ?s ?p ?o .
      ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; lin:method ?method .
      OPTIONAL { ?st lin:line ?line } OPTIONAL { ?st lin:snippet ?snippet } }
  } UNION {
    GRAPH ?card { ?s lin:evidence ?ev ; ?p ?o . ?ev lin:method ?method .
      OPTIONAL { ?ev lin:line ?line } OPTIONAL { ?ev lin:snippet ?snippet } }
    FILTER(?p != lin:evidence)
  }
  GRAPH ?card { ?card lin:sourceLocation ?source }
}"""


def _write(root: Path) -> Path:
    for model, text in CARDS.items():
        path = root / model / "README.md"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return root


def _text(term: object) -> str | None:
    """A term's text; a number's in one spelling (stores spell 2e-05 and 0.00002 alike)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#double", "#float")):
        return repr(float(term.value))
    return str(term.value)  # type: ignore[attr-defined]


def _found(store: Store) -> set[tuple[str | None, ...]]:
    result = store.query(FACT_EVIDENCE)
    assert isinstance(result, ox.QuerySolutions)
    return {tuple(_text(sol[v]) for v in ("source", "s", "p", "o", "method", "line", "snippet"))
            for sol in result}


def _expected(root: Path) -> set[tuple[str, str, str | None, str | None]]:
    """(source, method, line, snippet) of every piece of evidence extraction gives a fact."""
    out = set()
    for path in sorted(root.rglob("README.md")):
        source = str(path)
        ex = extract(read_card(path.read_bytes(), source, id_hint=str(
            path.parent.relative_to(root)), id_hint_method="path"))
        for fact in ex.facts:
            if isinstance(fact, Warning) or (isinstance(fact, Tag) and fact.kind == "tag") or (
                    isinstance(fact, Language) and not fact.iso639_3):
                continue  # written without evidence: plain tags, warnings, unknown codes
            more = fact.more_evidence if isinstance(fact, Score) else ()
            for ev in (fact.evidence, *more):  # type: ignore[attr-defined]
                out.add((ex.source, ev.method.value,
                         None if ev.line is None else str(ev.line), ev.snippet or None))
    return out


@pytest.fixture
def cards(tmp_path: Path) -> Path:
    return _write(tmp_path / "cards")


def test_every_fact_reaches_its_card_method_line_and_snippet(empty_store: Store, cards: Path):
    assert lineage.build([cards], store=empty_store, jobs=1).ok
    found = _found(empty_store)
    # Nothing lost: every piece of evidence of every fact is reached from a fact's triple.
    reached = {(source, method, line, snippet) for source, _, _, _, method, line, snippet in found}
    assert reached == _expected(cards)
    tutor = "https://huggingface.co/quillwork/Quill-3B"
    # A reified statement about the model, from the prose and the metadata.
    rows = {(p.rsplit("#", 1)[-1], o, method, line) for _, _, p, o, method, line, _ in found}
    assert ("fineTunedFrom", tutor, "prose", "24") in rows
    assert ("fineTunedFrom", tutor, "metadata", "3") in rows
    # A training setting (a statement) and a hardware use (its lin:evidence), one line.
    assert ("epochs", "3", "prose", "26") in rows
    assert any(p == "accelerator" and line == "26" for p, _, _, line in rows)
    assert any(p == "count" and o == "4" and line == "26" for p, o, _, line in rows)
    # Scores: every triple of an evaluation reaches the evidence it points at.
    assert ("hasValue", "44.2", "table", "34") in rows
    assert ("benchmarkName", "MMLU", "table", "34") in rows
    assert ("hasValue", "51.5", "metadata", "16") in rows
    # A merge: its method is a statement from the mergekit block.
    assert ("mergeMethod", "slerp", "mergekit", "12") in rows


def test_every_backend_reaches_the_same_evidence(empty_store: Store, cards: Path,
                                                 tmp_path: Path):
    from lineage.store import open_store

    reference = open_store(tmp_path / "reference")
    assert lineage.build([cards], store=reference, jobs=1).ok
    assert lineage.build([cards], store=empty_store, jobs=1).ok
    assert _found(empty_store) == _found(reference)
    reference.close()


def test_the_evidence_query_knows_each_methods_default_confidence():
    text = (ROOT / "queries" / "evidence.rq").read_text(encoding="utf-8")
    table = dict(re.findall(r'\("(\w+)" "?([0-9.]+)', text))
    assert {Method(m): float(c) for m, c in table.items()} == DEFAULT_CONFIDENCE


def test_shapes_catch_evidence_that_is_missing_or_points_nowhere():
    from lineage.store import CardGraph, open_store

    g = "urn:lineage:card:" + "1" * 64
    lin = "https://w3id.org/lineage/ns#"
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    bad = f"""
<{g}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{lin}CardRecord> <{g}> .
<{g}#evaluation-1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{lin}Evaluation> <{g}> .
<{g}#evaluation-1> <{lin}evaluatedModel> <https://huggingface.co/x/y> <{g}> .
<{g}#evaluation-1> <{lin}benchmarkName> "MMLU" <{g}> .
<{g}#evaluation-1> <http://www.w3.org/ns/mls#hasValue> "1.5"^^<{decimal}> <{g}> .
<{g}#evaluation-1> <{lin}origin> "table" <{g}> .
<{g}#training-1> <{lin}evidence> <{g}#ev-1> <{g}> .
<{g}#ev-2> <{lin}line> "3"^^<http://www.w3.org/2001/XMLSchema#integer> <{g}> .
"""
    store = open_store("memory:")
    store.replace_cards([CardGraph("x", g, bad.encode())])
    report = lineage.check(store=store)
    messages = " | ".join(f.message for f in report.findings if f.kind == "shacl")
    assert not report.conforms
    assert "an evaluation needs at least one lin:evidence" in messages
    assert "only an evaluation or a hardware use points at its evidence" in messages
    assert "lin:evidence must name an evidence record" in messages
    assert "evidence needs exactly one method" in messages
