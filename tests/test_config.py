"""venus.conf, environment overrides, validation and `venus config`."""

import os
from pathlib import Path

import pytest

from tests.conftest import run_cli
from venus.agent.config import render_agent_ini
from venus.config import OPTIONS, load_settings, render_ini
from venus.errors import BadRequest


def test_defaults():
    s = load_settings(environ={})
    assert (s.api.host, s.api.port, s.storage.backend, s.storage.retention_days) == ("127.0.0.1", 10010, "chdb", 30)


def test_file_then_environment(tmp_path):
    conf = tmp_path / "venus.conf"
    conf.write_text("[DEFAULT]\ndata_dir = /srv/venus\n[api]\nport = 9000\n[storage]\nretention_days = 7\n")
    s = load_settings(conf, environ={"VENUS_API_PORT": "9100"})
    assert (s.data_dir, s.api.port, s.storage.retention_days) == ("/srv/venus", 9100, 7)
    assert s.origins[("api", "port")] == "VENUS_API_PORT"
    assert s.origins[("storage", "retention_days")] == str(conf)


@pytest.mark.parametrize("text,field", [
    ("[api]\nport = many\n", "[api] port"),
    ("[api]\nport = 0\n", "[api] port"),
    ("[storage]\nbackend = elasticsearch\n", "[storage] backend"),
    ("[nosuch]\nx = 1\n", "nosuch"),
    ("[api]\nprot = 1\n", "[api] prot"),
])
def test_bad_values_fail_at_start_naming_the_option(tmp_path, text, field):
    conf = tmp_path / "venus.conf"
    conf.write_text(text)
    with pytest.raises(BadRequest) as err:
        load_settings(conf, environ={})
    assert err.value.field == field


def test_sample_documents_every_option():
    sample = render_ini()
    for section, options in OPTIONS.items():
        assert f"[{section}]" in sample
        for opt in options:
            assert f"#{opt.name} = " in sample and f"# {opt.help}" in sample


def test_shipped_sample_is_current():
    shipped = (Path(__file__).parents[1] / "etc" / "venus.conf.sample").read_text()
    assert shipped == render_ini(), "regenerate with: venus config sample > etc/venus.conf.sample"


def test_shipped_agent_sample_is_current():
    shipped = (Path(__file__).parents[1] / "etc" / "agent.conf.sample").read_text()
    assert shipped == render_agent_ini(), "regenerate with: venus agent --sample-config > etc/agent.conf.sample"


def test_config_show_prints_effective_values_and_origins(tmp_path):
    out = run_cli("config", "show", env={**os.environ, "VENUS_DATA_DIR": str(tmp_path), "VENUS_API_PORT": "10555"})
    assert "port = 10555    ; from VENUS_API_PORT" in out.stdout
    assert f"data_dir = {tmp_path}    ; from VENUS_DATA_DIR" in out.stdout


def test_a_relative_data_dir_works(tmp_path, monkeypatch):
    from venus.store import open_store
    monkeypatch.chdir(tmp_path)
    st = open_store(load_settings(environ={"VENUS_DATA_DIR": "rel/data"}), role="pytest")
    try:
        assert st.query("SELECT count() FROM logs").rows == [(0,)]
    finally:
        st.close()
    assert (tmp_path / "rel" / "data" / "venus.lock").exists()


def test_retention_is_applied_once_and_changed_when_the_setting_changes(tmp_path, caplog):
    import logging

    from venus.store import open_store
    caplog.set_level(logging.INFO, logger="venus.store.clickhouse")

    def reopen(days: str) -> str:
        st = open_store(load_settings(environ={"VENUS_DATA_DIR": str(tmp_path),
                                               "VENUS_STORAGE_RETENTION_DAYS": days}), role="pytest")
        try:
            return st.query("SELECT engine_full FROM system.tables WHERE name = 'logs'").rows[0][0]
        finally:
            st.close()

    assert "toIntervalDay(30)" in reopen("30")
    caplog.clear()
    reopen("30")
    assert "setting the retention" not in caplog.text  # unchanged: no ALTER at start-up
    assert "toIntervalDay(7)" in reopen("7")
    assert "setting the retention to 7 days" in caplog.text
    assert " TTL " not in reopen("0")
