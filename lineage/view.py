"""The one consumer core: the networkx view of a store, its model resolver and its walks.

A :class:`LineageView` holds the graph of :func:`lineage.graph.lineage_graph` (edges go
from a model to its parent, keyed by relation) and the store state it was built at. It
resolves what a user typed to one node (:meth:`LineageView.resolve`) and walks the graph
with networkx's own traversals (``bfs_edges``, ``bfs_layers``) over ``subgraph_view``
filters of relation and resolution, so analysis, diagrams, ``show``, the catalog,
``check`` and the web view share one resolver and one walk.

:meth:`LineageView.of` builds the view once per store state: it is kept for the open
store (never on it) while the store lives, and a store with a disk state
(:meth:`lineage.store.Store.disk_state`: an on-disk Oxigraph store) also gets it saved as
:data:`VIEW_FILE` beside its data, keyed by that state, so a new process reads it back
instead of querying the whole store. The file is plain JSON (node and edge
columns), never code: a file that does not match is ignored and rebuilt. It holds the
graph before aliases and case variants are folded (:func:`lineage.graph.premerge_graph`;
folding runs at each load), so that after a build a new process brings it up to date from
the changed card graphs alone (:mod:`lineage.view_update`) instead of building it anew.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph([("o/q", "o/ft", "quantized", {"relation": "quantized"}),
...                      ("o/ft", "o/base", "finetune", {"relation": "finetune"})])
>>> view = LineageView.from_graph(g)
>>> view.resolve("O/FT")
'o/ft'
>>> {n: depth for n, (depth, _, _) in view.walk("o/q", up=True).items()}
{'o/q': 0, 'o/ft': 1, 'o/base': 2}
>>> view.layers("o/base", up=False, limit=1)
[['o/base'], ['o/ft']]
"""

from __future__ import annotations

import gc
import json
import os
import threading
import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx

from lineage.errors import QueryError
from lineage.facts import Relation
from lineage.graph import Entities, lineage_graph, merge_same_models, premerge_graph
from lineage.ids import id_from_iri, id_key, model_iri, parse_hub_url
from lineage.store import Store
from lineage.suggest import did_you_mean

__all__ = ["VIEW_FILE", "VIEW_FORMAT", "LineageView", "Walk", "relation_set"]

VIEW_FILE = "lineage-view.json"
"""The saved view, in the directory of an on-disk store."""
VIEW_FORMAT = 2
"""The version of the saved view's layout; a file of another version is rebuilt."""
INCREMENTAL = True
"""Whether a saved view out of date is updated from the changes recorded since (else rebuilt)."""

Walk: TypeAlias = dict[str, tuple[int, str | None, str | None]]
"""A breadth-first walk: each node reached -> (depth, node it was reached from, relation)."""


def relation_set(relations: Iterable[str] | None) -> frozenset[str] | None:
    """Check relation names (any case); ``None`` stays ``None`` (every relation).

    Raises
    ------
    QueryError
        For a name that is no relation kind.

    Examples
    --------
    >>> sorted(relation_set(["Merge", "finetune"]))
    ['finetune', 'merge']
    """
    if relations is None:
        return None
    names = Relation.values()
    chosen = frozenset(r.strip().lower() for r in ([relations] if isinstance(relations, str)
                                                   else relations))
    unknown = sorted(chosen - set(names))
    if unknown:
        msg = f"unknown relation {unknown[0]!r}: use {', '.join(names)}"
        raise QueryError(msg)
    return chosen


def _relation(g: nx.MultiDiGraph, u: str, v: str, key: Any) -> str:
    return str(g[u][v][key].get("relation") or key or "derived")


def _preferred(relations: set[str]) -> str:
    # When cards disagree on how a model derives from one parent (several edges), the step
    # is named as lineage.graph names a node's kind (Relation.rank).
    known = relations & set(Relation.values())
    return Relation.preferred(known).value if known else min(relations)


class _Nodes:
    """A node filter that knows its size, so networkx never counts a filtered view."""

    def __init__(self, nodes: Collection[str]):
        self.nodes = nodes
        self.length = len(nodes)

    def __call__(self, node: str) -> bool:
        return node in self.nodes


@dataclass(frozen=True, slots=True)
class _Index:
    """Every spelling of every model, for :meth:`LineageView.resolve`."""

    direct: dict[str, str]
    """Hub id, IRI or normalised id (case-folded) -> the first node with it."""
    labels: dict[str, list[str]]
    """Case-folded label -> the nodes with it (bare names may be shared)."""
    aliases: dict[str, str]
    """Case-folded alias (an earlier id) -> the first node with it."""
    names: list[str]
    """What did-you-mean suggests."""


