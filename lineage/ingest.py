"""Build: stream cards from their sources, extract them in parallel, load their graphs.

Each card becomes one named graph whose key hashes the card's bytes, the id it was given,
the Hub metadata it came with and the extractor version. An unchanged card costs one hash;
a changed card replaces its own graph only; a card that cannot be read is reported with
its reason and the others go on. Cards stream from their sources through a bounded window
of worker tasks into batched bulk loads, so memory does not grow with the corpus. Output
is identical for any number of jobs.

No card can stop or stall a build: any failure while reading or extracting one card (an
unexpected exception, a crash of its worker process, or more time than the per-card
budget) becomes that card's one-line rejection, and the others go on. Workers end with
the build process, even when it is killed; a build that died is finished by the next one
(:func:`recover` and :func:`settle`).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import chain, islice
from pathlib import Path
from typing import Any

from lineage.cards import DEFAULT_MAX_BYTES, read_card
from lineage.claims import Claims
from lineage.errors import CardError, CardTimeoutError, LineageError
from lineage.facts import EXPLICIT_RULES
from lineage.ids import card_graph_iri, id_key
from lineage.ns import LIN_IRI
from lineage.sources import CardInput, hub_revision, iter_sources
from lineage.store import CardGraph, Store

__all__ = ["DEFAULT_CARD_TIMEOUT", "BuildReport", "CardInput", "CardResult", "Timings", "build",
           "count_result", "extract_input", "iter_inputs", "prepare", "recover",
           "retrieval_time", "settle"]

BATCH_BYTES = 64 << 20  # N-Quads per bulk load
BATCH_CARDS = 20_000
TASK_CARDS = 32  # cards per worker task
WINDOW_TASKS = 4  # tasks in flight per worker
LISTED = 1000  # model ids and warnings a report keeps (counts are always exact)
DEFAULT_CARD_TIMEOUT = 10.0  # seconds to read and extract one card
OPTIMIZE_AFTER = 1000  # compact after a build that changed this many cards at least,
OPTIMIZE_SHARE = 5  # and a fifth of those the store held (compaction rewrites it all)
_PR_SET_PDEATHSIG = 1  # prctl(2) option: a signal for this process when its parent ends


@dataclass(slots=True)
class Timings:
    """Where a build's time went, in seconds, to size its tasks and batches by.

    ``extract`` is the CPU time of reading, extracting and validating cards, summed over
    the workers; ``wait_extract`` the time the build process waited for their results;
    ``load`` the time the store spent loading batches (in a thread beside the extraction
    when the store allows it); ``wait_load`` the time the build waited for a load to end;
    ``finish`` the time spent settling and flushing the store after the last card.
    """

    extract: float = 0.0
    wait_extract: float = 0.0
    load: float = 0.0
    wait_load: float = 0.0
    finish: float = 0.0

    def to_dict(self) -> dict[str, float]:
        """Return the timings rounded to milliseconds."""
        return {name: round(getattr(self, name), 3) for name in self.__slots__}


@dataclass(slots=True)
class BuildReport:
    """What a build did."""

    ingested: int = 0
    skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    pruned: int = 0
    cards_before: int = 0
    triples: int = 0
    seconds: float = 0.0
    models: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    warning_count: int = 0
    details: list[tuple[str, str]] = field(default_factory=list)  # tracebacks of the unexpected
    nonconforming: int = 0  # cards ingested whose graph violates the SHACL shapes
    timings: Timings = field(default_factory=Timings)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values (lists capped as kept, counts exact)."""
        return {"ok": self.ok, "ingested": self.ingested, "skipped": self.skipped,
                "rejected": [{"source": s, "reason": r} for s, r in self.rejected],
                "pruned": self.pruned, "cards_before": self.cards_before,
                "triples": self.triples, "seconds": round(self.seconds, 3),
                "models": list(self.models), "warning_count": self.warning_count,
                "nonconforming": self.nonconforming, "timings": self.timings.to_dict(),
                "warnings": [{"source": s, "warning": w} for s, w in self.warnings]}

    @property
    def ok(self) -> bool:
        """True when no card was rejected."""
        return not self.rejected

    def summary(self) -> str:
        """Return the one-line summary printed after a build."""
        pruned = f" / pruned {self.pruned}" if self.pruned else ""
        shacl = (f"; {self.nonconforming} cards violate the shapes (lineage check lists them)"
                 if self.nonconforming else "")
        return (f"cards ingested {self.ingested} / skipped unchanged {self.skipped} / "
                f"rejected {len(self.rejected)}{pruned}, triples {self.triples}, "
                f"{self.seconds:.2f} seconds{shacl}")


