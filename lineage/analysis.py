"""Lineage analysis over the networkx view: ancestry, licenses, datasets, merge shares.

Every function takes the :class:`~lineage.view.LineageView` of a store (or a graph of
:func:`lineage.graph.lineage_graph`: edges go from a model to its parent, keyed by
relation) and models named by Hub id, alias (an earlier id), ``huggingface.co`` URL or
label, matched case-insensitively (:meth:`~lineage.view.LineageView.resolve`). Results
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
from typing import Any, TypeAlias, TypedDict

import networkx as nx

from lineage.errors import QueryError
from lineage.facts import Relation
from lineage.store import Store
from lineage.view import LineageView, chain

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

Graph: TypeAlias = "nx.MultiDiGraph | LineageView"
"""What every analysis takes: the view of a store, or a lineage graph (wrapped in one)."""


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
    """Return the lineage graph of ``store``: the graph of :meth:`LineageView.of`.

    It is rebuilt only when the store has changed. Treat it as read-only (copy it before
    changing it): later calls return the same object.

    Examples
    --------
    >>> from lineage.store import open_store
    >>> store = open_store("memory:")
    >>> graph_for(store) is graph_for(store)
    True
    """
    return LineageView.of(store).graph


def _view(g: Graph) -> LineageView:
    return LineageView.from_graph(g)


def resolve(g: Graph, model: str) -> str:
    """Return the node of ``model``: a Hub id, alias, URL, label or IRI, in any case.

    See :meth:`lineage.view.LineageView.resolve`.

    Raises
    ------
    QueryError
        When the graph has no such model.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://huggingface.co/Org/Model", id="Org/Model")
    >>> resolve(g, "org/model")
    'https://huggingface.co/Org/Model'
    """
    return _view(g).resolve(model)


def resolved_view(g: Graph, *, keep: str | None = None) -> nx.MultiDiGraph:
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
    return _view(g).filtered(resolved_only=True, keep=keep)


def _relatives(g: Graph, model: str, *, up: bool, max_depth: int | None,
               relations: Iterable[str] | None, resolved_only: bool = False) -> list[Relative]:
    if max_depth is not None and max_depth < 0:
        msg = f"the depth must be 0 or more, not {max_depth}"
        raise QueryError(msg)
    view = _view(g)
    start = view.resolve(model)
    walk = view.walk(start, up=up, relations=relations, max_depth=max_depth,
                     resolved_only=resolved_only)
    out = [Relative(id=view.name(node), iri=node, depth=depth, relation=str(relation),
                    via=view.name(str(previous)))
           for node, (depth, previous, relation) in walk.items() if node != start]
    return sorted(out, key=lambda r: (r["depth"], r["id"].casefold(), r["iri"]))


def ancestors(g: Graph, model: str, *, max_depth: int | None = None,
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


def descendants(g: Graph, model: str, *, max_depth: int | None = None,
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


def path(g: Graph, a: str, b: str) -> list[Step]:
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
    view = _view(g)
    start, end = view.resolve(a), view.resolve(b)
    for up in (True, False):
        walk = view.walk(start, up=up, stop=end)
        if end in walk:
            return [Step(id=view.name(node), iri=node, relation=relation,
                         direction=None if relation is None else ("up" if up else "down"))
                    for node, relation in chain(walk, end)]
    msg = (f"no derivation path between {view.name(start)} and {view.name(end)}: neither "
           "derives from the other (try `lineage common`)")
    raise QueryError(msg)


def roots(g: Graph, model: str | None = None) -> list[Root]:
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
    view = _view(g)
    if model is None:
        depths = {node: 0 for node in view.graph if not view.parents(node)}
    else:
        walk = view.ancestors(model)
        depths = {node: depth for node, (depth, _, _) in walk.items() if not view.parents(node)}
    out = [Root(id=view.name(node), iri=node, depth=depth,
                children=len(set(view.graph.predecessors(node)) - {node}))
           for node, depth in depths.items()]
    return sorted(out, key=lambda r: (r["depth"], r["id"].casefold(), r["iri"]))


def common(g: Graph, a: str, b: str) -> list[Common]:
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
    view = _view(g)
    up_a, up_b = view.ancestors(a), view.ancestors(b)
    shared = set(up_a) & set(up_b)
    if not shared:
        return []
    sub = nx.DiGraph(view.graph.subgraph(shared))
    sub.remove_edges_from(list(nx.selfloop_edges(sub)))
    # Collapse cycles; a component is lowest when no other shared model derives from it.
    condensed = nx.condensation(sub)
    lowest = [node for comp in condensed if condensed.in_degree(comp) == 0
              for node in condensed.nodes[comp]["members"]]
    out = [Common(id=view.name(node), iri=node, depth_a=up_a[node][0], depth_b=up_b[node][0])
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


def _license_entry(view: LineageView, node: str, depth: int) -> LicenseEntry:
    data = view.graph.nodes[node]
    lic, name = data.get("license"), data.get("license_name")
    return LicenseEntry(id=view.name(node), iri=node, depth=depth, license=lic,
                        license_name=name, category=license_category(lic, name=name))


def _license_text(entry: LicenseEntry) -> str:
    return str(entry["license"] or entry["license_name"] or "no license")


def licenses(g: Graph, model: str) -> LicenseReport:
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
    view = _view(g)
    start = view.resolve(model)
    tree = view.walk(start, up=True)
    entries = {node: _license_entry(view, node, depth) for node, (depth, _, _) in tree.items()}
    conflicts: list[LicenseConflict] = []
    for node, entry in sorted(entries.items(), key=lambda item: (item[1]["depth"],
                                                                  view.order(item[0]))):
        if entry["category"] != "permissive":
            continue
        above = view.walk(node, up=True)
        for other in sorted(above, key=lambda n: (above[n][0], view.order(n))):
            theirs = entries.get(other) or _license_entry(view, other, 0)
            if other == node or theirs["category"] not in RESTRICTIVE:
                continue
            conflicts.append(LicenseConflict(
                model=entry["id"], license=entry["license"], ancestor=theirs["id"],
                ancestor_license=theirs["license"] or theirs["license_name"],
                category=theirs["category"],
                message=(f"{entry['id']} is {_license_text(entry)} (permissive) but derives "
                         f"from {theirs['id']}, {_license_text(theirs)} ({theirs['category']})"),
            ))
    return LicenseReport(model=view.name(start),
                         licenses=sorted(entries.values(), key=lambda e: (
                             e["depth"], e["id"].casefold(), e["iri"])),
                         conflicts=conflicts)


def datasets(g: Graph, model: str, *,
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
    view = _view(g)
    walk = view.ancestors(model, relations=INHERITING if relations is None else relations)
    out: list[InheritedDataset] = []
    for node, (depth, _, _) in walk.items():
        names = view.graph.nodes[node].get("datasets") or ()
        if not names:
            continue
        steps = chain(walk, node)
        out.extend(InheritedDataset(dataset=str(name), model=view.name(node), depth=depth,
                                    path=[view.name(n) for n, _ in steps],
                                    relations=[str(r) for _, r in steps[1:]])
                   for name in names)
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


def contributions(g: Graph, model: str) -> list[Contribution]:
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
    view = _view(g)
    start = view.resolve(model)
    tree = view.walk(start, up=True)
    merges = {n for n in tree if _merge_parents(view.graph, n)}
    # Models with a merge above them: those that derive (within the tree) from a merge.
    sub = view.graph.subgraph(tree)
    below = set().union(*(nx.ancestors(sub, m) for m in merges))
    sources = {n: sorted(_merge_parents(view.graph, n) if n in merges else view.parents(n),
                         key=view.order)
               for n in tree if n in merges or n in below}
    order, kept = _flow_order(start, sources)
    share = {start: 1.0}
    via: dict[str, set[str]] = {}
    ingredients: list[str] = []
    for node in reversed(order):
        parents = kept[node]
        if not parents:
            ingredients.append(node)
            continue
        for parent, part in _fractions(view.graph, node, parents, node in merges):
            share[parent] = share.get(parent, 0.0) + share.get(node, 0.0) * part
            via.setdefault(parent, set()).add(node)
    out = [Contribution(id=view.name(n), iri=n, share=round(share.get(n, 0.0), 12),
                        via=sorted((view.name(v) for v in via.get(n, ())), key=str.casefold))
           for n in ingredients]
    return sorted(out, key=lambda c: (-c["share"], c["id"].casefold(), c["iri"]))


def _flow_order(start: str, sources: dict[str, list[str]],
                ) -> tuple[list[str], dict[str, list[str]]]:
    """Walk depth-first from ``start`` through ``sources``, dropping edges that close a cycle.

    Returns the models finished first to last (reversed, a topological order) and the
    sources each model keeps.
    """
    flow = nx.DiGraph()
    flow.add_node(start)
    flow.add_edges_from((node, parent) for node, parents in sources.items()
                        for parent in parents)
    kept: dict[str, list[str]] = {start: []}
    on_stack: set[str] = set()
    order: list[str] = []
    for u, v, kind in nx.dfs_labeled_edges(flow, start):
        if kind == "forward":
            on_stack.add(v)
            if u != v:
                kept[u].append(v)
                kept[v] = []
        elif kind == "nontree" and v not in on_stack:
            kept[u].append(v)
        elif kind == "reverse":
            on_stack.discard(v)
            order.append(v)
    return order, kept


def score_deltas(store: Store, g: Graph, model: str) -> list[ScoreDelta]:
    """Compare the scores of ``model`` with each parent's on the same benchmarks.

    Scores are those of :func:`lineage.describe.show`; benchmarks match when their names
    have the same :func:`lineage.extract.scores.benchmark_key` and their metrics do not
    differ (a missing metric matches any). ``g`` is the graph of ``store``
    (:func:`graph_for`). ``delta`` is the model's value minus the parent's.
    """
    # Only here: the extractors' package takes half a second to import.
    from lineage.describe import show
    from lineage.extract.scores import benchmark_key

    view = _view(g)
    start = view.resolve(model)
    mine = show(store, view.name(start), view=view)["scores"]
    out: list[ScoreDelta] = []
    for parent, relation in view.neighbours(start, up=True):
        try:
            theirs = show(store, view.name(parent), view=view)["scores"]
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
                    benchmark=score["benchmark"], parent=view.name(parent), relation=relation,
                    metric=score["metric"] or other["metric"], value=score["value"],
                    parent_value=other["value"],
                    delta=round(float(score["value"]) - float(other["value"]), 10)))
    return out


def _comparable(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Tell whether two scores of one benchmark can be subtracted: numbers, same metric."""
    numbers = all(isinstance(s["value"], int | float) and not isinstance(s["value"], bool)
                  for s in (a, b))
    return numbers and (not a["metric"] or not b["metric"] or a["metric"] == b["metric"])
