"""`venus templates …`, `venus anomalies`, `venus rca`: log intelligence from a running server
(templates with counts and trends, anomalies with their reasons, root-cause candidates)."""

from __future__ import annotations

from typing import Annotated

import typer

from venus.cli_common import ConfigOpt, JsonOpt, UrlOpt, _call, _print, _table, out

SPARK = "▁▂▃▄▅▆▇█"  # a trend in a terminal
templates_app = typer.Typer(help="Log templates: the kinds of lines, with counts and trends.", no_args_is_help=True)

QueryArg = Annotated[str, typer.Argument(help="only the lines matching this query")]
SinceOpt = Annotated[str, typer.Option(help="from (ISO time, 15m, 2d)")]
UntilOpt = Annotated[str | None, typer.Option(help="until (default now)")]


def sparkline(counts: list[int]) -> str:
    """A series as a line of block characters, the highest the tallest."""
    top = max(counts, default=0)
    return "".join(SPARK[0] if not top else SPARK[min(len(SPARK) - 1, round(c / top * (len(SPARK) - 1)))]
                   for c in counts)


@templates_app.command("list")
def list_templates(query: QueryArg = "", since: SinceOpt = "1d", until: UntilOpt = None,
                   size: Annotated[int, typer.Option(min=1, max=10_000, help="how many")] = 30,
                   as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """The templates of the matching lines, the most lines first, with their trend."""
    found = _call(url, config, "GET", "/api/v1/templates",
                  params={"q": query, "since": since, "until": until, "size": size, "buckets": 24})
    if as_json:
        return _print(found)
    _table(["id", "lines", "trend", "template"],
           [[t["id"], f"{t['count']:,}", sparkline([b["count"] for b in t["buckets"]]), (t["text"] or "?")[:160]]
            for t in found["templates"]])
    out.print(f"{found['total']:,} lines" + (f", {found['unmined']:,} stored before mining" if found["unmined"] else ""),
              markup=False)


@templates_app.command("show")
def show_template(template_id: Annotated[int, typer.Argument(help="the template's id")],
                  lines: Annotated[int, typer.Option(min=0, max=1000, help="its newest lines to print")] = 5,
                  as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """One template: its text, lines so far, first and last seen, examples, and its newest lines."""
    found = _call(url, config, "GET", f"/api/v1/templates/{template_id}")["template"]
    newest = _call(url, config, "GET", "/api/v1/search",
                   params={"q": f"template_id:{template_id}", "limit": lines, "total": "false"})["hits"] if lines else []
    if as_json:
        return _print({**found, "lines": newest})
    out.print(f"template {found['id']}: {found['text']}", markup=False)
    out.print(f"{found['total']:,} lines, first seen {found['first_seen']}, last seen {found['last_seen']}",
              markup=False)
    for example in found["examples"]:
        out.print(f"  example: {example[:300]}", markup=False)
    for hit in newest:
        out.print(f"  {hit['ts']} {hit['host']} {hit['program']}: {hit['message'][:300]}", markup=False)


def anomalies_command(query: QueryArg = "", since: Annotated[str | None, typer.Option(
                          help="start of the stretch (default: 15 minutes before its end; 1 hour with --sequences)")] = None,
                      until: UntilOpt = None,
                      lookback: Annotated[str, typer.Option(help="the baseline before the stretch")] = "1d",
                      size: Annotated[int, typer.Option(min=1, max=1000)] = 30,
                      sequences: Annotated[bool, typer.Option(
                          "--sequences", help="instances or requests whose lines came in an unusual order")] = False,
                      key: Annotated[str, typer.Option(help="with --sequences: instance or request")] = "instance",
                      as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Anomalies of a stretch of time: templates new to a service, spikes and drops, with reasons;
    or with --sequences, the lifecycles that deviate from those of the lookback, at which step."""
    if sequences:
        if query:
            raise typer.BadParameter("a query does not narrow --sequences (they follow whole lifecycles)",
                                     param_hint="QUERY")
        return _sequences(url, config, since, until, lookback, size, key, as_json)
    found = _call(url, config, "GET", "/api/v1/anomalies", params={
        "q": query, "since": since, "until": until, "lookback": lookback, "size": size})
    if as_json:
        return _print(found)
    out.print(f"{found['window']['start']} → {found['window']['end']}: {len(found['anomalies'])} anomalies",
              markup=False)
    _table(["score", "kind", "service", "host", "level", "lines", "first", "template", "why"],
           [[a["score"], a["kind"], a["service"], a["host"], a["level"], a["count"], a.get("first_seen", ""),
             (a["template"] or "")[:100], a["reason"]] for a in found["anomalies"]])


def _sequences(url: str | None, config: str | None, since: str | None, until: str | None, lookback: str,
               size: int, key: str, as_json: bool) -> None:
    found = _call(url, config, "GET", "/api/v1/anomalies/sequences", params={
        "since": since, "until": until, "lookback": lookback, "size": size, "key": key})
    if as_json:
        return _print(found)
    texts = found["templates"]

    def text(tid: int | None) -> str:
        return "(the end)" if tid is None else (texts.get(str(tid)) or f"template {tid}")[:160]

    out.print(f"{found['window']['start']} → {found['window']['end']}: {found['deviating']} of {found['checked']} "
              f"{key}s deviate (learned from {found['learned']})", markup=False)
    for s in found["sequences"]:
        out.print(f"{s['key']}, step {s['position'] + 1}", markup=False)
        out.print(f"   after:   {text(s['context'][-1]) if s['context'] else '(the start)'}", markup=False)
        out.print(f"   got:     {text(s['got'])}", markup=False)
        out.print(f"   usually: {'; '.join(text(e) for e in s['expected']) or '(never seen)'}", markup=False)
    return None


def rca_command(since: Annotated[str | None, typer.Option(help="start of the stretch")] = None,
                until: UntilOpt = None,
                request: Annotated[str | None, typer.Option(help="the stretch of this request (req-…)")] = None,
                instance: Annotated[str | None, typer.Option(help="the stretch of this instance's requests")] = None,
                alert: Annotated[str | None, typer.Option(
                    help="the latest episode of this alert rule (id or name), from before it breached to when it fired")] = None,
                group: Annotated[str | None, typer.Option(help="with --alert: one group's group_key (in venus alerts list --json)")] = None,
                lookback: Annotated[str, typer.Option(help="the baseline before the stretch")] = "1d",
                size: Annotated[int, typer.Option(min=1, max=100)] = 5,
                as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Root-cause candidates of a stretch of time, a request, an instance or an alert, the likeliest first."""
    found = _call(url, config, "GET", "/api/v1/rca", params={
        "since": since, "until": until, "request": request, "instance": instance, "alert": alert, "group": group,
        "lookback": lookback, "size": size})
    if as_json:
        return _print(found)
    if episode := found.get("alert"):
        labels = ", ".join(f"{k}={v}" for k, v in episode["labels"].items())
        out.print(f"alert {episode['rule']} ({labels}): breached {episode['breached_at']}, "
                  f"fired {episode['fired_at'] or 'not yet'}", markup=False)
    out.print(f"{found['window']['start']} → {found['window']['end']}", markup=False)
    for rank, c in enumerate(found["candidates"], 1):
        parts = ", ".join(f"{k} {v}" for k, v in c["parts"].items())
        out.print(f"{rank}. {c['service']} on {c['host']} ({c['level']}, {c['kind']}, score {c['score']}: {parts})",
                  markup=False)
        out.print(f"   {(c['template'] or '')[:200]}", markup=False)
        out.print(f"   {c['reason']}", markup=False)
        for line in c["evidence"][:2]:
            out.print(f"   {line['ts']} {line['host']} {line['program']}: {line['message'][:200]}", markup=False)
