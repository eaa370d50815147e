"""The store's commands: build, fetch, show, check, query, queries, export, diagram, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

import click

from lineage import api
from lineage.cli.options import (
    Choice,
    ListFormat,
    QueryFormat,
    ShowFormat,
    choices,
    errors_to_exit,
    export_format_option,
    format_option,
    progress_bars,
    store_option,
    with_progress,
)
from lineage.cli.output import print_build, print_records, print_show, print_table, to_stdout
from lineage.facts import Relation


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--id", "card_id", metavar="ID", help="The Hub id of the one card given.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Extraction processes [default: all cores].")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Reject cards larger than this.")
@click.option("--card-timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Reject a card that takes longer to read and extract; 0: no limit  "
              "[default: 10]")
@click.option("--prune", is_flag=True,
              help="Drop stored cards not found under PATHS (the store mirrors PATHS).")
@click.option("--engine", type=Choice(["local", "dask"]), default="local",
              show_default=True, help="Extract in local processes or on a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler to use [default: a local cluster of --jobs workers].")
@click.option("--shards", type=click.Path(path_type=Path), metavar="DIR",
              help="With --engine dask: keep the N-Quads shard files here.")
@click.option("--id-column", metavar="NAME",
              help="Dumps: the column of model ids  [default: modelId, else id]")
@click.option("--text-column", metavar="NAME", help="Dumps: the column of card texts  "
              "[default: card]")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary and rejected cards.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print each card's warnings, and the traceback of an unexpected error.")
@click.option("--format", "fmt", type=choices(ShowFormat), default="table", show_default=True,
              help="JSON: print only the build report as one object.")
@errors_to_exit
def build(paths: tuple[Path, ...], store: str, card_id: str | None, jobs: int | None,
          max_bytes: int | None, card_timeout: float | None, prune: bool, engine: str,
          scheduler: str | None, shards: Path | None, id_column: str | None,
          text_column: str | None, quiet: bool, verbose: bool, fmt: str) -> None:
    """Ingest model cards (files, directories or dumps) into the store.

    A PATH ending .parquet, .jsonl, .jsonl.gz or .ndjson is a dump with one card per row
    (columns modelId or id, and card; Hub metadata columns such as downloads, likes, tags,
    pipeline_tag, library_name, createdAt, last_modified are kept when present).
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        msg = f"no such file or directory: {', '.join(missing)}"
        raise click.BadParameter(msg)
    report = with_progress(lambda progress: api.build(
        list(paths), store=store, id=card_id, jobs=jobs, max_bytes=max_bytes, progress=progress,
        prune=prune, engine=engine, scheduler=scheduler, shards=shards, id_column=id_column,
        text_column=text_column, card_timeout=card_timeout))
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_build(report, store, quiet=quiet, verbose=verbose)
    sys.exit(0 if report.ok else 1)


@click.command()
@click.argument("model")
@store_option
@click.option("--format", "fmt", type=choices(ShowFormat), default="table", show_default=True)
@errors_to_exit
def show(model: str, store: str, fmt: str) -> None:
    """Everything known about one model."""
    info = api.show(model, store=store)
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    print_show(info)


@click.command()
@store_option
@format_option
@click.option("--shacl", "shacl", type=click.Choice(["cards", "full", "none"]), default="cards",
              show_default=True,
              help="cards: the SHACL results the build stored per card (cards without one "
                   "are validated now) plus cross-card limits; full: pySHACL over the whole "
                   "graph (slow); none: health checks only.")
@click.option("--full", is_flag=True, help="Same as --shacl full.")
@click.option("--no-shacl", is_flag=True, help="Same as --shacl none.")
@click.option("--strict", is_flag=True,
              help="Also exit 1 on a conflict between cards or an id collision.")