def retrieval_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def iter_inputs(paths: Iterable[str | Path], *, id_override: str | None = None,
                id_column: str | None = None, text_column: str | None = None,
                ) -> Iterator[CardInput]:
    """Yield the card inputs for ``paths`` (files, directories, dumps), lazily, in order.

    ``id_column`` and ``text_column`` name the columns of dumps (see
    :func:`lineage.sources.iter_sources`).
    """
    inputs = iter_sources(paths, id_column=id_column, text_column=text_column)
    if id_override is None:
        yield from inputs
        return
    found = list(islice(inputs, 2))
    if len(found) != 1:
        many = "several" if found else "no"
        msg = f"--id names one card, but {many} cards were given"
        raise LineageError(msg)
    yield replace(found[0], id_hint=id_override, id_hint_method="option")


@dataclass(frozen=True, slots=True)
class _Work:
    """A card ready for extraction: its input, bytes, graph key and build constants."""

    card: CardInput
    data: bytes
    key: str
    retrieved: str
    max_bytes: int
    taken: tuple[tuple[str, str], ...] = ()  # inferred ids other cards hold: (key, source)


@dataclass(frozen=True, slots=True)
class CardResult:
    """One card extracted: its graph's N-Quads, or the reason it was rejected."""

    source: str
    key: str
    nquads: bytes | None
    error: str | None
    triples: int
    model: str | None
    warnings: tuple[str, ...]
    detail: str | None = None  # the traceback of an unexpected error
    rule: str | None = None  # how the card's own id was decided (lineage.facts.IdRule)
    violations: int = 0  # SHACL violations of the card's graph (stored on its record)
    cpu: float = 0.0  # CPU seconds its worker spent on it

    @property
    def graph(self) -> str:
        """Return the IRI of the card's graph."""
        return card_graph_iri(self.key)

    def without_quads(self) -> CardResult:
        """Return this result without its N-Quads (for reports sent between processes)."""
        return replace(self, nquads=None)


def _extract_one(work: _Work, timeout: float | None = DEFAULT_CARD_TIMEOUT) -> CardResult:
    """Turn one card's bytes into N-Quads (pure except for the clock value passed in).

    Whatever goes wrong becomes the card's rejection: a :class:`CardError` with its own
    message, anything else with the exception's class named and its traceback kept.
    """
    from lineage.extract import extract
    from lineage.facts import Identity
    from lineage.rdf import card_rows, quads_of, to_nquads, validation_quads
    from lineage.shapes import load_shapes, ontology_dir

    card_in = work.card
    shapes = load_shapes(ontology_dir())  # a broken shapes file stops the build, not a card
    started = time.thread_time()
    try:
        with _time_budget(timeout, card_in.source):
            card = read_card(work.data, card_in.source, id_hint=card_in.id_hint,
                             id_hint_method=card_in.id_hint_method, max_bytes=work.max_bytes,
                             hub=card_in.hub, taken_ids=dict(work.taken) or None)
            ex = extract(card)
            rows = card_rows(ex, key=work.key, retrieved=datetime.fromisoformat(work.retrieved),
                             revision=hub_revision(card_in.hub))
            violations = [v.text for v in shapes.validate_terms(rows)]
            quads = quads_of(rows) + validation_quads(work.key, violations, shapes.digest)
            nquads = to_nquads(quads)
    except CardError as exc:
        return _rejected(work, str(exc))
    except RecursionError:
        return _rejected(work, f"{card_in.source}: structure nested too deeply")
    except Exception as exc:  # one card's failure, never the build's end
        return _rejected(work, _unexpected(card_in.source, exc), traceback.format_exc())
    rule = next((f.rule.value for f in ex.facts if isinstance(f, Identity)), None)
    return CardResult(card_in.source, work.key, nquads, None, len(quads),
                      ex.model.id or ex.model.label or ex.model.name, tuple(ex.warnings),
                      rule=rule, violations=len(violations), cpu=time.thread_time() - started)


