"""`MetadataStore`: the engine, its migrations, and the queries the API and tasks make.

Every statement goes through SQLAlchemy with bound values. SQLite (the default) lives in the data
directory; MariaDB and PostgreSQL are reached by URL ([metadata] url).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, delete, select
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from venus.errors import BadRequest, StoreUnavailable
from venus.meta.models import AnomalyRecord, AnomalyRule, Base, Channel, CustomConfig

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Base)

RULE_FIELDS = ("title", "desc", "keyword", "log_type", "module")


def db_now() -> datetime:
    """Now as the tables keep times: UTC, without the zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now_utc() -> datetime:
    """Now, aware, in UTC (what the code compares; to_db turns it into what the tables keep)."""
    return datetime.now(timezone.utc)


def to_db(moment: datetime) -> datetime:
    """An aware time as the tables keep it: UTC, without the zone."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def from_db(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir.resolve() / 'venus.sqlite'}"


class MetadataStore:
    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        try:
            self.engine = create_engine(url, **kwargs)
        except ModuleNotFoundError as exc:
            raise StoreUnavailable(f"[metadata] url needs the Python driver '{exc.name}', which is not installed "
                                   f"(pip install {exc.name})") from exc
        except ArgumentError as exc:
            raise BadRequest(f"[metadata] url: {exc}", field="[metadata] url") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # -- schema ------------------------------------------------------------------------------

    def _alembic(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", "venus.meta:migrations")
        return cfg

    def upgrade(self) -> str:
        """Apply every migration not applied yet; returns the revision now current."""
        cfg = self._alembic()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot reach the metadata store {self.safe_url}: {exc.orig}") from exc
        return self.current() or ""

    def current(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot reach the metadata store {self.safe_url}: {exc.orig}") from exc

    def head(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic()).get_current_head()

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as s:
                yield s
        except OperationalError as exc:
            raise StoreUnavailable(f"metadata store error: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"metadata store error: {str(exc).splitlines()[0]}") from exc

    def close(self) -> None:
        self.engine.dispose()

    # -- named things ------------------------------------------------------------------------

    def find(self, model: type[M], ident: str) -> M | None:
        """A row of a table with `id` and a unique `name` (rules, channels, saved searches) by either."""
        with self.session() as s:
            return s.get(model, ident) or s.scalars(select(model).where(model.name == ident)).first()  # type: ignore[attr-defined]

    def require_free_name(self, model: type[M], name: str, own_id: str | None, what: str) -> None:
        """A 400 naming `name` when another row of the table (rules, channels, saved searches)
        has this name; `own_id` is the row being edited, which may keep its own."""
        with self.session() as s:
            other = s.scalars(select(model.id).where(model.name == name)).first()  # type: ignore[attr-defined]
        if other is not None and other != own_id:
            raise BadRequest(f"name: {what} named {name!r} exists", field="name")

    def unknown_channel(self, names: list[str]) -> int | None:
        """The position of the first name that is no notification channel, or None."""
        with self.session() as s:
            known = set(s.scalars(select(Channel.name)))
        return next((i for i, name in enumerate(names) if name not in known), None)

    # -- custom config -----------------------------------------------------------------------

    def config(self) -> dict[str, str]:
        with self.session() as s:
            return {row.id: row.value for row in s.scalars(select(CustomConfig))}

    def seed_config(self, defaults: dict[str, str]) -> dict[str, str]:
        """Write the keys that have no value yet; returns every key's value."""
        with self.session() as s:
            for key, value in defaults.items():
                if s.get(CustomConfig, key) is None:
                    s.add(CustomConfig(id=key, value=value, update_time=db_now()))
        return self.config()

    def set_config(self, key: str, value: str) -> None:
        with self.session() as s:
            row = s.get(CustomConfig, key)
            if row is None:
                s.add(CustomConfig(id=key, value=value, update_time=db_now()))
            else:
                row.value, row.update_time = value, db_now()

    # -- anomaly rules -----------------------------------------------------------------------

    def add_rule(self, fields: dict[str, Any]) -> str:
        """A new anomaly rule: RULE_FIELDS, and optionally flag, match_case and channels."""
        now = db_now()
        rule_id = uuid.uuid4().hex
        extra = {k: fields[k] for k in ("flag", "match_case", "channels") if k in fields}
        with self.session() as s:
            s.add(AnomalyRule(id=rule_id, create_time=now, update_time=now, **{"flag": 1, **extra},
                              **{k: fields[k] for k in RULE_FIELDS}))
        return rule_id

    def rule(self, rule_id: str) -> AnomalyRule | None:
        with self.session() as s:
            return s.get(AnomalyRule, rule_id)

    def rules(self, title: str | None = None, module: str | None = None, flag: int | None = None,
              log_type: str | None = None, offset: int = 0, limit: int | None = None) -> list[AnomalyRule]:
        """Rules oldest first; `title` is a substring (taken literally, not as a LIKE pattern)."""
        query = select(AnomalyRule)
        if title:
            query = query.where(AnomalyRule.title.contains(title, autoescape=True))
        if module:
            query = query.where(AnomalyRule.module == module)
        if flag is not None:
            query = query.where(AnomalyRule.flag == flag)
        if log_type:
            query = query.where(AnomalyRule.log_type == log_type)
        query = query.order_by(AnomalyRule.create_time, AnomalyRule.id).offset(offset).limit(limit)
        with self.session() as s:
            return list(s.scalars(query))

    def update_rule(self, rule_id: str, changes: dict) -> bool:
        with self.session() as s:
            row = s.get(AnomalyRule, rule_id)
            if row is None:
                return False
            for key, value in changes.items():
                setattr(row, key, value)
            row.update_time = db_now()
            return True

    def delete_rule(self, rule_id: str) -> None:
        with self.session() as s:
            s.execute(delete(AnomalyRule).where(AnomalyRule.id == rule_id))

    # -- anomaly records ---------------------------------------------------------------------

    def records(self, title: str | None = None, module: str | None = None, log_type: str | None = None,
                rule_id: str | None = None,
                since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                limit: int | None = None) -> list[AnomalyRecord]:
        """Records newest first, filtered as the /v1 record list is."""
        query = select(AnomalyRecord)
        if title:
            query = query.where(AnomalyRecord.title.contains(title, autoescape=True))
        if module:
            query = query.where(AnomalyRecord.module == module)
        if log_type:
            query = query.where(AnomalyRecord.log_type == log_type)
        if rule_id:
            query = query.where(AnomalyRecord.rule_id == rule_id)
        if since is not None:
            query = query.where(AnomalyRecord.create_time >= since)
        if until is not None:
            query = query.where(AnomalyRecord.create_time <= until)
        query = query.order_by(AnomalyRecord.create_time.desc(), AnomalyRecord.id).offset(offset).limit(limit)
        with self.session() as s:
            return list(s.scalars(query))

    def delete_record(self, record_id: str) -> None:
        with self.session() as s:
            s.execute(delete(AnomalyRecord).where(AnomalyRecord.id == record_id))


def metadata_for(settings) -> MetadataStore:  # type: ignore[no-untyped-def]
    """The metadata store the settings name (SQLite in the data directory unless [metadata] url)."""
    url = settings.metadata.url or default_url(settings.data_path)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return MetadataStore(url)


def open_metadata(settings) -> MetadataStore:  # type: ignore[no-untyped-def]
    """The metadata store the settings name, its schema brought up to date when configured so."""
    meta = metadata_for(settings)
    if settings.metadata.auto_upgrade:
        meta.upgrade()
    elif meta.current() != meta.head():
        meta.close()
        raise StoreUnavailable(f"the metadata store {meta.safe_url} is at revision {meta.current()}, not "
                               f"{meta.head()}: run 'venus db upgrade'")
    return meta
