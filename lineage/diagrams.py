"""Graphviz lineage diagrams: a model's neighbourhood or the whole graph, drawn for people.

Parents are drawn above their children and every edge points from a parent to the model
derived from it. Node shape and fill show the kind (pretrained base, fine-tune, merge,
quantized, adapter, derived) in the colour-blind-safe Okabe-Ito palette, and models without
a Hub id (local paths, bare names) are drawn apart, grey and dashed; the focus model has a
thick black border; a permissive license on a model with a non-commercial or custom-licensed
ancestor is written in red with a tooltip naming that ancestor. Models of one organisation
share a ``cluster_<org>`` box, the quantized leaves of one model fold into one "N quantized"
node when there are more than ``collapse_quantized``, and a selection larger than
``max_nodes`` is summarised: the nearest generations of the focus are drawn and farther ones
become one aggregate node per depth (the whole graph becomes one node per organisation). A
legend explains the kinds and edge styles used. Output is deterministic, so DOT files diff
cleanly.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("a", id="o/base", org="o", kind="base", license="cc-by-nc-4.0")
>>> g.add_node("b", id="o/tuned", org="o", kind="finetune", license="mit")
>>> _ = g.add_edge("b", "a", key="finetune", relation="finetune")
>>> dot = lineage_diagram(g, focus="b").dot
>>> '"o/base" -> "o/tuned"' in dot.source and "cluster_o" in dot.source
True
>>> sorted(license_conflicts(g, ["a", "b"]))
['b']
"""

from __future__ import annotations

import html
import itertools
import math
import subprocess
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, cast

import graphviz
import networkx as nx

from lineage.analysis import RESTRICTIVE, graph_for, license_category, resolve
from lineage.errors import ExportError
from lineage.facts import Relation
from lineage.ids import id_from_iri
from lineage.store import Store

__all__ = [
    "DEFAULT_COLLAPSE_QUANTIZED",
    "DEFAULT_MAX_NODES",
    "PACK_COMPONENTS",
    "SUMMARY_ORGS",
    "SUMMARY_WIDTH",
    "Conflict",
    "Diagram",
    "DiagramFormat",
    "Selection",
    "draw",
    "license_conflicts",
    "lineage_diagram",
    "render",
    "select",
    "write_diagram",
]

DEFAULT_MAX_NODES = 300
DEFAULT_COLLAPSE_QUANTIZED = 3
SUMMARY_ORGS = 16
"""At most this many organisation nodes in a summary of the whole graph."""
SUMMARY_WIDTH = 12
"""At most this many models of one generation are drawn one by one in a summary."""

PACK_COMPONENTS = 4
"""Above this many unconnected parts, a rendering packs the parts in a grid."""
RENDER_TIMEOUT = 300
"""Seconds one Graphviz program may take."""
INSTALL_HINT = "apt-get install graphviz"


class DiagramFormat(str, Enum):
    """Output formats of a diagram; DOT is written without the ``dot`` program."""

    SVG = "svg"
    PNG = "png"
    PDF = "pdf"
    DOT = "dot"

    @classmethod
    def from_path(cls, path: str | Path) -> DiagramFormat:
        """Return the format named by the file extension of ``path``.

        Examples
        --------
        >>> DiagramFormat.from_path("family.PNG")
        <DiagramFormat.PNG: 'png'>
        """
        suffix = Path(path).suffix.lower().lstrip(".")
        if suffix == "gv":
            return cls.DOT
        try:
            return cls(suffix)
        except ValueError:
            names = ", ".join(f".{f.value}" for f in cls)
            msg = f"cannot tell the diagram format from {str(path)!r}: use {names} or --format"
            raise ExportError(msg) from None


@dataclass(frozen=True, slots=True)
class Conflict:
    """A permissive license below restrictive ones: the nearest such ancestors."""

    license: str
    ancestors: tuple[tuple[str, str, str], ...]
    """(ancestor node, its license, the license's category), nearest first."""


