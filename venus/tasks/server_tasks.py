"""The tasks `venus serve` schedules, bound to its stores and settings."""

from __future__ import annotations

from venus.alerts.engine import evaluate_all
from venus.analysis.typical import Signature
from venus.config import Settings
from venus.errors import BadRequest
from venus.meta.store import MetadataStore, now_utc
from venus.reports.schedules import run_due
from venus.reports.stored import reports_dir
from venus.store.clickhouse import ClickHouseStore
from venus.tasks.cleanup import clean_up
from venus.tasks.keyword_rules import detect_keyword_anomalies
from venus.tasks.retention import apply_retention
from venus.tasks.scheduler import TaskDef
from venus.tasks.schedules import SHORTEST


def external_url(settings: Settings) -> str:
    """Where people reach this Venus, for links in notifications."""
    if settings.alerts.external_url:
        return settings.alerts.external_url.rstrip("/")
    host = settings.api.host
    return f"http://{'[' + host + ']' if ':' in host else host}:{settings.api.port}"


def server_tasks(settings: Settings, store: ClickHouseStore, meta: MetadataStore,
                 signatures: tuple[Signature, ...]) -> list[TaskDef]:
    by_id = {s.id: s for s in signatures}
    url = external_url(settings)
    anomaly_interval = settings.v1.anomaly_detect_interval
    if 0 < anomaly_interval < SHORTEST:
        raise BadRequest(f"[v1] anomaly_detect_interval: 0 (off) or at least {SHORTEST:g} s",
                         field="[v1] anomaly_detect_interval")
    return [
        TaskDef("alerts", "Evaluate the alert rules; send the notifications due (retries included)",
                lambda: evaluate_all(store, meta, by_id, url), f"{settings.alerts.evaluation_interval:g}s",
                lease=600),
        TaskDef("anomaly_rules", "Match the /v1 keyword anomaly rules against the lines stored since their "
                "watermark; write records", lambda: {"records": detect_keyword_anomalies(store, meta, external_url=url)},
                f"{anomaly_interval or 60:g}s", enabled=bool(anomaly_interval), lease=600),
        TaskDef("retention", "Delete the logs past log_save_days and log_retention; drop the oldest days "
                "over log_max_gb", lambda: apply_retention(store, meta.config()), "10m"),
        TaskDef("reports", "Make the scheduled reports that are due, keep them and send them to their channels; "
                "drop the kept reports past [reports] keep_days",
                lambda: run_due(store, meta, signatures, now_utc(), reports_dir(settings), url,
                                settings.tasks.timezone, settings.reports.keep_days), "1m", lease=900),
        TaskDef("cleanup", "Delete anomaly records past anomaly_record_save_days, and alert history, "
                "notifications and task runs past alert_history_days", lambda: clean_up(meta, meta.config()), "1h"),
    ]
