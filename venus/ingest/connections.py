"""The open connections of a stream receiver (Forward, syslog over TCP), for a clean shutdown.

A sender keeps its connection open between batches. At shutdown, a connection waiting for its
next batch is ended at once; one committing a batch may finish it (and acknowledge it), up to
a time limit, so that nothing acknowledged is lost and an idle sender does not hold the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Connections:
    def __init__(self) -> None:
        self._open: set[asyncio.Task] = set()
        self._busy: set[asyncio.Task] = set()

    def track(self, handler: Handler) -> Handler:
        """A connection handler for asyncio.start_server, whose connections this set knows."""
        async def tracked(reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._open.add(task)
            try:
                await handler(reader, stream)
            finally:
                self._open.discard(task)

        return tracked

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Around the work on a batch that shutdown must let finish."""
        task = asyncio.current_task()
        assert task is not None
        self._busy.add(task)
        try:
            yield
        finally:
            self._busy.discard(task)

    async def close(self, timeout: float) -> None:
        for task in self._open - self._busy:
            task.cancel()
        if self._open:
            _, running = await asyncio.wait(set(self._open), timeout=timeout)
            for task in running:
                task.cancel()
