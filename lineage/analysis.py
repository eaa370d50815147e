"""Lineage analysis over the networkx view: ancestry, licenses, datasets, merge shares.

Every function takes the graph of :func:`lineage.graph.lineage_graph` (edges go from a
model to its parent, keyed by relation) and models named by Hub id, alias (an earlier id),
``huggingface.co`` URL or label, matched case-insensitively (:func:`resolve`). Results
are lists of plain JSON-ready dicts, typed as ``TypedDict`` records; a model's ``id`` is
its Hub id, or its label when it has none.

Every walk keeps a visited set, so cycles and self-loops in claimed lineage (which
``lineage check`` reports) never hang an analysis: self-loops are ignored, and a walk
stops where it comes back to a model it has already reached.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph([
...     ("org/chat", "org/base", "finetune", {"relation": "finetune"}),
...     ("org/merge", "org/chat", "merge", {"relation": "merge", "weight": 0.7}),
...     ("org/merge", "org/code", "merge", {"relation": "merge", "weight": 0.3}),
... ])
>>> [(r["id"], r["depth"]) for r in ancestors(g, "ORG/Merge")]
[('org/chat', 1), ('org/code', 1), ('org/base', 2)]
>>> {r["id"]: r["share"] for r in contributions(g, "org/merge")}
{'org/chat': 0.7, 'org/code': 0.3}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, TypeAlias, TypedDict

import networkx as nx

from lineage.describe import show
from lineage.errors import QueryError
from lineage.extract.scores import benchmark_key
from lineage.facts import Relation
from lineage.graph import lineage_graph
from lineage.ids import id_from_iri, id_key, model_iri, parse_hub_url
from lineage.store import Store
from lineage.suggest import did_you_mean

__all__ = [
    "INHERITING",
    "LICENSE_RULES",
    "RELATIONS",
    "RESTRICTIVE",
    "Common",
    "Contribution",
    "InheritedDataset",
    "LicenseConflict",
    "LicenseEntry",
    "LicenseReport",
    "Relative",
    "Root",
    "ScoreDelta",
    "Step",
    "ancestors",
    "common",
    "contributions",
    "datasets",
    "descendants",
    "graph_for",
    "license_category",
    "licenses",
    "path",
    "resolve",
    "resolved_view",
    "roots",
    "score_deltas",
]

RELATIONS = Relation.values()
"""The relation kinds of lineage edges."""
INHERITING = frozenset(r.value for r in Relation if r.inherited)
"""The relations through which a model inherits its parents' training data."""

LICENSE_RULES: tuple[tuple[str, str], ...] = (
    ("non-commercial", r".*(?:^|[-_.])nc(?:[-_.].*|$)|.*non-?commercial.*"),
    ("permissive", r"apache-\d\.\d|mit(?:-0)?|isc|zlib|bsl-1\.0|unlicense|0bsd|bsd-.+"
                   r"|cc0-1\.0|cc-by-\d\.\d|artistic-2\.0|postgresql|wtfpl|afl-3\.0|ecl-2\.0"
                   r"|ncsa|upl-1\.0|pddl(?:-1\.0)?|odc-by(?:-1\.0)?"),
    ("copyleft", r"(?:a|l)?gpl(?:-.+)?|cc-by-sa-.+|mpl-.+|epl-.+|eupl-.+|osl-3\.0|gfdl(?:-.+)?"
                 r"|odbl(?:-1\.0)?|cecill-.+"),
)
"""How licenses are classified: ``(category, pattern)``, the first full match wins.

A license id (lower-cased) matching none of them is ``custom``: ``other``, ``llama2``,
``gemma``, the OpenRAIL family and anything that is not an SPDX id. A model with no
license stated is ``unstated``.
"""
RESTRICTIVE = frozenset({"non-commercial", "custom", "copyleft"})
"""License categories a permissive license should not be put on top of."""

_CACHE_ATTR = "_lineage_graph_cache"


