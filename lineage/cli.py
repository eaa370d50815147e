"""The ``lineage`` command: a thin layer over :mod:`lineage.api`.

Exit codes: 0 ok; 1 cards rejected or the graph does not conform; 2 an error (bad
input, unknown model, malformed query), always printed as one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from lineage import api
from lineage.errors import LineageError
from lineage.facts import Relation

if TYPE_CHECKING:
    from lineage.ingest import BuildReport

F = TypeVar("F", bound=Callable[..., Any])


class ListFormat(str, Enum):
    """Output formats of commands that list records."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ShowFormat(str, Enum):
    """Output formats of ``show`` and ``check``."""

    TABLE = "table"
    JSON = "json"


class QueryFormat(str, Enum):
    """Output formats of ``query``."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    TTL = "ttl"
    NT = "nt"


class _Choice(click.Choice):  # type: ignore[type-arg]
    """A choice that answers a near miss with "did you mean ...?"."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            from lineage.suggest import did_you_mean

            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            msg = f"{exc.message} ({hint})"
            raise click.BadParameter(msg, ctx=ctx, param=param) from None


def _choices(enum: type[Enum]) -> click.Choice[str]:
    return _Choice([e.value for e in enum], case_sensitive=False)


def _resolve_store(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Without ``--store``: ``$LINEAGE_STORE``, else ``lineage.toml``, else ``.lineage``."""
    from lineage.store.spec import resolve_store

    try:
        return resolve_store(value)
    except LineageError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def store_option(fn: F) -> F:
    """Add the ``--store`` option every graph command takes."""
    return click.option("--store", "store", default=None, callback=_resolve_store,
                        metavar="SPEC", help="Store: a directory (embedded Oxigraph), memory:, "
                        "or a SPARQL server, sparql+http(s)://host:port/path. [default: "
                        "$LINEAGE_STORE, else [store] spec in ./lineage.toml, else "
                        f"{api.DEFAULT_STORE}]")(fn)


def format_option(fn: F) -> F:
    """Add ``--format table|json|csv`` to a command that prints records."""
    return click.option("--format", "fmt", type=_choices(ListFormat), default="table",
                        show_default=True,
                        help="A readable table, JSON (the API's records), or CSV (one row "
                             "per record).")(fn)


def errors_to_exit(fn: F) -> F:
    """Turn lineage errors into one line on stderr and exit code 2."""
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LineageError as exc:
            click.echo(f"lineage: error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("lineage: interrupted", err=True)
            sys.exit(130)
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lineage")
def cli() -> None:
    """Model lineage knowledge graphs from Hugging Face model cards."""


@cli.command()
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
@click.option("--engine", type=_Choice(["local", "dask"]), default="local",
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
@click.option("--format", "fmt", type=_choices(ShowFormat), default="table", show_default=True,
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
    report = _with_progress(lambda progress: api.build(
        list(paths), store=store, id=card_id, jobs=jobs, max_bytes=max_bytes, progress=progress,
        prune=prune, engine=engine, scheduler=scheduler, shards=shards, id_column=id_column,
        text_column=text_column, card_timeout=card_timeout))
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_build(report, store, quiet=quiet, verbose=verbose)
    sys.exit(0 if report.ok else 1)


def _print_build(report: BuildReport, store: str, *, quiet: bool, verbose: bool) -> None:
    """Print a build's rejected cards, warnings (verbose), models found and summary."""
    for source, reason in report.rejected:
        click.echo(f"rejected: {reason}" if reason.startswith(source) else
                   f"rejected: {source}: {reason}", err=True)
    if verbose:
        for source, warning in report.warnings:
            click.echo(f"warning: {source}: {warning}", err=True)
        for source, detail in report.details:
            click.echo(f"traceback: {source}:\n{detail.rstrip()}", err=True)
    if not quiet and report.ingested:
        _print_found(store, report.models)
    click.echo(report.summary())


def _with_progress(run: Callable[[Callable[[int, int | None], None] | None], Any], *,
                   label: str = "building", unit: str = "cards") -> Any:
    if not sys.stderr.isatty():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                  TextColumn(f"{{task.fields[rate]}} {unit}/s"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("build", total=None, rate="-")

        def progress(done: int, total: int | None) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            bar.update(task, completed=done, total=total,
                       rate=f"{done / elapsed:,.0f}" if elapsed > 0 else "-")

        return run(progress)


def _print_found(store: str, models: list[str]) -> None:
    """Print a short listing of the models just ingested and their parents."""
    if len(models) > 50:
        return
    for model in sorted(set(models), key=str.casefold):
        try:
            info = api.show(model, store=store)
        except LineageError:
            continue
        parents = ", ".join(
            f"{_shown_name(p)} ({p['relation']}{', ' + p['method'] if p['method'] else ''})"
            for p in info["parents"]) or "-"
        click.echo(f"{info['id']}  <-  {parents}")


@cli.command()
@click.argument("model")
@store_option
@click.option("--format", "fmt", type=_choices(ShowFormat), default="table", show_default=True)
@errors_to_exit
def show(model: str, store: str, fmt: str) -> None:
    """Everything known about one model."""
    info = api.show(model, store=store)
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    _print_show(info)


def _shown_name(relative: dict[str, Any]) -> str:
    """Name a parent or child in a table; a name without a Hub id is marked unresolved."""
    name = str(relative["id"])
    return name if relative.get("resolved", True) else f"{name} (unresolved)"


def _print_show(info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Card text (snippets, ids, "[/INST]" templates) is data, never rich markup.
    console = Console(markup=False, highlight=False,
                      width=None if sys.stdout.isatty() else 1000)
    console.print(f"{info['id']}  {info['iri']}", style="bold")
    if info["aliases"]:
        console.print(f"also known as: {', '.join(info['aliases'])}")
    lic = info["license"]
    if lic["id"] or lic["name"]:
        console.print("license: " + " ".join(
            str(x) for x in (lic["id"], lic["name"], lic["link"]) if x))
    for key in ("languages", "tags"):
        if info[key]:
            console.print(f"{key}: {', '.join(info[key])}")
    if info["prompt_format"]:
        console.print(f"prompt format: {info['prompt_format']}")
    rows = [("parent", _shown_name(p), p["relation"], _merge_detail(p), _methods(p))
            for p in info["parents"]]
    rows += [("child", _shown_name(c), c["relation"], "", _methods(c))
             for c in info["children"]]
    if rows:
        table = Table("", "model", "relation", "merge", "evidence")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    if info["datasets"]:
        console.print("datasets: " + ", ".join(d["id"] or d["name"] for d in info["datasets"]))
    if info["hardware"]:
        console.print("hardware: " + ", ".join(
            f"{h['count']}x {h['accelerator']}" if h["count"] else h["accelerator"]
            for h in info["hardware"]))
    training = {k: v for k, v in info["training"].items() if v is not None}
    if training:
        console.print("training: " + ", ".join(f"{k} {v}" for k, v in training.items()))
    if info["scores"]:
        table = Table("benchmark", "metric", "value", "origin")
        for s in info["scores"]:
            table.add_row(s["benchmark"], s["metric"] or "", str(s["value"]), s["origin"])
        console.print(table)
    for warning in info["warnings"]:
        console.print(Text.assemble(("warning: ", "yellow"), warning))


def _merge_detail(p: dict[str, Any]) -> str:
    parts = [p["role"], p["method"]]
    if p["weight"] is not None:
        parts.append(f"weight {p['weight']}")
    if p["density"] is not None:
        parts.append(f"density {p['density']}")
    return " ".join(str(x) for x in parts if x)


def _methods(entry: dict[str, Any]) -> str:
    return ", ".join(dict.fromkeys(f"{e['method']}:{e['line']}" if e["line"] else e["method"]
                                   for e in entry["evidence"]))


@cli.command()
@store_option
@format_option
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (health checks only).")
@click.option("--strict", is_flag=True,
              help="Also exit 1 on a conflict between cards or an id collision.")
@errors_to_exit
def check(store: str, fmt: str, no_shacl: bool, strict: bool) -> None:
    """Validate the graph (SHACL) and report cycles, dangling ids, conflicts and collisions.

    The exit status is 1 when the graph does not conform (a SHACL violation, a cycle), and
    with --strict also on a conflict or an id collision.
    """
    report = api.check(store=store, shacl=not no_shacl)
    if fmt == ListFormat.TABLE.value:
        click.echo(report.text)
    else:
        data = report.to_dict()
        _output(fmt, data, ("severity", "kind", "subject", "message"), [], empty="",
                records=data["findings"])
    sys.exit(0 if report.passes(strict=strict) else 1)


@cli.command()
@click.argument("query")
@store_option
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable).")
@click.option("--format", "fmt", type=_choices(QueryFormat), default="table", show_default=True)
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
    _print_table(tuple(rows[0]) if rows else ("(no results)",),
                 [tuple(row.values()) for row in rows])
    click.echo(f"{len(rows)} rows")


@cli.command("queries")
@format_option
@errors_to_exit
def list_named_queries(fmt: str) -> None:
    """List the named queries with their descriptions and parameters."""
    if fmt != ListFormat.TABLE.value:
        records = [{"name": q.name, "title": q.title, "description": q.description,
                    "params": {name: {"type": kind, "description": text}
                               for name, (kind, text) in q.params.items()}}
                   for q in api.queries()]
        _output(fmt, records, ("name", "title", "description", "params"), [], empty="")
        return
    for q in api.queries():
        params = " ".join(f"--param {name}=<{kind}>" for name, (kind, _) in q.params.items())
        click.echo(f"{q.name:<28} {q.title or q.description}")
        if params:
            click.echo(f"{'':<28} {params}")


def export_format_option(fn: F) -> F:
    """Add ``--format``, the choices of :class:`lineage.exporters.ExportFormat`."""
    from lineage.exporters import EXPORTERS, ExportFormat

    formats = "; ".join(f"{name}: {e.description}" for name, e in EXPORTERS.items())
    return click.option("--format", "fmt", type=_choices(ExportFormat), required=True,
                        help=f"The format. {formats}.")(fn)


@cli.command()
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
        with _to_stdout(f"lineage.{fmt}") as tmp:
            api.export(store=store, fmt=fmt, out=tmp)
        return
    for path in api.export(store=store, fmt=fmt, out=out):
        click.echo(f"wrote {path}")


@contextmanager
def _to_stdout(name: str) -> Iterator[Path]:
    """Yield a temporary file path whose bytes go to standard output afterwards (``-o -``)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lineage-") as folder:
        path = Path(folder) / name
        yield path
        with path.open("rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.buffer.flush()


# Lineage analysis: one thin command per api function (ancestors ... deltas), each a
# table by default and the api's records as JSON with --format json.


def walk_options(fn: F) -> F:
    """Add ``--max-depth``, ``--relation`` and ``--resolved-only`` to the two walks.

    The walks are ``ancestors`` and ``descendants``.
    """
    fn = click.option("--resolved-only", is_flag=True,
                      help="Leave out unresolved models (names without a Hub id, such as "
                           "local paths) and walk only through models with one.")(fn)
    fn = click.option("--relation", "relations", multiple=True, type=_choices(Relation),
                      help="Follow only edges of this kind (repeatable).")(fn)
    return click.option("--max-depth", type=click.IntRange(min=0), metavar="N",
                        help="Go at most N derivation steps.")(fn)


def _output(fmt: str, data: Any, header: tuple[str, ...], rows: list[tuple[Any, ...]], *,
            empty: str, records: Sequence[Mapping[str, Any]] | None = None,
            fields: tuple[str, ...] = ()) -> None:
    """Print ``data`` as JSON, ``records`` (default: ``data``) as CSV, or ``rows`` as a table.

    ``empty`` is printed instead of an empty table; ``fields`` are the CSV columns when
    there is no record to take them from (default: ``header``).
    """
    if fmt == ListFormat.JSON.value:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if fmt == ListFormat.CSV.value:
        _print_csv(records if records is not None else data, fields or header)
        return
    if not rows:
        click.echo(empty)
        return
    _print_table(header, rows)


def _print_csv(records: Sequence[Mapping[str, Any]], header: tuple[str, ...] = ()) -> None:
    """Print records as CSV: one row each, the JSON keys as columns, lists joined by "; ".

    ``header`` names the columns when there is no record to take them from.
    """
    import csv

    columns = list(dict.fromkeys(k for r in records for k in r)) or list(header)
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list | tuple)
                         else json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                         for k, v in record.items()})


def _print_table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Print rows as a table; card text is printed as text, never read as rich markup."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*header)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    # Off a terminal, print ids whole instead of folding them at 80 columns.
    Console(width=None if sys.stdout.isatty() else 1000, markup=False).print(table)


@cli.command("models")
@click.argument("pattern", required=False)
@store_option
@click.option("--org", metavar="ORG", help="Only models of this organisation.")
@click.option("--relation", type=_choices(Relation),
              help="Only models with a parent of this kind.")
@click.option("--license", "license_", metavar="LICENSE",
              help="Only models under this license id or name (any case).")
@click.option("--has-card/--no-card", "has_card", default=None,
              help="Only models a card in the store describes / only models other cards name.")
@format_option
@errors_to_exit
def list_models(pattern: str | None, store: str, org: str | None, relation: str | None,
                license_: str | None, has_card: bool | None, fmt: str) -> None:
    """List and search the models in the store (PATTERN: part of an id or name, or a near miss)."""
    from lineage.catalog import FIELDS

    found = api.models(pattern, store=store, org=org, relation=relation, license=license_,
                       has_card=has_card)
    rows = [e.to_dict() for e in found]
    _output(fmt, rows, ("model", "kind", "license", "card", "parents", "children"),
            [(e.id or f"{e.name} (unresolved)" if not e.resolved else e.id or e.name, e.kind,
              e.license, "yes" if e.has_card else "no", e.parents, e.children) for e in found],
            empty="no models match", fields=FIELDS)


@cli.command()
@click.argument("model")
@store_option
@walk_options
@format_option
@errors_to_exit
def ancestors(model: str, store: str, max_depth: int | None, relations: tuple[str, ...],
              resolved_only: bool, fmt: str) -> None:
    """List the models MODEL derives from, nearest first, with depth and relation."""
    rows = api.ancestors(model, store=store, max_depth=max_depth, relations=relations or None,
                         resolved_only=resolved_only)
    _output(fmt, rows, ("depth", "model", "relation", "via"),
            [(r["depth"], r["id"], r["relation"], r["via"]) for r in rows], empty="no ancestors")


@cli.command()
@click.argument("model")
@store_option
@walk_options
@format_option
@errors_to_exit
def descendants(model: str, store: str, max_depth: int | None, relations: tuple[str, ...],
                resolved_only: bool, fmt: str) -> None:
    """List the models derived from MODEL, nearest first, with depth and relation."""
    rows = api.descendants(model, store=store, max_depth=max_depth, relations=relations or None,
                           resolved_only=resolved_only)
    _output(fmt, rows, ("depth", "model", "relation", "via"),
            [(r["depth"], r["id"], r["relation"], r["via"]) for r in rows],
            empty="no descendants")


@cli.command()
@click.argument("a")
@click.argument("b")
@store_option
@format_option
@errors_to_exit
def path(a: str, b: str, store: str, fmt: str) -> None:
    """Show the shortest derivation path from A up to its ancestor B, or down to B."""
    steps = api.path(a, b, store=store)
    _output(fmt, steps, ("step", "model", "relation", "direction"),
            [(i, s["id"], s["relation"], s["direction"]) for i, s in enumerate(steps)],
            empty="no path")


@cli.command()
@click.argument("model", required=False)
@store_option
@format_option
@errors_to_exit
def roots(model: str | None, store: str, fmt: str) -> None:
    """List the models with no parents, or with MODEL the root ancestors of MODEL."""
    rows = api.roots(model, store=store)
    _output(fmt, rows, ("model", "depth", "children"),
            [(r["id"], r["depth"], r["children"]) for r in rows], empty="no roots")


@cli.command()
@click.argument("a")
@click.argument("b")
@store_option
@format_option
@errors_to_exit
def common(a: str, b: str, store: str, fmt: str) -> None:
    """List the lowest common ancestors of A and B."""
    rows = api.common(a, b, store=store)
    _output(fmt, rows, ("model", f"depth from {a}", f"depth from {b}"),
            [(r["id"], r["depth_a"], r["depth_b"]) for r in rows],
            empty="no common ancestor")


@cli.command()
@click.argument("model")
@store_option
@format_option
@click.option("--strict", is_flag=True, help="Exit 1 when a license conflict is found.")
@errors_to_exit
def licenses(model: str, store: str, fmt: str, strict: bool) -> None:
    """List every license up the tree of MODEL and flag conflicts.

    A conflict is a permissive license on a model derived from a non-commercial,
    custom (other, llama2, gemma, any non-SPDX license) or copyleft one. With --strict the
    exit status is 1 when there is one (for CI jobs).
    """
    report = api.licenses(model, store=store)
    _output(fmt, report, ("depth", "model", "license", "category"),
            [(e["depth"], e["id"], e["license"] or e["license_name"] or "-", e["category"])
             for e in report["licenses"]], empty="no models", records=report["licenses"])
    if fmt == ListFormat.TABLE.value:
        for conflict in report["conflicts"]:
            click.echo(f"conflict: {conflict['message']}")
        if not report["conflicts"]:
            click.echo("no license conflicts")
    if strict and report["conflicts"]:
        sys.exit(1)


@cli.command()
@click.argument("model")
@store_option
@format_option
@errors_to_exit
def datasets(model: str, store: str, fmt: str) -> None:
    """List the datasets of MODEL and those inherited through fine-tunes and merges."""
    rows = api.datasets(model, store=store)
    _output(fmt, rows, ("dataset", "trained", "depth", "path"),
            [(d["dataset"], d["model"], d["depth"], _path_text(d["path"], d["relations"]))
             for d in rows], empty="no datasets")


def _path_text(models: list[str], relations: list[str]) -> str:
    """Return ``a -merge-> b -finetune-> c``."""
    steps = "".join(f" -{rel}-> {m}" for rel, m in zip(relations, models[1:], strict=False))
    return (models[0] if models else "") + steps


@cli.command()
@click.argument("model")
@store_option
@format_option
@errors_to_exit
def contributions(model: str, store: str, fmt: str) -> None:
    """Show each ingredient's effective share of MODEL, a merge (of merges).

    Merge weights are normalised at each merge and multiplied down the tree; a base
    model with no weight counts 0, and a merge that states no weights splits equally.
    """
    rows = api.contributions(model, store=store)
    _output(fmt, rows, ("model", "share", "via"),
            [(r["id"], f"{r['share']:.1%}", ", ".join(r["via"])) for r in rows],
            empty="no ingredients")


@cli.command()
@click.argument("model")
@store_option
@format_option
@errors_to_exit
def deltas(model: str, store: str, fmt: str) -> None:
    """Compare the scores of MODEL with its parents' on the benchmarks both report."""
    rows = api.deltas(model, store=store)
    _output(fmt, rows, ("benchmark", "parent", "model", "parent value", "delta"),
            [(r["benchmark"], r["parent"], r["value"], r["parent_value"], f"{r['delta']:+g}")
             for r in rows], empty="no benchmark shared with a parent")


# Graphviz diagrams: one thin command over api.diagram.

DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot")
"""The values of :class:`lineage.diagrams.DiagramFormat` (kept equal by a test)."""


@cli.command()
@click.argument("model", required=False)
@store_option
@click.option("--up", type=click.IntRange(min=0), default=2, show_default=True, metavar="N",
              help="Generations of ancestors to draw.")
@click.option("--down", type=click.IntRange(min=0), default=2, show_default=True, metavar="N",
              help="Generations of descendants to draw.")
@click.option("--relation", "--relations", "relations", multiple=True,
              type=_choices(Relation), help="Follow and draw only edges of this kind "
              "(repeatable).")
@click.option("--all", "everything", is_flag=True,
              help="Draw the whole graph (MODEL, if given, is highlighted).")
@click.option("-o", "--output", "out", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .svg, .png, .pdf or .dot; - for standard output (SVG "
                   "unless --format says otherwise).")
@click.option("--format", "fmt", type=_Choice(DIAGRAM_FORMATS, case_sensitive=False),
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
    to_stdout = str(out) == "-"
    with ExitStack() as stack:
        target = stack.enter_context(_to_stdout(f"diagram.{fmt or 'svg'}")) if to_stdout else out
        result = api.diagram(model, store=store, out=target, up=up, down=down,
                             relations=list(relations) or None, all=everything,
                             fmt=fmt or ("svg" if to_stdout else None), max_nodes=max_nodes,
                             collapse_quantized=collapse_quantized)
    shown = f"{result.models:,} model{'s' if result.models != 1 else ''}"
    if result.summarised:
        shown += (f" summarised in {result.nodes:,} nodes (more than --max-nodes "
                  f"{max_nodes:,})")
    click.echo(f"wrote {out if not to_stdout else 'standard output'}: {shown}, "
               f"{result.edges:,} edges", err=to_stdout)


# The read-only SPARQL endpoint: one thin command over api.serve.


def _web_origins(ctx: click.Context, param: click.Parameter,
                 values: tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        return values
    from lineage.server import normalise_origin

    try:
        return tuple(normalise_origin(v) for v in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _host_names(ctx: click.Context, param: click.Parameter,
                values: tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        return values
    from lineage.server import normalise_host

    try:
        return tuple(normalise_host(v) for v in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@cli.command()
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
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN", callback=_web_origins,
              help="Let web pages of this origin (scheme://host[:port]) query the endpoint "
              "(repeatable). Without it, other origins are refused.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              callback=_host_names, help="Accept this name in the Host header too "
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


@cli.command()
@click.argument("models", nargs=-1)
@click.option("--author", "authors", multiple=True, metavar="NAME",
              help="Fetch every model of this user or organisation (repeatable).")
@click.option("--search", metavar="TEXT", help="Fetch every model whose id contains TEXT.")
@click.option("--tree", metavar="MODEL",
              help="Walk the model tree of MODEL: its parents and its children on the Hub.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, metavar="N",
              help="Generations to walk up and down from --tree.")
@click.option("--relation", "relations", multiple=True,
              type=_Choice(FETCH_RELATIONS, case_sensitive=False),
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
@click.option("--format", "fmt", type=_choices(ShowFormat), default="table", show_default=True,
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
    report = _with_progress(lambda progress: api.fetch(
        list(models), author=list(authors), search=search, tree=tree, depth=depth,
        relations=list(relations) or None, limit=limit, cache=cache, refresh=refresh,
        build=False, progress=progress), label="fetching", unit="models")
    as_json = fmt == ShowFormat.JSON.value
    for model, reason in report.failed if not as_json else ():
        click.echo(f"failed: {model}: {reason}", err=True)
    if not as_json:
        click.echo(report.summary())
    if not no_build:
        report.build = _with_progress(lambda progress: api.build(
            report.cards, store=store, jobs=jobs, progress=progress))
        if not as_json:
            _print_build(report.build, store, quiet=quiet, verbose=verbose)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    sys.exit(0 if report.ok else 1)


def main() -> None:
    """Entry point of the ``lineage`` console script."""
    cli(prog_name="lineage")
