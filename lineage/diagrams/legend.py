"""The legend of a diagram: a compact box under the drawing explaining what it uses.

One row of sample nodes (each kind drawn, the focus and conflict marks) and a table: which
way edges point, the line of each relation drawn, and what double borders, counted edges
and organisation boxes mean when the drawing has them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import graphviz

from lineage.diagrams.style import (
    CONFLICT,
    FOCUS,
    KINDS,
    MUTED,
    RELATION_WORDS,
    RELATIONS,
    html_text,
    plain,
)

__all__ = ["Drawn", "legend"]


@dataclass(frozen=True, slots=True)
class Drawn:
    """What a drawing uses, so that its legend explains exactly that."""

    kinds: frozenset[str]
    relations: frozenset[str]
    focus: bool = False
    conflicts: bool = False
    groups: bool = False
    """Some node stands for several models (a summary or folded quantized leaves)."""
    counted: bool = False
    """Some edge stands for several derivations."""
    clusters: bool = False
    """Some organisation has a box."""


_MARKS = (  # (key, label, attributes, the Drawn flag that calls for it)
    ("focus", "focus model", {"color": FOCUS, "penwidth": "3.5",
                              "style": "filled,rounded,bold"}, "focus"),
    ("conflict", "license conflict:\nnames the ancestor", {
        "color": CONFLICT, "fontcolor": CONFLICT, "penwidth": "2.2",
        "style": "filled,rounded"}, "conflicts"),
)
_LEGEND_ROW = 8
"""At most this many sample nodes in a row of the legend."""
_NOTES = (  # (the Drawn flag, a line of the legend's table)
    ("groups", "double border: several models in one node (hover for their names)"),
    ("counted", "an edge marked xN stands for N derivations"),
    ("clusters", "dashed box: the models of one organisation"),
)


def legend(dot: graphviz.Digraph, drawn: Drawn, *, below: Iterable[str] = ()) -> None:
    """Add a compact ``cluster_legend``: rows of sample nodes, then a table.

    The rows hold a sample node of each kind drawn and of the focus and conflict marks;
    the table says which way edges point, the style of each relation drawn, and what
    double borders, counted edges and organisation boxes mean when they are used. Invisible
    edges from the nodes ``below`` (the drawing's lowest models) put the legend under them.
    """
    samples: list[tuple[str, dict[str, str]]] = []
    for kind in (k for k in KINDS if k in drawn.kinds):
        style = KINDS[kind]
        samples.append((f"legend/kind/{kind}", {
            "label": plain(style.legend), "shape": style.shape, "fillcolor": style.fill,
            "color": style.border, "style": style.style,
            **({"fontcolor": style.font} if style.font else {}),
            **({"peripheries": "2"} if kind == "summary" else {})}))
    samples += [(f"legend/mark/{key}", {"label": text, "shape": "box", "fillcolor": "#ffffff",
                                        **attrs})
                for key, text, attrs, flag in _MARKS if getattr(drawn, flag)]
    rows = [samples[i:i + _LEGEND_ROW] for i in range(0, len(samples), _LEGEND_ROW)]
    table = ("legend/edges", {"label": _legend_table(drawn), "shape": "plaintext",
                              "width": "0", "margin": "0"})
    rows = [[*rows[0], table], *rows[1:]] if rows else [[table]]
    with dot.subgraph(name="cluster_legend") as leg:
        leg.attr(label="Legend", labeljust="l", style="rounded", color="#bbbbbb",
                 fontsize="11", fontcolor=MUTED, margin="6")
        leg.attr("node", fontsize="9", height="0.3", margin="0.08,0.03")
        for row in rows:
            with leg.subgraph() as same:
                same.attr(rank="same")
                for sample, attrs in row:
                    same.node(sample, **attrs)
                for left, right in itertools.pairwise(row):
                    same.edge(left[0], right[0], style="invis")
        for above, under in itertools.pairwise(row[0][0] for row in rows):
            leg.edge(above, under, style="invis")
    for node in below:
        dot.edge(plain(node), rows[0][0][0], style="invis", weight="0")


def _legend_table(drawn: Drawn) -> str:
    """Return an HTML table: the edge direction, a row per relation drawn, then notes."""
    words = {"solid": "solid", "bold": "thick", "dashed": "dashed", "dotted": "dotted"}
    extra = {"merge": ": method, weight, density", "derived": " (kind unknown)"}
    rows = []
    for rel in (r for r in RELATIONS if r in drawn.relations):
        colour, line, arrow = RELATIONS[rel]
        shape = f"{words[line]} line{', open arrow' if arrow != 'normal' else ''}"
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{colour}"><B>{shape}</B>'
                    f'</FONT></TD><TD ALIGN="LEFT">{RELATION_WORDS[rel]}'
                    f"{html_text(extra.get(rel, ''))}</TD></TR>")
    rows += [f'<TR><TD COLSPAN="2" ALIGN="LEFT">{html_text(text)}</TD></TR>'
             for flag, text in _NOTES if getattr(drawn, flag)]
    return ('<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">'
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><I>parents above children; each edge points '
            "from a parent to the model derived from it</I></TD></TR>"
            + "".join(rows) + "</TABLE>>")
