"""What a diagram shows: the models selected, the nodes standing for them, their conflicts.

:func:`select` picks the generations around a focus (or everything); :func:`summarise`
maps each selected model to the node drawn for it, itself or a group: a selection larger
than ``max_nodes`` keeps the nearest generations and aggregates farther ones per depth (the
whole graph becomes one node per organisation), and :func:`fold_quantized` folds many
quantized leaves of one model into one node. :func:`license_conflicts` asks
:func:`lineage.analysis.licenses` which drawn models carry a permissive license over a
restrictive ancestor, and which ancestors those are.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("a", id="o/base", license="cc-by-nc-4.0")
>>> g.add_node("b", id="o/tuned", license="mit")
>>> _ = g.add_edge("b", "a", key="finetune", relation="finetune")
>>> sorted(select(g, "b", up=1, down=0).nodes)
['a', 'b']
>>> license_conflicts(g, ["b"])["b"].ancestors
(('a', 'cc-by-nc-4.0', 'non-commercial'),)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import networkx as nx

from lineage.analysis import license_category, licenses
from lineage.errors import ExportError
from lineage.facts import Relation
from lineage.view import LineageView

__all__ = [
    "DEFAULT_COLLAPSE_QUANTIZED",
    "DEFAULT_MAX_NODES",
    "SUMMARY_ORGS",
    "SUMMARY_WIDTH",
    "Conflict",
    "Group",
    "Selection",
    "fold_quantized",
    "license_conflicts",
    "license_text",
    "neighbours",
    "node_name",
    "org_clusters",
    "plural",
    "select",
    "summarise",
]

DEFAULT_MAX_NODES = 300
DEFAULT_COLLAPSE_QUANTIZED = 3
SUMMARY_ORGS = 16
"""At most this many organisation nodes in a summary of the whole graph."""
SUMMARY_WIDTH = 12
"""At most this many models of one generation are drawn one by one in a summary."""


@dataclass(frozen=True, slots=True)
class Selection:
    """The models a diagram shows.

    ``depth`` maps each node to its generation relative to the focus (negative above,
    positive below, 0 for the focus); it is empty when the whole graph is selected.
    """

    nodes: frozenset[str]
    relations: frozenset[str]
    focus: str | None = None
    depth: Mapping[str, int] = field(default_factory=dict)


def select(g: nx.MultiDiGraph | LineageView, focus: str | None, *, up: int = 2, down: int = 2,
           relations: Collection[Relation | str] | None = None,
           everything: bool = False) -> Selection:
    """Select ``up`` generations of ancestors and ``down`` of descendants of ``focus``.

    Only edges of the given ``relations`` are followed and drawn (all when ``None``). With
    ``everything`` (or no focus) every model is selected; with ``relations`` too, every
    model with an edge of those relations.
    """
    rels = _relations(relations)
    view = LineageView.from_graph(g)
    if everything or focus is None:
        nodes = set(view.graph) if not relations else \
            {n for u, v, k in view.graph.edges(keys=True) if k in rels for n in (u, v)}
        return Selection(frozenset(nodes | ({focus} if focus else set())), rels, focus)
    depth = {focus: 0}
    for sign, limit in ((-1, up), (1, down)):
        # Ancestors are not walked through again on the way down (a cycle's models).
        layers = view.layers(focus, up=sign < 0, limit=limit, relations=rels, exclude=depth)
        for generation, layer in enumerate(layers[1:], 1):
            depth.update(dict.fromkeys(layer, sign * generation))
    return Selection(frozenset(depth), rels, focus, depth)


def _relations(relations: Collection[Relation | str] | None) -> frozenset[str]:
    """Check relation names; all relations when none are given."""
    if not relations:
        return frozenset(r.value for r in Relation)
    try:
        return frozenset(Relation(r if isinstance(r, Relation) else r.lower()).value
                         for r in relations)
    except ValueError:
        names = ", ".join(r.value for r in Relation)
        msg = f"unknown relation in {sorted(map(str, relations))}: use {names}"
        raise ExportError(msg) from None


def neighbours(g: nx.MultiDiGraph, node: str, sign: int, rels: frozenset[str]) -> set[str]:
    """Parents (``sign`` -1) or children (+1) of ``node`` through edges of ``rels``."""
    if sign < 0:
        return {p for _, p, k in g.out_edges(node, keys=True) if k in rels}
    return {c for c, _, k in g.in_edges(node, keys=True) if k in rels}


def node_name(g: nx.MultiDiGraph, node: str) -> str:
    """Name a model in DOT: its Hub id, else its IRI without the scheme.

    DOT edge statements read ``:`` as a port separator, so names never contain one;
    group names (``group/depth/+2``) have two slashes, which no Hub id has.
    """
    hub_id = g.nodes[node].get("id")
    return str(hub_id) if hub_id else node.split("://", 1)[-1].replace(":", "%3A")


def plural(n: int, word: str) -> str:
    """Return ``n`` and ``word``, with an ``s`` unless ``n`` is 1."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def license_text(data: Mapping[str, object]) -> str:
    """Return a model's license as drawn: its id, or ``other: NAME`` for a named custom one."""
    lid, lname = data.get("license"), data.get("license_name")
    if lid == "other" and lname:
        return f"other: {lname}"
    return str(lid or lname or "")


