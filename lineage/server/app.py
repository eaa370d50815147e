"""The application: routes, middleware and lifespan (:func:`create_app`), and :func:`serve`."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from lineage.errors import LineageError
from lineage.server.access import _Guard, _GuardMiddleware
from lineage.server.endpoint import DEFAULT_TIMEOUT, _Endpoint
from lineage.server.evaluate import DEFAULT_MAX_ROWS
from lineage.server.pages import Pages
from lineage.server.workers import DEFAULT_MEMORY_LIMIT, _runner
from lineage.store import Store


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
    pages = Pages(store, runner, timeout=timeout, max_rows=max_rows)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runner.start()
        try:
            yield
        finally:
            await runner.close()

    app = Starlette(routes=[
        Route("/", pages.home, methods=["GET"], name="home"),
        Route("/models", pages.models, methods=["GET"], name="models"),
        Route("/model", pages.model, methods=["GET"], name="model_by_iri"),
        Route("/model/{name}", pages.model, methods=["GET"], name="legacy_model"),
        Route("/model/{org}/{name}", pages.model, methods=["GET"], name="model"),
        Route("/queries", pages.queries, methods=["GET"], name="queries"),
        Route("/queries/{name}", pages.named_query, methods=["GET"], name="named_query"),
        Route("/query", pages.query_page, methods=["GET"], name="query_page"),
        Route("/static/{name}", pages.static, methods=["GET"], name="static"),
        Route("/favicon.ico", pages.favicon, methods=["GET"], name="favicon"),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST", "OPTIONS"], name="sparql"),
        Route("/health", endpoint.health, methods=["GET"], name="health"),
    ], middleware=[Middleware(_GuardMiddleware, guard=guard)], lifespan=lifespan)
    app.state.runner = runner
    app.state.pages = pages
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
