"""Policy, the OpenStack way (oslo.policy): a rule per kind of access, with its default in code, which
an optional policy.yaml (`[api] policy_file`) may override; every route names its rule (`rule_of`),
and a route without one stops the server at start-up, so nothing is left open by mistake.

Roles are Keystone's (admin, member, reader; Keystone makes admin imply member and member imply
reader) or an API token's (admin, reader, member, ingest)."""

from __future__ import annotations

from pathlib import Path

from oslo_config import cfg
from oslo_policy import policy

from venus.auth.identity import Identity, describe
from venus.errors import BadRequest, Forbidden
from venus.store.scope import valid_project_id

PUBLIC = "venus:public"
ALL_PROJECTS = "venus:logs:all_projects"
DEFAULT_FILE = "/etc/venus/policy.yaml"
RULES = (
    policy.RuleDefault("admin_required", "role:admin", "Administrators."),
    policy.RuleDefault("reader", "role:admin or role:reader", "Who reads everything and changes nothing."),
    policy.RuleDefault("logs_reader", "role:admin or role:reader or role:member", "Who reads logs."),
    policy.RuleDefault(PUBLIC, "@", "Pages and documents anyone may fetch: the console's pages and assets, "
                       "/healthz, the API's version documents and OpenAPI description."),
    policy.RuleDefault("venus:identity", "@", "Who the token is (GET /api/v1/whoami): any valid token."),
    policy.RuleDefault("venus:logs:read", "rule:logs_reader", "Search, count, context, call chains, "
                       "exports, live tails, analysis, templates, anomalies and root cause; /v1 searches."),
    policy.RuleDefault("venus:logs:ingest", "role:admin or role:ingest or role:service", "Send logs: "
                       "/api/v1/ingest and import, OTLP, Loki push, the Elasticsearch-compatible ingest."),
    policy.RuleDefault("venus:searches:manage", "rule:logs_reader", "Save, change and delete saved searches."),
    policy.RuleDefault("venus:alerts:read", "rule:reader", "Alert rules, alerts, their history, silences, "
                       "channels, anomaly rules and records; previews of a rule."),
    policy.RuleDefault("venus:alerts:manage", "rule:admin_required", "Create, change and delete alert rules, "
                       "silences, channels (and their test send), anomaly rules and records."),
    policy.RuleDefault("venus:config:read", "rule:reader", "Runtime settings (retention included) and "
                       "scheduled tasks with their runs."),
    policy.RuleDefault("venus:config:manage", "rule:admin_required", "Change runtime settings and retention; "
                       "change, switch and run scheduled tasks."),
    policy.RuleDefault("venus:tokens:manage", "rule:admin_required", "List, create and revoke API tokens."),
    policy.RuleDefault("venus:reports:read", "rule:reader", "Make operations reports and read the kept ones "
                       "and the schedules (reports show alerts and storage, which span every project)."),
    policy.RuleDefault("venus:reports:manage", "rule:admin_required", "Create, change, delete and run report "
                       "schedules."),
    policy.RuleDefault(ALL_PROJECTS, "rule:admin_required", "With tenant scoping on ([api] tenant_scoping): "
                       "who reads every project's lines. Everyone else reads only the lines of the project their "
                       "token is scoped to, and may only read logs, keep saved searches, read settings and send "
                       "logs (not alerts, whose lines span every project)."),
)
# What a project-scoped identity may do at all: reading is confined to its project's lines by the
# store (venus.store.scope); the rest of these touch no lines. Alerts, anomaly records and
# previews carry lines of every project, so they are not here.
SCOPED_RULES = frozenset({PUBLIC, "venus:identity", "venus:logs:read", "venus:logs:ingest", "venus:searches:manage",
                          "venus:config:read"})
