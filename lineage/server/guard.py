"""The query guard: what the endpoint refuses to run, read from the query itself.

Updates, ``LOAD`` and ``SERVICE`` are refused (a SPARQL lexer and rdflib's parser read the
query), and so is a query nested or chained deeper than the query engine can take
(:func:`check_nesting`), before any parser sees it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lineage.errors import QueryError
from lineage.named_queries import READ_ONLY
from lineage.ns import PREFIXES

UPDATE_REFUSED = READ_ONLY
LOAD_REFUSED = (f"{UPDATE_REFUSED} (LOAD would fetch a document from the web into the "
                "store; this endpoint sends no requests)")
SERVICE_REFUSED = ("read-only endpoint: SERVICE federation is refused (this endpoint sends "
                   "no requests to other services)")


# --- reading the query: a SPARQL lexer and rdflib's parser ------------------------------


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# One token per match, in time linear in the query's length: names are read whole
# (possessive), so a long run such as ``a.a.a...`` without a colon is scanned once.
_LEXEME = re.compile(r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<term>
        "{3}(?:[^"\\]|\\.|"(?!""))*"{3}             # long strings
      | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
      | "(?:[^"\\\r\n]|\\.)*"                       # strings
      | '(?:[^'\\\r\n]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>                   # IRI
      | [?$][\w\u00B7\u0300-\u036F\u203F\u2040]+    # variable
      | \d*\.\d+(?:[eE][+-]?\d+)?|\d+\.?[eE][+-]?\d+|\d+  # number
    )
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>[^\W\d][\w\-.\u00B7]*+)(?P<local>:(?:[\w\-.:%\u00B7]|\\.)*+)?
  | (?P<pname>:(?:[\w\-.:%\u00B7]|\\.)*+)
  | (?P<op>\|\||&&|!=|<=|>=|\^\^)
  | .
""", re.VERBOSE | re.DOTALL)


def _unescape(query: str) -> str:
    r"""Apply SPARQL's ``\u`` / ``\U`` escapes, as a parser does before reading the query."""
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)
    return _ESCAPE.sub(char, query)


def _words(name: str) -> list[str]:
    """Split a name token not followed by a colon into bare words (``a.b`` is two)."""
    return [w for w in name.split(".") if w and not w[0].isdigit()]


def _keywords(query: str) -> tuple[frozenset[str], frozenset[str]]:
    """Bare words and prefix labels of a query, upper-cased, outside comments and strings.

    Examples
    --------
    >>> words, prefixes = _keywords('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    >>> sorted(words), sorted(prefixes)
    (['SELECT'], [])
    >>> sorted(_keywords("PREFIX service: <x:> SELECT * { service:a ?service ex:SERVICE }")[1])
    ['EX', 'SERVICE']
    >>> "SERVICE" in _keywords("ASK { ?s ?p true.SERVICE <x:> {} }")[0]
    True
    """
    words: set[str] = set()
    prefixes: set[str] = set()
    for m in _LEXEME.finditer(_unescape(query)):
        name = m.group("name")
        if name is None:
            continue
        if m.group("local") is not None:
            prefixes.add(name.upper())
        else:
            words.update(w.upper() for w in _words(name))
    return frozenset(words), frozenset(prefixes)


# --- how deep a query nests, before any parser sees it ---------------------------------

MAX_DEPTH = 64
MAX_CHAIN = 1000
# Tokens that add a level to the parsed query in the group they stand in: clauses that
# combine what comes before them with what follows, and expression or path operators.
_CHAIN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE",
                          "EXISTS", "AS", "VALUES", "IN", "HAVING"})
_CHAIN_OPS = frozenset({"||", "&&", "!=", "<=", ">=", "=", "<", ">", "!", "+", "-", "*", "/",
                        "|", "^"})
_CLOSERS = frozenset("})]")