class Relative(TypedDict):
    """An ancestor or descendant: how far, and the edge that first reached it."""

    id: str
    iri: str
    depth: int
    relation: str
    via: str


class Step(TypedDict):
    """One model on a derivation path; ``direction`` is ``up`` to a parent, ``down`` to a child."""

    id: str
    iri: str
    relation: str | None
    direction: str | None


class Root(TypedDict):
    """A model with no parents, its distance from the model asked about, its child count."""

    id: str
    iri: str
    depth: int
    children: int


class Common(TypedDict):
    """A lowest common ancestor and its distance from each of the two models."""

    id: str
    iri: str
    depth_a: int
    depth_b: int


class LicenseEntry(TypedDict):
    """One model up the tree with its own license and that license's category."""

    id: str
    iri: str
    depth: int
    license: str | None
    license_name: str | None
    category: str


class LicenseConflict(TypedDict):
    """A permissive license on a model derived from a restrictive one."""

    model: str
    license: str | None
    ancestor: str
    ancestor_license: str | None
    category: str
    message: str


class LicenseReport(TypedDict):
    """The result of :func:`licenses`."""

    model: str
    licenses: list[LicenseEntry]
    conflicts: list[LicenseConflict]


class InheritedDataset(TypedDict):
    """A dataset, the model trained on it, and the path from the model asked about."""

    dataset: str
    model: str
    depth: int
    path: list[str]
    relations: list[str]


class Contribution(TypedDict):
    """A merge ingredient's effective share, and the models it reached the merge through."""

    id: str
    iri: str
    share: float
    via: list[str]


class ScoreDelta(TypedDict):
    """A benchmark a model and one of its parents both report, and the difference."""

    benchmark: str
    parent: str
    relation: str
    metric: str | None
    value: float
    parent_value: float
    delta: float


def graph_for(store: Store) -> nx.MultiDiGraph:
    """Return the lineage graph of ``store``, rebuilt only when the store has changed.

    The graph is kept on the store object itself with the store's :meth:`state`, so it
    lives as long as the open store and no longer. Treat it as read-only (copy it before
    changing it): later calls return the same object.

    Examples
    --------
    >>> from lineage.store import open_store
    >>> store = open_store("memory:")
    >>> graph_for(store) is graph_for(store)
    True
    """
    state = store.state()
    cached = getattr(store, _CACHE_ATTR, None)
    if isinstance(cached, tuple) and cached[0] == state:
        graph: nx.MultiDiGraph = cached[1]
        return graph
    graph = lineage_graph(store)
    with suppress(AttributeError):  # a store that takes no attributes is simply not cached
        setattr(store, _CACHE_ATTR, (state, graph))
    return graph


def _name(g: nx.MultiDiGraph, node: str) -> str:
    data = g.nodes[node]
    return str(data.get("id") or data.get("label") or node)


def _order(g: nx.MultiDiGraph, node: str) -> tuple[str, str]:
    return _name(g, node).casefold(), node


def resolve(g: nx.MultiDiGraph, model: str) -> str:
    """Return the node of ``model``: a Hub id, alias, URL, label or IRI, in any case.

    Raises
    ------
    QueryError
        When the graph has no such model.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://huggingface.co/Org/Model", id="Org/Model", aliases=(
    ...     "https://huggingface.co/old/model",))
    >>> resolve(g, "org/model"), resolve(g, "https://huggingface.co/OLD/Model")
    ('https://huggingface.co/Org/Model', 'https://huggingface.co/Org/Model')
    >>> resolve(g, "nobody/nothing")
    Traceback (most recent call last):
    ...
    lineage.errors.QueryError: no model 'nobody/nothing' in the store
    """
    text = model.strip()
    if text in g:
        return text
    ref = parse_hub_url(text)
    if ref is not None and ref.kind == "model":
        text = ref.id
    if model_iri(text) in g:
        return model_iri(text)
    key = id_key(text)
    by_alias = None
    by_label = []
    for node, data in g.nodes(data=True):
        if key in {id_key(str(x)) for x in (node, data.get("id"), data.get("key")) if x}:
            return str(node)
        if data.get("label") and id_key(str(data["label"])) == key:
            by_label.append(str(node))
        aliases = {id_key(id_from_iri(a) or a) for a in data.get("aliases", ())}
        if by_alias is None and key in aliases:
            by_alias = str(node)
    if len(by_label) > 1:
        # Cards known only by one bare name stay apart: never pick one of them silently.
        msg = (f"{model!r} names {len(by_label)} different models; give one IRI: "
               f"{', '.join(sorted(by_label))}")
        raise QueryError(msg)
    if by_label or by_alias is not None:
        return by_label[0] if by_label else str(by_alias)
    names = [str(d.get("id") or d.get("label")) for _, d in g.nodes(data=True)]
    hint = did_you_mean(text, names)
    msg = f"no model {model!r} in the store{'; ' + hint if hint else ''}"
    raise QueryError(msg)


