"""Evaluation scores: ``model-index`` results and markdown score tables.

``model-index`` is read result by result: a malformed result becomes a warning and the
others are kept. Identical repeats are merged; different values for one benchmark and
metric are all kept and flagged. Tables are attributed with care: a leaderboard table
belongs to the model its "details" link names; a comparison table gives the card's model
only its own column (or row); other models' cells are never given to the card's model.
Tables of training losses, quantized files or hyper-parameters are not scores.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lineage.extract.context import Context
from lineage.extract.links import leaderboard_id
from lineage.extract.markdown import unlink
from lineage.extract.scan import Gated, first_occurrences
from lineage.facts import Evidence, Fact, Method, ModelRef, Score, Warning
from lineage.ids import id_key

__all__ = ["Table", "benchmark_key", "extract_scores", "find_tables"]

_DELIM_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_INLINE_DELIM = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|){2,}")
# After the number, each run of blanks and marks is read by one quantifier ("\s*%?[*_~\s]*"
# and "(?:±...)?[*_\s]*" split a long run of blanks every way).
_NUMBER = re.compile(r"^[*_~\s]*([-+]?\d+(?:\.\d+)?)(?:\s*%)?[*_~\s]*(?:±\s*[\d.]+[*_\s]*)?$")
_SHOTS = re.compile(r"(?i)(?<!\d)(\d+)[- ]?shots?")  # from the first digit of a number only
_NOT_SCORES = re.compile(r"(?i)\bloss\b|\bstep\b|\bepoch|learning.rate|quant|\bbits?\b|\bsize\b|"
                         r"\bram\b|\bvram\b|file|download|param|hyper|use case|\blink\b|\bbpw\b|"
                         r"\blayers?\b|\bcontext\b|\brank\b|\bmemory\b|tok/s|speed|\bprice")
_SCORE_HEADER = re.compile(r"(?i)metric|benchmark|task|dataset|eval|score|value|accuracy|"
                           r"result|mmlu|arc\b|hellaswag|gsm|average|avg")
_LABEL_HEADER = re.compile(r"(?i)^(?:datasets?|benchmarks?|tasks?|metrics?|models?|eval\w*|"
                           r"tests?|categor\w*|name|)$")


def benchmark_key(name: str) -> str:
    """Return a matching key for a benchmark name (case, spaces and punctuation ignored).

    Examples
    --------
    >>> benchmark_key("MMLU (5-Shot)") == benchmark_key("mmlu 5-shot")
    True
    """
    return re.sub(r"[\W_]+", "", name.casefold())


def _plain(cell: str) -> str:
    return re.sub(r"[*_`]+", "", unlink(cell)).strip()


def _value(cell: str) -> str | None:
    m = _NUMBER.match(cell)
    return m.group(1) if m else None


def _shots(name: str) -> int | None:
    m = _SHOTS.search(name)
    return int(m.group(1)) if m else None


def decimal_text(value: float) -> str | None:
    """Return a float as an ``xsd:decimal`` lexical form, or None for NaN and infinities.

    Examples
    --------
    >>> decimal_text(1e-05), decimal_text(72.07), decimal_text(float("nan"))
    ('0.00001', '72.07', None)
    """
    if value != value or value in (float("inf"), float("-inf")):
        return None
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return decimal_text(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+(?:\.\d+)?(?:\s*%)?\s*", value):
        return value.strip().rstrip("%").strip()
    return None


def extract_scores(ctx: Context) -> tuple[Fact, ...]:
    """Scores from ``model-index`` and from the card's tables."""
    facts: list[Fact] = list(_model_index(ctx))
    facts.extend(_tables(ctx))
    facts.extend(_trainer_results(ctx))
    return tuple(facts)


_TRAINER_RESULTS = Gated(re.compile(r"(?im)^.*\bresults on the evaluation set\s*(?::\s*)?$"),
                         "results on the evaluation set")
