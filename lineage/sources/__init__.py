"""Where cards come from: files and directories here; Hub caches and dumps in submodules.

Every source yields :class:`CardInput` items lazily, one card at a time, so a build never
holds a whole corpus in memory. A directory is walked in sorted order, one directory
listing at a time.

Examples
--------
>>> next(iter_paths(["examples/cards"])).id_hint
'acme-ai/Acme-7B'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lineage.ids import is_repo_id

__all__ = ["CARD_SUFFIXES", "CardInput", "iter_paths", "path_id"]

CARD_SUFFIXES = (".md", ".txt")
_SUFFIXES = frozenset(s.lstrip(".") for s in CARD_SUFFIXES)


@dataclass(frozen=True, slots=True)
class CardInput:
    """One card to ingest.

    ``source`` is the location recorded in the graph (and the key of the card index);
    the card's bytes are read from ``path`` unless ``data`` holds them already (a dump
    row). ``hub`` is the Hub's own metadata about the repo, when known; ``error`` marks an
    input that cannot be a card (a malformed dump row), reported instead of ingested.
    """

    source: str
    id_hint: str | None = None
    id_hint_method: str | None = None
    path: Path | None = None
    data: bytes | None = None
    hub: Mapping[str, object] | None = None
    error: str | None = None


def path_id(parts: tuple[str, ...]) -> str | None:
    """Return ``org/name`` from a path ending ``org/name/README.md``.

    Examples
    --------
    >>> path_id(("cards", "acme-ai", "Acme-7B", "README.md"))
    'acme-ai/Acme-7B'
    >>> path_id(("notes", "README.md")) is None
    True
    """
    if len(parts) >= 3 and parts[-1].casefold() == "readme.md":
        rid = f"{parts[-3]}/{parts[-2]}"
        if is_repo_id(rid, require_org=True):
            return rid
    return None


def _walk(root: Path, rel: tuple[str, ...] = ()) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Yield the card files under ``root`` in sorted order, skipping hidden ones."""
    try:
        with os.scandir(root.joinpath(*rel)) as it:
            entries = sorted((e.name, e.is_dir()) for e in it if not e.name.startswith("."))
    except OSError:
        return
    for name, is_dir in entries:
        if is_dir:
            yield from _walk(root, (*rel, name))
        elif name.rpartition(".")[2].casefold() in _SUFFIXES:
            yield root.joinpath(*rel, name), (*rel, name)


def iter_paths(paths: Iterable[str | Path]) -> Iterator[CardInput]:
    """Yield card inputs for files and directories (searched recursively), in a stable order.

    A card's id hint comes from an ``org/name/README.md`` layout relative to the directory
    given (or the file path as given).
    """
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for f, rel in _walk(root):
                source = (str(PurePosixPath(*root.parts, *rel)) if not root.is_absolute()
                          else f.as_posix())
                hint = path_id(rel)
                yield CardInput(source, hint, "path" if hint else None, path=f)
        else:
            hint = path_id(root.parts)
            yield CardInput(root.as_posix(), hint, "path" if hint else None, path=root)
