"""Static API tokens: for clouds without Keystone and for the agent. A token is 32 random bytes
shown once when it is made; the metadata store keeps only its SHA-256 (a token is random, so a
plain digest cannot be reversed by guessing), its roles and the project it acts for. Checking a
token is one indexed lookup of its digest, remembered for CACHE_SECONDS so a busy agent does not
hit the metadata store on every batch; revoking through this process forgets it at once."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from venus.auth.identity import Identity
from venus.errors import BadRequest, NotFound
from venus.meta.models import ApiToken
from venus.meta.store import MetadataStore, db_now, from_db, to_db
from venus.store.scope import valid_project_id

PREFIX = "vns_"  # every token starts so, which tells it from a Keystone token at a glance
# As Keystone's roles under the policy (venus.auth.policy); ingest: sending logs (the agent, shippers).
ROLES = ("admin", "reader", "member", "ingest")
CACHE_SECONDS = 30.0


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def is_api_token(secret: str) -> bool:
    return secret.startswith(PREFIX)


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    secret: str  # shown once


def create_token(meta: MetadataStore, name: str, roles: list[str], project_id: str = "",
                 expires_at: datetime | None = None, description: str = "") -> NewToken:
    """A new token, or BadRequest naming the field that is wrong."""
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise BadRequest("name: 1 to 255 characters", field="name")
    if not roles:
        raise BadRequest(f"roles: at least one of {', '.join(ROLES)}", field="roles")
    if bad := [r for r in roles if r not in ROLES]:
        raise BadRequest(f"roles: {bad[0]!r} is not one of {', '.join(ROLES)}", field="roles")
    if project_id and not valid_project_id(project_id):
        raise BadRequest("project_id: 1 to 64 letters, digits or _ . @ : - (a Keystone project id)",
                         field="project_id")
    if expires_at is not None and to_db(expires_at) <= db_now():
        raise BadRequest("expires_at: must be in the future", field="expires_at")
    meta.require_free_name(ApiToken, name, None, "a token")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(id=uuid.uuid4().hex, name=name, digest=digest(secret), prefix=secret[:10],
                   roles=sorted(set(roles)), project_id=project_id, description=description, create_time=db_now(),
                   expires_at=expires_at and to_db(expires_at), revoked_at=None)
    with meta.session() as s:
        s.add(row)
    return NewToken(row, secret)


def token_view(row: ApiToken) -> dict:
    """A token as listed: never its secret, only the first characters to recognise it."""
    state = "revoked" if row.revoked_at else "expired" if row.expires_at and row.expires_at <= db_now() else "active"
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "roles": row.roles, "project_id": row.project_id,
            "description": row.description, "create_time": from_db(row.create_time),
            "expires_at": from_db(row.expires_at), "revoked_at": from_db(row.revoked_at), "state": state}


def list_tokens(meta: MetadataStore) -> list[ApiToken]:
    with meta.session() as s:
        return list(s.scalars(select(ApiToken).order_by(ApiToken.name)))


class TokenChecker:
    """Checks presented tokens against the metadata store, with a short cache."""

    def __init__(self, meta: MetadataStore, cache_seconds: float = CACHE_SECONDS) -> None:
        self.meta = meta
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Identity | None, datetime | None]] = {}
        self._lock = threading.Lock()

    def identity(self, secret: str) -> Identity | None:
        """Who the token is, or None when it is unknown, revoked or expired."""
        key = digest(secret)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is None or now - cached[0] > self.cache_seconds:
            with self.meta.session() as s:
                row = s.scalars(select(ApiToken).where(ApiToken.digest == key)).first()
            found = None if row is None or row.revoked_at else Identity(
                f"token:{row.name}", row.project_id, tuple(row.roles), "api-token", row.name)
            cached = (now, found, row.expires_at if row else None)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = cached
        _, found, expires_at = cached
        if found is None or (expires_at is not None and expires_at <= db_now()):
            return None
        return found

    def revoke(self, ident: str) -> ApiToken:
        """Revoke a token by id or name (NotFound otherwise); this process forgets it at once."""
        row = self.meta.find(ApiToken, ident)
        if row is None:
            raise NotFound(f"no API token {ident!r}", field="token")
        with self.meta.session() as s:
            stored = s.get(ApiToken, row.id)
            if stored is not None and stored.revoked_at is None:
                stored.revoked_at = db_now()
            row = stored or row
        with self._lock:
            self._cache.pop(row.digest, None)
        return row
