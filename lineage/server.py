r"""A read-only SPARQL 1.1 Protocol endpoint over a lineage store (``lineage serve``).

``create_app(store)`` returns a Starlette application; :func:`serve` runs it with uvicorn,
on ``127.0.0.1`` unless told otherwise. Routes:

``/sparql``
    The `SPARQL 1.1 Protocol <https://www.w3.org/TR/sparql11-protocol/>`_ query
    operation: ``GET ?query=``, ``POST`` of ``application/x-www-form-urlencoded``
    (``query=``) and ``POST`` of an ``application/sparql-query`` body, with
    ``default-graph-uri`` / ``named-graph-uri``. Without a query, ``GET`` answers the
    endpoint's SPARQL service description (a browser asking for HTML is sent to ``/``).
``/``
    A self-contained HTML page: type a query, run it, see the results as a table.
``/health``
    ``{"status": "ok"}``.

The dataset: without ``FROM`` in the query and without ``default-graph-uri`` /
``named-graph-uri``, the default graph is the union of every card's graph (as for
``lineage query``); otherwise exactly the graphs named (the protocol's parameters win over
the query's ``FROM``). Lineage's prefixes (``lin:``, ``prov:``, ...) are predeclared.

Results are negotiated: SELECT and ASK as ``application/sparql-results+json`` (default),
``application/sparql-results+xml``, ``text/csv`` or ``text/tab-separated-values``;
CONSTRUCT and DESCRIBE as ``text/turtle`` (default), ``application/n-triples``,
``application/rdf+xml`` or ``application/ld+json``. An ``Accept`` type that names one of
these wins; otherwise a ``format`` (or ``output``) parameter (``json``, ``xml``, ``csv``,
``tsv``, ``turtle``, ``nt``, ``rdfxml``, ``jsonld`` or a media type) chooses, for clients
that cannot set ``Accept``; then generic types (``application/json``, ``application/xml``,
``text/plain``, ``text/*``, ``*/*``). At most ``max_rows`` solutions (or triples) are
returned; a cut result carries ``X-Lineage-Truncated: true`` and ``X-Lineage-Row-Limit``.

Status codes:

===  ===========================================================================
200  results
303  ``GET /sparql`` without a query from a browser: see ``/``
400  malformed query (the parser's message, ``text/plain``); an update (``update=``,
     ``application/sparql-update``, or query text that parses as an update, LOAD
     included); a ``SERVICE`` anywhere in the query; a query nested or chained past
     the limits of :func:`check_nesting`; several or bad parameters
403  a ``Host`` header that names neither this endpoint nor a loopback name (DNS
     rebinding), or a request from a web page of another origin not given to ``cors``
405  a method other than GET, POST (and OPTIONS, the CORS preflight)
406  no acceptable result format (the body lists the available ones)
413  a request body over 4 MiB
415  a POST body that is neither form data nor ``application/sparql-query``
500  the store could not be read
503  the query ran past ``timeout`` seconds (or no worker was free in time), as Fuseki
     answers a timeout, or past the memory limit of its worker; SPARQLWrapper raises
     ``urllib.error.HTTPError`` with code 503.
===  ===========================================================================

Private by default: there is no wildcard CORS. A request whose ``Origin`` is another web
origin is refused unless that origin was given to ``cors`` (``lineage serve --cors
ORIGIN``), which then gets ``Access-Control-Allow-Origin`` for it alone; a page open in
the user's browser cannot make the endpoint work for it, let alone read the answer. A
request whose ``Host`` header is not the address served, ``localhost``, ``127.0.0.1``,
``[::1]`` or a name given to ``allowed_hosts`` is refused, so a site whose name is
rebound to 127.0.0.1 (DNS rebinding) cannot reach it either.

The checks read the parsed query, not its text: rdflib's SPARQL parser builds the
algebra and any ``ServiceGraphPattern`` in it (in subqueries and ``EXISTS`` too) is
refused, and so is any ``SERVICE`` keyword a SPARQL lexer finds outside comments,
strings and IRIs (a safety net for parser differences, and the only check for queries
rdflib cannot parse). Oxigraph would otherwise send the request, even from a read-only
store. A ``SERVICE`` in a comment or a string is not refused.

On an on-disk store each query runs in a worker process that opens the store read-only
(``pyoxigraph.Store.read_only``) for that query, may allocate ``memory_limit`` MiB, and is
terminated at the deadline (pyoxigraph queries cannot be interrupted inside a thread); a
fresh worker replaces one that was late, ran out of memory or died. One worker beyond
``workers`` is kept for short queries, so slow queries cannot starve the rest (see
:class:`_ProcessRunner`). Other stores (``memory:``, remote) are queried in a thread:
past the deadline the client gets 503, but the abandoned query runs on to its end and
holds the store until then; they have no memory limit.

Examples
--------
>>> from starlette.testclient import TestClient
>>> from lineage.store import open_store
>>> app = create_app(open_store("memory:"), timeout=5)
>>> with TestClient(app, base_url="http://127.0.0.1:7878") as client:
...     ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
...     service = client.post("/sparql", data={
...         "query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
>>> ask.status_code, ask.headers["content-type"], ask.json()["boolean"]
(200, 'application/sparql-results+json', False)
>>> service.status_code, service.text.split(":")[0]
(400, 'read-only endpoint')
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import itertools
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import anyio.to_thread
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lineage.errors import LineageError, QueryError, StoreError
from lineage.named_queries import READ_ONLY, added_lines, explain_error
from lineage.ns import PREFIXES
from lineage.store import Store, open_store

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIMEOUT",
    "LOAD_REFUSED",
    "MAX_CHAIN",
    "MAX_DEPTH",
    "SERVICE_REFUSED",
    "TIMEOUT_STATUS",
    "UPDATE_REFUSED",
    "check_nesting",
    "create_app",
    "normalise_host",
    "normalise_origin",
    "serve",
]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MEMORY_LIMIT = 1024  # MiB per query worker
LANE_WORKERS = 1  # workers kept for short queries while the others are busy
LANE_SECONDS = 0.5  # what a query may take in that lane before it waits for another worker
TIMEOUT_STATUS = 503
MEMORY_STATUS = 503
UPDATE_REFUSED = READ_ONLY
LOAD_REFUSED = (f"{UPDATE_REFUSED} (LOAD would fetch a document from the web into the "
                "store; this endpoint sends no requests)")
SERVICE_REFUSED = ("read-only endpoint: SERVICE federation is refused (this endpoint sends "
                   "no requests to other services)")
MAX_BODY = 4 << 20
_START_TIMEOUT = 60.0
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# --- result formats and content negotiation -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    """One result format: what it is called in ``Accept`` and in ``format=``."""

    media_type: str
    content_type: str
    names: tuple[str, ...]
    specific: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    sd_iri: str = ""


_RESULT_FORMATS = (
    _Format("application/sparql-results+json", "application/sparql-results+json",
            ("json", "srj"), generic=("application/json", "text/javascript",
                                      "application/javascript"),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_JSON"),
    _Format("application/sparql-results+xml", "application/sparql-results+xml",
            ("xml", "srx"), generic=("application/xml", "text/xml"),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_XML"),
    _Format("text/csv", "text/csv; charset=utf-8", ("csv",),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_CSV"),
    _Format("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", ("tsv",),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_TSV"),
)
_GRAPH_FORMATS = (
    _Format("text/turtle", "text/turtle; charset=utf-8", ("turtle", "ttl", "n3"),
            specific=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3",
                      "application/n3"), sd_iri=f"{_FORMATS_NS}Turtle"),
    _Format("application/n-triples", "application/n-triples",
            ("nt", "ntriples", "n-triples"), generic=("text/plain",),
            sd_iri=f"{_FORMATS_NS}N-Triples"),
    _Format("application/rdf+xml", "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"),
            generic=("application/xml", "text/xml"), sd_iri=f"{_FORMATS_NS}RDF_XML"),
    _Format("application/ld+json", "application/ld+json", ("jsonld", "json-ld", "json"),
            specific=("application/x-json+ld",), generic=("application/json",),
            sd_iri=f"{_FORMATS_NS}JSON-LD"),
)
_RESULTS_OX = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_OX = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """Split an ``Accept`` header into ``(media range, q)`` pairs in the client's order.

    Examples
    --------
    >>> _parse_accept("text/csv;q=0.5, Application/JSON, bad;q=x")
    [('text/csv', 0.5), ('application/json', 1.0)]
    """
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if media.count("/") != 1:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append((media, q))
    return ranges


def _match(fmt: _Format, media: str) -> int:
    """How specifically a media range names a format: 3 exact ... 0 ``*/*``, -1 not at all."""
    if media == fmt.media_type or media in fmt.specific:
        return 3
    if media in fmt.generic:
        return 2
    if media.endswith("/*") and any(t.startswith(media[:-1])
                                    for t in (fmt.media_type, *fmt.specific)):
        return 1
    return 0 if media == "*/*" else -1


