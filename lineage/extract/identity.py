r"""Which model a card describes: one documented decision, precision first.

A wrong id merges a card into someone else's model, so a bare name is better than a
wrong id. The rules, strongest first (the first that applies decides):

1. **Explicit**: an id the caller or the source gives (``--id``, a Hub fetch, a dump's id
   column, an ``org/name/README.md`` layout). Confidence 1.
2. **Self-evidence that agrees with the card's own name.** The own name is the card's file
   or folder name (``NAME.md``, ``NAME/README.md``); when the path gives none (``README.md``,
   ``model_card.md``...) it is the H1 title, else a bare ``model-index`` name. A candidate
   agrees when its repo name equals the own name, ignoring case and punctuation. Candidates,
   best first: leaderboard links (``?query=org/name``, ``details_org__name``: the
   leaderboard bot writes them about the card's own model; confidence 0.95), an
   ``org/name`` ``model-index[].name`` (0.9), links into a repo's files
   (``/org/name/resolve/main/...``, a ``license_link``; 0.85). A front-matter base model is
   never a candidate.
3. **Bare name**: the own name, organisation unknown (confidence 0.5). The card is then its
   own model, never merged with another card of the same name.

A candidate that does not agree (a ``license_link`` or image into the base model's repo, a
credited template, a table, a guide) never makes the id: it is kept as an
:class:`~lineage.facts.IdCandidate` with its evidence. When the leaderboard shows two ids
of one name (a renamed organisation), the one named last is the current id (the bot
appends) and the other an alias; with an explicit id, leaderboard ids of the same repo
name, or any leaderboard id when the leaderboard also shows the explicit one, are aliases.

Examples
--------
>>> from lineage.cards import read_card
>>> from lineage.extract.links import find_links
>>> from lineage.extract.markdown import parse
>>> text = (b"---\\nlicense: other\\nlicense_link: https://huggingface.co/big/Base-7B/blob/"
...         b"main/LICENSE\\n---\\n# Chat-7B\\n")
>>> card = read_card(text, "scrape/Chat-7B/README.md")
>>> facts = extract_identity(card, find_links(card), parse(card))
>>> [(type(f).__name__, f.id) for f in facts]
[('Identity', None), ('IdCandidate', 'big/Base-7B')]
>>> facts[0].name, facts[0].rule.value
('Chat-7B', 'name')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from lineage.cards import Card
from lineage.extract.links import Link, leaderboard_id
from lineage.extract.markdown import Doc
from lineage.facts import Alias, Evidence, IdCandidate, Identity, IdRule, Method
from lineage.ids import id_key, is_repo_id, name_key

__all__ = ["EMBEDDED_CARD", "IdentityFact", "extract_identity", "own_names", "parent_id_keys"]

IdentityFact = Identity | Alias | IdCandidate

# File stems that name no model: the name is then the folder's (or, failing that, the title).
_GENERIC_STEMS = frozenset(["readme", "model_card", "modelcard", "model-card", "card", "index",
                            "model", "description"])
# Names a scrape makes up: a sequence number ("001_...", "d017"), a hash.
_MADE_UP = re.compile(r"^\d+[_.-]|^[a-z]?\d+$|^[0-9a-f]{8,}$|[_.-][0-9a-f]{12,}$", re.I)
# Markers of a copy of another card inside this one (quantized repacks embed the original).
EMBEDDED_CARD = re.compile(r"(?im)^(?:<!--\s*original-model-card start\s*-->"
                           r"|#{1,4}\s*original model card\b.*)$")
_NEXT_HEADING = re.compile(r"\s#{1,6}\s")
_NAME_THEN_SUBTITLE = re.compile(r"[A-Za-z][\w.-]*\d[\w.-]*: \S")  # one word with a digit
_HTML_TITLE = re.compile(r"(?i)<h1\b[^>\n]{0,200}>[ \t\n]*([^<>\n]{1,100}?)[ \t\n]*</h1>")
_MAX_TITLE = 100  # a longer "title" is prose, not a name
# What card templates put where the model's name goes ("Model Card for Model ID").
_TEMPLATE_NAMES = frozenset(["modelid", "modelname", "yourmodelname", "model", "mymodel",
                             "modelcard"])
# "Model Card for X", "Model card of X": the title's name is X.
_TITLE_PREFIX = re.compile(r"^(?:the\s+)?model\s*card\s+(?:for|of)\s+", re.I)
_EXPLICIT_RULES = {"option": IdRule.OPTION, "path": IdRule.PATH, "hub": IdRule.HUB,
                   "dump": IdRule.DUMP}
_CONFIDENCE = {IdRule.LEADERBOARD: 0.95, IdRule.MODEL_INDEX: 0.9, IdRule.SELF_LINK: 0.85}
_METHOD = {IdRule.OPTION: Method.OPTION, IdRule.HUB: Method.HUB}


def parent_id_keys(meta: Mapping[str, Any] | Any) -> set[str]:
    """Id keys of the models the front matter names as bases."""
    raw = meta.get("base_model") if hasattr(meta, "get") else None
    values = raw if isinstance(raw, list) else [raw]
    return {id_key(v) for v in values if isinstance(v, str)}


def _path_name(source: str) -> str | None:
    """Return the model name a card's location gives: ``NAME.md`` or ``NAME/README.md``.

    Generic file names (``README.md``) defer to the folder; names a scrape made up
    (a sequence number ``001_...`` or ``d017``, a hash) are no model's name.
    """
    path = PurePosixPath(source.split("#", 1)[0].replace("\\", "/"))
    stem = path.stem.strip()
    if stem.casefold() in _GENERIC_STEMS:
        stem = path.parent.name.strip()
        if stem in (".", ".."):
            return None
    return None if not stem or _MADE_UP.search(stem) else stem


def own_names(card: Card, doc: Doc) -> list[str]:
    r"""Return the names the card goes by, to check candidate ids against (none: empty).

    The path's name when it gives one; else the H1 title and bare ``model-index`` names.

    Examples
    --------
    >>> from lineage.cards import read_card
    >>> from lineage.extract.markdown import parse
    >>> card = read_card(b"# Model Card for Tiny-LM\n", "downloads/Tiny-LM-v2/README.md")
    >>> own_names(card, parse(card))
    ['Tiny-LM-v2']
    >>> card = read_card(b"# Model Card for Tiny-LM\n", "0001_3fa9c2.md")
    >>> own_names(card, parse(card))
    ['Tiny-LM']
    """
    name = _path_name(card.source)
    if name is not None:
        return [name]
    # A flattened card's title runs on into the next heading: cut it there.
    titles = [_TITLE_PREFIX.sub("", _NEXT_HEADING.split(s.title, 1)[0]).strip()
              for s in doc.sections[:1] if s.level == 1]
    if not titles:  # a centred HTML title before any markdown heading: "<h1>Name</h1>"
        first = doc.sections[0].start if doc.sections else len(card.text)
        html = _HTML_TITLE.search(card.text, card.body_offset, min(first, card.body_offset + 4000))
        titles = [" ".join(html.group(1).split())] if html else []
    # "Wren-Coder-V2: Breaking the Barrier of ...": the name before a subtitle
    titles = [t.split(": ", 1)[0] if _NAME_THEN_SUBTITLE.match(t) else t for t in titles]
    names = [t for t in titles if len(t) <= _MAX_TITLE and name_key(t) not in _TEMPLATE_NAMES]
    names += [n.rsplit("/", 1)[-1] for n in _model_index_names(card.meta)]
    return [n for n in names if n]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A possible own id with the rule that proposes it and where it stands."""

    id: str
    rule: IdRule
    offset: int | None
    evidence: Evidence


