"""The `openstack log` commands (cliff): search, chain, stats and alerts, each a table that
`-f json|table|value|csv|yaml` formats as every other `openstack` listing."""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib.command import command

LINE_COLUMNS = (("Time", "ts"), ("Host", "host"), ("Service", "service"), ("Level", "level"),
                ("Request ID", "request_id"), ("Message", "message"))


def _window(parser: argparse.ArgumentParser, since: str) -> None:
    parser.add_argument("--since", metavar="<time>", default=since,
                        help=f"start: a duration back from now (15m, 2h, 7d) or a time (default {since})")
    parser.add_argument("--until", metavar="<time>", help="end: a duration back from now or a time (default now)")


def _lines(lines: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    return (tuple(title for title, _ in LINE_COLUMNS),
            [tuple(line.get(key, "") for _, key in LINE_COLUMNS) for line in lines])


class SearchLogs(command.Lister):
    """Search log lines with Venus's query language, newest first."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("query", metavar="<query>", nargs="?", default="",
                            help="what to find, e.g. 'level:ERROR service:nova' (default: every line)")
        _window(parser, "1h")
        parser.add_argument("--limit", metavar="<n>", type=int, default=50, help="most lines shown (default 50)")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        found = self.app.client_manager.log.get("/api/v1/search", q=args.query, since=args.since,
                                                until=args.until, limit=args.limit, total="false")
        return _lines(found["hits"])


class ShowChain(command.Lister):
    """Every line of one request across services (global or local request id) or of an instance
    (UUID), in time order."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("ident", metavar="<request-or-instance>", help="req-<uuid>, or an instance UUID")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        chain = self.app.client_manager.log.get(f"/api/v1/chain/{args.ident}")
        return _lines(chain["lines"])


class CountLogs(command.Lister):
    """Count lines by one to three fields, the largest groups first."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--by", metavar="<field>", action="append", default=[],
                            help="a field to group by (service, host, level, program…); repeat for more "
                                 "(default: service and level)")
        parser.add_argument("--query", metavar="<query>", default="", help="count only the matching lines")
        _window(parser, "1h")
        parser.add_argument("--limit", metavar="<n>", type=int, default=20, help="most groups shown (default 20)")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        by = args.by or ["service", "level"]
        counted = self.app.client_manager.log.get("/api/v1/crosstab", by=by, q=args.query, since=args.since,
                                                  until=args.until, size=args.limit)
        titles = tuple(field.replace("_", " ").title() for field in by) + ("Count",)
        return titles, [tuple(row["key"][f] for f in by) + (row["count"],) for row in counted["rows"]]


class ListAlerts(command.Lister):
    """Alerts that are pending, firing or resolved, newest change first."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--state", metavar="<state>", action="append", choices=("pending", "firing", "resolved"),
                            help="only alerts in this state; repeat for more")
        parser.add_argument("--rule", metavar="<rule>", help="only this rule's (name or id)")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        found = self.app.client_manager.log.get("/api/v1/alerts", state=args.state, rule=args.rule)
        columns = (("Rule", "rule"), ("Group", "group_key"), ("State", "state"), ("Since", "since"),
                   ("Value", "value"), ("Threshold", "threshold"))
        return (tuple(t for t, _ in columns), [tuple(a[k] for _, k in columns) for a in found["alerts"]])


class ListAlertRules(command.Lister):
    """Alert rules with their query, condition and how many groups are in each state."""

    def take_action(self, args: argparse.Namespace) -> tuple:
        rules = self.app.client_manager.log.get("/api/v1/alerts/rules")["rules"]
        titles = ("Name", "Query", "Condition", "Threshold", "Enabled", "Firing", "Pending")
        return titles, [(r["name"], r["query"], r["condition"], r["threshold"], r["enabled"],
                         r["states"]["firing"], r["states"]["pending"]) for r in rules]


class ShowAlertRule(command.ShowOne):
    """One alert rule, every field of it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("rule", metavar="<rule>", help="its name or id")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple[Any, ...]:
        rule = self.app.client_manager.log.get(f"/api/v1/alerts/rules/{args.rule}")["rule"]
        shown = dict(sorted(rule.items()))
        return tuple(shown), tuple(shown.values())
