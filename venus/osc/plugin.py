"""The hooks python-openstackclient looks for in a plugin (entry point `openstack.cli.extension`):
the API's name, its versions, how to make its client from the shell's session, and its options."""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib import utils

from venus.osc import SERVICE_TYPE

API_NAME = "log"
API_VERSION_OPTION = "os_log_api_version"
API_VERSIONS = {"1": "venus.osc.client.LogClient"}
DEFAULT_API_VERSION = "1"


def make_client(instance: Any) -> Any:
    """The Venus client of this shell: its Keystone session, and Venus's endpoint from the catalog
    (or --os-log-url, for a Venus not registered there)."""
    cls = utils.get_client_class(API_NAME, instance._api_version[API_NAME], API_VERSIONS)
    endpoint = instance._cli_options.config.get("log_url") or instance.get_endpoint_for_service_type(
        SERVICE_TYPE, region_name=instance.region_name, interface=instance.interface)
    return cls(instance.session, endpoint)


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--os-log-api-version", metavar="<log-api-version>",
                        default=utils.env("OS_LOG_API_VERSION", default=DEFAULT_API_VERSION),
                        help=f"Venus API version, default {DEFAULT_API_VERSION} (env: OS_LOG_API_VERSION)")
    parser.add_argument("--os-log-url", metavar="<url>", default=utils.env("OS_LOG_URL"),
                        help="Venus's URL, instead of the catalog's log-management endpoint (env: OS_LOG_URL)")
    return parser
