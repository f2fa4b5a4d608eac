"""The original Venus's index families as queries.

Lines that a shipper sent to an Elasticsearch index keep its name in `attrs.index`
(`flog-2026.05.06`): their family is the index's prefix, as kolla's fluentd chose it. Other lines
(imported files, syslog, ...) are `flog` when they come from OpenStack or a platform service
Venus knows (nova, neutron, mariadb, rabbitmq, haproxy, ...), `slog` otherwise (the operating
system: kernel, sshd, cron, ...)."""

from __future__ import annotations

from venus.parse.paths import KNOWN_SERVICES
from venus.query.ast import And, Missing, Node, Not, Or, Term

FAMILIES = ("flog", "slog")
INDEX_FIELD = "attrs.index"
_SERVICES = Or(tuple(Term("service", "word", s) for s in KNOWN_SERVICES))


def family(name: str) -> Node:
    if name not in FAMILIES:
        raise ValueError(f"unknown log family {name!r}")
    by_service = _SERVICES if name == "flog" else Not(_SERVICES)
    return Or((Term(INDEX_FIELD, "prefix", f"{name}-"), And((Missing(INDEX_FIELD), by_service))))
