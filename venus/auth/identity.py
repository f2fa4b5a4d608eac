"""`Identity`: who sent a request, as every handler sees it, whatever authenticated it."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"


@dataclass(frozen=True)
class Identity:
    user_id: str
    project_id: str
    roles: tuple[str, ...]
    via: str  # noauth | config-token | api-token | keystone
    user_name: str = ""
    project_name: str = ""


def describe(identity: Identity | None) -> str:
    """Who, as an error message names them."""
    if identity is None:
        return "a request without a token"
    who = identity.user_name or identity.user_id
    return f"{who} (roles: {', '.join(identity.roles) or 'none'})"


def noauth_identity(token: str) -> Identity:
    """The original Venus's noauth: any token, read as user:project (just user: project = user),
    with every right."""
    user, _, project = token.partition(":")
    return Identity(user or "admin", project or user or "admin", (ADMIN,), "noauth")


CONFIG_TOKEN = Identity("config-token", "", (ADMIN,), "config-token", "[api] auth_token")
