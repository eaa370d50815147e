"""Build: find cards, extract them (in parallel), and load their graphs into a store.

Each card becomes one named graph whose key hashes the card's bytes, the id it was given
and the extractor version. An unchanged card costs one hash; a changed card replaces its
own graph only; a card that cannot be read is reported with its reason and the others
go on. Output is identical for any number of jobs.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from lineage.cards import DEFAULT_MAX_BYTES, read_card
from lineage.errors import CardError, LineageError
from lineage.ids import card_graph_iri, is_repo_id
from lineage.store import CardGraph, Store

__all__ = ["BuildReport", "CardInput", "build", "find_cards", "retrieval_time"]

CARD_SUFFIXES = (".md", ".txt")
BATCH_CARDS = 2000


@dataclass(frozen=True, slots=True)
class CardInput:
    """A card to ingest: where it is, how it is named in the graph, its id if known."""

    path: Path
    source: str
    id_hint: str | None
    id_hint_method: str | None


@dataclass(slots=True)
class BuildReport:
    """What a build did."""

    ingested: int = 0
    skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    models: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no card was rejected."""
        return not self.rejected

    def summary(self) -> str:
        """Return the one-line summary printed after a build."""
        return (f"cards ingested {self.ingested} / skipped unchanged {self.skipped} / "
                f"rejected {len(self.rejected)}, triples {self.triples}, "
                f"{self.seconds:.2f} seconds")


def retrieval_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def _path_id(parts: tuple[str, ...]) -> str | None:
    """``org/name`` from a path ending ``org/name/README.md``."""
    if len(parts) >= 3 and parts[-1].casefold() == "readme.md":
        rid = f"{parts[-3]}/{parts[-2]}"
        if is_repo_id(rid, require_org=True):
            return rid
    return None


def find_cards(paths: Iterable[str | Path], *, id_override: str | None = None) -> list[CardInput]:
    """Find the cards under ``paths`` (files, or directories searched recursively), sorted.

    A card's id hint comes from ``id_override`` or from an ``org/name/README.md`` layout
    relative to the directory given (or the file path as given).
    """
    found: list[CardInput] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and
                           p.suffix.casefold() in CARD_SUFFIXES and
                           not any(part.startswith(".") for part in p.relative_to(root).parts))
            for f in files:
                rel = f.relative_to(root).parts
                source = str(PurePosixPath(*root.parts, *rel)) if not root.is_absolute() \
                    else f.as_posix()
                hint = _path_id(rel)
                found.append(CardInput(f, source, hint, "path" if hint else None))
        else:
            hint = _path_id(root.parts)
            found.append(CardInput(root, root.as_posix(), hint, "path" if hint else None))
    if id_override is not None:
        if len(found) != 1:
            msg = f"--id names one card, but {len(found)} cards were given"
            raise LineageError(msg)
        c = found[0]
        found = [CardInput(c.path, c.source, id_override, "option")]
    return found


@dataclass(frozen=True, slots=True)
class _Result:
    source: str
    key: str
    nquads: bytes | None
    error: str | None
    triples: int
    model: str | None
    warnings: tuple[str, ...]


def _extract_one(item: tuple[CardInput, bytes, str, str, int]) -> _Result:
    """Worker: one card's bytes to N-Quads (pure except for the clock value passed in)."""
    from lineage.extract import extract
    from lineage.rdf import card_quads, to_nquads

    card_in, data, key, retrieved, max_bytes = item
    try:
        card = read_card(data, card_in.source, id_hint=card_in.id_hint,
                         id_hint_method=card_in.id_hint_method, max_bytes=max_bytes)
        ex = extract(card)
        quads = card_quads(ex, key=key, retrieved=datetime.fromisoformat(retrieved))
    except CardError as exc:
        return _Result(card_in.source, key, None, str(exc), 0, None, ())
    except RecursionError:
        return _Result(card_in.source, key, None, f"{card_in.source}: structure nested too deeply",
                       0, None, ())
    return _Result(card_in.source, key, to_nquads(quads), None, len(quads), ex.model.id or
                   ex.model.name, tuple(ex.warnings))


def _read(card_in: CardInput, max_bytes: int) -> bytes | str:
    try:
        size = card_in.path.stat().st_size
        if size > max_bytes:
            return f"{card_in.source}: file too large ({size:,} bytes; the limit is {max_bytes:,})"
        return card_in.path.read_bytes()
    except OSError as exc:
        return f"{card_in.source}: cannot read: {exc.strerror or exc}"


def build(
    store: Store,
    paths: Iterable[str | Path],
    *,
    id_override: str | None = None,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Ingest the cards under ``paths`` into ``store``.

    Parameters
    ----------
    store
        An open store.
    paths
        Card files and directories.
    id_override
        The id of the one card given (``--id``).
    jobs
        Worker processes for extraction; 1 extracts in this process.
    max_bytes
        Cards larger than this are rejected.
    progress
        Called with (cards done, cards total).
    """
    from lineage.rdf import card_key

    started = time.perf_counter()
    report = BuildReport()
    cards = find_cards(paths, id_override=id_override)
    index = store.card_index()
    retrieved = retrieval_time().isoformat()
    todo: list[tuple[CardInput, bytes, str, str, int]] = []
    for card_in in cards:
        data = _read(card_in, max_bytes)
        if isinstance(data, str):
            report.rejected.append((card_in.source, data))
            continue
        key = card_key(hashlib.sha256(data).hexdigest(), card_in.id_hint)
        if index.get(card_in.source) == card_graph_iri(key):
            report.skipped += 1
            continue
        todo.append((card_in, data, key, retrieved, max_bytes))
    done = report.skipped + len(report.rejected)
    batch: list[CardGraph] = []
    for result in _run(todo, jobs):
        done += 1
        if progress is not None:
            progress(done, len(cards))
        if result.error is not None:
            report.rejected.append((result.source, result.error))
            continue
        assert result.nquads is not None
        report.ingested += 1
        report.triples += result.triples
        if result.model:
            report.models.append(result.model)
        report.warnings.extend((result.source, w) for w in result.warnings)
        batch.append(CardGraph(result.source, card_graph_iri(result.key), result.nquads,
                               index.get(result.source)))
        if len(batch) >= BATCH_CARDS:
            store.replace_cards(batch)
            batch = []
    if batch:
        store.replace_cards(batch)
    report.seconds = time.perf_counter() - started
    return report


def _run(todo: list[tuple[CardInput, bytes, str, str, int]], jobs: int) -> Iterator[_Result]:
    if jobs <= 1 or len(todo) < 64:
        yield from map(_extract_one, todo)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_extract_one, todo, chunksize=max(8, min(256, len(todo) // (jobs * 8))))
