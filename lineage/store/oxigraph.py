"""The default store: embedded Oxigraph on disk (or in memory with ``":memory:"``).

Opening a store read-write removes the ``bulk-*.sst`` files a bulk load that was killed
left behind (RocksDB never takes them in, and nothing else removes them). The unsettled
mark is a file, :data:`UNSETTLED_FILE`, in the store's directory.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from lineage.errors import QueryError, StoreError
from lineage.ns import LIN_IRI
from lineage.store import DROP_ORPHANS, CardGraph, Term
from lineage.store.binding import bind_values

__all__ = ["GENERATION_FILE", "UNSETTLED_FILE", "OxigraphStore"]

UNSETTLED_FILE = "lineage-unsettled"
# A token written anew by every write, so any process can tell the data changed; the
# files lineage keeps beside RocksDB's all start with COMPANION_PREFIX.
GENERATION_FILE = "lineage-generation"
COMPANION_PREFIX = "lineage-"
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
        self._new_generation()
        old = [card.replaces for card in cards if card.replaces]
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
        self._new_generation()
        todo = list(graphs)
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

    def _new_generation(self) -> None:
        """Count a write, and on disk renew the generation before the data changes."""
        self._writes += 1
        if self.location != ":memory:":
            path = Path(self.location) / GENERATION_FILE
            tmp = path.with_name(f"{GENERATION_FILE}.{os.getpid()}")
            tmp.write_text(uuid.uuid4().hex, encoding="ascii")
            tmp.replace(path)

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
