"""Venus benchmark: generate N lines, import them through a real server, run a query suite.

    python benchmarks/bench.py --lines 5000000

Prints one JSON document (see docs/benchmarks.md). Every needle query is also timed with ripgrep
over the raw tree (`rg -i -c`, all cores), the no-index baseline. Generated trees are cached under
bench-data/ by line count and seed; the store is made anew each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.console import first_results_ms  # noqa: E402
from venus.demo.generator import DemoCloud  # noqa: E402

REPEAT = 7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, **settings: str) -> tuple[subprocess.Popen, str, dict]:
    """`venus serve` on a fresh data directory and a free port, once it answers: the process, its
    URL and the environment that points the CLI at it. `settings` are VENUS_* variables."""
    shutil.rmtree(data_dir, ignore_errors=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VENUS_DATA_DIR": str(data_dir), "VENUS_URL": url, **settings}
    server = subprocess.Popen([sys.executable, "-m", "venus", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, url, env


def tree_for(lines: int, seed: int, base: Path) -> tuple[Path, dict]:
    tree = base / f"tree-{lines}-{seed}"
    meta = tree.with_suffix(".json")
    if not meta.exists():
        shutil.rmtree(tree, ignore_errors=True)
        started = time.perf_counter()
        # 24 hours ending at the start of this hour, so the 6-hour histogram window is full.
        end = time.time() // 3600 * 3600
        stats = DemoCloud(seed=seed, computes=max(8, lines // 250_000)).write_tree(tree, lines, 24.0, end)
        stats["generate_seconds"] = round(time.perf_counter() - started, 1)
        stats["end"] = end
        meta.write_text(json.dumps(stats))
    return tree, json.loads(meta.read_text())


def raw_size(tree: Path) -> int:
    return sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())


def zstd_size(tree: Path) -> int | None:
    if not shutil.which("zstd"):
        return None
    tar = subprocess.Popen(["tar", "cf", "-", "-C", str(tree), "."], stdout=subprocess.PIPE)
    out = subprocess.run(["zstd", "-3", "-q", "-c"], stdin=tar.stdout, capture_output=True, check=True)
    tar.wait()
    return len(out.stdout)


class RssWatch(threading.Thread):
    """Peak resident memory of a process and its children, sampled every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                rss = self.proc.memory_info().rss + sum(c.memory_info().rss for c in self.proc.children(True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                return
            time.sleep(0.1)


def timed(call, repeat: int = REPEAT) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2), result


def rg_ms(pattern: str, tree: Path, fixed: bool) -> float | None:
    if not shutil.which("rg"):
        return None
    args = ["rg", "-i", "-c", "--no-messages", "-z"] + (["-F"] if fixed else []) + ["--", pattern, str(tree)]
    ms, _ = timed(lambda: subprocess.run(args, capture_output=True), 3)
    return ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=ROOT / "bench-data")
    ap.add_argument("--ingest-seconds", type=float, default=60,
                    help="sustained _bulk ingest into a fresh server (benchmarks/ingest.py); 0 skips it")
    args = ap.parse_args()
    args.work.mkdir(exist_ok=True)
    tree, gen = tree_for(args.lines, args.seed, args.work)
    raw = raw_size(tree)
    server, url, env = start_server(args.work / "store")
    try:
        watch = RssWatch(server.pid)
        watch.start()
        started = time.perf_counter()
        imp = subprocess.run([sys.executable, "-m", "venus", "import", "-q", str(tree)], env=env,
                             capture_output=True, text=True)
        import_seconds = time.perf_counter() - started
        if imp.returncode:
            raise SystemExit(f"import failed: {imp.stderr}")
        peak_import = watch.peak
        # On stderr at once, so that a failure in the query suite does not lose the import figures.
        print(f"import: {gen['lines'] / import_seconds:,.0f} lines/s, peak RSS {peak_import / 2**20:,.0f} MB",
              file=sys.stderr, flush=True)
        http = httpx.Client(base_url=url, timeout=120)
        # Let the engine finish merging the import's parts (and building their text index) before
        # timing queries: queries against a store at rest, and the time that took, reported apart.
        settle_started = time.perf_counter()
        while http.get("/api/v1/stats").json()["merges"] and time.perf_counter() - settle_started < 600:
            time.sleep(1)
        settle_seconds = time.perf_counter() - settle_started
        stats = http.get("/api/v1/stats").json()
        queries = run_queries(http, tree, gen)
        console = first_results_ms(url)
        watch.stop.set()
        zstd = zstd_size(tree)
        report = {
            "lines": gen["lines"], "records": stats["rows"], "raw_bytes": raw,
            "import": {"seconds": round(import_seconds, 1), "lines_per_s": round(gen["lines"] / import_seconds),
                       "mb_per_s": round(raw / import_seconds / 1e6, 1), "summary": imp.stdout.strip()},
            "settle": {"seconds": round(settle_seconds, 1), "parts": stats["parts"]},
            "storage": {"bytes_on_disk": stats["bytes_on_disk"],
                        "ratio_to_raw": round(stats["bytes_on_disk"] / raw, 4),
                        "zstd3_bytes": zstd, "ratio_to_zstd3": round(stats["bytes_on_disk"] / zstd, 3) if zstd else None},
            "server_peak_rss_mb": {"import": round(peak_import / 2**20), "overall": round(watch.peak / 2**20)},
            "queries_median_ms": queries,
            "console_first_results_ms": console,
            "machine": {"cores": os.cpu_count(), "generate_seconds": gen["generate_seconds"]},
        }
    finally:
        server.terminate()
        server.wait(60)
    if args.ingest_seconds:
        from benchmarks.ingest import run_ingest_benchmark

        report["ingest"] = run_ingest_benchmark(tree, args.work, args.ingest_seconds)
    print(json.dumps(report, indent=2))


