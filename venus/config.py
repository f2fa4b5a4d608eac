"""Configuration: option declarations, `venus.conf` (INI, OpenStack style) and VENUS_* overrides.

Each option is declared once below with its type, default and help. The effective value comes
from, in order of strength: the command line, the environment (`VENUS_<SECTION>_<OPTION>`, or
`VENUS_<OPTION>` for [DEFAULT]), the configuration file, the default. A bad value fails at
start-up with the option's name, never later.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import platformdirs

from venus.errors import BadRequest


@dataclass(frozen=True)
class Option:
    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    shown_default: str = ""  # what a sample shows for a default that depends on the machine


def _default_data_dir() -> str:
    return str(Path(platformdirs.user_data_dir("venus")))


OPTIONS: dict[str, tuple[Option, ...]] = {
    "DEFAULT": (
        Option("data_dir", str, _default_data_dir(), "Directory of the embedded store and Venus's own state.",
               shown_default="<user data dir>/venus"),
        Option("log_level", str, "INFO", "Level of Venus's own log.",
               ("DEBUG", "INFO", "WARNING", "ERROR")),
    ),
    "api": (
        Option("host", str, "127.0.0.1", "Address the server listens on. Other than loopback needs [api] auth_token "
               "or auth_strategy = token."),
        Option("port", int, 10010, "TCP port of the HTTP API (the original Venus used 10010).", minimum=1),
        Option("auth_token", str, "", "Static API token; when set every request needs "
               "'Authorization: Bearer <token>' or 'X-Auth-Token'."),
        Option("max_body_bytes", int, 64 << 20, "Largest request body accepted, in bytes.", minimum=1024),
        Option("max_parse_bytes", int, 4 << 20, "Largest body POST /api/v1/parse reads, in bytes: a preview "
               "of how lines are read, answered with every record in full.", minimum=1024),
        Option("max_page_size", int, 10000, "Largest page of search results one request may ask for.", minimum=1),
        Option("auth_strategy", str, "noauth", "How requests are authenticated. 'noauth': as the original "
               "Venus, no token is needed and /v1 reads any X-Auth-Token as user:project (with auth_token set, "
               "that token or an API token is needed). 'token': every request needs auth_token or an API token "
               "(venus tokens create). 'keystone': Keystone tokens ([keystone_authtoken]), and API tokens for the "
               "agent.", ("noauth", "token", "keystone")),
        Option("policy_file", str, "", "A policy.yaml that changes the default policy rules "
               "(docs/policy.yaml.sample; venus policy sample); empty: /etc/venus/policy.yaml when it exists."),
        Option("tenant_scoping", bool, False, "Confine who is not allowed venus:logs:all_projects (by default, "
               "everyone but admin) to the lines carrying the project_id of their token's project, on every "
               "search, analysis and /v1 path; they may then not read alerts, whose lines span every project "
               "(docs/auth.md)."),
        Option("max_v1_body_bytes", int, 114688, "Largest JSON body a /v1 request may send, in bytes "
               "(the original's oslo sizelimit default).", minimum=1024),
    ),
    "keystone_authtoken": (
        Option("www_authenticate_uri", str, "", "Keystone as clients reach it, for the WWW-Authenticate header "
               "of a 401 (http://keystone:5000/v3)."),
        Option("auth_url", str, "", "Keystone as Venus reaches it, to log in its service user "
               "(http://keystone:5000/v3)."),
        Option("auth_type", str, "password", "How Venus logs in to Keystone to validate tokens."),
        Option("username", str, "venus", "Venus's service user."),
        Option("password", str, "", "Its password."),
        Option("project_name", str, "service", "Its project."),
        Option("user_domain_name", str, "Default", "The user's domain."),
        Option("project_domain_name", str, "Default", "The project's domain."),
        Option("region_name", str, "", "Region of the identity endpoint in the catalog (empty: any)."),
        Option("interface", str, "internal", "Which identity endpoint of the catalog Venus validates against.",
               ("public", "internal", "admin")),
        Option("memcached_servers", str, "", "memcached servers that share validated tokens between processes, "
               "comma-separated host:port; empty: a cache in the process."),
        Option("token_cache_time", int, 300, "Seconds a validated token is remembered; a token revoked in "
               "Keystone is refused once its entry ends. -1: no cache.", minimum=-1),
        Option("cafile", str, "", "CA bundle to verify Keystone's TLS certificate with."),
        Option("insecure", bool, False, "Do not verify Keystone's TLS certificate (tests only)."),
        Option("http_connect_timeout", int, 5, "Seconds to wait for Keystone before the request is a 503.",
               minimum=1),
    ),
    "storage": (
        Option("backend", str, "chdb", "Where logs live: 'chdb' (embedded, in data_dir) or 'clickhouse' (a server).",
               ("chdb", "clickhouse")),
        Option("clickhouse_url", str, "", "ClickHouse server for backend=clickhouse, "
               "e.g. http://user:password@ch1:8123."),
        Option("database", str, "venus", "Database that holds Venus's tables."),
        Option("retention_days", int, 30, "Days logs are kept after they were stored; 0 keeps them forever.", minimum=0),
        Option("query_timeout", float, 30.0, "Seconds a search may run before it is stopped.", minimum=0.1),
    ),
    "metadata": (
        Option("url", str, "", "SQLAlchemy URL of the metadata store (rules, records, custom config), e.g. "
               "mysql+pymysql://venus:secret@db/venus or postgresql+psycopg://venus:secret@db/venus; "
               "empty is SQLite in data_dir/venus.sqlite."),
        Option("auto_upgrade", bool, True, "Bring the metadata schema up to date when the server starts "
               "(otherwise run 'venus db upgrade')."),
    ),
    "import": (
        Option("timezone", str, "UTC", "Zone of timestamps that carry none (oslo.log, syslog files)."),
        Option("chunk_bytes", int, 8 << 20, "Bytes of a file sent or parsed as one batch.", minimum=4096),
        Option("max_line_bytes", int, 4 << 20, "Longer lines are cut into pieces of this size (none is dropped).",
               minimum=1024),
        Option("parse_processes", int, 0, "Worker processes that parse imported chunks and large received "
               "batches; 0 is one per CPU "
               "(at most 8).", minimum=0),
    ),
    "receivers": (
        Option("max_pending_bytes", int, 256 << 20, "Bytes of received records that may wait to be written; past "
               "it receivers push back (HTTP 429 with Retry-After, slower TCP reads).", minimum=1 << 20),
        Option("elasticsearch_path", str, "/elasticsearch", "Path prefix of the Elasticsearch-compatible ingest "
               "(_bulk) on the API port; empty turns it off there."),
        Option("elasticsearch_port", int, 0, "A port of its own for the Elasticsearch-compatible ingest, at its "
               "root as shippers expect (e.g. 9200); 0: none.", minimum=0),
        Option("forward_port", int, 0, "TCP port of the Fluentd Forward receiver (fluentd, Fluent Bit, "
               "fluent-logger; 24224 is the usual one), with UDP heartbeats on the same port; 0: off.", minimum=0),
        Option("forward_shared_key", str, "", "Shared key of fluentd's handshake (<security> shared_key); set, "
               "every Forward connection must present it. Needed to listen beyond loopback."),
        Option("syslog_port", int, 0, "Port of the syslog receiver, UDP and TCP (RFC 3164 and 5424; LF, NUL or "
               "octet-counting framing); kolla's HAProxy sends to 5140. 0: off.", minimum=0),
        Option("syslog_allowed_networks", str, "127.0.0.0/8, ::1", "Addresses and networks syslog is taken "
               "from, comma-separated (e.g. 10.0.0.0/8): syslog has no authentication, so others are refused."),
    ),
    "notifications": (
        Option("transport_url", str, "", "RabbitMQ to read OpenStack's notifications from, as the services' "
               "[oslo_messaging_notifications] transport_url (rabbit://user:pass@host:5672/); empty: off."),
        Option("exchanges", str, "openstack, nova, neutron, cinder, glance, keystone, heat, octavia, ironic, "
               "manila, designate, magnum, placement", "Exchanges to bind to, comma-separated: each service's "
               "control_exchange (oslo's default is openstack)."),
        Option("topics", str, "notifications, versioned_notifications", "Notification topics, comma-separated; "
               "every priority of each (<topic>.info, <topic>.error, ...) is read."),
        Option("queue", str, "venus.notifications", "Venus's own queue (durable: notifications wait while Venus "
               "is down)."),
        Option("durable_exchanges", bool, False, "Declare the exchanges durable: set it when the services set "
               "[oslo_messaging_rabbit] amqp_durable_queues, as both sides must declare them alike."),
    ),
    "analysis": (
        Option("typical_errors_file", str, "", "A TOML file of your own typical-error signatures, added to the "
               "built-in ones (same id: yours wins); see venus/analysis/typical_errors.toml."),
        Option("mine_templates", bool, True, "Give every stored line its log template (template_id), mining "
               "new templates as lines arrive (docs/templates.md). Off: lines are stored with template 0."),
    ),
    "v1": (
        Option("histogram_timezone", str, "Asia/Shanghai", "Time zone of the /v1 histograms' buckets and "
               "key_as_string (the original hard-coded Asia/Shanghai)."),
        Option("anomaly_detect_interval", float, 60.0, "Seconds between two runs of the /v1 keyword anomaly "
               "rules over the newest lines (at least 1); 0 turns detection off. The first schedule of the anomaly_rules "
               "task: once the task exists, change it with 'venus tasks set'.", minimum=0),
    ),
    "alerts": (
        Option("external_url", str, "", "This Venus as people reach it (https://venus.example.org), for the "
               "links in notifications; empty: http://<[api] host>:<[api] port>."),
        Option("evaluation_interval", float, 60.0, "Seconds between two evaluations of the alert rules: the "
               "first schedule of the alerts task (then 'venus tasks set alerts --schedule').", minimum=1),
    ),
    "reports": (
        Option("keep_days", int, 90, "Days a report made on a schedule is kept (its HTML and PDF under "
               "<data_dir>/reports, and its row); 0 keeps every report.", minimum=0),
    ),
    "tasks": (
        Option("scheduler", bool, True, "Run scheduled tasks on this node. Nodes sharing one metadata "
               "database share the work (each run on one node); false leaves it to the others."),
        Option("timezone", str, "UTC", "Zone in which cron schedules are read ('0 6 * * *': 06:00 there)."),
    ),
    "search": (
        Option("default_limit", int, 100, "Results per page when a request names no limit.", minimum=1),
        Option("histogram_buckets", int, 60, "About how many bars a time histogram has.", minimum=2),
        Option("facet_timeout", float, 5.0, "Seconds a facet (top values) may take before it is skipped.",
               minimum=0.1),
        Option("max_context_lines", int, 1000, "Most lines before/after a line that context returns.", minimum=1),
        Option("max_tails", int, 20, "Live tails (GET /api/v1/tail, venus tail) followed at once; more are "
               "answered 429.", minimum=1),
    ),
}

ENV_PREFIX = "VENUS_"


def env_name(section: str, option: str) -> str:
    return f"{ENV_PREFIX}{option.upper()}" if section == "DEFAULT" else f"{ENV_PREFIX}{section.upper()}_{option.upper()}"


def _convert(opt: Option, section: str, raw: Any) -> Any:
    where = f"[{section}] {opt.name}"
    try:
        if opt.type is bool:
            value: Any = str(raw).strip().lower() in ("1", "true", "yes", "on")
        else:
            value = opt.type(str(raw).strip()) if not isinstance(raw, opt.type) else raw
    except ValueError:
        raise BadRequest(f"{where}: {raw!r} is not a valid {opt.type.__name__}", field=where) from None
    if opt.choices and value not in opt.choices:
        raise BadRequest(f"{where}: {raw!r} is not one of {', '.join(opt.choices)}", field=where)
    if opt.minimum is not None and value < opt.minimum:
        raise BadRequest(f"{where}: {value} is below the minimum {opt.minimum}", field=where)
    return value


def split_list(value: str) -> list[str]:
    """Items of a list option: separated by commas or new lines, blanks ignored."""
    return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]


class Settings:
    """Effective settings: `settings.api.port`, plus where each value came from."""

    def __init__(self, values: dict[str, dict[str, Any]], origins: dict[tuple[str, str], str],
                 config_file: Path | None) -> None:
        self._values = values
        self.origins = origins
        self.config_file = config_file
        for section, options in values.items():
            if section == "DEFAULT":
                for k, v in options.items():
                    setattr(self, k, v)
            else:
                # [import] is `settings.import_` ("import" is a Python keyword).
                setattr(self, "import_" if section == "import" else section, SimpleNamespace(**options))

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser()

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {s: dict(v) for s, v in self._values.items()}

    def with_overrides(self, overrides: dict[tuple[str, str], Any]) -> Settings:
        values = self.as_dict()
        origins = dict(self.origins)
        for (section, name), raw in overrides.items():
            if raw is None:
                continue
            opt = next(o for o in OPTIONS[section] if o.name == name)
            values[section][name] = _convert(opt, section, raw)
            origins[(section, name)] = "command line"
        return Settings(values, origins, self.config_file)


def load_settings(config_file: str | os.PathLike | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Defaults < file < environment. The file is `config_file`, else $VENUS_CONFIG, else
    /etc/venus/venus.conf when it exists."""
    env = os.environ if environ is None else environ
    path = find_config_file(config_file, env, "VENUS_CONFIG", Path("/etc/venus/venus.conf"))
    return resolve_settings(path, OPTIONS, env)


