"""Live tails over Server-Sent Events: each follows its query (venus.query.tail) until the
client goes away or the server stops, and the number followed at once is bounded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from venus.errors import VenusError
from venus.jsonfmt import dumps
from venus.query.search import Filter
from venus.query.tail import poll_tail, start_tail
from venus.store.clickhouse import ClickHouseStore

KEEPALIVE_SECONDS = 15
STOP_CHECK = 0.25  # seconds


def sse_event(data: bytes, event: str | None = None) -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + data + b"\n\n"


class LiveTails:
    def __init__(self) -> None:
        self.busy = 0
        self.stopping = False  # set when the server stops: every tail ends within STOP_CHECK

    def stop(self) -> None:
        self.stopping = True

    async def follow(self, request: Request, store: ClickHouseStore, flt: Filter, lines: int,
                     interval: float) -> AsyncIterator[bytes]:
        self.busy += 1
        try:
            cursor, hits = await run_in_threadpool(start_tail, store, flt, lines)
            yield b"".join(sse_event(dumps(hit)) for hit in hits) or b": following\n\n"
            quiet_since = time.monotonic()
            while not await self._stopped(request, interval):
                try:
                    hits = await run_in_threadpool(poll_tail, store, flt, cursor)
                except VenusError as exc:  # a query timeout, the store closing
                    yield sse_event(dumps({"error": exc.message}), "error")
                    return
                if hits:
                    yield b"".join(sse_event(dumps(hit)) for hit in hits)
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                    yield b": keepalive\n\n"
                    quiet_since = time.monotonic()
        finally:
            self.busy -= 1

    async def _stopped(self, request: Request, interval: float) -> bool:
        """Wait `interval`; whether the client left or the server is stopping meanwhile."""
        deadline = time.monotonic() + interval
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return await request.is_disconnected()
            await asyncio.sleep(min(left, STOP_CHECK))
        return True
