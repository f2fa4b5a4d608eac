"""The original OpenStack Venus's `/v1` API (docs/v1-api.md)."""

OTLP_PATH = "/v1/logs"  # OTLP/HTTP's own path (venus.api.receivers): under /v1, not part of this API


def is_v1_path(path: str) -> bool:
    """Whether a request path is the original API's: its auth, headers and error shapes apply."""
    return (path == "/v1" or path.startswith("/v1/")) and path != OTLP_PATH