def _relations(relations: Iterable[str] | None) -> frozenset[str] | None:
    if relations is None:
        return None
    chosen = frozenset(r.strip().lower() for r in ([relations] if isinstance(relations, str)
                                                   else relations))
    unknown = sorted(chosen - set(RELATIONS))
    if unknown:
        msg = f"unknown relation {unknown[0]!r}: use {', '.join(RELATIONS)}"
        raise QueryError(msg)
    return chosen


def _neighbours(g: nx.MultiDiGraph, node: str, *, up: bool,
                relations: frozenset[str] | None) -> list[tuple[str, str]]:
    """Return ``(parent or child, relation)`` pairs of ``node``, self-loops left out."""
    found: dict[str, set[str]] = {}
    edges = (g.out_edges(node, keys=True, data=True) if up
             else g.in_edges(node, keys=True, data=True))
    for u, v, key, data in edges:
        other = v if up else u
        relation = str(data.get("relation") or key or "derived")
        if other != node and (relations is None or relation in relations):
            found.setdefault(other, set()).add(relation)
    return [(other, _preferred(found[other])) for other in sorted(found, key=lambda n:
                                                                   _order(g, n))]


def _preferred(relations: set[str]) -> str:
    # When cards disagree on how a model derives from one parent (several edges), the step
    # is named as lineage.graph names a node's kind (Relation.rank).
    known = relations & set(RELATIONS)
    return Relation.preferred(known).value if known else min(relations)


_Walk: TypeAlias = dict[str, tuple[int, str | None, str | None]]


def _walk(g: nx.MultiDiGraph, start: str, *, up: bool, relations: frozenset[str] | None = None,
          max_depth: int | None = None, stop: str | None = None) -> _Walk:
    """Breadth-first walk: each node reached -> (depth, node it was reached from, relation)."""
    seen: _Walk = {start: (0, None, None)}
    frontier = [start]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth) and stop not in seen:
        depth += 1
        reached = []
        for node in frontier:
            for other, relation in _neighbours(g, node, up=up, relations=relations):
                if other not in seen:
                    seen[other] = (depth, node, relation)
                    reached.append(other)
        frontier = reached
    return seen


def _chain(walk: _Walk, end: str) -> list[tuple[str, str | None]]:
    """Return the ``(node, relation of the step into it)`` pairs from the walk's start to end."""
    out: list[tuple[str, str | None]] = []
    node: str | None = end
    while node is not None:
        _, previous, relation = walk[node]
        out.append((node, relation))
        node = previous
    return out[::-1]


def resolved_view(g: nx.MultiDiGraph, *, keep: str | None = None) -> nx.MultiDiGraph:
    """Return a read-only view of ``g`` without its unresolved models (``keep`` excepted).

    Unresolved models are names without a Hub id: local paths and bare names a card wrote.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("m", "o/base", "merge"), ("m", "/home/u/x", "merge")])
    >>> g.nodes["/home/u/x"]["unresolved"] = True
    >>> sorted(resolved_view(g))
    ['m', 'o/base']
    """
    return nx.subgraph_view(g, filter_node=lambda n: n == keep or
                            not g.nodes[n].get("unresolved"))


