"""Options, formats and error handling shared by the commands."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from functools import wraps
from typing import Any, TypeVar

import click

from lineage import api
from lineage.errors import LineageError
from lineage.facts import Relation

F = TypeVar("F", bound=Callable[..., Any])
Progress = Callable[[int, int | None], None]


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


class Choice(click.Choice):  # type: ignore[type-arg]
    """A choice that answers a near miss with "did you mean ...?"."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        """Return the choice ``value`` names, or fail with the nearest one named."""
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            from lineage.suggest import did_you_mean

            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            msg = f"{exc.message} ({hint})"
            raise click.BadParameter(msg, ctx=ctx, param=param) from None


def choices(enum: type[Enum]) -> click.Choice[str]:
    """Return a case-blind choice of the enum's values."""
    return Choice([e.value for e in enum], case_sensitive=False)


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
    return click.option("--format", "fmt", type=choices(ListFormat), default="table",
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


def export_format_option(fn: F) -> F:
    """Add ``--format``, the choices of :class:`lineage.exporters.ExportFormat`."""
    from lineage.exporters import EXPORTERS, ExportFormat

    formats = "; ".join(f"{name}: {e.description}" for name, e in EXPORTERS.items())
    return click.option("--format", "fmt", type=choices(ExportFormat), required=True,
                        help=f"The format. {formats}.")(fn)


def walk_options(fn: F) -> F:
    """Add ``--max-depth``, ``--relation`` and ``--resolved-only`` to the two walks.

    The walks are ``ancestors`` and ``descendants``.
    """
    fn = click.option("--resolved-only", is_flag=True,
                      help="Leave out unresolved models (names without a Hub id, such as "
                           "local paths) and walk only through models with one.")(fn)
    fn = click.option("--relation", "relations", multiple=True, type=choices(Relation),
                      help="Follow only edges of this kind (repeatable).")(fn)
    return click.option("--max-depth", type=click.IntRange(min=0), metavar="N",
                        help="Go at most N derivation steps.")(fn)


@contextmanager
def progress_bars() -> Iterator[Callable[[str, str], Progress | None]]:
    """Yield a maker of progress callbacks, one bar each, on a terminal (None elsewhere)."""
    if not sys.stderr.isatty():
        yield lambda label, unit: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bars

    with Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
              TextColumn("{task.fields[rate]} {task.fields[unit]}/s"), TimeElapsedColumn(),
              transient=True) as bars:

        def bar(label: str, unit: str) -> Progress:
            task = bars.add_task(label, total=None, rate="-", unit=unit, start=False)

            def progress(done: int, total: int | None) -> None:
                bars.start_task(task)
                elapsed = bars.tasks[task].elapsed or 0.0
                bars.update(task, completed=done, total=total,
                            rate=f"{done / elapsed:,.0f}" if elapsed > 0 else "-")
            return progress

        yield bar


def with_progress(run: Callable[[Progress | None], Any], *, label: str = "building",
                  unit: str = "cards") -> Any:
    """Call ``run`` with one progress callback (a bar on a terminal)."""
    with progress_bars() as bar:
        return run(bar(label, unit))
