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
>>> resolve_short_name("/home/u/models/smelborp_MixtralOrochi8x7B", ["smelborp/MixtralOrochi8x7B"])
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
    "LEGACY_MODEL_IDS",
    "HubRef",
    "accelerator_iri",
    "cache_path_id",
    "card_graph_iri",
    "concept_iri",
    "dataset_iri",
    "dataset_name_iri",
    "id_from_iri",
    "id_key",
    "is_fragment",
    "is_local_path",
    "is_placeholder",
    "is_repo_id",
    "language_iri",
    "legacy_display_id",
    "legacy_id",
    "license_iri",
    "model_iri",
    "name_key",
    "node_iri",
    "parse_hub_url",
    "parse_repo_id",
    "path_tail",
    "resolve_short_name",
    "slug",
    "unresolved_model_iri",
    "written_path",
]

# Hub rules (huggingface_hub.utils.validate_repo_id): word chars, "-" and "." only,
# no "--" or "..", not starting or ending with "-" or ".", at most 96 characters.
_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"(?:({_PART})/)?({_PART})")
_HUB_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com)/"
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
# The Hub's legacy model repos: ids without an organisation, from before organisations
# (the checkpoints transformers shipped first). Cards still name them bare ("fine-tuned
# from bert-base-uncased", ``--model_name_or_path gpt2``, huggingface.co/t5-small), where a
# bare word could otherwise be any name. A vocabulary, not a rule about any card.
_LEGACY_FAMILIES = {
    "albert": ["base-v1", "large-v1", "xlarge-v1", "xxlarge-v1", "base-v2", "large-v2",
               "xlarge-v2", "xxlarge-v2"],
    "bert": ["base-uncased", "large-uncased", "base-cased", "large-cased",
             "base-multilingual-uncased", "base-multilingual-cased", "base-chinese",
             "base-german-cased", "base-german-dbmdz-cased", "base-german-dbmdz-uncased",
             "large-uncased-whole-word-masking", "large-cased-whole-word-masking",
             "large-uncased-whole-word-masking-finetuned-squad",
             "large-cased-whole-word-masking-finetuned-squad", "base-cased-finetuned-mrpc"],
    "distilbert": ["base-uncased", "base-cased", "base-uncased-distilled-squad",
                   "base-cased-distilled-squad", "base-german-cased",
                   "base-multilingual-cased", "base-uncased-finetuned-sst-2-english"],
    "roberta": ["base", "large", "large-mnli", "base-openai-detector", "large-openai-detector"],
    "xlm-roberta": ["base", "large", "large-finetuned-conll02-dutch",
                    "large-finetuned-conll02-spanish", "large-finetuned-conll03-english",
                    "large-finetuned-conll03-german"],
    "xlm": ["mlm-en-2048", "mlm-ende-1024", "mlm-enfr-1024", "mlm-enro-1024",
            "mlm-xnli15-1024", "mlm-tlm-xnli15-1024", "clm-enfr-1024", "clm-ende-1024",
            "mlm-17-1280", "mlm-100-1280"],
    "xlnet": ["base-cased", "large-cased"],
    "t5": ["small", "base", "large", "3b", "11b"],
    "gpt2": ["medium", "large", "xl"],
}
LEGACY_MODEL_IDS = frozenset(
    [f"{family}-{size}" for family, sizes in _LEGACY_FAMILIES.items() for size in sizes] +
    ["gpt2", "distilgpt2", "distilroberta-base", "openai-gpt", "ctrl", "camembert-base",
     "transfo-xl-wt103", "flaubert-base-cased"])
_LEGACY_KEYS = {i.casefold(): i for i in LEGACY_MODEL_IDS}
_DISPLAY_SEPARATORS = re.compile(r"[\s_()-]+")
_CACHE_DIR = re.compile(r"(models|datasets)--([\w.-]+?)--([\w.-]+)")


@dataclass(frozen=True, slots=True)
class HubRef:
    """A repository on the Hub: ``kind`` is ``model``, ``dataset`` or ``space``."""

    kind: str
    id: str


