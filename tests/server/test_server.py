"""The SPARQL endpoint over loopback: a real server, SPARQLWrapper and plain HTTP."""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import uvicorn
from SPARQLWrapper import CSV, JSON, N3, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from starlette.applications import Starlette

from lineage.server import LOAD_REFUSED, SERVICE_REFUSED, UPDATE_REFUSED, create_app
from tests.conftest import EXAMPLES, ROOT, need, wait_until_serving

LIN = "https://w3id.org/lineage/ns#"
IDS = f"PREFIX lin: <{LIN}>\nSELECT ?id WHERE {{ ?m lin:hubId ?id }} ORDER BY ?id LIMIT 3"
HUB_IDS = f"PREFIX lin: <{LIN}>\nCONSTRUCT {{ ?m lin:hubId ?id }} WHERE {{ ?m lin:hubId ?id }}"
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Billions of solutions over the examples; the FILTER stops any shortcut for COUNT.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER(STR(?c) != STR(?i)) }")
MAX_ROWS = 50
RESULT_TYPES = {"json": "application/sparql-results+json",
                "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples",
               "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


# --- fixtures: servers, a client, a listener that must never be called ------------------


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with bound_socket() as sock:
        return int(sock.getsockname()[1])


@contextmanager
def running(app: Starlette) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; stop it afterwards."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on",
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not server.started:
            assert thread.is_alive(), "the server did not start"
            assert time.monotonic() < deadline, "the server did not start within 120 s"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()
        assert not thread.is_alive(), "the server did not stop within 60 s"


@pytest.fixture(scope="module")
def served(examples_store: Path) -> Iterator[tuple[str, Starlette]]:
    app = create_app(examples_store, timeout=60, max_rows=MAX_ROWS)
    with running(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def url(served: tuple[str, Starlette]) -> str:
    return served[0]


@pytest.fixture(scope="module")
def endpoint(url: str) -> str:
    return f"{url}/sparql"


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        yield client


@pytest.fixture(scope="module")
def oracle(examples_store: Path) -> Any:
    """Answers straight from the store, read-only, to compare the endpoint with."""
    store = ox.Store.read_only(str(examples_store))

    def query(text: str) -> list[dict[str, str]]:
        result = store.query(text, use_default_graph_as_union=True)
        return [{v.value: sol[v].value for v in result.variables if sol[v] is not None}
                for sol in result]
    return query


class Listener:
    """A loopback HTTP server that records every request (SERVICE or LOAD must not call)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    try:
        yield listening
    finally:
        listening.close()


def wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setTimeout(60)
    return sparql


def ids_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [b["id"]["value"] for b in response.json()["results"]["bindings"]]


# --- a real SPARQL client ------------------------------------------------------------------


def test_sparqlwrapper_select_json(endpoint, oracle):
    data = wrapper(endpoint, IDS, JSON).queryAndConvert()
    assert data["head"]["vars"] == ["id"]
    got = [b["id"]["value"] for b in data["results"]["bindings"]]
    assert got == [row["id"] for row in oracle(IDS)]
    assert len(got) == 3


def test_sparqlwrapper_select_xml(endpoint, oracle):
    doc = wrapper(endpoint, IDS, XML).queryAndConvert()
    got = [node.firstChild.data for node in doc.getElementsByTagName("literal")]
    assert got == [row["id"] for row in oracle(IDS)]


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_and_tsv(endpoint, oracle, fmt, delimiter):
    result = wrapper(endpoint, IDS, fmt).query()
    assert result._get_responseFormat() == fmt
    text = result.convert().decode()
    expected = [row["id"] for row in oracle(IDS)]
    if fmt == TSV:  # TSV writes RDF terms: header ?id, literals quoted
        rows = [line.split(delimiter) for line in text.splitlines()]
        assert rows[0] == ["?id"]
        assert [json.loads(r[0]) for r in rows[1:]] == expected
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert rows == [["id"], *([e] for e in expected)]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(endpoint, fmt):
    yes = wrapper(endpoint, f"ASK {{ ?m <{LIN}hubId> 'acme-ai/Acme-7B' }}", fmt)
    no = wrapper(endpoint, f"ASK {{ ?m <{LIN}hubId> 'no/such-model' }}", fmt)
    if fmt == JSON:
        assert yes.queryAndConvert()["boolean"] is True
        assert no.queryAndConvert()["boolean"] is False
    else:
        assert yes.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"
        assert no.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "false"


def test_sparqlwrapper_construct_turtle(endpoint, oracle):
    result = wrapper(endpoint, HUB_IDS, TURTLE).query()
    assert result.info()["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    expected = oracle(f"SELECT ?m ?id WHERE {{ ?m <{LIN}hubId> ?id }}")
    assert len(graph) == len({(r["m"], r["id"]) for r in expected}) > 0
    assert (rdflib.URIRef("https://huggingface.co/acme-ai/Acme-7B"), rdflib.URIRef(f"{LIN}hubId"),
            rdflib.Literal("acme-ai/Acme-7B")) in graph


def test_sparqlwrapper_construct_ntriples(endpoint):
    sparql = wrapper(endpoint, HUB_IDS, N3)
    sparql.setOnlyConneg(True)  # send only the Accept header below, no format= parameter
    sparql.addCustomHttpHeader("Accept", "application/n-triples")
    result = sparql.query()
    assert result.info()["content-type"] == "application/n-triples"
    text = result.convert().decode()
    assert "@prefix" not in text
    graph = rdflib.Graph().parse(data=text, format="nt")
    assert (None, rdflib.URIRef(f"{LIN}hubId"), rdflib.Literal("acme-ai/Acme-7B")) in graph


def test_sparqlwrapper_post(endpoint, oracle):
    sparql = wrapper(endpoint, IDS, JSON)
    sparql.setMethod(POST)
    got = [b["id"]["value"] for b in sparql.queryAndConvert()["results"]["bindings"]]
    assert got == [row["id"] for row in oracle(IDS)]


def test_sparqlwrapper_update_is_refused(endpoint, oracle):
    before = oracle(COUNT)
    sparql = wrapper(endpoint, "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", JSON)
    sparql.setMethod(POST)
    with pytest.raises(QueryBadFormed, match="updates are refused"):
        sparql.query()
    assert oracle(COUNT) == before


# --- the protocol over plain HTTP -----------------------------------------------------------


def test_get_and_both_post_forms_agree(http, oracle):
    expected = [row["id"] for row in oracle(IDS)]
    assert ids_of(http.get("/sparql", params={"query": IDS})) == expected
    assert ids_of(http.post("/sparql", data={"query": IDS})) == expected
    assert ids_of(http.post("/sparql", content=IDS.encode(),
                            headers={"Content-Type": "application/sparql-query"})) == expected


def test_lineage_prefixes_are_predeclared(http, oracle):
    query = "SELECT ?id WHERE { ?m lin:hubId ?id } ORDER BY ?id LIMIT 3"
    assert ids_of(http.get("/sparql", params={"query": query})) == [
        row["id"] for row in oracle(IDS)]


@pytest.mark.parametrize("kind", list(RESULT_TYPES))
def test_select_formats_by_accept(http, oracle, kind):
    response = http.get("/sparql", params={"query": IDS}, headers={"Accept": RESULT_TYPES[kind]})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == RESULT_TYPES[kind]
    assert "Accept" in response.headers["vary"]
    expected = [row["id"] for row in oracle(IDS)]
    if kind == "csv":  # lossy, so pyoxigraph does not read it back
        assert list(csv.reader(io.StringIO(response.text))) == [["id"], *([e] for e in expected)]
        return
    parsed = ox.parse_query_results(response.content, format={
        "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
        "tsv": ox.QueryResultsFormat.TSV}[kind])
    assert [sol["id"].value for sol in parsed] == expected


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("kind", list(GRAPH_TYPES))
def test_construct_formats_by_accept(http, oracle, kind):
    response = http.post("/sparql", data={"query": HUB_IDS},
                         headers={"Accept": GRAPH_TYPES[kind]})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == GRAPH_TYPES[kind]
    graph = rdflib.Graph().parse(data=response.content, format=RDFLIB_FORMATS[kind])
    expected = oracle(f"SELECT DISTINCT ?m ?id WHERE {{ ?m <{LIN}hubId> ?id }}")
    assert len(graph) == len(expected)


@pytest.mark.parametrize(("accept", "fmt", "query", "expected"), [
    (None, None, IDS, "application/sparql-results+json"),
    (None, None, HUB_IDS, "text/turtle"),
    ("*/*", None, IDS, "application/sparql-results+json"),
    ("text/*", None, IDS, "text/csv"),
    ("application/json", None, IDS, "application/sparql-results+json"),
    ("application/json", None, HUB_IDS, "application/ld+json"),
    ("text/plain", None, HUB_IDS, "application/n-triples"),
    ("text/csv;q=0.5, application/sparql-results+xml", None, IDS,
     "application/sparql-results+xml"),
    ("text/csv, text/tab-separated-values;q=0", None, IDS, "text/csv"),
    ("text/tab-separated-values;q=0, */*", None, IDS, "application/sparql-results+json"),
    # format= for clients that cannot set Accept (a browser link) ...
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "csv", IDS,
     "text/csv"),
    (None, "tsv", IDS, "text/tab-separated-values"),
    (None, "text/tab-separated-values", IDS, "text/tab-separated-values"),
    (None, "json", HUB_IDS, "application/ld+json"),
    (None, "nt", HUB_IDS, "application/n-triples"),
    # ... but an Accept type that names a format wins over it
    ("application/n-triples", "n3", HUB_IDS, "application/n-triples"),
])
def test_content_negotiation(http, accept, fmt, query, expected):
    params = {"query": query} | ({"format": fmt} if fmt else {})
    headers = {"Accept": accept} if accept else {}
    response = http.get("/sparql", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(("accept", "fmt", "query"), [
    ("image/png", None, IDS),
    ("text/turtle", None, IDS),
    ("application/sparql-results+json", None, HUB_IDS),
    (None, "csv", HUB_IDS),
    (None, "yaml", IDS),
])
def test_not_acceptable(http, accept, fmt, query):
    params = {"query": query} | ({"format": fmt} if fmt else {})
    response = http.get("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")
    assert "no acceptable format" in response.text


@pytest.mark.parametrize("request_kind", ["sparql-update body", "update= form", "update= GET",
                                          "query= INSERT", "query= DELETE WHERE"])
def test_updates_are_refused(http, oracle, request_kind):
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    before = oracle(COUNT)
    if request_kind == "sparql-update body":
        response = http.post("/sparql", content=update,
                             headers={"Content-Type": "application/sparql-update"})
    elif request_kind == "update= form":
        response = http.post("/sparql", data={"update": update})
    elif request_kind == "update= GET":
        response = http.get("/sparql", params={"update": update})
    elif request_kind == "query= INSERT":
        response = http.post("/sparql", data={"query": update})
    else:
        response = http.post("/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.strip() == UPDATE_REFUSED
    assert oracle(COUNT) == before


SERVICES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    # not parsed by rdflib (SPARQL 1.2 syntax), still refused
    "SELECT * WHERE {{ <<( ?s ?p ?o )>> ?q ?r . SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", SERVICES)
def test_service_is_refused_and_never_called(http, listener, template):
    response = http.post("/sparql", data={"query": template.format(url=listener.url)})
    assert response.status_code == 400, response.text
    assert response.text.strip() == SERVICE_REFUSED
    time.sleep(0.2)
    assert listener.hits == []


def test_the_listener_would_see_a_service_call(listener):
    # The control for the test above: pyoxigraph on its own does call the service.
    result = ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    list(result)
    assert len(listener.hits) == 1


@pytest.mark.parametrize("field", ["query", "update"])
def test_load_is_refused_and_never_fetches(http, listener, field):
    response = http.post("/sparql", data={field: f"LOAD <{listener.url}>"})
    assert response.status_code == 400
    assert UPDATE_REFUSED in response.text
    if field == "query":
        assert response.text.strip() == LOAD_REFUSED
    time.sleep(0.2)
    assert listener.hits == []


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != 'SERVICE <http://127.0.0.1:1/sparql> "
    "{ ?a ?b ?c }') }",
    'SELECT * WHERE { ?s ?p """LOAD <http://127.0.0.1:1/x> SERVICE <x:y> {}""" }',
    "# SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o }\nASK { ?s ?p ?o }",
    "SELECT ?service WHERE { ?service <http://127.0.0.1:1/SERVICE> ?o }",
    "PREFIX ex: <http://127.0.0.1:1/> SELECT * WHERE { ?s ex:SERVICE ?o }",
])
def test_service_as_a_word_in_data_is_fine(http, query):
    response = http.post("/sparql", data={"query": query})
    assert response.status_code == 200, response.text


