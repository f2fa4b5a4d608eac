"""How soon the web console shows the first lines of a search, measured in a real browser
(Debian's chromium through Playwright) against a running server: the time from the search
starting to its first page being rendered, as the console itself records it
(`window.venusFirstResultsMs`). Each case is loaded REPEAT times; the median is reported.

Run by bench.py after the query suite; alone: python -m benchmarks.console URL."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
REPEAT = 5
# Discover as an operator opens it: everything of the last day, then narrower searches.
CASES = {
    "discover_all_time": ("", "all"),
    "discover_default_last_24h": ("", "now-24h"),
    "discover_errors": ("level:ERROR", "all"),
    "discover_phrase": ('"No valid host was found"', "all"),
    "discover_field_and_phrase": ('program:nova-compute "Instance failed to spawn"', "all"),
}


def first_results_ms(url: str, repeat: int = REPEAT) -> dict:
    """Per case the median first-results time in ms, or why it could not be measured."""
    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} is missing (make chromium)"}
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for name, (query, start) in CASES.items():
            times = []
            for _ in range(repeat):
                page.goto(f"{url}/discover?from={quote(start)}&q={quote(query)}")
                page.wait_for_function("() => window.venusFirstResultsMs !== undefined", timeout=60_000)
                times.append(page.evaluate("window.venusFirstResultsMs"))
            out[name] = round(statistics.median(times), 1)
        browser.close()
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(first_results_ms(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:10010"), indent=2))