def legacy_id(text: str) -> str | None:
    """Return the legacy model id (one without an organisation) ``text`` names, if any.

    Examples
    --------
    >>> legacy_id("BERT-base-uncased"), legacy_id("gpt2"), legacy_id("mistral-7b")
    ('bert-base-uncased', 'gpt2', None)
    """
    return _LEGACY_KEYS.get(text.strip().strip("`*_'\"").casefold())


def legacy_display_id(text: str) -> str | None:
    """Return the legacy model id a display name spells, if it spells exactly one.

    A display name writes a legacy id with blanks, underscores or parentheses for its
    hyphens ("BERT (base-multilingual-uncased)", "RoBERTa large"); a name that leaves out
    part of an id ("Multilingual BERT": cased or uncased?) spells none.

    Examples
    --------
    >>> legacy_display_id("BERT (base-multilingual-uncased)"), legacy_display_id("RoBERTa large")
    ('bert-base-multilingual-uncased', 'roberta-large')
    >>> legacy_display_id("Multilingual BERT") is None
    True
    """
    words = _DISPLAY_SEPARATORS.split(text.strip().strip("`*_'\"").casefold())
    return _LEGACY_KEYS.get("-".join(w for w in words if w))


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


# Before the Hub held model cards, they lived in the transformers repository as
# model_cards/{org}/{name}/README.md: a link there names the Hub model org/name.
_CARD_FOLDER = re.compile(r"https?://github\.com/huggingface/transformers/(?:blob|tree)/[^/\s]+/"
                          r"model_cards/([\w.+-]+)/([\w.+-]+)/?(?:README\.md)?/?$")


def parse_hub_url(url: str) -> HubRef | None:
    """Parse a huggingface.co URL into the repo it points at, or ``None``.

    A link to a model's card folder in the transformers repository (where model cards
    were kept before the Hub held them) names that model.

    Examples
    --------
    >>> parse_hub_url("https://hf.co/datasets/lab/words/viewer")
    HubRef(kind='dataset', id='lab/words')
    >>> parse_hub_url("https://github.com/huggingface/transformers/blob/master/model_cards/"
    ...               "lab/wren-small/README.md")
    HubRef(kind='model', id='lab/wren-small')
    """
    m = _HUB_URL.match(url.strip())
    if m is None:
        card = _CARD_FOLDER.match(url.strip())
        rid = f"{card.group(1)}/{card.group(2)}" if card is not None else ""
        return HubRef("model", rid) if is_repo_id(rid) else None
    kind, org, name = m.group(1), m.group(2), m.group(3)
    if name is not None and name.casefold() in _REPO_PAGES:
        name = None  # /datasets/wikitext/viewer: the legacy single-name repo "wikitext"
        if kind is not None:
            return HubRef(kind[:-1], org) if is_repo_id(org) else None
    if kind is None:
        if name is None and legacy_id(org) is not None:
            return HubRef("model", legacy_id(org) or org)  # huggingface.co/bert-base-uncased
        if org.lower() in _RESERVED or name is None:
            return None
        kind = "model"
    else:
        kind = kind[:-1]
        if name is None:  # huggingface.co/datasets/wiki40b: a legacy dataset without owner
            return HubRef("dataset", org) if kind == "dataset" and is_repo_id(org) else None
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
    """Resolve a bare model name (``MixtralOrochi8x7B``) or a local path against full ids.

    Returns the one id among ``known`` whose id or name part equals ``name`` ignoring
    case (also ``org_name`` and ``org--name``, the forms local copies often take), or
    ``None`` when there is none or more than one. A local path (:func:`is_local_path`) is
    matched by its last part (:func:`path_tail`), or by its last two parts when they spell
    one of the ids (``/models/org/name``).

    Examples
    --------
    >>> resolve_short_name("allenai_tulu-2-dpo-70b", ["allenai/tulu-2-dpo-70b"])
    'allenai/tulu-2-dpo-70b'
    >>> resolve_short_name("D:/models/allenai--tulu-2-dpo-70b/", ["allenai/tulu-2-dpo-70b"])
    'allenai/tulu-2-dpo-70b'
    >>> resolve_short_name("./weights/allenai/tulu-2-dpo-70b", ["allenai/tulu-2-dpo-70b",
    ...                                                         "other/tulu-2-dpo-70b"])
    'allenai/tulu-2-dpo-70b'
    """
    known = list(known)
    if is_local_path(name):
        parts = _PATH_SEP.split(name.strip().rstrip("/\\"))
        if len(parts) >= 2:
            pair = id_key("/".join(parts[-2:]))
            hits = {k for k in known if id_key(k) == pair}
            if hits:
                return min(hits)
        name = path_tail(name)
    key = id_key(name)
    if not key:
        return None
    hits = {k for k in known if key in (id_key(k), id_key(k.rsplit("/", 1)[-1]),
                                        id_key(k.replace("/", "_")), id_key(k.replace("/", "--")))}
    if len(hits) == 1:
        return hits.pop()
    by_key = {id_key(h) for h in hits}
    return min(hits) if len(by_key) == 1 else None