@dataclass(frozen=True, eq=False)
class LineageView:
    """The networkx view of a store at one state, with its resolver and walks.

    Treat :attr:`graph` as read-only (copy it to change it): the view is shared by every
    caller of :meth:`of` while the store does not change.
    """

    graph: nx.MultiDiGraph
    state: str = ""
    loaded: bool = False
    """Whether the graph was read back from the saved view instead of built."""
    updated: int | None = None
    """When the saved view was updated instead of rebuilt: how many models were read again."""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- making one ------------------------------------------------------------------------

    @classmethod
    def of(cls, store: Store) -> LineageView:
        """Return the view of ``store``, built only when the store has changed.

        Examples
        --------
        >>> from lineage.store import open_store
        >>> store = open_store("memory:")
        >>> LineageView.of(store) is LineageView.of(store)
        True
        """
        state = store.state()
        cached = _CACHE.get(store, state)
        if cached is not None:
            return cached
        view = _load_or_build(store, state)
        _CACHE.put(store, state, view)
        return view

    @classmethod
    def from_graph(cls, g: nx.MultiDiGraph | LineageView) -> LineageView:
        """Wrap a graph (or return a view as it is); nothing is cached for a bare graph."""
        return g if isinstance(g, LineageView) else cls(g)

    # -- naming and resolving ---------------------------------------------------------------

    def name(self, node: str) -> str:
        """Return a model's Hub id, else its label, else the node itself."""
        data = self.graph.nodes[node] if node in self.graph else {}
        return str(data.get("id") or data.get("label") or node)

    def order(self, node: str) -> tuple[str, str]:
        """Sort key of a node: its name in any case, then the node."""
        return self.name(node).casefold(), node

    def resolve(self, model: str) -> str:
        """Return the node of ``model``: a Hub id, alias, URL, label or IRI, in any case.

        An exact id (or IRI) wins over a label, a label over an alias.

        Raises
        ------
        QueryError
            When the graph has no such model, or when a bare name labels several.

        Examples
        --------
        >>> import networkx as nx
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("https://huggingface.co/Org/Model", id="Org/Model", aliases=(
        ...     "https://huggingface.co/old/model",))
        >>> view = LineageView.from_graph(g)
        >>> view.resolve("org/model"), view.resolve("https://huggingface.co/OLD/Model")
        ('https://huggingface.co/Org/Model', 'https://huggingface.co/Org/Model')
        >>> view.resolve("nobody/nothing")
        Traceback (most recent call last):
        ...
        lineage.errors.QueryError: no model 'nobody/nothing' in the store
        """
        g = self.graph
        text = model.strip()
        if text in g:
            return text
        ref = parse_hub_url(text)
        if ref is not None and ref.kind == "model":
            text = ref.id
        if model_iri(text) in g:
            return model_iri(text)
        index = self._index()
        key = id_key(text)
        if key in index.direct:
            return index.direct[key]
        labelled = index.labels.get(key, [])
        if len(labelled) > 1:
            # Cards known only by one bare name stay apart: never pick one of them silently.
            msg = (f"{model!r} names {len(labelled)} different models; give one IRI: "
                   f"{', '.join(sorted(labelled))}")
            raise QueryError(msg)
        if labelled:
            return labelled[0]
        if key in index.aliases:
            return index.aliases[key]
        hint = did_you_mean(text, index.names)
        msg = f"no model {model!r} in the store{'; ' + hint if hint else ''}"
        raise QueryError(msg)

    def _index(self) -> _Index:
        found = self._memo.get("index")
        if isinstance(found, _Index):
            return found
        index = _Index({}, {}, {}, [])
        for node, data in self.graph.nodes(data=True):
            for spelling in (node, data.get("id"), data.get("key")):
                if spelling:
                    index.direct.setdefault(id_key(str(spelling)), str(node))
            if data.get("label"):
                index.labels.setdefault(id_key(str(data["label"])), []).append(str(node))
            for alias in data.get("aliases", ()):
                index.aliases.setdefault(id_key(id_from_iri(alias) or alias), str(node))
            index.names.append(str(data.get("id") or data.get("label")))
        self._memo["index"] = index
        return index

    # -- filtered views and walks -------------------------------------------------------------

    def filtered(self, relations: Iterable[str] | None = None, *, resolved_only: bool = False,
                 keep: str | None = None) -> nx.MultiDiGraph:
        """Return a read-only view of the graph through edges of ``relations`` only.

        With ``resolved_only``, unresolved models (names without a Hub id, such as local
        paths) are left out, ``keep`` excepted. Without filters, the graph itself.

        Examples
        --------
        >>> import networkx as nx
        >>> g = nx.MultiDiGraph([("m", "o/base", "merge"), ("m", "/home/u/x", "merge"),
        ...                      ("m", "o/other", "finetune")])
        >>> g.nodes["/home/u/x"]["unresolved"] = True
        >>> view = LineageView.from_graph(g)
        >>> sorted(view.filtered(resolved_only=True))
        ['m', 'o/base', 'o/other']
        >>> sorted(view.filtered(["merge"]).edges(keys=True))
        [('m', '/home/u/x', 'merge'), ('m', 'o/base', 'merge')]
        """
        rels = relation_set(relations)
        if rels is None and not resolved_only:
            return self.graph
        g = self.graph
        nodes: _Nodes | Callable[[str], bool] = nx.filters.no_filter
        if resolved_only:
            kept = {keep} if keep is not None and keep in g else set()
            nodes = _Nodes(self._resolved() | kept)
        elif rels is not None:
            nodes = _Nodes(g.nodes)  # every node: only its size is asked for
        if rels is None:
            return nx.subgraph_view(g, filter_node=nodes)
        return nx.subgraph_view(g, filter_node=nodes,
                                filter_edge=lambda u, v, k: _relation(g, u, v, k) in rels)

    def _resolved(self) -> frozenset[str]:
        found = self._memo.get("resolved")
        if not isinstance(found, frozenset):
            found = frozenset(n for n, d in self.graph.nodes(data=True)
                              if not d.get("unresolved"))
            self._memo["resolved"] = found
        return found

    def neighbours(self, node: str, *, up: bool, relations: Iterable[str] | None = None,
                   ) -> list[tuple[str, str]]:
        """Return the ``(parent or child, relation)`` pairs of ``node`` in name order.

        Self-loops are left out; several edges to one model give the preferred relation.
        """
        g = self.filtered(relations)
        found: dict[str, set[str]] = {}
        edges = g.out_edges(node, keys=True) if up else g.in_edges(node, keys=True)
        for u, v, key in edges:
            other = v if up else u
            if other != node:
                found.setdefault(other, set()).add(_relation(self.graph, u, v, key))
        return [(other, _preferred(found[other])) for other in sorted(found, key=self.order)]

    def walk(self, start: str, *, up: bool, relations: Iterable[str] | None = None,
             max_depth: int | None = None, resolved_only: bool = False,
             stop: str | None = None) -> Walk:
        """Walk breadth-first from ``start``, up to parents or down to children.

        Each model is reached once, at its shortest depth, from the first model of the
        previous generation (in name order) that leads to it, so cycles and self-loops
        never hang a walk. ``stop`` ends the walk once that model is reached.
        """
        g = self.filtered(relations, resolved_only=resolved_only, keep=start)
        seen: Walk = {start: (0, None, None)}
        for u, v in nx.bfs_edges(g, start, reverse=not up, depth_limit=max_depth,
                                 sort_neighbors=lambda nodes: sorted(nodes, key=self.order)):
            edges = g[u][v] if up else g[v][u]
            relation = _preferred({_relation(g, *((u, v) if up else (v, u)), k) for k in edges})
            seen[v] = (seen[u][0] + 1, u, relation)
            if v == stop:
                break
        return seen

    def layers(self, start: str, *, up: bool, limit: int, relations: Iterable[str] | None = None,
               exclude: Collection[str] = ()) -> list[list[str]]:
        """Return the generations around ``start``: itself, then up to ``limit`` more.

        Each generation is sorted; models in ``exclude`` are neither listed nor walked
        through.
        """
        g = self.filtered(relations)
        if exclude:
            excluded = set(exclude) - {start}
            g = nx.subgraph_view(g, filter_node=lambda n: n not in excluded)
        if not up:
            g = nx.reverse_view(g)
        out: list[list[str]] = []
        for layer in nx.bfs_layers(g, [start]):
            if len(out) > limit:
                break
            out.append(sorted(layer))
        return out

    def ancestors(self, model: str, **options: Any) -> Walk:
        """Walk up from ``model`` (resolved); options as :meth:`walk`."""
        return self.walk(self.resolve(model), up=True, **options)

    def descendants(self, model: str, **options: Any) -> Walk:
        """Walk down from ``model`` (resolved); options as :meth:`walk`."""
        return self.walk(self.resolve(model), up=False, **options)

    def parents(self, node: str) -> set[str]:
        """Return the parents of ``node``, itself left out."""
        return set(self.graph.successors(node)) - {node}


