"""A report as one self-contained HTML file: the figures of gather.py in the template
templates/report.html, charts inline as SVG, styles inline, nothing fetched from anywhere."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from venus.reports import svg
from venus.reports.gather import change
from venus.reports.texts import TEXTS


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("venus.reports", "templates"), autoescape=select_autoescape(["html"]))


def num(n: float | None) -> str:
    return "—" if n is None else f"{n:,.0f}"


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


def duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def delta(relative: float | None) -> Markup:
    """A change, red when it grew and green when it fell (for most figures more is worse)."""
    if relative is None:
        return Markup('<span class="muted">—</span>')
    css = "up" if relative > 0 else "down" if relative < 0 else "muted"
    return Markup('<span class="{}">{}{:.0f}%</span>').format(css, "+" if relative > 0 else "", relative * 100)


def summary(report: dict, words: dict[str, str]) -> str:
    volume = report["volume"]
    return words["summary_text"].format(
        total=num(volume["total"]), change=delta(volume["change"]).striptags(), errors=num(report["error_rate"]["errors"]),
        rate=pct(report["error_rate"]["rate"]), typical=sum(1 for s in report["typical_errors"] if s["count"]),
        anomalies=len(report["anomalies"]["findings"]), alerts=len(report["alerts"]),
        silent=len(report["silent"]["hosts"]))


def render_html(report: dict, language: str = "en") -> str:
    words = TEXTS[language]
    buckets = report["volume"]["series"]["buckets"]
    charts = {
        "volume": Markup(svg.columns([b["count"] for b in buckets], [b["errors"] for b in buckets],
                                     labels=(buckets[0]["time"], buckets[-1]["time"]) if buckets else ("", ""),
                                     title=words["chart_volume"])),
        "services": Markup(svg.hbars([(s["service"] or "—", s["count"], s["previous"])
                                      for s in report["volume"]["services"][:10]])),
    }
    return _environment().get_template("report.html").render(
        r=report, t=words, lang="zh-CN" if language == "zh" else "en", charts=charts,
        summary=summary(report, words), num=num, pct=pct, ms=ms, size=size, duration=duration, delta=delta,
        change=change, spark=lambda values: Markup(svg.sparkline(values)), escape=escape)