def _relatives(g: nx.MultiDiGraph, model: str, *, up: bool, max_depth: int | None,
               relations: Iterable[str] | None, resolved_only: bool = False) -> list[Relative]:
    if max_depth is not None and max_depth < 0:
        msg = f"the depth must be 0 or more, not {max_depth}"
        raise QueryError(msg)
    start = resolve(g, model)
    if resolved_only:
        g = resolved_view(g, keep=start)
    walk = _walk(g, start, up=up, relations=_relations(relations), max_depth=max_depth)
    out = [Relative(id=_name(g, node), iri=node, depth=depth, relation=str(relation),
                    via=_name(g, str(previous)))
           for node, (depth, previous, relation) in walk.items() if node != start]
    return sorted(out, key=lambda r: (r["depth"], r["id"].casefold(), r["iri"]))


def ancestors(g: nx.MultiDiGraph, model: str, *, max_depth: int | None = None,
              relations: Iterable[str] | None = None,
              resolved_only: bool = False) -> list[Relative]:
    """Return the models ``model`` derives from, nearest first.

    Parameters
    ----------
    g
        The lineage graph.
    model
        A Hub id, alias, URL or label.
    max_depth
        Go at most this many derivation steps up (``None``: all the way).
    relations
        Follow only edges of these kinds (see :data:`RELATIONS`); ``None`` follows all.
    resolved_only
        Leave out unresolved models (names without a Hub id, such as local paths) and
        walk only through models with a Hub id (:func:`resolved_view`).

    Returns
    -------
    list of Relative
        Each ancestor with its shortest ``depth``, the ``relation`` of the edge that
        reached it and the model it was reached from (``via``).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("q", "ft", "quantized", {"relation": "quantized"}),
    ...                      ("ft", "base", "finetune", {"relation": "finetune"})])
    >>> [(r["id"], r["depth"], r["relation"], r["via"]) for r in ancestors(g, "q")]
    [('ft', 1, 'quantized', 'q'), ('base', 2, 'finetune', 'ft')]
    >>> [r["id"] for r in ancestors(g, "q", relations=["quantized"])]
    ['ft']
    >>> g.add_edge("q", "./local-copy", "derived", relation="derived")
    'derived'
    >>> g.nodes["./local-copy"]["unresolved"] = True
    >>> [r["id"] for r in ancestors(g, "q", resolved_only=True)]
    ['ft', 'base']
    """
    return _relatives(g, model, up=True, max_depth=max_depth, relations=relations,
                      resolved_only=resolved_only)


def descendants(g: nx.MultiDiGraph, model: str, *, max_depth: int | None = None,
                relations: Iterable[str] | None = None,
                resolved_only: bool = False) -> list[Relative]:
    """Return the models derived from ``model``, nearest first.

    The options are those of :func:`ancestors`; ``via`` is the parent each descendant
    was reached from.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("q", "ft", "quantized", {"relation": "quantized"}),
    ...                      ("ft", "base", "finetune", {"relation": "finetune"})])
    >>> [(r["id"], r["depth"]) for r in descendants(g, "base")]
    [('ft', 1), ('q', 2)]
    >>> descendants(g, "base", max_depth=1)[0]["relation"]
    'finetune'
    """
    return _relatives(g, model, up=False, max_depth=max_depth, relations=relations,
                      resolved_only=resolved_only)