_RESULT_ITEM = re.compile(
    r"^[ \t]*[-*][ \t]+([A-Za-z][\w .()/@-]{0,60}?)\s*:\s*([-+]?\d+(?:\.\d+)?)\s*$"
)


def _trainer_results(ctx: Context) -> Iterator[Fact]:
    """Read the transformers Trainer card's "results on the evaluation set:" bullet list."""
    text = ctx.card.text
    m = _TRAINER_RESULTS.search(text, ctx.card.body_offset)
    if m is None:
        return
    pos = m.end() + 1
    while pos < len(text):
        nl = text.find("\n", pos)
        nl = len(text) if nl < 0 else nl
        line = text[pos:nl]
        item = _RESULT_ITEM.match(line)
        if item is not None:
            yield _score(ctx, item.group(1).strip(), None, item.group(2), pos, None)
        elif line.strip():
            break
        pos = nl + 1


def _model_index(ctx: Context) -> Iterator[Fact]:
    index = ctx.card.meta.get("model-index")
    if index is None:
        return
    if not isinstance(index, list):
        yield Warning("model-index is not a list; ignored", None)
        return
    seen: dict[tuple[str, str | None], set[str]] = {}
    head = ctx.card.text[: ctx.card.body_offset]
    # Where each result's "name: <dataset>" first stands, for all results in one pass.
    needles = [f"name: {str(r['dataset'].get('name') or r['dataset'].get('type') or '').strip()}"
               for e in index if isinstance(e, dict) and isinstance(e.get("results"), list)
               for r in e["results"] if isinstance(r, dict) and isinstance(r.get("dataset"), dict)]
    found = first_occurrences(head, needles)
    for i, entry in enumerate(index):
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            yield Warning(f"model-index entry {i + 1} has no results list; ignored", None)
            continue
        for j, result in enumerate(results):
            try:
                yield from _result(ctx, head, result, seen, found)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                yield Warning(f"model-index result {j + 1} of entry {i + 1} is malformed "
                              f"({exc}); the other results are kept", None)


def _result(ctx: Context, head: str, result: Any, seen: dict[tuple[str, str | None], set[str]],
            found: dict[str, int]) -> Iterator[Fact]:
    dataset = result["dataset"]
    metrics = result["metrics"]
    if not isinstance(dataset, dict) or not isinstance(metrics, list):
        msg = "dataset must be a mapping and metrics a list"
        raise TypeError(msg)
    name = str(dataset.get("name") or dataset.get("type") or "").strip()
    if not name:
        msg = "no dataset name"
        raise ValueError(msg)
    dtype = dataset.get("type")
    args = dataset.get("args")
    shots = args.get("num_few_shot") if isinstance(args, dict) else None
    shots = (int(shots) if isinstance(shots, int | float) and not isinstance(shots, bool)
             else _shots(name))
    source = result.get("source")
    url = source.get("url") if isinstance(source, dict) else None
    needle = f"name: {name}"
    pos = found[needle] if needle in found else head.find(needle)
    line = ctx.card.line_of(pos) if pos >= 0 else None
    for metric in metrics:
        if not isinstance(metric, dict):
            msg = "a metric is not a mapping"
            raise TypeError(msg)
        value = _value_text(metric.get("value"))
        if value is None:
            msg = f"metric value {metric.get('value')!r} is not a number"
            raise ValueError(msg)
        mtype = metric.get("type")
        mtype = str(mtype) if mtype is not None else None
        key = (benchmark_key(name), mtype)
        values = seen.setdefault(key, set())
        if value in values:
            continue
        if values:
            yield Warning(f"model-index gives {name} ({mtype}) more than one value: "
                          f"{', '.join(sorted(values | {value}))}", line)
        values.add(value)
        ev = Evidence(Method.METADATA, f"{name}: {mtype} = {value}", line, 0.95)
        yield Score(name, str(dtype) if dtype else None, mtype, value, shots,
                    str(url) if url else None, "model-index", ev)