def test_malformed_query_gives_the_parser_message(http):
    response = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o "})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("malformed query: line 1, column 27: expected")
    assert response.text.count("\n") == 1
    response = http.get("/sparql", params={"query": "SELECT * WHERE { ?s undeclared:p ?o }"})
    assert response.status_code == 400
    assert "unknown prefix 'undeclared:'" in response.text


def test_row_limit_cuts_and_says_so(http, oracle):
    assert int(oracle(COUNT)[0]["n"]) > MAX_ROWS
    response = http.get("/sparql", params={"query": ALL})
    assert response.status_code == 200
    assert response.headers["x-lineage-truncated"] == "true"
    assert response.headers["x-lineage-row-limit"] == str(MAX_ROWS)
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    csv_rows = http.get("/sparql", params={"query": ALL}, headers={"Accept": "text/csv"})
    assert len(csv_rows.text.strip().splitlines()) == MAX_ROWS + 1
    graph = http.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                     headers={"Accept": "application/n-triples"})
    assert graph.headers["x-lineage-truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == MAX_ROWS
    small = http.get("/sparql", params={"query": ALL + " LIMIT 5"})
    assert "x-lineage-truncated" not in small.headers
    assert len(small.json()["results"]["bindings"]) == 5


def test_dataset_parameters(http, oracle):
    graphs = sorted(row["g"] for row in oracle(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
        "'urn:lineage:card:')) }"))
    one, two = graphs[:2]
    in_one = oracle(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{one}> {{ ?s ?p ?o }} }}")

    def count(params: dict[str, Any]) -> int:
        response = http.get("/sparql", params={"query": COUNT, **params})
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert count({"default-graph-uri": one}) == int(in_one[0]["n"])
    assert count({}) == int(oracle(COUNT)[0]["n"])
    # The protocol's dataset wins over the query's FROM.
    response = http.get("/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) FROM <{two}> WHERE {{ ?s ?p ?o }}",
        "default-graph-uri": one})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == in_one[0]["n"]
    # A FROM in the query alone is honoured (no union default graph then).
    response = http.get("/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) FROM <{one}> WHERE {{ ?s ?p ?o }}"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == in_one[0]["n"]
    named = http.get("/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": two})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [two]
    bad = http.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400
    assert "not an absolute IRI" in bad.text


