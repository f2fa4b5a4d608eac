"""`venus tokens create|list|revoke`: static API tokens, on the metadata store the settings name
(as keystone-manage works on Keystone's database: it makes the first token before any exists).
A token revoked here is refused by a running server within 30 s (at once through the API).
`venus policy sample`: the policy rules and their defaults, as a policy.yaml."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from venus.auth.policy import sample
from venus.auth.tokens import CACHE_SECONDS, ROLES, TokenChecker, create_token, list_tokens, token_view
from venus.cli_common import ConfigOpt, DataDirOpt, JsonOpt, _fail, _print, _settings, _table, out
from venus.errors import VenusError
from venus.meta.store import MetadataStore, open_metadata
from venus.query.timerange import duration_seconds

tokens_app = typer.Typer(help="Static API tokens: for clouds without Keystone and for the agent.",
                         no_args_is_help=True)
policy_app = typer.Typer(help="Policy rules (who may do what).", no_args_is_help=True)


@policy_app.command("sample")
def policy_sample() -> None:
    """Every policy rule with its default, as a policy.yaml that changes nothing."""
    sys.stdout.write(sample())


def _meta(config, data_dir) -> MetadataStore:  # type: ignore[no-untyped-def]
    try:
        return open_metadata(_settings(config, data_dir))
    except VenusError as exc:
        _fail(exc)
        raise


@tokens_app.command("create")
def create(name: Annotated[str, typer.Argument(help="what the token is for, e.g. agent-cmp1")],
           role: Annotated[list[str], typer.Option("--role", help=f"one of {', '.join(ROLES)}; repeat for more")],
           expires: Annotated[str | None, typer.Option(help="lifetime, e.g. 90d (default: until revoked)")] = None,
           description: Annotated[str, typer.Option(help="a note for whoever reads the list")] = "",
           project: Annotated[str, typer.Option(help="the project it acts for: with tenant scoping on, a token "
                                                "without admin reads only that project's lines")] = "",
           as_json: JsonOpt = False, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Make a token and print its secret, the only time it is shown."""
    meta = _meta(config, data_dir)
    try:
        try:
            until = datetime.now(UTC) + timedelta(seconds=duration_seconds(expires)) if expires else None
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--expires") from None
        made = create_token(meta, name, role, project, until, description)
    except VenusError as exc:
        _fail(exc)
    finally:
        meta.close()
    if as_json:
        return _print({"token": token_view(made.row), "secret": made.secret})
    out.print(made.secret, markup=False)
    out.print(f"token {made.row.name!r} ({', '.join(made.row.roles)}): keep the line above, it is not shown again",
              markup=False)
    return None


@tokens_app.command("list")
def list_command(as_json: JsonOpt = False, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Every token: name, first characters, roles, project, state, expiry."""
    meta = _meta(config, data_dir)
    try:
        views = [token_view(t) for t in list_tokens(meta)]
    finally:
        meta.close()
    if as_json:
        return _print(views)
    _table(["name", "prefix", "roles", "project", "state", "created", "expires"],
           [[v["name"], f"{v['prefix']}…", ", ".join(v["roles"]), v["project_id"], v["state"], v["create_time"],
             v["expires_at"] or "never"] for v in views])
    return None


@tokens_app.command("revoke")
def revoke(token: Annotated[str, typer.Argument(help="the token's name or id")],
           config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Revoke a token: refused from now on (by a running server within 30 s)."""
    meta = _meta(config, data_dir)
    try:
        row = TokenChecker(meta).revoke(token)
    except VenusError as exc:
        _fail(exc)
    finally:
        meta.close()
    out.print(f"token {row.name!r} revoked; a running server refuses it within {CACHE_SECONDS:g} s", markup=False)