def _rejected(work: _Work, reason: str, detail: str | None = None) -> CardResult:
    return CardResult(work.card.source, work.key, None, reason, 0, None, (), detail)


def _unexpected(source: str, exc: BaseException) -> str:
    """Return the one-line rejection of a card whose reading failed unexpectedly.

    Examples
    --------
    >>> _unexpected("o/m/README.md", KeyError("maybe"))
    "o/m/README.md: unexpected KeyError: 'maybe' (lineage build -v shows the traceback)"
    """
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return (f"{source}: unexpected {type(exc).__name__}{': ' + text if text else ''} "
            "(lineage build -v shows the traceback)")


@contextmanager
def _time_budget(seconds: float | None, source: str) -> Iterator[None]:
    """Raise :class:`CardTimeoutError` in the body once ``seconds`` have passed.

    A POSIX interval timer and ``SIGALRM``: the regular expression engine checks for
    signals while it matches, so a pattern backtracking on odd text is stopped too. Only
    the main thread receives signals; elsewhere (and on Windows) there is no budget.
    """
    if (not seconds or seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        msg = (f"took longer than the time budget of {seconds:g} seconds per card "
               "(--card-timeout)")
        raise CardTimeoutError(msg, source=source)

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
            if outer > 0:  # someone else's timer was running: give it back its time
                left = outer - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def prepare(card_in: CardInput, stored: str | None, retrieved: str, max_bytes: int,
            ) -> _Work | str | None:
    """Read a card and key its graph; return the work to do.

    None when ``stored`` is that graph already (the card is unchanged), the one-line
    reason when the card cannot be read.
    """
    from lineage.rdf import card_key

    data = _read(card_in, max_bytes)
    if isinstance(data, str):
        return data
    key = card_key(hashlib.sha256(data).hexdigest(), card_in.id_hint, source=card_in.source,
                   extra=_hub_digest(card_in))
    if stored == card_graph_iri(key):
        return None
    return _Work(card_in, data, key, retrieved, max_bytes)


def extract_input(card_in: CardInput, stored: str | None, retrieved: str, max_bytes: int,
                  *, timeout: float | None = DEFAULT_CARD_TIMEOUT,
                  ) -> CardResult | str | None:
    """Extract one card unless ``stored`` is its graph already (see :func:`prepare`)."""
    try:
        work = prepare(card_in, stored, retrieved, max_bytes)
    except Exception as exc:  # one card's failure, never the build's end
        return CardResult(card_in.source, "", None, _unexpected(card_in.source, exc), 0, None,
                          (), traceback.format_exc())
    return _extract_one(work, timeout) if isinstance(work, _Work) else work


def _extract_task(works: Sequence[_Work], timeout: float | None = DEFAULT_CARD_TIMEOUT,
                  ) -> list[CardResult]:
    """Worker task: a few cards at once, so inter-process overhead stays small."""
    return [_extract_one(w, timeout) for w in works]


def _read(card_in: CardInput, max_bytes: int) -> bytes | str:
    """Return the card's bytes, or the one-line reason they cannot be had."""
    if card_in.error is not None:
        return card_in.error
    if card_in.data is not None:
        if len(card_in.data) > max_bytes:
            return (f"{card_in.source}: card too large ({len(card_in.data):,} bytes; "
                    f"the limit is {max_bytes:,})")
        return card_in.data
    if card_in.path is None:
        return f"{card_in.source}: no card text"
    try:
        st = card_in.path.stat()
        if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
            return f"{card_in.source}: not a regular file"
        if st.st_size > max_bytes:
            return (f"{card_in.source}: file too large ({st.st_size:,} bytes; "
                    f"the limit is {max_bytes:,})")
        return card_in.path.read_bytes()
    except OSError as exc:
        return f"{card_in.source}: cannot read: {exc.strerror or exc}"


def _hub_digest(card_in: CardInput) -> str:
    """Return the card's Hub metadata in a canonical form (part of its graph key)."""
    if not card_in.hub:
        return ""
    return json.dumps(card_in.hub, sort_keys=True, separators=(",", ":"), default=str)


def build(
    store: Store,
    inputs: Iterable[CardInput],
    *,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int | None], None] | None = None,
    prune: bool = False,
    card_timeout: float | None = DEFAULT_CARD_TIMEOUT,
) -> BuildReport:
    """Ingest cards into ``store``.

    Parameters
    ----------
    store
        An open store.
    inputs
        The cards, e.g. from :func:`iter_inputs`; consumed lazily.
    jobs
        Worker processes for extraction; 1 extracts in this process.
    max_bytes
        Cards larger than this are rejected.
    progress
        Called with (cards done, cards total or None while unknown).
    prune
        Drop the graphs of stored cards that are not among this build's inputs.
    card_timeout
        Seconds allowed to read and extract one card; a card past it is rejected with
        that reason. None or 0: no limit.
    """
    started = time.perf_counter()
    report, index, seen = begin(store, prune=prune)
    retrieved = retrieval_time().isoformat()
    done = 0

    claims = Claims(store, stored=report.cards_before > 0)
    in_flight: dict[str, _Work] = {}  # key -> work, while its result is on its way

    def todo() -> Iterator[_Work]:
        nonlocal done
        for card_in in inputs:
            if seen is not None:
                seen.add(card_in.source)
            try:
                work = prepare(card_in, index.get(card_in.source), retrieved, max_bytes)
            except Exception as exc:  # one card's failure, never the build's end
                work = _unexpected(card_in.source, exc)
                _keep_detail(report, card_in.source, traceback.format_exc())
            if isinstance(work, _Work):
                in_flight[work.key] = work
                yield work
                continue
            if work is None:
                report.skipped += 1
            else:
                report.rejected.append((card_in.source, work))
            done += 1
            if progress is not None:
                progress(done, None)

    batch: list[CardGraph] = []
    batch_bytes = replaced = 0
    # A batch loads in a thread while the next is extracted, in stores that allow it
    # (Oxigraph releases the GIL; rdflib's objects must stay in one thread).
    loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lineage-load")
    loading: Future[None] | None = None

    timings = report.timings

    def replace(cards: list[CardGraph]) -> None:
        started = time.perf_counter()
        store.replace_cards(cards)
        timings.load += time.perf_counter() - started

    def await_load() -> None:
        if loading is not None:
            waited = time.perf_counter()
            loading.result()
            timings.wait_load += time.perf_counter() - waited

    def load(cards: list[CardGraph]) -> None:
        nonlocal loading
        await_load()  # one batch in the air: memory stays bounded
        if store.loads_in_background:
            loading = loader.submit(replace, cards)
        else:
            replace(cards)

    try:
        for result in _run(todo(), jobs, card_timeout, timings):
            done += 1
            timings.extract += result.cpu
            if progress is not None:
                progress(done, None)
            work = in_flight.pop(result.key)
            if result.error is None:
                result = _claim(claims, work, result, card_timeout)
            if result.error is not None:
                report.rejected.append((result.source, result.error))
                if result.detail is not None:
                    _keep_detail(report, result.source, result.detail)
                continue
            assert result.nquads is not None
            count_result(report, result)
            old = index.get(result.source)
            replaced += old is not None
            batch.append(CardGraph(result.source, card_graph_iri(result.key), result.nquads, old))
            batch_bytes += len(result.nquads)
            if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_CARDS:
                load(batch)
                batch, batch_bytes = [], 0
        if batch:
            load(batch)
        await_load()
    finally:
        loader.shutdown(wait=True)
    finishing = time.perf_counter()
    settle(store, report, index, seen=seen, replaced=replaced)
    persist(store, report)
    timings.finish = time.perf_counter() - finishing
    if progress is not None:
        progress(done, done)
    report.seconds = time.perf_counter() - started
    return report


