"""Scheduled tasks (list, change the schedule, enable, run now, past runs) and the runtime
settings (retention, size cap, record and history days)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.errors import BadRequest, NotFound
from venus.meta import custom_config
from venus.meta.store import MetadataStore
from venus.store.clickhouse import ClickHouseStore
from venus.tasks.retention import set_table_ttl
from venus.tasks.scheduler import Scheduler
from venus.validation import validated


class TaskChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: str | None = Field(None, max_length=255)
    enabled: bool | None = None


def set_runtime_setting(store: ClickHouseStore, meta: MetadataStore, key: str, value: Any) -> str:
    """Check, store and apply one runtime setting; returns the value as stored."""
    text = custom_config.check_value(key, value)
    meta.set_config(key, text)
    if key in ("log_save_days", "log_retention"):
        set_table_ttl(store, meta.config())
    return text


def config_view(values: dict[str, str]) -> list[dict]:
    return [{"key": key, "value": values.get(key, k.default), "default": k.default, "help": k.help}
            for key, k in custom_config.KEYS.items()]


def mount_tasks(app: FastAPI) -> None:
    router = APIRouter(tags=["tasks"])

    def scheduler(request: Request) -> Scheduler:
        return request.app.state.scheduler

    @router.get("/api/v1/tasks")
    def list_tasks(request: Request) -> JSON:
        """Every task: schedule, enabled, next run, whether it runs now and where, the last run."""
        return JSON({"ok": True, "node": scheduler(request).node, "tasks": scheduler(request).describe()})

    @router.get("/api/v1/tasks/runs")
    def all_runs(request: Request, limit: Annotated[int, Query(ge=1, le=10_000)] = 50) -> JSON:
        return JSON({"ok": True, "runs": scheduler(request).runs(None, limit)})

    @router.get("/api/v1/tasks/{name}")
    def get_task(request: Request, name: str) -> JSON:
        return JSON({"ok": True, "task": scheduler(request).task(name)})

    @router.patch("/api/v1/tasks/{name}")
    async def change_task(request: Request, name: str) -> JSON:
        """`schedule` (30s, 10m, 1h, or cron such as '*/5 * * * *') and/or `enabled`."""
        change = validated(TaskChange, await json_object(request))
        if change.schedule is None and change.enabled is None:
            raise BadRequest("body: give schedule and/or enabled", field="body")
        return JSON({"ok": True, "task": scheduler(request).change(name, change.schedule, change.enabled)})

    @router.post("/api/v1/tasks/{name}/run")
    async def run_task(request: Request, name: str) -> JSON:
        """Run the task now on this node and answer when it has finished (429 if it is running)."""
        run = await run_in_threadpool(scheduler(request).run_now, name)
        return JSON({"ok": run["outcome"] == "ok", "run": run})

    @router.get("/api/v1/tasks/{name}/runs")
    def task_runs(request: Request, name: str, limit: Annotated[int, Query(ge=1, le=10_000)] = 50) -> JSON:
        return JSON({"ok": True, "runs": scheduler(request).runs(name, limit)})

    # -- runtime settings --------------------------------------------------------------------

    @router.get("/api/v1/config", tags=["config"])
    def get_config(request: Request) -> JSON:
        """The runtime settings with their defaults and help."""
        return JSON({"ok": True, "settings": config_view(request.app.state.meta.config())})

    @router.get("/api/v1/config/{key}", tags=["config"])
    def get_setting(request: Request, key: str) -> JSON:
        if key not in custom_config.KEYS:
            raise NotFound(f"no setting {key[:64]!r}; settings: {', '.join(custom_config.KEYS)}", field="key")
        return JSON({"ok": True, **next(s for s in config_view(request.app.state.meta.config()) if s["key"] == key)})

    @router.put("/api/v1/config/{key}", tags=["config"])
    async def put_setting(request: Request, key: str) -> JSON:
        """Change one setting: body {"value": ...}; checked, stored, applied at once."""
        data = await json_object(request)
        unknown = min(set(data) - {"value"}, default=None)
        if unknown:
            raise BadRequest(f"{unknown}: unknown field (send {{\"value\": ...}})", field=unknown)
        app_state = request.app.state
        text = await run_in_threadpool(set_runtime_setting, app_state.store, app_state.meta, key, data.get("value"))
        return JSON({"ok": True, "key": key, "value": text})

    app.include_router(router)
