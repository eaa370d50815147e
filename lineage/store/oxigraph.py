"""The default store: embedded Oxigraph on disk (or in memory with ``":memory:"``).

Opening a store read-write removes the ``bulk-*.sst`` files a bulk load that was killed
left behind (RocksDB never takes them in, and nothing else removes them). The unsettled
mark is a file, :data:`UNSETTLED_FILE`, in the store's directory.

Once :meth:`OxigraphStore.keep_changes` made it, :data:`CHANGES_FILE` gets one JSON line per
write, appended before the data changes: the generation it leaves and the one it makes, the
card graphs loaded and removed, and the entities the removed ones mentioned. A reader follows
these links from the generation it knows to the current one; a missing link (a writer of an
older version, a lost line, a record given up as too large) means "unknown".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from lineage.errors import QueryError, StoreError
from lineage.ns import LIN_IRI
from lineage.store import DROP_ORPHANS, CardGraph, Changes, Term, footprint
from lineage.store.binding import bind_values

__all__ = ["CHANGES_FILE", "GENERATION_FILE", "UNSETTLED_FILE", "OxigraphStore"]

UNSETTLED_FILE = "lineage-unsettled"
# A token written anew by every write, so any process can tell the data changed; the
# files lineage keeps beside RocksDB's all start with COMPANION_PREFIX.
GENERATION_FILE = "lineage-generation"
COMPANION_PREFIX = "lineage-"
CHANGES_FILE = "lineage-changes"
CHANGES_LIMIT = 16 << 20  # bytes: a longer record is dropped (readers then rebuild)
FOOTPRINT_LIMIT = 5000  # removed graphs one write reads the entities of; more: unrecorded
STALE_BULK_FILES = "bulk-*.sst"  # written by pyoxigraph's bulk loader before it ingests them

INDEX_QUERY = f"SELECT ?g ?src WHERE {{ GRAPH ?g {{ ?g <{LIN_IRI}sourceLocation> ?src }} }}"


class OxigraphStore:
    """A pyoxigraph ``Store`` behind the :class:`lineage.store.Store` interface."""

    loads_in_background = True  # bulk loads release the GIL and may run in a thread

    def __init__(self, location: str, *, read_only: bool = False):
        self.location = location
        self._writes = 0
        self._unsettled = False  # the mark of a store in memory; on disk, a file
        try:
            if location == ":memory:":
                self._store = ox.Store()
            elif read_only:
                if not Path(location).is_dir():
                    msg = "no store here: build one first with `lineage build`"
                    raise StoreError(msg, source=location)
                self._store = ox.Store.read_only(location)
            else:
                Path(location).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(location)
                # The store's lock is ours: no bulk load is under way, the files are stale.
                for stale in Path(location).glob(STALE_BULK_FILES):
                    stale.unlink(missing_ok=True)
        except OSError as exc:
            msg = f"cannot open the store: {exc}"
            raise StoreError(msg, source=location) from None

    def card_index(self) -> dict[str, str]:
        """Map each card's source location to its graph IRI."""
        return {sol["src"].value: sol["g"].value for sol in self._select(INDEX_QUERY)}

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        result = self._store.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def replace_cards(self, cards: Sequence[CardGraph]) -> None:
        """Bulk-load the new graphs in one batch, then drop the graphs they replace.

        A bulk load is not one transaction in Oxigraph, so readers see the batch arrive
        over the load; a rebuilt card is never missing meanwhile (its old graph goes after).
        """
        old = [card.replaces for card in cards if card.replaces]
        self._new_generation(added=[card.graph for card in cards], removed=old)
        if old:
            self._mark_unsettled()
        for card in cards:
            if card.replaces == card.graph:  # the same graph anew: empty it first
                self._store.remove_graph(ox.NamedNode(card.replaces))
        data = b"".join(card.nquads for card in cards)
        if data:
            try:
                self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            except (OSError, SyntaxError) as exc:
                msg = f"bulk load failed: {exc}"
                raise StoreError(msg, source=self.location) from None
        for card in cards:
            if card.replaces and card.replaces != card.graph:
                self._store.remove_graph(ox.NamedNode(card.replaces))

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Drop whole named graphs."""
        todo = list(graphs)
        self._new_generation(removed=todo)
        if todo:
            self._mark_unsettled()
        for g in todo:
            self._store.remove_graph(ox.NamedNode(g))

    def drop_orphans(self) -> None:
        """Forget shared declarations that no card graph mentions; the store is settled."""
        self._new_generation()
        self._store.update(DROP_ORPHANS)
        self._unsettled = False
        if self.location != ":memory:":
            (Path(self.location) / UNSETTLED_FILE).unlink(missing_ok=True)

    def unsettled(self) -> bool:
        """Tell whether card graphs were removed since orphans were last forgotten."""
        if self.location == ":memory:":
            return self._unsettled
        return (Path(self.location) / UNSETTLED_FILE).exists()

    def _mark_unsettled(self) -> None:
        if self._unsettled:
            return
        if self.location != ":memory:":
            with (Path(self.location) / UNSETTLED_FILE).open("wb") as mark:
                mark.write(b"a build removed card graphs; the next one forgets their orphans\n")
                mark.flush()
                os.fsync(mark.fileno())  # on disk before any graph is removed
        self._unsettled = True

    def query(self, sparql: str, bindings: Mapping[str, Term | Sequence[Term]] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL over the union of the card graphs."""
        text = bind_values(sparql, bindings or {})
        try:
            return self._store.query(text, use_default_graph_as_union=_no_dataset(text))
        except SyntaxError as exc:
            msg = f"malformed SPARQL: {exc}"
            raise QueryError(msg) from None
        except OSError as exc:
            msg = f"query failed: {exc}"
            raise StoreError(msg, source=self.location) from None

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Serialise the dataset (N-Quads, TriG) or one graph (any format)."""
        if graph is not None:
            self._store.dump(out, fmt, from_graph=ox.NamedNode(graph))
        else:
            self._store.dump(out, fmt)

    def quad_count(self) -> int:
        """Count the quads stored."""
        return len(self._store)

    def state(self) -> str:
        """Return a token that changes whenever the stored data changes.

        This object's own writes are counted, and on disk the store's generation
        (:meth:`disk_state`), which a write by any process renews.
        """
        return hashlib.sha256(f"{id(self)}:{self._writes}:{self.disk_state()}".encode()
                              ).hexdigest()

    def disk_state(self) -> str | None:
        """Return a token of the data on disk that every process reads alike (None in memory).

        Every write renews :data:`GENERATION_FILE`; a store written before it existed is
        known by its files instead (names, sizes, modification times, lineage's own left
        out), which RocksDB changes on every write (but also on a read-write open).
        """
        if self.location == ":memory:":
            return None
        try:
            return (Path(self.location) / GENERATION_FILE).read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            h = hashlib.sha256()
            for name, size, mtime in sorted(_files(self.location)):
                if not name.startswith(COMPANION_PREFIX):
                    h.update(f"{name}:{size}:{mtime}\n".encode())
            return h.hexdigest()

    def companion(self, name: str) -> Path | None:
        """Return where a file kept with the data may live: the store's directory."""
        return None if self.location == ":memory:" else Path(self.location) / name

    def _new_generation(self, *, added: Sequence[str] = (), removed: Sequence[str] = (),
                        ) -> None:
        """Count a write, and on disk renew the generation before the data changes.

        The change is recorded first (when changes are kept), so no reader can see the new
        generation without its record.
        """
        self._writes += 1
        if self.location != ":memory:":
            new = uuid.uuid4().hex
            self._record(new, added, removed)
            _replace_text(Path(self.location) / GENERATION_FILE, new)

    def _record(self, new: str, added: Sequence[str], removed: Sequence[str]) -> None:
        """Append the record of a write to :data:`CHANGES_FILE`, when changes are kept."""
        journal = Path(self.location) / CHANGES_FILE
        try:
            if journal.stat().st_size > CHANGES_LIMIT:
                journal.unlink()  # a reader rebuilds, and the next one starts afresh
                return
        except FileNotFoundError:
            return
        record: dict[str, object] = {"from": self.disk_state(), "to": new}
        if len(set(removed)) > FOOTPRINT_LIMIT:
            record["lost"] = True  # too many to read: readers rebuild instead
        else:
            record.update(added=sorted(set(added)), removed=sorted(set(removed)),
                          touched=sorted(footprint(self, removed)))
        with journal.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")

    def keep_changes(self, state: str) -> None:
        """Record each write's changes from disk state ``state`` on (older records dropped)."""
        if self.location == ":memory:":
            return
        with contextlib.suppress(OSError):  # a place that cannot be written: nothing is kept
            _replace_text(Path(self.location) / CHANGES_FILE, json.dumps({"from": state}) + "\n")

    def changes_since(self, state: str) -> Changes | None:
        """Return what the writes since disk state ``state`` changed, or None when unknown."""
        if self.location == ":memory:":
            return None
        try:
            lines = (Path(self.location) / CHANGES_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        links: dict[str, dict[str, object]] = {}
        for line in lines[1:]:
            try:
                record = json.loads(line)
            except ValueError:  # a line a dead writer left unfinished
                continue
            if isinstance(record, dict) and isinstance(record.get("from"), str):
                if record["from"] in links:
                    return None  # two writes from one generation: no single history
                links[record["from"]] = record
        added: set[str] = set()
        removed: set[str] = set()
        touched: set[str] = set()
        current, at, writes = self.disk_state(), state, 0
        while at != current:
            record = links.pop(at, None)  # popped: a cycle ends the walk
            if record is None or record.get("lost") or not isinstance(record.get("to"), str):
                return None
            parts = [record.get(name) for name in ("added", "removed", "touched")]
            if not all(isinstance(p, list) and all(isinstance(x, str) for x in p)
                       for p in parts):
                return None
            for into, part in zip((added, removed, touched), parts, strict=True):
                assert isinstance(part, list)
                into.update(part)
            at, writes = str(record["to"]), writes + 1
        return Changes(frozenset(added), frozenset(removed), frozenset(touched), writes)

    def flush(self, *, optimize: bool = False) -> None:
        """Persist; compact too when ``optimize`` (worth it after a large load only).

        The generation is renewed once more: a view read while the build was writing is
        then known as stale.
        """
        if self.location != ":memory:":
            self._store.flush()
            if optimize:
                self._store.optimize()
            self._new_generation()

    def close(self) -> None:
        """Release the store and its lock."""
        self.__dict__.pop("_store", None)


def _replace_text(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a reader sees the old text or the new one."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # left only when the write or the rename failed


def _files(directory: str) -> list[tuple[str, int, int]]:
    """Return (name, size, mtime) of the files in ``directory``.

    A file that RocksDB deletes while it is listed (compaction runs in the background)
    is left out.
    """
    found = []
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            found.append((entry.name, st.st_size, st.st_mtime_ns))
    return found


def _no_dataset(query: str) -> bool:
    """Tell whether the query names no dataset of its own (no FROM / FROM NAMED)."""
    import re

    return re.search(r"(?i)\bFROM\b\s*(?:NAMED\s*)?<", query) is None