def test_bad_requests(http):
    assert http.post("/sparql", content=b"query=ASK{}",
                     headers={"Content-Type": "text/plain"}).status_code == 415
    missing = http.post("/sparql", data={"format": "json"})
    assert missing.status_code == 400
    assert "missing the query parameter" in missing.text
    two = http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400
    assert http.put("/sparql", content=b"x").status_code == 405
    big = http.post("/sparql", content=b"#" * (4 << 20 | 1),
                    headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413


def test_service_description_and_browsers(http, endpoint):
    response = http.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert graph.value(service, sd.endpoint) == rdflib.URIRef(endpoint)
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    browser = http.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"},
                       follow_redirects=True)
    assert browser.status_code == 200
    assert browser.history[0].status_code == 303
    assert "<textarea" in browser.text


def test_query_page(http):
    response = http.get("/query")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<textarea" in page
    assert '<button type="submit">Run</button>' in page
    assert "SELECT DISTINCT ?model ?parent" in page  # an edge stated by two cards shows once
    assert '<script src="/static/query.js"></script>' in page
    assert "<script>" not in page  # no inline script: the policy allows the file only
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    script = http.get("/static/query.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert 'fetch("sparql"' in script.text
    assert http.get("/static/../app.py").status_code == 404
    assert http.get("/static/nothing.js").status_code == 404


def test_default_query_lists_each_edge_once(http):
    from lineage.server.pages import DEFAULT_QUERY

    rows = http.get("/sparql", params={"query": DEFAULT_QUERY}).json()["results"]["bindings"]
    pairs = [(r["model"]["value"], r["parent"]["value"]) for r in rows]
    assert pairs
    assert len(pairs) == len(set(pairs))


def test_health_and_no_cors_by_default(http, url):
    health = http.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    # Another origin is refused, its preflight too; the endpoint's own page is served.
    answer = http.get("/sparql", params={"query": "ASK {}"},
                      headers={"Origin": "http://example.org"})
    assert answer.status_code == 403
    assert "access-control-allow-origin" not in answer.headers
    preflight = http.options("/sparql", headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    same = http.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": url})
    assert same.status_code == 200
    assert "access-control-allow-origin" not in same.headers


# --- the deadline -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tight(examples_store: Path) -> Iterator[tuple[str, Starlette]]:
    app = create_app(examples_store, timeout=0.5, max_rows=10, workers=1)
    with running(app) as url:
        yield url, app


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/status").exists() or "zombie" not in Path(
        f"/proc/{pid}/status").read_text()


def test_a_query_past_the_timeout_is_stopped(tight):
    url, app = tight
    runner = app.state.runner
    before = set(runner.pids())
    assert len(before) == 2  # one general worker, one kept for short queries
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        started = time.monotonic()
        response = http.get("/sparql", params={"query": SLOW})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/plain")
        assert "timed out after 0.5 s" in response.text
        assert elapsed < 5
        # The worker evaluating it was terminated, and a new one answers the next query.
        deadline = time.monotonic() + 10
        while all(alive(pid) for pid in before) and time.monotonic() < deadline:
            time.sleep(0.05)
        [stopped] = [pid for pid in before if not alive(pid)]
        deadline = time.monotonic() + 60
        while len(runner.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(3):  # a 0.5 s budget: allow for a busy machine
            after = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            if after.status_code == 200:
                break
        assert after.status_code == 200, after.text
        assert after.json()["boolean"] is True
        assert stopped not in runner.pids()


# --- other stores, the API and the console script ---------------------------------------------


def test_an_in_memory_store_is_served_in_a_thread():
    from starlette.testclient import TestClient

    import lineage

    store = lineage.open_store("memory:")
    lineage.build([EXAMPLES / "acme-ai"], store=store)
    # rdflib's parser leaves reference cycles through the frames that called it, here
    # MemoryStore.card_index holding a pyoxigraph result: free them on the thread that
    # made them, before the server's threads run the collector.
    gc.collect()
    with TestClient(create_app(store, max_rows=2), base_url="http://127.0.0.1") as client:
        response = client.get("/sparql", params={"query": IDS})
        assert response.status_code == 200
        assert response.headers["x-lineage-truncated"] == "true"
        assert [b["id"]["value"] for b in response.json()["results"]["bindings"]] == [
            "acme-ai/Acme-7B", "acme-ai/Acme-7B-Instruct"]
        refused = client.get("/sparql", params={"query": IDS, "default-graph-uri": "urn:x:g"})
        assert refused.status_code == 400
        assert "on-disk store" in refused.text
        service = client.get("/sparql", params={
            "query": "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
        assert service.status_code == 400


def test_the_app_starts_again_after_a_stop(examples_store):
    from starlette.testclient import TestClient

    app = create_app(examples_store, workers=1)
    for _ in range(2):  # each TestClient runs its own event loop
        with TestClient(app, base_url="http://localhost") as client:
            response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert response.json()["boolean"] is True
            workers = app.state.runner.pids()
            assert len(workers) == 2  # the general worker and the short-query one
        assert app.state.runner.pids() == []
        assert not any(alive(pid) for pid in workers)


def test_create_app_checks_its_arguments(tmp_path):
    from lineage.errors import StoreError

    with pytest.raises(StoreError, match="no store here"):
        create_app(tmp_path / "missing")
    with pytest.raises(ValueError, match="positive"):
        create_app("memory:", timeout=0)
    with pytest.raises(ValueError, match="memory_limit"):
        create_app("memory:", memory_limit=-1)
    with pytest.raises(ValueError, match="not a web origin"):
        create_app("memory:", cors=["*"])
    with pytest.raises(ValueError, match="not a host name"):
        create_app("memory:", allowed_hosts=["evil example"])


def test_serve_command_has_help_and_docs(run):
    proc = run("serve", "--help")
    assert proc.returncode == 0
    assert "--max-rows" in proc.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "lineage serve" in readme


def test_serve_command_errors_are_one_line(run, tmp_path, examples_store):
    proc = run("serve", "--store", tmp_path / "missing", "--port", str(free_port()))
    assert proc.returncode == 2
    assert proc.stderr.startswith("lineage: error: ")
    assert "no store here" in proc.stderr
    with bound_socket() as busy:
        busy.listen()
        port = busy.getsockname()[1]
        proc = run("serve", "--store", examples_store, "--port", str(port))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"lineage: error: cannot listen on 127.0.0.1:{port}: ")
    assert len(proc.stderr.strip().splitlines()) == 1


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_serve_console_script(lineage_exe, examples_store):
    need(Path("/proc/self/stat").exists(), "needs /proc to find the worker processes")
    port = free_port()
    proc = subprocess.Popen([lineage_exe, "serve", "--store", str(examples_store),
                             "--port", str(port), "--timeout", "10", "--max-rows", "7"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          trust_env=False) as http:
            wait_until_serving(proc, http, pause=0.2)
            response = http.get("/sparql", params={"query": ALL})
            assert response.status_code == 200
            assert len(response.json()["results"]["bindings"]) == 7
        workers = children_of(proc.pid)
        assert len(workers) >= 2
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode in (0, 130), err
    assert f"lineage SPARQL endpoint on http://127.0.0.1:{port}/sparql" in err
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)


def test_cli_module_does_not_load_the_server():
    code = ("import sys, lineage.cli; "
            "print([m for m in ('starlette', 'uvicorn', 'lineage.server') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_xml_results_are_well_formed(http):
    response = http.get("/sparql", params={"query": IDS, "format": "xml"})
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
