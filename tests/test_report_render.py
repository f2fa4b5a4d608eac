"""The parts of a report that need no store: the request's checks, the words of each language,
the figures' formats, the inline charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from venus.errors import BadRequest
from venus.reports import svg
from venus.reports.gather import ReportScope, change
from venus.reports.html import delta, duration, pct, size
from venus.reports.make import ReportRequest
from venus.reports.texts import LANGUAGES, TEXTS

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_every_language_has_every_word():
    assert all(set(TEXTS[lang]) == set(TEXTS["en"]) for lang in LANGUAGES)


def test_a_request_defaults_to_the_last_day_in_english_html():
    asked = ReportRequest.parse(None, None, None, None, None, now=NOW)
    assert (asked.end - asked.start, asked.language, asked.format, asked.query) == (timedelta(days=1), "en", "html", "")


@pytest.mark.parametrize(("since", "until", "fmt", "language", "query", "field"), [
    ("2026-11-22T10:00:00Z", "2026-11-22T09:00:00Z", "html", "en", "", "since"),
    ("1d", None, "docx", "en", "", "format"),
    ("1d", None, "pdf", "fr", "", "language"),
    ("1d", None, "pdf", "en", 'message:"unclosed', "q"),
    ("500d", None, "pdf", "en", "", "since"),
    ("yesterday-ish", None, "pdf", "en", "", "since"),
])
def test_a_bad_request_names_its_field(since, until, fmt, language, query, field):
    with pytest.raises(BadRequest) as raised:
        ReportRequest.parse(since, until, query, language, fmt, now=NOW)
    assert raised.value.field == field


def test_the_previous_range_is_as_long_and_just_before():
    scope = ReportScope("", NOW - timedelta(hours=6), NOW)
    assert scope.previous == (NOW - timedelta(hours=12), NOW - timedelta(hours=6))


def test_a_figures_link_is_the_console_search_of_the_range_narrowed_by_the_figure():
    scope = ReportScope("host:cmp*", NOW - timedelta(hours=1), NOW, "https://venus.example.org")
    assert scope.link('service:"nova"') == ("https://venus.example.org/discover?q=%28host%3Acmp%2A%29+AND+service%3A"
                                            "%22nova%22&from=2026-11-22T11%3A00%3A00Z&to=2026-11-22T12%3A00%3A00Z")


@pytest.mark.parametrize(("now", "before", "expected"), [(150, 100, 0.5), (50, 100, -0.5), (5, 0, None),
                                                         (None, 3, None)])
def test_a_change_is_relative_to_the_figure_before(now, before, expected):
    assert change(now, before) == expected


def test_a_growth_is_red_and_a_fall_green():
    assert (str(delta(0.25)), str(delta(-0.1)), str(delta(None))) == (
        '<span class="up">+25%</span>', '<span class="down">-10%</span>', '<span class="muted">—</span>')


def test_figures_read_as_people_write_them():
    assert (pct(0.004567), size(1536), size(3 << 30), duration(3725), duration(59)) == (
        "0.46%", "1.5 KiB", "3.0 GiB", "1h02m", "0m59s")


def test_a_chart_escapes_its_labels_and_draws_a_bar_per_value():
    drawn = svg.columns([1, 5, 3], [0, 2, 0], labels=("<start>", "end"), title='a "title"')
    assert drawn.count("<rect") == 6 and "&lt;start&gt;" in drawn and "&quot;title&quot;" in drawn
    assert svg.sparkline([]) == "" and "<polyline" in svg.sparkline([1, 2, 3])
