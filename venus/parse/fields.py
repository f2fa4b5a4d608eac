"""Combining the fields that several readers find in one line."""

from __future__ import annotations


def merge(fields: dict, extra: dict) -> dict:
    """Add `extra` to `fields`; `attrs` are combined key by key rather than replaced."""
    before = fields.get("attrs")
    fields.update(extra)
    if before and "attrs" in extra:
        fields["attrs"] = {**before, **extra["attrs"]}
    return fields
