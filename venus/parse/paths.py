"""What a log file's path says about its lines: host, service and program.

    /var/log/nova/nova-compute.log            -> service nova,     program nova-compute
    /var/log/kolla/neutron/neutron-server.log -> service neutron,  program neutron-server
    ctl1/var/log/messages                     -> host ctl1, program from each line (syslog)
    /var/log/rabbitmq/rabbit@ctl1.log         -> service rabbitmq, program rabbitmq
    nova-api.log.1.2017-05-16_13:53:08        -> service nova,     program nova-api (rotated name)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# OpenStack projects and platform services whose programs are named "<service>-<role>".
KNOWN_SERVICES = (
    "nova", "neutron", "cinder", "glance", "keystone", "placement", "heat", "horizon", "swift",
    "octavia", "ironic", "designate", "barbican", "manila", "magnum", "aodh", "ceilometer",
    "gnocchi", "masakari", "mistral", "trove", "watcher", "zun", "kuryr", "blazar", "cyborg",
    "skyline", "venus", "mariadb", "mysql", "rabbitmq", "haproxy", "keepalived", "libvirt",
    "openvswitch", "ovn", "memcached", "etcd", "zookeeper", "kafka", "apache2", "httpd", "nginx",
)
_SERVICE_ALIASES = {"mysql": "mariadb", "mysqld": "mariadb", "libvirtd": "libvirt", "qemu": "libvirt",
                    "ovs-vswitchd": "openvswitch", "ovsdb-server": "openvswitch", "apache2": "httpd",
                    "rabbit": "rabbitmq", "neutron-openvswitch-agent": "neutron"}

# Files directly under /var/log that hold syslog-style lines from many programs.
SYSTEM_FILES = {"messages", "secure", "cron", "syslog", "auth.log", "kern.log", "daemon.log", "user.log",
                "maillog", "mail.log", "boot.log", "dmesg", "spooler", "audit.log"}

# Rotation suffixes: .1, .2.gz, -20240506, .1.2017-05-16_13:53:08, .gz
_ROTATION = re.compile(r"(\.log)?(\.\d+)?([.-][\d_:.-]+)?(\.gz)?$")


@dataclass(frozen=True)
class SourceInfo:
    host: str
    service: str
    program: str
    path: str


def service_of(program: str) -> str:
    """nova-compute -> nova, neutron-openvswitch-agent -> neutron, sshd -> sshd, rabbit@ctl1 -> rabbitmq."""
    if program in _SERVICE_ALIASES:
        return _SERVICE_ALIASES[program]
    head = re.split(r"[-_@.]", program, maxsplit=1)[0]
    if head in _SERVICE_ALIASES:
        return _SERVICE_ALIASES[head]
    return head


def program_of(filename: str) -> str:
    """The file name without '.log' and rotation suffixes: 'nova-api.log.1.gz' -> 'nova-api'."""
    stem = filename
    if ".log" in stem:
        stem = stem[: stem.index(".log")]
    else:
        stem = _ROTATION.sub("", stem) or stem
    if stem.startswith("rabbit@"):
        return "rabbitmq"
    return stem


def describe_path(path: str, host: str | None = None) -> SourceInfo:
    """Host, service, program and source path for a file. `host` (from --host) wins over the path."""
    norm = path.replace("\\", "/")
    parts = [p for p in norm.split("/") if p]
    path_host = ""
    if "var" in parts:
        i = parts.index("var")
        if i > 0 and i + 1 < len(parts) and parts[i + 1] == "log":
            # <host>/var/log/...: a tree gathered from many machines; the source is the path there.
            path_host = parts[i - 1]
            path = "/" + "/".join(parts[i:])
    filename = parts[-1] if parts else norm
    program = program_of(filename)
    base_name = re.sub(r"(\.\d+)?(\.gz)?$", "", filename)
    base_name = re.sub(r"-\d{8}$", "", base_name)
    service = ""
    if base_name in SYSTEM_FILES:
        program = ""  # taken from each syslog line
    else:
        # The directory under /var/log (or /var/log/kolla) names the service when it is one we know.
        dirs = parts[:-1]
        for d in reversed(dirs):
            if d in ("log", "kolla", "var"):
                break
            candidate = service_of(d)
            if d in KNOWN_SERVICES or candidate in KNOWN_SERVICES or d in _SERVICE_ALIASES:
                service = candidate
                break
        if not service:
            service = service_of(program)
    return SourceInfo(host=host or path_host, service=service, program=program, path=path)
