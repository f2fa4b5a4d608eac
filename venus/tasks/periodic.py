"""`PeriodicJob`: call a function every N seconds on a thread of its own until stopped.

A failing run is logged and the next one still comes; `stop()` returns once a run in progress
has finished, so the server closes its stores after the job let go of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicJob:
    def __init__(self, name: str, interval: float, run: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval
        self.run = run
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> PeriodicJob:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run()
            except Exception:  # a failed run must not end the job
                log.exception("%s: the run failed; trying again in %.0f s", self.name, self.interval)
            self.runs += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
