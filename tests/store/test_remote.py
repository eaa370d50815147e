"""The remote backend's own behaviour: retries, credentials, specs, and Virtuoso's quirks.

The HTTP tests talk to a scripted ``http.server`` on 127.0.0.1; the Virtuoso tests to the
session's private server. Nothing leaves the machine.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
import pytest

import lineage
from lineage.errors import QueryError, StoreError
from lineage.ns import ENTITIES_GRAPH
from lineage.store import CardGraph, open_store
from lineage.store.remote import RemoteStore, query_form
from lineage.store.spec import parse_remote, resolve_store
from lineage.store.transport import Transport
from tests.conftest import EXAMPLES

from .conftest import wipe
from .virtuoso import PrivateVirtuoso

SECRET = "hunter2-very-secret"


# --------------------------------------------------------------------------- a scripted server


class Script(BaseHTTPRequestHandler):
    """Answers each request with the next scripted (status, headers, body); logs requests."""

    answers: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []
    seen: ClassVar[list[tuple[str, str, dict[str, str], float]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append((self.command, self.path, dict(self.headers), time.monotonic()))
        status, headers, body = (type(self).answers.pop(0) if type(self).answers
                                 else (200, {}, b""))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[Script]]]:
    class Handler(Script):
        answers: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []
        seen: ClassVar[list[tuple[str, str, dict[str, str], float]]] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Handler
    finally:
        server.shutdown()
        server.server_close()


def select_json(*values: str) -> bytes:
    return json.dumps({"head": {"vars": ["v"]}, "results": {"bindings": [
        {"v": {"type": "literal", "value": v}} for v in values]}}).encode()


ASK_TRUE = b'{"head": {}, "boolean": true}'


# --------------------------------------------------------------------------- retries


def test_a_503_is_retried_then_answered(scripted):
    base, handler = scripted
    handler.answers[:] = [(503, {}, b"busy"), (200, {"content-type": "application/json"},
                                               ASK_TRUE)]
    waits: list[float] = []
    store = RemoteStore(f"sparql+{base}/sparql", transport=Transport(sleep=waits.append))
    assert bool(store.query("ASK { ?s ?p ?o }"))
    assert len(handler.seen) == 2
    assert waits == [0.5]


def test_backoff_doubles_until_the_tries_run_out(scripted):
    base, handler = scripted
    handler.answers[:] = [(502, {}, b"bad gateway\nmore")] * 4
    waits: list[float] = []
    store = RemoteStore(f"sparql+{base}/sparql",
                        transport=Transport(retries=3, sleep=waits.append))
    with pytest.raises(StoreError) as err:
        store.query("ASK {}")
    assert waits == [0.5, 1.0, 2.0]
    assert len(handler.seen) == 4
    message = str(err.value)
    assert message == (f"{base}/sparql: query failed after 4 tries: HTTP 502 bad gateway")
    assert "\n" not in message


def test_retry_after_is_honoured(scripted):
    base, handler = scripted
    handler.answers[:] = [(429, {"retry-after": "1"}, b"slow down"),
                          (200, {"content-type": "application/sparql-results+json"},
                           select_json("x"))]
    store = RemoteStore(f"sparql+{base}/sparql")  # the real clock
    rows = store.query("SELECT ?v WHERE { ?v ?p ?o }")
    assert [str(r["v"].value) for r in rows] == ["x"]
    assert handler.seen[1][3] - handler.seen[0][3] >= 0.95


def test_a_put_answered_503_is_retried(scripted):
    base, handler = scripted
    handler.answers[:] = [(204, {}, b""), (503, {}, b""), (201, {}, b"")]
    card = CardGraph("c.md", "urn:lineage:card:1",
                     b"<urn:s> <urn:p> <urn:o> <urn:lineage:card:1> .\n"
                     b"<urn:s> <urn:p> \"x\" <urn:lineage:entities> .\n")
    store = RemoteStore(f"sparql+{base}/sparql?workers=1",
                        transport=Transport(sleep=lambda _: None))
    store.replace_cards([card])
    methods = [(m, p.split("?")[0]) for m, p, _, _ in handler.seen]
    # entity statements are added (POST) before the card graph is replaced (PUT)
    assert methods == [("POST", "/sparql-graph-crud"), ("PUT", "/sparql-graph-crud"),
                       ("PUT", "/sparql-graph-crud")]
    assert "graph=urn%3Alineage%3Aentities" in handler.seen[0][1]


def test_other_errors_are_one_line_and_not_retried(scripted):
    base, handler = scripted
    handler.answers[:] = [(500, {}, b"Virtuoso 42000 Error: something\n\ndetails")]
    store = RemoteStore(f"sparql+{base}/sparql", transport=Transport(sleep=lambda _: None))
    with pytest.raises(StoreError, match=r"query failed: HTTP 500 Virtuoso 42000 Error: "
                                         r"something$"):
        store.query("ASK {}")
    assert len(handler.seen) == 1


def test_a_malformed_query_is_a_query_error(scripted):
    base, handler = scripted
    handler.answers[:] = [(400, {}, b"Virtuoso 37000 Error SP030: syntax error")]
    store = RemoteStore(f"sparql+{base}/sparql")
    with pytest.raises(QueryError, match="refused the query: Virtuoso 37000 Error SP030"):
        store.query("SELECT * WHERE { ?s ?p }")


def test_no_server_is_a_clear_error_after_retries():
    from .virtuoso import free_port

    waits: list[float] = []
    url = f"http://127.0.0.1:{free_port()}/sparql"
    store = RemoteStore(f"sparql+{url}", transport=Transport(retries=2, sleep=waits.append))
    with pytest.raises(StoreError) as err:
        store.card_index()
    assert str(err.value).startswith(f"{url}: reading the index failed after 3 tries: "
                                     "ConnectError")
    assert waits == [0.5, 1.0]


def test_a_cut_result_is_an_error_and_the_index_pages_under_the_cap(scripted):
    base, handler = scripted
    row = {"g": {"type": "uri", "value": "urn:lineage:card:a"},
           "src": {"type": "literal", "value": "a.md"}}

    def page(*graphs: str) -> bytes:
        return json.dumps({"head": {"vars": ["g", "src"]}, "results": {"bindings": [
            {**row, "g": {"type": "uri", "value": g},
             "src": {"type": "literal", "value": g[-1] + ".md"}} for g in graphs]}}).encode()

    json_type = {"content-type": "application/sparql-results+json"}
    handler.answers[:] = [
        (200, {**json_type, "x-sparql-maxrows": "2"}, page("urn:lineage:card:a",
                                                           "urn:lineage:card:b")),
        (200, json_type, page("urn:lineage:card:a", "urn:lineage:card:b")),
        (200, json_type, page("urn:lineage:card:c")),
    ]
    store = RemoteStore(f"sparql+{base}/sparql?page=5")
    assert store.card_index() == {"a.md": "urn:lineage:card:a", "b.md": "urn:lineage:card:b",
                                  "c.md": "urn:lineage:card:c"}
    assert len(handler.seen) == 3  # cut at 2 (the server's cap): asked again in pages of 2
    handler.answers[:] = [(200, {**json_type, "x-sparql-maxrows": "2"}, page("urn:x:a",
                                                                             "urn:x:b"))]
    with pytest.raises(StoreError, match="cut the result at 2 rows"):
        store.query("SELECT ?g ?src WHERE { ?g ?p ?src }")


# --------------------------------------------------------------------------- credentials


def test_credentials_never_appear_in_errors(scripted, monkeypatch):
    base, handler = scripted
    monkeypatch.setenv("LINEAGE_STORE_USER", "lineage")
    monkeypatch.setenv("LINEAGE_STORE_PASSWORD", SECRET)
    monkeypatch.setenv("LINEAGE_STORE_AUTH", "basic")
    echo = b"Authorization was: Basic bGluZWFnZTpodW50ZXIyLXZlcnktc2VjcmV0 / " + SECRET.encode()
    handler.answers[:] = [(500, {}, echo), (401, {}, b"who are you " + SECRET.encode()),
                          (400, {}, echo)]
    store = RemoteStore(f"sparql+{base}/sparql", transport=Transport(sleep=lambda _: None))
    messages = []
    for _ in range(3):
        with pytest.raises((StoreError, QueryError)) as err:
            store.query("ASK {}")
        messages.append(str(err.value))
    assert handler.seen[0][2]["Authorization"].startswith("Basic ")  # they were sent
    for message in messages:
        assert SECRET not in message
        assert "bGluZWFnZTpodW50ZXIyLXZlcnktc2VjcmV0" not in message
    assert "LINEAGE_STORE_USER" in messages[1]  # a 401 says where credentials go


def test_credentials_in_the_spec_are_refused_without_echoing_them():
    with pytest.raises(StoreError) as err:
        open_store(f"sparql+http://admin:{SECRET}@127.0.0.1:9/sparql")
    assert SECRET not in str(err.value)
    assert "LINEAGE_STORE_PASSWORD" in str(err.value)


def test_a_read_only_store_refuses_writes():
    store = open_store("sparql+http://127.0.0.1:9/sparql", read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.remove_graphs(["urn:lineage:card:x"])


# --------------------------------------------------------------------------- specs


def test_spec_options():
    spec = parse_remote("sparql+https://db.example:8443/ds/query?update=https://db.example:8443"
                        "/ds/update&graph_store=https://db.example:8443/ds/data&dataset=lineage"
                        "&page=500&workers=1&timeout=5")
    assert (spec.query, spec.update, spec.graph_store) == (
        "https://db.example:8443/ds/query", "https://db.example:8443/ds/update",
        "https://db.example:8443/ds/data")
    assert (spec.dataset, spec.page, spec.workers, spec.timeout) == ("lineage", 500, 1, 5.0)
    assert parse_remote("sparql+http://h/sparql-auth").graph_store == \
        "http://h/sparql-graph-crud-auth"
    assert parse_remote("sparql+http://h:3030/ds").graph_store == "http://h:3030/ds"
    for bad in ("sparql+http://h/s?bogus=1", "sparql+http://h/s?dataset=all",
                "sparql+http://h/s?page=0", "sparql+ftp://h/s", "sparql+http:///s"):
        with pytest.raises(StoreError):
            parse_remote(bad)
    with pytest.raises(StoreError, match="unsupported store scheme 'postgres://'"):
        open_store("postgres://h/db")


def test_query_form():
    assert query_form("PREFIX a: <urn:a#>\nBASE <urn:b>\n# SELECT\nASK {}") == "ASK"
    assert query_form("  describe <urn:x>") == "DESCRIBE"
    with pytest.raises(QueryError, match="not a SPARQL query"):
        query_form("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_store_resolution(tmp_path: Path):
    assert resolve_store("given", env={"LINEAGE_STORE": "env"}, cwd=tmp_path) == "given"
    assert resolve_store(None, env={"LINEAGE_STORE": "env"}, cwd=tmp_path) == "env"
    assert resolve_store(None, env={}, cwd=tmp_path) == ".lineage"
    (tmp_path / "lineage.toml").write_text(
        '[store]\nspec = "sparql+http://127.0.0.1:8890/sparql"\n'
        'update = "http://127.0.0.1:8890/sparql-auth"\n', encoding="utf-8")
    resolved = resolve_store(None, env={}, cwd=tmp_path)
    assert resolved == ("sparql+http://127.0.0.1:8890/sparql?update="
                        "http%3A%2F%2F127.0.0.1%3A8890%2Fsparql-auth")
    assert parse_remote(resolved).update == "http://127.0.0.1:8890/sparql-auth"
    assert resolve_store(None, env={"LINEAGE_STORE": "env"}, cwd=tmp_path) == "env"
    (tmp_path / "lineage.toml").write_text('[store]\nspec = "dir"\nupdate = "http://x/u"\n',
                                           encoding="utf-8")
    with pytest.raises(StoreError, match="apply only to a sparql"):
        resolve_store(None, env={}, cwd=tmp_path)
    (tmp_path / "lineage.toml").write_text("[store\n", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot read the configuration"):
        resolve_store(None, env={}, cwd=tmp_path)


# --------------------------------------------------------------------------- Virtuoso


XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = [  # (lexical form as written, datatype)
    ("true", "boolean"), ("false", "boolean"), ("7", "integer"), ("007", "integer"),
    ("2147483648", "integer"), ("2000000000000", "integer"), ("9223372036854775807", "integer"),
    ("0.50", "decimal"), ("190000", "decimal"), ("72.07", "decimal"), ("-0.0", "decimal"),
    ("5e-05", "double"), ("2e-06", "double"), ("0.0001", "double"), ("1e20", "double"),
    ("3.141592653589793", "double"),
    ("2023-11-14T22:13:20+00:00", "dateTime"), ("2026-11-24T08:03:08.500Z", "dateTime"),
    ("https://huggingface.co/a/b?x=1", "anyURI"),
]
STRINGS = ["  padded  ", "tab\there", "line\nbreak", "cr\rhere", 'quote " and \\',
           "Instinct™ 😀", "", "<b>&amp;</b>"]


def _odd_card() -> tuple[CardGraph, ox.Store]:
    g = "urn:lineage:card:literals"
    quads = [ox.Quad(ox.NamedNode(f"urn:lit:{i}"), ox.NamedNode("urn:lit:v"),
                     ox.Literal(v, datatype=ox.NamedNode(XSD + d)), ox.NamedNode(g))
             for i, (v, d) in enumerate(LITERALS)]
    quads += [ox.Quad(ox.NamedNode(f"urn:str:{i}"), ox.NamedNode("urn:lit:v"), ox.Literal(s),
                      ox.NamedNode(g)) for i, s in enumerate(STRINGS)]
    quads += [ox.Quad(ox.NamedNode(g), ox.NamedNode("https://w3id.org/lineage/ns#"
                                                    "sourceLocation"), ox.Literal("odd.md"),
                      ox.NamedNode(g)),
              ox.Quad(ox.NamedNode("urn:e"), ox.NamedNode("urn:lit:v"),
                      ox.Literal("en", language="en-GB"), ox.NamedNode(ENTITIES_GRAPH))]
    reference = ox.Store()
    reference.extend(quads)
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    return CardGraph("odd.md", g, data), reference


@pytest.fixture
def remote(virtuoso: PrivateVirtuoso) -> Iterator[RemoteStore]:
    store = open_store(virtuoso.spec)
    assert isinstance(store, RemoteStore)
    wipe(store)
    yield store
    store.close()


def test_literals_survive_virtuoso_exactly_in_dumps(remote: RemoteStore):
    card, reference = _odd_card()
    remote.replace_cards([card])
    got, want = io.BytesIO(), io.BytesIO()
    remote.dump(got, ox.RdfFormat.N_QUADS)
    reference.dump(want, ox.RdfFormat.N_QUADS)
    assert sorted(got.getvalue().splitlines()) == sorted(want.getvalue().splitlines())


def test_literals_in_query_results(remote: RemoteStore):
    """Query results equal the embedded store's, but for what Virtuoso's writers lose.

    Virtuoso prints doubles with C's %g (six significant digits) in every result format, so
    a double with more digits comes back rounded (dumps read STR() and stay exact).
    """
    card, reference = _odd_card()
    remote.replace_cards([card])
    query = "SELECT ?s ?o WHERE { ?s <urn:lit:v> ?o }"
    got = {str(r["s"].value): r["o"] for r in remote.query(query)}
    want = {str(r["s"].value): r["o"] for r in reference.query(query,
                                                                use_default_graph_as_union=True)}
    pi = f"urn:lit:{LITERALS.index(('3.141592653589793', 'double'))}"
    assert got.pop(pi) == ox.Literal("3.14159", datatype=ox.NamedNode(XSD + "double"))
    assert want.pop(pi) == ox.Literal("3.141592653589793", datatype=ox.NamedNode(XSD + "double"))
    assert got == want


def test_a_result_over_virtuosos_row_cap_is_an_error(remote: RemoteStore):
    assert lineage.build([EXAMPLES], store=remote, jobs=1).ok
    with pytest.raises(StoreError, match=r"cut the result at 10,000 rows.*ResultSetMaxRows"):
        remote.query("SELECT ?a ?s WHERE { ?a a <https://w3id.org/lineage/ns#Model> . "
                     "?s ?p ?o }")


def test_small_pages_read_the_whole_index_and_dump(remote: RemoteStore, virtuoso,
                                                   examples_store: Path):
    assert lineage.build([EXAMPLES], store=remote, jobs=1).ok
    paged = open_store(virtuoso.spec + "?page=7")
    reference = open_store(examples_store, read_only=True)
    try:
        assert paged.card_index() == remote.card_index()
        assert len(paged.card_index()) == 12
        got, whole = io.BytesIO(), io.BytesIO()
        paged.dump(got, ox.RdfFormat.N_QUADS)
        remote.dump(whole, ox.RdfFormat.N_QUADS)
        assert got.getvalue() == whole.getvalue()
        assert paged.quad_count() == reference.quad_count()
    finally:
        paged.close()
        reference.close()


def test_the_dataset_option(remote: RemoteStore, virtuoso):
    """dataset=server sees Virtuoso's own graphs in a query that matches any triple;
    dataset=lineage names lineage's graphs, and sees exactly them."""
    assert lineage.build([EXAMPLES], store=remote, jobs=1).ok
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = open_store(virtuoso.spec + "?dataset=lineage")
    try:
        only_lineage = int(next(iter(named.query(count)))["n"].value)
        everything = int(next(iter(remote.query(count)))["n"].value)
        assert only_lineage == remote.quad_count()
        assert everything > only_lineage  # Virtuoso's system graphs
        g = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        assert {str(r["g"].value) for r in named.query(g)} == {
            ENTITIES_GRAPH, *remote.card_index().values()}
        assert lineage.show("acme-ai/Acme-7B", store=named) == \
            lineage.show("acme-ai/Acme-7B", store=remote)
    finally:
        named.close()