class _Frame:
    """One open bracket while scanning: what it is and the elements counted in it."""

    __slots__ = ("count", "data", "kind", "listed", "terms")

    def __init__(self, kind: str, *, data: bool = False):
        self.kind = kind
        self.data = data  # a VALUES block: its rows are flat data, not counted
        self.count = 0  # elements that chain in this group
        self.terms = 0  # terms in a ( ... ) without commas (a collection, an expression)
        self.listed = False  # a comma was seen: an argument or IN list, flat


def check_nesting(query: str, *, source: str | None = None) -> None:
    r"""Refuse a query that nests or chains deeper than the query engine can take.

    Oxigraph parses and evaluates a query with recursion on the native stack: about 2,200
    nested groups, 850 nested ``FILTER EXISTS``, or 2,600 triple patterns or ``BIND``
    clauses in one group overflow its 8 MiB and the process dies with a segmentation
    fault. One linear pass over the query's
    tokens (strings, IRIs and comments skipped) bounds both shapes before any parser
    reads the query:

    - brackets (``{}``, ``()``, ``[]``) may nest at most :data:`MAX_DEPTH` (64) deep;
    - at most :data:`MAX_CHAIN` (1,000) elements may chain in a group and the groups
      around it, counting triple patterns (``.``, ``;`` and ``,`` separators), clauses
      (``OPTIONAL``, ``UNION``, ``MINUS``, ``BIND``, ``FILTER``, ``GRAPH``, ``EXISTS``...),
      expression and path operators, nested brackets, and the items of a collection.
      Rows of a ``VALUES`` block and comma-separated lists (``IN (...)``, function
      arguments) are flat and not counted.

    Parameters
    ----------
    query
        The SPARQL text.
    source
        Where the query comes from (a file or a named query), for the error.

    Raises
    ------
    lineage.errors.QueryError
        With the line where the limit was passed.

    Examples
    --------
    >>> check_nesting("SELECT * { ?s ?p ?o FILTER(?o IN (1, 2, 3)) }")
    >>> check_nesting("ASK " + "{" * 100 + "}" * 100, source="deep.rq")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    lineage.errors.QueryError: deep.rq:1: the query nests brackets more than 64 deep...
    >>> check_nesting("ASK { " + "<x:s> <x:p> ?o . " * 2000 + "}")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    lineage.errors.QueryError: the query chains more than 1,000 elements...
    """
    text = _unescape(query)
    scan = _NestingScan()
    for m in _LEXEME.finditer(text):
        problem = scan.read(m)
        if problem is not None:
            raise QueryError(problem, source=source, line=text.count("\n", 0, m.start()) + 1)


_TOO_DEEP = (f"the query nests brackets more than {MAX_DEPTH} deep; deeper queries can crash "
             "the query engine")
_TOO_LONG = (f"the query chains more than {MAX_CHAIN:,} elements (triple patterns, clauses, "
             "operators) in one group and the groups around it; longer chains can crash the "
             "query engine (split the query, or list values in VALUES)")


