"""Where queries execute: worker processes over an on-disk store, or a thread."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from pathlib import Path

import anyio.to_thread

from lineage.errors import StoreError
from lineage.server.evaluate import (
    MEMORY_STATUS,
    _Answer,
    _answer,
    _Job,
    _over_memory,
    _store_evaluate,
    _text,
)
from lineage.store import Store, open_store

DEFAULT_MEMORY_LIMIT = 1024  # MiB per query worker
LANE_WORKERS = 1  # workers kept for short queries while the others are busy
LANE_SECONDS = 0.5  # what a query may take in that lane before it waits for another worker
_START_TIMEOUT = 60.0


# --- runners: where queries execute -------------------------------------------------------


class _Worker:
    """A worker process (a fresh interpreter) and the parent's end of its socket pair.

    The worker is started with ``subprocess`` rather than ``multiprocessing`` so that it
    never re-imports the caller's ``__main__`` (a script without a main guard, a notebook).
    """

    def __init__(self, location: str, memory_limit: int = 0):
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        path = [p for p in sys.path if p and Path(p).is_dir()]
        env = os.environ | {"PYTHONPATH": os.pathsep.join(
            [*path, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.memory_limit = memory_limit
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from lineage.server.evaluate import _worker_entry; "
                 "_worker_entry()", str(theirs.fileno()), location, str(os.getpid()),
                 str(memory_limit)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())

    def wait_ready(self) -> str | None:
        """Wait for the worker's greeting; return the problem if it did not start."""
        try:
            if not self.conn.poll(_START_TIMEOUT):
                return f"a query worker did not start within {_START_TIMEOUT:g} s"
            greeting = self.conn.recv()
        except (EOFError, OSError):
            problem = "a query worker exited while starting"
            if self.memory_limit:
                problem += (f" (is its memory limit of {self.memory_limit} MiB too low for "
                            "this store? lineage serve --memory-limit)")
            return problem
        return None if greeting == "ready" else str(greeting)

    def call(self, job: _Job, timeout: float) -> _Answer | None:
        """Send a job and wait for its answer; ``None`` when the deadline passes first."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            return None
        answer: _Answer = self.conn.recv()
        return answer

    def failure(self) -> _Answer:
        """Answer a query during which this worker died, from how it died."""
        import signal
        import subprocess

        try:
            code: int | None = self.process.wait(2.0)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGABRT and self.memory_limit:
            # Oxigraph (Rust) and RocksDB abort when an allocation fails under the limit.
            return _over_memory(self.memory_limit)
        if code == -signal.SIGKILL:
            return _text(MEMORY_STATUS, "the query worker was killed (SIGKILL), likely by the "
                         "system running out of memory (lineage serve --memory-limit)")
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            return _text(500, f"the query worker died of {name} on this query and was replaced")
        return _text(500, "the query worker stopped unexpectedly; try again")

    def alive(self) -> bool:
        """Tell whether the process is still running."""
        return self.process.poll() is None

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL) and close the socket."""
        import subprocess

        for signal_it in (self.process.terminate, self.process.kill):
            if self.process.poll() is not None:
                break
            signal_it()
            try:
                self.process.wait(1.0)
            except subprocess.TimeoutExpired:
                continue
        self.conn.close()