def test_digest_authentication(virtuoso, monkeypatch):
    """Virtuoso's /sparql-auth and /sparql-graph-crud-auth take HTTP digest (dba here)."""
    monkeypatch.setenv("LINEAGE_STORE_USER", "dba")
    monkeypatch.setenv("LINEAGE_STORE_PASSWORD", "dba")
    spec = virtuoso.spec.replace("/sparql", "/sparql-auth")
    store = open_store(spec)
    try:
        wipe(store)
        report = lineage.build([EXAMPLES / "acme-ai"], store=store, jobs=1)
        assert (report.ingested, report.rejected) == (3, [])
        assert len(store.card_index()) == 3
    finally:
        store.close()
    monkeypatch.setenv("LINEAGE_STORE_PASSWORD", SECRET)
    wrong = open_store(spec)
    with pytest.raises(StoreError) as err:
        wrong.card_index()
    assert "HTTP 401" in str(err.value)
    assert SECRET not in str(err.value)
    wrong.close()


def test_cli_reads_the_store_from_env_and_lineage_toml(virtuoso, run, tmp_path: Path,
                                                      monkeypatch):
    store = open_store(virtuoso.spec)
    wipe(store)
    store.close()
    monkeypatch.setenv("LINEAGE_STORE", virtuoso.spec)
    built = run("build", EXAMPLES, "--jobs", "1", "-q", cwd=tmp_path, check=True)
    assert "cards ingested 12" in built.stdout
    monkeypatch.delenv("LINEAGE_STORE")
    (tmp_path / "lineage.toml").write_text(f'[store]\nspec = "{virtuoso.spec}"\n',
                                           encoding="utf-8")
    shown = run("show", "acme-ai/Acme-7B", "--format", "json", cwd=tmp_path, check=True)
    assert json.loads(shown.stdout)["id"] == "acme-ai/Acme-7B"
    assert not (tmp_path / ".lineage").exists()  # no embedded store was made
    (tmp_path / "lineage.toml").write_text('[store]\nspec = "sparql+http://127.0.0.1:9/x?x=1"\n',
                                           encoding="utf-8")
    bad = run("show", "acme-ai/Acme-7B", cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown store option 'x'" in bad.stderr