# -- names that are not Hub ids: local paths, placeholders, sentence fragments ---------------

_PATH_SEP = re.compile(r"[\\/]+")
_PATH_START = re.compile(r"^(?:/|\.{1,2}[\\/]|~[\\/]|[A-Za-z]:[\\/])")
# Words that name no model: template filler ("path/to/model", "your-model", "model_name").
_GENERIC_WORDS = frozenset([
    "path", "paths", "to", "your", "my", "our", "the", "a", "an", "of", "model", "models",
    "name", "names", "base", "previous", "prev", "new", "old", "local", "dir", "directory",
    "folder", "output", "outputs", "out", "checkpoint", "checkpoints", "ckpt", "username",
    "user", "organization", "organisation", "repo", "repository", "id", "here", "some",
    "example", "foo", "bar", "tmp", "temp", "hf", "hub", "huggingface", "save", "saved", "file",
    "files", "weights", "placeholder", "xxx", "none", "null",
])
# A first word that makes any text a placeholder: cards address the reader ("your_username/...").
_PLACEHOLDER_LEAD = frozenset(["your", "yours", "path", "username", "user_name"])
_TEMPLATE = re.compile(r"[<>{}$%]|\.\.\.|\u2026|\[[^\]]*\]")
# Words a sentence fragment starts with ("following 6", "the above models").
_FUNCTION_WORDS = frozenset([
    "the", "this", "that", "these", "those", "our", "my", "your", "their", "its", "his", "her",
    "a", "an", "following", "previous", "above", "below", "same", "such", "each", "every", "all",
    "both", "other", "another", "which", "some", "any", "several", "many", "it", "we", "they",
    "in", "on", "of", "with", "from", "for", "and", "or", "by", "as", "at", "to", "into", "onto",
    "then", "than", "using", "via", "is", "was", "are", "were", "be", "been",
])
_WORD = re.compile(r"[A-Za-z0-9]+")
_TOKEN = re.compile(r"[^\s\"'`,;()\[\]]+")


def is_local_path(text: str) -> bool:
    r"""Tell whether ``text`` is a file-system path rather than a Hub id or URL.

    A local path is an absolute POSIX path, one starting with ``./``, ``../`` or ``~/``, a
    Windows drive path (``D:/``, ``C:\\``), any text with a backslash, or a text with two
    or more separators (``a/b/c``); a URL is not.

    Examples
    --------
    >>> [is_local_path(t) for t in ("/home/u/m", "./m", "D:/m", "a\\b", "a/b/c", "org/name")]
    [True, True, True, True, True, False]
    >>> is_local_path("https://huggingface.co/org/name")
    False
    """
    value = text.strip()
    if not value or "://" in value:
        return False
    return (_PATH_START.match(value) is not None or "\\" in value
            or len([p for p in value.split("/") if p]) >= 3)


def path_tail(text: str) -> str:
    r"""Return the last part of a path, trailing separators stripped.

    Examples
    --------
    >>> path_tail("/home/u/models/org_name-7b/"), path_tail("C:\\models\\name")
    ('org_name-7b', 'name')
    """
    parts = [p for p in _PATH_SEP.split(text.strip()) if p]
    return parts[-1] if parts else ""


