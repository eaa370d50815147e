"""Facts: frozen values extracted from one card, each carrying its evidence.

Extractors return tuples of these; :mod:`lineage.rdf` maps them to triples. A fact is
about the card's own model unless it names another model (``Score.model``,
``Child``); model references keep both the resolved Hub id and the name as written.

Examples
--------
>>> ev = Evidence(Method.METADATA, "base_model: a/b", 4, 0.95)
>>> Parent(ModelRef("a/b", "a/b"), Relation.FINETUNE, ev).ref.id
'a/b'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from lineage.iris import LIN_IRI

__all__ = [
    "DEFAULT_CONFIDENCE",
    "EXPLICIT_RULES",
    "Alias",
    "Child",
    "DatasetRef",
    "DatasetUse",
    "Derivation",
    "Evidence",
    "Fact",
    "Hardware",
    "HubInfo",
    "IdCandidate",
    "IdRule",
    "Identity",
    "Language",
    "LicenseFact",
    "MergeRecipe",
    "Method",
    "ModelRef",
    "Parent",
    "PromptFormat",
    "Quantization",
    "Relation",
    "Role",
    "Score",
    "Successor",
    "Tag",
    "TrainingSetting",
    "Warning",
]


class Method(str, Enum):
    """How a fact was found in the card."""

    METADATA = "metadata"
    PROSE = "prose"
    MERGEKIT = "mergekit"
    TABLE = "table"
    LINK = "link"
    PATH = "path"
    OPTION = "option"
    HUB = "hub"


DEFAULT_CONFIDENCE: dict[Method, float] = {
    Method.METADATA: 0.95, Method.PROSE: 0.8, Method.MERGEKIT: 0.95, Method.TABLE: 0.85,
    Method.LINK: 0.8, Method.PATH: 1.0, Method.OPTION: 1.0, Method.HUB: 0.9,
}
"""The confidence of a fact whose evidence states none, by method (``lin:defaultConfidence``
in the ontology): the graph records a confidence only where it differs.

Examples
--------
>>> DEFAULT_CONFIDENCE[Method.METADATA]
0.95
"""


class Relation(str, Enum):
    """How a model derives from a parent: the one relation vocabulary of lineage.

    Each kind carries its ontology property (:attr:`iri`, :attr:`label`), its
    :attr:`rank` when cards disagree on how a model derives from one parent (the most
    specific wins: a quantization of a fine-tune is a quantization), whether training data
    and licenses are :attr:`inherited` through it, and the form the Hub writes it in
    (:attr:`hub_form`, ``base_model:finetune:org/name``).

    >>> Relation.QUANTIZED.iri
    'https://w3id.org/lineage/ns#quantizedFrom'
    >>> Relation.preferred({Relation.FINETUNE, Relation.QUANTIZED}).value
    'quantized'
    >>> Relation.parse("Fine-Tune"), Relation.from_hub("merge"), Relation.DERIVED.inherited
    (<Relation.FINETUNE: 'finetune'>, <Relation.MERGE: 'merge'>, False)
    """

    FINETUNE = "finetune"
    MERGE = "merge"
    QUANTIZED = "quantized"
    ADAPTER = "adapter"
    DERIVED = "derived"

    @property
    def term(self) -> str:
        """The local name of the ontology property (``fineTunedFrom``)."""
        return _RELATION_TABLE[self].term

    @property
    def iri(self) -> str:
        """The ontology property linking a model to its parent."""
        return LIN_IRI + _RELATION_TABLE[self].term

    @property
    def label(self) -> str:
        """The property's ``rdfs:label`` in the ontology."""
        return _RELATION_TABLE[self].label

    @property
    def rank(self) -> int:
        """Preference when several kinds link one model to one parent: lowest wins."""
        return _RELATION_TABLE[self].rank

    @property
    def inherited(self) -> bool:
        """Whether a model inherits its parent's training data and licenses through it."""
        return _RELATION_TABLE[self].inherited

    @property
    def hub_form(self) -> str | None:
        """How the Hub writes the kind in ``base_model:KIND:id`` tags; None if it has none."""
        return _RELATION_TABLE[self].hub_form

    @classmethod
    def parse(cls, text: str) -> Relation | None:
        """Return the kind a card's ``base_model_relation`` value names, None if none."""
        return _RELATION_WORDS.get(text.strip().casefold())

    @classmethod
    def from_hub(cls, form: str) -> Relation | None:
        """Return the kind of a Hub tag's ``KIND`` part, None if the Hub has none such."""
        return next((r for r in cls if r.hub_form == form), None)

    @classmethod
    def from_iri(cls, iri: str) -> Relation | None:
        """Return the kind whose property is ``iri``, None for any other IRI."""
        return next((r for r in cls if r.iri == iri), None)

    @classmethod
    def preferred(cls, kinds: Iterable[Relation | str]) -> Relation:
        """Return the kind to name a step by when cards give several (see :attr:`rank`)."""
        return min((cls(k) for k in kinds), key=lambda r: r.rank)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Return every kind's value, in declaration order (the CLI's choices)."""
        return tuple(r.value for r in cls)


@dataclass(frozen=True, slots=True)
class _RelationInfo:
    term: str
    label: str
    rank: int
    inherited: bool
    hub_form: str | None


_RELATION_TABLE = {
    Relation.QUANTIZED: _RelationInfo("quantizedFrom", "quantized from", 0, True, "quantized"),
    Relation.ADAPTER: _RelationInfo("adapterOf", "adapter of", 1, True, "adapter"),
    Relation.MERGE: _RelationInfo("mergedFrom", "merged from", 2, True, "merge"),
    Relation.FINETUNE: _RelationInfo("fineTunedFrom", "fine-tuned from", 3, True, "finetune"),
    Relation.DERIVED: _RelationInfo("derivedFrom", "derived from", 4, False, None),
}
# base_model_relation values cards write, beside the kinds' own values
_RELATION_WORDS = {r.value: r for r in Relation} | {
    "fine-tune": Relation.FINETUNE,
    "quantization": Relation.QUANTIZED,
}
del _RELATION_WORDS["derived"]  # a card saying "derived" says no more than no relation


class Role(str, Enum):
    """The part a parent plays in a merge."""

    BASE = "base"
    SOURCE = "source"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact comes from: method, source snippet, 1-based line, confidence 0..1."""

    method: Method
    snippet: str
    line: int | None
    confidence: float


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model named by a card: ``id`` is its Hub id, or ``None`` when unresolved."""

    id: str | None
    name: str
    label: str | None = None  # shown instead of ``name`` (a card known by its file name)


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """A dataset named by a card: ``id`` is its Hub id, or ``None`` for a bare name."""

    id: str | None
    name: str


class IdRule(str, Enum):
    """How the card's own id was decided (see :mod:`lineage.extract.identity`)."""

    OPTION = "option"
    PATH = "path"
    HUB = "hub"
    DUMP = "dump"
    LEADERBOARD = "leaderboard"
    MODEL_INDEX = "model-index"
    SELF_LINK = "self-link"
    NAME = "name"

    @property
    def explicit(self) -> bool:
        """Whether the id was given by the caller or the source, not inferred from the text."""
        return self in (IdRule.OPTION, IdRule.PATH, IdRule.HUB, IdRule.DUMP)