class _NestingScan:
    """One pass of :func:`check_nesting`: the open brackets and the elements chained in them."""

    __slots__ = ("frames", "total", "values")

    def __init__(self) -> None:
        self.frames = [_Frame("")]  # the query itself
        self.total = 0  # elements counted in the open frames
        self.values = False  # after VALUES: the next { opens a data block

    def read(self, m: re.Match[str]) -> str | None:
        """Count one token of the query; return the limit it passes, if any."""
        kind, token = m.lastgroup, m.group()
        if kind in ("comment", "lang"):
            return None
        frame = self.frames[-1]
        if kind is None and token in "{([":
            self.open(frame, token)
            if len(self.frames) - 1 > MAX_DEPTH:
                return _TOO_DEEP
        elif kind is None and token in _CLOSERS:
            self.close(frame)
        elif kind is None and token == "," and frame.kind == "(":
            self.next_item(frame)
        else:
            added, term = self.weigh(m, frame)
            self.count(frame, added, term)
        return _TOO_LONG if self.total > MAX_CHAIN else None

    def open(self, frame: _Frame, bracket: str) -> None:
        """Open a bracket: one element of the group it stands in, and a group of its own."""
        if not frame.data:
            frame.count += 1
            self.total += 1
        data = frame.data or (bracket == "{" and self.values)
        self.frames.append(_Frame(bracket, data=data))
        self.values = self.values and bracket != "{"

    def close(self, frame: _Frame) -> None:
        """Close the innermost bracket: what was counted in it no longer chains."""
        if len(self.frames) > 1:
            self.total -= frame.count + frame.terms
            self.frames.pop()

    def next_item(self, frame: _Frame) -> None:
        """Start the next item of an argument or ``IN`` list (a comma in ``( ... )``)."""
        self.total -= frame.terms
        frame.terms, frame.listed = 0, True

    def weigh(self, m: re.Match[str], frame: _Frame) -> tuple[int, int]:
        """Return what a token adds to its group: chained elements, and terms (0 or 1)."""
        kind, token = m.lastgroup, m.group()
        if kind == "term":
            return 0, 1
        if kind == "op":
            return int(token in _CHAIN_OPS), 0
        if kind is None:  # one character: an operator or a separator
            return int(token in _CHAIN_OPS or token in ".;,"), 0
        # A name may swallow the separator after it (``true.``, ``ex:C.``): count dots.
        dots = token.count(".") if frame.kind != "(" else 0
        if kind != "name":  # a prefixed name (``local``, ``pname``) is a term
            return dots, 1
        words = [w.upper() for w in _words(token)]
        chain = sum(w in _CHAIN_WORDS for w in words)
        self.values = self.values or "VALUES" in words
        return dots + chain, int(chain < len(words))

    def count(self, frame: _Frame, added: int, term: int) -> None:
        """Add a token's elements to its group (a term counts only in a collection)."""
        if frame.data:
            return
        if term and frame.kind == "(" and not frame.listed:
            frame.terms += 1
            self.total += 1
        frame.count += added
        self.total += added


class _Analysis(NamedTuple):
    """What the checks found: a refusal, and whether the query names a dataset."""

    refusal: str | None
    has_dataset: bool = False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _has_node(tree: object, name: str) -> bool:
    """Tell whether rdflib's algebra contains a node called ``name`` at any depth."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == name:
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend(node)
    return False


def _analyse(query: str) -> _Analysis:
    """Refuse deep nesting, updates, LOAD and SERVICE; find whether the query has a dataset.

    Examples
    --------
    >>> _analyse("SELECT * { ?s ?p 'SERVICE <x> {}' }").refusal is None
    True
    >>> _analyse("ASK " + "{" * 2500 + "}" * 2500).refusal.startswith("the query nests")
    True
    >>> _analyse("LOAD <http://127.0.0.1:9/x>").refusal == LOAD_REFUSED
    True
    >>> _analyse("SELECT * FROM <urn:g> { ?s ?p ?o }").has_dataset
    True
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:  # first: the parsers below, and Oxigraph's, recurse on nested queries
        check_nesting(query)
    except QueryError as exc:
        return _Analysis(f"{exc.message} (line {exc.line})")
    words, prefixes = _keywords(query)
    try:
        algebra = translateQuery(parseQuery(query), initNs=PREFIXES).algebra
    except Exception:  # pyparsing's ParseException, rdflib's bare Exception: Oxigraph says why
        pass
    else:
        if "SERVICE" in words or _has_node(algebra, "ServiceGraphPattern"):
            return _Analysis(SERVICE_REFUSED)
        return _Analysis(None, bool(algebra.get("datasetClause")))
    try:
        update = parseUpdate(query)
    except Exception:  # not an update either
        update = None
    if update is not None and update.request:
        load = any(getattr(op, "name", "") == "Load" for op in update.request)
        return _Analysis(LOAD_REFUSED if load else UPDATE_REFUSED)
    # rdflib cannot read it: refuse on the lexer's word alone, prefix labels included.
    if "SERVICE" in words | prefixes:
        return _Analysis(SERVICE_REFUSED)
    return _Analysis(None, "FROM" in words | prefixes)