def path(g: nx.MultiDiGraph, a: str, b: str) -> list[Step]:
    """Return the shortest derivation path from ``a`` to ``b``.

    The path goes up from ``a`` to its ancestor ``b``, or, when ``b`` derives from
    ``a``, down from ``a`` to ``b``. Each step names the relation of the edge it crosses.

    Raises
    ------
    QueryError
        When neither model derives from the other (:func:`common` finds what they share).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("q", "ft", "quantized", {"relation": "quantized"}),
    ...                      ("ft", "base", "finetune", {"relation": "finetune"})])
    >>> [(s["id"], s["relation"], s["direction"]) for s in path(g, "q", "base")]
    [('q', None, None), ('ft', 'quantized', 'up'), ('base', 'finetune', 'up')]
    >>> [s["id"] for s in path(g, "base", "q")]
    ['base', 'ft', 'q']
    """
    start, end = resolve(g, a), resolve(g, b)
    for up in (True, False):
        walk = _walk(g, start, up=up, stop=end)
        if end in walk:
            return [Step(id=_name(g, node), iri=node, relation=relation,
                         direction=None if relation is None else ("up" if up else "down"))
                    for node, relation in _chain(walk, end)]
    msg = (f"no derivation path between {_name(g, start)} and {_name(g, end)}: neither "
           "derives from the other (try `lineage common`)")
    raise QueryError(msg)


def _parents(g: nx.MultiDiGraph, node: str) -> set[str]:
    return {v for _, v in g.out_edges(node)} - {node}


def roots(g: nx.MultiDiGraph, model: str | None = None) -> list[Root]:
    """Return the models with no parents: all of them, or the root ancestors of ``model``.

    A model with no parents is its own root (at depth 0). A self-loop does not count as
    a parent; models in a cycle have none of their own.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("ft", "base", "finetune", {"relation": "finetune"}),
    ...                      ("m", "ft", "merge", {"relation": "merge"}),
    ...                      ("m", "other", "merge", {"relation": "merge"})])
    >>> [(r["id"], r["children"]) for r in roots(g)]
    [('base', 1), ('other', 1)]
    >>> [(r["id"], r["depth"]) for r in roots(g, "m")]
    [('other', 1), ('base', 2)]
    """
    if model is None:
        depths = {node: 0 for node in g if not _parents(g, node)}
    else:
        walk = _walk(g, resolve(g, model), up=True)
        depths = {node: depth for node, (depth, _, _) in walk.items() if not _parents(g, node)}
    out = [Root(id=_name(g, node), iri=node, depth=depth,
                children=len({u for u, _ in g.in_edges(node)} - {node}))
           for node, depth in depths.items()]
    return sorted(out, key=lambda r: (r["depth"], r["id"].casefold(), r["iri"]))


def common(g: nx.MultiDiGraph, a: str, b: str) -> list[Common]:
    """Return the lowest common ancestors of ``a`` and ``b``.

    These are the models both derive from (counting each model as its own ancestor)
    none of whose descendants is also a common ancestor. The list is empty when the two
    share no ancestry.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("ft", "base", "finetune", {"relation": "finetune"}),
    ...                      ("x", "ft", "finetune", {"relation": "finetune"}),
    ...                      ("y", "ft", "merge", {"relation": "merge"}),
    ...                      ("y", "other", "merge", {"relation": "merge"})])
    >>> [(c["id"], c["depth_a"], c["depth_b"]) for c in common(g, "x", "y")]
    [('ft', 1, 1)]
    >>> [c["id"] for c in common(g, "ft", "y")]
    ['ft']
    """
    start, end = resolve(g, a), resolve(g, b)
    up_a, up_b = _walk(g, start, up=True), _walk(g, end, up=True)
    shared = set(up_a) & set(up_b)
    if not shared:
        return []
    sub = nx.DiGraph(g.subgraph(shared))
    sub.remove_edges_from(list(nx.selfloop_edges(sub)))
    # Collapse cycles; a component is lowest when no other shared model derives from it.
    condensed = nx.condensation(sub)
    lowest = [node for comp in condensed if condensed.in_degree(comp) == 0
              for node in condensed.nodes[comp]["members"]]
    out = [Common(id=_name(g, node), iri=node, depth_a=up_a[node][0], depth_b=up_b[node][0])
           for node in lowest]
    return sorted(out, key=lambda c: (c["depth_a"] + c["depth_b"], c["id"].casefold(), c["iri"]))


