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

from lineage.errors import LineageError

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
          progress: Callable[[int, int | None], None] | None = None,
          prune: bool = False, id_column: str | None = None, text_column: str | None = None,
          engine: str = "local", scheduler: str | None = None,
          shards: str | Path | None = None, card_timeout: float | None = None) -> BuildReport:
    """Ingest cards (files, directories or dumps) into the store; see :mod:`lineage.ingest`.

    With ``prune``, the graphs of stored cards not found under ``paths`` are dropped, so
    the store mirrors exactly the cards given. A path ending ``.parquet``, ``.jsonl``,
    ``.jsonl.gz`` or ``.ndjson`` is a dump of cards: ``id_column`` and ``text_column`` name
    its columns (default ``modelId`` or ``id``, and ``card``; see
    :mod:`lineage.sources.dumps`). ``engine="dask"`` extracts on a Dask cluster
    (``scheduler`` address, else a local one of ``jobs`` workers) and keeps the N-Quads
    shard files in ``shards`` when given; see :mod:`lineage.cluster`. A card that takes
    longer than ``card_timeout`` seconds to read and extract (default
    :data:`lineage.ingest.DEFAULT_CARD_TIMEOUT`; 0 for no limit) is rejected with that reason.
    """
    import os

    from lineage.cards import DEFAULT_MAX_BYTES
    from lineage.ingest import DEFAULT_CARD_TIMEOUT, iter_inputs
    from lineage.ingest import build as _build

    jobs = jobs or os.cpu_count() or 1
    limit = max_bytes or DEFAULT_MAX_BYTES
    with _opened(store, read_only=False) as s:
        if engine == "dask":
            from lineage.cluster import build_on_dask

            report = build_on_dask(s, paths, id_override=id, id_column=id_column,
                                   text_column=text_column, scheduler=scheduler, workers=jobs,
                                   shards=Path(shards) if shards is not None else None,
                                   max_bytes=limit, progress=progress, prune=prune)
        elif engine == "local":
            inputs = iter_inputs(paths, id_override=id, id_column=id_column,
                                 text_column=text_column)
            report = _build(s, inputs, jobs=jobs, max_bytes=limit, progress=progress,
                            prune=prune, card_timeout=DEFAULT_CARD_TIMEOUT
                            if card_timeout is None else card_timeout)
        else:
            msg = f"unknown engine {engine!r}: use local or dask"
            raise LineageError(msg)
        return report


_build = build  # for fetch, whose ``build`` flag hides the function


def show(model: str, *, store: Store | str | Path = DEFAULT_STORE) -> dict[str, Any]:
    """Everything known about one model, as the ``show --format json`` object."""
    from lineage.describe import show as _show

    with _opened(store, read_only=True) as s:
        return _show(s, model)


def check(*, store: Store | str | Path = DEFAULT_STORE, shacl: str | bool = "cards") -> Report:
    """SHACL validation and graph health of the store.

    ``shacl``: ``cards`` (the results stored per card by the build), ``full`` (pySHACL over
    the whole graph) or ``none``; True means ``cards``, False ``none``.
    """
    from lineage.validate import check as _check

    with _opened(store, read_only=True) as s:
        return _check(s, shacl=shacl)


def export(*, store: Store | str | Path = DEFAULT_STORE, fmt: str, out: str | Path,
           ) -> list[Path]:
    """Write the graph for other tools; see :func:`lineage.exporters.export`.

    ``fmt`` is a :class:`lineage.exporters.ExportFormat` or its name (``ttl``, ``nt``,
    ``nq``, ``trig``, ``jsonld``, ``xml``, ``graphml``, ``gexf``, ``json``, ``cyjs``,
    ``csv``); ``out`` is the file to write, or the folder for ``csv``. Returns the files
    written.
    """
    from lineage.exporters import export as _export

    with _opened(store, read_only=True) as s:
        return _export(s, fmt, out=out)


