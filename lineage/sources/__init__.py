"""Where cards come from: files and directories, Hub caches and dumps.

Every source yields :class:`CardInput` items lazily, one card at a time, so a build never
holds a whole corpus in memory: :mod:`lineage.sources.files` walks files and directories,
:mod:`lineage.sources.dumps` reads dumps row by row, :mod:`lineage.sources.hub` fetches
cards from the Hub into a cache that is then read as files.

Examples
--------
>>> next(iter_sources(["examples/cards"])).id_hint
'acme-ai/Acme-7B'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from lineage.sources.dumps import check_dump, is_dump, iter_dump
from lineage.sources.files import (
    CARD_SUFFIXES,
    HUB_FILE,
    CardInput,
    hub_revision,
    iter_paths,
    path_id,
    read_hub_file,
)

__all__ = ["CARD_SUFFIXES", "HUB_FILE", "CardInput", "hub_revision", "iter_paths", "iter_sources",
           "path_id", "read_hub_file"]


def iter_sources(paths: Iterable[str | Path], *, id_column: str | None = None,
                 text_column: str | None = None) -> Iterator[CardInput]:
    """Yield card inputs for files, directories and dumps, in the order given.

    A file ending ``.parquet``, ``.jsonl``, ``.jsonl.gz``, ``.ndjson`` (``.gz``) is a dump
    of many cards (see :mod:`lineage.sources.dumps`, whose column options ``id_column``
    and ``text_column`` are); anything else is read by :func:`iter_paths`.
    """
    paths = list(paths)
    for given in paths:  # a dump that cannot be read at all stops the build before it starts
        if is_dump(given):
            check_dump(given, id_column=id_column, text_column=text_column)
    for given in paths:
        if is_dump(given):
            yield from iter_dump(given, id_column=id_column, text_column=text_column)
        else:
            yield from iter_paths([given])
