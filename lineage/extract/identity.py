"""Which model a card describes: its own id, and the other ids it went by.

Evidence, strongest first: an explicit ``--id``; the card's location
(``org/name/README.md``); leaderboard links (``?query=org/name``,
``details_org__name``), which the leaderboard bot writes about the card's own model;
``model-index[].name``; links to files inside a repo (``/org/name/resolve/main/...``)
including ``license_link``, when that repo is not one the card names as a parent; an H1
title equal to a linked repo's name. When the leaderboard shows two ids (a renamed repo),
the one named last is the current id (the bot appends) and the other is an alias.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lineage.cards import Card
from lineage.extract.links import Link, leaderboard_id
from lineage.facts import Alias, Evidence, Identity, Method
from lineage.ids import id_key, is_repo_id

__all__ = ["extract_identity", "parent_id_keys"]


def parent_id_keys(meta: dict[str, Any] | Any) -> set[str]:
    """Id keys of the models the front matter names as bases."""
    raw = meta.get("base_model") if hasattr(meta, "get") else None
    values = raw if isinstance(raw, list) else [raw]
    return {id_key(v) for v in values if isinstance(v, str)}


def _snippet(card: Card, offset: int, width: int = 100) -> str:
    line_start = card.text.rfind("\n", 0, offset) + 1
    line_end = card.text.find("\n", offset)
    line_end = len(card.text) if line_end < 0 else line_end
    start = max(line_start, offset - width // 2)
    return card.text[start : min(line_end, start + width)].strip()


def extract_identity(card: Card, links: tuple[Link, ...]) -> tuple[Identity | Alias, ...]:
    """Find the card's own id (one :class:`Identity`) and its aliases, or nothing."""
    parents = parent_id_keys(card.meta)
    board: dict[str, list[int]] = defaultdict(list)  # key -> offsets of leaderboard links
    spelled: dict[str, str] = {}
    files: dict[str, list[int]] = defaultdict(list)
    for link in links:
        lid = leaderboard_id(link.url)
        if lid is not None and id_key(lid) not in parents:
            board[id_key(lid)].append(link.offset)
            spelled.setdefault(id_key(lid), lid)
        elif link.ref.kind == "model" and link.is_file and id_key(link.ref.id) not in parents:
            files[id_key(link.ref.id)].append(link.offset)
            spelled.setdefault(id_key(link.ref.id), link.ref.id)
    names = _model_index_names(card.meta)
    found: list[tuple[str, Evidence]] = []
    for key, offsets in board.items():
        rid = spelled[key]
        named = id_key(rid.rsplit("/", 1)[-1]) in names or key in names
        ev = Evidence(Method.LINK, _snippet(card, offsets[-1]), card.line_of(offsets[-1]),
                      0.95 if named else 0.9)
        found.append((rid, ev))
    if not found:
        for key, offsets in files.items():
            rid = spelled[key]
            ev = Evidence(Method.LINK, _snippet(card, offsets[0]), card.line_of(offsets[0]), 0.8)
            found.append((rid, ev))
    # The current id is the one whose leaderboard link comes last (the bot appends).
    found.sort(key=lambda item: max(board.get(id_key(item[0]), files.get(id_key(item[0]), [0]))))
    facts: list[Identity | Alias] = []
    if card.id_hint:
        method = Method.OPTION if card.id_hint_method == "option" else Method.PATH
        facts.append(Identity(card.id_hint, Evidence(method, card.source, None, 1.0)))
        primary_key = id_key(card.id_hint)
        # Another leaderboard id is a former name when it shares the repo name, or when the
        # leaderboard also shows the card's own id (both names were evaluated).
        name_key = id_key(card.id_hint.rsplit("/", 1)[-1])
        both = primary_key in board
        for rid, ev in found:
            if id_key(rid) != primary_key and (both or id_key(rid.rsplit("/", 1)[-1]) == name_key):
                facts.append(Alias(rid, ev))
        return tuple(facts)
    if found:
        rid, ev = found[-1]
        facts.append(Identity(rid, ev))
        facts.extend(Alias(other, oev) for other, oev in found[:-1] if other in board or
                     id_key(other) in board)
        return tuple(facts)
    for name in names:
        if is_repo_id(name, require_org=True):
            return (Identity(name, Evidence(Method.METADATA, f"model-index name: {name}", None,
                                            0.7)),)
    return ()


def _model_index_names(meta: Any) -> set[str]:
    index = meta.get("model-index") if hasattr(meta, "get") else None
    names: set[str] = set()
    if isinstance(index, list):
        for entry in index:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                names.add(id_key(entry["name"]))
    return names
