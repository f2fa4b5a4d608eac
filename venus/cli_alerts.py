"""`venus alerts …`, `venus tasks …` and `venus config get|set`: the alerting, scheduling and
runtime-settings API of a running server, from the shell. Each command is one or two API calls;
the server checks everything and its error (naming the field) is printed as is."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional

import orjson
import typer

from venus.cli_common import ConfigOpt, JsonOpt, UrlOpt, _call, _fail, _print, _table
from venus.errors import BadRequest
from venus.jsonfmt import dumps

alerts_app = typer.Typer(help="Alert rules, alerts, silences; try a rule on the logs.", no_args_is_help=True)
tasks_app = typer.Typer(help="Scheduled tasks: list, run now, change the schedule.", no_args_is_help=True)

def _read_json(source: str) -> dict:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
        data = orjson.loads(text)
    except (OSError, orjson.JSONDecodeError) as exc:
        _fail(BadRequest(f"{source}: {exc}", field="file"))
    if not isinstance(data, dict):
        _fail(BadRequest(f"{source}: expected a JSON object (one rule)", field="file"))
    return data


# -- alerts ------------------------------------------------------------------------------------

@alerts_app.command("rules")
def rules(as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """List the alert rules with how many of their groups are pending and firing."""
    found = _call(url, config, "GET", "/api/v1/alerts/rules")["rules"]
    if as_json:
        return _print(found)
    _table(["name", "enabled", "condition", "threshold", "window", "group by", "pending", "firing"],
           [[r["name"], r["enabled"], f"{r['condition']} {r['op']}" if r["condition"] != "absence" else "absence",
             r["threshold"], f"{r['window']:g}s", ",".join(r["group_by"]), r["states"]["pending"],
             r["states"]["firing"]] for r in found])


@alerts_app.command("add")
def add(file: Annotated[str, typer.Argument(help="a JSON file with one rule ('-': standard input)")],
        url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Create a rule from a JSON file (docs/alerts.md lists the fields)."""
    rule = _call(url, config, "POST", "/api/v1/alerts/rules", json=_read_json(file))["rule"]
    typer.echo(f"rule {rule['name']!r} created ({rule['id']})")


@alerts_app.command("delete")
def delete(name: Annotated[str, typer.Argument(help="rule name or id")], url: UrlOpt = None,
           config: ConfigOpt = None) -> None:
    """Delete a rule (its history stays)."""
    _call(url, config, "DELETE", f"/api/v1/alerts/rules/{name}")
    typer.echo(f"rule {name!r} deleted")


@alerts_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="rule name or id")], url: UrlOpt = None,
           config: ConfigOpt = None) -> None:
    """Evaluate the rule again."""
    _call(url, config, "PATCH", f"/api/v1/alerts/rules/{name}", json={"enabled": True})
    typer.echo(f"rule {name!r} enabled")


@alerts_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="rule name or id")], url: UrlOpt = None,
            config: ConfigOpt = None) -> None:
    """Stop evaluating the rule (its groups keep their last state)."""
    _call(url, config, "PATCH", f"/api/v1/alerts/rules/{name}", json={"enabled": False})
    typer.echo(f"rule {name!r} disabled")


