"""What every extractor needs to know about a card besides its text.

A :class:`Context` holds the parsed markdown, the Hub links, the card's own ids and the
names it can resolve. It is built once per card by :func:`lineage.extract.extract` and is
as pure as the card itself.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from lineage.cards import Card
from lineage.extract.links import Link
from lineage.extract.markdown import Doc
from lineage.facts import (
    Child,
    Derivation,
    Evidence,
    Fact,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Warning,
)
from lineage.ids import (
    cache_path_id,
    id_key,
    is_fragment,
    is_local_path,
    is_placeholder,
    is_repo_id,
    legacy_id,
    name_key,
    parse_hub_url,
    resolve_short_name,
)

__all__ = ["Context", "Findable", "not_a_model", "screen", "snippet_at", "specific_name"]


class Findable(Protocol):
    """A pattern as :meth:`Context.body_matches` reads it: ``re.Pattern``'s ``finditer``."""

    def finditer(self, string: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """Return the matches from ``pos``, left to right."""


def snippet_at(card: Card, start: int, end: int | None = None, width: int = 160) -> str:
    """Return the source text around ``start`` on its line, trimmed to ``width`` characters."""
    text = card.text
    # Only the part of the line within ``width`` of the span matters: a line break further
    # away is not looked for (many facts on one long line would each read all of it).
    line_start = text.rfind("\n", max(0, start - width), start) + 1
    far = len(text) if end is None else max(end, start) + width
    line_end = text.find("\n", start, far)
    line_end = min(far, len(text)) if line_end < 0 else line_end
    end = line_end if end is None else min(max(end, start), line_end)
    lo = max(line_start, start - max(0, (width - (end - start)) // 2))
    hi = min(line_end, max(end, lo + width))
    return " ".join(text[lo:hi].split())[:width]


def not_a_model(ref: ModelRef) -> str | None:
    """Say why a reference names no model (``placeholder``, ``sentence fragment``), or None.

    A reference that resolved to a Hub id names a model, unless the id is itself a
    placeholder (``your_username/your-model``).

    Examples
    --------
    >>> [not_a_model(ModelRef(None, t)) for t in ("previous/model/path", "following 6")]
    ['placeholder', 'sentence fragment']
    >>> not_a_model(ModelRef(None, "/home/u/models/chat-7b")) is None
    True
    """
    if ref.id is not None:
        return "placeholder" if is_placeholder(ref.id) else None
    if is_placeholder(ref.name):
        return "placeholder"
    return "sentence fragment" if is_fragment(ref.name) else None


def specific_name(key: str) -> bool:
    """Tell whether a name (its compare-form) is specific enough to pick one model by.

    Five characters or more, one a digit: "Wren-7B" is, a bare word ("Acme") is not.

    Examples
    --------
    >>> specific_name("wren-7b"), specific_name("acme"), specific_name("acmelab")
    (True, False, False)
    """
    return len(key) >= 5 and any(c.isdigit() for c in key)


def screen(facts: Iterable[Fact]) -> list[Fact]:
    """Leave out the parents, children and derivations naming no model, each with a warning.

    A merge recipe keeps its other details without such a base model.
    """
    out: list[Fact] = []
    for f in facts:
        if isinstance(f, Parent | Child | Derivation):
            refs = (f.model, f.ref) if isinstance(f, Derivation) else (f.ref,)
            junk = next(((r, why) for r in refs if (why := not_a_model(r)) is not None), None)
            if junk is not None:
                out.append(Warning(f"{junk[0].name!r} is a {junk[1]}, not a model name; "
                                   "left out", f.evidence.line))
                continue
        elif isinstance(f, MergeRecipe) and f.base is not None and not_a_model(f.base):
            f = replace(f, base=None)
        out.append(f)
    return out


@dataclass(frozen=True, slots=True)
class Context:
    """A card with its structure, links and own identity."""

    card: Card
    doc: Doc
    links: tuple[Link, ...]
    own_id: str | None
    own_keys: frozenset[str]
    own_name: str | None = None  # the bare name of a card whose id is unknown
    # Names are resolved once per match: the ids and link texts are indexed once per card.
    _names: _Names = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [lk.ref.id for lk in self.links if lk.ref.kind == "model"]
        raw = self.card.meta.get("base_model")
        for value in raw if isinstance(raw, list) else [raw]:
            if isinstance(value, str) and is_repo_id(value.strip(), require_org=True):
                ids.append(value.strip())
        object.__setattr__(self, "_names", _Names(tuple(dict.fromkeys(ids)), self))

    @property
    def known_model_ids(self) -> tuple[str, ...]:
        """Model ids the card links or names in ``base_model``, in order of appearance."""
        return self._names.known

    def is_own(self, repo_id: str | None) -> bool:
        """Whether ``repo_id`` is one of the card's own ids.

        A card known only by a bare name owns every id of that name: usage code loading
        ``someone/NAME`` is the card's own model, whatever the organisation.
        """
        if repo_id is None:
            return False
        if id_key(repo_id) in self.own_keys:
            return True
        return self.own_name is not None and \
            name_key(repo_id.rsplit("/", 1)[-1]) == name_key(self.own_name)

    def body_matches(self, pattern: Findable) -> Iterator[re.Match[str]]:
        """Return the matches of ``pattern`` in the card's body outside code blocks."""
        found = pattern.finditer(self.card.text, self.card.body_offset)
        if not self.doc.code_blocks:
            return found  # (the rules ask dozens of times a card: no filter when none is needed)
        in_code = self.doc.in_code
        return (m for m in found if not in_code(m.start()))

    def resolve(self, name: str, *, also: Iterable[str] = ()) -> ModelRef:
        """Resolve a model named by the card.

        In order: a Hub URL; a Hugging Face cache path (``models--org--name``); a local
        path, by its last part against the ids the card names (:attr:`known_model_ids`
        and ``also``, e.g. the other entries of a mergekit configuration); a Hub id; a
        short name matched against the card's links. Placeholders (``path/to/model``,
        ``your_username/...``) and sentence fragments never resolve, nor does an
        unmatched local path. Anything else stays unresolved, its text kept as written.
        """
        value = name.strip().strip("\"'`").strip()
        url = parse_hub_url(value)
        if url is not None:
            return ModelRef(None, url.id) if is_placeholder(url.id) else ModelRef(url.id, value)
        cached = cache_path_id(value)
        if cached is not None:
            return ModelRef(cached.id, value)
        if is_local_path(value):  # a copy of a Hub model, named by its folder
            hit = resolve_short_name(value, (*self.known_model_ids, *also))
            if hit is not None:  # even under /path/to/...: the folder names a linked model
                return ModelRef(hit, value)
        if is_placeholder(value) or is_fragment(value) or is_local_path(value):
            return ModelRef(None, value)
        if is_repo_id(value, require_org=True):
            return ModelRef(value, value)
        if legacy_id(value) is not None:  # bert-base-uncased: a Hub id without organisation
            return ModelRef(legacy_id(value), value)
        if "/" not in value and "\\" not in value:
            key = id_key(value)
            # A bare word ("Acme") is not specific enough to pick a link or an id in code.
            hit = resolve_short_name(value, self._names.short.get(key, ())) or (
                self._by_link_text(key) or self._in_code(key) if specific_name(key) else None)
            if hit is not None:
                return ModelRef(hit, value)
        return ModelRef(None, value)

    def _by_link_text(self, key: str) -> str | None:
        """Return the one model linked with text equal to, or starting with, name ``key``.

        "[Noromaid-v0.1.1-13b](.../Noromaid-13b-v0.1.1)" resolves "Noromaid-v0.1.1".
        """
        return self._names.only(self._names.texts, key, "-_ ", equal=True)

    def _in_code(self, key: str) -> str | None:
        """Return the one Hub id of the card's code blocks whose repo name has ``key``.

        "Tune Wren-7B-Instruct" with ``huggingface-cli download lab/Wren-7B-Instruct`` in
        the card's code: the name is that id.
        """
        hits = self._names.code_ids(self.doc).get(key, set())
        return next(iter(hits)) if len(hits) == 1 else None

    def is_known_other(self, repo_id: str) -> bool:
        """Whether the card names ``repo_id`` (a link, ``base_model``) and it is not its own."""
        return id_key(repo_id) in self._names.others

    def links_files_of(self, repo_id: str) -> bool:
        """Whether the card links a download of ``repo_id``'s files (``/resolve/main/...``)."""
        return id_key(repo_id) in self._names.downloads

    def links_between(self, start: int, end: int) -> tuple[Link, ...]:
        """Return the card's links that start within ``start``..``end`` (by bisection)."""
        offsets = self._names.link_offsets
        lo, hi = bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)
        return self.links[lo:hi]

    def resolve_prefix(self, name: str) -> ModelRef | None:
        """Return the one linked model whose name starts with ``name`` plus a separator.

        None unless exactly one matches ("Luke" names the linked
        ``studio-ousia/luke-large``). Legacy ids (``t5-base``) never match: their names
        start with a family's name ("T5"), which names no one checkpoint.
        """
        key = id_key(name).replace(" ", "-")
        hit = self._names.only(self._names.repos, key, "-_.", equal=False)
        return ModelRef(hit, name) if hit is not None else None

    def resolve_display(self, name: str) -> ModelRef | None:
        """Return the one id the card links or loads in code that a display name spells.

        "Wren Chat 3.1 8B" is ``org/wren-chat-3.1-8b-bnb-4bit`` when that is the only id
        whose name starts with those words (case and punctuation ignored).
        """
        key = name_key(name)
        if not specific_name(key):
            return None
        ids = {*self.known_model_ids, *(i for hits in self._names.code_ids(self.doc).values()
                                        for i in hits)}
        hits = {i for i in ids if not self.is_own(i) and
                name_key(i.rsplit("/", 1)[-1]).startswith(key)}
        return ModelRef(hits.pop(), name) if len(hits) == 1 else None

    def evidence(self, method: Method, start: int, end: int | None = None,
                 confidence: float = 0.8) -> Evidence:
        """Evidence for text at ``start``..``end`` of the card."""
        return Evidence(method, snippet_at(self.card, start, end), self.card.line_of(start),
                        confidence)


# An org/name token in code: not part of a path or a URL ("/a/b/c", "x.com/a/b").
_CODE_ID = re.compile(r"(?<![\w./:-])[A-Za-z0-9][\w.-]{0,95}/([A-Za-z0-9][\w.-]{0,95})(?![\w/:-])")


class _Names:
    """The names a card's references resolve against, indexed for look-ups by name.

    ``short``: each known id under its id, its name and its ``org_name``/``org--name`` forms
    (what :func:`~lineage.ids.resolve_short_name` compares); ``texts``: model link texts and
    ``repos``: the repo names of ids (with an organisation) other than the card's own, each
    sorted with its id.
    """

    def __init__(self, known: tuple[str, ...], ctx: Context):
        self.known = known
        self.short: dict[str, list[str]] = {}
        for k in known:
            for form in dict.fromkeys((id_key(k), id_key(k.rsplit("/", 1)[-1]),
                                       id_key(k.replace("/", "_")), id_key(k.replace("/", "--")))):
                self.short.setdefault(form, []).append(k)
        self.texts = sorted({(id_key(lk.text), lk.ref.id) for lk in ctx.links
                             if lk.ref.kind == "model" and lk.text})
        self.repos = sorted((id_key(k.rsplit("/", 1)[-1]), k) for k in known
                            if "/" in k and not ctx.is_own(k))
        self.others = frozenset(id_key(k) for k in known if not ctx.is_own(k))
        self.downloads = frozenset(id_key(lk.ref.id) for lk in ctx.links
                                   if lk.ref.kind == "model" and "/resolve/" in lk.url)
        self.link_offsets = [lk.offset for lk in ctx.links]  # links come in text order
        self._seen: dict[tuple[int, str], str | None] = {}
        self._code: dict[str, set[str]] | None = None

    def code_ids(self, doc: Doc) -> dict[str, set[str]]:
        """Hub ids (``org/name``) written in the card's code blocks, by the key of their name."""
        if self._code is None:
            self._code = {}
            for block in doc.code_blocks:
                for m in _CODE_ID.finditer(block.content):
                    rid = m.group(0)
                    if is_repo_id(rid, require_org=True) and not is_placeholder(rid):
                        self._code.setdefault(id_key(m.group(1)), set()).add(rid)
        return self._code

    def only(self, table: list[tuple[str, str]], key: str, separators: str, *,
             equal: bool) -> str | None:
        """Return the one id named ``key`` (if ``equal``) or ``key`` and a separator and more.

        None when there is none or several; names are looked up in ``table``.
        """
        memo = (id(table), key)
        if memo not in self._seen:
            hits: set[str] = set()
            i = bisect.bisect_left(table, (key, ""))
            while i < len(table) and table[i][0].startswith(key) and len(hits) < 2:
                name, rid = table[i]
                if (equal and name == key) or name[len(key):][:1] in tuple(separators):
                    hits.add(rid)
                i += 1
            self._seen[memo] = hits.pop() if len(hits) == 1 else None
        return self._seen[memo]