def chain(walk: Walk, end: str) -> list[tuple[str, str | None]]:
    """Return the ``(node, relation of the step into it)`` pairs from the walk's start to end."""
    out: list[tuple[str, str | None]] = []
    node: str | None = end
    while node is not None:
        _, previous, relation = walk[node]
        out.append((node, relation))
        node = previous
    return out[::-1]


__all__ += ["chain"]


# -- the views of open stores ----------------------------------------------------------------


class _Views:
    """The view of each open store at its last state, held as long as the store lives.

    Keyed by the store object's identity (a weak reference), never set on the store.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[weakref.ref[Store], str, LineageView]] = {}

    def get(self, store: Store, state: str) -> LineageView | None:
        with self._lock:
            entry = self._entries.get(id(store))
        if entry is not None and entry[0]() is store and entry[1] == state:
            return entry[2]
        return None

    def put(self, store: Store, state: str, view: LineageView) -> None:
        key = id(store)
        try:
            ref = weakref.ref(store, lambda _: self._forget(key))
        except TypeError:  # a store that takes no weak reference is simply not kept
            return
        with self._lock:
            self._entries[key] = (ref, state, view)

    def _forget(self, key: int) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is None:
                del self._entries[key]


_CACHE = _Views()


# -- the saved view -----------------------------------------------------------------------


def _load_or_build(store: Store, state: str) -> LineageView:
    """Read the view saved beside the store at its disk state, else update or build it.

    The saved view of an earlier state is updated from the changes the store recorded
    since (:func:`lineage.view_update.update_graph`) when it can be; else it is built anew.
    Either is saved, unless the store changed meanwhile.
    """
    path, key = store.companion(VIEW_FILE), store.disk_state()
    if path is None or key is None or not path.parent.is_dir():
        return LineageView(lineage_graph(store), state)
    saved = _read(path)
    if saved is not None and saved.key == key:
        merge_same_models(saved.graph)
        return LineageView(saved.graph, state, loaded=True)
    found = _update(store, saved) if saved is not None else None
    if found is not None:
        graph, entities, updated = found
    else:
        (graph, entities), updated = premerge_graph(store), None
    if store.disk_state() == key:  # unchanged while it was read: worth saving
        settled = not store.unsettled()
        store.keep_changes(key)  # before the save: no write after it goes unrecorded
        write_view(path, graph, key, entities=entities, settled=settled)
    merge_same_models(graph)
    return LineageView(graph, state, updated=updated)


def _update(store: Store, saved: _Saved) -> tuple[nx.MultiDiGraph, Entities, int] | None:
    """Update a saved view of an earlier state, or None when it must be rebuilt."""
    from lineage.view_update import update_graph

    if not (INCREMENTAL and saved.settled and saved.entities is not None):
        return None  # a store unsettled then may since have forgotten what no view shows
    changes = store.changes_since(saved.key)
    if changes is None:
        return None
    done = update_graph(store, saved.graph, saved.entities, changes)
    if done is None:
        return None
    return saved.graph, saved.entities, len(done.models)


def _columns(items: Iterable[tuple[Any, dict[str, Any]]]) -> dict[str, list[Any]] | None:
    """Return attribute columns, or ``None`` when the items do not all have the same keys."""
    columns: dict[str, list[Any]] = {}
    names: tuple[str, ...] | None = None
    for _, data in items:
        if names is None:
            names = tuple(data)
            columns = {name: [] for name in names}
        elif tuple(data) != names:
            return None
        for name in names:
            columns[name].append(data[name])
    return columns


def write_view(path: Path, g: nx.MultiDiGraph, key: str, *, entities: Entities | None = None,
               settled: bool = False) -> bool:
    """Save ``g`` as JSON columns keyed by ``key``; tell whether it was written.

    Values are JSON scalars or tuples of them (read back as tuples). A graph of another
    shape, or a directory that cannot be written, is not saved. With ``entities`` (what
    the graph read of license and dataset nodes) and ``settled`` (the store was), the
    saved graph can be updated later (:mod:`lineage.view_update`).
    """
    nodes = list(g.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    edges = list(g.edges(keys=True, data=True))
    node_columns = _columns(g.nodes(data=True))
    edge_columns = _columns((None, data) for *_, data in edges)
    if node_columns is None or edge_columns is None:
        return False
    doc = {"format": "lineage-view", "version": VIEW_FORMAT, "key": key, "graph": g.graph,
           "nodes": nodes, "node_data": node_columns,
           "edges": [[position[u], position[v], k] for u, v, k, _ in edges],
           "edge_data": edge_columns}
    if entities is not None:
        doc.update(settled=settled, licenses=entities.licenses, datasets=entities.datasets)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        # json.dumps, not json.dump: only a one-shot encoding runs in C (3x faster).
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
        temporary.replace(path)
    except (OSError, TypeError, ValueError):  # read-only place or an unusual value: not kept
        temporary.unlink(missing_ok=True)
        return False
    return True


def _rows(columns: dict[str, list[Any]], n: int) -> list[dict[str, Any]]:
    """Turn attribute columns back into one dict per item; JSON arrays become tuples."""
    names = list(columns)
    values = []
    for name in names:
        column = columns[name]
        if not isinstance(column, list) or len(column) != n:
            raise ValueError
        if any(isinstance(x, list) for x in column):
            column = [tuple(x) if isinstance(x, list) else x for x in column]
        values.append(column)
    if not names:
        return [{} for _ in range(n)]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _assemble(doc: dict[str, Any]) -> nx.MultiDiGraph | None:
    """Build the graph of a saved view, or ``None`` when its parts do not fit together.

    Nodes and edges go straight into networkx's adjacency dicts (the structure its
    ``*_dict_factory`` hooks document): ``add_edges_from`` took two thirds of the time.
    """
    nodes, edges = doc["nodes"], doc["edges"]
    size = len(nodes)
    if not (all(isinstance(n, str) for n in nodes) and len(set(nodes)) == size and all(
            isinstance(u, int) and isinstance(v, int) and 0 <= u < size and 0 <= v < size
            and isinstance(k, str) for u, v, k in edges)):
        return None
    g = nx.MultiDiGraph(**doc["graph"])
    succ: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in nodes}
    pred: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in nodes}
    for (u, v, k), data in zip(edges, _rows(doc["edge_data"], len(edges)), strict=True):
        child, parent = nodes[u], nodes[v]
        keys = succ[child].get(parent)
        if keys is None:
            keys = succ[child][parent] = pred[parent][child] = {}
        keys[k] = data
    g._node.update(zip(nodes, _rows(doc["node_data"], size), strict=True))
    g._succ.update(succ)  # g._adj is the same dict
    g._pred.update(pred)
    return g


@dataclass(frozen=True, slots=True)
class _Saved:
    """A saved view as read back, of whichever state."""

    key: str
    graph: nx.MultiDiGraph
    entities: Entities | None
    settled: bool


def _entities(doc: dict[str, Any]) -> Entities | None:
    """Return the saved entity declarations, or None when missing or malformed."""
    licenses, datasets = doc.get("licenses"), doc.get("datasets")
    if not (isinstance(licenses, dict) and isinstance(datasets, dict)):
        return None
    fit = Entities()
    for node, pair in licenses.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(
                isinstance(v, list) and all(x is None or isinstance(x, str) for x in v)
                for v in pair)):
            return None
        fit.licenses[node] = (tuple(pair[0]), tuple(pair[1]))
    for node, labels in datasets.items():
        if not (isinstance(labels, list) and all(x is None or isinstance(x, str) for x in labels)):
            return None
        fit.datasets[node] = tuple(labels)
    return fit


def _read(path: Path) -> _Saved | None:
    """Read a view saved by :func:`write_view`, or ``None`` when missing or malformed."""
    collecting = gc.isenabled()
    gc.disable()  # millions of new containers, none garbage: collecting took a third
    try:
        with path.open("rb") as f:
            doc = json.load(f)
        if not (isinstance(doc, dict) and doc.get("format") == "lineage-view"
                and doc.get("version") == VIEW_FORMAT and isinstance(doc.get("key"), str)):
            return None
        graph = _assemble(doc)
        if graph is None:
            return None
        return _Saved(doc["key"], graph, _entities(doc), doc.get("settled") is True)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    finally:
        if collecting:
            gc.enable()


def read_view(path: Path, key: str) -> nx.MultiDiGraph | None:
    """Read a graph saved by :func:`write_view`, or ``None`` when missing, stale or malformed.

    It is the graph as it was saved: a view's before aliases were folded.
    """
    saved = _read(path)
    return saved.graph if saved is not None and saved.key == key else None


__all__ += ["read_view", "write_view"]
