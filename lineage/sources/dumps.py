r"""Published dumps of model cards: parquet and JSON Lines, streamed one row at a time.

A dump has one row per model: its Hub id (column ``modelId``, else ``id``), its card text
(``card``) and, optionally, the Hub's metadata about the repository, taken as the card's
:attr:`~lineage.sources.CardInput.hub` when the columns are there (the layout of
``librarian-bots/model_cards_with_metadata``: ``downloads``, ``likes``, ``tags``,
``pipeline_tag``, ``library_name``, ``createdAt``, ``last_modified``...).

Parquet files are read with ``pyarrow.parquet.ParquetFile.iter_batches`` over only the
columns needed, one batch at a time; JSON Lines (``.jsonl``, ``.ndjson``, optionally
gzipped) line by line. Memory therefore does not grow with the size of the dump. A row that
cannot be a card (no id, an invalid id, a null or non-text card, a line that is not JSON)
becomes an input with ``error`` set, naming the file and the row or line, so that the build
reports it; a file that cannot be opened at all, or lacks the id or text column, raises a
:class:`~lineage.errors.LineageError`.

Examples
--------
>>> import json, tempfile, pathlib
>>> dump = pathlib.Path(tempfile.mkdtemp()) / "cards.jsonl"
>>> _ = dump.write_text(json.dumps({"modelId": "o/m", "card": "# M", "likes": 2}) + "\n{oops\n")
>>> [(c.id_hint, c.hub, c.error) for c in iter_dump(dump)]  # doctest: +ELLIPSIS
[('o/m', {'likes': 2, 'id': 'o/m'}, None), (None, None, '...cards.jsonl: line 2: not JSON: ...')]
>>> check_dump(dump.with_suffix(".parquet"))
Traceback (most recent call last):
...
lineage.errors.LineageError: ...cards.parquet: not a readable parquet file: ...
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from lineage.errors import LineageError
from lineage.ids import is_repo_id
from lineage.sources.files import CardInput

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["DUMP_SUFFIXES", "HUB_COLUMNS", "ID_COLUMNS", "TEXT_COLUMN", "check_dump", "is_dump",
           "iter_dump", "iter_row_group", "row_group_sources", "row_groups"]

DUMP_SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
ID_COLUMNS = ("modelId", "id")
TEXT_COLUMN = "card"
# Dump column -> key of the card's Hub metadata (the names of the Hub API and hub.json).
HUB_COLUMNS = {
    "sha": "sha", "author": "author", "downloads": "downloads", "likes": "likes",
    "tags": "tags", "pipeline_tag": "pipeline_tag", "library_name": "library_name",
    "createdAt": "createdAt", "created_at": "createdAt", "created": "createdAt",
    "lastModified": "lastModified", "last_modified": "lastModified", "gated": "gated",
}
BATCH_ROWS = 256
_BAD_GZIP = (OSError, EOFError, zlib.error)


def is_dump(path: str | Path) -> bool:
    """Tell whether ``path`` names a dump file (by its suffix), not a card or a folder.

    Examples
    --------
    >>> is_dump("cards.parquet"), is_dump("x/cards.jsonl.gz"), is_dump("README.md")
    (True, True, False)
    """
    name = Path(path).name.casefold()
    return name.endswith(DUMP_SUFFIXES) and not Path(path).is_dir()


def iter_dump(path: str | Path, *, id_column: str | None = None, text_column: str | None = None,
              batch_size: int = BATCH_ROWS) -> Iterator[CardInput]:
    """Yield one card input per row of a parquet or JSON Lines dump, lazily.

    Parameters
    ----------
    path
        The dump: ``.parquet``, ``.jsonl``, ``.ndjson``, or either of the last two gzipped.
    id_column
        The column of model ids; by default ``modelId``, else ``id``.
    text_column
        The column of card texts; by default ``card``.
    batch_size
        Parquet rows read at once.
    """
    dump = Path(path)
    text = text_column or TEXT_COLUMN
    rows = (_parquet(dump, id_column, text, batch_size)
            if dump.name.casefold().endswith(".parquet") else _jsonl(dump, id_column, text))
    # A row repeating an id is a card of its own (another revision): its source says which.
    times: dict[str, int] = {}
    for card in rows:
        n = times[card.source] = times.get(card.source, 0) + 1
        yield card if n == 1 else replace(card, source=f"{card.source}@{n}")


def check_dump(path: str | Path, *, id_column: str | None = None,
               text_column: str | None = None) -> None:
    """Raise :class:`~lineage.errors.LineageError` unless the dump opens and has its columns.

    Run before a build starts, so that a dump which cannot be read at all stops the build
    before any card is loaded; rows are checked one by one as they stream.
    """
    dump = Path(path)
    if dump.name.casefold().endswith(".parquet"):
        _parquet_columns(dump, id_column, text_column or TEXT_COLUMN)
    else:
        _open_lines(dump).close()


def _where(dump: Path, unit: str, n: int) -> str:
    return f"{dump.as_posix()}: {unit} {n}"


def _bad(dump: Path, unit: str, n: int, reason: str, rid: str | None = None) -> CardInput:
    """Return an input that is not a card; its error names the file, the row or line, the id."""
    source = f"{dump.as_posix()}#{rid}" if rid else _where(dump, unit, n)
    where = f"{source}: {unit} {n}" if rid else source
    return CardInput(source, error=f"{where}: {reason}")


def _json_value(value: Any) -> Any:
    """Return a metadata value as JSON-ready data (dates as ISO texts)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _row(dump: Path, unit: str, n: int, rid: object, text: object,
         meta: Mapping[str, object]) -> CardInput:
    """One row to a card input, or to an input carrying the reason it is not one."""
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return _bad(dump, unit, n, "no model id")
    if not isinstance(rid, str):
        return _bad(dump, unit, n, f"model id is not text ({type(rid).__name__})")
    rid = rid.strip()
    if not is_repo_id(rid):
        return _bad(dump, unit, n, f"invalid model id {rid[:100]!r}")
    if text is None:
        return _bad(dump, unit, n, "card is null", rid)
    if isinstance(text, str):
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return _bad(dump, unit, n, "card text is not valid Unicode", rid)
    elif isinstance(text, bytes):
        data = text
    else:
        return _bad(dump, unit, n, f"card is not text ({type(text).__name__})", rid)
    hub = {HUB_COLUMNS[k]: _json_value(v) for k, v in meta.items() if v is not None}
    if hub:
        hub.setdefault("id", rid)
    return CardInput(f"{dump.as_posix()}#{rid}", rid, "dump", data=data, hub=hub or None)


