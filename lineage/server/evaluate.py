"""Evaluating one query: check it, run it on a store, serialise the answer.

The same code runs in a worker process (:func:`_worker_main`) and in a thread.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox

from lineage.errors import LineageError, QueryError
from lineage.named_queries import added_lines, explain_error
from lineage.ns import PREFIXES
from lineage.server.guard import _analyse, _one_line
from lineage.server.negotiate import (
    _GRAPH_FORMATS,
    _GRAPH_OX,
    _RESULT_FORMATS,
    _RESULTS_OX,
    _negotiate,
)
from lineage.store import Store

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


DEFAULT_MAX_ROWS = 10_000
MEMORY_STATUS = 503
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