@dataclass(frozen=True, slots=True)
class Table:
    """A markdown table: header cells, rows of cells, offset of its first line."""

    header: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], int], ...]
    start: int


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def find_tables(ctx: Context) -> list[Table]:
    """Markdown tables of the body, including tables flattened onto one line."""
    text = ctx.card.text
    tables: list[Table] = []
    pos = ctx.card.body_offset
    lines: list[tuple[int, str]] = []
    for line in text[pos:].split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        off, line = lines[i]
        # (the length first: most lines are short, and are not searched then)
        if len(line) > 300 and _INLINE_DELIM.search(line) and not ctx.doc.in_code(off):
            tables.extend(_flat_tables(off, line))
            i += 1
            continue
        if i + 1 < len(lines) and "|" in line and not ctx.doc.in_code(off):
            delim = _cells(lines[i + 1][1])
            if len(delim) >= 2 and all(_DELIM_CELL.match(c) for c in delim):
                header = tuple(_cells(line))
                rows = []
                j = i + 2
                while j < len(lines) and "|" in lines[j][1] and lines[j][1].strip():
                    rows.append((tuple(_cells(lines[j][1])), lines[j][0]))
                    j += 1
                tables.append(Table(header, tuple(rows), off))
                i = j
                continue
        i += 1
    return tables


def _flat_tables(offset: int, line: str) -> Iterator[Table]:
    """Tables whose rows were joined into one line: ``| h | h | | :-- | :-- | | a | 1 |``.

    A table's rows stop where the next table's delimiter row starts (its header is the last
    row read), so that each row is read once; cells are cut at the line's "|" offsets.
    """
    pipes = [i for i, ch in enumerate(line) if ch == "|"]

    def cell(j: int) -> str:  # the text between the (j-1)-th and the j-th "|", stripped
        return line[pipes[j - 1] + 1 if j else 0:pipes[j] if j < len(pipes) else len(line)].strip()

    delims = list(_INLINE_DELIM.finditer(line))
    for n, m in enumerate(delims):
        ncols = m.group(0).count("|") - 1
        first = bisect.bisect_left(pipes, m.start())  # m starts at pipes[first]
        head_start = pipes[first - 1] if first else -1
        # The text before the delimiter ends "| h1 | ... | hN | " : N cells, then the gap.
        header = [cell(j) for j in range(max(0, first - ncols), first)]
        limit = delims[n + 1].start() if n + 1 < len(delims) else len(line)
        gap = bisect.bisect_left(pipes, m.end())  # cell(gap): between delimiter and row one
        cells = len(pipes) - gap + 1
        rows = []
        k = 1
        while k + ncols <= cells:
            last = gap + k + ncols - 1
            if (pipes[last] if last < len(pipes) else len(line)) > limit:
                break
            row = tuple(cell(gap + k + i) for i in range(ncols))
            if not any(row):
                break
            rows.append((row, offset + head_start))
            k += ncols + 1
            if k - 1 < cells and cell(gap + k - 1):
                break  # the text after the table
        yield Table(tuple(header), tuple(rows), offset + max(head_start, 0))


def _subject(ctx: Context, table: Table, previous_end: int,
             offsets: list[int] | None = None) -> ModelRef | None:
    """Return the model a leaderboard link right before the table names, if any.

    ``offsets``: the links' offsets, when in order, so that only the links between the
    previous table and this one are looked at (not every link for every table).
    """
    links = ctx.links
    if offsets is not None:
        links = links[bisect.bisect_left(offsets, previous_end):
                      bisect.bisect_left(offsets, table.start)]
    for link in reversed(links):
        if previous_end <= link.offset < table.start:
            lid = leaderboard_id(link.url)
            if lid is not None:
                return ModelRef(lid, lid)
    return None


