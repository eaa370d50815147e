"""The public Python API: one function per command, same names, same options.

Every function takes ``store=``: an open :class:`lineage.store.Store`, or a location
(a directory for the embedded Oxigraph store, ``memory:``) that is opened and closed
around the call.

Examples
--------
>>> import lineage
>>> from lineage.store import open_store
>>> store = open_store("memory:")
>>> lineage.build(["examples/cards/acme-ai/Acme-7B-Instruct/README.md"], store=store).ingested
1
>>> lineage.show("acme-ai/Acme-7B-Instruct", store=store)["parents"][0]["id"]
'acme-ai/Acme-7B'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import pyoxigraph as ox

    from lineage.ingest import BuildReport
    from lineage.named_queries import NamedQuery
    from lineage.store import Store
    from lineage.validate import Report

__all__ = ["DEFAULT_STORE", "build", "check", "open_store", "queries", "query", "show"]

DEFAULT_STORE = ".lineage"


def open_store(store: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> Store:
    """Open a store by location (see :func:`lineage.store.open_store`)."""
    from lineage.store import open_store as _open

    return _open(store, read_only=read_only)


@contextmanager
def _opened(store: Store | str | Path, *, read_only: bool) -> Iterator[Store]:
    if not isinstance(store, str | Path):
        yield store
        return
    opened = open_store(store, read_only=read_only)
    try:
        yield opened
    finally:
        opened.close()


def build(paths: Sequence[str | Path], *, store: Store | str | Path = DEFAULT_STORE,
          id: str | None = None, jobs: int | None = None, max_bytes: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Ingest cards (files or directories) into the store; see :func:`lineage.ingest.build`."""
    import os

    from lineage.cards import DEFAULT_MAX_BYTES
    from lineage.ingest import build as _build

    with _opened(store, read_only=False) as s:
        report = _build(s, paths, id_override=id, jobs=jobs or os.cpu_count() or 1,
                        max_bytes=max_bytes or DEFAULT_MAX_BYTES, progress=progress)
        flush = getattr(s, "flush", None)
        if flush is not None and report.ingested:
            flush()
        return report


def show(model: str, *, store: Store | str | Path = DEFAULT_STORE) -> dict[str, Any]:
    """Everything known about one model, as the ``show --format json`` object."""
    from lineage.describe import show as _show

    with _opened(store, read_only=True) as s:
        return _show(s, model)


def check(*, store: Store | str | Path = DEFAULT_STORE, shacl: bool = True) -> Report:
    """SHACL validation and graph health of the store."""
    from lineage.validate import check as _check

    with _opened(store, read_only=True) as s:
        return _check(s, shacl=shacl)


def queries() -> list[NamedQuery]:
    """Return the named queries of ``queries/``."""
    from lineage.named_queries import list_queries

    return list_queries()


@overload
def query(query: str, *, store: Store | str | Path = ...,
          params: dict[str, str] | None = ..., results: None = ...,
          ) -> list[dict[str, Any]] | bool | list[tuple[str, str, str]]: ...


@overload
def query(query: str, *, store: Store | str | Path = ...,
          params: dict[str, str] | None = ..., results: str,
          ) -> bytes: ...


def query(query: str, *, store: Store | str | Path = DEFAULT_STORE,
          params: dict[str, str] | None = None, results: str | None = None,
          ) -> bytes | list[dict[str, Any]] | bool | list[tuple[str, str, str]]:
    """Run a named query or ``.rq`` file with parameters bound as RDF terms.

    With ``results`` (``csv``, ``tsv``, ``json``, ``xml`` for SELECT/ASK; ``ttl``, ``nt``
    for CONSTRUCT/DESCRIBE) the serialised bytes are returned; otherwise SELECT gives a
    list of ``{variable: value}`` dicts, ASK a bool, CONSTRUCT a list of N-Triples terms.
    """
    from lineage.named_queries import find_query, parse_params, prefixed

    named = find_query(query)
    bindings = parse_params(named, [f"{k}={v}" for k, v in (params or {}).items()])
    with _opened(store, read_only=True) as s:
        result = s.query(prefixed(named.text), bindings)
        return _materialise(result, results)


def _materialise(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str | None,
                 ) -> bytes | list[dict[str, Any]] | bool | list[tuple[str, str, str]]:
    import pyoxigraph as ox

    from lineage.errors import QueryError

    if isinstance(result, ox.QueryTriples):
        triples = list(result)
        if fmt is None:
            return [(str(t.subject), str(t.predicate), str(t.object)) for t in triples]
        rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}.get(fmt)
        if rdf is None:
            msg = f"a CONSTRUCT or DESCRIBE result is written as ttl or nt, not {fmt}"
            raise QueryError(msg)
        from lineage.ns import PREFIXES

        kwargs: dict[str, Any] = {"prefixes": PREFIXES} if rdf == ox.RdfFormat.TURTLE else {}
        return ox.serialize(triples, format=rdf, **kwargs) or b""
    formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
    if fmt is not None:
        if fmt not in formats:
            msg = f"a SELECT or ASK result is written as csv, tsv, json or xml, not {fmt}"
            raise QueryError(msg)
        return result.serialize(format=formats[fmt]) or b""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    variables = [v.value for v in result.variables]
    return [{v: (sol[v].value if sol[v] is not None else None) for v in variables}
            for sol in result]