def _parquet(dump: Path, id_column: str | None, text: str, batch_size: int,
             ) -> Iterator[CardInput]:
    import pyarrow as pa

    pf, id_col, text_col, meta = _parquet_columns(dump, id_column, text)
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_size, columns=[id_col, text_col, *meta]):
            yield from _batch_rows(dump, batch, row, meta)
            row += batch.num_rows
    except (OSError, pa.ArrowException) as exc:
        yield _bad(dump, "row", row + 1, f"unreadable, the rest of the file was not read: "
                   f"{_first_line(exc)}")


def _batch_rows(dump: Path, batch: pa.RecordBatch | pa.Table, before: int, meta: list[str],
                ) -> Iterator[CardInput]:
    """Yield the card inputs of a batch whose columns are id, text, then ``meta``.

    Rows are numbered on from ``before``.
    """
    ids = batch.column(0).to_pylist()
    texts = batch.column(1).to_pylist()
    values = [batch.column(2 + i).to_pylist() for i in range(len(meta))]
    for i in range(batch.num_rows):
        yield _row(dump, "row", before + i + 1, ids[i], texts[i],
                   {c: values[j][i] for j, c in enumerate(meta)})


def row_groups(path: str | Path) -> int:
    """Return the number of row groups of a parquet dump (the shards of a Dask build)."""
    return int(_parquet_columns(Path(path), None, TEXT_COLUMN)[0].num_row_groups)


