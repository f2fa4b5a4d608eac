"""The agent's configuration: `[agent]` of a small INI file (/etc/venus/agent.conf by default),
overridden by VENUS_AGENT_<OPTION> variables."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import platformdirs

from venus.config import Option, Settings, find_config_file, render_ini, resolve_settings, split_list
from venus.errors import BadRequest

AGENT_OPTIONS: dict[str, tuple[Option, ...]] = {
    "agent": (
        Option("url", str, "http://127.0.0.1:10010", "The Venus server the agent sends to."),
        Option("token", str, "", "API token sent as 'Authorization: Bearer <token>': an ingest token "
               "(venus tokens create NAME --role ingest) or the server's [api] auth_token."),
        Option("paths", str, "", "Files to follow: globs separated by commas or new lines, ** for any depth "
               "(e.g. /var/log/kolla/**/*.log). Rotated files are followed by inode, whatever their new name."),
        Option("exclude", str, "*.gz, *.xz, *.bz2, *.zip, *.zst", "Globs of files never read (matched against "
               "the file name and the whole path): compressed rotations were read before they were compressed."),
        Option("host", str, "", "Host name the lines are stored under; empty: this machine's name."),
        Option("state_dir", str, platformdirs.user_state_dir("venus-agent"), "Where the agent keeps each "
               "file's position (state.json) and its spool.", shown_default="<user state dir>/venus-agent"),
        Option("scan_interval", float, 1.0, "Seconds between two looks at the files (new files, growth, "
               "rotation).", minimum=0.05),
        Option("batch_bytes", int, 1 << 20, "Most bytes of one file sent in one request (gzip-compressed "
               "on the wire).", minimum=4096),
        Option("multiline_timeout", float, 5.0, "Seconds a file must stay quiet before its last record is "
               "sent: until then a traceback may still go on.", minimum=0),
        Option("max_spool_bytes", int, 1 << 30, "Bytes read ahead into the spool while the server cannot be "
               "reached, so that files rotated away meanwhile are not lost; past it reading waits.", minimum=0),
        Option("retry_max_seconds", float, 30.0, "Longest wait between two tries to reach the server "
               "(the wait doubles from 0.5 s).", minimum=0.5),
        Option("compress", bool, True, "gzip request bodies."),
    ),
}

DEFAULT_FILE = Path("/etc/venus/agent.conf")


def load_agent_settings(config_file: str | os.PathLike | None = None,
                        environ: dict[str, str] | None = None) -> Settings:
    """Defaults < file (`config_file`, else $VENUS_AGENT_CONFIG, else /etc/venus/agent.conf) <
    environment. Fails, naming the option, when no path to follow is given."""
    env = os.environ if environ is None else environ
    path = find_config_file(config_file, env, "VENUS_AGENT_CONFIG", DEFAULT_FILE)
    settings = resolve_settings(path, AGENT_OPTIONS, env)
    if not split_list(settings.agent.paths):
        raise BadRequest("[agent] paths: name the files to follow, e.g. /var/log/kolla/**/*.log",
                         field="[agent] paths")
    return settings


def agent_host(settings: Settings) -> str:
    return settings.agent.host or socket.gethostname()


def render_agent_ini() -> str:
    return render_ini(options_by_section=AGENT_OPTIONS, title="Venus agent")