READS = frozenset({"GET", "HEAD"})
# Routes by their OpenAPI tag: the rule for reading, the rule for changing.
BY_TAG = {
    "search": ("venus:logs:read", None), "analysis": ("venus:logs:read", None), "meta": (PUBLIC, None),
    "console": (PUBLIC, None),
    "ingest": ("venus:logs:ingest", "venus:logs:ingest"), "saved searches": ("venus:logs:read", "venus:searches:manage"),
    "alerts": ("venus:alerts:read", "venus:alerts:manage"), "anomaly rules": ("venus:alerts:read", "venus:alerts:manage"),
    "tasks": ("venus:config:read", "venus:config:manage"), "config": ("venus:config:read", "venus:config:manage"),
    "tokens": ("venus:tokens:manage", "venus:tokens:manage"), "auth": ("venus:identity", None),
    "login": (PUBLIC, PUBLIC), "reports": ("venus:reports:read", "venus:reports:manage"),
}
# Routes whose rule their tag does not tell.
BY_ROUTE = {
    ("POST", "/api/v1/alerts/rules/preview"): "venus:alerts:read",
    ("POST", "/api/v1/alerts/rules/{rule_id}/preview"): "venus:alerts:read",
    ("GET", "/api/v1/stats"): "venus:logs:read",
    ("GET", "/api/v1/whoami"): "venus:identity",  # its router's tag is "tokens"
    ("GET", "/v1"): PUBLIC, ("GET", "/v1/"): PUBLIC,
    ("GET", "/v1/custom_config"): "venus:config:read", ("POST", "/v1/custom_config"): "venus:config:manage",
    ("GET", "/v1/anomaly/rule/list"): "venus:alerts:read", ("POST", "/v1/anomaly/rule"): "venus:alerts:manage",
    ("GET", "/v1/anomaly/rule/{rule_id}"): "venus:alerts:read",
    ("POST", "/v1/anomaly/rule/{rule_id}"): "venus:alerts:manage",
    ("DELETE", "/v1/anomaly/rule/{rule_id}"): "venus:alerts:manage",
    ("GET", "/v1/anomaly/record/list"): "venus:alerts:read",
    ("DELETE", "/v1/anomaly/record/{record_id}"): "venus:alerts:manage",
}
V1_SEARCH = "/v1/search/"  # every /v1 search reads logs


def rule_of(method: str, path: str, tags: list[str]) -> str | None:
    """The rule a route is under; None when nothing says (a bug the server refuses to start with)."""
    if (method, path) in BY_ROUTE:
        return BY_ROUTE[(method, path)]
    if path.startswith(V1_SEARCH) and method in READS:
        return "venus:logs:read"
    for tag in tags:
        if tag in BY_TAG:
            read, change = BY_TAG[tag]
            return read if method in READS else change
    return None


class Policy:
    def __init__(self, policy_file: str = "") -> None:
        if policy_file and not Path(policy_file).is_file():
            raise BadRequest(f"[api] policy_file: {policy_file} is not a file", field="[api] policy_file")
        conf = cfg.ConfigOpts()
        conf([], project="venus", default_config_files=[], default_config_dirs=[])
        # Without a file named, /etc/venus/policy.yaml when it exists (never a policy.yaml found
        # elsewhere, such as the home directory oslo.config would also search).
        self.enforcer = policy.Enforcer(conf, policy_file=str(Path(policy_file or DEFAULT_FILE).resolve()),
                                        use_conf=True)
        self.enforcer.register_defaults(RULES)
        self.enforcer.load_rules()  # a file that does not parse fails at start-up, with its name

    def allows(self, rule: str, identity: Identity | None) -> bool:
        if identity is None:
            return rule == PUBLIC
        creds = {"roles": list(identity.roles), "user_id": identity.user_id, "project_id": identity.project_id}
        return bool(self.enforcer.authorize(rule, {"project_id": identity.project_id}, creds))

    def project_scope(self, rule: str, identity: Identity | None) -> str | None:
        """Under tenant scoping, the project whose lines a request under `rule` may read (None: all of
        them); Forbidden when the identity may not use the rule scoped, or is scoped to no project."""
        if identity is None or rule == PUBLIC or self.allows(ALL_PROJECTS, identity):
            return None
        if rule not in SCOPED_RULES:
            raise Forbidden(f"tenant scoping is on: {describe(identity)} reads only its project's lines, and "
                            f"{rule} spans every project ({ALL_PROJECTS} does not allow it)", field="Authorization")
        if not valid_project_id(identity.project_id):
            raise Forbidden(f"tenant scoping is on and {describe(identity)} is scoped to no project "
                            "(a Keystone token scoped to a project, or an API token made with a project)",
                            field="Authorization")
        return identity.project_id


def sample() -> str:
    """Every rule with its default, as a policy.yaml that changes nothing (docs/policy.yaml.sample)."""
    lines = ["# Venus's policy rules and their defaults (venus policy sample). Uncomment a rule to change it.", ""]
    for rule in RULES:
        lines += [f"# {rule.description}", f'#"{rule.name}": "{rule.check_str}"', ""]
    return "\n".join(lines)