def license_category(license: str | None, *, name: str | None = None) -> str:
    """Classify a license id with :data:`LICENSE_RULES`.

    Returns ``permissive``, ``non-commercial``, ``copyleft``, ``custom`` (``other``, a
    model family's own license, anything not in SPDX) or ``unstated`` (no license and no
    license name).

    Examples
    --------
    >>> [license_category(x) for x in ("apache-2.0", "MIT", "bsd-3-clause", "cc-by-4.0")]
    ['permissive', 'permissive', 'permissive', 'permissive']
    >>> [license_category(x) for x in ("cc-by-nc-4.0", "cc-by-nc-sa-4.0", "gpl-3.0", "llama2")]
    ['non-commercial', 'non-commercial', 'copyleft', 'custom']
    >>> license_category("other", name="gemma"), license_category(None)
    ('custom', 'unstated')
    """
    if not license:
        return "custom" if name else "unstated"
    text = license.strip().casefold()
    return next((category for category, pattern in LICENSE_RULES
                 if re.fullmatch(pattern, text)), "custom")


def _license_entry(g: nx.MultiDiGraph, node: str, depth: int) -> LicenseEntry:
    data = g.nodes[node]
    lic, name = data.get("license"), data.get("license_name")
    return LicenseEntry(id=_name(g, node), iri=node, depth=depth, license=lic,
                        license_name=name, category=license_category(lic, name=name))


def _license_text(entry: LicenseEntry) -> str:
    return str(entry["license"] or entry["license_name"] or "no license")


def licenses(g: nx.MultiDiGraph, model: str) -> LicenseReport:
    """Return every license up the tree of ``model``, with the conflicts among them.

    ``licenses`` lists ``model`` (depth 0) and each ancestor with its own license and
    that license's category (:func:`license_category`). ``conflicts`` lists each model
    of the tree with a permissive license that derives from a non-commercial, custom or
    copyleft one (:data:`RESTRICTIVE`).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("child", "parent", "finetune", {"relation": "finetune"})])
    >>> g.nodes["child"]["license"] = "mit"
    >>> g.nodes["parent"]["license"] = "cc-by-nc-4.0"
    >>> report = licenses(g, "child")
    >>> [(e["id"], e["category"]) for e in report["licenses"]]
    [('child', 'permissive'), ('parent', 'non-commercial')]
    >>> print(report["conflicts"][0]["message"])
    child is mit (permissive) but derives from parent, cc-by-nc-4.0 (non-commercial)
    """
    start = resolve(g, model)
    tree = _walk(g, start, up=True)
    entries = {node: _license_entry(g, node, depth) for node, (depth, _, _) in tree.items()}
    conflicts: list[LicenseConflict] = []
    for node, entry in sorted(entries.items(), key=lambda item: (item[1]["depth"],
                                                                  _order(g, item[0]))):
        if entry["category"] != "permissive":
            continue
        above = _walk(g, node, up=True)
        for other in sorted(above, key=lambda n: (above[n][0], _order(g, n))):
            theirs = entries.get(other) or _license_entry(g, other, 0)
            if other == node or theirs["category"] not in RESTRICTIVE:
                continue
            conflicts.append(LicenseConflict(
                model=entry["id"], license=entry["license"], ancestor=theirs["id"],
                ancestor_license=theirs["license"] or theirs["license_name"],
                category=theirs["category"],
                message=(f"{entry['id']} is {_license_text(entry)} (permissive) but derives "
                         f"from {theirs['id']}, {_license_text(theirs)} ({theirs['category']})"),
            ))
    return LicenseReport(model=_name(g, start),
                         licenses=sorted(entries.values(), key=lambda e: (
                             e["depth"], e["id"].casefold(), e["iri"])),
                         conflicts=conflicts)