def iter_row_group(path: str | Path, group: int, *, id_column: str | None = None,
                   text_column: str | None = None) -> Iterator[CardInput]:
    """Yield the card inputs of one row group of a parquet dump, as :func:`iter_dump` does."""
    import pyarrow as pa

    dump = Path(path)
    pf, id_col, text_col, meta = _parquet_columns(dump, id_column, text_column or TEXT_COLUMN)
    before = sum(pf.metadata.row_group(i).num_rows for i in range(group))
    try:
        table = pf.read_row_group(group, columns=[id_col, text_col, *meta])
    except (OSError, pa.ArrowException) as exc:
        yield _bad(dump, "row", before + 1, f"row group {group} unreadable: {_first_line(exc)}")
        return
    yield from _batch_rows(dump, table, before, meta)


def row_group_sources(path: str | Path, group: int, *, id_column: str | None = None,
                      ) -> list[str]:
    """Return the sources the rows of one row group will have, reading only the id column."""
    dump = Path(path)
    pf, id_col, _, _ = _parquet_columns(dump, id_column, TEXT_COLUMN)
    ids = pf.read_row_group(group, columns=[id_col]).column(0).to_pylist()
    return [f"{dump.as_posix()}#{rid.strip()}" for rid in ids if isinstance(rid, str)]


def _parquet_columns(dump: Path, id_column: str | None, text: str,
                     ) -> tuple[pq.ParquetFile, str, str, list[str]]:
    """Open a parquet dump; return it, its id and text columns and its Hub metadata columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # Buffered reads: a large row group is read piece by piece, not all at once.
        pf = pq.ParquetFile(dump, buffer_size=1 << 20, pre_buffer=False)
    except (OSError, pa.ArrowException) as exc:
        msg = f"not a readable parquet file: {_first_line(exc)}"
        raise LineageError(msg, source=dump.as_posix()) from None
    names = list(pf.schema_arrow.names)
    id_col = _column(dump, names, id_column, ID_COLUMNS, "--id-column")
    text_col = _column(dump, names, text, (text,), "--text-column")
    meta = [c for c in HUB_COLUMNS if c in names and c not in (id_col, text_col)]
    return pf, id_col, text_col, meta


def _column(dump: Path, names: list[str], given: str | None, defaults: tuple[str, ...],
            option: str) -> str:
    wanted = (given,) if given else defaults
    found = next((c for c in wanted if c in names), None)
    if found is None:
        msg = (f"no column {' or '.join(map(repr, wanted))} (columns: {', '.join(names)}); "
               f"name it with {option}")
        raise LineageError(msg, source=dump.as_posix())
    return found


def _open_lines(dump: Path) -> BinaryIO:
    try:
        if dump.name.casefold().endswith(".gz"):
            return cast("BinaryIO", gzip.open(dump, "rb"))
        return dump.open("rb")
    except OSError as exc:
        msg = f"cannot open: {exc.strerror or exc}"
        raise LineageError(msg, source=dump.as_posix()) from None


def _jsonl(dump: Path, id_column: str | None, text: str) -> Iterator[CardInput]:
    n = 0
    with _open_lines(dump) as lines:
        try:
            for n, line in enumerate(lines, 1):
                if line.strip():
                    yield _line(dump, n, line, id_column, text)
        except _BAD_GZIP as exc:
            yield _bad(dump, "line", n + 1, f"unreadable, the rest of the file was not read: "
                       f"{_first_line(exc)}")


def _line(dump: Path, n: int, line: bytes, id_column: str | None, text: str) -> CardInput:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return _bad(dump, "line", n, f"not JSON: {_first_line(exc)}")
    if not isinstance(obj, dict):
        return _bad(dump, "line", n, f"not a JSON object ({type(obj).__name__})")
    keys = (id_column,) if id_column else ID_COLUMNS
    rid = next((obj[k] for k in keys if k in obj), None)
    if text not in obj:
        name = rid.strip() if isinstance(rid, str) and is_repo_id(rid.strip()) else None
        return _bad(dump, "line", n, f"no {text!r} field", name)
    meta = {k: obj[k] for k in HUB_COLUMNS if k in obj and k not in keys and k != text}
    return _row(dump, "line", n, rid, obj[text], meta)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