def _negotiate(accept: str | None, formats: Sequence[str],
               offers: tuple[_Format, ...]) -> _Format | None:
    """Pick the result format: explicit ``Accept`` types, then ``format=``, then the rest.

    Examples
    --------
    >>> _negotiate("text/csv", ["json"], _RESULT_FORMATS).media_type
    'text/csv'
    >>> _negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["tsv"],
    ...            _RESULT_FORMATS).media_type
    'text/tab-separated-values'
    >>> _negotiate(None, [], _GRAPH_FORMATS).media_type
    'text/turtle'
    >>> _negotiate("image/png", [], _RESULT_FORMATS) is None
    True
    """
    ranges = _parse_accept(accept) if accept else []
    # The client's q for each offer comes from its most specific matching range.
    best: list[tuple[int, float, int]] = []  # (specificity, q, position) per offer
    for fmt in offers:
        found = (-1, 0.0, 0)
        for position, (media, q) in enumerate(ranges):
            level = _match(fmt, media)
            if level > found[0] or (level == found[0] >= 0 and q > found[1]):
                found = (level, q, position)
        best.append(found)
    explicit = [(q, -pos, -i) for i, (level, q, pos) in enumerate(best) if level == 3 and q > 0]
    if explicit:
        return offers[-max(explicit)[2]]
    if formats:
        for value in formats:
            name = value.strip().lower()
            for fmt in offers:
                if name in fmt.names or _match(fmt, name) >= 2:
                    return fmt
        return None
    if not ranges:  # no Accept header, or none that parses: the default
        return offers[0]
    loose = [(q, level, -i) for i, (level, q, _) in enumerate(best) if level >= 0 and q > 0]
    return offers[-max(loose)[2]] if loose else None


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
    frames = [_Frame("")]  # the query itself
    total = 0  # elements counted in the open frames
    values = False  # after VALUES: the next { opens a data block

    def refuse(message: str, at: int) -> QueryError:
        return QueryError(message, source=source, line=text.count("\n", 0, at) + 1)

    for m in _LEXEME.finditer(text):
        kind, token = m.lastgroup, m.group()
        kind = "name" if kind == "local" else kind  # a prefixed name ends with its local part
        frame = frames[-1]
        added = term = 0
        if kind in ("comment", "lang"):
            continue
        if kind == "term":
            term = 1
        elif kind in ("name", "pname"):
            # A name may swallow the separator after it (``true.``, ``ex:C.``): count dots.
            added = token.count(".") if frame.kind != "(" else 0
            if kind == "name" and m.group("local") is None:
                words = [w.upper() for w in _words(token)]
                chain = sum(w in _CHAIN_WORDS for w in words)
                values = values or "VALUES" in words
                added += chain
                term = int(chain < len(words))
            else:
                term = 1
        elif kind == "op":
            added = token in _CHAIN_OPS
        elif token in "{([":
            if not frame.data:
                frame.count += 1
                total += 1
            frames.append(_Frame(token, data=frame.data or (token == "{" and values)))
            values = values and token != "{"
            if len(frames) - 1 > MAX_DEPTH:
                msg = (f"the query nests brackets more than {MAX_DEPTH} deep; deeper "
                       "queries can crash the query engine")
                raise refuse(msg, m.start())
        elif token in _CLOSERS:
            if len(frames) > 1:
                total -= frame.count + frame.terms
                frames.pop()
        elif token == "," and frame.kind == "(":
            total -= frame.terms
            frame.terms, frame.listed = 0, True
        else:
            added = token in _CHAIN_OPS or token in ".;,"
        if frame.data:
            continue
        if term and frame.kind == "(" and not frame.listed:
            frame.terms += 1
            total += 1
        frame.count += added
        total += added
        if total > MAX_CHAIN:
            msg = (f"the query chains more than {MAX_CHAIN:,} elements (triple patterns, "
                   "clauses, operators) in one group and the groups around it; longer chains "
                   "can crash the query engine (split the query, or list values in VALUES)")
            raise refuse(msg, m.start())


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


