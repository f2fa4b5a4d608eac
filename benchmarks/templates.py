"""Template mining, measured (issue #7): on the same labelled demo messages, Venus's miner beside
drain3 (as it comes, and with masking) with their speed and accuracy (GA, PA, FGA, FTA); then the
same demo tree imported into two fresh servers, mining on and off, and the ratio of their speeds.
Prints JSON. `python benchmarks/templates.py --lines 1000000`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench import start_server  # noqa: E402
from venus.analysis.template_bench import run_drain3, run_venus  # noqa: E402
from venus.demo.generator import DemoCloud  # noqa: E402


def import_seconds(tree: Path, work: Path, mining: bool) -> float:
    server, _, env = start_server(work / f"store-{'on' if mining else 'off'}",
                                  VENUS_ANALYSIS_MINE_TEMPLATES="true" if mining else "false")
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venus", "import", "-q", str(tree)], env=env, check=True,
                       capture_output=True)
        return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=ROOT / "bench-data" / "templates")
    ap.add_argument("--runs", type=int, default=2, help="runs of each miner and imports per setting; the fastest counts")
    args = ap.parse_args()
    tree = args.work / f"tree-{args.lines}-{args.seed}"
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    cloud = DemoCloud(seed=args.seed, labels=True)
    stats = cloud.write_tree(tree, args.lines, 24.0, time.time() // 3600 * 3600)
    messages = [m for m, _ in cloud.labels or []]
    truth = [t for _, t in cloud.labels or []]
    miners = (lambda: run_venus(messages), lambda: run_drain3(messages, masking=False),
              lambda: run_drain3(messages, masking=True))
    runs = [min((mine() for _ in range(args.runs)), key=lambda run: run.seconds).report(truth) for mine in miners]
    venus = runs[0]["lines_per_s"]
    for run in runs[1:]:
        run["venus_times_faster"] = round(venus / run["lines_per_s"], 2)
    on = min(import_seconds(tree, args.work, True) for _ in range(args.runs))
    off = min(import_seconds(tree, args.work, False) for _ in range(args.runs))
    print(json.dumps({
        "lines": stats["lines"], "messages": len(messages), "miners": runs,
        "import": {"mining_on_lines_per_s": round(stats["lines"] / on), "mining_off_lines_per_s": round(stats["lines"] / off),
                   "on_over_off": round(off / on, 3)},
    }, indent=2))


if __name__ == "__main__":
    main()