# -- license conflicts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conflict:
    """A permissive license below restrictive ones: the ancestors it conflicts with."""

    license: str
    ancestors: tuple[tuple[str, str, str], ...]
    """(ancestor node, its license, the license's category), nearest first."""


def license_conflicts(g: nx.MultiDiGraph | LineageView, nodes: Iterable[str],
                      ) -> dict[str, Conflict]:
    """Find the ``nodes`` whose permissive license conflicts with an ancestor's license.

    The conflicts are those of ``lineage licenses`` (:func:`lineage.analysis.licenses`):
    an ancestor conflicts when its license is non-commercial, custom or copyleft, whatever
    relations a diagram shows. One report covers every model up its tree, so models
    sharing ancestors are looked up once.
    """
    view = LineageView.from_graph(g)
    g = view.graph
    wanted = set(nodes)
    found: dict[str, Conflict] = {}
    settled: set[str] = set()
    for node in sorted(wanted, key=lambda n: (g.in_degree(n), n)):  # leaves cover the most
        if node in settled or _category(g, node) != "permissive":
            continue
        report = licenses(view, node)
        iris = {entry["id"]: entry["iri"] for entry in report["licenses"]}
        settled.update(iris.values())
        by_model: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for c in report["conflicts"]:
            ancestor = iris[c["ancestor"]]
            by_model[iris[c["model"]]].append(
                (ancestor, license_text(g.nodes[ancestor]), c["category"]))
        for model, ancestors in by_model.items():
            if model in wanted:
                found[model] = Conflict(license_text(g.nodes[model]), tuple(ancestors))
    return dict(sorted(found.items()))


def _category(g: nx.MultiDiGraph, node: str) -> str:
    data = g.nodes[node]
    return license_category(data.get("license"), name=data.get("license_name"))


# -- grouping: summaries and collapsed quantized children -------------------------------


@dataclass(slots=True)
class Group:
    """A drawn node standing for several models."""

    kind: str
    title: str
    members: list[str] = field(default_factory=list)
    org: str | None = None
    inside: int = 0
    """Derivations between members (not drawn)."""


def summarise(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
              ) -> tuple[dict[str, str], dict[str, Group]]:
    """Map each selected node to the drawn node standing for it (itself or a group)."""
    if len(sel.nodes) <= max_nodes:
        return {n: n for n in sel.nodes}, {}
    rep, groups = _by_depth(g, sel, max_nodes) if sel.depth else _by_org(g, sel, max_nodes)
    for key in [k for k, grp in groups.items() if len(grp.members) == 1]:
        member = groups.pop(key).members[0]  # a group of one is drawn as the model
        rep[member] = member
    return rep, groups


def _by_depth(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
              ) -> tuple[dict[str, str], dict[str, Group]]:
    """Draw the nearest generations whole; aggregate each farther generation.

    A generation is drawn model by model only when it fits the node budget and has at most
    :data:`SUMMARY_WIDTH` models on each side; the direct parents and children are then
    drawn in part (the most connected first) rather than not at all.
    """
    levels: dict[int, list[str]] = defaultdict(list)
    for node, d in sorted(sel.depth.items(), key=lambda kv: (kv[1], kv[0])):
        levels[d].append(node)
    room = max(1, max_nodes - len(levels) + 1)  # a slot for each possible aggregate
    width = max(1, min(SUMMARY_WIDTH, max_nodes - 1))
    kept = set(levels[0])
    for distance in sorted({abs(d) for d in levels if d}):
        sides = [levels.get(-distance, []), levels.get(distance, [])]
        if all(len(side) <= width for side in sides) and \
                len(kept) + len(sides[0]) + len(sides[1]) <= room:
            kept.update(sides[0] + sides[1])
            continue
        if distance == 1:
            for side in sides:
                kept.update(_most_connected(g, side, min(width, room - len(kept))))
        break
    rest: dict[int, list[str]] = defaultdict(list)
    for node, d in sel.depth.items():
        if node not in kept:
            rest[d].append(node)
    rep = {n: n for n in kept} | {n: f"group/depth/{d:+d}" for d, ms in rest.items() for n in ms}
    return rep, {f"group/depth/{d:+d}": Group("summary", _depth_title(d, len(members)), members)
                 for d, members in sorted(rest.items())}