def is_placeholder(text: str) -> bool:
    """Tell whether ``text`` stands for a model without naming one.

    Placeholders are template texts (``<base_model>``, ``{model}``, ``$MODEL``, ``...``),
    texts that start with a word addressing the reader (``your_username/...``,
    ``path/to/...``), and texts made only of generic words (``model_name``, ``your-model``,
    ``previous/model/path``). A word with a digit is never generic, and a local path whose
    last part is made only of generic words (``./output/``) is a placeholder too.

    Examples
    --------
    >>> [is_placeholder(t) for t in ("path/to/model", "your-org/chat-7b", "<base_model>",
    ...                               "model_name", "./output/", "/path/to/org_chat-7b")]
    [True, True, True, True, True, True]
    >>> [is_placeholder(t) for t in ("org/chat-7b", "my-local-sft", "/srv/org_chat-7b")]
    [False, False, False]
    """
    value = text.strip().strip("\"'`")
    if _TEMPLATE.search(value):
        return True
    words = [w.casefold() for w in _WORD.findall(value)]
    if not words or words[0] in _PLACEHOLDER_LEAD:
        return True
    if is_local_path(value):
        words = [w.casefold() for w in _WORD.findall(path_tail(value))] or words
    return all(w in _GENERIC_WORDS for w in words)


def is_fragment(text: str) -> bool:
    """Tell whether ``text`` is a piece of a sentence rather than a model name.

    A fragment has several words and either starts with a function word (``following 6``,
    ``the above models``, ``this model``) or is made only of lower-case words (``some
    chat model``). Names such as ``Llama 2 13B`` and local paths are not fragments.

    Examples
    --------
    >>> [is_fragment(t) for t in ("following 6", "the above models", "some chat model",
    ...                            "Llama 2 13B", "chat-7b", "D:/my models/the x")]
    [True, True, True, False, False, False]
    """
    words = text.split()
    if len(words) < 2 or is_local_path(text):
        return False
    first = words[0].strip("*_`'\"([").casefold()
    if first in _FUNCTION_WORDS:
        return True
    return all(re.fullmatch(r"[a-z]+[,.;:]?", w) for w in words)


def written_path(text: str, repo_id: str) -> str | None:
    """Return the local path in ``text`` that names ``repo_id``, if any.

    ``text`` is a snippet of a card (``- model: /home/u/org_name``); the path is one that
    :func:`resolve_short_name` or :func:`cache_path_id` resolves to ``repo_id``.

    Examples
    --------
    >>> written_path("  - model: /home/u/models/org_name-7b  # ties", "org/name-7b")
    '/home/u/models/org_name-7b'
    >>> written_path("base_model: org/name-7b", "org/name-7b") is None
    True
    """
    for token in _TOKEN.finditer(text):
        value = token.group(0).rstrip(".:")
        if not is_local_path(value):
            continue
        cached = cache_path_id(value)
        if cached is not None and id_key(cached.id) == id_key(repo_id):
            return value
        if resolve_short_name(value, [repo_id]) is not None:
            return value
    return None


def slug(text: str) -> str:
    """Make a stable, readable IRI segment for a free-text label.

    Case, spaces and punctuation are folded (``NVIDIA H100`` and ``nvidia-h100`` are one
    accelerator), but a ``+`` is kept as a word, since it names another thing
    (``openrail++`` is not ``openrail``), and a label too long to keep whole ends in a
    hash of all of it, so two labels never share a segment by sharing a beginning.

    Examples
    --------
    >>> slug("NVIDIA H100 Tensor Core"), slug("openrail++"), slug("openrail")
    ('nvidia-h100-tensor-core', 'openrail-plus-plus', 'openrail')
    >>> len(slug("x" * 200)), slug("x" * 200) == slug("x" * 199)
    (120, False)
    """
    folded = text.casefold().replace("+", " plus ")
    s = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not s:
        s = hashlib.sha256(text.encode()).hexdigest()[:16]
    if len(s) > 120:
        s = s[:103] + "-" + hashlib.sha256(s.encode()).hexdigest()[:16]
    return s


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