class _ProcessRunner:
    """Worker processes over an on-disk store: a general pool and a lane for short queries.

    Each worker is a process with the store open read-only and its memory capped
    (``memory_limit`` MiB, see :func:`_limit_memory`); a worker that passes a deadline, runs
    out of memory or dies is replaced by a fresh one. Queries wait in arrival order for:

    - one of ``size`` **general** workers, which run a query until its deadline;
    - or, only while every general worker is busy, one of ``lane`` **short-query**
      workers, which give a query ``lane_seconds``. A query done by then is answered (so a
      trivial query is answered at once while slow ones hold every general worker); one
      still running is stopped, its worker replaced, and the query waits for a general
      worker with the time left before its deadline.

    Slow queries therefore cannot hold more than the general workers, and at most
    ``size + lane`` processes run, each under the memory limit, whatever the load.
    """

    def __init__(self, location: str, size: int, *, memory_limit: int = 0,
                 lane: int = LANE_WORKERS, lane_seconds: float = LANE_SECONDS):
        self.location = location
        self.memory_limit = memory_limit
        self._size = size
        self._lane_size = lane
        self._lane_seconds = lane_seconds
        self._idle: list[_Worker] = []  # general workers waiting for a query
        self._lane_idle: list[_Worker] = []  # short-query workers waiting for a query
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._ready = asyncio.Condition()  # notified whenever a worker becomes idle
        self._started = False
        self._generation = 0  # bumped by close(): workers of an older one are stopped

    def _spawn(self) -> _Worker:
        worker = _Worker(self.location, self.memory_limit)
        problem = worker.wait_ready()
        if problem is not None:
            worker.stop()
            raise StoreError(problem, source=self.location)
        return worker

    async def start(self) -> None:
        async with self._lock:
            if self._started:
                return
            self._started = True
            spawned = await asyncio.gather(
                *(anyio.to_thread.run_sync(self._spawn)
                  for _ in range(self._size + self._lane_size)), return_exceptions=True)
            workers = [w for w in spawned if isinstance(w, _Worker)]
            self._workers.update(workers)
            self._idle, self._lane_idle = workers[:self._size], workers[self._size:]
            problems = [w for w in spawned if isinstance(w, BaseException)]
            if problems:
                await self.close()
                raise problems[0]

    async def _acquire(self, deadline: float, *, lane: bool) -> tuple[_Worker, bool] | None:
        """Wait for a general worker (or a short-query one, with ``lane``) until ``deadline``."""
        def ready() -> bool:
            return bool(self._idle) or (lane and bool(self._lane_idle))

        async with self._ready:
            try:
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                    await self._ready.wait_for(ready)
            except TimeoutError:
                return None
            if self._idle:
                return self._idle.pop(0), False
            return self._lane_idle.pop(0), True

    async def run(self, job: _Job, timeout: float) -> _Answer | None:
        await self.start()
        deadline = time.monotonic() + timeout
        lane = self._lane_size > 0
        while True:
            got = await self._acquire(deadline, lane=lane)
            if got is None:
                return None
            worker, in_lane = got
            generation = self._generation
            budget = max(deadline - time.monotonic(), 0.0)
            if in_lane:
                budget = min(budget, self._lane_seconds)
            answer: _Answer | None = None
            keep = False
            try:
                answer = await anyio.to_thread.run_sync(worker.call, job, budget)
                keep = answer is not None and not answer.retire  # else busy, or retiring
            except (EOFError, OSError):
                answer = await anyio.to_thread.run_sync(worker.failure)
            finally:
                await self._release(worker, generation, keep=keep, in_lane=in_lane)
            if answer is None and in_lane and time.monotonic() < deadline:
                lane = False  # too long for the short-query lane: wait for a general worker
                continue
            return answer

    async def _release(self, worker: _Worker, generation: int, *, keep: bool,
                       in_lane: bool) -> None:
        """Put a worker back to wait for queries, or replace it (late, dead, or pool closed)."""
        if not keep or generation != self._generation:
            self._workers.discard(worker)
            task = asyncio.get_running_loop().create_task(
                self._respawn(worker, generation, in_lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        async with self._ready:
            (self._lane_idle if in_lane else self._idle).append(worker)
            self._ready.notify_all()

    async def _respawn(self, old: _Worker, generation: int, in_lane: bool) -> None:
        await anyio.to_thread.run_sync(old.stop)
        if generation != self._generation:
            return
        try:
            new = await anyio.to_thread.run_sync(self._spawn)
        except StoreError as exc:
            import logging

            logging.getLogger(__name__).error("cannot replace a query worker: %s", exc)
            return
        if generation != self._generation:
            await anyio.to_thread.run_sync(new.stop)
            return
        self._workers.add(new)
        async with self._ready:
            (self._lane_idle if in_lane else self._idle).append(new)
            self._ready.notify_all()

    def pids(self) -> list[int]:
        """Process ids of the live workers (general and short-query)."""
        return [w.process.pid for w in self._workers]

    async def close(self) -> None:
        self._generation += 1
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        workers, self._workers = list(self._workers), set()
        self._idle, self._lane_idle = [], []
        for worker in workers:
            await anyio.to_thread.run_sync(worker.stop)
        # Ready to start again, possibly under another event loop.
        self._lock, self._ready = asyncio.Lock(), asyncio.Condition()
        self._started = False


class _ThreadRunner:
    """Queries on a store object, one at a time in a thread (no dataset options)."""

    def __init__(self, store: Store):
        self.location = store.location
        self._evaluate = _store_evaluate(store)
        self._lock = threading.Lock()

    async def start(self) -> None:
        return None

    async def run(self, job: _Job, timeout: float) -> _Answer | None:
        deadline = time.monotonic() + timeout

        def call() -> _Answer | None:
            if not self._lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
                return None
            try:
                return _answer(job, self._evaluate)
            finally:
                self._lock.release()

        with anyio.move_on_after(timeout):
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        return None

    def pids(self) -> list[int]:
        return []

    async def close(self) -> None:
        return None


_Runner = _ProcessRunner | _ThreadRunner


def _runner(store: Store | str | Path, workers: int | None, memory_limit: int) -> _Runner:
    """Return worker processes for an on-disk Oxigraph store, else a thread (memory, remote)."""
    from lineage.store.oxigraph import OxigraphStore

    if isinstance(store, str | Path):
        text = str(store)
        if text.startswith("memory:"):
            return _ThreadRunner(open_store(text))
        opened = open_store(text, read_only=True)  # a clear StoreError when there is none
        if not isinstance(opened, OxigraphStore):  # a remote server: answer in a thread
            return _ThreadRunner(opened)
        opened.close()
        location = Path(text)
    elif isinstance(store, OxigraphStore) and Path(store.location).is_dir():
        location = Path(store.location)
    else:
        return _ThreadRunner(store)
    size = workers if workers is not None else min(4, max(2, os.cpu_count() or 1))
    return _ProcessRunner(str(location.resolve()), size, memory_limit=memory_limit)
