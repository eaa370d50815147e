"""SPARQL errors point into the user's own text, in the CLI and the server alike."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lineage.named_queries import explain_error, is_update
from lineage.server import create_app
from tests.server.test_server import running

UNKNOWN_PREFIX = "SELECT * WHERE {\n  ?s ?p ?o .\n  ?s foo:bar ?x\n}\n"
UPDATE = "# add a fact\nPREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }\n"
BROKEN = "SELECT * WHERE {\n ?s ?p \n}\n"


def test_is_update_looks_past_the_prologue():
    assert is_update(UPDATE)
    assert is_update("load <http://x/y>")
    assert not is_update("PREFIX ex: <http://example.org/insert>\nASK { ?s ?p ?o }")


def test_explain_keeps_one_line():
    message = explain_error("error at 3:13: expected one of Prefix not found, ['%'], ['-' | "
                            "'0' ..= '9']\n| more\n", UNKNOWN_PREFIX)
    assert message == "line 3, column 13: unknown prefix 'foo:' (declare it: PREFIX foo: <...>)"


@pytest.mark.parametrize(("text", "expected"), [
    (UNKNOWN_PREFIX, "line 3, column 13: unknown prefix 'foo:'"),
    (BROKEN, "line 3, column"),
    (UPDATE, "read-only endpoint: updates are refused"),
])
def test_cli_errors_are_one_line_about_the_users_text(text, expected, tmp_path: Path,
                                                     examples_store: Path, run):
    rq = tmp_path / "q.rq"
    rq.write_text(text)
    out = run("query", rq, "--store", examples_store)
    assert out.returncode == 2
    assert expected in out.stderr
    assert out.stderr.count("\n") == 1
    assert "\\u{" not in out.stderr


@pytest.fixture(scope="module")
def endpoint(examples_store: Path):
    with running(create_app(examples_store, timeout=30)) as url:
        yield f"{url}/sparql"


@pytest.mark.parametrize(("text", "expected"), [
    (UNKNOWN_PREFIX, "line 3, column 13: unknown prefix 'foo:'"),
    (UPDATE, "read-only endpoint: updates are refused"),
])
def test_server_errors_are_the_same(text, expected, endpoint: str):
    answer = httpx.post(endpoint, data={"query": text}, timeout=30, trust_env=False)
    assert answer.status_code == 400
    assert expected in answer.text
    assert answer.text.strip().count("\n") == 0
