"""How a diagram looks: node, group and edge attributes, and the legend.

Node shape and fill show the kind (pretrained base, fine-tune, merge, quantized, adapter,
derived) in the colour-blind-safe Okabe-Ito palette, and models without a Hub id (local
paths, bare names) are drawn apart, grey and dashed; the focus model has a thick black
border; a permissive license on a model with a non-commercial or custom-licensed ancestor
is written in red with a tooltip naming that ancestor. A legend explains the kinds and
edge styles used.

Examples
--------
>>> edge_label("merge", {"method": "ties", "weight": 0.7})
['merged (ties)', 'weight 0.7']
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import graphviz
import networkx as nx

from lineage.diagrams.select import (
    Conflict,
    Group,
    Selection,
    license_text,
    neighbours,
    node_name,
    plural,
)
from lineage.ids import id_from_iri

__all__ = [
    "EDGE",
    "GRAPH",
    "KINDS",
    "MUTED",
    "NODE",
    "RELATIONS",
    "RELATION_WORDS",
    "Style",
    "drawn_kind",
    "edge_attrs",
    "edge_label",
    "group_attrs",
    "html_text",
    "node_attrs",
    "plain",
    "plain_lines",
]



@dataclass(frozen=True, slots=True)
class Style:
    """The look of one kind of node, and its words in the legend."""

    shape: str
    fill: str
    border: str
    style: str
    legend: str
    plural: str
    font: str | None = None


# Okabe-Ito colours for borders and edges, pale tints of them for fills.
KINDS: dict[str, Style] = {
    "base": Style("box", "#cfe3f1", "#0072b2", "filled", "pretrained base", "bases"),
    "finetune": Style("box", "#c9ede0", "#009e73", "filled,rounded", "fine-tune",
                       "fine-tunes"),
    "merge": Style("hexagon", "#fbe6b8", "#b77e00", "filled", "merge", "merges"),
    "quantized": Style("note", "#f7f2b8", "#8a7f00", "filled", "quantized", "quantized"),
    "adapter": Style("component", "#f4dcea", "#b3588c", "filled", "adapter (LoRA...)",
                      "adapters"),
    "derived": Style("box", "#ddeefa", "#3a8fc4", "filled,rounded,diagonals",
                      "derived (kind unknown)", "derived"),
    # A name no Hub id was found for (a local path, a bare name): grey and dashed, apart.
    "unresolved": Style("box", "#f0f0f0", "#8c8c8c", "filled,dashed",
                         "unresolved name (no Hub id)", "unresolved", "#6e6e6e"),
    # A model no card in the store describes: what it is is unknown (even when it has no
    # known parent it need not be a pretrained base), so white and dashed, its own look.
    "nocard": Style("box", "#ffffff", "#4d4d4d", "filled,rounded,dashed",
                    "no card in the store", "without a card"),
    "summary": Style("folder", "#eeeeee", "#6e6e6e", "filled", "several models (summary)",
                     "summaries"),
}
# relation: (colour, line style, arrowhead); line and arrow tell them apart without colour
RELATIONS: dict[str, tuple[str, str, str]] = {
    "finetune": ("#009e73", "solid", "normal"),
    "merge": ("#b77e00", "bold", "normal"),
    "quantized": ("#8a7f00", "dashed", "normal"),
    "adapter": ("#b3588c", "dotted", "normal"),
    "derived": ("#3a8fc4", "solid", "empty"),
}
RELATION_WORDS = {"finetune": "fine-tuned", "merge": "merged", "quantized": "quantized",
                   "adapter": "adapter", "derived": "derived"}
# Red, as README says; unlike Okabe-Ito's vermillion (#d55e00), which deuteranopes cannot
# tell from the merge colour (CIELAB distance 1.4 under Machado 2009), it stays at least
# 18 from every colour here for protan, deutan and tritan vision. Text says it too.
CONFLICT = "#b2182b"
FOCUS = "#000000"
MUTED = "#555555"
_FONT = "Helvetica"
GRAPH = {"rankdir": "TB", "fontname": _FONT, "fontsize": "16", "labelloc": "t",
          "nodesep": "0.3", "ranksep": "0.55", "newrank": "true", "compound": "true",
          "bgcolor": "white", "pad": "0.3"}
NODE = {"fontname": _FONT, "fontsize": "11", "margin": "0.12,0.06", "penwidth": "1.4"}
EDGE = {"fontname": _FONT, "fontsize": "9", "arrowsize": "0.7"}

def drawn_kind(data: Mapping[str, Any]) -> str:
    """Return the style a model is drawn in: its kind, or ``nocard`` when no card describes it.

    Examples
    --------
    >>> drawn_kind({"kind": "base", "described": False}), drawn_kind({"kind": "merge"})
    ('nocard', 'merge')
    """
    kind = str(data.get("kind") or "derived")
    if kind != "unresolved" and not data.get("described", True):
        return "nocard"
    return kind if kind in KINDS else "derived"


def node_attrs(g: nx.MultiDiGraph, node: str, sel: Selection, conflict: Conflict | None,
               drawn: Collection[str]) -> dict[str, str]:
    """Return the DOT attributes of the model ``node``: label, shape, colours, tooltip.

    A license conflict names its nearest restrictive ancestor on the node, saying so when
    that ancestor is not among the ``drawn`` models.
    """
    data = g.nodes[node]
    kind = drawn_kind(data)
    style = KINDS[kind]
    hidden = _hidden(g, node, sel)
    lines = [f"<B>{html_text(_short(data))}</B>"]
    if data.get("org") and kind != "unresolved":
        lines.append(_font(html_text(data["org"]), size=9, color=MUTED))
    if kind == "nocard" and data.get("kind") not in (None, "base"):
        stated = KINDS.get(str(data["kind"]), KINDS["derived"]).legend
        lines.append(_font(f"<I>{html_text(stated)}, as other cards say</I>", size=8, color=MUTED))
    lines += _license_lines(g, data, conflict, drawn)
    if hidden:
        lines.append(_font(f"<I>{html_text(hidden)}</I>", size=8, color=MUTED))
    attrs = {"label": f"<{'<BR/>'.join(lines)}>", "shape": style.shape,
             "fillcolor": style.fill, "color": style.border, "style": style.style,
             "tooltip": _tooltip(g, node, kind, style, conflict, hidden)}
    if style.font:
        attrs["fontcolor"] = style.font
    if conflict is not None:
        attrs["color"] = CONFLICT
        attrs["penwidth"] = "2.2"
    if node == sel.focus:
        attrs.update(color=FOCUS, penwidth="3.5", style=attrs["style"] + ",bold")
    if str(node).startswith("https://huggingface.co/"):
        attrs["URL"] = plain(node)
    return attrs


def _license_lines(g: nx.MultiDiGraph, data: Mapping[str, Any], conflict: Conflict | None,
                   drawn: Collection[str]) -> list[str]:
    """Return the license lines of a node: for a conflict, red, naming the ancestor."""
    lic = license_text(data)
    if conflict is None:
        return [_font(html_text(lic), size=9)] if lic else []
    ancestor, their, _ = conflict.ancestors[0]
    notes = [their or "no license"]
    if ancestor not in drawn:
        notes.append("not shown")
    if len(conflict.ancestors) > 1:
        notes.append(f"+{len(conflict.ancestors) - 1:,} more")
    return [_font(f"<B>{html_text(lic)} (license conflict)</B>", size=9, color=CONFLICT),
            _font(html_text(f"derives from {node_name(g, ancestor)}"), size=8, color=CONFLICT),
            _font(html_text(f"({', '.join(notes)})"), size=8, color=CONFLICT)]


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


def _hidden(g: nx.MultiDiGraph, node: str, sel: Selection) -> str:
    """Say how many parents and children of ``node`` the selection leaves out."""
    parents = neighbours(g, node, -1, sel.relations) - sel.nodes
    children = neighbours(g, node, 1, sel.relations) - sel.nodes
    parts = [plural(len(parents), "parent") if parents else "",
             (f"{len(children):,} {'child' if len(children) == 1 else 'children'}"
              if children else "")]
    text = " and ".join(p for p in parts if p)
    return f"+{text} not shown" if text else ""


def _tooltip(g: nx.MultiDiGraph, node: str, kind: str, style: Style,
             conflict: Conflict | None, hidden: str) -> str:
    data = g.nodes[node]
    lines = [str(data.get("id") or data.get("label") or node), style.legend]
    if license_text(data):
        lines.append(f"license: {license_text(data)}")
    aliases = [id_from_iri(a) or a for a in data.get("aliases", ())]
    if aliases:
        lines.append("also known as " + ", ".join(aliases))
    if conflict is not None:
        near = ", ".join(f"{node_name(g, a)} ({lic}, {cat})"
                         for a, lic, cat in conflict.ancestors[:3])
        more = len(conflict.ancestors) - 3
        lines.append(f"license conflict: {conflict.license} is permissive, but it derives "
                     f"from {near}{f' and {more} more' if more > 0 else ''}")
    if hidden:
        lines.append(hidden)
    return plain_lines(lines)


def group_attrs(g: nx.MultiDiGraph, group: Group, conflicts: Mapping[str, Conflict],
                 sel: Selection) -> dict[str, str]:
    """Return the DOT attributes of a node standing for several models."""
    style = KINDS[group.kind]
    members = sorted(group.members, key=lambda n: node_name(g, n))
    lines = [f"<B>{html_text(group.title)}</B>"]
    if group.kind == "summary":
        lines += [_font(html_text(line), size=9, color=MUTED) for line in _breakdown(g, members)]
    else:
        lines.append(_font(html_text(_common_prefix(g, members)), size=9, color=MUTED))
        if group.org:
            lines.append(_font(html_text(group.org), size=9, color=MUTED))
    if group.inside:
        lines.append(_font(f"{plural(group.inside, 'derivation')} among them", size=9,
                           color=MUTED))
    bad = [n for n in members if n in conflicts]
    if bad:
        lines.append(_font(f"<B>{plural(len(bad), 'license conflict')}</B>", size=9,
                           color=CONFLICT))
    shown = [node_name(g, n) for n in members[:25]]
    if len(members) > 25:
        shown.append(f"... and {len(members) - 25:,} more")
    return {"label": f"<{'<BR/>'.join(lines)}>", "shape": style.shape, "fillcolor": style.fill,
            "color": CONFLICT if bad else style.border, "style": style.style,
            "peripheries": "2", "tooltip": plain_lines(shown)}


def _breakdown(g: nx.MultiDiGraph, members: list[str]) -> list[str]:
    """Two short lines: the kinds of the members and their largest organisations."""
    kinds = Counter(drawn_kind(g.nodes[n]) for n in members)
    orgs = Counter(g.nodes[n].get("org") for n in members if g.nodes[n].get("org"))
    lines = [", ".join(f"{c:,} {KINDS[k].plural}"
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


def edge_attrs(rel: str, data: Mapping[str, Any]) -> dict[str, str]:
    """Return the DOT attributes of an edge of relation ``rel``."""
    colour, line, arrow = RELATIONS.get(rel, RELATIONS["derived"])
    return {"label": plain_lines(edge_label(rel, data)), "color": colour, "fontcolor": colour,
            "style": line, **({"arrowhead": arrow} if arrow != "normal" else {})}


def edge_label(rel: str, data: Mapping[str, Any]) -> list[str]:
    """Label an edge: ``merged (ties)``, then a merge's role, weight and density.

    Examples
    --------
    >>> edge_label("merge", {"method": "ties", "role": "source", "weight": 0.5,
    ...                       "density": 0.6})
    ['merged (ties)', 'weight 0.5, density 0.6']
    """
    word = RELATION_WORDS.get(rel, rel)
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


def plain(text: str) -> str:
    """Make a DOT string taken literally: no HTML, no backslash escapes."""
    return cast("str", graphviz.escape(text))


def plain_lines(lines: Iterable[str]) -> str:
    """Literal lines joined by DOT's centred line break."""
    return cast("str", graphviz.nohtml("\\n".join(
        line.replace("\\", "\\\\") for line in lines)))


def html_text(text: str) -> str:
    """Escape ``text`` for an HTML-like label; newlines become line breaks."""
    return html.escape(text, quote=False).replace("\n", "<BR/>")


def _font(inner: str, *, size: int, color: str | None = None) -> str:
    colour = f' COLOR="{color}"' if color else ""
    return f'<FONT POINT-SIZE="{size}"{colour}>{inner}</FONT>'