def _most_connected(g: nx.MultiDiGraph, ring: list[str], room: int) -> list[str]:
    """Pick the ``room`` models of ``ring`` with the most children (then by name)."""
    return sorted(ring, key=lambda n: (-g.in_degree(n), node_name(g, n)))[:max(room, 0)]


def _depth_title(depth: int, count: int) -> str:
    if abs(depth) == 1:
        return f"+{count:,} more {'parents' if depth < 0 else 'children'}"
    word = "ancestors" if depth < 0 else "descendants"
    return f"+{count:,} more {word}, {abs(depth)} generations {'up' if depth < 0 else 'down'}"


def _by_org(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
            ) -> tuple[dict[str, str], dict[str, Group]]:
    """One node per organisation, the focus kept on its own.

    The :data:`SUMMARY_ORGS` organisations with the most models plus derivations by other
    organisations from their models get a node each; the rest share one.
    """
    rep = {sel.focus: sel.focus} if sel.focus else {}
    weight = Counter(g.nodes[n].get("org") or "" for n in sel.nodes if n not in rep)
    for child, parent, rel in g.edges(keys=True):
        org = g.nodes[parent].get("org") or ""
        if rel in sel.relations and child in sel.nodes and org in weight and \
                (g.nodes[child].get("org") or "") != org:
            weight[org] += 1
    top = {org for org, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
           [:max(1, min(SUMMARY_ORGS, max_nodes - 2))]}
    groups: dict[str, Group] = {}
    for node in sorted(sel.nodes - rep.keys()):
        org = g.nodes[node].get("org") or ""
        key = f"group/org/{org}" if org in top else "group/org/*"
        title = (org or "no organisation") if org in top else "other organisations"
        groups.setdefault(key, Group("summary", title)).members.append(node)
        rep[node] = key
    for group in groups.values():
        group.title = f"{group.title}: {plural(len(group.members), 'model')}"
    return rep, groups


def fold_quantized(g: nx.MultiDiGraph, sel: Selection, rep: dict[str, str],
                       groups: dict[str, Group], threshold: int | None) -> None:
    """Fold a parent's quantized leaves into one node when there are more than ``threshold``."""
    if threshold is None:
        return
    for parent in sorted(n for n, r in rep.items() if n == r):
        leaves = sorted(c for c, _, k in g.in_edges(parent, keys=True)
                        if k == Relation.QUANTIZED.value and _is_quantized_leaf(g, sel, rep, c))
        if len(leaves) <= threshold:
            continue
        orgs = {g.nodes[c].get("org") for c in leaves}
        key = f"group/quantized/{node_name(g, parent)}"
        groups[key] = Group("quantized", f"{len(leaves)} quantized",
                            leaves, orgs.pop() if len(orgs) == 1 else None)
        rep.update(dict.fromkeys(leaves, key))


def _is_quantized_leaf(g: nx.MultiDiGraph, sel: Selection, rep: dict[str, str],
                       node: str) -> bool:
    """Tell a drawn quantized model with one drawn parent, no drawn child, not the focus."""
    if node not in sel.nodes or rep.get(node) != node or node == sel.focus:
        return False
    if g.nodes[node].get("kind") != "quantized":
        return False
    parents = neighbours(g, node, -1, sel.relations) & sel.nodes
    children = neighbours(g, node, 1, sel.relations) & sel.nodes
    return len(parents) == 1 and not children


def org_clusters(g: nx.MultiDiGraph, real: list[str], groups: dict[str, Group],
                  parts: Mapping[str, int]) -> dict[str, tuple[str, list[str]]]:
    """Group the drawn nodes of one organisation in one connected part, two or more.

    Returns ``{cluster name: (organisation, nodes)}``: ``cluster_<org>``, or
    ``cluster_<org>_<n>`` when the organisation has models in several unconnected parts.
    """
    by_org: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node in real:
        if g.nodes[node].get("org"):
            by_org[(g.nodes[node]["org"], parts[node_name(g, node)])].append(node)
    for key in sorted(groups):
        if groups[key].org:
            by_org[(cast("str", groups[key].org), parts[key])].append(key)
    kept = sorted((org, part) for (org, part), nodes in by_org.items() if len(nodes) > 1)
    count = Counter(org for org, _ in kept)
    seen: Counter[str] = Counter()
    clusters: dict[str, tuple[str, list[str]]] = {}
    for org, part in kept:
        seen[org] += 1
        name = f"cluster_{org}" if count[org] == 1 else f"cluster_{org}_{seen[org]}"
        clusters[name] = (org, by_org[(org, part)])
    return clusters
