"""One error shape for every response: {"ok": false, "error": ..., "status": ..., "field": ...}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from venus.api.responses import JSON
from venus.api.v1 import is_v1_path
from venus.errors import ParseError, VenusError

log = logging.getLogger(__name__)


def error_response(status: int, message: str, field: str | None = None, **extra: object) -> JSON:
    body: dict = {"ok": False, "error": message, "status": status}
    if field:
        body["field"] = field
    body.update(extra)
    return JSON(body, status_code=status)


def _answer(request: Request, exc: Exception, status: int, message: str, field: str | None = None,
            **extra: object) -> JSON:
    """Our error shape, or the original's on a /v1 path."""
    if is_v1_path(request.url.path):
        from venus.api.v1.routes import v1_error_body
        status, body = v1_error_body(exc, status, message, field)
        return JSON(body, status_code=status)
    return error_response(status, message, field, **extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VenusError)
    async def venus_error(request: Request, exc: VenusError) -> JSON:
        extra: dict = {"expected_offset": exc.expected} if hasattr(exc, "expected") else {}
        if isinstance(exc, ParseError):  # where the query goes wrong, for a console to point at
            extra.update(position=exc.position, reason=exc.reason)
        response = _answer(request, exc, exc.status, exc.message, exc.field, **extra)
        if hasattr(exc, "retry_after"):  # Overloaded: the client retries after this many seconds
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSON:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path", "header")]
        field = ".".join(loc) or None
        return _answer(request, exc, 400, f"{field or 'request'}: {first.get('msg', 'invalid value')}", field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSON:
        return _answer(request, exc, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSON:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _answer(request, exc, 500, "internal error; the server log has the details")
