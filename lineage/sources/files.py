"""Cards in files and directories, and the :class:`CardInput` every source yields.

A directory is walked in sorted order, one directory listing at a time; a symbolic link
looping back into the walk, and a directory that cannot be listed, become an input with an
error (reported once, with its path), never a silent end of the walk.

Examples
--------
>>> next(iter_paths(["examples/cards"])).id_hint
'acme-ai/Acme-7B'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from lineage.ids import is_repo_id

__all__ = ["CARD_SUFFIXES", "HUB_FILE", "CardInput", "hub_revision", "iter_paths", "path_id",
           "read_hub_file"]

CARD_SUFFIXES = (".md", ".txt")
HUB_FILE = "hub.json"  # the Hub's metadata beside a fetched card (see lineage.sources.hub)
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


def hub_revision(hub: Mapping[str, object] | None) -> str | None:
    """Return the repository revision (commit sha) in a card's Hub metadata, if any.

    Examples
    --------
    >>> hub_revision({"sha": "0123abc"}), hub_revision(None)
    ('0123abc', None)
    """
    sha = hub.get("sha") if hub else None
    return sha.strip() if isinstance(sha, str) and sha.strip() else None


def read_hub_file(card_path: Path) -> tuple[Mapping[str, object] | None, str | None]:
    """Read the ``hub.json`` beside a card: ``(metadata or None, error or None)``.

    A missing file is no error; an unreadable one is (the card is then reported, not
    built without the metadata it was fetched with).
    """
    path = card_path.with_name(HUB_FILE)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path.as_posix()}: cannot read: {exc.strerror or exc}"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, f"{path.as_posix()}: not JSON: {str(exc).splitlines()[0]}"
    if not isinstance(data, dict):
        return None, f"{path.as_posix()}: not a JSON object"
    return data, None


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


def _walk(root: Path, rel: tuple[str, ...] = (), above: frozenset[tuple[int, int]] = frozenset(),
          ) -> Iterator[tuple[Path, tuple[str, ...], str | None]]:
    """Yield ``(path, parts, error)`` for the card files under ``root`` in sorted order.

    Hidden entries are skipped. Symbolic links are followed, except one leading back to a
    directory being walked (a loop), which is yielded once with its error, as is a
    directory that cannot be listed.
    """
    here = root.joinpath(*rel)
    try:
        st = here.stat()
        above = above | {(st.st_dev, st.st_ino)}
        with os.scandir(here) as it:
            entries = sorted((e.name, e.is_dir()) for e in it if not e.name.startswith("."))
    except OSError as exc:
        yield here, rel, f"{here.as_posix()}: cannot list: {exc.strerror or exc}"
        return
    for name, is_dir in entries:
        path = here / name
        if is_dir:
            try:
                st = path.stat()
            except OSError as exc:
                yield path, (*rel, name), f"{path.as_posix()}: cannot list: {exc.strerror or exc}"
                continue
            if (st.st_dev, st.st_ino) in above:
                target = path.readlink() if path.is_symlink() else path
                yield path, (*rel, name), (f"{path.as_posix()}: symbolic link loop "
                                           f"(to {target.as_posix()}); not followed")
                continue
            yield from _walk(root, (*rel, name), above)
        elif name.rpartition(".")[2].casefold() in _SUFFIXES:
            yield path, (*rel, name), None


def iter_paths(paths: Iterable[str | Path]) -> Iterator[CardInput]:
    """Yield card inputs for files and directories (searched recursively), in a stable order.

    A card's id hint comes from an ``org/name/README.md`` layout relative to the directory
    given (or the file path as given). A ``hub.json`` beside a ``README.md`` (written by
    ``lineage fetch``) becomes the card's :attr:`CardInput.hub` metadata.
    """
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for f, rel, error in _walk(root):
                source = (str(PurePosixPath(*root.parts, *rel)) if not root.is_absolute()
                          else f.as_posix())
                if error is not None:
                    yield CardInput(source, error=error)
                    continue
                hint = path_id(rel)
                yield _with_hub(CardInput(source, hint, "path" if hint else None, path=f))
        else:
            hint = path_id(root.parts)
            yield _with_hub(CardInput(root.as_posix(), hint, "path" if hint else None, path=root))


def _with_hub(card: CardInput) -> CardInput:
    """Attach the ``hub.json`` beside a ``README.md`` (a card fetched from the Hub)."""
    if card.path is None or card.path.name.casefold() != "readme.md":
        return card
    hub, error = read_hub_file(card.path)
    if error is not None:
        return replace(card, error=error)
    return replace(card, hub=hub) if hub is not None else card
