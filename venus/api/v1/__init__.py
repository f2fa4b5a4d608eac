"""The original OpenStack Venus's `/v1` API (docs/v1-api.md)."""
