"""Lineage analysis commands: one thin call of each api function (models, ancestors ... deltas).

Each prints a table by default and the api's records with ``--format json`` or ``csv``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import click

from lineage import api
from lineage.cli.options import (
    F,
    ListFormat,
    choices,
    errors_to_exit,
    format_option,
    store_option,
    walk_options,
)
from lineage.cli.output import print_records
from lineage.facts import Relation


@click.command("models")
@click.argument("pattern", required=False)
@store_option
@click.option("--org", metavar="ORG", help="Only models of this organisation.")
@click.option("--relation", type=choices(Relation),
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
    print_records(fmt, rows, ("model", "kind", "license", "card", "parents", "children"),
                  [(e.id or f"{e.name} (unresolved)" if not e.resolved else e.id or e.name,
                    e.kind, e.license, "yes" if e.has_card else "no", e.parents, e.children)
                   for e in found],
                  empty="no models match", fields=FIELDS)


def _question(*arguments: str, optional: bool = False, walk: bool = False,
              ) -> Callable[[F], F]:
    """Make a command of ``arguments`` (model ids) with the store and format options.

    ``walk`` adds the walk options (``--max-depth``, ``--relation``, ``--resolved-only``).
    """
    def wrap(fn: F) -> F:
        for option in (errors_to_exit, format_option, *([walk_options] if walk else []),
                       store_option):
            fn = option(fn)
        for name in reversed(arguments):
            fn = click.argument(name, required=not optional)(fn)
        return cast("F", click.command()(fn))
    return wrap


def _print_walk(fmt: str, rows: Sequence[Mapping[str, Any]], empty: str) -> None:
    print_records(fmt, rows, ("depth", "model", "relation", "via"),
                  [(r["depth"], r["id"], r["relation"], r["via"]) for r in rows], empty=empty)


@_question("model", walk=True)
def ancestors(model: str, store: str, max_depth: int | None, relations: tuple[str, ...],
              resolved_only: bool, fmt: str) -> None:
    """List the models MODEL derives from, nearest first, with depth and relation."""
    _print_walk(fmt, api.ancestors(model, store=store, max_depth=max_depth,
                                   relations=relations or None, resolved_only=resolved_only),
                "no ancestors")


@_question("model", walk=True)
def descendants(model: str, store: str, max_depth: int | None, relations: tuple[str, ...],
                resolved_only: bool, fmt: str) -> None:
    """List the models derived from MODEL, nearest first, with depth and relation."""
    _print_walk(fmt, api.descendants(model, store=store, max_depth=max_depth,
                                     relations=relations or None, resolved_only=resolved_only),
                "no descendants")


@_question("a", "b")
def path(a: str, b: str, store: str, fmt: str) -> None:
    """Show the shortest derivation path from A up to its ancestor B, or down to B."""
    steps = api.path(a, b, store=store)
    print_records(fmt, steps, ("step", "model", "relation", "direction"),
                  [(i, s["id"], s["relation"], s["direction"]) for i, s in enumerate(steps)],
                  empty="no path")


@_question("model", optional=True)
def roots(model: str | None, store: str, fmt: str) -> None:
    """List the models with no parents, or with MODEL the root ancestors of MODEL."""
    rows = api.roots(model, store=store)
    print_records(fmt, rows, ("model", "depth", "children"),
                  [(r["id"], r["depth"], r["children"]) for r in rows], empty="no roots")


@_question("a", "b")
def common(a: str, b: str, store: str, fmt: str) -> None:
    """List the lowest common ancestors of A and B."""
    rows = api.common(a, b, store=store)
    print_records(fmt, rows, ("model", f"depth from {a}", f"depth from {b}"),
                  [(r["id"], r["depth_a"], r["depth_b"]) for r in rows],
                  empty="no common ancestor")


@_question("model")
@click.option("--strict", is_flag=True, help="Exit 1 when a license conflict is found.")
def licenses(model: str, store: str, fmt: str, strict: bool) -> None:
    """List every license up the tree of MODEL and flag conflicts.

    A conflict is a permissive license on a model derived from a non-commercial,
    custom (other, llama2, gemma, any non-SPDX license) or copyleft one. With --strict the
    exit status is 1 when there is one (for CI jobs).
    """
    report = api.licenses(model, store=store)
    print_records(fmt, report, ("depth", "model", "license", "category"),
                  [(e["depth"], e["id"], e["license"] or e["license_name"] or "-", e["category"])
                   for e in report["licenses"]], empty="no models", records=report["licenses"])
    if fmt == ListFormat.TABLE.value:
        for conflict in report["conflicts"]:
            click.echo(f"conflict: {conflict['message']}")
        if not report["conflicts"]:
            click.echo("no license conflicts")
    if strict and report["conflicts"]:
        sys.exit(1)


@_question("model")
def datasets(model: str, store: str, fmt: str) -> None:
    """List the datasets of MODEL and those inherited through fine-tunes and merges."""
    rows = api.datasets(model, store=store)
    print_records(fmt, rows, ("dataset", "trained", "depth", "path"),
                  [(d["dataset"], d["model"], d["depth"], _path_text(d["path"], d["relations"]))
                   for d in rows], empty="no datasets")


def _path_text(models: list[str], relations: list[str]) -> str:
    """Return ``a -merge-> b -finetune-> c``."""
    steps = "".join(f" -{rel}-> {m}" for rel, m in zip(relations, models[1:], strict=False))
    return (models[0] if models else "") + steps


@_question("model")
def contributions(model: str, store: str, fmt: str) -> None:
    """Show each ingredient's effective share of MODEL, a merge (of merges).

    Merge weights are normalised at each merge and multiplied down the tree; a base
    model with no weight counts 0, and a merge that states no weights splits equally.
    """
    rows = api.contributions(model, store=store)
    print_records(fmt, rows, ("model", "share", "via"),
                  [(r["id"], f"{r['share']:.1%}", ", ".join(r["via"])) for r in rows],
                  empty="no ingredients")


@_question("model")
def deltas(model: str, store: str, fmt: str) -> None:
    """Compare the scores of MODEL with its parents' on the benchmarks both report."""
    rows = api.deltas(model, store=store)
    print_records(fmt, rows, ("benchmark", "parent", "model", "parent value", "delta"),
                  [(r["benchmark"], r["parent"], r["value"], r["parent_value"], f"{r['delta']:+g}")
                   for r in rows], empty="no benchmark shared with a parent")
