"""HTTP: the native API, ingest endpoints, error shape and authentication."""
