"""Tenant scoping in the store: while a request of a project-scoped identity runs, every read of the
log table sees only the lines of that project.

The scope is a context variable set by the API's policy gate (venus.api.app) and read here, at the
one place every query passes, and applied with ClickHouse's `additional_table_filters`: the server
adds the filter to each read of the table, in subqueries, joins and ARRAY JOINs alike. So no search,
analysis or /v1 feature can forget it, and a feature added later is scoped without knowing. Work
outside a request (alerts, scheduled tasks) has no scope and sees every line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from venus.store.schema import LOG_TABLE

# Keystone ids are 32 hexadecimal digits; LDAP-backed and API-token projects may be other words. A
# setting carries SQL text, not a bound parameter, so only these characters ever reach it: no quote,
# backslash or space, hence nothing that can end the literal.
PROJECT_ID = re.compile(r"[A-Za-z0-9_.@:-]{1,64}")

project_scope: ContextVar[str | None] = ContextVar("venus_project_scope", default=None)


def valid_project_id(project_id: str) -> bool:
    return PROJECT_ID.fullmatch(project_id) is not None


def table_filters(project_id: str | None) -> dict:
    """The query settings that confine reads of the log table to one project's lines; none unscoped."""
    if project_id is None:
        return {}
    if not valid_project_id(project_id):
        raise ValueError(f"not a project id: {project_id!r}")
    return {"additional_table_filters": {LOG_TABLE: f"project_id = '{project_id}'"}}


def scoped_settings() -> dict:
    """The settings of the scope the calling request runs in."""
    return table_filters(project_scope.get())


@contextmanager
def scoped_to(project_id: str | None) -> Iterator[None]:
    """Run a block as a request of `project_id` would (the CLI's and tests' way in)."""
    token = project_scope.set(project_id)
    try:
        yield
    finally:
        project_scope.reset(token)