@alerts_app.command("list")
def list_alerts(state: Annotated[Optional[list[str]], typer.Option(help="pending, firing, resolved")] = None,
                rule: Annotated[Optional[str], typer.Option(help="only this rule")] = None,
                as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """The alerts that are pending, firing or resolved, newest change first."""
    params: dict = {"state": state} if state else {}
    if rule:
        params["rule"] = rule
    found = _call(url, config, "GET", "/api/v1/alerts", params=params)["alerts"]
    if as_json:
        return _print(found)
    _table(["state", "since", "rule", "group", "value", "threshold"],
           [[a["state"], a["since"], a["rule"], ", ".join(f"{k}={a['labels'][k]}" for k in a["labels"]
                                                           if k not in ("alertname", "severity")),
             f"{a['value']:.4g}" if a["value"] is not None else "", a["threshold"]] for a in found])


@alerts_app.command("history")
def history(rule: Annotated[Optional[str], typer.Option(help="only this rule")] = None,
            limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
            as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """State changes and notifications (sent, retrying, failed, silenced), newest first."""
    params: dict = {"limit": limit, **({"rule": rule} if rule else {})}
    events = _call(url, config, "GET", "/api/v1/alerts/history", params=params)["events"]
    if as_json:
        return _print(events)
    _table(["time", "rule", "kind", "state", "channel", "status", "error"],
           [[e["time"], e["rule"], e["kind"], e["state"] if e["kind"] == "notification" else
             f"{e['previous']} → {e['state']}", e["channel"], e["status"], e["error"]] for e in events])


def _matcher(text: str) -> dict:
    for op in ("=~", "!~", "!=", "="):
        name, sep, value = text.partition(op)
        if sep and name:
            return {"name": name.strip(), "op": op, "value": value}
    raise typer.BadParameter(f"{text!r}: write name=value, name!=value, name=~regex or name!~regex")


@alerts_app.command("silence")
def silence(matchers: Annotated[list[str], typer.Argument(help="label matchers: program=nova-compute, host=~cmp.*")],
            duration: Annotated[str, typer.Option("--for", help="how long: 30m, 2h, 1d")] = "2h",
            comment: Annotated[str, typer.Option(help="why (shown with the silence)")] = "",
            url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Hold back the notifications of the alerts whose labels match, from now for --for."""
    from venus.query.timerange import duration_seconds

    try:
        seconds = duration_seconds(duration)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--for") from None
    import getpass

    body = {"matchers": [_matcher(m) for m in matchers], "comment": comment, "created_by": getpass.getuser(),
            "ends_at": (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()}
    made = _call(url, config, "POST", "/api/v1/silences", json=body)["silence"]
    typer.echo(f"silence {made['id']} until {made['ends_at']}")


@alerts_app.command("silences")
def silences(expired: Annotated[bool, typer.Option(help="also the expired ones")] = False,
             as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """The silences in force (and those to come)."""
    found = _call(url, config, "GET", "/api/v1/silences", params={"expired": str(expired).lower()})["silences"]
    if as_json:
        return _print(found)
    _table(["id", "active", "matchers", "from", "until", "by", "comment"],
           [[x["id"], x["active"], " ".join(f"{m['name']}{m['op']}{m['value']}" for m in x["matchers"]),
             x["starts_at"], x["ends_at"], x["created_by"], x["comment"]] for x in found])


@alerts_app.command("unsilence")
def unsilence(silence_id: str, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """End a silence now."""
    _call(url, config, "DELETE", f"/api/v1/silences/{silence_id}")
    typer.echo(f"silence {silence_id} expired")


@alerts_app.command("test")
def test(rule: Annotated[str, typer.Argument(help="a JSON file with a rule ('-': standard input), or a rule's name")],
         at: Annotated[Optional[str], typer.Option(help="evaluate as at this time (ISO, or '1h' ago)")] = None,
         as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """What a rule finds in the logs now (or --at): each group's value and whether it breaches.
    Nothing is stored or sent. Exits 1 when a group breaches."""
    params = {"at": at} if at else {}
    if rule == "-" or Path(rule).is_file():
        result = _call(url, config, "POST", "/api/v1/alerts/rules/preview", json=_read_json(rule), params=params)
    else:
        result = _call(url, config, "POST", f"/api/v1/alerts/rules/{rule}/preview", params=params)
    if as_json:
        _print(result)
    else:
        typer.echo(f"at {result['at']}, threshold {result['threshold']:g}: {result['breached']} of "
                   f"{len(result['groups'])} groups breach")
        _table(["breach", "group", "value", "lines"],
               [["!" if g["breached"] else "", ", ".join(f"{k}={v}" for k, v in g["group"].items()) or "(all)",
                 f"{g['value']:.4g}", g["count"]] for g in result["groups"]])
    raise typer.Exit(1 if result["breached"] else 0)


# -- tasks -------------------------------------------------------------------------------------

@tasks_app.command("list")
def tasks_list(as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Every task: schedule, next run, the last run's outcome."""
    found = _call(url, config, "GET", "/api/v1/tasks")["tasks"]
    if as_json:
        return _print(found)
    _table(["task", "enabled", "schedule", "next run", "last run", "took", "outcome", "error"],
           [[t["name"], t["enabled"], t["schedule"], t["next_run"], t["last_run"],
             f"{t['last_duration']:.3f}s" if t["last_duration"] is not None else "",
             "running on " + t["running_on"] if t["running"] else t["last_outcome"], t["last_error"]]
            for t in found])


@tasks_app.command("run")
def tasks_run(name: str, as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Run a task now on the server and wait for it; exits 1 when it failed."""
    run = _call(url, config, "POST", f"/api/v1/tasks/{name}/run")["run"]
    if as_json:
        _print(run)
    else:
        typer.echo(f"{name}: {run['outcome']} in {run['duration']:.3f}s" +
                   (f": {run['error']}" if run["error"] else f" {dumps(run['result']).decode()}"))
    raise typer.Exit(0 if run["outcome"] == "ok" else 1)


@tasks_app.command("set")
def tasks_set(name: str,
              schedule: Annotated[Optional[str], typer.Option(help="30s, 10m, 1h, or cron: '*/5 * * * *'")] = None,
              enabled: Annotated[Optional[bool], typer.Option("--enable/--disable")] = None,
              url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Change a task's schedule, or enable or disable it."""
    body = {k: v for k, v in (("schedule", schedule), ("enabled", enabled)) if v is not None}
    if not body:
        raise typer.BadParameter("give --schedule, --enable or --disable")
    task = _call(url, config, "PATCH", f"/api/v1/tasks/{name}", json=body)["task"]
    typer.echo(f"{name}: {task['schedule']}, {'enabled' if task['enabled'] else 'disabled'}, "
               f"next run {task['next_run']}")


@tasks_app.command("runs")
def tasks_runs(name: Annotated[Optional[str], typer.Argument()] = None,
               limit: Annotated[int, typer.Option(min=1, max=10000)] = 20,
               as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """The last runs (of one task), newest first, with the node that ran each."""
    path = f"/api/v1/tasks/{name}/runs" if name else "/api/v1/tasks/runs"
    found = _call(url, config, "GET", path, params={"limit": limit})["runs"]
    if as_json:
        return _print(found)
    _table(["started", "task", "node", "took", "outcome", "error"],
           [[r["started"], r["task"], r["node"], f"{r['duration']:.3f}s" if r["duration"] is not None else "",
             r["outcome"], r["error"]] for r in found])


# -- runtime settings (registered under `venus config`) -----------------------------------------

def config_get(key: Annotated[Optional[str], typer.Argument(help="one setting")] = None,
               as_json: JsonOpt = False, url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """The runtime settings (retention, size cap, record days) of the running server."""
    if key:
        found = [_call(url, config, "GET", f"/api/v1/config/{key}")]
    else:
        found = _call(url, config, "GET", "/api/v1/config")["settings"]
    if as_json:
        return _print(found if not key else found[0])
    _table(["setting", "value", "default", "meaning"], [[s["key"], s["value"], s["default"], s["help"]] for s in found])


def config_set(key: str, value: Annotated[str, typer.Argument(help="the new value (log_retention: JSON)")],
               url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Change a runtime setting on the running server: checked, stored, applied at once."""
    stored = _call(url, config, "PUT", f"/api/v1/config/{key}", json={"value": value})
    typer.echo(f"{key} = {stored['value']}")
