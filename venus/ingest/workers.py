"""Parsing in worker processes, so that the server's parsing uses every core.

Parsing is per-line Python and holds the GIL, so a server parsing in its own process uses one
core however many imports and receivers send to it. `ParsePool` runs parse functions (a file
chunk, a bulk body, ...) in a pool of worker processes instead: the server process is left to
receive requests and insert (chdb releases the GIL), and each core parses. Small inputs are
parsed in place, where a round trip to a worker costs more than it saves. Workers import the
parsers only, never the store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from venus.errors import StoreUnavailable

# Below this many bytes an input is parsed in the calling thread (tests, `tail`-sized appends).
INLINE_PARSE_BYTES = 256 << 10
MAX_AUTO_PROCESSES = 8

T = TypeVar("T")


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the server decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def auto_processes() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_PROCESSES))


class ParsePool:
    """Runs parse functions in a pool of `processes` workers, started on first use."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes or auto_processes()
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def started(self) -> bool:
        """Whether the worker processes run (they start with the first large input)."""
        return self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the server is shutting down")
            if self._pool is None:
                # spawn, not fork: the parent runs chdb's threads, which a fork would copy mid-flight.
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_ignore_interrupts)
            return self._pool

    def run(self, size: int, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` (a module-level function), in a worker when the input is `size` bytes or more."""
        if size < INLINE_PARSE_BYTES:
            return fn(*args)
        pool = self._executor()
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a new pool for the next input and
            # parse this one here, so the request still succeeds.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            return fn(*args)

    async def run_async(self, size: int, fn: Callable[..., T], *args: object) -> T:
        """`run` from the event loop, in a thread, so that the loop goes on serving meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(None, self.run, size, fn, *args)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