def license_conflicts(g: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[str, Conflict]:
    """Find the ``nodes`` whose permissive license conflicts with an ancestor's license.

    The rule is that of ``lineage licenses`` (:func:`lineage.analysis.licenses`): an
    ancestor conflicts when its license is non-commercial (``cc-by-nc-*``), custom
    (``other``, ``llama2``...) or copyleft. All relations are followed, whatever a diagram
    shows.
    """
    found: dict[str, Conflict] = {}
    for node in nodes:
        if _category(g, node) != "permissive":
            continue
        hits: list[tuple[str, str, str]] = []
        for generation in _levels_up(g, node):
            hits += sorted((a, _license_text(g.nodes[a]), _category(g, a)) for a in generation
                           if _category(g, a) in RESTRICTIVE)
        if hits:
            found[node] = Conflict(_license_text(g.nodes[node]), tuple(hits))
    return found


def _category(g: nx.MultiDiGraph, node: str) -> str:
    data = g.nodes[node]
    return license_category(data.get("license"), name=data.get("license_name"))


def _levels_up(g: nx.MultiDiGraph, node: str) -> Iterable[set[str]]:
    """Yield the ancestors of ``node`` one generation at a time (cycles are cut)."""
    seen, frontier = {node}, {node}
    while frontier:
        frontier = {p for n in frontier for p in g.successors(n)} - seen
        seen |= frontier
        if frontier:
            yield frontier


# -- selection ---------------------------------------------------------------------------


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


def select(g: nx.MultiDiGraph, focus: str | None, *, up: int = 2, down: int = 2,
           relations: Collection[Relation | str] | None = None,
           everything: bool = False) -> Selection:
    """Select ``up`` generations of ancestors and ``down`` of descendants of ``focus``.

    Only edges of the given ``relations`` are followed and drawn (all when ``None``). With
    ``everything`` (or no focus) every model is selected; with ``relations`` too, every
    model with an edge of those relations.
    """
    rels = _relations(relations)
    if everything or focus is None:
        nodes = set(g.nodes) if not relations else \
            {n for u, v, k in g.edges(keys=True) if k in rels for n in (u, v)}
        return Selection(frozenset(nodes | ({focus} if focus else set())), rels, focus)
    depth = {focus: 0}
    for sign, limit in ((-1, up), (1, down)):
        frontier = [focus]
        for generation in range(1, limit + 1):
            frontier = sorted({n for f in frontier for n in _neighbours(g, f, sign, rels)}
                              - depth.keys())
            depth.update(dict.fromkeys(frontier, sign * generation))
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


def _neighbours(g: nx.MultiDiGraph, node: str, sign: int, rels: frozenset[str]) -> set[str]:
    """Parents (``sign`` -1) or children (+1) of ``node`` through edges of ``rels``."""
    if sign < 0:
        return {p for _, p, k in g.out_edges(node, keys=True) if k in rels}
    return {c for c, _, k in g.in_edges(node, keys=True) if k in rels}


# -- grouping: summaries and collapsed quantized children -------------------------------


@dataclass(slots=True)
class _Group:
    """A drawn node standing for several models."""

    kind: str
    title: str
    members: list[str] = field(default_factory=list)
    org: str | None = None
    inside: int = 0
    """Derivations between members (not drawn)."""


def _summarise(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
               ) -> tuple[dict[str, str], dict[str, _Group]]:
    """Map each selected node to the drawn node standing for it (itself or a group)."""
    if len(sel.nodes) <= max_nodes:
        return {n: n for n in sel.nodes}, {}
    rep, groups = _by_depth(g, sel, max_nodes) if sel.depth else _by_org(g, sel, max_nodes)
    for key in [k for k, grp in groups.items() if len(grp.members) == 1]:
        member = groups.pop(key).members[0]  # a group of one is drawn as the model
        rep[member] = member
    return rep, groups


def _by_depth(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
              ) -> tuple[dict[str, str], dict[str, _Group]]:
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
    return rep, {f"group/depth/{d:+d}": _Group("summary", _depth_title(d, len(members)), members)
                 for d, members in sorted(rest.items())}


def _most_connected(g: nx.MultiDiGraph, ring: list[str], room: int) -> list[str]:
    """Pick the ``room`` models of ``ring`` with the most children (then by name)."""
    return sorted(ring, key=lambda n: (-g.in_degree(n), _name(g, n)))[:max(room, 0)]


def _depth_title(depth: int, count: int) -> str:
    if abs(depth) == 1:
        return f"+{count:,} more {'parents' if depth < 0 else 'children'}"
    word = "ancestors" if depth < 0 else "descendants"
    return f"+{count:,} more {word}, {abs(depth)} generations {'up' if depth < 0 else 'down'}"


def _by_org(g: nx.MultiDiGraph, sel: Selection, max_nodes: int,
            ) -> tuple[dict[str, str], dict[str, _Group]]:
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
    groups: dict[str, _Group] = {}
    for node in sorted(sel.nodes - rep.keys()):
        org = g.nodes[node].get("org") or ""
        key = f"group/org/{org}" if org in top else "group/org/*"
        title = (org or "no organisation") if org in top else "other organisations"
        groups.setdefault(key, _Group("summary", title)).members.append(node)
        rep[node] = key
    for group in groups.values():
        group.title = f"{group.title}: {_plural(len(group.members), 'model')}"
    return rep, groups


def _collapse_quantized(g: nx.MultiDiGraph, sel: Selection, rep: dict[str, str],
                        groups: dict[str, _Group], threshold: int | None) -> None:
    """Fold a parent's quantized leaves into one node when there are more than ``threshold``."""
    if threshold is None:
        return
    for parent in sorted(n for n, r in rep.items() if n == r):
        leaves = sorted(c for c, _, k in g.in_edges(parent, keys=True)
                        if k == Relation.QUANTIZED.value and _is_quantized_leaf(g, sel, rep, c))
        if len(leaves) <= threshold:
            continue
        orgs = {g.nodes[c].get("org") for c in leaves}
        key = f"group/quantized/{_name(g, parent)}"
        groups[key] = _Group("quantized", f"{len(leaves)} quantized",
                             leaves, orgs.pop() if len(orgs) == 1 else None)
        rep.update(dict.fromkeys(leaves, key))


def _is_quantized_leaf(g: nx.MultiDiGraph, sel: Selection, rep: dict[str, str],
                       node: str) -> bool:
    """Tell a drawn quantized model with one drawn parent, no drawn child, not the focus."""
    if node not in sel.nodes or rep.get(node) != node or node == sel.focus:
        return False
    if g.nodes[node].get("kind") != "quantized":
        return False
    parents = {p for _, p, k in g.out_edges(node, keys=True) if k in sel.relations} & sel.nodes
    children = {c for c, _, k in g.in_edges(node, keys=True) if k in sel.relations} & sel.nodes
    return len(parents) == 1 and not children


# -- styles ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    shape: str
    fill: str
    border: str
    style: str
    legend: str
    plural: str
    font: str | None = None


# Okabe-Ito colours for borders and edges, pale tints of them for fills.
_KINDS: dict[str, _Style] = {
    "base": _Style("box", "#cfe3f1", "#0072b2", "filled", "pretrained base", "bases"),
    "finetune": _Style("box", "#c9ede0", "#009e73", "filled,rounded", "fine-tune",
                       "fine-tunes"),
    "merge": _Style("hexagon", "#fbe6b8", "#b77e00", "filled", "merge", "merges"),
    "quantized": _Style("note", "#f7f2b8", "#8a7f00", "filled", "quantized", "quantized"),
    "adapter": _Style("component", "#f4dcea", "#b3588c", "filled", "adapter (LoRA...)",
                      "adapters"),
    "derived": _Style("box", "#ddeefa", "#3a8fc4", "filled,rounded,diagonals",
                      "derived (kind unknown)", "derived"),
    # A name no Hub id was found for (a local path, a bare name): grey and dashed, apart.
    "unresolved": _Style("box", "#f0f0f0", "#8c8c8c", "filled,dashed",
                         "unresolved name (no Hub id)", "unresolved", "#6e6e6e"),
    "summary": _Style("folder", "#eeeeee", "#6e6e6e", "filled", "several models (summary)",
                      "summaries"),
}
# relation: (colour, line style, arrowhead); line and arrow tell them apart without colour
_RELATIONS: dict[str, tuple[str, str, str]] = {
    "finetune": ("#009e73", "solid", "normal"),
    "merge": ("#b77e00", "bold", "normal"),
    "quantized": ("#8a7f00", "dashed", "normal"),
    "adapter": ("#b3588c", "dotted", "normal"),
    "derived": ("#3a8fc4", "solid", "empty"),
}
_RELATION_WORDS = {"finetune": "fine-tuned", "merge": "merged", "quantized": "quantized",
                   "adapter": "adapter", "derived": "derived"}
_CONFLICT = "#d55e00"
_FOCUS = "#000000"
_MUTED = "#555555"
_FONT = "Helvetica"
_GRAPH = {"rankdir": "TB", "fontname": _FONT, "fontsize": "16", "labelloc": "t",
          "nodesep": "0.3", "ranksep": "0.55", "newrank": "true", "compound": "true",
          "bgcolor": "white", "pad": "0.3"}
_NODE = {"fontname": _FONT, "fontsize": "11", "margin": "0.12,0.06", "penwidth": "1.4"}
_EDGE = {"fontname": _FONT, "fontsize": "9", "arrowsize": "0.7"}


# -- drawing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diagram:
    """A drawn diagram and what it shows."""

    dot: graphviz.Digraph
    """The Graphviz graph; :func:`write_diagram` renders it."""
    models: int
    """Models selected (drawn one by one or inside a group)."""
    nodes: int
    """Nodes drawn: models plus groups (legend excluded)."""
    edges: int
    """Edges drawn (legend excluded)."""
    summarised: bool
    """Whether the selection exceeded ``max_nodes`` and was summarised."""
    components: int = 1
    """Unconnected parts drawn; many are laid out apart and packed in a grid."""


def lineage_diagram(g: nx.MultiDiGraph, *, focus: str | None = None, up: int = 2,
                    down: int = 2, relations: Collection[Relation | str] | None = None,
                    everything: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
                    collapse_quantized: int | None = DEFAULT_COLLAPSE_QUANTIZED,
                    ) -> Diagram:
    """Draw the lineage around ``focus`` (a node of ``g``) or the whole graph.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The view of :func:`lineage.graph.lineage_graph` (edges from child to parent).
    focus : str, optional
        The node to centre on and highlight; required unless ``everything``.
    up, down : int
        Generations of ancestors and descendants drawn around the focus.
    relations : collection of Relation, optional
        Follow and draw only these relations (default: all).
    everything : bool
        Draw the whole graph (the focus, if any, is still highlighted).
    max_nodes : int
        Above this many models the selection is summarised.
    collapse_quantized : int or None
        Fold a model's quantized leaves into one node when there are more than this;
        ``None`` never folds.

    Returns
    -------
    Diagram
        Render it with :func:`render` or :func:`write_diagram`.
    """
    sel = select(g, focus, up=up, down=down, relations=relations, everything=everything)
    rep, groups = _summarise(g, sel, max_nodes)
    _collapse_quantized(g, sel, rep, groups, collapse_quantized)
    real = sorted((n for n, r in rep.items() if n == r), key=lambda n: _name(g, n))
    conflicts = license_conflicts(g, real)
    title = _title(g, sel, groups, up=up, down=down)
    dot = graphviz.Digraph("lineage", graph_attr={**_GRAPH, "label": title},
                           node_attr=_NODE, edge_attr=_EDGE)
    single, counted = _route_edges(g, sel, rep, groups)
    parts = _components([_name(g, n) for n in real] + sorted(groups),
                        [e[:2] for e in single] + [e[:2] for e in counted])
    kinds = _draw_nodes(dot, g, sel, real, groups, conflicts, parts)
    used = _draw_edges(dot, single, counted)
    _legend(dot, kinds, used, focus=sel.focus is not None, conflicts=bool(conflicts),
            undescribed=any(not g.nodes[n].get("described", True) for n in real))
    return Diagram(dot, len(sel.nodes), len(real) + len(groups), len(single) + len(counted),
                   any(grp.kind == "summary" for grp in groups.values()),
                   len(set(parts.values())))


def _components(names: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Index the unconnected parts of the drawing, in the order of their first names."""
    parts = nx.Graph()
    parts.add_nodes_from(names)
    parts.add_edges_from(edges)
    ordered = sorted((sorted(c) for c in nx.connected_components(parts)), key=lambda c: c[0])
    return {name: i for i, members in enumerate(ordered) for name in members}


def _name(g: nx.MultiDiGraph, node: str) -> str:
    """Name a model in DOT: its Hub id, else its IRI without the scheme.

    DOT edge statements read ``:`` as a port separator, so names never contain one;
    group names (``group/depth/+2``) have two slashes, which no Hub id has.
    """
    hub_id = g.nodes[node].get("id")
    return str(hub_id) if hub_id else node.split("://", 1)[-1].replace(":", "%3A")


def _title(g: nx.MultiDiGraph, sel: Selection, groups: dict[str, _Group], *, up: int,
           down: int) -> str:
    if sel.depth and sel.focus is not None:
        head = (f"Lineage of {_name(g, sel.focus)}: {_plural(up, 'generation')} up, "
                f"{down} down")
    else:
        head = "Lineage graph"
    parts = [f"{_plural(len(sel.nodes), 'model')}"]
    summaries = [grp for grp in groups.values() if grp.kind == "summary"]
    if summaries:
        parts.append(f"summarised: {sum(len(grp.members) for grp in summaries):,} of them "
                     f"in {_plural(len(summaries), 'group')}")
    if sel.relations != frozenset(r.value for r in Relation):
        parts.append("relations: " + ", ".join(sorted(sel.relations)))
    return _plain(f"{head} ({'; '.join(parts)})")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _org_clusters(g: nx.MultiDiGraph, real: list[str], groups: dict[str, _Group],
                  parts: Mapping[str, int]) -> dict[str, tuple[str, list[str]]]:
    """Group the drawn nodes of one organisation in one connected part, two or more.

    Returns ``{cluster name: (organisation, nodes)}``: ``cluster_<org>``, or
    ``cluster_<org>_<n>`` when the organisation has models in several unconnected parts.
    """
    by_org: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node in real:
        if g.nodes[node].get("org"):
            by_org[(g.nodes[node]["org"], parts[_name(g, node)])].append(node)
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


def _draw_nodes(dot: graphviz.Digraph, g: nx.MultiDiGraph, sel: Selection, real: list[str],
                groups: dict[str, _Group], conflicts: dict[str, Conflict],
                parts: Mapping[str, int]) -> set[str]:
    """Add the model and group nodes, clustered by organisation; return the kinds drawn."""
    clusters = _org_clusters(g, real, groups, parts)
    in_cluster = {n for _, nodes in clusters.values() for n in nodes}

    def add(target: graphviz.Digraph, node: str) -> None:
        if node in groups:
            target.node(_plain(node), **_group_attrs(g, groups[node], conflicts, sel))
        else:
            target.node(_plain(_name(g, node)),
                        **_node_attrs(g, node, sel, conflicts.get(node)))

    for cluster, (org, nodes) in clusters.items():
        with dot.subgraph(name=_plain(cluster)) as sub:
            sub.attr(label=_plain(org), style="rounded,dashed", color="#9a9a9a",
                     fontcolor=_MUTED, fontsize="12", margin="10")
            for node in nodes:
                add(sub, node)
    for node in real:
        if node not in in_cluster:
            add(dot, node)
    for key in sorted(groups):
        if key not in in_cluster:
            add(dot, key)
    kinds = {str(g.nodes[n].get("kind") or "derived") for n in real}
    return kinds | {grp.kind for grp in groups.values()}


def _node_attrs(g: nx.MultiDiGraph, node: str, sel: Selection,
                conflict: Conflict | None) -> dict[str, str]:
    data = g.nodes[node]
    kind = str(data.get("kind") or "derived")
    style = _KINDS.get(kind, _KINDS["derived"])
    hidden = _hidden(g, node, sel)
    lines = [f"<B>{_html(_short(data))}</B>"]
    if data.get("org") and kind != "unresolved":
        lines.append(_font(_html(data["org"]), size=9, color=_MUTED))
    license_text = _license_text(data)
    if conflict is not None:
        lines.append(_font(f"<B>{_html(license_text)} (license conflict)</B>", size=9,
                           color=_CONFLICT))
    elif license_text:
        lines.append(_font(_html(license_text), size=9))
    if hidden:
        lines.append(_font(f"<I>{_html(hidden)}</I>", size=8, color=_MUTED))
    attrs = {"label": f"<{'<BR/>'.join(lines)}>", "shape": style.shape,
             "fillcolor": style.fill, "color": style.border, "style": style.style,
             "tooltip": _tooltip(g, node, kind, style, conflict, hidden)}
    if style.font:
        attrs["fontcolor"] = style.font
    if not data.get("described", True) and kind != "unresolved":
        attrs["style"] += ",dashed"
    if conflict is not None:
        attrs["color"] = _CONFLICT
        attrs["penwidth"] = "2.2"
    if node == sel.focus:
        attrs.update(color=_FOCUS, penwidth="3.5", style=attrs["style"] + ",bold")
    if str(node).startswith("https://huggingface.co/"):
        attrs["URL"] = _plain(node)
    return attrs


def _short(data: Mapping[str, Any]) -> str:
    """Return the model name without its organisation (or a path's last part), wrapped."""
    hub_id = data.get("id")
    name = str(hub_id).split("/", 1)[-1] if hub_id else str(data.get("label") or "?")
    if not hub_id and name.count("/") > 1:  # a card's path or a URL standing for a name
        name = name.rstrip("/").rsplit("/", 1)[-1]
    return _wrap(name)


def _wrap(name: str, width: int = 32) -> str:
    """Break a long name after a ``-``, ``_``, ``.`` or space, into lines of ``width``.

    Examples
    --------
    >>> print(_wrap("Meta-Llama-3.1-70B-Instruct-abliterated-GGUF"))
    Meta-Llama-3.1-70B-Instruct-
    abliterated-GGUF
    """
    if len(name) <= width:
        return name
    cut = max((i for i, ch in enumerate(name[:width]) if ch in "-_. "), default=width - 1)
    return name[:cut + 1] + "\n" + _wrap(name[cut + 1:], width)


def _license_text(data: Mapping[str, Any]) -> str:
    lid, name = data.get("license"), data.get("license_name")
    if lid == "other" and name:
        return f"other: {name}"
    return str(lid or name or "")


def _hidden(g: nx.MultiDiGraph, node: str, sel: Selection) -> str:
    """Say how many parents and children of ``node`` the selection leaves out."""
    parents = _neighbours(g, node, -1, sel.relations) - sel.nodes
    children = _neighbours(g, node, 1, sel.relations) - sel.nodes
    parts = [_plural(len(parents), "parent") if parents else "",
             (f"{len(children):,} {'child' if len(children) == 1 else 'children'}"
              if children else "")]
    text = " and ".join(p for p in parts if p)
    return f"+{text} not shown" if text else ""


def _tooltip(g: nx.MultiDiGraph, node: str, kind: str, style: _Style,
             conflict: Conflict | None, hidden: str) -> str:
    data = g.nodes[node]
    lines = [str(data.get("id") or data.get("label") or node), style.legend]
    if _license_text(data):
        lines.append(f"license: {_license_text(data)}")
    aliases = [id_from_iri(a) or a for a in data.get("aliases", ())]
    if aliases:
        lines.append("also known as " + ", ".join(aliases))
    if conflict is not None:
        near = ", ".join(f"{_name(g, a)} ({lic}, {cat})" for a, lic, cat in conflict.ancestors[:3])
        more = len(conflict.ancestors) - 3
        lines.append(f"license conflict: {conflict.license} is permissive, but it derives "
                     f"from {near}{f' and {more} more' if more > 0 else ''}")
    if not data.get("described", True) and kind != "unresolved":
        lines.append("no card for this model in the store")
    if hidden:
        lines.append(hidden)
    return _plain_lines(lines)


def _group_attrs(g: nx.MultiDiGraph, group: _Group, conflicts: Mapping[str, Conflict],
                 sel: Selection) -> dict[str, str]:
    style = _KINDS[group.kind]
    members = sorted(group.members, key=lambda n: _name(g, n))
    lines = [f"<B>{_html(group.title)}</B>"]
    if group.kind == "summary":
        lines += [_font(_html(line), size=9, color=_MUTED) for line in _breakdown(g, members)]
    else:
        lines.append(_font(_html(_common_prefix(g, members)), size=9, color=_MUTED))
        if group.org:
            lines.append(_font(_html(group.org), size=9, color=_MUTED))
    if group.inside:
        lines.append(_font(f"{_plural(group.inside, 'derivation')} among them", size=9,
                           color=_MUTED))
    bad = [n for n in members if n in license_conflicts(g, [n])]
    if bad:
        lines.append(_font(f"<B>{_plural(len(bad), 'license conflict')}</B>", size=9,
                           color=_CONFLICT))
    shown = [_name(g, n) for n in members[:25]]
    if len(members) > 25:
        shown.append(f"... and {len(members) - 25:,} more")
    return {"label": f"<{'<BR/>'.join(lines)}>", "shape": style.shape, "fillcolor": style.fill,
            "color": _CONFLICT if bad else style.border, "style": style.style,
            "peripheries": "2", "tooltip": _plain_lines(shown)}


def _breakdown(g: nx.MultiDiGraph, members: list[str]) -> list[str]:
    """Two short lines: the kinds of the members and their largest organisations."""
    kinds = Counter(str(g.nodes[n].get("kind") or "derived") for n in members)
    orgs = Counter(g.nodes[n].get("org") for n in members if g.nodes[n].get("org"))
    lines = [", ".join(f"{c:,} {_KINDS.get(k, _KINDS['derived']).plural}"
                       for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:3])]
    if len(orgs) > 1:
        top = sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        lines.append(f"{len(orgs):,} orgs, most from " + ", ".join(f"{o} ({c:,})" for o, c in top))
    return lines


def _common_prefix(g: nx.MultiDiGraph, members: list[str]) -> str:
    """Return what the members' names share (``Acme-7B-Instruct-...``) or their count."""
    names = [_short(g.nodes[n]).replace("\n", "") for n in members]
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    return f"{prefix}..." if len(prefix) >= 4 else f"{len(members)} models"


_Single = tuple[str, str, str, Mapping[str, Any]]


def _route_edges(g: nx.MultiDiGraph, sel: Selection, rep: Mapping[str, str],
                 groups: Mapping[str, _Group],
                 ) -> tuple[list[_Single], Counter[tuple[str, str, str]]]:
    """Drawn parent -> child edges: one per derivation between models, counted per group.

    Returns ``(single, counted)``, sorted: ``single`` holds (parent, child, relation, edge
    data) by DOT name; ``counted`` the number of derivations into or out of a group.
    Derivations inside one group are counted in its ``inside``.
    """
    single: list[_Single] = []
    counted: Counter[tuple[str, str, str]] = Counter()
    for child, parent, rel, data in g.edges(keys=True, data=True):
        if rel not in sel.relations or child not in rep or parent not in rep:
            continue
        p, c = rep[parent], rep[child]
        if p == c:
            if p in groups:
                groups[p].inside += 1
            continue
        p_name = p if p in groups else _name(g, p)
        c_name = c if c in groups else _name(g, c)
        if p == parent and c == child:
            single.append((p_name, c_name, rel, data))
        else:
            counted[(p_name, c_name, rel)] += 1
    return sorted(single, key=lambda e: e[:3]), Counter(dict(sorted(counted.items())))


def _draw_edges(dot: graphviz.Digraph, single: list[_Single],
                counted: Counter[tuple[str, str, str]]) -> set[str]:
    """Add the routed edges; return the relations drawn."""
    for p_name, c_name, rel, data in single:
        dot.edge(_plain(p_name), _plain(c_name), **_edge_attrs(rel, data))
    for (p_name, c_name, rel), n in counted.items():
        attrs = _edge_attrs(rel, {})
        word = _RELATION_WORDS.get(rel, rel)
        attrs["label"] = _plain(f"{word} x{n:,}" if n > 1 else word)
        attrs["penwidth"] = f"{min(1.0 + n / 10, 4.0):.1f}"
        dot.edge(_plain(p_name), _plain(c_name), **attrs)
    return {e[2] for e in single} | {k[2] for k in counted}


def _edge_attrs(rel: str, data: Mapping[str, Any]) -> dict[str, str]:
    colour, line, arrow = _RELATIONS.get(rel, _RELATIONS["derived"])
    return {"label": _plain_lines(_edge_label(rel, data)), "color": colour, "fontcolor": colour,
            "style": line, **({"arrowhead": arrow} if arrow != "normal" else {})}


def _edge_label(rel: str, data: Mapping[str, Any]) -> list[str]:
    """Label an edge: ``merged (ties)``, then a merge's role, weight and density.

    Examples
    --------
    >>> _edge_label("merge", {"method": "ties", "role": "source", "weight": 0.5,
    ...                       "density": 0.6})
    ['merged (ties)', 'weight 0.5, density 0.6']
    """
    word = _RELATION_WORDS.get(rel, rel)
    method = data.get("method")
    if rel != "merge":
        return [word]
    lines = [f"{word} ({method})" if method else word]
    details = [f"{key} {data[key]:g}" for key in ("weight", "density")
               if isinstance(data.get(key), int | float)]
    if data.get("role") == "base":
        details.insert(0, "base model")
    if details:
        lines.append(", ".join(details))
    return lines


def _legend(dot: graphviz.Digraph, kinds: set[str], relations: set[str], *, focus: bool,
            conflicts: bool, undescribed: bool) -> None:
    """Add a ``cluster_legend`` box: sample nodes of the kinds drawn, then edge styles."""
    samples: list[tuple[str, dict[str, str]]] = []
    for kind in (k for k in _KINDS if k in kinds):
        style = _KINDS[kind]
        samples.append((f"legend/kind/{kind}", {
            "label": _plain(style.legend), "shape": style.shape, "fillcolor": style.fill,
            "color": style.border, "style": style.style,
            **({"fontcolor": style.font} if style.font else {}),
            **({"peripheries": "2"} if kind == "summary" else {})}))
    marks = [("focus", "focus model", {"color": _FOCUS, "penwidth": "3.5",
                                       "style": "filled,rounded,bold"}, focus),
             ("conflict", "license conflict\\nwith an ancestor",
              {"color": _CONFLICT, "fontcolor": _CONFLICT, "penwidth": "2.2",
               "style": "filled,rounded"}, conflicts),
             ("nocard", "no card in the store", {"style": "filled,rounded,dashed"},
              undescribed)]
    for key, text, attrs, wanted in marks:
        if wanted:
            samples.append((f"legend/mark/{key}", {"label": text, "shape": "box",
                                                    "fillcolor": "#ffffff", **attrs}))
    with dot.subgraph(name="cluster_legend") as leg:
        leg.attr(label="Legend", style="rounded", color="#bbbbbb", fontsize="12",
                 fontcolor=_MUTED, margin="8")
        leg.attr("node", fontsize="10", width="1.6")
        rows = [samples[i:i + 2] for i in range(0, len(samples), 2)]
        heads: list[str] = []
        for row in rows:
            with leg.subgraph() as same:
                same.attr(rank="same")
                for name, attrs in row:
                    same.node(name, **attrs)
                for left, right in itertools.pairwise(row):
                    same.edge(left[0], right[0], style="invis")
            heads.append(row[0][0])
        if relations:
            heads.append("legend/edges")
            leg.node(heads[-1], label=_edge_table(relations), shape="plaintext",
                     width="0", margin="0")
        for above, below in itertools.pairwise(heads):
            leg.edge(above, below, style="invis")


def _edge_table(relations: set[str]) -> str:
    """Return an HTML table: a row per relation drawn, in its colour and line style."""
    words = {"solid": "solid", "bold": "thick", "dashed": "dashed", "dotted": "dotted"}
    extra = {"merge": ": method, weight, density", "finetune": "", "quantized": "",
             "adapter": "", "derived": " (kind unknown)"}
    rows = []
    for rel in (r for r in _RELATIONS if r in relations):
        colour, line, arrow = _RELATIONS[rel]
        shape = f"{words[line]} line{', open arrow' if arrow != 'normal' else ''}"
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{colour}"><B>{shape}</B>'
                    f'</FONT></TD><TD ALIGN="LEFT">{_RELATION_WORDS[rel]}'
                    f"{_html(extra.get(rel, ''))}</TD></TR>")
    return ('<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><I>edges: parent to derived model</I></TD></TR>'
            + "".join(rows) + "</TABLE>>")


def draw(store: Store, model: str | None, *, out: Path, fmt: DiagramFormat | None = None,
         up: int = 2, down: int = 2, relations: Collection[Relation | str] | None = None,
         everything: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
         collapse_quantized: int | None = DEFAULT_COLLAPSE_QUANTIZED) -> Diagram:
    """Draw the lineage of ``model`` (or of everything) in ``store`` and write it to ``out``.

    ``fmt`` defaults to the extension of ``out``; the other options are those of
    :func:`lineage_diagram`, and ``model`` is a Hub id, alias, URL or label in any case.

    Raises
    ------
    ExportError
        Without a model or ``everything``, for a negative option, an unknown extension,
        a missing ``dot`` program (SVG, PNG, PDF) or an unwritable ``out``.
    QueryError
        When the store has no such model.
    """
    if model is None and not everything:
        msg = "name the MODEL to draw around, or draw the whole graph (--all)"
        raise ExportError(msg)
    if min(up, down) < 0 or max_nodes < 1 or (collapse_quantized or 0) < 0:
        msg = "up, down and collapse_quantized must be 0 or more, max_nodes 1 or more"
        raise ExportError(msg)
    fmt = fmt or DiagramFormat.from_path(out)
    g = graph_for(store)
    result = lineage_diagram(g, focus=resolve(g, model) if model else None, up=up, down=down,
                             relations=relations, everything=everything, max_nodes=max_nodes,
                             collapse_quantized=collapse_quantized)
    write_diagram(result, out, fmt)
    return result


# -- output ------------------------------------------------------------------------------


def render(diagram: Diagram, fmt: DiagramFormat) -> bytes:
    """Return the diagram as ``fmt`` bytes; only DOT works without Graphviz's programs.

    SVG, PNG and PDF are laid out by ``dot``. A drawing of more than
    :data:`PACK_COMPONENTS` unconnected parts is laid out part by part and the parts
    packed in a grid (``ccomps | dot | gvpack | neato -n2``), not in one long row.

    Raises
    ------
    ExportError
        Naming ``apt-get install graphviz`` when a program is not on the ``PATH``.
    """
    source = cast("str", diagram.dot.source)
    if fmt is DiagramFormat.DOT:
        return source.encode("utf-8")
    output = [f"-T{fmt.value}", *(["-Gdpi=110"] if fmt is DiagramFormat.PNG else [])]
    if diagram.components <= PACK_COMPONENTS:
        return _pipe([["dot", *output]], source, fmt)
    job = diagram.dot.copy()
    title = job.graph_attr.pop("label", "")  # one title for the grid, not one per part
    columns = max(2, math.ceil(math.sqrt(diagram.components) / 2))
    return _pipe([["ccomps", "-x"], ["dot"], ["gvpack", f"-array_t{columns}"],
                  ["neato", "-s", "-n2", f"-Glabel={title}", *output]], job.source, fmt)


def _pipe(commands: list[list[str]], source: str, fmt: DiagramFormat) -> bytes:
    """Feed ``source`` through the Graphviz ``commands`` in turn; return the last output."""
    data = source.encode("utf-8")
    for command in commands:
        try:
            proc = subprocess.run(command, input=data, capture_output=True, check=False,
                                  timeout=RENDER_TIMEOUT)
        except FileNotFoundError:
            msg = (f"cannot render {fmt.value.upper()}: the Graphviz '{command[0]}' program is "
                   f"not on the PATH (install it with `{INSTALL_HINT}`, or write a .dot file)")
            raise ExportError(msg) from None
        except subprocess.TimeoutExpired:
            msg = f"{command[0]} took more than {RENDER_TIMEOUT} s: draw less (--up, --down)"
            raise ExportError(msg) from None
        # ccomps exits 1 when it found several parts, which is what it is used for here
        if proc.returncode != 0 and not (command[0] == "ccomps" and proc.returncode == 1):
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            msg = (f"{command[0]} failed to render {fmt.value.upper()}: "
                   f"{detail[0] if detail else f'exit status {proc.returncode}'}")
            raise ExportError(msg)
        data = proc.stdout
    return data


def write_diagram(diagram: Diagram, out: Path, fmt: DiagramFormat) -> None:
    """Render ``diagram`` as ``fmt`` and write it to ``out``."""
    data = render(diagram, fmt)
    try:
        out.write_bytes(data)
    except OSError as exc:
        msg = f"cannot write the diagram: {exc.strerror or exc}"
        raise ExportError(msg, source=str(out)) from None


# -- text helpers ------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Make a DOT string taken literally: no HTML, no backslash escapes."""
    return cast("str", graphviz.escape(text))


def _plain_lines(lines: Iterable[str]) -> str:
    """Literal lines joined by DOT's centred line break."""
    return cast("str", graphviz.nohtml("\\n".join(
        line.replace("\\", "\\\\") for line in lines)))


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<BR/>")


def _font(inner: str, *, size: int, color: str | None = None) -> str:
    colour = f' COLOR="{color}"' if color else ""
    return f'<FONT POINT-SIZE="{size}"{colour}>{inner}</FONT>'
