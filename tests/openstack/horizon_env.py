"""A real Horizon 27 with the original venus-dashboard 7.0.0 plugin for the tests: its own virtual
environment (pinned by horizon-constraints.txt, built once into the test cache and rebuilt when the
pins change), configured by horizon_settings.py, served by Django's runserver on a free loopback port.

Three faults of the packages are worked around when the environment is built: pip must be new
enough for --build-constraint, which keeps setuptools below 81 while XStatic-Moment-Timezone's
setup.py is run (it imports pkg_resources); venus-dashboard does not declare python-venusclient;
and its panels need the Django shim of horizon_settings.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import free_port
from tests.openstack.services import cached_environment, stop_group, wait_until_answers

HERE = Path(__file__).resolve().parent
CONSTRAINTS = HERE / "horizon-constraints.txt"
BUILD_CONSTRAINTS = HERE / "horizon-build-constraints.txt"
SETTINGS = HERE / "horizon_settings.py"
PACKAGES = ("horizon", "venus-dashboard", "python-venusclient")
PANELS = ("log_search", "log_analysis", "log_error", "configuration", "log_detect")


def horizon_python() -> Path:
    """The Python of Horizon's environment, with the plugin's panels enabled and the test settings."""
    return cached_environment("horizon", [CONSTRAINTS, BUILD_CONSTRAINTS, SETTINGS], _install_horizon)


def _install_horizon(python: Path) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip>=25.3"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS),
                    "--build-constraint", str(BUILD_CONSTRAINTS), *PACKAGES], check=True)
    where = "import openstack_dashboard, os; print(os.path.dirname(openstack_dashboard.__file__))"
    site = Path(subprocess.run([str(python), "-c", where], check=True, capture_output=True, text=True).stdout.strip())
    shutil.copy(SETTINGS, site / "local" / "local_settings.py")
    for enabled in (site.parent / "venus_dashboard" / "enabled").glob("_4*.py"):  # the panel group and five panels
        shutil.copy(enabled, site / "local" / "enabled" / enabled.name)


class Horizon:
    """Horizon on a free port, logging in against `keystone_url`."""

    def __init__(self, root: Path, keystone_url: str) -> None:
        python = horizon_python()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "horizon.log"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "openstack_dashboard.settings",
               "VENUS_TEST_KEYSTONE_URL": keystone_url, "VENUS_TEST_HORIZON_LOG": str(root / "django.log")}
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (open while Horizon runs)
        self.proc = subprocess.Popen([str(python), "-m", "django", "runserver", f"127.0.0.1:{self.port}",
                                      "--noreload"], env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.wait_up()

    def wait_up(self, timeout: float = 180) -> None:
        """Until the login page answers: its first request compiles the styles (seconds to a minute)."""
        wait_until_answers(self.proc, f"{self.url}/auth/login/", self.log_path, "Horizon", timeout, request_timeout=120)

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()
