r"""A read-only SPARQL 1.1 Protocol endpoint and web view over a lineage store (``lineage serve``).

One module per concept: :mod:`~lineage.server.negotiate` (result formats),
:mod:`~lineage.server.guard` (what is refused), :mod:`~lineage.server.evaluate` (one query),
:mod:`~lineage.server.workers` (where queries run), :mod:`~lineage.server.access` (Host and
Origin), :mod:`~lineage.server.endpoint` (the protocol), :mod:`~lineage.server.pages` and
:mod:`~lineage.server.svg` (the web view, its templates in ``templates/``), and
:mod:`~lineage.server.app` (:func:`create_app`, :func:`serve`).

``create_app(store)`` returns a Starlette application; :func:`serve` runs it with uvicorn,
on ``127.0.0.1`` unless told otherwise. Routes:

``/sparql``
    The `SPARQL 1.1 Protocol <https://www.w3.org/TR/sparql11-protocol/>`_ query
    operation: ``GET ?query=``, ``POST`` of ``application/x-www-form-urlencoded``
    (``query=``) and ``POST`` of an ``application/sparql-query`` body, with
    ``default-graph-uri`` / ``named-graph-uri``. Without a query, ``GET`` answers the
    endpoint's SPARQL service description (a browser asking for HTML is sent to ``/query``).
``/query``
    The query page: type a query, run it, see the results as a table (model IRIs linked).
``/``, ``/models``, ``/model/{org}/{name}``, ``/model?iri=``, ``/queries/{name}``
    The web view, read-only and server-rendered (see :mod:`lineage.server.pages`): search,
    a page per model with its evidence and family diagram, named queries as forms.
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

from lineage.server.access import normalise_host, normalise_origin
from lineage.server.app import create_app, serve
from lineage.server.endpoint import DEFAULT_TIMEOUT, TIMEOUT_STATUS
from lineage.server.evaluate import DEFAULT_MAX_ROWS
from lineage.server.guard import (
    LOAD_REFUSED,
    MAX_CHAIN,
    MAX_DEPTH,
    SERVICE_REFUSED,
    UPDATE_REFUSED,
    check_nesting,
)
from lineage.server.workers import DEFAULT_MEMORY_LIMIT

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
