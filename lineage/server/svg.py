"""A Graphviz SVG made safe to inline in a page, its model nodes linked to their pages.

Graphviz escapes the labels it draws, but the SVG is still text from cards: it is parsed,
only drawing elements and attributes are kept (no script, no event handler, no foreign
link), and it is written again by the XML serialiser, which escapes every text and
attribute. Each model node becomes a link to that model's page; the tooltips Graphviz
puts on links become SVG ``<title>`` elements.

Examples
--------
>>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
...        '<g class="node"><title>o/m</title><g><a xlink:href="https://huggingface.co/o/m" '
...        'xlink:title="o/m &lt;b&gt;"><text onclick="x()">m</text></a></g></g>'
...        '<script>alert(1)</script></svg>')
>>> out = inline_svg(svg.encode(), {"o/m": "/model/o/m"}.get)
>>> 'href="/model/o/m"' in out, "script" in out, "onclick" in out, "huggingface" in out
(True, False, False, False)
>>> "<title>o/m &lt;b&gt;</title>" in out
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

__all__ = ["inline_svg"]

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
_TAGS = frozenset({"svg", "g", "title", "a", "polygon", "polyline", "path", "ellipse", "circle",
                   "rect", "line", "text", "tspan", "defs"})
_ATTRS = frozenset({"id", "class", "width", "height", "viewBox", "transform", "points", "d",
                    "x", "y", "cx", "cy", "rx", "ry", "r", "x1", "x2", "y1", "y2", "fill",
                    "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity",
                    "fill-opacity", "font-family", "font-size", "font-weight", "font-style",
                    "text-anchor", "text-decoration", "preserveAspectRatio"})

ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _clean(element: ET.Element) -> None:
    """Drop elements and attributes that are not plain drawing, recursively."""
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in _TAGS:
            element.remove(child)
            continue
        _clean(child)
    for name in list(element.attrib):
        if name != f"{{{XLINK}}}title" and name not in _ATTRS:
            del element.attrib[name]


def _link(element: ET.Element, href: str | None) -> None:
    """Turn Graphviz's links inside ``element`` into ``href`` (or plain groups) with titles."""
    for a in element.iter(f"{{{SVG}}}a"):
        if "href" in a.attrib:  # linked already
            continue
        tip = a.attrib.pop(f"{{{XLINK}}}title", None)
        a.attrib.pop(f"{{{XLINK}}}href", None)
        if tip:
            title = ET.Element(f"{{{SVG}}}title")
            title.text = tip
            a.insert(0, title)
        if href is None:
            a.tag = f"{{{SVG}}}g"
        else:
            a.set("href", href)
            href = None  # one link per node


def inline_svg(data: bytes, pages: Callable[[str], str | None]) -> str:
    """Return SVG markup to inline in HTML, each node linked to the URL ``pages`` gives it.

    Parameters
    ----------
    data
        An SVG document written by Graphviz.
    pages
        From a node's name (the ``<title>`` Graphviz gives it) to the URL of its page,
        or ``None`` for a node without one.
    """
    root = ET.fromstring(data)
    _clean(root)
    for group in root.iter(f"{{{SVG}}}g"):
        if "node" not in group.get("class", "").split():
            continue
        name = group.findtext(f"{{{SVG}}}title", default="")
        href = pages(name)
        if href is not None and group.find(f".//{{{SVG}}}a") is None:
            a = ET.SubElement(group, f"{{{SVG}}}a")
            for child in [c for c in group if c is not a and _local(c.tag) != "title"]:
                group.remove(child)
                a.append(child)
        _link(group, href)
    _link(root, None)  # edges and clusters: tooltips only
    root.set("class", "diagram")
    root.set("role", "img")
    return ET.tostring(root, encoding="unicode")