def _tables(ctx: Context) -> Iterator[Fact]:
    """Scores in the body's tables, each table read by the first reading that applies."""
    own_names = frozenset({id_key(k.rsplit("/", 1)[-1]) for k in ctx.own_keys} | ctx.own_keys)
    previous_end = ctx.card.body_offset
    offsets: list[int] | None = [link.offset for link in ctx.links]
    if offsets != sorted(offsets or ()):
        offsets = None
    for table in find_tables(ctx):
        header = [_plain(h) for h in table.header]
        subject = _subject(ctx, table, previous_end, offsets)
        previous_end = table.rows[-1][1] if table.rows else table.start
        if not header or _NOT_SCORES.search(" ".join(header)):
            continue
        model = subject if subject is not None and not ctx.is_own(subject.id) else None
        view = _ScoreTable(ctx, table, header, model, own_names)
        yield from next((facts for read in _TABLE_READINGS if (facts := read(view)) is not None),
                        ())


@dataclass(frozen=True, slots=True)
class _ScoreTable:
    """A table that may hold scores: its plain header, the model a leaderboard link names."""

    ctx: Context
    table: Table
    header: list[str]
    model: ModelRef | None  # the other model a leaderboard link names, if any
    own_names: frozenset[str]  # the card's own ids and repo names, as keys


def _own_column(t: _ScoreTable) -> Iterator[Fact] | None:
    """Read the column headed by the card's own model (a comparison table), if any."""
    col = next((i for i, h in enumerate(t.header) if i and id_key(h) in t.own_names), None)
    return None if col is None else _column(t.ctx, t.table, t.header, col, None)


def _own_row(t: _ScoreTable) -> Iterator[Fact] | None:
    """Read the row labelled with the card's own model (a comparison table), if any."""
    row = next((r for r in t.table.rows if id_key(_plain(r[0][0])) in t.own_names), None)
    if row is None:
        return None
    cells, offset = row
    return (_score(t.ctx, t.header[i], None, value, offset, None)
            for i, value in enumerate(map(_value, cells[1:]), start=1)
            if value is not None and i < len(t.header) and t.header[i])


def _two_columns(t: _ScoreTable) -> Iterator[Fact] | None:
    """Read a "benchmark | score" table."""
    if len(t.header) == 2 and _SCORE_HEADER.search(" ".join(t.header)):
        return _column(t.ctx, t.table, t.header, 1, t.model)
    return None


def _value_column(t: _ScoreTable) -> Iterator[Fact] | None:
    """Read a "benchmark | ... | value" table, with its metric column if it has one."""
    if len(t.header) <= 2 or not _LABEL_HEADER.match(t.header[0]):
        return None
    value_col = next((i for i, h in enumerate(t.header) if _VALUE_HEADER.fullmatch(h)), None)
    if value_col is None:
        return iter(())
    metric_col = next((i for i, h in enumerate(t.header) if _METRIC_HEADER.fullmatch(h)), None)
    return _column(t.ctx, t.table, t.header, value_col, t.model, metric_col)


_VALUE_HEADER = re.compile(r"(?i)value|score|result|accuracy|acc")
_METRIC_HEADER = re.compile(r"(?i)metric|measure")
# How a table gives scores, in order: the first reading that applies reads the table.
_TABLE_READINGS: tuple[Callable[[_ScoreTable], Iterator[Fact] | None], ...] = (
    _own_column, _own_row, _two_columns, _value_column,
)


def _column(ctx: Context, table: Table, header: list[str], col: int, model: ModelRef | None,
            metric_col: int | None = None) -> Iterator[Fact]:
    for row, offset in table.rows:
        if col >= len(row):
            continue
        label = _plain(row[0])
        value = _value(row[col])
        if not label or value is None or _NOT_SCORES.search(label):
            continue
        metric = (_plain(row[metric_col]) if metric_col is not None and metric_col < len(row)
                  else None)
        yield _score(ctx, label, metric, value, offset, model)


def _score(ctx: Context, benchmark: str, metric: str | None, value: str, offset: int,
           model: ModelRef | None) -> Score:
    ev = Evidence(Method.TABLE, f"{benchmark} | {value}", ctx.card.line_of(offset), 0.85)
    return Score(benchmark, None, metric or None, value, _shots(benchmark), None, "table", ev,
                 model)