# --- evaluating a query (in a worker process or a thread) --------------------------------


class _Job(NamedTuple):
    """One query request, as it crosses to a worker process."""

    query: str
    accept: str | None = None
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    max_rows: int = DEFAULT_MAX_ROWS


class _Answer(NamedTuple):
    """The HTTP answer to a job."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    truncated: bool = False
    retire: bool = False  # the worker that wrote it stops after it: replace it


def _text(status: int, message: str, *, retire: bool = False) -> _Answer:
    return _Answer(status, (message + "\n").encode(), retire=retire)


def _over_memory(memory_limit: int) -> _Answer:
    if not memory_limit:
        return _text(MEMORY_STATUS, "query ran out of memory", retire=True)
    return _text(MEMORY_STATUS, f"query exceeded the memory limit of {memory_limit} MiB "
                 "(lineage serve --memory-limit)", retire=True)


class _Refused(Exception):
    """A job the evaluator will not run, with the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


_Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
_Evaluate = Callable[[str, _Job, bool], _Result]


def _answer(job: _Job, evaluate: _Evaluate) -> _Answer:
    """Check, run and serialise one query; every outcome is an :class:`_Answer`."""
    analysis = _analyse(job.query)
    if analysis.refusal is not None:
        return _text(400, analysis.refusal)
    union = job.default_graphs is None and not analysis.has_dataset
    try:
        result = evaluate(job.query, job, union)
    except _Refused as exc:
        return _text(exc.status, str(exc))
    except SyntaxError as exc:  # Oxigraph's, about the text as sent (prefixes passed apart)
        return _text(400, f"malformed query: {explain_error(str(exc), job.query)}")
    except QueryError as exc:
        message = exc.message
        if message.startswith("malformed SPARQL: "):  # through the Store: prefixes prepended
            message = "malformed query: " + explain_error(
                message, job.query, added_lines=added_lines(job.query))
        return _text(400, message)
    except (OSError, LineageError) as exc:
        return _text(500, f"cannot read the store: {exc}")
    try:
        return _serialise(result, job)
    finally:
        # pyoxigraph results must die on this thread; rdflib's parser leaves reference
        # cycles through our frames that the collector may clear on another one.
        del result


def _serialise(result: _Result, job: _Job) -> _Answer:
    """Write a result in the negotiated format, cut at ``job.max_rows``."""
    graph = isinstance(result, ox.QueryTriples)
    offers = _GRAPH_FORMATS if graph else _RESULT_FORMATS
    fmt = _negotiate(job.accept, job.formats, offers)
    if fmt is None:
        kind = "CONSTRUCT or DESCRIBE" if graph else "SELECT or ASK"
        keys = "|".join(f.names[0] for f in offers)
        types = ", ".join(f.media_type for f in offers)
        return _text(406, f"no acceptable format: a {kind} result is available as {types} "
                          f"(Accept header, or format={keys})")
    try:
        if isinstance(result, ox.QueryTriples):
            triples = list(itertools.islice(result, job.max_rows + 1))
            rdf = _GRAPH_OX[fmt.media_type]
            prefixes = PREFIXES if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            body = ox.serialize(triples[:job.max_rows], format=rdf, prefixes=prefixes)
            return _Answer(200, body or b"", fmt.content_type, len(triples) > job.max_rows)
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=_RESULTS_OX[fmt.media_type])
            return _Answer(200, body or b"", fmt.content_type)
        names = [v.value for v in result.variables]
        rows = list(itertools.islice(result, job.max_rows + 1))
        data = _results_json(names, rows[:job.max_rows])
        if fmt.media_type != "application/sparql-results+json":
            parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
            data = parsed.serialize(format=_RESULTS_OX[fmt.media_type]) or b""
        return _Answer(200, data, fmt.content_type, len(rows) > job.max_rows)
    except (OSError, SyntaxError) as exc:
        return _text(500, f"query failed: {exc}")
    except ValueError as exc:  # a serialiser that cannot write this data
        return _text(406, f"cannot write this result as {fmt.media_type}: {exc}")


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction.value)
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {
        "subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
        "object": _term_json(term.object)}}


