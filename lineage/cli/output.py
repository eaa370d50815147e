"""How commands print: tables, JSON, CSV, the show page and build reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lineage import api
from lineage.cli.options import ListFormat
from lineage.errors import LineageError

if TYPE_CHECKING:
    from rich.table import Table

    from lineage.ingest import BuildReport


def print_records(fmt: str, data: Any, header: tuple[str, ...], rows: list[tuple[Any, ...]],
                  *, empty: str, records: Sequence[Mapping[str, Any]] | None = None,
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
    print_table(header, rows)


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


def print_table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Print rows as a table; card text is printed as text, never read as rich markup."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*header)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    # Off a terminal, print ids whole instead of folding them at 80 columns.
    Console(width=None if sys.stdout.isatty() else 1000, markup=False).print(table)


def print_build(report: BuildReport, store: str, *, quiet: bool, verbose: bool) -> None:
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
    if verbose:
        t = report.timings
        click.echo(f"time: extraction {t.extract:.2f} s of CPU (waited {t.wait_extract:.2f} s "
                   f"for it), loading {t.load:.2f} s (waited {t.wait_load:.2f} s for it), "
                   f"settling and flushing {t.finish:.2f} s", err=True)
    click.echo(report.summary())


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


def _shown_name(relative: dict[str, Any]) -> str:
    """Name a parent or child in a table; a name without a Hub id is marked unresolved."""
    name = str(relative["id"])
    return name if relative.get("resolved", True) else f"{name} (unresolved)"


def print_show(info: dict[str, Any]) -> None:
    """Print ``show``'s page: the model, its relatives, facts, scores and warnings."""
    from rich.console import Console
    from rich.text import Text

    # Card text (snippets, ids, "[/INST]" templates) is data, never rich markup.
    console = Console(markup=False, highlight=False,
                      width=None if sys.stdout.isatty() else 1000)
    console.print(f"{info['id']}  {info['iri']}", style="bold")
    for line in _heading_lines(info):
        console.print(line)
    relatives = _relatives_table(info)
    if relatives is not None:
        console.print(relatives)
    for line in _fact_lines(info):
        console.print(line)
    scores = _scores_table(info)
    if scores is not None:
        console.print(scores)
    for warning in info["warnings"]:
        console.print(Text.assemble(("warning: ", "yellow"), warning))


def _heading_lines(info: dict[str, Any]) -> Iterator[str]:
    """Aliases, license, languages, tags and prompt format, those the model has."""
    if info["aliases"]:
        yield f"also known as: {', '.join(info['aliases'])}"
    lic = info["license"]
    if lic["id"] or lic["name"]:
        yield "license: " + " ".join(str(x) for x in (lic["id"], lic["name"], lic["link"]) if x)
    for key in ("languages", "tags"):
        if info[key]:
            yield f"{key}: {', '.join(info[key])}"
    if info["prompt_format"]:
        yield f"prompt format: {info['prompt_format']}"


def _relatives_table(info: dict[str, Any]) -> Table | None:
    """Return the parents and children with their relation, merge detail and evidence."""
    from rich.table import Table

    rows = [("parent", _shown_name(p), p["relation"], _merge_detail(p), _methods(p))
            for p in info["parents"]]
    rows += [("child", _shown_name(c), c["relation"], "", _methods(c))
             for c in info["children"]]
    if not rows:
        return None
    table = Table("", "model", "relation", "merge", "evidence")
    for row in rows:
        table.add_row(*row)
    return table


def _fact_lines(info: dict[str, Any]) -> Iterator[str]:
    """Datasets, hardware and training settings, those the model has."""
    if info["datasets"]:
        yield "datasets: " + ", ".join(d["id"] or d["name"] for d in info["datasets"])
    if info["hardware"]:
        yield "hardware: " + ", ".join(
            f"{h['count']}x {h['accelerator']}" if h["count"] else h["accelerator"]
            for h in info["hardware"])
    training = {k: v for k, v in info["training"].items() if v is not None}
    if training:
        yield "training: " + ", ".join(f"{k} {v}" for k, v in training.items())


def _scores_table(info: dict[str, Any]) -> Table | None:
    """Return the model's scores, with where each comes from."""
    from rich.table import Table

    if not info["scores"]:
        return None
    table = Table("benchmark", "metric", "value", "origin")
    for s in info["scores"]:
        table.add_row(s["benchmark"], s["metric"] or "", str(s["value"]), s["origin"])
    return table


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


@contextmanager
def to_stdout(name: str) -> Iterator[Path]:
    """Yield a temporary file path whose bytes go to standard output afterwards (``-o -``)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lineage-") as folder:
        path = Path(folder) / name
        yield path
        with path.open("rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.buffer.flush()
