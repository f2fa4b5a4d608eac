"""JSON responses in Venus's one JSON format (venus.jsonfmt)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from venus.jsonfmt import dumps


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