def _snippet(card: Card, offset: int, width: int = 100) -> str:
    # Only ``width`` around the offset matters: many links on one long line stay linear.
    line_start = card.text.rfind("\n", max(0, offset - width), offset) + 1
    line_end = card.text.find("\n", offset, offset + width)
    line_end = min(len(card.text), offset + width) if line_end < 0 else line_end
    start = max(line_start, offset - width // 2)
    return card.text[start : min(line_end, start + width)].strip()


def _candidates(card: Card, links: tuple[Link, ...]) -> list[_Candidate]:
    """Every self-evidence in the card, best rule first, then in text order."""
    parents = parent_id_keys(card.meta)
    found: list[_Candidate] = []

    def add(rid: str, rule: IdRule, offset: int | None, snippet: str, line: int | None) -> None:
        if id_key(rid) not in parents:
            found.append(_Candidate(rid, rule, offset,
                                    Evidence(Method.LINK if offset is not None else
                                             Method.METADATA, snippet, line, _CONFIDENCE[rule])))

    for link in links:
        lid = leaderboard_id(link.url)
        if lid is not None:
            add(lid, IdRule.LEADERBOARD, link.offset, _snippet(card, link.offset),
                card.line_of(link.offset))
        elif link.ref.kind == "model" and link.is_file:
            add(link.ref.id, IdRule.SELF_LINK, link.offset, _snippet(card, link.offset),
                card.line_of(link.offset))
    for name in _model_index_names(card.meta):
        if is_repo_id(name, require_org=True):
            add(name, IdRule.MODEL_INDEX, None, f"model-index name: {name}", None)
    # One candidate per id and rule: a leaderboard id at its last link (the bot appends),
    # a file link at its first.
    by_id: dict[tuple[str, IdRule], _Candidate] = {}
    for c in found:
        if c.rule is IdRule.LEADERBOARD or (id_key(c.id), c.rule) not in by_id:
            by_id[id_key(c.id), c.rule] = c
    order = list(_CONFIDENCE)
    return sorted(by_id.values(), key=lambda c: (order.index(c.rule), c.offset or 0))


def extract_identity(card: Card, links: tuple[Link, ...], doc: Doc) -> tuple[IdentityFact, ...]:
    """Decide the card's own id (one :class:`Identity`), its aliases and the rejected candidates.

    ``card.taken_ids`` (id key -> the other card's source) are ids other cards of the same
    build hold: an inferred id among them is not adopted.
    """
    candidates = _candidates(card, links)
    if card.id_hint:
        return _explicit(card, candidates)
    names = own_names(card, doc)
    keys = {name_key(n) for n in names}
    taken: Mapping[str, str] = card.taken_ids or {}
    free = [c for c in candidates if id_key(c.id) not in taken]
    agreeing = [c for c in free if name_key(c.id.rsplit("/", 1)[-1]) in keys]
    if not names:
        agreeing = _lone_self_link(card, free)
    facts: list[IdentityFact] = []
    seen: set[str] = set()
    if agreeing:
        best = agreeing[0].rule
        chosen = max((c for c in agreeing if c.rule is best),
                     key=lambda c: -1 if c.offset is None else c.offset)  # the bot appends
        facts.append(Identity(chosen.id, chosen.evidence, chosen.rule))
        seen.add(id_key(chosen.id))
        if chosen.rule is not IdRule.SELF_LINK:
            facts += _renames(card, free, seen)
    else:
        bare = names[0] if names else PurePosixPath(card.source).name
        facts.append(Identity(None, Evidence(Method.PATH, card.source, None, 0.5), IdRule.NAME,
                              bare))
    for c in candidates:
        if id_key(c.id) in seen:
            continue
        seen.add(id_key(c.id))
        if id_key(c.id) in taken:
            reason = f"another card holds it ({taken[id_key(c.id)]})"
        elif not names:
            reason = "the card gives no name of its own to check it against"
        else:
            reason = f"its name is not the card's own ({names[0]})"
        facts.append(IdCandidate(c.id, c.evidence, f"{c.rule.value}: {reason}"))
    return tuple(facts)


def _renames(card: Card, free: list[_Candidate], seen: set[str]) -> list[Alias]:
    """Other leaderboard ids of the card's own model: former names after a rename.

    The leaderboard bot writes only about the card's own model, so every leaderboard id
    of a card whose id the leaderboard confirms is one of its names, unless the link
    stands in a copy of another card (a repack embedding the original card).
    """
    embedded = EMBEDDED_CARD.search(card.text, card.body_offset)
    limit = embedded.start() if embedded is not None else len(card.text)
    out = []
    for c in free:
        if c.rule is IdRule.LEADERBOARD and id_key(c.id) not in seen and \
                c.offset is not None and c.offset < limit:
            seen.add(id_key(c.id))
            out.append(Alias(c.id, c.evidence))
    return out


_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp)(?:[?#].*)?$", re.I)


def _lone_self_link(card: Card, free: list[_Candidate]) -> list[_Candidate]:
    """For a card with no name at all: the one repo it links files of, outside its front matter.

    Front-matter file links (``license_link``) and images are left out: both often point
    into the base model's repo.
    """
    hits = [c for c in free if c.rule is IdRule.SELF_LINK and c.offset is not None and
            c.offset >= card.body_offset and not _IMAGE.search(c.evidence.snippet)]
    repos = {id_key(c.id) for c in hits}
    if len(repos) != 1:
        return []
    return [_Candidate(c.id, c.rule, c.offset, Evidence(c.evidence.method, c.evidence.snippet,
                                                        c.evidence.line, 0.7)) for c in hits]


def _explicit(card: Card, candidates: list[_Candidate]) -> tuple[IdentityFact, ...]:
    """Return an id given by the caller or the source, with the aliases the leaderboard shows."""
    assert card.id_hint is not None
    rule = _EXPLICIT_RULES.get(card.id_hint_method or "path", IdRule.PATH)
    hub_id = (card.hub or {}).get("id")
    if rule is IdRule.PATH and isinstance(hub_id, str) and id_key(hub_id) == id_key(card.id_hint):
        rule = IdRule.HUB  # a card fetched from the Hub into its cache's org/name layout
    facts: list[IdentityFact] = [Identity(card.id_hint, Evidence(_METHOD.get(rule, Method.PATH),
                                                                  card.source, None, 1.0), rule)]
    primary = id_key(card.id_hint)
    board = [c for c in candidates if c.rule is IdRule.LEADERBOARD]
    # Another leaderboard id is a former name when it shares the repo name, or when the
    # leaderboard also shows the card's own id (both names were evaluated).
    both = any(id_key(c.id) == primary for c in board)
    own_name_key = id_key(card.id_hint.rsplit("/", 1)[-1])
    seen = {primary}
    for c in board:
        if id_key(c.id) not in seen and (both or id_key(c.id.rsplit("/", 1)[-1]) == own_name_key):
            seen.add(id_key(c.id))
            facts.append(Alias(c.id, c.evidence))
    return tuple(facts)


def _model_index_names(meta: Any) -> list[str]:
    index = meta.get("model-index") if hasattr(meta, "get") else None
    names: list[str] = []
    if isinstance(index, list):
        for entry in index:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                names.append(entry["name"].strip())
    return names
