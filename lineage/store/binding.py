r"""Bind values into SPARQL without pasting text: a typed ``VALUES`` block.

The block is inserted as the first element of the query's top-level ``WHERE`` group, so
the bound variables restrict the whole pattern (also under aggregates) in every SPARQL
engine alike. Terms are written by pyoxigraph, whose ``NamedNode`` and ``Literal``
validate IRIs and escape strings: a value can never change the query's structure.

Examples
--------
>>> import pyoxigraph as ox
>>> bind_values("SELECT ?p WHERE { ?m ?r ?p }", {"m": ox.NamedNode("https://x/a")})
'SELECT ?p WHERE { VALUES (?m) { (<https://x/a>) } ?m ?r ?p }'
>>> bind_values("SELECT * { ?s ?p ?o }", {"s": ox.Literal('a"} x')})
'SELECT * { VALUES (?s) { ("a\\"} x") } ?s ?p ?o }'
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from lineage.errors import QueryError

if TYPE_CHECKING:
    from lineage.store import Term

__all__ = ["bind_values", "where_brace"]

_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=256)
def where_brace(query: str) -> int:
    """Offset of the ``{`` opening the query's top-level ``WHERE`` group (named queries repeat)."""
    i, n = 0, len(query)
    seen_where = False
    first_brace = -1
    is_construct = False
    while i < n:
        c = query[i]
        if c == "#":
            j = query.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            long = query.startswith(c * 3, i)
            delim = c * 3 if long else c
            j = i + len(delim)
            while j < n and not query.startswith(delim, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(delim)
            continue
        if c == "<":
            m = re.compile(r"<[^<>\"{}|^`\\\s]*>").match(query, i)
            if m is not None:
                i = m.end()
                continue
        if c == "{":
            if seen_where or (first_brace < 0 and not is_construct):
                return i
            if first_brace < 0:
                first_brace = i
        if c.isalpha():
            m = re.compile(r"[A-Za-z]+").match(query, i)
            assert m is not None
            word = m.group(0).upper()
            if word == "WHERE":
                seen_where = True
            elif word == "CONSTRUCT":
                is_construct = True
            i = m.end()
            continue
        i += 1
    msg = "the query has no WHERE group to bind parameters into"
    raise QueryError(msg)


def bind_values(query: str, bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """Return ``query`` with ``bindings`` (one term or a list of terms per variable) bound."""
    if not bindings:
        return query
    names = list(bindings)
    for name in names:
        if not _VAR.fullmatch(name):
            msg = f"not a SPARQL variable name: {name!r}"
            raise QueryError(msg)
    columns = []
    for name in names:
        value = bindings[name]
        terms = ([value] if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode)
                 else list(value))
        for t in terms:
            if not isinstance(t, ox.NamedNode | ox.Literal):
                msg = f"cannot bind {t!r} to ?{name}: only IRIs and literals"
                raise QueryError(msg)
        columns.append([str(t) for t in terms])
    rows = " ".join("(" + " ".join(row) + ")" for row in itertools.product(*columns))
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }}"
    at = where_brace(query) + 1
    return f"{query[:at]} {block}{query[at:]}"
