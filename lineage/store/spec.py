"""Store specs: which store a command uses, and the options of a remote one.

A spec is a directory (embedded Oxigraph), ``memory:``, or a SPARQL server:
``sparql+http://host:port/path`` or ``sparql+https://...``, whose query string may carry
options: ``update=URL`` and ``graph_store=URL`` (separate endpoints), ``dataset=server``
or ``dataset=lineage``, ``page=N``, ``workers=N``, ``timeout=SECONDS``.

Without ``--store``, the command line uses ``$LINEAGE_STORE``, else ``lineage.toml`` in the
working directory (``[store]`` with ``spec`` and optional ``update`` and ``graph_store``),
else ``.lineage``. Only the standard library is used here, so the CLI stays quick to load.

Examples
--------
>>> spec = parse_remote("sparql+http://127.0.0.1:8890/sparql?workers=4")
>>> spec.query, spec.update, spec.workers
('http://127.0.0.1:8890/sparql', 'http://127.0.0.1:8890/sparql', 4)
>>> spec.graph_store
'http://127.0.0.1:8890/sparql-graph-crud'
>>> parse_remote("sparql+https://db.example/ds?graph_store=https://db.example/ds/data").graph_store
'https://db.example/ds/data'
>>> resolve_store(None, env={}, cwd=Path("/nonexistent"))
'.lineage'
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lineage.errors import StoreError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["CONFIG_FILE", "DEFAULT_STORE", "ENV_VAR", "SCHEMES", "RemoteSpec", "is_remote",
           "parse_remote", "resolve_store"]

DEFAULT_STORE = ".lineage"
ENV_VAR = "LINEAGE_STORE"
CONFIG_FILE = "lineage.toml"
SCHEMES = ("sparql+http://", "sparql+https://")
DATASETS = ("server", "lineage")


@dataclass(frozen=True, slots=True)
class RemoteSpec:
    """Where a remote store's endpoints are, and how it is used."""

    query: str
    update: str
    graph_store: str
    dataset: str = "server"
    page: int = 10000
    workers: int = 2
    timeout: float = 300.0


def is_remote(spec: str) -> bool:
    """Tell whether ``spec`` names a SPARQL server (``sparql+http(s)://``)."""
    return spec.lower().startswith(SCHEMES)


def _http_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"the {what} must be an http(s) URL"
        raise StoreError(msg, source=_public(url))
    if parts.username is not None or parts.password is not None:
        # Never echo the address: it holds a secret.
        msg = (f"the {what} address holds credentials: set LINEAGE_STORE_USER and "
               "LINEAGE_STORE_PASSWORD instead")
        raise StoreError(msg)
    return url


def _public(url: str) -> str:
    """``url`` without user info (credentials never reach a message)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _default_graph_store(query: str) -> str:
    """Guess the Graph Store endpoint from the query endpoint.

    Virtuoso serves the Graph Store Protocol beside ``/sparql`` at ``/sparql-graph-crud``
    (``/sparql-auth`` beside ``/sparql-graph-crud-auth``); Fuseki and others serve it on the
    dataset URL itself, which is also where they answer queries.
    """
    parts = urlsplit(query)
    path = parts.path.rstrip("/")
    for tail, crud in (("/sparql-auth", "/sparql-graph-crud-auth"),
                       ("/sparql", "/sparql-graph-crud")):
        if path.endswith(tail):
            return urlunsplit((parts.scheme, parts.netloc, path[: -len(tail)] + crud, "", ""))
    return query


def parse_remote(spec: str) -> RemoteSpec:
    """Parse a ``sparql+http(s)://`` spec into endpoints and options."""
    if not is_remote(spec):
        msg = "a remote store spec starts with sparql+http:// or sparql+https://"
        raise StoreError(msg, source=_public(spec))
    url = spec.split("+", 1)[1]
    parts = urlsplit(url)
    query = _http_url(urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")),
                      "query endpoint")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - {"update", "graph_store", "dataset", "page", "workers",
                                     "timeout"})
    if unknown:
        msg = (f"unknown store option {unknown[0]!r}: use update, graph_store, dataset, "
               "page, workers or timeout")
        raise StoreError(msg, source=query)
    update = _http_url(options.get("update") or query, "update endpoint")
    graph_store = _http_url(options.get("graph_store") or _default_graph_store(query),
                            "graph store endpoint")
    dataset = options.get("dataset", "server")
    if dataset not in DATASETS:
        msg = f"dataset must be server or lineage, not {dataset!r}"
        raise StoreError(msg, source=query)
    try:
        page = int(options.get("page", 10000))
        workers = int(options.get("workers", 2))
        timeout = float(options.get("timeout", 300))
    except ValueError:
        msg = "page and workers must be whole numbers, timeout a number of seconds"
        raise StoreError(msg, source=query) from None
    if page < 1 or workers < 1 or not timeout > 0:
        msg = "page, workers and timeout must be positive"
        raise StoreError(msg, source=query)
    return RemoteSpec(query, update, graph_store, dataset, page, workers, timeout)


def resolve_store(given: str | None, *, env: Mapping[str, str] | None = None,
                  cwd: Path | None = None) -> str:
    """Return the store spec to use.

    That is ``given``, else ``$LINEAGE_STORE``, else the ``[store]`` table of
    ``lineage.toml`` in ``cwd``, else ``.lineage``.
    """
    if given:
        return given
    env = os.environ if env is None else env
    if env.get(ENV_VAR):
        return env[ENV_VAR]
    path = (cwd or Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        return DEFAULT_STORE
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"cannot read the configuration: {exc}"
        raise StoreError(msg, source=str(path)) from None
    table = config.get("store", {})
    if not isinstance(table, dict) or not isinstance(table.get("spec", ""), str):
        msg = '[store] must be a table whose spec is a string, e.g. spec = "sparql+http://..."'
        raise StoreError(msg, source=str(path))
    spec = table.get("spec") or DEFAULT_STORE
    extra = {k: table[k] for k in ("update", "graph_store") if table.get(k)}
    if not extra:
        return spec
    if not is_remote(spec) or any(not isinstance(v, str) for v in extra.values()):
        msg = "update and graph_store (strings) apply only to a sparql+http(s):// spec"
        raise StoreError(msg, source=str(path))
    return spec + ("&" if "?" in spec else "?") + urlencode(extra)