def _claim(claims: Claims, work: _Work, result: CardResult,
           timeout: float | None = DEFAULT_CARD_TIMEOUT) -> CardResult:
    """Keep an inferred id only when no other card holds it; else extract the card again.

    The card extracted again keeps its graph key, so it stays apart in later builds too.
    """
    if result.rule is None or result.rule == "name" or result.model is None:
        return result
    explicit = result.rule in EXPLICIT_RULES
    holder = claims.holder(result.model, result.source, explicit=explicit)
    if holder is None:
        return result
    if explicit:
        return replace(result, warnings=(*result.warnings, f"{holder} claims {result.model} "
                                         "too, from its text: lineage check lists both"))
    taken = (*work.taken, (id_key(result.model), holder))
    again = _extract_one(replace(work, taken=taken), timeout)
    if again.error is None:
        return _claim(claims, replace(work, taken=taken), again, timeout)
    return again


def begin(store: Store, *, prune: bool) -> tuple[BuildReport, dict[str, str], set[str] | None]:
    """Start a build: finish a crashed one's clean-up, then read the card index.

    Returns the new report, the index (source -> graph) and, with ``prune``, the set that
    collects the sources seen.
    """
    report = BuildReport()
    recover(store)
    index = store.card_index()
    report.cards_before = len(index)
    return report, index, set() if prune else None


