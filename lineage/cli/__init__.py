"""The ``lineage`` command: a thin layer over :mod:`lineage.api`.

Exit codes: 0 ok; 1 cards rejected or the graph does not conform; 2 an error (bad
input, unknown model, malformed query), always printed as one line.
"""

from __future__ import annotations

import click

from lineage.cli import analysis, commands
from lineage.cli.commands import DIAGRAM_FORMATS

__all__ = ["DIAGRAM_FORMATS", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lineage")
def cli() -> None:
    """Model lineage knowledge graphs from Hugging Face model cards."""


for _module in (commands, analysis):
    for _command in vars(_module).values():
        if isinstance(_command, click.Command):
            cli.add_command(_command)


def main() -> None:
    """Entry point of the ``lineage`` console script."""
    cli(prog_name="lineage")
