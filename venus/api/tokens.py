"""Static API tokens over HTTP (admin only): list, create (the secret is in the answer, once),
revoke (`venus tokens` does the same on the metadata store directly); who a token is; and, for the
console, how this server authenticates and a Keystone login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.auth.keystone_login import Credentials, log_in
from venus.auth.tokens import create_token, list_tokens, token_view
from venus.errors import NotFound
from venus.query.timerange import duration_seconds
from venus.store.scope import project_scope
from venus.validation import validated

MAX_EXPIRY_DAYS = 3650


class LoginSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=4096)
    project: str = Field(min_length=1, max_length=255)
    user_domain: str = Field("Default", min_length=1, max_length=255)
    project_domain: str = Field("Default", min_length=1, max_length=255)


class TokenSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    roles: list[str] = Field(min_length=1, max_length=8)
    project_id: str = Field("", max_length=64)
    description: str = Field("", max_length=4096)
    expires_in: Annotated[float | None, BeforeValidator(duration_seconds),
                          Field(gt=0, le=MAX_EXPIRY_DAYS * 86400)] = None


def mount_tokens(app: FastAPI) -> None:
    router = APIRouter(tags=["tokens"])

    @router.get("/api/v1/whoami", tags=["auth"])
    def whoami(request: Request) -> JSON:
        """Who the request's token is: user, project, roles, how it was authenticated, and the project its
        reads are confined to under tenant scoping (null: every project)."""
        identity = request.state.identity
        return JSON({"ok": True, "identity": identity and {
            "user_id": identity.user_id, "user_name": identity.user_name, "project_id": identity.project_id,
            "project_name": identity.project_name, "roles": list(identity.roles), "via": identity.via},
            "project_scope": project_scope.get()})

    @router.get("/api/v1/tokens")
    def tokens(request: Request) -> JSON:
        """Every API token: name, first characters, roles, project, state; never the secret."""
        return JSON({"ok": True, "tokens": [token_view(t) for t in list_tokens(request.app.state.meta)]})

    @router.post("/api/v1/tokens", status_code=201)
    async def create(request: Request) -> JSON:
        """A new token. The answer holds its secret, shown this once."""
        spec = validated(TokenSpec, await json_object(request))
        expires = datetime.now(UTC) + timedelta(seconds=spec.expires_in) if spec.expires_in else None
        made = create_token(request.app.state.meta, spec.name, spec.roles, spec.project_id, expires, spec.description)
        return JSON({"ok": True, "token": token_view(made.row), "secret": made.secret}, status_code=201)

    @router.delete("/api/v1/tokens/{ident}")
    def revoke(request: Request, ident: str) -> JSON:
        """Revoke a token (by id or name): refused from now on, kept in the list as revoked."""
        row = request.app.state.authenticator.tokens.revoke(ident)
        return JSON({"ok": True, "token": token_view(row)})

    app.include_router(router)

    login = APIRouter(tags=["login"])

    @login.get("/api/v1/auth")
    def auth_strategy(request: Request) -> JSON:
        """How this server authenticates, so the console asks for the right thing: a token, or a
        Keystone user and password."""
        return JSON({"ok": True, "strategy": request.app.state.settings.api.auth_strategy})

    @login.post("/api/v1/auth/keystone")
    async def keystone_login(request: Request) -> JSON:
        """Log in to Keystone (auth_strategy = keystone): the token, its expiry, and Venus's public
        endpoints by region from the catalog. Keystone decides; a refusal is a 401 naming the
        password."""
        settings = request.app.state.settings
        if settings.api.auth_strategy != "keystone":
            raise NotFound("this server does not use Keystone ([api] auth_strategy)", field="auth_strategy")
        given = validated(LoginSpec, await json_object(request))
        return JSON({"ok": True, **await run_in_threadpool(
            log_in, vars(settings.keystone_authtoken), Credentials(**given.model_dump()))})

    app.include_router(login)