def persist(store: Store, report: BuildReport) -> None:
    """Flush the store after a build that changed it, compacting after a large one.

    Compaction rewrites the whole store: only a load of at least :data:`OPTIMIZE_AFTER`
    cards and a :data:`OPTIMIZE_SHARE`-th of the store pays for it.
    """
    changed = report.ingested + report.pruned
    if changed:
        store.flush(optimize=changed >= max(OPTIMIZE_AFTER,
                                            report.cards_before // OPTIMIZE_SHARE))


def settle(store: Store, report: BuildReport, index: dict[str, str], *,
           seen: set[str] | None, replaced: int) -> None:
    """Finish a build: prune, then forget orphaned declarations.

    With ``seen`` (``--prune``), the stored cards not among them are dropped; shared
    declarations orphaned by replaced or pruned cards are then forgotten, and so are those
    of an earlier build that died before it settled (the store keeps a mark from a card's
    removal until its orphans are forgotten: :meth:`lineage.store.Store.unsettled`).
    """
    if seen is not None:
        gone = sorted(graph for source, graph in index.items() if source not in seen)
        store.remove_graphs(gone)
        report.pruned = len(gone)
    if report.pruned or replaced or store.unsettled():
        store.drop_orphans()


_DUPLICATES = f"""SELECT ?src ?g WHERE {{
  {{ SELECT ?src WHERE {{ GRAPH ?h {{ ?h <{LIN_IRI}sourceLocation> ?src }} }}
    GROUP BY ?src HAVING (COUNT(DISTINCT ?h) > 1) }}
  GRAPH ?g {{ ?g <{LIN_IRI}sourceLocation> ?src }}
}}"""


def recover(store: Store) -> list[str]:
    """Undo what a build that died left half done; return the graphs removed.

    A store loads a rebuilt card's new graph before it removes the old one (readers never
    see the card missing), so a build that died in between left two graphs for one card.
    All but one are removed here; the build then keeps or replaces the one left, and
    :func:`settle` forgets what they declared. Nothing is done on a settled store.
    """
    if not store.unsettled():
        return []
    graphs: dict[str, list[str]] = {}
    rows = store.query(_DUPLICATES)
    assert isinstance(rows, Iterable)
    for row in rows:
        graphs.setdefault(str(row["src"].value), []).append(str(row["g"].value))
    extra = sorted(g for found in graphs.values() for g in sorted(found)[1:])
    if extra:
        store.remove_graphs(extra)
    return extra


def _keep_detail(report: BuildReport, source: str, detail: str) -> None:
    """Keep the traceback of a card's unexpected failure (for ``lineage build -v``)."""
    if len(report.details) < LISTED:
        report.details.append((source, detail))


def count_result(report: BuildReport, result: CardResult) -> None:
    """Add one ingested card to the report (lists capped, counts exact)."""
    report.ingested += 1
    report.triples += result.triples
    report.nonconforming += result.violations > 0
    if result.model and len(report.models) < LISTED:
        report.models.append(result.model)
    report.warning_count += len(result.warnings)
    room = LISTED - len(report.warnings)
    report.warnings.extend((result.source, w) for w in result.warnings[:max(room, 0)])


def _run(todo: Iterator[_Work], jobs: int, timeout: float | None,
         timings: Timings | None = None) -> Iterator[CardResult]:
    """Extract in order, in this process or through a bounded window of worker tasks.

    ``timings.wait_extract`` adds up the time spent waiting for a task's results.
    """
    first = list(islice(todo, 64))
    if jobs <= 1 or len(first) < 64:
        for work in chain(first, todo):
            yield _extract_one(work, timeout)
        return
    tasks = _chunks(first, todo)
    pool = _pool(jobs)
    window: deque[tuple[list[_Work], Future[list[CardResult]]]] = deque()
    try:
        while True:
            for task in islice(tasks, jobs * WINDOW_TASKS - len(window)):
                window.append((task, pool.submit(_extract_task, task, timeout)))
            if not window:
                return
            task, future = window.popleft()
            waited = time.perf_counter()
            try:
                results: list[CardResult] | None = future.result()
            except BrokenProcessPool:
                results = None
            if timings is not None:
                timings.wait_extract += time.perf_counter() - waited
            if results is None:
                # A card killed its worker (a crash in native code, the memory killer):
                # the unfinished cards run one by one to find which, then a new pool goes on.
                pool.shutdown(wait=True, cancel_futures=True)
                unfinished = [w for t in (task, *(t for t, _ in window)) for w in t]
                window.clear()
                yield from _isolate(unfinished, timeout)
                pool = _pool(jobs)
                continue
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _isolate(works: list[_Work], timeout: float | None) -> Iterator[CardResult]:
    """Extract cards one at a time in a worker; a card whose worker dies is rejected."""
    pool = _pool(1)
    try:
        for work in works:
            try:
                yield from pool.submit(_extract_task, [work], timeout).result()
            except BrokenProcessPool:
                pool.shutdown(wait=True)
                pool = _pool(1)
                yield _rejected(work, f"{work.card.source}: the extraction process died while "
                                "reading this card (a crash in native code, or out of memory)")
    finally:
        pool.shutdown(wait=True)


def _pool(jobs: int) -> ProcessPoolExecutor:
    from lineage.shapes import load_shapes, ontology_dir

    # Compiled once here: forked workers inherit the compiled shapes (and their SPARQL
    # footprints, which need rdflib's parser) instead of each compiling them again.
    load_shapes(ontology_dir())
    return ProcessPoolExecutor(max_workers=jobs, initializer=_watch_parent,
                               initargs=(os.getpid(),))


def _watch_parent(parent: int) -> None:
    """Worker initializer: end this worker when the build process ends, even by ``kill -9``.

    Otherwise the workers of a killed build wait forever, holding the caller's pipes open.
    Linux kills the worker itself (``PR_SET_PDEATHSIG``); elsewhere a thread watches.
    """
    if not _kill_with_parent():
        threading.Thread(target=_poll_parent, args=(parent,), daemon=True,
                         name="lineage-parent-watch").start()
    if os.getppid() != parent:  # the build ended before the watch was set
        os._exit(1)


def _kill_with_parent() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _poll_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _chunks(first: list[_Work], rest: Iterator[_Work]) -> Iterator[list[_Work]]:
    """``first`` then ``rest`` in lists of :data:`TASK_CARDS`."""
    pending = iter(first)
    while chunk := list(islice(pending, TASK_CARDS)):
        yield chunk
    while chunk := list(islice(rest, TASK_CARDS)):
        yield chunk
