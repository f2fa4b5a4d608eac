"""The original Venus's index families as queries: `flog` is the logs of OpenStack and the platform
services it knows (nova, neutron, mariadb, rabbitmq, haproxy, ...), `slog` every other line (the
operating system: kernel, sshd, cron, ...)."""

from __future__ import annotations

from venus.parse.paths import KNOWN_SERVICES
from venus.query.ast import Node, Not, Or, Term

FAMILIES = ("flog", "slog")
_SERVICES = Or(tuple(Term("service", "word", s) for s in KNOWN_SERVICES))


def family(name: str) -> Node:
    if name not in FAMILIES:
        raise ValueError(f"unknown log family {name!r}")
    return _SERVICES if name == "flog" else Not(_SERVICES)