def _results_json(names: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    """SPARQL 1.1 Query Results JSON for the given solutions."""
    bindings = [{name: _term_json(row[name]) for name in names if row[name] is not None}
                for row in rows]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _disk_evaluate(location: str) -> _Evaluate:
    """Evaluate on a fresh read-only view of an on-disk Oxigraph store."""
    def evaluate(query: str, job: _Job, union: bool) -> _Result:
        store = ox.Store.read_only(location)
        options: dict[str, Any] = {}
        if job.default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
        return store.query(query, base_iri=job.base_iri, prefixes=PREFIXES,
                           use_default_graph_as_union=union, **options)
    return evaluate


def _store_evaluate(store: Store) -> _Evaluate:
    """Evaluate through the :class:`~lineage.store.Store` interface (no dataset options)."""
    def evaluate(query: str, job: _Job, union: bool) -> _Result:
        if job.default_graphs is not None:
            msg = ("default-graph-uri and named-graph-uri need an on-disk store; "
                   "this endpoint serves an in-memory one")
            raise _Refused(400, msg)
        from lineage.named_queries import prefixed

        return store.query(prefixed(query))
    return evaluate


def _limit_memory(memory_limit: int) -> None:  # pragma: no cover - in the worker
    """Cap this process's data segment and private mappings (``RLIMIT_DATA``) in MiB.

    ``RLIMIT_DATA`` counts what a query allocates (the heap and private mappings) but not
    the shared libraries, the store's memory-mapped files or the main stack, so the limit
    means the same whatever the size of the store and of the code loaded (``RLIMIT_AS``
    would count 370 MiB of address space before the first query). Oxigraph aborts
    when an allocation fails (the parent sees the worker die of ``SIGABRT``); Python raises
    :class:`MemoryError`.
    """
    import resource

    if memory_limit <= 0:
        return
    wanted = memory_limit << 20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, wanted))


def _worker_main(conn: Connection, location: str, parent: int,
                 memory_limit: int = 0) -> None:  # pragma: no cover - in the worker
    """Answer jobs from the parent until the pipe closes; the parent kills us at deadlines."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch_parent() -> None:  # exit if the parent dies without closing the pipe
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        _limit_memory(memory_limit)
        _analyse("ASK {}")  # import and warm up rdflib's parser before the first query
        ox.Store.read_only(location)
    except MemoryError:
        conn.send(f"a query worker cannot open the store within the memory limit of "
                  f"{memory_limit} MiB (lineage serve --memory-limit)")
        return
    except Exception as exc:
        conn.send(f"cannot open the store read-only: {_one_line(exc)}")
        return
    conn.send("ready")
    evaluate = _disk_evaluate(location)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = _answer(job, evaluate)
        except MemoryError:
            answer = _over_memory(memory_limit)
        except Exception as exc:
            answer = _text(500, f"internal error: {_one_line(exc)}")
        conn.send(answer)
        if answer.retire:  # a fresh process rather than one that ran out of memory
            return


def _worker_entry() -> None:  # pragma: no cover - runs in the worker process
    """Entry point of ``python -c``: ``FD LOCATION PARENT_PID MEMORY_MIB`` in ``sys.argv``."""
    import sys
    from multiprocessing.connection import Connection

    fd, location, parent, memory_limit = sys.argv[1:5]
    _worker_main(Connection(int(fd)), location, int(parent), int(memory_limit))


# --- runners: where queries execute -------------------------------------------------------


class _Worker:
    """A worker process (a fresh interpreter) and the parent's end of its socket pair.

    The worker is started with ``subprocess`` rather than ``multiprocessing`` so that it
    never re-imports the caller's ``__main__`` (a script without a main guard, a notebook).
    """

    def __init__(self, location: str, memory_limit: int = 0):
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        path = [p for p in sys.path if p and Path(p).is_dir()]
        env = os.environ | {"PYTHONPATH": os.pathsep.join(
            [*path, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.memory_limit = memory_limit
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from lineage.server import _worker_entry; "
                 "_worker_entry()", str(theirs.fileno()), location, str(os.getpid()),
                 str(memory_limit)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())

    def wait_ready(self) -> str | None:
        """Wait for the worker's greeting; return the problem if it did not start."""
        try:
            if not self.conn.poll(_START_TIMEOUT):
                return f"a query worker did not start within {_START_TIMEOUT:g} s"
            greeting = self.conn.recv()
        except (EOFError, OSError):
            problem = "a query worker exited while starting"
            if self.memory_limit:
                problem += (f" (is its memory limit of {self.memory_limit} MiB too low for "
                            "this store? lineage serve --memory-limit)")
            return problem
        return None if greeting == "ready" else str(greeting)

    def call(self, job: _Job, timeout: float) -> _Answer | None:
        """Send a job and wait for its answer; ``None`` when the deadline passes first."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            return None
        answer: _Answer = self.conn.recv()
        return answer

    def failure(self) -> _Answer:
        """Answer a query during which this worker died, from how it died."""
        import signal
        import subprocess

        try:
            code: int | None = self.process.wait(2.0)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGABRT and self.memory_limit:
            # Oxigraph (Rust) and RocksDB abort when an allocation fails under the limit.
            return _over_memory(self.memory_limit)
        if code == -signal.SIGKILL:
            return _text(MEMORY_STATUS, "the query worker was killed (SIGKILL), likely by the "
                         "system running out of memory (lineage serve --memory-limit)")
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            return _text(500, f"the query worker died of {name} on this query and was replaced")
        return _text(500, "the query worker stopped unexpectedly; try again")

    def alive(self) -> bool:
        """Tell whether the process is still running."""
        return self.process.poll() is None

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL) and close the socket."""
        import subprocess

        for signal_it in (self.process.terminate, self.process.kill):
            if self.process.poll() is not None:
                break
            signal_it()
            try:
                self.process.wait(1.0)
            except subprocess.TimeoutExpired:
                continue
        self.conn.close()


