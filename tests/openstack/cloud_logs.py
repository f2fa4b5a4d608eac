"""The lines of the test cloud: nova errors and API lines of the demo project, cinder errors of the
other project, each carrying its project's word, and system lines of no project; all in the last hour, so the
default windows of the CLI and of Horizon's panels hold them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEMO_WORD, OTHER_WORD, SYSTEM_WORD = "demoword", "otherword", "systemword"
DEMO_REQUEST = "req-d3e0d3e0-0000-4000-8000-00000000d3e0"
LINES = 24  # of each kind but the API's
API_LINES = LINES // 2  # Log Analysis draws its bars from the smallest count up: counts differ


def cloud_lines(demo_project: str, other_project: str, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(UTC)
    out = []
    for i in range(LINES):
        ts = (now - timedelta(minutes=50) + timedelta(seconds=120 * i)).isoformat()
        nova = {"host": f"cmp{i % 3 + 1}", "program": "nova-compute", "service": "nova", "@timestamp": ts,
                "source": "/var/log/kolla/nova/nova-compute.log", "logger": "nova.compute.manager"}
        out.append({**nova, "level": "ERROR", "project_id": demo_project, "request_id": DEMO_REQUEST,
                    "message": f"{DEMO_WORD} instance {i} failed to build: No valid host was found"})
        if i % 2 == 0:
            out.append({**nova, "program": "nova-api", "source": "/var/log/kolla/nova/nova-api.log",
                        "logger": "nova.api.openstack.wsgi", "level": "INFO", "project_id": demo_project,
                        "message": f"{DEMO_WORD} instance {i} created by the API"})
        out.append({**nova, "program": "cinder-volume", "service": "cinder", "logger": "cinder.volume.manager",
                    "source": "/var/log/kolla/cinder/cinder-volume.log", "level": "ERROR",
                    "project_id": other_project, "message": f"{OTHER_WORD} volume {i} could not be attached: device busy"})
        out.append({"host": "ctl1", "program": "kernel", "source": "/var/log/kern.log", "@timestamp": ts,
                    "level": "WARNING", "message": f"{SYSTEM_WORD} oom-killer woke {i} times"})
    return out