def find_config_file(config_file: str | os.PathLike | None, env: Mapping[str, str], env_var: str,
                     default: Path) -> Path | None:
    """The file named on the command line, else by `env_var`, else `default` when it exists."""
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise BadRequest(f"configuration file {path} does not exist", field="config")
        return path
    if env.get(env_var):
        path = Path(env[env_var])
        if not path.is_file():
            raise BadRequest(f"{env_var} names {path}, which does not exist", field=env_var)
        return path
    return default if default.is_file() else None


def resolve_settings(path: Path | None, options: dict[str, tuple[Option, ...]],
                     env: Mapping[str, str]) -> Settings:
    """Each of `options` from the environment, else the INI file at `path`, else its default;
    an unknown section or option in the file fails with its name."""
    parser = configparser.ConfigParser(interpolation=None)
    if path is not None:
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise BadRequest(f"{path}: {exc}", field="config") from None
        defaults = {o.name for o in options.get("DEFAULT", ())}
        for section in parser.sections():
            if section not in options:
                raise BadRequest(f"{path}: unknown section [{section}] (known: "
                                 f"{', '.join(s for s in options if s != 'DEFAULT')})", field=section)
            known = {o.name for o in options[section]} | defaults
            for key in parser[section]:
                if key not in known:
                    raise BadRequest(f"{path}: unknown option [{section}] {key}", field=f"[{section}] {key}")
    values: dict[str, dict[str, Any]] = {}
    origins: dict[tuple[str, str], str] = {}
    for section, section_options in options.items():
        values[section] = {}
        for opt in section_options:
            raw: Any = opt.default
            origin = "default"
            file_section = parser.defaults() if section == "DEFAULT" else (
                parser[section] if parser.has_section(section) else {})
            if opt.name in file_section:
                raw, origin = file_section[opt.name], str(path)
            if env_name(section, opt.name) in env:
                raw, origin = env[env_name(section, opt.name)], env_name(section, opt.name)
            values[section][opt.name] = _convert(opt, section, raw)
            origins[(section, opt.name)] = origin
    return Settings(values, origins, path)


def render_ini(settings: Settings | None = None, with_origins: bool = False,
               options_by_section: dict[str, tuple[Option, ...]] = OPTIONS, title: str = "Venus") -> str:
    """venus.conf text: every option with its help; the effective values when `settings` is given."""
    out = [f"# {title} configuration. Every option is shown with its default; uncomment to change.",
           f"# Environment overrides: {ENV_PREFIX}<SECTION>_<OPTION> ({ENV_PREFIX}<OPTION> for [DEFAULT]).", ""]
    for section, options in options_by_section.items():
        out.append(f"[{section}]")
        for opt in options:
            out.append(f"# {opt.help}")
            if opt.choices:
                out.append(f"# One of: {', '.join(opt.choices)}.")
            if settings is None:
                value = opt.shown_default or opt.default
                out.append(f"#{opt.name} = {value}")
            else:
                value = settings.as_dict()[section][opt.name]
                origin = settings.origins[(section, opt.name)]
                suffix = f"    ; from {origin}" if with_origins else ""
                out.append(f"{opt.name} = {value}{suffix}")
        out.append("")
    return "\n".join(out)