class _ProcessRunner:
    """Worker processes over an on-disk store: a general pool and a lane for short queries.

    Each worker is a process with the store open read-only and its memory capped
    (``memory_limit`` MiB, see :func:`_limit_memory`); a worker that passes a deadline, runs
    out of memory or dies is replaced by a fresh one. Queries wait in arrival order for:

    - one of ``size`` **general** workers, which run a query until its deadline;
    - or, only while every general worker is busy, one of ``lane`` **short-query**
      workers, which give a query ``lane_seconds``. A query done by then is answered (so a
      trivial query is answered at once while slow ones hold every general worker); one
      still running is stopped, its worker replaced, and the query waits for a general
      worker with the time left before its deadline.

    Slow queries therefore cannot hold more than the general workers, and at most
    ``size + lane`` processes run, each under the memory limit, whatever the load.
    """

    def __init__(self, location: str, size: int, *, memory_limit: int = 0,
                 lane: int = LANE_WORKERS, lane_seconds: float = LANE_SECONDS):
        self.location = location
        self.memory_limit = memory_limit
        self._size = size
        self._lane_size = lane
        self._lane_seconds = lane_seconds
        self._idle: list[_Worker] = []  # general workers waiting for a query
        self._lane_idle: list[_Worker] = []  # short-query workers waiting for a query
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._ready = asyncio.Condition()  # notified whenever a worker becomes idle
        self._started = False
        self._generation = 0  # bumped by close(): workers of an older one are stopped

    def _spawn(self) -> _Worker:
        worker = _Worker(self.location, self.memory_limit)
        problem = worker.wait_ready()
        if problem is not None:
            worker.stop()
            raise StoreError(problem, source=self.location)
        return worker

    async def start(self) -> None:
        async with self._lock:
            if self._started:
                return
            self._started = True
            spawned = await asyncio.gather(
                *(anyio.to_thread.run_sync(self._spawn)
                  for _ in range(self._size + self._lane_size)), return_exceptions=True)
            workers = [w for w in spawned if isinstance(w, _Worker)]
            self._workers.update(workers)
            self._idle, self._lane_idle = workers[:self._size], workers[self._size:]
            problems = [w for w in spawned if isinstance(w, BaseException)]
            if problems:
                await self.close()
                raise problems[0]

    async def _acquire(self, deadline: float, *, lane: bool) -> tuple[_Worker, bool] | None:
        """Wait for a general worker (or a short-query one, with ``lane``) until ``deadline``."""
        def ready() -> bool:
            return bool(self._idle) or (lane and bool(self._lane_idle))

        async with self._ready:
            try:
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                    await self._ready.wait_for(ready)
            except TimeoutError:
                return None
            if self._idle:
                return self._idle.pop(0), False
            return self._lane_idle.pop(0), True

    async def run(self, job: _Job, timeout: float) -> _Answer | None:
        await self.start()
        deadline = time.monotonic() + timeout
        lane = self._lane_size > 0
        while True:
            got = await self._acquire(deadline, lane=lane)
            if got is None:
                return None
            worker, in_lane = got
            generation = self._generation
            budget = max(deadline - time.monotonic(), 0.0)
            if in_lane:
                budget = min(budget, self._lane_seconds)
            answer: _Answer | None = None
            keep = False
            try:
                answer = await anyio.to_thread.run_sync(worker.call, job, budget)
                keep = answer is not None and not answer.retire  # else busy, or retiring
            except (EOFError, OSError):
                answer = await anyio.to_thread.run_sync(worker.failure)
            finally:
                await self._release(worker, generation, keep=keep, in_lane=in_lane)
            if answer is None and in_lane and time.monotonic() < deadline:
                lane = False  # too long for the short-query lane: wait for a general worker
                continue
            return answer

    async def _release(self, worker: _Worker, generation: int, *, keep: bool,
                       in_lane: bool) -> None:
        """Put a worker back to wait for queries, or replace it (late, dead, or pool closed)."""
        if not keep or generation != self._generation:
            self._workers.discard(worker)
            task = asyncio.get_running_loop().create_task(
                self._respawn(worker, generation, in_lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        async with self._ready:
            (self._lane_idle if in_lane else self._idle).append(worker)
            self._ready.notify_all()

    async def _respawn(self, old: _Worker, generation: int, in_lane: bool) -> None:
        await anyio.to_thread.run_sync(old.stop)
        if generation != self._generation:
            return
        try:
            new = await anyio.to_thread.run_sync(self._spawn)
        except StoreError as exc:
            import logging

            logging.getLogger(__name__).error("cannot replace a query worker: %s", exc)
            return
        if generation != self._generation:
            await anyio.to_thread.run_sync(new.stop)
            return
        self._workers.add(new)
        async with self._ready:
            (self._lane_idle if in_lane else self._idle).append(new)
            self._ready.notify_all()

    def pids(self) -> list[int]:
        """Process ids of the live workers (general and short-query)."""
        return [w.process.pid for w in self._workers]

    async def close(self) -> None:
        self._generation += 1
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        workers, self._workers = list(self._workers), set()
        self._idle, self._lane_idle = [], []
        for worker in workers:
            await anyio.to_thread.run_sync(worker.stop)
        # Ready to start again, possibly under another event loop.
        self._lock, self._ready = asyncio.Lock(), asyncio.Condition()
        self._started = False


class _ThreadRunner:
    """Queries on a store object, one at a time in a thread (no dataset options)."""

    def __init__(self, store: Store):
        self.location = store.location
        self._evaluate = _store_evaluate(store)
        self._lock = threading.Lock()

    async def start(self) -> None:
        return None

    async def run(self, job: _Job, timeout: float) -> _Answer | None:
        deadline = time.monotonic() + timeout

        def call() -> _Answer | None:
            if not self._lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
                return None
            try:
                return _answer(job, self._evaluate)
            finally:
                self._lock.release()

        with anyio.move_on_after(timeout):
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        return None

    def pids(self) -> list[int]:
        return []

    async def close(self) -> None:
        return None


_Runner = _ProcessRunner | _ThreadRunner


# --- who may ask: the Host header (DNS rebinding) and the web origin (CORS) ---------------


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?|[0-9a-f:.]*:[0-9a-f:.]*")


def _host_name(header: str) -> str:
    """Return the name in a ``Host`` header, lower-cased, without port or IPv6 brackets.

    Examples
    --------
    >>> _host_name("LocalHost:7878"), _host_name("[::1]:7878"), _host_name("example.org.")
    ('localhost', '::1', 'example.org')
    """
    name = header.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return name.rstrip(".")


def normalise_host(name: str) -> str:
    """Check a host name given to ``--allowed-host``; return it as ``Host`` headers are compared.

    Examples
    --------
    >>> normalise_host("Lineage.Example:8080"), normalise_host("[::1]")
    ('lineage.example', '::1')
    """
    host = _host_name(name)
    if not _HOST_NAME.fullmatch(host):
        msg = f"not a host name: {name!r} (use a name such as lineage.example, or an address)"
        raise ValueError(msg)
    return host


def normalise_origin(origin: str) -> str:
    """Check a web origin given to ``--cors``; return it as browsers send it in ``Origin``.

    Examples
    --------
    >>> normalise_origin("HTTPS://Tools.Example:443/")
    'https://tools.example'
    >>> normalise_origin("*")
    Traceback (most recent call last):
      ...
    ValueError: not a web origin: '*' (use scheme://host[:port], such as http://localhost:3000)
    """
    msg = f"not a web origin: {origin!r} (use scheme://host[:port], such as http://localhost:3000)"
    try:
        parts = urllib.parse.urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        raise ValueError(msg) from None
    scheme = parts.scheme.lower()
    if (scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment or parts.username is not None):
        raise ValueError(msg)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 80 if scheme == "http" else 443
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


@dataclass(frozen=True, slots=True)
class _Guard:
    """Who may ask: ``Host`` names (against DNS rebinding) and cross-origin web pages."""

    hosts: frozenset[str]
    any_address: bool  # bound to every address: any IP address in Host is this machine
    origins: frozenset[str]

    @classmethod
    def of(cls, host: str, allowed_hosts: Iterable[str], cors: Iterable[str]) -> _Guard:
        bound = _host_name(host)
        return cls(_LOOPBACK_NAMES | {bound} | {normalise_host(h) for h in allowed_hosts},
                   bound in _WILDCARD_ADDRESSES, frozenset(normalise_origin(o) for o in cors))

    def host_refusal(self, header: str | None) -> str | None:
        """Why a request with this ``Host`` header is refused, or ``None``."""
        if header is None:  # HTTP/1.0 without Host: not a browser, so not rebinding
            return None
        name = _host_name(header)
        if name in self.hosts:
            return None
        if self.any_address:
            import ipaddress

            try:
                ipaddress.ip_address(name)
            except ValueError:
                pass
            else:
                return None
        return (f"request refused: Host {header!r} is not an address of this endpoint (a guard "
                "against DNS rebinding); lineage serve --allowed-host NAME accepts another "
                "name")

    def cross_origin(self, origin: str | None, host: str | None) -> bool | str:
        """Tell an allowed cross-origin request (``True``) from a refused one (the reason).

        ``False`` for a request from the endpoint's own origin or not from a web page.
        """
        if origin is None:
            return False
        netloc = urllib.parse.urlsplit(origin).netloc.lower()
        if host is not None and netloc == host.strip().lower():
            return False
        try:
            if normalise_origin(origin) in self.origins:
                return True
        except ValueError:
            pass
        return (f"cross-origin request from {origin!r} refused: lineage serve answers web "
                f"pages of other origins only when started with --cors ORIGIN")


class _GuardMiddleware:
    """Apply :class:`_Guard` to every HTTP request; add CORS headers where allowed."""

    def __init__(self, app: ASGIApp, guard: _Guard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host")
        refusal = self.guard.host_refusal(host)
        origin = headers.get("origin")
        cross = False if refusal else self.guard.cross_origin(origin, host)
        if isinstance(cross, str):
            refusal = cross
        if refusal is not None:
            response = PlainTextResponse(refusal + "\n", status_code=403,
                                         headers={"X-Content-Type-Options": "nosniff"})
            await response(scope, receive, send)
            return
        if not self.guard.origins:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if cross and origin is not None:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = ("X-Lineage-Truncated, "
                                                            "X-Lineage-Row-Limit")
            await send(message)

        await self.app(scope, receive, send_with_cors)


# --- the HTTP side ------------------------------------------------------------------------


_PAGE_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1f24; }
textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; }
table { border-collapse: collapse; margin-top: 1rem; font-size: 13px; }
th, td { border: 1px solid #c8ccd1; padding: .2rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #eef0f3; }
pre { background: #f6f8fa; padding: .6rem; overflow: auto; }
#note { margin-left: 1rem; color: #555; }
"""
_PAGE_SCRIPT = """
const form = document.getElementById("form");
const out = document.getElementById("out");
const note = document.getElementById("note");
function show(t) {
  if (t.type === "uri") return "<" + t.value + ">";
  if (t.type === "bnode") return "_:" + t.value;
  if (t["xml:lang"]) return JSON.stringify(t.value) + "@" + t["xml:lang"];
  return t.value;
}
async function run(event) {
  event.preventDefault();
  note.textContent = "running...";
  out.replaceChildren();
  const started = performance.now();
  let response;
  try {
    response = await fetch("sparql", {method: "POST",
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: form.query.value})});
  } catch (err) {
    note.textContent = String(err);
    return;
  }
  const ms = Math.round(performance.now() - started) + " ms";
  const cut = response.headers.get("X-Lineage-Truncated") === "true"
    ? ", cut at the server's row limit" : "";
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    out.append(pre);
    note.textContent = (response.ok ? "" : "HTTP " + response.status + ", ") + ms + cut;
    return;
  }
  const data = await response.json();
  if ("boolean" in data) {
    note.textContent = data.boolean + ", " + ms;
    return;
  }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of vars) tr.insertCell().textContent = row[v] ? show(row[v]) : "";
  }
  out.append(table);
  note.textContent = rows.length + " rows, " + ms + cut;
}
form.addEventListener("submit", run);
form.query.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
});
"""
_PAGE_QUERY = """PREFIX lin: <https://w3id.org/lineage/ns#>
SELECT ?model ?parent WHERE {
  ?m lin:derivedFrom ?p .
  ?m lin:hubId ?model .
  ?p lin:hubId ?parent .
}
ORDER BY ?model ?parent
LIMIT 100"""
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lineage SPARQL endpoint</title>
<style>{style}</style>
</head>
<body>
<h1>lineage SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 over the lineage graph at <code>/sparql</code> (GET or POST).
The default graph is the union of all card graphs; <code>lin:</code>, <code>prov:</code> and
lineage's other prefixes are predeclared. Queries stop after {timeout:g} s and return at most
{max_rows} rows. Ctrl+Enter runs the query.</p>
<form id="form">
<textarea name="query" rows="12" spellcheck="false" aria-label="SPARQL query">{query}</textarea>
<button type="submit">Run</button><span id="note"></span>
</form>
<div id="out"></div>
<script>{script}</script>
</body>
</html>
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class _Endpoint:
    """The request handlers, holding the app's settings (no module state)."""

    def __init__(self, runner: _Runner, *, timeout: float, max_rows: int):
        self.runner = runner
        self.timeout = timeout
        self.max_rows = max_rows
        self.page_body = _PAGE.format(style=_PAGE_STYLE, script=_PAGE_SCRIPT,
                                      query=html.escape(_PAGE_QUERY), timeout=timeout,
                                      max_rows=f"{max_rows:,}")
        self.page_csp = (f"default-src 'none'; script-src {_csp_hash(_PAGE_SCRIPT)}; "
                         f"style-src {_csp_hash(_PAGE_STYLE)}; connect-src 'self'; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

    async def page(self, request: Request) -> Response:
        return Response(self.page_body, media_type="text/html; charset=utf-8", headers={
            "Content-Security-Policy": self.page_csp, "X-Content-Type-Options": "nosniff"})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
        return headers | (extra or {})

    def _error(self, status: int, message: str, **headers: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status,
                                 headers=self._headers(headers))

    async def sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=self._headers({
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600", "Allow": "GET, POST, OPTIONS"}))
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            refusal = await self._read_post(request, params)
            if refusal is not None:
                return refusal
        if "update" in params:
            return self._error(400, UPDATE_REFUSED)
        queries = params.get("query", [])
        if not queries:
            if request.method == "GET":
                return self._service_description(request, params)
            return self._error(400, "missing the query parameter (query=...)")
        if len(queries) > 1:
            return self._error(400, "give exactly one query parameter")
        dataset = _dataset(params)
        if isinstance(dataset, str):
            return self._error(400, dataset)
        job = _Job(query=queries[0], accept=request.headers.get("accept"),
                   formats=tuple(params.get("format", []) + params.get("output", [])),
                   default_graphs=dataset[0] if dataset else None,
                   named_graphs=dataset[1] if dataset else None,
                   base_iri=str(request.url.replace(query="", fragment="")),
                   max_rows=self.max_rows)
        answer = await self.runner.run(job, self.timeout)
        if answer is None:
            return self._error(TIMEOUT_STATUS, f"query timed out after {self.timeout:g} s "
                               "(the endpoint's limit, lineage serve --timeout)")
        extra = {"X-Lineage-Truncated": "true",
                 "X-Lineage-Row-Limit": str(self.max_rows)} if answer.truncated else {}
        return Response(answer.body, status_code=answer.status,
                        headers=self._headers({"Content-Type": answer.content_type} | extra))

    async def _read_post(self, request: Request, params: dict[str, list[str]]
                         ) -> Response | None:
        """Add a POST body's parameters to ``params``; return an error response if any."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return self._error(400, UPDATE_REFUSED)
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            return self._error(415, "POST a form (application/x-www-form-urlencoded) with "
                               "query=..., or the query itself as application/sparql-query")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return self._error(413, f"the request body is over {MAX_BODY >> 20} MiB")
        try:
            text = body.decode("utf-8")
            if media == "application/sparql-query":
                params.setdefault("query", []).append(text)
                return None
            for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True,
                                                     errors="strict", max_num_fields=1000):
                params.setdefault(key, []).append(value)
        except (UnicodeDecodeError, ValueError) as exc:
            return self._error(400, f"cannot read the request body: {_one_line(exc)}")
        return None

    def _service_description(self, request: Request, params: dict[str, list[str]]) -> Response:
        accept = request.headers.get("accept")
        if accept and "text/html" in accept and not params:
            return RedirectResponse(request.url_for("page"), status_code=303)
        fmt = _negotiate(accept, params.get("format", []) + params.get("output", []),
                         _GRAPH_FORMATS)
        if fmt is None:
            return self._error(406, "the service description is available as " +
                               ", ".join(f.media_type for f in _GRAPH_FORMATS))
        endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
        service = ox.BlankNode()

        def sd(term: str) -> ox.NamedNode:
            return ox.NamedNode(_SD + term)

        objects: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (ox.NamedNode(_RDF_TYPE), sd("Service")), (sd("endpoint"), endpoint),
            (sd("supportedLanguage"), sd("SPARQL11Query")),
            (sd("feature"), sd("UnionDefaultGraph")),
            (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
                "Read-only lineage endpoint: updates, LOAD and SERVICE are refused; "
                f"queries stop after {self.timeout:g} s and return at most {self.max_rows} "
                "rows."))]
        objects += [(sd("resultFormat"), ox.NamedNode(f.sd_iri))
                    for f in (*_RESULT_FORMATS, *_GRAPH_FORMATS)]
        triples = [ox.Triple(service, p, o) for p, o in objects]
        body = ox.serialize(triples, format=_GRAPH_OX[fmt.media_type],
                            prefixes={"sd": _SD} if fmt.media_type == "text/turtle" else None)
        return Response(body or b"", headers=self._headers({"Content-Type": fmt.content_type}))


def _dataset(params: dict[str, list[str]]
             ) -> tuple[tuple[str, ...], tuple[str, ...]] | str | None:
    """Read the protocol's dataset: (default graphs, named graphs), None, or an error."""
    defaults = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not defaults and not named:
        return None
    for iri in (*defaults, *named):
        try:
            ox.NamedNode(iri)
        except ValueError:
            return f"not an absolute IRI in default-graph-uri or named-graph-uri: {iri!r}"
    return tuple(defaults), tuple(named)


def _runner(store: Store | str | Path, workers: int | None, memory_limit: int) -> _Runner:
    """Return worker processes for an on-disk Oxigraph store, else a thread (memory, remote)."""
    from lineage.store.oxigraph import OxigraphStore

    if isinstance(store, str | Path):
        text = str(store)
        if text.startswith("memory:"):
            return _ThreadRunner(open_store(text))
        opened = open_store(text, read_only=True)  # a clear StoreError when there is none
        if not isinstance(opened, OxigraphStore):  # a remote server: answer in a thread
            return _ThreadRunner(opened)
        opened.close()
        location = Path(text)
    elif isinstance(store, OxigraphStore) and Path(store.location).is_dir():
        location = Path(store.location)
    else:
        return _ThreadRunner(store)
    size = workers if workers is not None else min(4, max(2, os.cpu_count() or 1))
    return _ProcessRunner(str(location.resolve()), size, memory_limit=memory_limit)


def create_app(store: Store | str | Path, *, timeout: float = DEFAULT_TIMEOUT,
               max_rows: int = DEFAULT_MAX_ROWS, workers: int | None = None,
               memory_limit: int = DEFAULT_MEMORY_LIMIT, cors: Iterable[str] = (),
               host: str = "127.0.0.1", allowed_hosts: Iterable[str] = ()) -> Starlette:
    r"""Build the read-only SPARQL 1.1 Protocol application over a store.

    Parameters
    ----------
    store
        A store directory (embedded Oxigraph, opened read-only by worker processes),
        ``memory:``, or an open :class:`~lineage.store.Store` (an on-disk Oxigraph store
        is served by worker processes too; others in a thread).
    timeout
        Seconds a query may take, waiting included; later the client gets HTTP 503 and,
        on an on-disk store, the worker evaluating it is terminated.
    max_rows
        Solutions (or triples) returned at most; a cut result is flagged with the
        ``X-Lineage-Truncated: true`` header.
    workers
        General worker processes for an on-disk store (default: the number of cores, 2
        to 4); one more is kept for short queries (see :class:`_ProcessRunner`).
    memory_limit
        MiB of memory each worker process may allocate (``RLIMIT_DATA``; 0: no limit).
        A query past it gets HTTP 503 and its worker is replaced.
    cors
        Web origins (``scheme://host[:port]``) whose pages may query the endpoint: their
        requests get ``Access-Control-Allow-Origin``. Requests from other origins are
        refused (403); requests without ``Origin`` (not from a web page) are not affected.
    host
        The address the server listens on: ``Host`` headers naming it are accepted
        (any IP address when it is ``0.0.0.0`` or ``::``).
    allowed_hosts
        More names accepted in the ``Host`` header, besides ``host``, ``localhost``,
        ``127.0.0.1`` and ``::1``; others are refused (403) against DNS rebinding.

    Returns
    -------
    starlette.applications.Starlette
        The application; its lifespan starts and stops the worker processes (they also
        start on the first query when the server runs no lifespan).

    Raises
    ------
    lineage.errors.StoreError
        When ``store`` names a directory that holds no store.
    ValueError
        When ``timeout``, ``max_rows`` or ``workers`` is not positive, ``memory_limit`` is
        negative, or an origin or a host name is malformed.

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from lineage.store import open_store
    >>> with TestClient(create_app(open_store("memory:")), base_url="http://localhost") as client:
    ...     update = client.post("/sparql", content="INSERT DATA { <x:a> <x:b> <x:c> }",
    ...                          headers={"Content-Type": "application/sparql-update"})
    ...     elsewhere = client.get("/sparql", headers={"Host": "rebound.example"})
    >>> update.text
    'read-only endpoint: updates are refused\n'
    >>> elsewhere.status_code, elsewhere.text.split(":")[0]
    (403, 'request refused')
    """
    if not timeout > 0 or max_rows < 1 or (workers is not None and workers < 1):
        msg = "timeout, max_rows and workers must be positive"
        raise ValueError(msg)
    if memory_limit < 0:
        msg = "memory_limit must be 0 (no limit) or a number of MiB"
        raise ValueError(msg)
    guard = _Guard.of(host, allowed_hosts, cors)
    runner = _runner(store, workers, memory_limit)
    endpoint = _Endpoint(runner, timeout=timeout, max_rows=max_rows)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runner.start()
        try:
            yield
        finally:
            await runner.close()

    app = Starlette(routes=[
        Route("/", endpoint.page, methods=["GET"], name="page"),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST", "OPTIONS"], name="sparql"),
        Route("/health", endpoint.health, methods=["GET"], name="health"),
    ], middleware=[Middleware(_GuardMiddleware, guard=guard)], lifespan=lifespan)
    app.state.runner = runner
    return app


def _bind(host: str, port: int) -> socket.socket:
    """Bind a listening address now, so that a busy port is a clear error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        msg = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise LineageError(msg) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        msg = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise LineageError(msg) from None
    return sock


def serve(store: Store | str | Path, *, host: str = "127.0.0.1", port: int = 7878,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          workers: int | None = None, memory_limit: int = DEFAULT_MEMORY_LIMIT,
          cors: Iterable[str] = (), allowed_hosts: Iterable[str] = ()) -> None:
    """Run the endpoint with uvicorn until interrupted (see :func:`create_app`).

    Raises
    ------
    lineage.errors.LineageError
        When the store cannot be opened, the address cannot be bound, or the workers do
        not start.
    """
    import logging

    import uvicorn

    app = create_app(store, timeout=timeout, max_rows=max_rows, workers=workers,
                     memory_limit=memory_limit, cors=cors, host=host,
                     allowed_hosts=allowed_hosts)
    if host not in ("127.0.0.1", "::1", "localhost"):
        logging.getLogger(__name__).warning(
            "the endpoint has no authentication: anyone who reaches %s:%s can read the store",
            host, port)
    sock = _bind(host, port)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, lifespan="on",
                                           log_level="info"))
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    logging.getLogger("uvicorn.error").info(
        "lineage SPARQL endpoint on %s/sparql, a query page on %s/ (read-only; Ctrl+C to quit)",
        url, url)
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits when the application fails to start
        pass
    finally:
        sock.close()
    if not server.started:
        msg = "the SPARQL endpoint did not start (see the log above)"
        raise LineageError(msg, source=f"{host}:{port}")
