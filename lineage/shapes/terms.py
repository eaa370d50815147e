"""The RDF, RDFS, XSD and SHACL terms the validator reads, and its tables over them."""

from __future__ import annotations

import re

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = ox.NamedNode(_RDF + "type")
FIRST, REST, NIL = (ox.NamedNode(_RDF + x) for x in ("first", "rest", "nil"))

# Lexical forms of the datatypes the shapes name (pySHACL refuses ill-typed literals).
_DECIMAL_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)"
LEXICAL: dict[str, re.Pattern[str]] = {
    _XSD + "integer": re.compile(r"[+-]?\d+"),
    _XSD + "decimal": re.compile(_DECIMAL_RE),
    _XSD + "double": re.compile(rf"{_DECIMAL_RE}([eE][+-]?\d+)?|[+-]?INF|NaN"),
    _XSD + "boolean": re.compile(r"true|false|1|0"),
    _XSD + "dateTime": re.compile(
        r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
}
NUMERIC = frozenset(_XSD + t for t in ("integer", "decimal", "double", "float", "long", "int"))
# Components a shape may carry that constrain nothing (names, messages, documentation).
INERT = frozenset(SH + x for x in ("name", "message", "description", "order", "group",
                                    "targetClass", "targetSubjectsOf", "targetObjectsOf",
                                    "property", "path", "sparql", "severity", "deactivated"))
INERT |= {_RDF + "type", RDFS + "comment", RDFS + "label"}
LEVELS = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "warning"}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
