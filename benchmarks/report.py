"""Report benchmark: the time a report takes over N generated lines (issue 10: 5 M lines under 10 s).

    python benchmarks/report.py --lines 5000000

Generates (cached under bench-data/, as benchmarks/bench.py) a demo tree of N lines over 24 hours,
imports it through a real server, waits for the merges, then times GET /api/v1/report in each
format: over the whole 24 hours (every line in range, the day before empty) and over the last 12
hours against the 12 before (about half the lines on each side). Prints one JSON document."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench import start_server, tree_for  # noqa: E402

REPEAT = 3


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def timed_report(http: httpx.Client, params: dict) -> dict:
    runs, size = [], 0
    for _ in range(REPEAT):
        started = time.perf_counter()
        answer = http.get("/api/v1/report", params=params)
        runs.append(time.perf_counter() - started)
        answer.raise_for_status()
        size = len(answer.content)
    return {"median_s": round(statistics.median(runs), 2), "runs_s": [round(r, 2) for r in runs], "bytes": size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=ROOT / "bench-data")
    args = ap.parse_args()
    args.work.mkdir(exist_ok=True)
    tree, gen = tree_for(args.lines, args.seed, args.work)
    server, url, env = start_server(args.work / "report-store")
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venus", "import", "-q", str(tree)], env=env, check=True,
                       capture_output=True)
        import_seconds = time.perf_counter() - started
        http = httpx.Client(base_url=url, timeout=600)
        while http.get("/api/v1/stats").json()["merges"]:
            time.sleep(1)
        rows = http.get("/api/v1/stats").json()["rows"]
        end = gen["end"]
        ranges = {"24h": (end - 86_400, end), "12h_vs_12h": (end - 43_200, end)}
        results = {}
        for name, (since, until) in ranges.items():
            in_range = http.get("/api/v1/count", params={"since": iso(since), "until": iso(until)}).json()["count"]
            results[name] = {"lines_in_range": in_range}
            for fmt in ("json", "html", "pdf"):
                results[name][fmt] = timed_report(http, {"since": iso(since), "until": iso(until), "format": fmt})
        print(json.dumps({"lines": gen["lines"], "records": rows, "import_seconds": round(import_seconds, 1),
                          "report": results, "target_s": 10}, indent=2))
    finally:
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
