"""Hugging Face ids and URLs: parse, normalise, resolve short names, mint IRIs.

This is the only module that builds IRIs. Model ids keep the spelling the card gives
(``org/Name``); matching is case-insensitive through :func:`id_key`.

Examples
--------
>>> parse_hub_url("https://huggingface.co/Qwen/Qwen2-72B-Instruct/blob/main/LICENSE")
HubRef(kind='model', id='Qwen/Qwen2-72B-Instruct')
>>> parse_hub_url("https://huggingface.co/datasets/kalomaze/Opus_Instruct_25k")
HubRef(kind='dataset', id='kalomaze/Opus_Instruct_25k')
>>> resolve_short_name("MixtralOrochi8x7B", ["smelborp/MixtralOrochi8x7B", "a/b"])
'smelborp/MixtralOrochi8x7B'
>>> model_iri("org/Model-7B")
'https://huggingface.co/org/Model-7B'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from lineage.errors import IdError
from lineage.ns import CARD_GRAPH_PREFIX, HUB_BASE, ID_BASE, LEXVO_BASE, SPDX_BASE

__all__ = [
    "HubRef",
    "accelerator_iri",
    "cache_path_id",
    "card_graph_iri",
    "concept_iri",
    "dataset_iri",
    "dataset_name_iri",
    "id_from_iri",
    "id_key",
    "is_repo_id",
    "language_iri",
    "license_iri",
    "model_iri",
    "name_key",
    "node_iri",
    "parse_hub_url",
    "parse_repo_id",
    "resolve_short_name",
    "slug",
    "unresolved_model_iri",
]

# Hub rules (huggingface_hub.utils.validate_repo_id): word chars, "-" and "." only,
# no "--" or "..", not starting or ending with "-" or ".", at most 96 characters.
_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"(?:({_PART})/)?({_PART})")
_HUB_URL = re.compile(
    r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/"
    rf"(?:(datasets|spaces)/)?({_PART})(?:/({_PART}))?(?=[/?#)\]\s\"'<>,;:*]|$)",
)
# First path segments of huggingface.co that are site pages, not organisations.
_RESERVED = frozenset([
    "docs", "blog", "papers", "collections", "models", "settings", "join", "login", "pricing",
    "learn", "tasks", "organizations", "posts", "chat", "api", "enterprise", "new", "search",
    "spaces", "datasets", "notifications", "inference-endpoints", "inference-api", "autotrain",
    "terms-of-service", "privacy",
])
# Second path segments that are pages of a single-name (legacy) repo, not a repo name.
_REPO_PAGES = frozenset(["tree", "blob", "resolve", "raw", "viewer", "discussions", "commits",
                         "commit", "edit", "settings", "community"])
_CACHE_DIR = re.compile(r"(models|datasets)--([\w.-]+?)--([\w.-]+)")


@dataclass(frozen=True, slots=True)
class HubRef:
    """A repository on the Hub: ``kind`` is ``model``, ``dataset`` or ``space``."""

    kind: str
    id: str


def is_repo_id(text: str, *, require_org: bool = False) -> bool:
    """Tell whether ``text`` is a syntactically valid Hub repo id.

    Examples
    --------
    >>> is_repo_id("mistralai/Mistral-7B-v0.1"), is_repo_id("gpt2"), is_repo_id("a--b/c")
    (True, True, False)
    """
    m = _REPO_ID.fullmatch(text)
    if m is None or "--" in text or ".." in text or len(text) > 96 * 2 + 1:
        return False
    return not (require_org and m.group(1) is None)


def parse_repo_id(text: str, *, require_org: bool = False) -> str:
    """Return ``text`` stripped as a repo id, or raise :class:`IdError`.

    Examples
    --------
    >>> parse_repo_id(" org/name ")
    'org/name'
    >>> parse_repo_id("not an id")
    Traceback (most recent call last):
    ...
    lineage.errors.IdError: not a Hugging Face repo id: 'not an id'
    """
    value = text.strip()
    url = parse_hub_url(value)
    if url is not None and url.kind == "model":
        return url.id
    if not is_repo_id(value, require_org=require_org):
        msg = f"not a Hugging Face repo id: {text!r}"
        raise IdError(msg)
    return value


def parse_hub_url(url: str) -> HubRef | None:
    """Parse a huggingface.co URL into the repo it points at, or ``None``."""
    m = _HUB_URL.match(url.strip())
    if m is None:
        return None
    kind, org, name = m.group(1), m.group(2), m.group(3)
    if name is not None and name.casefold() in _REPO_PAGES:
        name = None  # /datasets/wikitext/viewer: the legacy single-name repo "wikitext"
        if kind is not None:
            return HubRef(kind[:-1], org) if is_repo_id(org) else None
    if kind is None:
        if org.lower() in _RESERVED or name is None:
            return None
        kind = "model"
    else:
        kind = kind[:-1]
        if name is None:
            return None
    rid = f"{org}/{name}"
    return HubRef(kind, rid) if is_repo_id(rid) else None


def cache_path_id(path: str) -> HubRef | None:
    """Read a repo id out of a Hugging Face cache path (``models--org--name``).

    Examples
    --------
    >>> cache_path_id("D:/hub/models--VAGOsolutions--Llama-3-8b/snapshots/221e")
    HubRef(kind='model', id='VAGOsolutions/Llama-3-8b')
    """
    m = _CACHE_DIR.search(path)
    if m is None:
        return None
    rid = f"{m.group(2)}/{m.group(3)}"
    return HubRef(m.group(1)[:-1], rid) if is_repo_id(rid) else None


def id_key(repo_id: str) -> str:
    """Case-folded form of an id, for matching (the Hub ignores case in ids)."""
    return repo_id.strip().casefold()


def name_key(name: str) -> str:
    """Compare-form of a model name: case and punctuation ignored.

    Examples
    --------
    >>> name_key("Mistral 7B Instruct v0.2 - GGUF") == name_key("Mistral-7B-Instruct-v0.2-GGUF")
    True
    """
    return "".join(c for c in name.casefold() if c.isalnum())


def resolve_short_name(name: str, known: Iterable[str]) -> str | None:
    """Resolve a bare model name (``MixtralOrochi8x7B``) against full ids.

    Returns the one id among ``known`` whose id or name part equals ``name`` ignoring
    case (also ``org_name``, the form local copies often take), or ``None`` when there is
    none or more than one.

    Examples
    --------
    >>> resolve_short_name("allenai_tulu-2-dpo-70b", ["allenai/tulu-2-dpo-70b"])
    'allenai/tulu-2-dpo-70b'
    """
    key = id_key(name)
    hits = {k for k in known if key in (id_key(k), id_key(k.rsplit("/", 1)[-1]),
                                        id_key(k.replace("/", "_")), id_key(k.replace("/", "--")))}
    if len(hits) == 1:
        return hits.pop()
    by_key = {id_key(h) for h in hits}
    return min(hits) if len(by_key) == 1 else None


def slug(text: str) -> str:
    """Make a stable, readable IRI segment for a free-text label.

    Examples
    --------
    >>> slug("NVIDIA H100 Tensor Core")
    'nvidia-h100-tensor-core'
    """
    s = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    if not s:
        s = hashlib.sha256(text.encode()).hexdigest()[:16]
    return s[:120]


def model_iri(repo_id: str) -> str:
    """IRI of a model on the Hub."""
    return HUB_BASE + quote(repo_id, safe="/")


def dataset_iri(repo_id: str) -> str:
    """IRI of a dataset on the Hub."""
    return f"{HUB_BASE}datasets/{quote(repo_id, safe='/')}"


def unresolved_model_iri(label: str) -> str:
    """IRI of a model named by a card without a resolvable Hub id."""
    return f"{ID_BASE}model/{quote(label.strip(), safe='')}"


def dataset_name_iri(label: str) -> str:
    """IRI of a dataset named only in prose."""
    return f"{ID_BASE}dataset/{slug(label)}"


def accelerator_iri(label: str) -> str:
    """IRI of an accelerator type (``NVIDIA H100``)."""
    return f"{ID_BASE}accelerator/{slug(label)}"


def license_iri(spdx_id: str | None, name: str) -> str:
    """SPDX IRI for an SPDX license, else a lineage IRI for the named license."""
    if spdx_id:
        return SPDX_BASE + spdx_id
    return f"{ID_BASE}license/{slug(name)}"


def language_iri(iso639_3: str) -> str:
    """Lexvo IRI of an ISO 639-3 language code."""
    return LEXVO_BASE + iso639_3


def concept_iri(scheme: str, value: str) -> str:
    """IRI of a SKOS concept such as a pipeline tag or a library."""
    return f"{ID_BASE}{slug(scheme)}/{slug(value)}"


def card_graph_iri(key: str) -> str:
    """IRI of the named graph that holds one card's facts."""
    return CARD_GRAPH_PREFIX + key


def node_iri(graph_iri: str, kind: str, index: int) -> str:
    """IRI of a node local to one card's graph (an evidence record, a merge...)."""
    return f"{graph_iri}#{kind}-{index}"


def id_from_iri(iri: str) -> str | None:
    """Return the Hub id of a model IRI, or ``None`` for any other IRI.

    Examples
    --------
    >>> id_from_iri("https://huggingface.co/org/name")
    'org/name'
    >>> id_from_iri("https://huggingface.co/datasets/org/name") is None
    True
    """
    if not iri.startswith(HUB_BASE) or iri.startswith(HUB_BASE + "datasets/"):
        return None
    return unquote(iri[len(HUB_BASE) :])


def dataset_id_from_iri(iri: str) -> str | None:
    """Return the Hub id of a dataset IRI, or ``None``."""
    prefix = HUB_BASE + "datasets/"
    return unquote(iri[len(prefix) :]) if iri.startswith(prefix) else None