# The rule names of explicit ids, as the graph records them (``lin:identityMethod``).
EXPLICIT_RULES = frozenset(r.value for r in IdRule if r.explicit)


@dataclass(frozen=True, slots=True)
class Identity:
    """The card describes the model ``id``; ``id`` is ``None`` when only ``name`` is known.

    ``rule`` says how it was decided. A card known only by a bare name (``rule`` is
    :attr:`IdRule.NAME`) is its own model, never merged with another card's.
    """

    id: str | None
    evidence: Evidence
    rule: IdRule = IdRule.PATH
    name: str | None = None


@dataclass(frozen=True, slots=True)
class IdCandidate:
    """``id`` might be the card's own id, but the evidence was too weak to adopt it."""

    id: str
    evidence: Evidence
    reason: str


@dataclass(frozen=True, slots=True)
class Alias:
    """``id`` is another id of the card's model (an older name after a rename)."""

    id: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Parent:
    """The card's model derives from ``ref``; merge inputs carry role, weight, density."""

    ref: ModelRef
    relation: Relation
    evidence: Evidence
    role: Role | None = None
    method: str | None = None
    weight: float | tuple[float, ...] | None = None
    density: float | tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Derivation:
    """``model``, another model than the card's, derives from ``ref``.

    A card telling its parent's own history ("X was itself fine-tuned from Y") gives X
    its parent Y, never the card.
    """

    model: ModelRef
    ref: ModelRef
    relation: Relation
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Child:
    """``ref`` derives from the card's model (e.g. a quantized repo the card links)."""

    ref: ModelRef
    relation: Relation
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Successor:
    """``ref`` is a newer version of the card's model."""

    ref: ModelRef
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class MergeRecipe:
    """The merge that produced the card's model."""

    method: str | None
    base: ModelRef | None
    dtype: str | None
    parameters: tuple[tuple[str, str], ...]
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class DatasetUse:
    """The card's model was trained on ``ref``."""

    ref: DatasetRef
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class LicenseFact:
    """License as the card states it: Hub id (``apache-2.0``, ``other``), name, link."""

    id: str | None
    name: str | None
    link: str | None
    spdx: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Language:
    """A language the model handles: the card's code and its ISO 639-3 form."""

    code: str
    iso639_3: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag, pipeline tag or library: ``kind`` is ``tag``, ``pipeline`` or ``library``."""

    kind: str
    value: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class PromptFormat:
    """The prompt template the model expects (``chatml``, ``mistral``, ``alpaca``...)."""

    value: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Quantization:
    """The card's model is a quantized repack: format (``gguf``, ``gptq``...) and bits."""

    method: str | None
    bits: float | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Hardware:
    """Accelerators used to train the model."""

    accelerator: str
    count: int | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class TrainingSetting:
    """One training setting: ``key`` is a ``lin:`` property name (``epochs``...)."""

    key: str
    value: float | int | str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Score:
    """An evaluation result; ``model`` is ``None`` for the card's own model."""

    benchmark: str
    dataset: str | None
    metric: str | None
    value: str
    shots: int | None
    source: str | None
    origin: str
    evidence: Evidence
    model: ModelRef | None = None
    more_evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class HubInfo:
    """What the Hub says of the card's repository (not the card): popularity, dates, access.

    ``created`` and ``modified`` are ``xsd:dateTime`` texts in UTC; ``gated`` is true when
    the repository asks users to accept conditions before downloading.
    """

    repo_id: str | None
    downloads: int | None
    likes: int | None
    created: str | None
    modified: str | None
    gated: bool | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Warning:
    """Something the extractor noticed and could not settle (kept, never dropped)."""

    text: str
    line: int | None = None


Fact = (
    Identity
    | IdCandidate
    | Alias
    | Parent
    | Child
    | Derivation
    | Successor
    | MergeRecipe
    | DatasetUse
    | LicenseFact
    | Language
    | Tag
    | PromptFormat
    | Quantization
    | Hardware
    | TrainingSetting
    | Score
    | HubInfo
    | Warning
)