def run_queries(http: httpx.Client, tree: Path, gen: dict) -> dict:
    def get(path: str, **params):
        resp = http.get(path, params=params)
        resp.raise_for_status()
        return resp.json()

    end = gen["end"]
    since6h = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end - 6 * 3600))
    since24h = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end - 24 * 3600))
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end))
    # A global request id and a line from the data, for the chain and context queries.
    boot = get("/api/v1/search", q='"Took" "to build instance"', limit=1, total="false")["hits"][0]
    gid = boot["global_request_id"]
    out: dict[str, dict] = {}

    def case(name: str, call, needle: str | None = None, fixed: bool = True, check=None) -> None:
        ms, result = timed(call)
        entry = {"ms": ms}
        if check:
            entry.update(check(result))
        if needle:
            entry["rg_ms"] = rg_ms(needle, tree, fixed)
        out[name] = entry

    hits = lambda r: {"hits": r["count"], "total": r.get("total")}  # noqa: E731
    case("rare_word_newest_100", lambda: get("/api/v1/search", q="segfault", limit=100, total="false"), "segfault",
         check=lambda r: {"hits": r["count"]})
    case("common_word_newest_100", lambda: get("/api/v1/search", q="periodic", limit=100, total="false"), "periodic",
         check=lambda r: {"hits": r["count"]})
    case("phrase_newest_100", lambda: get("/api/v1/search", q='"No valid host was found"', limit=100, total="false"),
         "No valid host was found", check=lambda r: {"hits": r["count"]})
    case("infix_count", lambda: get("/api/v1/count", q="*terfaceCreat*"), "terfaceCreat",
         check=lambda r: {"count": r["count"]})
    case("host_level_6h_per_minute_histogram",
         lambda: get("/api/v1/histogram", q="host:cmp1 level:ERROR", since=since6h, until=until, buckets=360),
         check=lambda r: {"interval_s": r["interval_seconds"], "buckets": len(r["buckets"]), "total": r["total"]})
    case("top20_loggers_by_error", lambda: get("/api/v1/facets", q="level:ERROR", field="logger", size=20),
         check=lambda r: {"values": len(r["facets"][0]["values"])})
    case("request_id_chain", lambda: get("/api/v1/search", q=f"global_request_id:{gid} OR request_id:{gid}",
                                         limit=1000, total="false"), gid, check=hits)
    case("context_20", lambda: get(f"/api/v1/context/{boot['id']}", before=20, after=20),
         check=lambda r: {"lines": len(r["before"]) + 1 + len(r["after"])})
    case("regex_count", lambda: get("/api/v1/count", q=r"/Took [0-9]+\.[0-9]+ seconds to spawn/"),
         r"Took [0-9]+\.[0-9]+ seconds to spawn", fixed=False, check=lambda r: {"count": r["count"]})
    # Issue 3: typical-error statistics for a day (every signature of the catalogue), a 3-field
    # cross-tab, the API latency table and a call chain.
    case("typical_errors_day", lambda: get("/api/v1/typical", since=since24h, until=until),
         check=lambda r: {"signatures": len(r["signatures"]),
                          "matched": sum(1 for s in r["signatures"] if s["total"])})
    case("crosstab_3_fields_day", lambda: get("/api/v1/crosstab", by=["host", "program", "level"], since=since24h,
                                              until=until, size=100),
         check=lambda r: {"groups": r["groups"], "total": r["total"]})
    case("api_latency_table_day", lambda: get("/api/v1/latency", since=since24h, until=until),
         check=lambda r: {"apis": len(r["apis"]), "requests": sum(a["count"] for a in r["apis"])})
    case("call_chain", lambda: get(f"/api/v1/chain/{gid}"),
         check=lambda r: {"lines": r["line_count"], "spans": len(r["spans"])})
    return out


if __name__ == "__main__":
    main()
