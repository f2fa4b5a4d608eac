"""Ports of their own, served from the main server's event loop (same process, same store).

The Elasticsearch-compatible ingest may listen on a port of its own ([receivers]
elasticsearch_port, 9200 as shippers expect): a second uvicorn server for that app, started and
stopped by the main app's lifespan. The main server handles the signals.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Protocol

import uvicorn
from starlette.types import ASGIApp


class Listener(Protocol):
    """A port the server listens on besides the API's (an HTTP app, a TCP receiver)."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the main server's signal handlers stop everything


class HttpPort:
    """`app` on host:port until `stop()`."""

    def __init__(self, app: ASGIApp, host: str, port: int, name: str) -> None:
        self.name = name
        self.server = _EmbeddedServer(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     lifespan="off", timeout_graceful_shutdown=30))
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(), name=self.name)
        while not self.server.started:
            if self._task.done():
                try:
                    self._task.result()
                except SystemExit:
                    pass  # uvicorn exits when it cannot bind; its log said why
                config = self.server.config
                raise OSError(f"could not listen on {config.host}:{config.port} for the {self.name}")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is not None:
            self.server.should_exit = True
            await self._task
