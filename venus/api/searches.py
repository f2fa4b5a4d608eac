"""Saved searches: a named query with its time range, for the console and the CLI."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import delete, select

from venus.alerts.rules import Query
from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.errors import BadRequest, NotFound
from venus.meta.models import SavedSearch
from venus.meta.store import MetadataStore, db_now, from_db
from venus.query.timerange import parse_time
from venus.validation import validated


def _time(text: str) -> str:
    """ISO, '15m' ago or now: checked, kept as written, read when the search runs."""
    try:
        parse_time(text, "time")
    except BadRequest as exc:
        raise ValueError(exc.message.removeprefix("time: ")) from None
    return text


class SavedSearchSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    query: Query = ""
    since: Annotated[str, Field(max_length=64), AfterValidator(_time)] | None = None
    until: Annotated[str, Field(max_length=64), AfterValidator(_time)] | None = None


def view(row: SavedSearch) -> dict:
    return {"id": row.id, "name": row.name, "query": row.query, "since": row.since, "until": row.until,
            "create_time": from_db(row.create_time), "update_time": from_db(row.update_time)}


def mount_searches(app: FastAPI) -> None:
    router = APIRouter(tags=["saved searches"])

    def meta(request: Request) -> MetadataStore:
        return request.app.state.meta

    def found(request: Request, ident: str) -> SavedSearch:
        row = meta(request).find(SavedSearch, ident)
        if row is None:
            raise NotFound(f"no saved search {ident!r}", field="search")
        return row

    async def checked(request: Request, own_id: str | None = None) -> SavedSearchSpec:
        spec = validated(SavedSearchSpec, await json_object(request))
        meta(request).require_free_name(SavedSearch, spec.name, own_id, "a saved search")
        return spec

    @router.get("/api/v1/searches")
    def list_searches(request: Request) -> JSON:
        with meta(request).session() as s:
            return JSON({"ok": True, "searches": [view(r) for r in s.scalars(
                select(SavedSearch).order_by(SavedSearch.name))]})

    @router.post("/api/v1/searches", status_code=201)
    async def create_search(request: Request) -> JSON:
        spec = await checked(request)
        now = db_now()
        row = SavedSearch(id=uuid.uuid4().hex, **spec.model_dump(), create_time=now, update_time=now)
        with meta(request).session() as s:
            s.add(row)
        return JSON({"ok": True, "search": view(row)}, status_code=201)

    @router.get("/api/v1/searches/{ident}")
    def get_search(request: Request, ident: str) -> JSON:
        return JSON({"ok": True, "search": view(found(request, ident))})

    @router.put("/api/v1/searches/{ident}")
    async def replace_search(request: Request, ident: str) -> JSON:
        row = found(request, ident)
        spec = await checked(request, row.id)
        with meta(request).session() as s:
            stored = s.get(SavedSearch, row.id)
            if stored is None:
                raise NotFound(f"no saved search {ident!r}", field="search")
            for key, value in spec.model_dump().items():
                setattr(stored, key, value)
            stored.update_time = db_now()
            return JSON({"ok": True, "search": view(stored)})

    @router.delete("/api/v1/searches/{ident}")
    def delete_search(request: Request, ident: str) -> JSON:
        row = found(request, ident)
        with meta(request).session() as s:
            s.execute(delete(SavedSearch).where(SavedSearch.id == row.id))
        return JSON({"ok": True, "deleted": row.id})

    app.include_router(router)
