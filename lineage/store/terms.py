r"""RDF terms across the wire: what a SPARQL server is sent, and how its answers are read.

Servers write some literals differently from the embedded store: Virtuoso answers
``"1"^^xsd:boolean`` for ``true`` in SPARQL JSON, ``"5e-05"`` for the double Oxigraph writes
``"0.00005"``, and keeps ``.500`` in a ``dateTime``. :func:`canonical_json` rewrites every
XSD-typed literal of a JSON result as Oxigraph stores it (by storing it in an in-memory
Oxigraph), so each backend hands callers the same terms.

Virtuoso's Turtle loader also keeps ``xsd:integer`` only when the number is written bare
(``2000000000000``); written ``"2000000000000"^^xsd:integer`` it becomes an
``xsd:decimal`` once past 32 bits. :func:`turtle` writes integers bare where Turtle and
Virtuoso allow (64-bit values) and every other term as N-Triples, which is also Turtle.

Examples
--------
>>> import pyoxigraph as ox
>>> xsd = "http://www.w3.org/2001/XMLSchema#"
>>> t = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"),
...               ox.Literal("2000000000000", datatype=ox.NamedNode(xsd + "integer")))
>>> turtle([t])
b'<urn:s> <urn:p> 2000000000000 .\n'
>>> doc = (b'{"head": {"vars": ["v"]}, "results": {"bindings": [{"v": {"type": "typed-literal",'
...        b' "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"}}]}}')
>>> import json; json.loads(canonical_json(doc))["results"]["bindings"][0]["v"]["value"]
'true'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

__all__ = ["XSD", "canonical_json", "canonical_literals", "turtle"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = XSD + "integer"
_STRING = XSD + "string"
_BARE_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = 2 ** 63


def _object(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if (isinstance(term, ox.Literal) and term.datatype.value == _INTEGER
            and _BARE_INTEGER.fullmatch(term.value) and -_INT64 <= int(term.value) < _INT64):
        return term.value
    return str(term)


def turtle(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """Serialise triples (the graph name of quads is dropped) as Turtle for upload."""
    return "".join(f"{t.subject} {t.predicate} {_object(t.object)} .\n"
                   for t in triples).encode()


def canonical_literals(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Map each literal to the form the embedded Oxigraph store gives it back in."""
    unique = list(dict.fromkeys(literals))
    if not unique:
        return {}
    store = ox.Store()
    pred = ox.NamedNode("urn:lineage:canonical")
    store.extend(ox.Quad(ox.NamedNode(f"urn:lineage:canonical:{i}"), pred, lit)
                 for i, lit in enumerate(unique))
    out: dict[ox.Literal, ox.Literal] = {}
    for quad in store:
        obj = quad.object
        assert isinstance(obj, ox.Literal)
        assert isinstance(quad.subject, ox.NamedNode)
        out[unique[int(quad.subject.value.rsplit(":", 1)[1])]] = obj
    return out


def _typed(cell: Any) -> bool:
    return (isinstance(cell, dict) and cell.get("type") in ("literal", "typed-literal")
            and str(cell.get("datatype", "")).startswith(XSD)
            and cell.get("datatype") != _STRING)


def canonical_json(data: bytes) -> bytes:
    """Rewrite the XSD-typed literals of a SPARQL JSON result as Oxigraph stores them."""
    doc = json.loads(data)
    rows = doc.get("results", {}).get("bindings") if isinstance(doc, dict) else None
    if not rows:
        return data
    cells = [cell for row in rows for cell in row.values() if _typed(cell)]
    if not cells:
        return data
    found = canonical_literals(ox.Literal(c["value"], datatype=ox.NamedNode(c["datatype"]))
                               for c in cells)
    for cell in cells:
        lit = found[ox.Literal(cell["value"], datatype=ox.NamedNode(cell["datatype"]))]
        cell["type"] = "literal"
        cell["value"] = lit.value
        cell["datatype"] = lit.datatype.value
    return json.dumps(doc, ensure_ascii=False).encode()
