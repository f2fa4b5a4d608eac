"""Alerting: rules over the logs, per-group state, silences, and notifications to channels."""