@errors_to_exit
def check(store: str, fmt: str, shacl: str, full: bool, no_shacl: bool, strict: bool) -> None:
    """Validate the graph (SHACL) and report cycles, dangling ids, conflicts and collisions.

    The exit status is 1 when the graph does not conform (a SHACL violation, a cycle), and
    with --strict also on a conflict or an id collision.
    """
    if full and no_shacl:
        msg = "--full and --no-shacl contradict each other"
        raise click.UsageError(msg)
    mode = "full" if full else "none" if no_shacl else shacl
    report = api.check(store=store, shacl=mode)
    if fmt == ListFormat.TABLE.value:
        click.echo(report.text)
    else:
        data = report.to_dict()
        print_records(fmt, data, ("severity", "kind", "subject", "message"), [], empty="",
                      records=data["findings"])
    sys.exit(0 if report.passes(strict=strict) else 1)


@click.command()
@click.argument("query")
@store_option
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable).")
@click.option("--format", "fmt", type=choices(QueryFormat), default="table", show_default=True)
@errors_to_exit
def query(query: str, store: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see `lineage queries`) or a .rq file."""
    pairs: dict[str, str] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name.strip():
            msg = f"use --param NAME=VALUE, not {p!r}"
            raise click.BadParameter(msg)
        if name.strip() in pairs:
            msg = f"parameter {name.strip()!r} given twice"
            raise click.BadParameter(msg)
        pairs[name.strip()] = value
    if fmt != QueryFormat.TABLE.value:
        data = api.query(query, store=store, params=pairs, results=fmt)
        assert isinstance(data, bytes)
        sys.stdout.buffer.write(data)
        return
    result = api.query(query, store=store, params=pairs)
    if isinstance(result, bool):
        click.echo("true" if result else "false")
        return
    if result and isinstance(result[0], tuple):
        for s, p, o in result:
            click.echo(f"{s} {p} {o} .")
        return
    rows = cast("list[dict[str, Any]]", result)
    print_table(tuple(rows[0]) if rows else ("(no results)",),
                 [tuple(row.values()) for row in rows])
    click.echo(f"{len(rows)} rows")


@click.command("queries")
@format_option
@errors_to_exit
def list_named_queries(fmt: str) -> None:
    """List the named queries with their descriptions and parameters."""
    if fmt != ListFormat.TABLE.value:
        records = [{"name": q.name, "title": q.title, "description": q.description,
                    "params": {name: {"type": kind, "description": text}
                               for name, (kind, text) in q.params.items()}}
                   for q in api.queries()]
        print_records(fmt, records, ("name", "title", "description", "params"), [], empty="")
        return
    for q in api.queries():
        params = " ".join(f"--param {name}=<{kind}>" for name, (kind, _) in q.params.items())
        click.echo(f"{q.name:<28} {q.title or q.description}")
        if params:
            click.echo(f"{'':<28} {params}")


@click.command()
@store_option
@export_format_option
@click.option("-o", "--output", "out", required=True, metavar="PATH",
              type=click.Path(dir_okay=True, path_type=Path),
              help="The file to write, - for standard output (for csv, a folder for nodes.csv "
                   "and edges.csv).")
@errors_to_exit
def export(store: str, fmt: str, out: Path) -> None:
    """Write the graph for other tools: RDF (with the per-card graphs), GraphML, GEXF, JSON, CSV.

    Exports are deterministic: the same graph gives the same bytes.
    """
    if str(out) == "-":
        if fmt == "csv":
            msg = "csv writes a folder (nodes.csv, edges.csv); give -o DIR, not -o -"
            raise click.UsageError(msg)
        with to_stdout(f"lineage.{fmt}") as tmp:
            api.export(store=store, fmt=fmt, out=tmp)
        return
    for path in api.export(store=store, fmt=fmt, out=out):
        click.echo(f"wrote {path}")


# Graphviz diagrams: one thin command over api.diagram.

DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot")
"""The values of :class:`lineage.diagrams.DiagramFormat` (kept equal by a test)."""


@click.command()
@click.argument("model", required=False)
@store_option
@click.option("--up", type=click.IntRange(min=0), default=2, show_default=True, metavar="N",
              help="Generations of ancestors to draw.")
@click.option("--down", type=click.IntRange(min=0), default=2, show_default=True, metavar="N",
              help="Generations of descendants to draw.")
@click.option("--relation", "--relations", "relations", multiple=True,
              type=choices(Relation), help="Follow and draw only edges of this kind "
              "(repeatable).")
@click.option("--all", "everything", is_flag=True,
              help="Draw the whole graph (MODEL, if given, is highlighted).")
@click.option("-o", "--output", "out", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .svg, .png, .pdf or .dot; - for standard output (SVG "
                   "unless --format says otherwise).")
@click.option("--format", "fmt", type=Choice(DIAGRAM_FORMATS, case_sensitive=False),
              help="The format  [default: from the FILE extension]")
@click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
              metavar="N", help="Summarise a diagram of more models than this.")
@click.option("--collapse-quantized", type=click.IntRange(min=0), default=3,
              show_default=True, metavar="N",
              help="Fold more than N quantized leaves of one model into one node.")
@errors_to_exit
def diagram(model: str | None, store: str, up: int, down: int, relations: tuple[str, ...],
            everything: bool, out: Path, fmt: str | None, max_nodes: int,
            collapse_quantized: int) -> None:
    """Draw the lineage around MODEL, or the whole graph with --all, with Graphviz.

    Parents are drawn above the models derived from them; shape and colour show the kind
    (base, fine-tune, merge, quantized, adapter), merge edges their method, weight and
    density, red text a permissive license over a restrictive ancestor's. SVG, PNG and
    PDF need Graphviz's dot (apt-get install graphviz); .dot files do not.
    """
    piped = str(out) == "-"
    with ExitStack() as stack:
        target = stack.enter_context(to_stdout(f"diagram.{fmt or 'svg'}")) if piped else out
        result = api.diagram(model, store=store, out=target, up=up, down=down,
                             relations=list(relations) or None, all=everything,
                             fmt=fmt or ("svg" if piped else None), max_nodes=max_nodes,
                             collapse_quantized=collapse_quantized)
    shown = f"{result.models:,} model{'s' if result.models != 1 else ''}"
    if result.summarised:
        shown += (f" summarised in {result.nodes:,} nodes (more than --max-nodes "
                  f"{max_nodes:,})")
    click.echo(f"wrote {out if not piped else 'standard output'}: {shown}, "
               f"{result.edges:,} edges", err=piped)


# The read-only SPARQL endpoint: one thin command over api.serve.


def _normalised(converter: str) -> Callable[[click.Context, click.Parameter, tuple[str, ...]],
                                            tuple[str, ...]]:
    """Return a click callback normalising each value with ``lineage.server.<converter>``.

    A value the converter refuses is a one-line usage error naming the option.
    """
    def callback(ctx: click.Context, param: click.Parameter,
                 values: tuple[str, ...]) -> tuple[str, ...]:
        if not values:
            return values
        import lineage.server  # only when the option is given: the CLI starts light

        convert: Callable[[str], str] = getattr(lineage.server, converter)
        try:
            return tuple(convert(v) for v in values)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return callback


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default answers this machine only.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10000, show_default=True,
              help="Rows (or triples) returned at most; a cut result has the header "
              "X-Lineage-Truncated: true.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Query processes for an on-disk store, plus one kept for short queries  "
              "[default: the cores, 2 to 4]")
@click.option("--memory-limit", type=click.IntRange(min=0), default=1024, show_default=True,
              metavar="MIB", help="Memory each query process may allocate; a query past it "
              "is stopped (HTTP 503). 0: no limit.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              callback=_normalised("normalise_origin"),
              help="Let web pages of this origin (scheme://host[:port]) query the endpoint "
              "(repeatable). Without it, other origins are refused.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              callback=_normalised("normalise_host"),
              help="Accept this name in the Host header too "
              "(repeatable); others than HOST and the loopback names are refused.")
@errors_to_exit
def serve(store: str, host: str, port: int, timeout: float, max_rows: int,
          workers: int | None, memory_limit: int, cors: tuple[str, ...],
          allowed_hosts: tuple[str, ...]) -> None:
    """Serve a read-only SPARQL 1.1 endpoint over the store at http://HOST:PORT/sparql.

    Updates, SERVICE, LOAD and deeply nested queries are refused (HTTP 400); a query past
    --timeout or --memory-limit is stopped (HTTP 503). Private by default: web pages of
    other origins (unless --cors) and Host names other than HOST, localhost, 127.0.0.1 and
    [::1] (unless --allowed-host) are refused (HTTP 403). GET / is a page to run queries.
    See docs/serving.md.
    """
    api.serve(store=store, host=host, port=port, timeout=timeout, max_rows=max_rows,
              workers=workers, memory_limit=memory_limit, cors=cors,
              allowed_hosts=allowed_hosts)


# Cards from the Hugging Face Hub: one command over api.fetch, then build's report.

FETCH_RELATIONS = tuple(r.hub_form for r in Relation if r.hub_form)  # the Hub's kinds


@click.command()
@click.argument("models", nargs=-1)
@click.option("--author", "authors", multiple=True, metavar="NAME",
              help="Fetch every model of this user or organisation (repeatable).")
@click.option("--search", metavar="TEXT", help="Fetch every model whose id contains TEXT.")
@click.option("--tree", metavar="MODEL",
              help="Walk the model tree of MODEL: its parents and its children on the Hub.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, metavar="N",
              help="Generations to walk up and down from --tree.")
@click.option("--relation", "relations", multiple=True,
              type=Choice(FETCH_RELATIONS, case_sensitive=False),
              help="Walk only edges of this kind (repeatable)  [default: all]")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="At most N models per listing (author, search, one model's children).")
@click.option("--cache", default="~/.cache/lineage/hub", show_default=True, metavar="DIR",
              help="Where cards are kept, as DIR/{org}/{name}/README.md with hub.json.")
@click.option("--refresh", is_flag=True, help="Download every card again, even unchanged ones.")
@store_option
@click.option("--no-build", is_flag=True, help="Only download the cards; build nothing.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Extraction processes [default: all cores].")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summaries and the failures.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each card's warnings.")
@click.option("--format", "fmt", type=choices(ShowFormat), default="table", show_default=True,
              help="JSON: print only the fetch report (with its build's) as one object.")
@errors_to_exit
def fetch(models: tuple[str, ...], authors: tuple[str, ...], search: str | None,
          tree: str | None, depth: int, relations: tuple[str, ...], limit: int | None,
          cache: str, refresh: bool, store: str, no_build: bool, jobs: int | None, quiet: bool,
          verbose: bool, fmt: str) -> None:
    """Fetch model cards from the Hugging Face Hub, then build them into the store.

    Give model ids, --author, --search or --tree (any mix). Cards are cached with their
    revision and downloaded again only when it changed; HF_TOKEN gives access to gated
    and private repositories and HF_ENDPOINT names another Hub. A model that cannot be
    fetched (missing, private, gated, rate limited) is listed and the others go on; the
    exit status is 1 if any model failed or any card was rejected.
    """
    if not (models or authors or search or tree):
        msg = "name models, or give --author, --search or --tree"
        raise click.UsageError(msg)
    with progress_bars() as bar:
        report = api.fetch(
            list(models), author=list(authors), search=search, tree=tree, depth=depth,
            relations=list(relations) or None, limit=limit, cache=cache, refresh=refresh,
            build=not no_build, store=store, jobs=jobs, progress=bar("fetching", "models"),
            build_progress=bar("building", "cards"))
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for model, reason in report.failed:
            click.echo(f"failed: {model}: {reason}", err=True)
        click.echo(report.summary())
        if report.build is not None:
            print_build(report.build, store, quiet=quiet, verbose=verbose)
    sys.exit(0 if report.ok else 1)
