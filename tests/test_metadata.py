"""The metadata store on SQLite and on the MariaDB and PostgreSQL servers of this machine (a
database of their own, created and dropped by the test): migrations from empty and from the
previous revision, and the scheduler's claim, which only one node may win."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from venus.meta.models import AnomalyRecord, AnomalyRule, LogTemplate, Task
from venus.meta.store import MetadataStore, to_db
from venus.tasks.scheduler import Scheduler, TaskDef

SERVERS = {"mariadb": "mysql+pymysql://root@127.0.0.1:3306", "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432"}


def _server_database(kind: str):
    """A fresh database on the local server; skipped (with the reason) when the server is down."""
    name = f"venus_test_{uuid.uuid4().hex[:8]}"
    admin_url = SERVERS[kind] + ("/mysql" if kind == "mariadb" else "/postgres")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"{kind} is not running here ({exc.orig}); the env notes say how to start it")
    return admin, name


@pytest.fixture(params=["sqlite", "mariadb", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'meta.sqlite'}"
        return
    admin, name = _server_database(request.param)
    yield f"{SERVERS[request.param]}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE {name}"))
    admin.dispose()


def test_an_empty_database_is_upgraded_to_the_newest_revision(url):
    meta = MetadataStore(url)
    try:
        assert meta.current() is None
        assert meta.upgrade() == meta.head() == "0005"
        tables = set(sa.inspect(meta.engine).get_table_names())
        assert {"alert_rules", "alert_states", "alert_events", "silences", "channels", "notifications", "tasks",
                "task_runs", "saved_searches", "custom_config", "anomaly_rules", "anomaly_records",
                "log_templates", "api_tokens"} <= tables
    finally:
        meta.close()


def test_an_older_revision_is_upgraded_with_its_rows_kept(url):
    meta = MetadataStore(url)
    try:
        cfg = meta._alembic()
        with meta.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        old = {"title": "t", "desc": "d", "keyword": "k", "log_type": "flog", "module": "nova"}
        now = datetime(2026, 5, 6, 18, 0)
        with meta.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO anomaly_rules (id, title, `desc`, keyword, log_type, module, flag, "
                                 "create_time, update_time) VALUES ('r1', :title, :desc, :keyword, :log_type, "
                                 ":module, 1, :now, :now)".replace("`", '"' if "postgresql" in url else "`")),
                         {**old, "now": now})
            conn.execute(sa.text("INSERT INTO anomaly_records (id, rule_id, title, `desc`, keyword, log_type, "
                                 "module, logs, line_id, start_time, end_time, create_time) VALUES ('c1', 'r1', "
                                 ":title, :desc, :keyword, :log_type, :module, 'a line', 'L', :now, :now, :now)"
                                 .replace("`", '"' if "postgresql" in url else "`")), {**old, "now": now})
        assert meta.current() == "0001"
        assert meta.upgrade() == "0005"
        with meta.session() as s:
            rule = s.get(AnomalyRule, "r1")
            record = s.get(AnomalyRecord, "c1")
            assert (rule.title, rule.match_case, rule.watermark, rule.channels) == ("t", True, None, None)
            assert (record.logs, record.count, record.samples) == ("a line", 1, None)
    finally:
        meta.close()


def test_a_log_template_keeps_the_miners_state(url):
    meta = MetadataStore(url)
    meta.upgrade()
    state = {"masked": ["Took", "<*>", "s"], "separators": [" ", " ", ""], "values": [["Took"], ["1.5", "2"], ["s"]]}
    moment = datetime(2026, 5, 6, 18, 0, 0, 123456)
    try:
        with meta.session() as s:
            s.add(LogTemplate(id=2**40, text="Took <NUM> s", state=state, count=3 * 2**32, first_seen=moment,
                              last_seen=moment, examples=["Took 1.5 s", "Took 2 s"]))
        with meta.session() as s:
            row = s.get(LogTemplate, 2**40)
            assert (row.text, row.state, row.count, row.last_seen, row.examples) == (
                "Took <NUM> s", state, 3 * 2**32, moment, ["Took 1.5 s", "Took 2 s"])
    finally:
        meta.close()


def test_times_keep_their_microseconds(url):
    meta = MetadataStore(url)
    meta.upgrade()
    moment = datetime(2026, 5, 6, 18, 0, 0, 123456)
    try:
        with meta.session() as s:
            s.add(Task(name="t", schedule="1s", enabled=True, next_run=moment, update_time=moment))
        with meta.session() as s:
            assert s.get(Task, "t").next_run == moment
    finally:
        meta.close()


def test_of_two_schedulers_sharing_the_database_exactly_one_claims_a_run(url):
    metas = [MetadataStore(url) for _ in range(2)]
    metas[0].upgrade()
    ran = []
    try:
        nodes = [Scheduler(m, [TaskDef("job", "test", lambda n=n: ran.append(n), "1h")], f"node{n}",
                           run_scheduled=False) for n, m in enumerate(metas)]
        for node in nodes:
            node.seed()
        due = datetime.now(UTC) + timedelta(hours=1, seconds=1)
        claims = [(node, node.due(due)) for node in nodes]
        assert all(len(d) == 1 for _, d in claims)  # both see the same run due
        won = [node._claim(name, slot, following, due) for node, d in claims for name, slot, following in d]
        assert sorted(won) == [False, True]
        with metas[0].session() as s:
            task = s.get(Task, "job")
            assert task.lease_owner == nodes[won.index(True)].node
            assert task.next_run == to_db(claims[0][1][0][2])
    finally:
        for m in metas:
            m.close()


def test_a_scheduler_refuses_a_zone_that_does_not_exist(tmp_path):
    from venus.errors import BadRequest

    meta = MetadataStore(f"sqlite:///{tmp_path / 'm.sqlite'}")
    try:
        with pytest.raises(BadRequest, match=r"\[tasks\] timezone: 'Mars/Olympus' is not a time zone"):
            Scheduler(meta, [], "node", zone="Mars/Olympus")
    finally:
        meta.close()
