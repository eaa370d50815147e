"""The models in a store: list, search and filter them (``lineage models``).

A pattern matches a model's Hub id, name (the part after ``/``), label or aliases: a
case-insensitive substring first, then a fuzzy match (rapidfuzz) for misspellings.
Filters narrow by organisation, by how a model derives from its parents, by license and
by whether a card in the store describes it.

Examples
--------
>>> import lineage
>>> from lineage.store import open_store
>>> store = open_store("memory:")
>>> _ = lineage.build(["examples/cards"], store=store)
>>> [m.id for m in models(store, "owl")]
['nightowl/Owl-7B-slerp', 'nightowl/Owl-Mega-7B']
>>> [m.id for m in models(store, relation="merge", org="mergecraft")]
['mergecraft/AcmePomme-Coder-7B-TIES']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from lineage.errors import QueryError
from lineage.facts import Relation
from lineage.ids import id_from_iri
from lineage.store import Store
from lineage.view import LineageView

__all__ = ["FIELDS", "ModelEntry", "models"]

RELATIONS = Relation.values()
_FUZZY_CUTOFF = 80


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One model of the store, as ``lineage models`` lists it."""

    id: str | None
    name: str
    iri: str
    org: str | None
    kind: str
    license: str | None
    has_card: bool
    resolved: bool
    parents: int
    children: int
    aliases: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready values (the documented keys, always present)."""
        out = asdict(self)
        out["aliases"] = list(self.aliases)
        return out


FIELDS = tuple(ModelEntry.__dataclass_fields__)


def _entry(g: nx.MultiDiGraph, node: str) -> ModelEntry:
    data = g.nodes[node]
    hub_id = data.get("id")
    return ModelEntry(
        id=hub_id, name=str(data.get("label") or hub_id or node), iri=node, org=data.get("org"),
        kind=str(data.get("kind") or "base"), license=data.get("license"),
        has_card=bool(data.get("described")), resolved=not data.get("unresolved"),
        parents=len(set(g.successors(node))), children=len(set(g.predecessors(node))),
        aliases=tuple(id_from_iri(a) or a for a in data.get("aliases", ())))


def _names(entry: ModelEntry) -> list[str]:
    names = [entry.name, *entry.aliases]
    if entry.id:
        names += [entry.id, entry.id.rsplit("/", 1)[-1]]
    return names


def _matches(entries: list[ModelEntry], pattern: str) -> list[ModelEntry]:
    """Substring hits (shortest id first), then fuzzy hits by score."""
    from rapidfuzz import fuzz, utils

    folded = pattern.strip().casefold()
    within = [e for e in entries if any(folded in n.casefold() for n in _names(e))]
    if within:
        return sorted(within, key=lambda e: (e.id or e.name).casefold())
    scored = []
    for e in entries:
        best = max(fuzz.WRatio(pattern, n, processor=utils.default_process) for n in _names(e))
        if best >= _FUZZY_CUTOFF:
            scored.append((-best, (e.id or e.name).casefold(), e))
    return [e for *_, e in sorted(scored, key=lambda t: (t[0], t[1]))]


def models(store: Store, pattern: str | None = None, *, org: str | None = None,
           relation: str | None = None, license: str | None = None,
           has_card: bool | None = None) -> list[ModelEntry]:
    """List the models of ``store`` matching ``pattern`` and every filter given.

    ``relation`` keeps models with a parent of that kind (``finetune``, ``merge``,
    ``quantized``, ``adapter``, ``derived``); ``license`` matches a license id or name
    stated for the model, in any case; ``has_card`` keeps models a card describes (True)
    or only named by other cards (False).
    """
    if relation is not None and relation not in RELATIONS:
        msg = f"unknown relation {relation!r}: use {', '.join(RELATIONS)}"
        raise QueryError(msg)
    g = LineageView.of(store).graph
    entries = []
    for node, data in g.nodes(data=True):
        if org is not None and (data.get("org") or "").casefold() != org.casefold():
            continue
        if has_card is not None and bool(data.get("described")) != has_card:
            continue
        if relation is not None and not any(
                d.get("relation") == relation for _, _, d in g.out_edges(node, data=True)):
            continue
        if license is not None:
            stated = {x.casefold() for x in (*data.get("licenses", ()), data.get("license"),
                                             data.get("license_name")) if x}
            if license.casefold() not in stated:
                continue
        entries.append(_entry(g, node))
    if pattern:
        return _matches(entries, pattern)
    return sorted(entries, key=lambda e: ((e.id or e.name).casefold(), e.iri))
