"""DDL for the log table and its companions, generated from venus.model.

The same statements run on the embedded chdb engine and on a ClickHouse server; `migrate`
brings an existing table up to date (new columns, retention) without touching its data.
"""

from __future__ import annotations

from venus.model import COLUMNS, DERIVED, Column

LOG_TABLE = "logs"
CHECKPOINT_TABLE = "import_checkpoints"

# Identifier columns are looked up by exact value; a bloom filter skips the granules without it.
BLOOM_COLUMNS = ("request_id", "global_request_id", "instance_id", "user_id", "project_id")


def column_definition(c: Column) -> str:
    computed = f" MATERIALIZED {c.materialized}" if c.materialized else ""
    return f"`{c.name}` {c.ch_type}{computed} CODEC({c.codec})"


def column_ddl() -> list[str]:
    return [column_definition(c) for c in COLUMNS + DERIVED]


def index_ddl() -> list[str]:
    indexes = [f"INDEX idx_{name} {name} TYPE bloom_filter(0.01) GRANULARITY 1" for name in BLOOM_COLUMNS]
    # Case-insensitive word search: the preprocessor lowers both the stored tokens and the needles.
    indexes.append("INDEX idx_message message TYPE text(tokenizer = splitByNonAlpha, "
                   "preprocessor = lower(message))")
    # Live tail asks for the newest lines by the time they were stored.
    indexes.append("INDEX idx_received received TYPE minmax GRANULARITY 1")
    return indexes


def ttl_clause(retention_days: int) -> str:
    return f"TTL received + INTERVAL {int(retention_days)} DAY DELETE" if retention_days > 0 else ""


def create_log_table(database: str, retention_days: int) -> str:
    body = ",\n  ".join(column_ddl() + index_ddl())
    return (
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{LOG_TABLE}` (\n  {body}\n)\n"
        "ENGINE = MergeTree\n"
        "PARTITION BY toDate(ts)\n"
        "ORDER BY (host, program, ts)\n"
        f"{ttl_clause(retention_days)}\n"
        # Import batches carry a deduplication token, so a retried batch is not stored twice.
        "SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1"
    )


def create_checkpoint_table(database: str) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{CHECKPOINT_TABLE}` (\n"
        "  host LowCardinality(String), path String, fingerprint String,\n"
        "  offset UInt64, updated DateTime64(6, 'UTC') DEFAULT now64(6),\n"
        "  committing UInt64 DEFAULT 0\n"
        ") ENGINE = ReplacingMergeTree(updated) ORDER BY (host, path, fingerprint)"
    )


def add_checkpoint_committing(database: str) -> str:
    """`committing` (the end of a chunk whose insert may not have finished) came after the table."""
    return (f"ALTER TABLE `{database}`.`{CHECKPOINT_TABLE}` "
            "ADD COLUMN IF NOT EXISTS committing UInt64 DEFAULT 0")