__all__ += ["export"]


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
    A query nested or chained deeper than the query engine can take raises
    :class:`~lineage.errors.QueryError` (see :func:`lineage.server.check_nesting`).
    """
    from lineage.errors import QueryError
    from lineage.named_queries import (
        READ_ONLY,
        added_lines,
        explain_error,
        find_query,
        is_update,
        parse_params,
        prefixed,
        require_models,
    )
    from lineage.server import check_nesting

    named = find_query(query)
    # Before any parser: Oxigraph crashes the process on a deeply nested query.
    check_nesting(named.text, source=str(named.path or named.name))
    where = str(named.path or named.name)
    if is_update(named.text):
        raise QueryError(READ_ONLY, source=where)
    bindings = parse_params(named, [f"{k}={v}" for k, v in (params or {}).items()])
    with _opened(store, read_only=True) as s:
        require_models(s, named, bindings)
        try:
            result = s.query(prefixed(named.text), bindings)
        except QueryError as exc:
            if not exc.message.startswith("malformed SPARQL"):
                raise
            message = "malformed SPARQL: " + explain_error(
                exc.message, named.text, added_lines=added_lines(named.text))
            raise QueryError(message, source=where) from None
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


# Graphviz diagrams (lineage.diagrams).

if TYPE_CHECKING:
    from lineage.diagrams import Diagram

__all__ += ["diagram"]


def diagram(model: str | None = None, *, store: Store | str | Path = DEFAULT_STORE,
            out: str | Path, up: int = 2, down: int = 2, relations: Sequence[str] | None = None,
            all: bool = False, fmt: str | None = None, max_nodes: int = 300,
            collapse_quantized: int | None = 3) -> Diagram:
    """Draw the lineage around ``model``, or ``all`` of it, to ``out`` (SVG, PNG, PDF, DOT).

    ``up``/``down`` generations of ancestors/descendants are drawn, through the
    ``relations`` given (``finetune``, ``merge``, ``quantized``, ``adapter``, ``derived``;
    default all). ``fmt`` defaults to the extension of ``out``. Over ``max_nodes`` models
    the diagram is summarised; more than ``collapse_quantized`` quantized leaves of one
    model become one node (``None``: never). SVG, PNG and PDF need Graphviz's ``dot``
    program (``apt-get install graphviz``); DOT does not. See :mod:`lineage.diagrams`.

    Examples
    --------
    >>> import lineage, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "family.dot"
    >>> store = lineage.open_store("memory:")
    >>> _ = lineage.build(["examples/cards"], store=store, jobs=1)
    >>> lineage.diagram("acme-ai/Acme-7B", store=store, out=out, up=0, down=1).models
    4
    >>> '"acme-ai/Acme-7B" -> "acme-ai/Acme-7B-Instruct"' in out.read_text()
    True
    """
    from lineage.diagrams import DiagramFormat, draw
    from lineage.errors import ExportError

    try:
        form = DiagramFormat(fmt.lower()) if fmt else None
    except ValueError:
        msg = f"unknown diagram format {fmt!r}: use svg, png, pdf or dot"
        raise ExportError(msg) from None
    with _opened(store, read_only=True) as s:
        return draw(s, model, out=Path(out), fmt=form, up=up, down=down, relations=relations,
                    everything=all, max_nodes=max_nodes, collapse_quantized=collapse_quantized)


# Lineage analysis over the networkx view (lineage.analysis, lineage.view). The view is built
# once per open store and state, and saved beside an on-disk store for the next process;
# pass an open store to reuse it across calls.

if TYPE_CHECKING:
    import networkx as nx

    from lineage.analysis import (
        Common,
        Contribution,
        InheritedDataset,
        LicenseReport,
        Relative,
        Root,
        ScoreDelta,
        Step,
    )
    from lineage.catalog import ModelEntry

__all__ += ["models"]
__all__ += ["ancestors", "common", "contributions", "datasets", "deltas", "descendants",
            "licenses", "lineage_graph", "path", "roots"]


def lineage_graph(*, store: Store | str | Path = DEFAULT_STORE) -> nx.MultiDiGraph:
    """Return the networkx view of the store (see :mod:`lineage.graph`), a copy to keep.

    Nodes are model IRIs; edges go from a model to its parent, keyed by relation. (Not
    called ``graph``: that would clash with the :mod:`lineage.graph` module.)
    """
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return LineageView.of(s).graph.copy()


def ancestors(model: str, *, store: Store | str | Path = DEFAULT_STORE,
              max_depth: int | None = None, relations: Sequence[str] | None = None,
              resolved_only: bool = False,
              ) -> list[Relative]:
    """Return the models ``model`` derives from; see :func:`lineage.analysis.ancestors`."""
    from lineage.analysis import ancestors as _ancestors
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _ancestors(LineageView.of(s), model, max_depth=max_depth, relations=relations,
                          resolved_only=resolved_only)


def descendants(model: str, *, store: Store | str | Path = DEFAULT_STORE,
                max_depth: int | None = None, relations: Sequence[str] | None = None,
                resolved_only: bool = False,
                ) -> list[Relative]:
    """Return the models derived from ``model``; see :func:`lineage.analysis.descendants`."""
    from lineage.analysis import descendants as _descendants
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _descendants(LineageView.of(s), model, max_depth=max_depth, relations=relations,
                            resolved_only=resolved_only)


def path(a: str, b: str, *, store: Store | str | Path = DEFAULT_STORE) -> list[Step]:
    """Return the shortest derivation path between ``a`` and ``b``, up or down."""
    from lineage.analysis import path as _path
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _path(LineageView.of(s), a, b)


def models(pattern: str | None = None, *, store: Store | str | Path = DEFAULT_STORE,
           org: str | None = None, relation: str | None = None, license: str | None = None,
           has_card: bool | None = None) -> list[ModelEntry]:
    """Return the models of the store matching ``pattern`` and the filters.

    See :func:`lineage.catalog.models`.
    """
    from lineage.catalog import models as _models

    with _opened(store, read_only=True) as s:
        return _models(s, pattern, org=org, relation=relation, license=license,
                       has_card=has_card)


def roots(model: str | None = None, *, store: Store | str | Path = DEFAULT_STORE) -> list[Root]:
    """Return the models with no parents, or the root ancestors of ``model``."""
    from lineage.analysis import roots as _roots
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _roots(LineageView.of(s), model)


def common(a: str, b: str, *, store: Store | str | Path = DEFAULT_STORE) -> list[Common]:
    """Return the lowest common ancestors of ``a`` and ``b``."""
    from lineage.analysis import common as _common
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _common(LineageView.of(s), a, b)


def licenses(model: str, *, store: Store | str | Path = DEFAULT_STORE) -> LicenseReport:
    """Return every license up the tree of ``model``, with conflicts between them."""
    from lineage.analysis import licenses as _licenses
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _licenses(LineageView.of(s), model)


def datasets(model: str, *, store: Store | str | Path = DEFAULT_STORE,
             relations: Sequence[str] | None = None) -> list[InheritedDataset]:
    """Return the datasets of ``model`` and those it inherits, each with its path."""
    from lineage.analysis import datasets as _datasets
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _datasets(LineageView.of(s), model, relations=relations)


def contributions(model: str, *, store: Store | str | Path = DEFAULT_STORE,
                  ) -> list[Contribution]:
    """Return each ingredient's effective share of a merge (of merges)."""
    from lineage.analysis import contributions as _contributions
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return _contributions(LineageView.of(s), model)


