"""Drawing and rendering: the Graphviz graph of a selection, and its SVG, PNG, PDF or DOT.

Parents are drawn above their children and every edge points from a parent to the model
derived from it. Models of one organisation share a ``cluster_<org>`` box. Output is
deterministic, so DOT files diff cleanly; SVG, PNG and PDF are laid out by Graphviz's
programs, many unconnected parts packed in a grid. (The package's docstring,
:mod:`lineage.diagrams`, draws an example.)
"""

from __future__ import annotations

import math
import subprocess
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, cast

import graphviz
import networkx as nx

from lineage.diagrams.legend import Drawn, legend
from lineage.diagrams.select import (
    DEFAULT_COLLAPSE_QUANTIZED,
    DEFAULT_MAX_NODES,
    Conflict,
    Group,
    Selection,
    fold_quantized,
    license_conflicts,
    node_name,
    org_clusters,
    plural,
    select,
    summarise,
)
from lineage.diagrams.style import (
    EDGE,
    GRAPH,
    MUTED,
    NODE,
    RELATION_WORDS,
    drawn_kind,
    edge_attrs,
    group_attrs,
    node_attrs,
    plain,
)
from lineage.errors import ExportError
from lineage.facts import Relation
from lineage.store import Store
from lineage.view import LineageView

__all__ = [
    "INSTALL_HINT",
    "PACK_COMPONENTS",
    "RENDER_TIMEOUT",
    "Diagram",
    "DiagramFormat",
    "draw",
    "lineage_diagram",
    "render",
    "write_diagram",
]

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


def lineage_diagram(g: nx.MultiDiGraph | LineageView, *, focus: str | None = None, up: int = 2,
                    down: int = 2, relations: Collection[Relation | str] | None = None,
                    everything: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
                    collapse_quantized: int | None = DEFAULT_COLLAPSE_QUANTIZED,
                    ) -> Diagram:
    """Draw the lineage around ``focus`` (a node of ``g``) or the whole graph.

    Parameters
    ----------
    g : networkx.MultiDiGraph or LineageView
        The view of a store, or a graph of :func:`lineage.graph.lineage_graph` (edges from
        child to parent).
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
    view = LineageView.from_graph(g)
    g = view.graph
    sel = select(view, focus, up=up, down=down, relations=relations, everything=everything)
    rep, groups = summarise(g, sel, max_nodes)
    fold_quantized(g, sel, rep, groups, collapse_quantized)
    real = sorted((n for n, r in rep.items() if n == r), key=lambda n: node_name(g, n))
    conflicts = license_conflicts(view, [*real, *(m for grp in groups.values()
                                            for m in grp.members)])
    title = _title(g, sel, groups, up=up, down=down)
    dot = graphviz.Digraph("lineage", graph_attr={**GRAPH, "label": title},
                           node_attr=NODE, edge_attr=EDGE)
    single, counted = _route_edges(g, sel, rep, groups)
    parts = _components([node_name(g, n) for n in real] + sorted(groups),
                        [e[:2] for e in single] + [e[:2] for e in counted])
    kinds, clustered = _draw_nodes(dot, g, sel, real, groups, conflicts, parts)
    components = len(set(parts.values()))
    # The legend goes under the lowest models, unless the parts are packed in a grid,
    # where it is a part of its own (edges to it would join them all).
    parents = {e[0] for e in single} | {e[0] for e in counted}
    legend(dot, Drawn(frozenset(kinds), frozenset(_draw_edges(dot, single, counted)),
                      focus=sel.focus is not None, conflicts=bool(conflicts),
                      groups=bool(groups), counted=bool(counted), clusters=clustered),
           below=sorted(set(parts) - parents) if components <= PACK_COMPONENTS else ())
    return Diagram(dot, len(sel.nodes), len(real) + len(groups), len(single) + len(counted),
                   any(grp.kind == "summary" for grp in groups.values()), components)


def _components(names: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Index the unconnected parts of the drawing, in the order of their first names."""
    parts = nx.Graph()
    parts.add_nodes_from(names)
    parts.add_edges_from(edges)
    ordered = sorted((sorted(c) for c in nx.connected_components(parts)), key=lambda c: c[0])
    return {name: i for i, members in enumerate(ordered) for name in members}


