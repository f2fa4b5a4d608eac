"""Request bodies checked against pydantic models; the first fault becomes a BadRequest that
names the field ('thresholds.0.from'), so every API and the CLI report bad input the same way."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from venus.errors import BadRequest

M = TypeVar("M", bound=BaseModel)


def field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validated(model: type[M], data: Any, prefix: str = "") -> M:
    """`data` as a `model`, or BadRequest naming the first bad field (with `prefix`)."""
    if not isinstance(data, dict):
        raise BadRequest(f"{prefix or 'body'}: expected a JSON object", field=prefix or "body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = field_path(tuple(p for p in (prefix, *first["loc"]) if p != ""))
        if first["type"] == "extra_forbidden":
            known = ", ".join(sorted(f.alias or name for name, f in model.model_fields.items()))
            message = f"{path}: unknown field" + ("" if "." in path else f" (known: {known})")
        else:
            message = f"{path}: {first['msg'].removeprefix('Value error, ')}"
        raise BadRequest(message, field=path) from None
