"""Anomaly detection and root cause on the demo's failure scenarios (issue #7): for each scenario and
seed, whether the anomaly list holds the injected cause two minutes after it starts (in log time),
and the rank root-cause analysis gives it; then sequence anomalies: a day of normal boots learned,
a day with 10 % deviating boots checked, precision and recall. Prints JSON.
`python benchmarks/scenarios.py`."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from venus.analysis.anomalies import detect  # noqa: E402
from venus.analysis.root_cause import root_causes  # noqa: E402
from venus.analysis.sequences import sequence_anomalies  # noqa: E402
from venus.analysis.template_accuracy import same_template_text  # noqa: E402
from venus.config import load_settings  # noqa: E402
from venus.demo.generator import DemoCloud  # noqa: E402
from venus.demo.scenarios import SCENARIOS  # noqa: E402
from venus.ingest.importer import Importer, fingerprint  # noqa: E402
from venus.ingest.templating import Templater  # noqa: E402
from venus.ingest.workers import ParsePool  # noqa: E402
from venus.meta.models import LogTemplate  # noqa: E402
from venus.meta.store import MetadataStore  # noqa: E402
from venus.parse.paths import describe_path  # noqa: E402
from venus.query.search import Filter  # noqa: E402
from venus.store import open_store  # noqa: E402
from venus.store.clickhouse import ClickHouseStore  # noqa: E402

END = 1_778_000_000
LOOKBACK = timedelta(hours=20)


def import_tree(importer: Importer, tree: Path) -> None:
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        data = path.read_bytes()
        importer.import_chunk(describe_path(str(path)), fingerprint(data), 0, data, final=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000, help="lines per scenario run (24 hours of logs)")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="venus-scenarios-"))
    store = open_store(load_settings(None, {"VENUS_DATA_DIR": str(work / "data")}), role="bench")
    meta = MetadataStore(f"sqlite:///{work / 'meta.sqlite'}")
    meta.upgrade()
    pool = ParsePool(2)
    importer = Importer(store, pool, templater=Templater(meta))
    runs = []
    try:
        for i, (name, seed) in enumerate((n, s) for n in sorted(SCENARIOS) for s in range(args.seeds)):
            tree = work / f"{name}-{seed}"
            stats = DemoCloud(seed=100 + seed).write_tree(tree, args.lines, 24.0, END + i * 3 * 86400,
                                                          scenario=name, scenario_at=0.9)
            import_tree(importer, tree)
            truth = stats["scenario"]
            start = datetime.fromtimestamp(truth["start"], UTC)

            def is_cause(item: dict, truth: dict = truth) -> bool:
                with meta.session() as s:
                    text = same_template_text(s.get(LogTemplate, item["template_id"]).text)
                return ((item["service"], item["host"]) == (truth["service"], truth["host"])
                        and text == same_template_text(truth["template"]))

            end = start + timedelta(minutes=2)
            found = detect(store, Filter.parse(""), end - timedelta(minutes=15), end, LOOKBACK)
            ranked = root_causes(store, Filter.parse(""), start, start + timedelta(minutes=5), LOOKBACK)["candidates"]
            rank = next((r + 1 for r, c in enumerate(ranked) if is_cause(c)), None)
            runs.append({"scenario": name, "seed": seed, "detected_within_2_min": any(is_cause(f) for f in found),
                         "anomalies": len(found), "rca_rank": rank, "candidates": len(ranked)})
        sequences = sequence_scores(store, importer, work, args.lines * 2, END + (len(runs) + 2) * 3 * 86400)
    finally:
        pool.close()
        store.close()
        meta.close()
    per = {n: {"detected": sum(r["detected_within_2_min"] for r in runs if r["scenario"] == n),
               "ranked_first": sum(r["rca_rank"] == 1 for r in runs if r["scenario"] == n), "runs": args.seeds}
           for n in sorted(SCENARIOS)}
    print(json.dumps({"lines_per_run": args.lines, "per_scenario": per, "runs": runs, "sequences": sequences}, indent=2))


def sequence_scores(store: ClickHouseStore, importer: Importer, work: Path, lines: int, end: int) -> dict:
    """A day of normal boots, then a day in which 10 % of the boots deviate: precision and recall
    of the instances flagged."""
    for name, cloud, at, deviations in (("normal", DemoCloud(seed=41), end - 86400, 0.0),
                                        ("deviating", DemoCloud(seed=42), end, 0.1)):
        cloud.write_tree(work / name, lines, 24.0, at, deviations=deviations)
        import_tree(importer, work / name)
    deviated = set(cloud.deviated)
    start = datetime.fromtimestamp(end - 86400, UTC)
    found = sequence_anomalies(store, "instance", start, datetime.fromtimestamp(end, UTC), start - timedelta(days=1),
                               size=10**6)
    flagged = {s["key"] for s in found["sequences"]}
    right = len(flagged & deviated)
    return {"instances": found["checked"], "deviating": len(deviated), "flagged": len(flagged),
            "precision": round(right / len(flagged), 4) if flagged else None,
            "recall": round(right / len(deviated), 4) if deviated else None}


if __name__ == "__main__":
    main()
