"""Tables of the metadata store, as SQLAlchemy 2 declarative models.

Times are stored in UTC without a zone; the /v1 API writes them as the original did.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CustomConfig(Base):
    """Settings operators change at run time (retention, size cap); one row per key."""

    __tablename__ = "custom_config"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(10240))
    update_time: Mapped[datetime] = mapped_column(DateTime)


class RuleFields:
    """What a rule says and each of its records repeats (a record outlives its rule's edits)."""

    title: Mapped[str] = mapped_column(String(1024))
    desc: Mapped[str] = mapped_column(String(1024))
    keyword: Mapped[str] = mapped_column(String(1024))
    log_type: Mapped[str] = mapped_column(String(1024))
    module: Mapped[str] = mapped_column(String(1024))


class AnomalyRule(RuleFields, Base):
    """A keyword rule of the original Venus: lines of `module` (a service or a program) whose
    message holds `keyword` become anomaly records. `flag` 1 is enabled, 0 disabled."""

    __tablename__ = "anomaly_rules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flag: Mapped[int] = mapped_column(Integer, default=1)
    create_time: Mapped[datetime] = mapped_column(DateTime, index=True)
    update_time: Mapped[datetime] = mapped_column(DateTime)


class AnomalyRecord(RuleFields, Base):
    """One line that matched a rule, with the rule's fields and the detection window."""

    __tablename__ = "anomaly_records"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    logs: Mapped[str] = mapped_column(Text)
    line_id: Mapped[str] = mapped_column(String(512))
    start_time: Mapped[datetime] = mapped_column(DateTime)
    end_time: Mapped[datetime] = mapped_column(DateTime)
    create_time: Mapped[datetime] = mapped_column(DateTime, index=True)
