r"""Pure extraction: one :class:`~lineage.cards.Card` in, its facts out.

No I/O, clock or module state: the same card always gives the same facts, so extraction
runs in parallel workers and is golden-tested.

Examples
--------
>>> from lineage.cards import read_card
>>> card = read_card(b"---\nbase_model: org/base\nlicense: mit\n---\nHi\n", "org/m/README.md",
...                  id_hint="org/m", id_hint_method="path")
>>> ex = extract(card)
>>> ex.model.id, [(p.ref.id, p.relation.value) for p in ex.of(Parent)]
('org/m', [('org/base', 'finetune')])
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from lineage.cards import Card
from lineage.extract.context import Context
from lineage.extract.hub import hub_facts
from lineage.extract.identity import EMBEDDED_CARD, extract_identity
from lineage.extract.links import find_links
from lineage.extract.markdown import parse
from lineage.extract.mergekit import extract_mergekit
from lineage.extract.metadata import extract_metadata
from lineage.extract.prose import extract_prose, quantization_of
from lineage.extract.relation import settle_parents
from lineage.extract.scores import benchmark_key, extract_scores
from lineage.extract.training import extract_training
from lineage.facts import (
    Alias,
    DatasetUse,
    Fact,
    Hardware,
    IdCandidate,
    Identity,
    LicenseFact,
    Method,
    ModelRef,
    Parent,
    PromptFormat,
    Relation,
    Score,
    TrainingSetting,
    Warning,
)
from lineage.ids import id_key

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract"]

# Bump when extraction changes what it finds: stored cards are then re-extracted.
EXTRACTOR_VERSION = "9"

F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class Extraction:
    """All facts of one card about its model (``model``) and the models it names."""

    source: str
    sha256: str
    model: ModelRef
    facts: tuple[Fact, ...]

    def of(self, kind: type[F]) -> list[F]:
        """Return the facts of one type."""
        return [f for f in self.facts if isinstance(f, kind)]

    @property
    def warnings(self) -> list[str]:
        """Warning texts, with their line when known."""
        return [f"line {w.line}: {w.text}" if w.line else w.text for w in self.of(Warning)]


def extract(card: Card) -> Extraction:
    """Extract every fact the card states."""
    links = find_links(card)
    doc = parse(card)
    identity = extract_identity(card, links, doc)
    me = next(f for f in identity if isinstance(f, Identity))
    own = me.id
    keys = frozenset(id_key(f.id) for f in identity if isinstance(f, Alias)) | \
        {id_key(own or me.name or "")}
    ctx = Context(card, doc, links, own, keys, None if own else me.name)
    facts: list[Fact] = [*identity, *extract_metadata(card), *extract_mergekit(ctx),
                         *extract_prose(ctx), *extract_training(ctx), *extract_scores(ctx)]
    facts = _outside_embedded_card(ctx, facts)
    facts = settle_parents(ctx, facts)
    facts = hub_facts(card, facts)  # the Hub's metadata beside the card's own claims
    if any(isinstance(f, Parent) and f.relation is Relation.QUANTIZED for f in facts):
        quantization = quantization_of(ctx)
        if quantization is not None:
            facts.append(quantization)
    facts = _dedupe(ctx, facts)
    facts.extend(Warning(w) for w in card.warnings)
    taken = card.taken_ids or {}
    facts.extend(Warning(f"{c.id} is the id of another card ({taken[id_key(c.id)]}); this card "
                         "stays a model of its own", c.evidence.line)
                 for c in identity if isinstance(c, IdCandidate) and id_key(c.id) in taken)
    if own is None:
        facts.append(Warning(f"the card's own id is unknown: it is known by its name {me.name!r}"
                             " and stays apart from every other card's model"))
    model = ModelRef(own, own or card.source, None if own else me.name)
    return Extraction(card.source, card.sha256, model, tuple(facts))




def _outside_embedded_card(ctx: Context, facts: list[Fact]) -> list[Fact]:
    """Drop what a copy of another card says ("# Original model card: ...").

    Such copies are common in quantized repacks: their parents, data, hardware, settings
    and scores are the original model's, not this one's.
    """
    m = EMBEDDED_CARD.search(ctx.card.text, ctx.card.body_offset)
    if m is None:
        return facts
    first = ctx.card.line_of(m.start())
    kinds = (Parent, DatasetUse, Hardware, TrainingSetting, Score, PromptFormat)
    # A repack's own "GGUF files for [X]" is never part of a copied card.
    kept = [f for f in facts if not (isinstance(f, kinds) and f.evidence.line is not None and
                                     f.evidence.line >= first and
                                     f.evidence.method is not Method.METADATA and
                                     not (isinstance(f, Parent) and
                                          (f.relation is Relation.QUANTIZED or
                                           f.method == "original")))]
    if len(kept) < len(facts):
        kept.append(Warning(f"{len(facts) - len(kept)} facts inside the embedded original model "
                            "card were not attributed to this model", first))
    return kept


def _first_by(facts: Iterable[F], key: object) -> list[F]:
    seen: set[object] = set()
    out = []
    for f in facts:
        k = key(f)  # type: ignore[operator]
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def _dedupe(ctx: Context, facts: list[Fact]) -> list[Fact]:
    """One fact per thing, evidence merged; self-references and repeats flagged."""
    out: list[Fact] = []
    for f in facts:
        if isinstance(f, Parent) and f.ref.id and id_key(f.ref.id) in ctx.own_keys:
            out.append(Warning(f"the card names its own model {f.ref.id} as a base model "
                               "(self-loop)", f.evidence.line))
        if not isinstance(f, DatasetUse | Hardware | TrainingSetting | PromptFormat |
                          LicenseFact | Score):
            out.append(f)
    out.extend(_datasets([f for f in facts if isinstance(f, DatasetUse)]))
    hardware = sorted((f for f in facts if isinstance(f, Hardware)), key=lambda h: h.count is None)
    out.extend(_first_by(hardware, lambda f: f.accelerator.casefold()))
    out.extend(_first_by((f for f in facts if isinstance(f, TrainingSetting)), lambda f: f.key))
    out.extend(_first_by((f for f in facts if isinstance(f, PromptFormat)), lambda f: 0))
    out.extend(_first_by((f for f in facts if isinstance(f, LicenseFact)), lambda f: 0))
    out.extend(_merge_scores([f for f in facts if isinstance(f, Score)]))
    return out


def _datasets(uses: list[DatasetUse]) -> list[DatasetUse]:
    """Keep one use per dataset.

    A bare name ("Airoboros") that names a dataset also given by id
    (``jondurbin/airoboros-2.2.1``) folds into it.
    """
    names = sorted(id_key(u.ref.id.rsplit("/", 1)[-1]) for u in uses if u.ref.id)

    def known(name: str) -> bool:  # a name equal to the key, or it and a separator and more
        key = id_key(name).replace(" ", "-")
        for head in (key, key + "-", key + "_", key + "."):
            i = bisect.bisect_left(names, head)
            if i < len(names) and (names[i] == key or (head != key and names[i].startswith(head))):
                return True
        return False

    kept = [u for u in uses if u.ref.id or not known(u.ref.name)]
    return _first_by(kept, lambda f: id_key(f.ref.id or f.ref.name))


def _merge_scores(scores: list[Score]) -> list[Fact]:
    """Merge repeats of one (model, benchmark, value); flag differing values."""
    repeats: dict[tuple[str, str, str], list[Score]] = {}
    for s in scores:
        model = id_key(s.model.id or s.model.name) if s.model else ""
        repeats.setdefault((model, benchmark_key(s.benchmark), str(float(s.value))), []).append(s)
    merged: dict[tuple[str, str, str], Score] = {}
    for key, (first, *rest) in repeats.items():  # merged once, not copied at each repeat
        merged[key] = replace(
            first, metric=next((s.metric for s in rest if not first.metric and s.metric),
                               first.metric or rest[-1].metric),
            dataset=next((s.dataset for s in rest if not first.dataset and s.dataset),
                         first.dataset or rest[-1].dataset),
            shots=next((s.shots for s in (first, *rest) if s.shots is not None), None),
            more_evidence=(*first.more_evidence, *(s.evidence for s in rest))) if rest else first
    out: list[Fact] = list(merged.values())
    by_bench: dict[tuple[str, str], set[str]] = {}
    for (model, bench, value) in merged:
        by_bench.setdefault((model, bench), set()).add(value)
    flagged = set()
    for s in merged.values():
        model = id_key(s.model.id or s.model.name) if s.model else ""
        values = by_bench[(model, benchmark_key(s.benchmark))]
        if len(values) > 1 and (model, benchmark_key(s.benchmark)) not in flagged:
            flagged.add((model, benchmark_key(s.benchmark)))
            out.append(Warning(f"{s.benchmark}: differing values reported "
                               f"({', '.join(sorted(values, key=float))})", s.evidence.line))
    return out
