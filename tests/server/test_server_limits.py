"""A bounded, private endpoint: each case runs against a real `lineage serve` on loopback.

Memory per query worker, slow queries that must not starve short ones, nesting that would
crash the query engine (also in `lineage query`), and who may ask: web origins (CORS) and
Host names (DNS rebinding).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import need, wait_until_serving

from .test_server import SLOW, alive, children_of, free_port

# The query: a sort over billions of solutions, which grows without bound.
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 5"
# 2,500 nested groups in 5 KB: enough to overflow Oxigraph's parser stack.
DEEP = "SELECT * WHERE " + "{" * 2500 + "?s ?p ?o" + "}" * 2500
ORIGIN = "http://tools.example:3000"


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    port: int

    def workers(self) -> set[int]:
        return {pid for pid in children_of(self.proc.pid) if alive(pid)}

    def wait_for_workers(self, count: int) -> set[int]:
        """Wait until ``count`` workers run and none is being replaced; return their ids."""
        deadline = time.monotonic() + 60
        last, since = set(), time.monotonic()
        while True:
            found = self.workers()
            if found != last:
                last, since = found, time.monotonic()
            elif len(found) == count and time.monotonic() - since > 1.0:
                return found
            assert time.monotonic() < deadline, f"{count} workers did not settle: {found}"
            time.sleep(0.1)

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)


@contextmanager
def lineage_serve(exe: str, store: Path, *options: str) -> Iterator[Served]:
    """Run `lineage serve` on a free loopback port until the block ends (then Ctrl+C)."""
    need(Path("/proc/self/stat").exists(), "needs /proc to find the worker processes")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--store", str(store), "--port", str(port),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    served = Served(proc, f"http://127.0.0.1:{port}", port)
    try:
        with served.client(timeout=5) as http:
            wait_until_serving(proc, http)
        yield served
    finally:
        workers = served.workers()
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)


@pytest.fixture(scope="module")
def plain(lineage_exe: str, examples_store: Path) -> Iterator[Served]:
    """Default privacy and memory settings; two general workers and a short timeout."""
    with lineage_serve(lineage_exe, examples_store, "--workers", "2", "--timeout", "4") as s:
        yield s


@pytest.fixture(scope="module")
def configured(lineage_exe: str, examples_store: Path) -> Iterator[Served]:
    with lineage_serve(lineage_exe, examples_store, "--workers", "2", "--timeout", "30",
                       "--memory-limit", "256", "--cors", ORIGIN,
                       "--allowed-host", "lineage.test") as s:
        yield s


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# --- 3. memory -------------------------------------------------------------------------------


def test_a_query_past_the_memory_limit_gets_503_and_the_next_one_works(configured):
    before = configured.wait_for_workers(3)
    with configured.client() as http:
        response = http.get("/sparql", params={"query": HUNGRY})
        assert response.status_code == 503
        assert one_line(response.text) == ("query exceeded the memory limit of 256 MiB "
                                           "(lineage serve --memory-limit)")
        # Stopped by the limit, not by the 30 s timeout; its worker is gone and replaced.
        assert "timed out" not in response.text
        after = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200, after.text
        assert after.json()["boolean"] is True
    assert len({pid for pid in before if not alive(pid)}) == 1
    assert len(configured.wait_for_workers(3) - before) == 1  # and was replaced


# --- 5. slow queries do not starve the rest --------------------------------------------------


def test_a_trivial_query_is_answered_while_two_slow_ones_hold_the_workers(plain):
    plain.wait_for_workers(3)  # two general workers and the one kept for short queries
    slow: list[httpx.Response] = []

    def run_slow() -> None:
        with plain.client() as http:
            slow.append(http.get("/sparql", params={"query": SLOW}))

    threads = [threading.Thread(target=run_slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both slow queries are running now
    with plain.client() as http:
        started = time.monotonic()
        response = http.get("/sparql", params={"query": "ASK {}"})
        waited = time.monotonic() - started
    for thread in threads:
        thread.join(60)
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True
    assert waited < 2, f"a trivial query waited {waited:.1f} s behind two slow ones"
    # The slow queries really held their workers until the end.
    assert [r.status_code for r in slow] == [503, 503]
    assert all("timed out after 4 s" in r.text for r in slow)


# --- 6. nesting ------------------------------------------------------------------------------


def test_a_deeply_nested_query_is_refused_before_it_reaches_the_engine(plain):
    workers = plain.wait_for_workers(3)
    with plain.client() as http:
        for response in (http.get("/sparql", params={"query": DEEP}),
                         http.post("/sparql", content=DEEP,
                                   headers={"Content-Type": "application/sparql-query"})):
            assert response.status_code == 400
            assert one_line(response.text).startswith(
                "the query nests brackets more than 64 deep")
        after = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.json()["boolean"] is True
    assert plain.workers() == workers  # no worker crashed


def test_lineage_query_refuses_deep_nesting_in_one_line(run, lineage_exe, tmp_path,
                                                        examples_store):
    deep = tmp_path / "deep.rq"
    deep.write_text(DEEP, encoding="utf-8")
    proc = run("query", deep, "--store", examples_store)
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (f"lineage: error: {deep}:1: the query nests brackets more "
                                     "than 64 deep; deeper queries can crash the query engine")
    # A named query too, and a long chain of triple patterns.
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "deep.rq").write_text("# title: too deep\n" + DEEP, encoding="utf-8")
    (folder / "long.rq").write_text(
        "ASK {\n" + "<urn:x:s> <urn:x:p> <urn:x:o> .\n" * 3000 + "}", encoding="utf-8")
    env = os.environ | {"LINEAGE_QUERIES": str(folder)}
    for name, line, problem in (("deep", 2, "nests brackets more than 64 deep"),
                                ("long", 1001, "chains more than 1,000 elements")):
        proc = subprocess.run([lineage_exe, "query", name, "--store", str(examples_store)],
                              capture_output=True, text=True, env=env, timeout=120,
                              check=False)
        assert proc.returncode == 2, proc.stderr
        assert one_line(proc.stderr).startswith(
            f"lineage: error: {folder / name}.rq:{line}: the query {problem}")


def test_queries_at_the_limits_run_without_crashing(tmp_path, examples_store):
    """The largest queries each limit accepts do not overflow Oxigraph's stack.

    (It overflows from about 850 nested FILTER EXISTS, 2,200 nested groups, or 2,600
    triple patterns or BIND clauses in one group.)
    """
    code = """
