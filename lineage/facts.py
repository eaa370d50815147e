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

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "Alias",
    "Child",
    "DatasetRef",
    "DatasetUse",
    "Evidence",
    "Fact",
    "Hardware",
    "HubInfo",
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


class Relation(str, Enum):
    """How a model derives from a parent."""

    FINETUNE = "finetune"
    MERGE = "merge"
    QUANTIZED = "quantized"
    ADAPTER = "adapter"
    DERIVED = "derived"


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


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """A dataset named by a card: ``id`` is its Hub id, or ``None`` for a bare name."""

    id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Identity:
    """The card describes the model ``id``."""

    id: str
    evidence: Evidence


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
    | Alias
    | Parent
    | Child
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