def deltas(model: str, *, store: Store | str | Path = DEFAULT_STORE) -> list[ScoreDelta]:
    """Return the score differences of ``model`` against its parents on shared benchmarks."""
    from lineage.analysis import score_deltas
    from lineage.view import LineageView

    with _opened(store, read_only=True) as s:
        return score_deltas(s, LineageView.of(s), model)


# The read-only SPARQL endpoint (lineage.server).

__all__ += ["serve"]


def serve(*, store: Store | str | Path = DEFAULT_STORE, host: str = "127.0.0.1",
          port: int = 7878, timeout: float = 30.0, max_rows: int = 10000,
          workers: int | None = None, memory_limit: int = 1024, cors: Sequence[str] = (),
          allowed_hosts: Sequence[str] = ()) -> None:
    """Serve a read-only SPARQL 1.1 Protocol endpoint over the store until interrupted.

    Queries go to ``http://HOST:PORT/sparql``; ``/`` is a page to try them. Updates,
    ``SERVICE``, ``LOAD`` and deeply nested queries are refused (HTTP 400); a query
    running past ``timeout`` seconds or past ``memory_limit`` MiB (0: no limit) is stopped
    (HTTP 503); at most ``max_rows`` rows are returned. ``workers`` query processes (default:
    the cores, 2 to 4) plus one kept for short queries serve an on-disk store. Web pages of
    other origins are refused unless listed in ``cors``; ``Host`` headers other than
    ``host``, the loopback names and ``allowed_hosts`` are refused (HTTP 403). Runs uvicorn;
    see :mod:`lineage.server` and ``docs/serving.md``.
    """
    from lineage.server import serve as _serve

    _serve(store, host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers,
           memory_limit=memory_limit, cors=cors, allowed_hosts=allowed_hosts)


