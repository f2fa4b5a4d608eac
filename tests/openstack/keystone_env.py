"""A real Keystone from PyPI for the tests: its own virtual environment (pinned by
keystone-constraints.txt, built once and kept in the test cache, rebuilt when the pins change),
SQLite and fernet tokens in a temporary directory, served by gunicorn on a free loopback port,
seeded with the users the tests log in as and Venus's log-management endpoint."""

from __future__ import annotations

import getpass
import grp
import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.openstack.services import cached_environment, stop_group, wait_until_answers

HERE = Path(__file__).resolve().parent
CONSTRAINTS = HERE / "keystone-constraints.txt"
ADMIN_PASSWORD = "admin-password"
REGION = "RegionOne"


def keystone_python() -> Path:
    """The Python of Keystone's environment."""
    return cached_environment("keystone", [CONSTRAINTS], lambda python: subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS), "keystone", "gunicorn"], check=True))


class Keystone:
    """Keystone on a free port; `venus_url` is where the catalog's log-management endpoint points,
    `token_expiration` how many seconds its tokens last."""

    def __init__(self, root: Path, venus_url: str, token_expiration: int = 3600) -> None:
        self.python = keystone_python()
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v3"
        conf = root / "keystone.conf"
        conf.write_text("\n".join([
            "[DEFAULT]", f"log_file = {root / 'keystone.log'}",
            "[database]", f"connection = sqlite:///{root / 'keystone.db'}",
            "[fernet_tokens]", f"key_repository = {root / 'fernet-keys'}",
            "[credential]", f"key_repository = {root / 'credential-keys'}",
            # A cache per worker makes validation fast. What another worker may change is not
            # cached: the catalog (seeded after start), tokens and revocations (a token revoked
            # through one worker would stay valid in another's cache).
            "[cache]", "enabled = true", "backend = dogpile.cache.memory",
            "[catalog]", "caching = false",
            "[token]", "provider = fernet", "caching = false", f"expiration = {token_expiration}",
            "[revoke]", "caching = false", ""]))
        self.env = {**os.environ, "OS_KEYSTONE_CONFIG_FILES": str(conf), "PYTHONPATH": str(HERE)}
        manage = [str(self.python.parent / "keystone-manage"), "--config-file", str(conf)]
        user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
        for step in (["db_sync"], ["fernet_setup", "--keystone-user", user, "--keystone-group", group],
                     ["credential_setup", "--keystone-user", user, "--keystone-group", group],
                     ["bootstrap", "--bootstrap-password", ADMIN_PASSWORD, "--bootstrap-region-id", REGION,
                      "--bootstrap-public-url", self.url, "--bootstrap-internal-url", self.url]):
            subprocess.run(manage + step, env=self.env, check=True, capture_output=True)
        self.log = open(root / "gunicorn.log", "wb")  # noqa: SIM115 (open while Keystone runs)
        self.proc = subprocess.Popen(
            [str(self.python.parent / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--timeout", "60", "--no-control-socket", "keystone_wsgi:application"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_up()
        seeded = subprocess.run([str(self.python), str(HERE / "seed_keystone.py"), self.url, ADMIN_PASSWORD,
                                 venus_url], env=self.env, check=True, capture_output=True, text=True)
        self.ids = json.loads(seeded.stdout.strip().splitlines()[-1])

    def wait_up(self, timeout: float = 60) -> None:
        wait_until_answers(self.proc, f"{self.url}/", self.root / "gunicorn.log", "Keystone", timeout)

    def token(self, user: str, project: str) -> str:
        """A token of `user` (its password is '<user>-password', admin's ADMIN_PASSWORD) on `project`."""
        password = ADMIN_PASSWORD if user == "admin" else f"{user}-password"
        answer = httpx.post(f"{self.url}/auth/tokens", timeout=30, json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}}}})
        answer.raise_for_status()
        return answer.headers["X-Subject-Token"]

    def revoke(self, token: str) -> None:
        admin = self.token("admin", "admin")
        httpx.delete(f"{self.url}/auth/tokens", headers={"X-Auth-Token": admin, "X-Subject-Token": token},
                     timeout=30).raise_for_status()

    def venus_settings(self) -> dict[str, str]:
        """The environment that points a Venus server at this Keystone."""
        return {"VENUS_API_AUTH_STRATEGY": "keystone",
                "VENUS_KEYSTONE_AUTHTOKEN_AUTH_URL": self.url,
                "VENUS_KEYSTONE_AUTHTOKEN_WWW_AUTHENTICATE_URI": self.url,
                "VENUS_KEYSTONE_AUTHTOKEN_USERNAME": "venus",
                "VENUS_KEYSTONE_AUTHTOKEN_PASSWORD": "venus-password",
                "VENUS_KEYSTONE_AUTHTOKEN_PROJECT_NAME": "service",
                "VENUS_KEYSTONE_AUTHTOKEN_INTERFACE": "public",
                # Every validation asks Keystone, so a revoked token is refused at once.
                "VENUS_KEYSTONE_AUTHTOKEN_TOKEN_CACHE_TIME": "-1"}

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()
