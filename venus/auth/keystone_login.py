"""Logging in to Keystone for the web console: a user's name, password and project become a
Keystone token (keystoneauth1's password plugin, against `[keystone_authtoken] auth_url`), and the
catalog's log-management endpoints, so the console can offer the Venus of every region."""

from __future__ import annotations

from dataclasses import dataclass

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session
from keystoneauth1.identity import v3

from venus.auth.keystone import KeystoneUnavailable
from venus.errors import VenusError
from venus.osc import SERVICE_TYPE


class LoginRefused(VenusError):
    status = 401


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    project: str
    user_domain: str = "Default"
    project_domain: str = "Default"


def log_in(options: dict[str, object], given: Credentials) -> dict:
    """A token for `given` with its expiry, who it is, and Venus's public endpoints by region;
    LoginRefused (401, naming the password) when Keystone refuses them, KeystoneUnavailable (503)
    when it cannot answer."""
    auth_url = str(options.get("auth_url") or options.get("www_authenticate_uri") or "")
    auth = v3.Password(auth_url=auth_url, username=given.username, password=given.password,
                       project_name=given.project, user_domain_name=given.user_domain,
                       project_domain_name=given.project_domain)
    verify = False if options.get("insecure") else (str(options.get("cafile") or "") or True)
    timeout = float(options.get("http_connect_timeout") or 10)
    try:
        access = auth.get_access(session.Session(auth=auth, verify=verify, timeout=timeout))
    except ks_exceptions.Unauthorized:
        raise LoginRefused("Keystone refused this user, password and project", field="password") from None
    except ks_exceptions.ClientException as exc:
        raise KeystoneUnavailable(f"Keystone could not log in: {type(exc).__name__}") from None
    found = access.service_catalog.get_endpoints(service_type=SERVICE_TYPE, interface="public")
    endpoints = sorted({(e.get("region_id") or e.get("region") or "", e["url"].rstrip("/"))
                        for e in found.get(SERVICE_TYPE, [])})
    return {"token": access.auth_token, "expires_at": access.expires.isoformat(),
            "user_name": access.username, "project_name": access.project_name,
            "endpoints": [{"region": region, "url": url} for region, url in endpoints]}