# Cards from the Hugging Face Hub (lineage.sources.hub).

if TYPE_CHECKING:
    from lineage.sources.hub import FetchReport

__all__ += ["fetch"]


def fetch(models: Sequence[str] = (), *, author: Sequence[str] = (), search: str | None = None,
          tree: str | None = None, depth: int = 1, relations: Sequence[str] | None = None,
          limit: int | None = None, cache: str | Path | None = None, refresh: bool = False,
          build: bool = True, store: Store | str | Path = DEFAULT_STORE, jobs: int | None = None,
          endpoint: str | None = None, token: str | None = None,
          progress: Callable[[int, int | None], None] | None = None,
          build_progress: Callable[[int, int | None], None] | None = None) -> FetchReport:
    """Fetch cards from the Hub into the cache, then build them into the store.

    ``models`` are Hub ids; ``author`` lists every model of those authors, ``search``
    every model whose id contains the text; ``tree`` walks the model tree of one model
    ``depth`` steps up (the parents its card and the Hub name) and down (the Hub's
    ``base_model:`` children), following only ``relations`` when given. ``limit`` caps
    each listing. Cards are cached in ``cache`` (default ``~/.cache/lineage/hub``) as
    ``{org}/{name}/README.md`` with ``hub.json``, and downloaded again only when their
    revision changed (always with ``refresh``). With ``build`` the cards reached are built
    into ``store`` as by :func:`build`; the report's ``build`` is then its
    :class:`~lineage.ingest.BuildReport`. ``endpoint`` and ``token`` default to
    huggingface_hub's (``HF_ENDPOINT``, ``HF_TOKEN``). ``progress`` is called with the
    models fetched so far, ``build_progress`` with the cards built. See
    :mod:`lineage.sources.hub`.
    """
    from lineage.sources.hub import DEFAULT_CACHE, HubCache, HubClient, fetch_cards

    report = fetch_cards(HubClient(endpoint=endpoint, token=token),
                         HubCache(cache or DEFAULT_CACHE), models=models, authors=author,
                         search=search, tree=tree, depth=depth, relations=relations,
                         limit=limit, refresh=refresh, parents_of=_card_parents,
                         progress=progress)
    if build:
        report.build = _build(report.cards, store=store, jobs=jobs, progress=build_progress)
    return report


def _card_parents(data: bytes, source: str, hub: Any) -> list[tuple[str, str]]:
    """Return the parents of a fetched card as it and the Hub name them: ``[(id, relation)]``."""
    from lineage.cards import read_card
    from lineage.errors import CardError
    from lineage.extract import extract
    from lineage.extract.hub import hub_parents
    from lineage.facts import Parent

    try:
        ex = extract(read_card(data, source, hub=hub))
    except (CardError, RecursionError):  # the Hub's tags still say who the parents are
        tags = hub.get("tags") if isinstance(hub, dict) else None
        return [(rid, rel.value if rel else "derived")
                for rid, rel, _ in hub_parents(tags or []).values()]
    return list(dict.fromkeys((p.ref.id, p.relation.value) for p in ex.of(Parent) if p.ref.id))