import sys
import lineage
store = sys.argv[1]
queries = [
    "ASK " + "{" * 64 + "}" * 64,
    "ASK " + "{ FILTER EXISTS " * 63 + "{}" + "}" * 63,
    "ASK { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }",
    "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(495)) + " }",
    "ASK { " + " ".join(f"<urn:x:s> <urn:x:p> <urn:x:o{i}> ." for i in range(999)) + " }",
    "SELECT " + " ".join(f"(1 AS ?v{i})" for i in range(990)) + " {}",
    "ASK { FILTER(" + "true || " * 495 + "true) }",
    "ASK { VALUES ?x { " + " ".join(str(i) for i in range(20000)) + " } }",
]
for i, text in enumerate(queries):
    path = f"{sys.argv[2]}/q{i}.rq"
    open(path, "w").write(text)
    lineage.query(path, store=store)
print("ok", len(queries))
"""
    proc = subprocess.run([sys.executable, "-c", code, str(examples_store), str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.split() == ["ok", "8"]


# --- 4. who may ask: web origins and Host names ----------------------------------------------


def test_no_web_origin_may_read_it_by_default(plain):
    with plain.client() as http:
        for origin in ("http://elsewhere.example", "null", ORIGIN):
            response = http.get("/sparql", params={"query": "ASK {}"},
                                headers={"Origin": origin})
            assert response.status_code == 403
            assert "access-control-allow-origin" not in response.headers
            assert one_line(response.text).startswith(f"cross-origin request from {origin!r}")
            preflight = http.options("/sparql", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST"})
            assert preflight.status_code == 403
            assert "access-control-allow-origin" not in preflight.headers
        # The endpoint's own page (same origin) and clients without Origin are served.
        own = http.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": plain.url})
        assert own.status_code == 200
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_cors_opts_in_one_origin_only(configured):
    with configured.client() as http:
        response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "Origin" in response.headers["vary"]
        preflight = http.options("/sparql", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert preflight.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
        other = http.get("/sparql", params={"query": "ASK {}"},
                         headers={"Origin": "http://tools.example:3001"})
        assert other.status_code == 403
        assert "access-control-allow-origin" not in other.headers


def test_a_host_header_for_another_name_is_refused(plain, configured):
    with plain.client() as http:
        for host in (f"rebound.example:{plain.port}", "rebound.example", "lineage.test"):
            response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Host": host})
            assert response.status_code == 403
            assert "DNS rebinding" in one_line(response.text)
            assert http.get("/", headers={"Host": host}).status_code == 403
        for host in (f"localhost:{plain.port}", f"127.0.0.1:{plain.port}",
                     f"[::1]:{plain.port}", "LocalHost"):
            response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Host": host})
            assert response.status_code == 200, host
    with configured.client() as http:
        response = http.get("/sparql", params={"query": "ASK {}"},
                            headers={"Host": f"lineage.test:{configured.port}"})
        assert response.status_code == 200


def test_serve_options_are_checked(run, examples_store):
    for option, value, problem in (("--cors", "*", "not a web origin"),
                                   ("--cors", "http://tools.example/path", "not a web origin"),
                                   ("--allowed-host", "two words", "not a host name"),
                                   ("--memory-limit", "-1", "--memory-limit")):
        proc = run("serve", "--store", examples_store, "--port", str(free_port()), option, value)
        assert proc.returncode == 2
        assert problem in proc.stderr
        assert "Traceback" not in proc.stderr
