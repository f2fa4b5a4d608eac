"""Charts as inline SVG, so a report carries its pictures in itself: pure functions from numbers
to markup, every value escaped."""

from __future__ import annotations

from html import escape

INK, ERROR_INK, GRID, MUTED = "#2563eb", "#dc2626", "#e5e7eb", "#6b7280"


def _fmt(n: float) -> str:
    return f"{n:,.0f}" if n >= 100 else f"{n:,.3g}"


def columns(values: list[float], highlight: list[float] | None = None, width: int = 640, height: int = 140,
            labels: tuple[str, str] = ("", ""), title: str = "") -> str:
    """Bars over time (lines per bucket), with a second series drawn over them in red (errors);
    the first and last times under the axis."""
    top = max([*values, *(highlight or []), 1])
    n = max(len(values), 1)
    step = (width - 50) / n
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height + 24}" '
              f'viewBox="0 0 {width} {height + 24}" role="img" aria-label="{escape(title)}">')]
    for frac in (0.5, 1.0):
        y = height - frac * (height - 10)
        parts.append(f'<line x1="46" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     + f'<text x="42" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{MUTED}">'
                     + f'{_fmt(top * frac)}</text>')
    for series, color in ((values, INK), (highlight or [], ERROR_INK)):
        for i, v in enumerate(series):
            h = (height - 10) * v / top
            parts.append(f'<rect x="{50 + i * step:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}" '
                         f'height="{h:.1f}" fill="{color}"/>')
    parts.append(f'<text x="50" y="{height + 16}" font-size="10" fill="{MUTED}">{escape(labels[0])}</text>'
                 f'<text x="{width}" y="{height + 16}" font-size="10" text-anchor="end" fill="{MUTED}">'
                 f'{escape(labels[1])}</text></svg>')
    return "".join(parts)


def sparkline(values: list[float], width: int = 120, height: int = 24, color: str = ERROR_INK) -> str:
    """A trend in a table cell."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><polyline fill="none" stroke="{color}" stroke-width="1.5" '
            f'points="{points}"/></svg>')


def hbars(rows: list[tuple[str, float, float]], width: int = 640, bar_height: int = 16) -> str:
    """Horizontal bars, now against before: one row per label, the previous value as a grey bar."""
    top = max([max(now, before) for _, now, before in rows] + [1])
    label_w, gap = 170, 6
    height = len(rows) * (bar_height + gap) + 4
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
              f'viewBox="0 0 {width} {height}">')]
    room = width - label_w - 70
    for i, (label, now, before) in enumerate(rows):
        y = i * (bar_height + gap) + 2
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 4}" font-size="11" text-anchor="end">'
                     + f'{escape(label[:28])}</text>'
                     + f'<rect x="{label_w}" y="{y + bar_height * 0.6:.1f}" width="{room * before / top:.1f}" '
                     + f'height="{bar_height * 0.4:.1f}" fill="{GRID}"/>'
                     + f'<rect x="{label_w}" y="{y}" width="{room * now / top:.1f}" height="{bar_height * 0.6:.1f}" '
                     + f'fill="{INK}"/>'
                     + f'<text x="{label_w + room * now / top + 4:.1f}" y="{y + bar_height * 0.6:.1f}" '
                     + f'font-size="10" fill="{MUTED}">{_fmt(now)}</text>')
    parts.append("</svg>")
    return "".join(parts)
