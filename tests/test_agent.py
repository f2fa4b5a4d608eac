"""`venus agent`: follows files through rotation, truncation, restarts and a server away, and sends
every line exactly once, to a real `venus serve`."""

import os
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, run_cli
from venus.agent.config import load_agent_settings
from venus.agent.shipper import Agent
from venus.client import HttpBackend
from venus.errors import BadRequest, StoreLocked

LINE = "2026-05-06 18:{m:02d}:{s:02d}.{ms:03d} 23 {level} nova.compute.manager [-] {tag} line {i}\n"


def lines(tag: str, n: int, start: int = 0, level: str = "INFO") -> str:
    return "".join(LINE.format(m=i // 60 % 60, s=i % 60, ms=i % 1000, level=level, tag=tag, i=i)
                   for i in range(start, start + n))


class Clock:
    """The agent's clock, moved by the test: quiet periods without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def host(request) -> str:
    return f"agent-{request.node.name.replace('_', '-')[:60]}"


def make_agent(tmp_path: Path, url: str, host: str, clock: Clock | None = None, **options: str) -> Agent:
    env = {"VENUS_AGENT_PATHS": str(tmp_path / "logs" / "*.log"), "VENUS_AGENT_HOST": host,
           "VENUS_AGENT_STATE_DIR": str(tmp_path / "state"), "VENUS_AGENT_URL": url,
           **{f"VENUS_AGENT_{k.upper()}": v for k, v in options.items()}}
    settings = load_agent_settings(environ=env)
    return Agent(settings, HttpBackend(url, compress=True), clock=clock or Clock())


def run_once(tmp_path: Path, url: str, host: str, **options: str) -> None:
    """An agent that sends everything there is, then stops (as `venus agent --once`)."""
    agent = make_agent(tmp_path, url, host, **options)
    try:
        assert agent.drain(30)
    finally:
        agent.close()


def write(path: Path, text: str, mode: str = "a") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode) as fh:
        fh.write(text)


def stored(server, host: str) -> list[dict]:
    body = httpx.get(f"{server.url}/api/v1/search", params={"q": f'host:"{host}"', "limit": 10000}).json()
    return sorted(body["hits"], key=lambda h: h["message"])


def messages(server, host: str) -> list[str]:
    return sorted(h["message"] for h in stored(server, host))


def expected(*texts: str) -> list[str]:
    return sorted(line.split("[-] ", 1)[1] for text in texts for line in text.splitlines())


def test_the_lines_of_a_followed_file_arrive_once_with_their_fields(server, tmp_path, host):
    log = tmp_path / "logs" / "nova-compute.log"
    write(log, lines("a", 100) + lines("a", 1, 100, level="ERROR"))
    run_once(tmp_path, server.url, host)
    hits = stored(server, host)
    assert [h["message"] for h in hits] == expected(lines("a", 100) + lines("a", 1, 100))
    assert {(h["host"], h["source"], h["program"]) for h in hits} == {(host, str(log), "nova-compute")}
    assert [h["level"] for h in hits if h["message"] == "a line 100"] == ["ERROR"]


def test_lines_appended_later_are_sent_at_the_next_look(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    clock = Clock()
    agent = make_agent(tmp_path, server.url, host, clock)
    write(log, lines("b", 10))
    agent.look()
    write(log, lines("b", 5, 10))
    clock.now += 10
    agent.look()
    clock.now += 10
    agent.look()
    agent.close()
    assert messages(server, host) == expected(lines("b", 15))


def test_the_last_record_waits_until_the_file_is_quiet_so_a_traceback_stays_whole(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    head = "2026-05-06 18:06:57.100 23 ERROR nova.compute.manager"  # oslo's logging_exception_prefix
    clock = Clock()
    agent = make_agent(tmp_path, server.url, host, clock, multiline_timeout="5")
    write(log, f"{head} [-] Failed\n{head} Traceback (most recent call last):\n")
    agent.look()
    assert stored(server, host) == []
    clock.now += 3
    write(log, f'{head}   File "x.py", line 1, in f\n')
    agent.look()
    clock.now += 4  # 4 s since it last grew
    agent.look()
    assert stored(server, host) == []
    clock.now += 2
    agent.look()
    agent.close()
    assert [h["message"] for h in stored(server, host)] == [
        'Failed\nTraceback (most recent call last):\n  File "x.py", line 1, in f']


def test_a_file_rotated_away_is_read_to_its_end_under_its_name_and_the_new_one_from_its_start(
        server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    clock = Clock()
    agent = make_agent(tmp_path, server.url, host, clock)
    write(log, lines("c", 100))
    agent.look()
    write(log, lines("c", 50, 100))  # written before the rotation, read after it
    os.rename(log, tmp_path / "logs" / "a.log.1")
    write(log, lines("c", 30, 150))
    for _ in range(3):
        clock.now += 10
        agent.look()
    assert len(agent.files) == 1  # the rotated file, read to its end, is forgotten
    agent.close()
    hits = stored(server, host)
    assert [h["message"] for h in hits] == expected(lines("c", 180))
    assert {h["source"] for h in hits} == {str(log)}


def test_a_file_rotated_while_the_agent_was_stopped_is_found_in_its_directory_and_read_to_its_end(
        server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    write(log, lines("m", 100))
    first = make_agent(tmp_path, server.url, host)
    first.look()  # the last record waits for the file to be quiet
    first.close()
    write(log, lines("m", 10, 100))
    os.rename(log, tmp_path / "logs" / "a.log.1")
    write(log, lines("m", 5, 110))
    run_once(tmp_path, server.url, host)
    assert messages(server, host) == expected(lines("m", 115))


def test_a_truncated_file_is_read_again_from_its_start(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    clock = Clock()
    agent = make_agent(tmp_path, server.url, host, clock)
    write(log, lines("d", 100))
    agent.look()
    write(log, lines("e", 20), mode="w")  # copytruncate, then new lines
    for _ in range(2):
        clock.now += 10
        agent.look()
    agent.close()
    assert messages(server, host) == expected(lines("d", 100), lines("e", 20))


def test_positions_survive_a_restart_of_the_agent(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    write(log, lines("f", 100))
    run_once(tmp_path, server.url, host)
    write(log, lines("f", 50, 100))
    run_once(tmp_path, server.url, host)
    assert messages(server, host) == expected(lines("f", 150))


def test_a_lost_state_is_recovered_from_the_servers_checkpoint(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    write(log, lines("g", 100))
    run_once(tmp_path, server.url, host)
    (tmp_path / "state" / "state.json").unlink()
    write(log, lines("g", 10, 100))
    run_once(tmp_path, server.url, host)
    assert messages(server, host) == expected(lines("g", 110))


def test_a_position_behind_the_servers_is_corrected_by_it_without_duplicates(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    write(log, lines("h", 100))
    first = make_agent(tmp_path, server.url, host)
    assert first.drain(30)
    for f in first.files.values():
        f.committed = len(lines("h", 40)) + 7  # mid-line: as if the answers after it were lost
    first._save()
    first.close()
    run_once(tmp_path, server.url, host)
    assert messages(server, host) == expected(lines("h", 100))


def test_while_the_server_is_away_lines_are_spooled_and_a_deleted_file_still_arrives(server, tmp_path, host):
    log = tmp_path / "logs" / "a.log"
    write(log, lines("i", 200))
    away = make_agent(tmp_path, f"http://127.0.0.1:{free_port()}", host)
    away.look()
    assert away.spool.used == len(lines("i", 200))
    away.close()
    log.unlink()  # rotated and deleted while nothing could be sent
    run_once(tmp_path, server.url, host)
    assert messages(server, host) == expected(lines("i", 200))
    assert list((tmp_path / "state" / "spool").iterdir()) == []


def test_a_second_agent_on_the_same_state_directory_is_refused(server, tmp_path, host):
    first = make_agent(tmp_path, server.url, host)
    with pytest.raises(StoreLocked, match="venus agent"):
        make_agent(tmp_path, server.url, host)
    first.close()


def test_compressed_rotations_are_not_read(server, tmp_path, host):
    write(tmp_path / "logs" / "a.log", lines("j", 3))
    (tmp_path / "logs" / "b.log.gz").write_bytes(b"\x1f\x8b not text")
    run_once(tmp_path, server.url, host, paths=str(tmp_path / "logs" / "*"))
    assert {h["source"] for h in stored(server, host)} == {str(tmp_path / "logs" / "a.log")}


def test_a_configuration_without_paths_is_refused_naming_the_option():
    with pytest.raises(BadRequest) as exc:
        load_agent_settings(environ={})
    assert exc.value.field == "[agent] paths"


def test_an_unknown_option_in_the_file_is_refused_naming_it(tmp_path):
    conf = tmp_path / "agent.conf"
    conf.write_text("[agent]\npaths = /var/log/*.log\nbatch_size = 10\n")
    with pytest.raises(BadRequest, match=r"unknown option \[agent\] batch_size"):
        load_agent_settings(conf, environ={})


def test_cli_agent_once_sends_the_files_named_by_its_config_file(server, tmp_path, host):
    write(tmp_path / "logs" / "nova" / "nova-api.log", lines("k", 40))
    conf = tmp_path / "agent.conf"
    conf.write_text(f"[agent]\nurl = {server.url}\nhost = {host}\nstate_dir = {tmp_path / 'state'}\n"
                    f"paths = {tmp_path / 'logs'}/**/*.log\n")
    run_cli("agent", "--once", "-c", str(conf))
    assert messages(server, host) == expected(lines("k", 40))


def test_cli_agent_once_fails_when_the_server_cannot_be_reached(tmp_path, host):
    write(tmp_path / "logs" / "a.log", lines("l", 5))
    conf = tmp_path / "agent.conf"
    conf.write_text(f"[agent]\nurl = http://127.0.0.1:{free_port()}\nstate_dir = {tmp_path / 'state'}\n"
                    f"paths = {tmp_path / 'logs'}/*.log\n")
    result = run_cli("agent", "--once", "--timeout", "1", "-c", str(conf), check=False)
    assert result.returncode == 1
    assert "could not be sent within 1 s" in result.stderr