def datasets(g: nx.MultiDiGraph, model: str, *,
             relations: Iterable[str] | None = None) -> list[InheritedDataset]:
    """Return the datasets of ``model`` and those it inherits, each with its path.

    Datasets are inherited from ancestors reached through the edges in ``relations``
    (default :data:`INHERITING`: fine-tunes, merges, adapters and quantizations). Each
    record names the dataset, the model trained on it, and the shortest path from
    ``model`` to that model with the relation of each step.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("m", "ft", "merge", {"relation": "merge"}),
    ...                      ("ft", "base", "finetune", {"relation": "finetune"})])
    >>> g.nodes["ft"]["datasets"] = ("org/chat-data",)
    >>> g.nodes["base"]["datasets"] = ("web",)
    >>> for d in datasets(g, "m"):
    ...     print(d["dataset"], d["model"], d["path"], d["relations"])
    org/chat-data ft ['m', 'ft'] ['merge']
    web base ['m', 'ft', 'base'] ['merge', 'finetune']
    """
    start = resolve(g, model)
    chosen = _relations(relations) if relations is not None else INHERITING
    walk = _walk(g, start, up=True, relations=chosen)
    out: list[InheritedDataset] = []
    for node, (depth, _, _) in walk.items():
        names = g.nodes[node].get("datasets") or ()
        if not names:
            continue
        chain = _chain(walk, node)
        steps = [_name(g, n) for n, _ in chain]
        rels = [str(r) for _, r in chain[1:]]
        out.extend(InheritedDataset(dataset=str(name), model=_name(g, node), depth=depth,
                                    path=steps, relations=rels) for name in names)
    return sorted(out, key=lambda d: (d["depth"], d["dataset"].casefold(), d["model"]))


