"""The ``lineage`` command: a thin layer over :mod:`lineage.api`.

Exit codes: 0 ok; 1 cards rejected or the graph does not conform; 2 an error (bad
input, unknown model, malformed query), always printed as one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from lineage import api
from lineage.errors import LineageError

F = TypeVar("F", bound=Callable[..., Any])


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


def _choices(enum: type[Enum]) -> click.Choice[str]:
    return click.Choice([e.value for e in enum], case_sensitive=False)


def store_option(fn: F) -> F:
    """Add the ``--store`` option every graph command takes."""
    return click.option("--store", "store", default=api.DEFAULT_STORE, show_default=True,
                        metavar="DIR", help="Store location: a directory (embedded Oxigraph) "
                        "or memory:.")(fn)


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
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary and rejected cards.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each card's warnings.")
@errors_to_exit
def build(paths: tuple[Path, ...], store: str, card_id: str | None, jobs: int | None,
          max_bytes: int | None, quiet: bool, verbose: bool) -> None:
    """Ingest model cards (files or directories) into the store."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        msg = f"no such file or directory: {', '.join(missing)}"
        raise click.BadParameter(msg)
    report = _with_progress(lambda progress: api.build(
        list(paths), store=store, id=card_id, jobs=jobs, max_bytes=max_bytes, progress=progress))
    for source, reason in report.rejected:
        click.echo(f"rejected: {reason}" if reason.startswith(source) else
                   f"rejected: {source}: {reason}", err=True)
    if verbose:
        for source, warning in report.warnings:
            click.echo(f"warning: {source}: {warning}", err=True)
    if not quiet and report.ingested:
        _print_found(store, report.models)
    click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


def _with_progress(run: Callable[[Callable[[int, int], None] | None], Any]) -> Any:
    if not sys.stderr.isatty():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]} cards/s"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("build", total=None, rate="-")

        def progress(done: int, total: int) -> None:
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
            f"{p['id']} ({p['relation']}{', ' + p['method'] if p['method'] else ''})"
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


def _print_show(info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{info['id']}[/bold]  {info['iri']}")
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
    rows = [("parent", p["id"], p["relation"], _merge_detail(p), _methods(p))
            for p in info["parents"]]
    rows += [("child", c["id"], c["relation"], "", _methods(c)) for c in info["children"]]
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
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


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
@click.option("--format", "fmt", type=_choices(ShowFormat), default="table", show_default=True)
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (health checks only).")
@errors_to_exit
def check(store: str, fmt: str, no_shacl: bool) -> None:
    """Validate the graph (SHACL) and report cycles, dangling ids and conflicts."""
    report = api.check(store=store, shacl=not no_shacl)
    if fmt == ShowFormat.JSON.value:
        click.echo(json.dumps({"conforms": report.conforms, "findings": [
            {"severity": f.severity, "kind": f.kind, "subject": f.subject, "message": f.message}
            for f in report.findings]}, indent=2))
    else:
        click.echo(report.text)
    sys.exit(0 if report.conforms else 1)


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
    from rich.console import Console
    from rich.table import Table

    if isinstance(result, bool):
        click.echo("true" if result else "false")
        return
    if result and isinstance(result[0], tuple):
        for s, p, o in result:
            click.echo(f"{s} {p} {o} .")
        return
    rows = cast("list[dict[str, Any]]", result)
    table = Table(*(rows[0].keys() if rows else ["(no results)"]))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    Console().print(table)
    click.echo(f"{len(rows)} rows")


@cli.command("queries")
@errors_to_exit
def list_named_queries() -> None:
    """List the named queries with their descriptions and parameters."""
    for q in api.queries():
        params = " ".join(f"--param {name}=<{kind}>" for name, (kind, _) in q.params.items())
        click.echo(f"{q.name:<28} {q.title or q.description}")
        if params:
            click.echo(f"{'':<28} {params}")


def main() -> None:
    """Entry point of the ``lineage`` console script."""
    cli(prog_name="lineage")
