r"""Facts from the Hub's own metadata about a card's repository (``Card.hub``).

The Hub tags every model derived from another with ``base_model:org/name`` and, when it
knows the kind, ``base_model:finetune:``, ``base_model:quantized:``, ``base_model:adapter:``
or ``base_model:merge:``; it also reports the pipeline tag, the library, downloads, likes,
creation and last-modified dates and whether the repository is gated. This module turns
that into facts with evidence method ``hub``, next to what the card itself says:

- a parent the card also names takes the card's relation (the two claims then show as two
  pieces of evidence for one parent); a Hub relation that differs becomes a warning;
- a parent only the Hub names is added with the Hub's relation (``derived`` when the Hub
  gives none); when the card's front matter names other parents, that is a warning too;
- pipeline tag and library become :class:`~lineage.facts.Tag` facts, downloads, likes,
  dates and gating one :class:`~lineage.facts.HubInfo`.

Pure: no I/O, clock or module state.

Examples
--------
>>> from lineage.cards import read_card
>>> from lineage.facts import Parent
>>> card = read_card(b"---\nlicense: mit\n---\nHi\n", "o/m/README.md",
...                  hub={"tags": ["base_model:o/base", "base_model:quantized:o/base"],
...                       "downloads": 7})
>>> facts = hub_facts(card, [])
>>> [(f.ref.id, f.relation.value, f.evidence.method.value) for f in facts
...  if isinstance(f, Parent)]
[('o/base', 'quantized', 'hub')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from lineage.cards import Card
from lineage.facts import (
    Evidence,
    Fact,
    HubInfo,
    Method,
    ModelRef,
    Parent,
    Relation,
    Tag,
    Warning,
)
from lineage.ids import id_key, is_repo_id

__all__ = ["HUB_CONFIDENCE", "hub_facts", "hub_parents"]

HUB_CONFIDENCE = 0.9
_PREFIX = "base_model:"
_CREATED = ("createdAt", "created_at", "created")
_MODIFIED = ("lastModified", "last_modified")


def hub_parents(tags: Iterable[object]) -> dict[str, tuple[str, Relation | None, str]]:
    """Read the ``base_model:`` tags: ``{id key: (id, relation or None, tag)}``.

    A tag that names the kind wins over the plain ``base_model:org/name`` tag.

    Examples
    --------
    >>> hub_parents(["base_model:a/b", "base_model:adapter:a/b", "license:mit"])
    {'a/b': ('a/b', <Relation.ADAPTER: 'adapter'>, 'base_model:adapter:a/b')}
    """
    found: dict[str, tuple[str, Relation | None, str]] = {}
    for tag in tags:
        if not isinstance(tag, str) or not tag.startswith(_PREFIX):
            continue
        rest = tag[len(_PREFIX):].strip()
        kind, sep, rid = rest.partition(":")
        relation = Relation.from_hub(kind) if sep else None
        if relation is None:
            rid = rest
        if not is_repo_id(rid):
            continue
        key = id_key(rid)
        if key not in found or (found[key][1] is None and relation is not None):
            found[key] = (rid, relation, tag)
    return found


def hub_facts(card: Card, facts: Sequence[Fact]) -> list[Fact]:
    """Return ``facts`` (the card's own, parents settled) with the Hub's facts added."""
    hub = card.hub
    out = list(facts)
    if not hub:
        return out
    tags = hub.get("tags")
    out.extend(_parents(facts, tags if isinstance(tags, list | tuple) else None))
    out.extend(_tags(facts, hub))
    out.extend(_info(hub))
    return out


def _ev(snippet: str) -> Evidence:
    return Evidence(Method.HUB, snippet, None, HUB_CONFIDENCE)


def _parents(facts: Sequence[Fact], tags: Sequence[object] | None) -> list[Fact]:
    if tags is None:
        return []
    parents = [f for f in facts if isinstance(f, Parent) and f.ref.id]
    settled: dict[str, Parent] = {}
    for p in parents:
        assert p.ref.id is not None
        settled.setdefault(id_key(p.ref.id), p)
    front = {id_key(p.ref.id): p.ref.id for p in parents
             if p.ref.id and p.evidence.method is Method.METADATA}
    listed = hub_parents(tags)
    out: list[Fact] = []
    for key, (rid, relation, tag) in listed.items():
        card_parent = settled.get(key)
        if card_parent is not None:
            out.append(replace(card_parent, evidence=_ev(tag)))
            if relation is not None and relation is not card_parent.relation:
                out.append(Warning(f"the Hub tags {rid} as a {relation.value} parent ({tag}) but "
                                   f"the card reads as {card_parent.relation.value}; kept "
                                   f"{card_parent.relation.value}"))
            continue
        out.append(Parent(ModelRef(rid, rid), relation or Relation.DERIVED, _ev(tag)))
        if front:
            out.append(Warning(f"the Hub lists base model {rid} ({tag}), which the card's "
                               "front matter does not name"))
    if listed:
        for key, rid in front.items():
            if key not in listed:
                out.append(Warning(f"the card's front matter names base model {rid}, which the "
                                   "Hub does not list"))
    return out


def _tags(facts: Sequence[Fact], hub: Mapping[str, Any]) -> list[Fact]:
    out: list[Fact] = []
    for key, kind in (("pipeline_tag", "pipeline"), ("library_name", "library")):
        value = hub.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        stated = [f.value for f in facts if isinstance(f, Tag) and f.kind == kind]
        out.append(Tag(kind, value, _ev(f"{key}: {value}")))
        if stated and value.casefold() not in {v.casefold() for v in stated}:
            out.append(Warning(f"the Hub gives {key} {value!r}, the card {stated[0]!r}"))
    return out


def _count(hub: Mapping[str, Any], key: str, warnings: list[Fact]) -> int | None:
    value = hub.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or \
            value != int(value):
        warnings.append(Warning(f"Hub metadata: {key} is not a count ({value!r}); ignored"))
        return None
    return int(value)


def _datetime(hub: Mapping[str, Any], keys: tuple[str, ...], warnings: list[Fact]) -> str | None:
    """Return the first of ``keys`` as an ``xsd:dateTime`` text in UTC (naive means UTC)."""
    for key in keys:
        value = hub.get(key)
        if value is None or value == "":
            continue
        when: datetime | None = value if isinstance(value, datetime) else None
        if isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                when = None
        if when is None:
            warnings.append(Warning(f"Hub metadata: {key} is not a date ({value!r}); ignored"))
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        text = when.astimezone(timezone.utc).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    return None


def _info(hub: Mapping[str, Any]) -> list[Fact]:
    warnings: list[Fact] = []
    repo = hub.get("id") or hub.get("modelId")
    gated_raw = hub.get("gated")
    gated = None if gated_raw is None else (gated_raw not in (False, "false", "False", ""))
    info = HubInfo(
        repo_id=repo if isinstance(repo, str) and is_repo_id(repo) else None,
        downloads=_count(hub, "downloads", warnings),
        likes=_count(hub, "likes", warnings),
        created=_datetime(hub, _CREATED, warnings),
        modified=_datetime(hub, _MODIFIED, warnings),
        gated=gated,
        evidence=_ev("Hub metadata"),
    )
    values = (info.repo_id, info.downloads, info.likes, info.created, info.modified, info.gated)
    if all(v is None for v in values):
        return warnings
    return [info, *warnings]