def _merge_parents(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """Return each merge source of ``node`` with its weight (``None`` when not stated)."""
    found: dict[str, Any] = {}
    for _, parent, key, data in g.out_edges(node, keys=True, data=True):
        if parent != node and (data.get("relation") or key) == "merge":
            weight = data.get("weight")
            found[parent] = weight if isinstance(weight, int | float) else found.get(parent)
    return found


def _fractions(g: nx.MultiDiGraph, node: str, parents: list[str], merge: bool,
               ) -> list[tuple[str, float]]:
    """Split a share among parents: normalised merge weights, else equal parts."""
    if merge:
        weights = _merge_parents(g, node)
        stated = {p: weights.get(p) for p in parents}
        if any(w is not None for w in stated.values()):
            total = sum(float(w or 0.0) for w in stated.values())
            if total:
                return [(p, float(stated[p] or 0.0) / total) for p in parents]
    return [(p, 1.0 / len(parents)) for p in parents]


def contributions(g: nx.MultiDiGraph, model: str) -> list[Contribution]:
    """Return each ingredient's effective share of ``model``, largest first.

    Shares flow up from ``model`` (100%). A merge splits its share among its sources by
    their weights, normalised to sum to 1; a source with no weight (typically the base
    model) counts 0, unless no source has a weight, in which case all get equal shares.
    Any other derivation (a quantization, an adapter, a fine-tune of a merge) passes its
    whole share on, split equally if it names several parents. The flow stops at the
    ingredients, the roots of the merge tree: models that are no merge and have no
    merge above them. Their shares are multiplied down the tree and sum to 1; ``via``
    lists the models each ingredient passed its share through. A model with no merge in
    its lineage is its own single ingredient. Edges closing a cycle are ignored.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([
    ...     ("mega", "m1", "merge", {"relation": "merge", "weight": 0.6}),
    ...     ("mega", "m2", "merge", {"relation": "merge", "weight": 0.4}),
    ...     ("m1", "base", "merge", {"relation": "merge", "role": "base"}),
    ...     ("m1", "a", "merge", {"relation": "merge", "weight": 1.0}),
    ...     ("m1", "b", "merge", {"relation": "merge", "weight": 3.0}),
    ...     ("m2", "a", "merge", {"relation": "merge"}),
    ...     ("m2", "c", "merge", {"relation": "merge"}),
    ... ])
    >>> for c in contributions(g, "mega"):
    ...     print(c["id"], round(c["share"], 2), c["via"])
    b 0.45 ['m1']
    a 0.35 ['m1', 'm2']
    c 0.2 ['m2']
    base 0.0 ['m1']
    """
    start = resolve(g, model)
    tree = _walk(g, start, up=True)
    merges = {n for n in tree if _merge_parents(g, n)}
    # Models with a merge above them: walk from every merge down towards its children.
    below = set()
    frontier = list(merges)
    while frontier:
        node = frontier.pop()
        for child, _ in _neighbours(g, node, up=False, relations=None):
            if child in tree and child not in below:
                below.add(child)
                frontier.append(child)
    sources = {n: (sorted(_merge_parents(g, n), key=lambda p: _order(g, p)) if n in merges
                   else sorted(_parents(g, n), key=lambda p: _order(g, p)))
               for n in tree if n in merges or n in below}
    # Depth-first, dropping the edges that close a cycle, to get a topological order.
    kept: dict[str, list[str]] = {}
    on_stack, done, order = {start}, set(), []
    stack = [(start, iter(sources.get(start, [])))]
    kept[start] = []
    while stack:
        node, todo = stack[-1]
        for parent in todo:
            if parent in on_stack:
                continue
            kept[node].append(parent)
            if parent not in done:
                on_stack.add(parent)
                kept[parent] = []
                stack.append((parent, iter(sources.get(parent, []))))
                break
        else:
            stack.pop()
            on_stack.discard(node)
            done.add(node)
            order.append(node)
    share = {start: 1.0}
    via: dict[str, set[str]] = {}
    ingredients: list[str] = []
    for node in reversed(order):
        parents = kept[node]
        if not parents:
            ingredients.append(node)
            continue
        for parent, part in _fractions(g, node, parents, node in merges):
            share[parent] = share.get(parent, 0.0) + share.get(node, 0.0) * part
            via.setdefault(parent, set()).add(node)
    out = [Contribution(id=_name(g, n), iri=n, share=round(share.get(n, 0.0), 12),
                        via=sorted((_name(g, v) for v in via.get(n, ())), key=str.casefold))
           for n in ingredients]
    return sorted(out, key=lambda c: (-c["share"], c["id"].casefold(), c["iri"]))


def score_deltas(store: Store, g: nx.MultiDiGraph, model: str) -> list[ScoreDelta]:
    """Compare the scores of ``model`` with each parent's on the same benchmarks.

    Scores are those of :func:`lineage.describe.show`; benchmarks match when their names
    have the same :func:`lineage.extract.scores.benchmark_key` and their metrics do not
    differ (a missing metric matches any). ``g`` is the graph of ``store``
    (:func:`graph_for`). ``delta`` is the model's value minus the parent's.
    """
    start = resolve(g, model)
    mine = show(store, _name(g, start))["scores"]
    out: list[ScoreDelta] = []
    for parent, relation in _neighbours(g, start, up=True, relations=None):
        try:
            theirs = show(store, _name(g, parent))["scores"]
        except QueryError:
            continue
        by_key: dict[str, list[dict[str, Any]]] = {}
        for score in theirs:
            by_key.setdefault(benchmark_key(score["benchmark"]), []).append(score)
        for score in mine:
            for other in by_key.get(benchmark_key(score["benchmark"]), []):
                if not _comparable(score, other):
                    continue
                out.append(ScoreDelta(
                    benchmark=score["benchmark"], parent=_name(g, parent), relation=relation,
                    metric=score["metric"] or other["metric"], value=score["value"],
                    parent_value=other["value"],
                    delta=round(float(score["value"]) - float(other["value"]), 10)))
    return out


def _comparable(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Tell whether two scores of one benchmark can be subtracted: numbers, same metric."""
    numbers = all(isinstance(s["value"], int | float) and not isinstance(s["value"], bool)
                  for s in (a, b))
    return numbers and (not a["metric"] or not b["metric"] or a["metric"] == b["metric"])
