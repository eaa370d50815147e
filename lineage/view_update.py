"""Bring a saved view up to date from the card graphs that changed since it was saved.

The saved view holds the graph of :func:`lineage.graph.premerge_graph` (before aliases and
case variants are folded), in which a model's node, attributes and edges to its parents
depend only on what the store says about that model, the license and dataset nodes it
uses (:class:`lineage.graph.Entities`) and its own declarations. A build records what each
write changed (:meth:`lineage.store.Store.changes_since`): the card graphs loaded and
removed, and the entities the removed ones mentioned. The models to read again are

* the entities the changed graphs mention (read from the loaded graphs, recorded for the
  removed ones), since only a card that mentions a model can add or take away a statement
  about it or a declaration of it;
* the models using a license or dataset node whose declarations changed.

Their nodes, attributes and edges to their parents are read again with the same queries
as a full build, restricted to them with a bound ``VALUES`` block, and replace theirs in
the saved graph; folding aliases and case variants runs on the whole graph afterwards.
Anything that does not fit (an edge to a model no card declares, a model gone that
another still derives from, a change too large to be worth it) answers "rebuild".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from lineage.graph import ENTITY_VALUES_QUERY, USERS_QUERY, Entities, premerge_graph, sorted_values
from lineage.store import Changes, Store, footprint

__all__ = ["CHUNK", "MIN_REBUILD", "REBUILD_SHARE", "Update", "update_graph"]

CHUNK = 1000
"""IRIs bound per query."""
REBUILD_SHARE = 4
"""A change that reads again more than this share of the models (1/4) is rebuilt whole."""
MIN_REBUILD = 2000
"""... unless it reads fewer models than this."""


@dataclass
class Update:
    """What an update read and changed (for tests and the benchmark)."""

    graphs: int = 0
    """Card graphs loaded or removed since the saved view."""
    read: set[str] = field(default_factory=set)
    """The entities read again as models (licenses, tags... among them read nothing)."""
    models: set[str] = field(default_factory=set)
    """The models among them: updated, added or removed."""


def _chunks(items: Iterable[str]) -> Iterator[list[ox.NamedNode]]:
    todo = sorted(items)
    for i in range(0, len(todo), CHUNK):
        yield [ox.NamedNode(x) for x in todo[i:i + CHUNK]]


def _select(store: Store, query: str, name: str, items: Iterable[str],
            ) -> Iterator[ox.QuerySolution]:
    for chunk in _chunks(items):
        result = store.query(query, {name: chunk})
        assert isinstance(result, ox.QuerySolutions)
        yield from result


def _changed_entities(store: Store, entities: Entities, touched: Collection[str]) -> set[str]:
    """Return the license and dataset nodes among ``touched`` whose declarations changed."""
    known = [e for e in touched if e in entities.licenses or e in entities.datasets]
    ids: dict[str, set[str | None]] = {}
    names: dict[str, set[str | None]] = {}
    for sol in _select(store, ENTITY_VALUES_QUERY, "e", known):
        node = sol["e"].value
        ids.setdefault(node, set()).add(sol["lid"].value if sol["lid"] else None)
        names.setdefault(node, set()).add(sol["name"].value if sol["name"] else None)
    changed = set()
    for node in known:
        now_ids, now_names = sorted_values(ids.get(node, ())), sorted_values(names.get(node, ()))
        if node in entities.licenses and entities.licenses[node] != (now_ids, now_names):
            changed.add(node)
        if node in entities.datasets and entities.datasets[node] != now_names:
            changed.add(node)
    return changed


def update_graph(store: Store, g: nx.MultiDiGraph, entities: Entities, changes: Changes,
                 ) -> Update | None:
    """Update a saved pre-merge graph and its entities in place to the store's data.

    Returns what was read, or None when the update cannot be made (``g`` and
    ``entities`` are then left half changed: rebuild them).
    """
    done = Update(graphs=len(changes.added | changes.removed))
    if done.graphs > max(MIN_REBUILD, len(g) // REBUILD_SHARE):
        return None
    touched = set(changes.touched)
    touched.update(footprint(store, changes.added))
    changed = _changed_entities(store, entities, touched)
    models = {e for e in touched if e not in entities.licenses and e not in entities.datasets}
    models.update(sol["m"].value for sol in _select(store, USERS_QUERY, "e", changed))
    if len(models) > max(MIN_REBUILD, len(g) // REBUILD_SHARE):
        return None
    done.read = models
    done.models = {m for m in models if m in g}
    subs = []
    for chunk in _chunks(models):
        sub, found = premerge_graph(store, [m.value for m in chunk])
        subs.append((sub, {m.value for m in chunk}))
        done.models.update(m.value for m in chunk if m.value in sub)
        entities.licenses.update(found.licenses)
        entities.datasets.update(found.datasets)
    return done if _patch(g, subs) else None


def _patch(g: nx.MultiDiGraph, subs: list[tuple[nx.MultiDiGraph, set[str]]]) -> bool:
    """Replace the nodes of each part's models and their edges to parents with its graph's."""
    declared: set[str] = set()
    for sub, models in subs:
        declared.update(m for m in models if m in sub and "key" in sub.nodes[m])
        for m in [m for m in models if m in g]:
            g.remove_edges_from(list(g.out_edges(m, keys=True)))
    for sub, models in subs:
        for m in sorted(models):
            if m in declared:
                if m in g:
                    data = g.nodes[m]
                    data.clear()
                    data.update(sub.nodes[m])
                else:
                    g.add_node(m, **sub.nodes[m])
            elif m in g:
                if g.in_degree(m):  # another model, unchanged, still derives from it
                    return False
                g.remove_node(m)
    for sub, _ in subs:
        for child, parent, key, data in sub.edges(keys=True, data=True):
            if child not in declared or parent not in g:
                return False  # a full build makes a bare node here: not a graph to patch
            g.add_edge(child, parent, key=key, **data)
    return True
