"""Work the server does on its own, on a timer: keyword anomaly rules, retention, the size cap."""
