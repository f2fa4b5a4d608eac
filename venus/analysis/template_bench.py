"""Template miners run side by side on the same messages, timed: Venus's miner and drain3 (PyPI
`drain3`, the Drain implementation Loki and many others follow), as it comes and with masking of
the usual variables. `venus eval templates` prints what this finds."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from venus.analysis.template_accuracy import template_accuracy
from venus.analysis.templates import TemplateMiner
from venus.errors import VenusError

BATCH = 100_000  # messages per batch given to Venus's miner (an import chunk is of this order)
# drain3 with masking, our own spelling of the usual instructions (values drain3 then writes <IP>…).
DRAIN3_MASKS = (
    (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "UUID"),
    (r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?\b", "IP"),
    (r"\b0x[0-9a-fA-F]+\b", "HEX"),
    (r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w.])", "NUM"),
)


@dataclass
class MinerRun:
    name: str
    seconds: float
    ids: list
    templates: list[str]  # each message's template, as the miner had it at the end

    def report(self, truth: Sequence[str] | None) -> dict:
        out = {"miner": self.name, "seconds": round(self.seconds, 3),
               "lines_per_s": round(len(self.ids) / self.seconds) if self.seconds else None,
               "templates": len(set(self.ids))}
        if truth is not None:
            out.update(template_accuracy(truth, self.ids, self.templates))
        return out


def run_venus(messages: Sequence[str], batch: int = BATCH) -> MinerRun:
    """Venus's miner over the messages, in batches as ingest gives them (the Arrow arrays are
    built before the clock starts: ingest has them already)."""
    arrays = [pa.array(messages[i:i + batch], type=pa.string()) for i in range(0, len(messages), batch)]
    miner = TemplateMiner()
    started = time.perf_counter()
    ids = [miner.label(array) for array in arrays]
    seconds = time.perf_counter() - started
    flat = [int(i) for part in ids for i in part]
    texts = {tid: t.text() for tid, t in miner.templates.items()}
    return MinerRun("venus", seconds, flat, [texts[i] for i in flat])


def run_drain3(messages: Sequence[str], masking: bool) -> MinerRun:
    """drain3's TemplateMiner over the messages one by one, as its documentation shows, with its
    defaults (similarity 0.4, depth 4) and, with `masking`, DRAIN3_MASKS."""
    try:
        from drain3 import TemplateMiner as Drain3
        from drain3.masking import MaskingInstruction
        from drain3.template_miner_config import TemplateMinerConfig
    except ImportError:
        raise VenusError("drain3 is not installed: pip install 'venus[eval]' (or drain3)") from None
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    if masking:
        config.masking_instructions = [MaskingInstruction(pattern, name) for pattern, name in DRAIN3_MASKS]
    miner = Drain3(config=config)
    started = time.perf_counter()
    ids = [miner.add_log_message(m)["cluster_id"] for m in messages]
    seconds = time.perf_counter() - started
    texts = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return MinerRun("drain3 + masking" if masking else "drain3", seconds, ids, [texts[i] for i in ids])