def _title(g: nx.MultiDiGraph, sel: Selection, groups: dict[str, Group], *, up: int,
           down: int) -> str:
    if sel.depth and sel.focus is not None:
        head = (f"Lineage of {node_name(g, sel.focus)}: {plural(up, 'generation')} up, "
                f"{down} down")
    else:
        head = "Lineage graph"
    parts = [f"{plural(len(sel.nodes), 'model')}"]
    summaries = [grp for grp in groups.values() if grp.kind == "summary"]
    if summaries:
        parts.append(f"summarised: {sum(len(grp.members) for grp in summaries):,} of them "
                     f"in {plural(len(summaries), 'group')}")
    if sel.relations != frozenset(r.value for r in Relation):
        parts.append("relations: " + ", ".join(sorted(sel.relations)))
    return plain(f"{head} ({'; '.join(parts)})")


def _draw_nodes(dot: graphviz.Digraph, g: nx.MultiDiGraph, sel: Selection, real: list[str],
                groups: dict[str, Group], conflicts: dict[str, Conflict],
                parts: Mapping[str, int]) -> tuple[set[str], bool]:
    """Add the model and group nodes, clustered by organisation.

    Returns the kinds drawn and whether an organisation got a box.
    """
    clusters = org_clusters(g, real, groups, parts)
    in_cluster = {n for _, nodes in clusters.values() for n in nodes}
    drawn = set(real)

    def add(target: graphviz.Digraph, node: str) -> None:
        if node in groups:
            target.node(plain(node), **group_attrs(g, groups[node], conflicts, sel))
        else:
            target.node(plain(node_name(g, node)),
                        **node_attrs(g, node, sel, conflicts.get(node), drawn))

    for cluster, (org, nodes) in clusters.items():
        with dot.subgraph(name=plain(cluster)) as sub:
            sub.attr(label=plain(org), style="rounded,dashed", color="#9a9a9a",
                     fontcolor=MUTED, fontsize="12", margin="10")
            for node in nodes:
                add(sub, node)
    for node in real:
        if node not in in_cluster:
            add(dot, node)
    for key in sorted(groups):
        if key not in in_cluster:
            add(dot, key)
    kinds = {drawn_kind(g.nodes[n]) for n in real}
    return kinds | {grp.kind for grp in groups.values()}, bool(clusters)


_Single = tuple[str, str, str, Mapping[str, Any]]


def _route_edges(g: nx.MultiDiGraph, sel: Selection, rep: Mapping[str, str],
                 groups: Mapping[str, Group],
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
        p_name = p if p in groups else node_name(g, p)
        c_name = c if c in groups else node_name(g, c)
        if p == parent and c == child:
            single.append((p_name, c_name, rel, data))
        else:
            counted[(p_name, c_name, rel)] += 1
    return sorted(single, key=lambda e: e[:3]), Counter(dict(sorted(counted.items())))


def _draw_edges(dot: graphviz.Digraph, single: list[_Single],
                counted: Counter[tuple[str, str, str]]) -> set[str]:
    """Add the routed edges; return the relations drawn."""
    for p_name, c_name, rel, data in single:
        dot.edge(plain(p_name), plain(c_name), **edge_attrs(rel, data))
    for (p_name, c_name, rel), n in counted.items():
        attrs = edge_attrs(rel, {})
        word = RELATION_WORDS.get(rel, rel)
        attrs["label"] = plain(f"{word} x{n:,}" if n > 1 else word)
        attrs["penwidth"] = f"{min(1.0 + n / 10, 4.0):.1f}"
        dot.edge(plain(p_name), plain(c_name), **attrs)
    return {e[2] for e in single} | {k[2] for k in counted}


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
    view = LineageView.of(store)
    result = lineage_diagram(view, focus=view.resolve(model) if model else None, up=up, down=down,
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
