"""A small OpenStack cloud's logs, written by this project (no third-party data).

Controllers run the API services, schedulers, MariaDB, RabbitMQ and HAProxy; compute hosts run
nova-compute, the Open vSwitch agent and libvirtd. Events follow real oslo.log shapes: API access
lines with latencies, server boots that cross nova-api → scheduler → conductor → compute → glance
and neutron under one global request id, periodic tasks with DEBUG suffixes, a MariaDB outage and
a RabbitMQ outage that make services log tracebacks (logging_exception_prefix form), and syslog
lines from the kernel, sshd, cron and systemd. Files use kolla's layout under <host>/var/log.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import TextIO

DEBUG_SUFFIX = " {func} /var/lib/kolla/venv/lib/python3.12/site-packages/{path}:{line}"
EXC = "oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID {mid}"


class _Clock:
    """Formats epoch seconds as oslo.log and syslog stamps, caching the whole-second part."""

    def __init__(self) -> None:
        self._second = -1
        self._oslo = self._syslog = ""

    def _update(self, t: float) -> None:
        sec = int(t)
        if sec != self._second:
            tm = time.gmtime(sec)
            self._second = sec
            self._oslo = time.strftime("%Y-%m-%d %H:%M:%S", tm)
            self._syslog = time.strftime("%b %e %H:%M:%S", tm)  # day padded with a space: "Jun  9"

    def oslo(self, t: float) -> str:
        self._update(t)
        return f"{self._oslo}.{int((t % 1) * 1000):03d}"

    def syslog(self, t: float) -> str:
        self._update(t)
        return self._syslog


class DemoCloud:
    def __init__(self, seed: int = 7, computes: int = 8, controllers: int = 3) -> None:
        self.rng = random.Random(seed)
        self.controllers = [f"ctl{i}" for i in range(1, controllers + 1)]
        self.computes = [f"cmp{i}" for i in range(1, computes + 1)]
        self.users = [self._hex() for _ in range(12)]
        self.projects = [self._hex() for _ in range(6)]
        self.images = [self._uuid() for _ in range(5)]
        self.instances: list[tuple[str, str]] = []  # (uuid, compute host)
        self.pids: dict[tuple[str, str], int] = {}
        self._loops: dict[tuple[str, str], tuple[float, str]] = {}
        self.clock = _Clock()
        self._files: dict[tuple[str, str], TextIO] = {}
        self.lines = 0
        self.bytes = 0

    # -- ids -----------------------------------------------------------------------------------

    def _hex(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _uuid(self) -> str:
        h = self._hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def _pid(self, host: str, program: str) -> int:
        key = (host, program)
        if key not in self.pids:
            self.pids[key] = self.rng.randint(20, 4_000_000)
        return self.pids[key]

    # -- writing -------------------------------------------------------------------------------

    def _write(self, host: str, rel: str, text: str) -> None:
        fh = self._files.get((host, rel))
        if fh is None:
            path = self.root / host / "var" / "log" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
            self._files[(host, rel)] = fh
        fh.write(text)
        self.lines += text.count("\n")
        self.bytes += len(text)

    def oslo(self, t: float, host: str, service: str, program: str, level: str, logger: str,
             message: str, ctx: str | None = None, instance: str | None = None, func: str = "") -> None:
        """One oslo.log line in the default context/default formats (+ DEBUG suffix)."""
        pid = self._pid(host, program)
        block = f"[{ctx}]" if ctx else "[-]"
        inst = f"[instance: {instance}] " if instance else ""
        suffix = ""
        if level == "DEBUG":
            suffix = DEBUG_SUFFIX.format(func=func or "run", path=logger.replace(".", "/") + ".py",
                                         line=self.rng.randint(40, 900))
        self._write(host, f"kolla/{service}/{program}.log",
                    f"{self.clock.oslo(t)} {pid} {level} {logger} {block} {inst}{message}{suffix}\n")

    def traceback(self, t: float, host: str, service: str, program: str, logger: str, ctx: str,
                  message: str, frames: list[tuple[str, int, str, str]], exc: str) -> None:
        """An ERROR line and its traceback, every line prefixed (logging_exception_prefix)."""
        self.oslo(t, host, service, program, "ERROR", logger, message, ctx)
        prefix = f"{self.clock.oslo(t)} {self._pid(host, program)} ERROR {logger} "
        lines = [f"{prefix}Traceback (most recent call last):"]
        for path, line, func, code in frames:
            lines.append(f'{prefix}  File "/var/lib/kolla/venv/lib/python3.12/site-packages/{path}", '
                         f"line {line}, in {func}")
            lines.append(f"{prefix}    {code}")
        lines.append(f"{prefix}{exc}")
        self._write(host, f"kolla/{service}/{program}.log", "\n".join(lines) + "\n")

    def syslog(self, t: float, host: str, program: str, message: str, pid: int | None = None) -> None:
        tag = f"{program}[{pid}]" if pid else program
        self._write(host, "messages", f"{self.clock.syslog(t)} {host} {tag}: {message}\n")

    # -- contexts ------------------------------------------------------------------------------

    def ctx(self, global_id: str | None, user: str | None = None, project: str | None = None) -> str:
        g = f"req-{global_id}" if global_id else "None"
        if user is None:
            return f"{g} req-{self._uuid()} - - - - - -"
        return f"{g} req-{self._uuid()} {user} {project} - - default default"

    # -- events --------------------------------------------------------------------------------

    def api_get(self, t: float) -> None:
        ctl = self.rng.choice(self.controllers)
        user, project = self.rng.choice(self.users), self.rng.choice(self.projects)
        kind = self.rng.random()
        slow = self.rng.random() < 0.02
        latency = self.rng.lognormvariate(-2.8, 0.6) * (30 if slow else 1)
        if kind < 0.45:
            path, status = "/v2.1/servers/detail", 200
            self.oslo(t, ctl, "nova", "nova-api", "INFO", "nova.api.openstack.requestlog",
                      f'10.0.0.{self.rng.randint(2, 250)} "GET {path}" status: {status} len: '
                      f"{self.rng.randint(400, 9000)} microversion: 2.79 time: {latency:.6f}",
                      self.ctx(None, user, project))
        elif kind < 0.7:
            status = 200 if self.rng.random() > 0.01 else 500
            self.oslo(t, ctl, "neutron", "neutron-server", "INFO", "neutron.wsgi",
                      f'10.0.0.{self.rng.randint(2, 250)},127.0.0.1 "GET /v2.0/ports?device_id='
                      f'{self._uuid()} HTTP/1.1" status: {status}  len: {self.rng.randint(200, 3000)} '
                      f"time: {latency:.7f}", self.ctx(None, user, project))
        elif kind < 0.85:
            request = self.ctx(None, user, project)
            self.oslo(t, ctl, "cinder", "cinder-api", "INFO", "cinder.api.openstack.wsgi",
                      f"GET http://10.0.0.10:8776/v3/{project}/volumes/detail", request)
            self.oslo(t + latency, ctl, "cinder", "cinder-api", "INFO", "cinder.api.openstack.wsgi",
                      f"http://10.0.0.10:8776/v3/{project}/volumes/detail returned with HTTP 200", request)
        else:
            self._write(ctl, "kolla/keystone/keystone-uwsgi.log",
                        f"[pid: {self._pid(ctl, 'keystone')}|app: 0|req: {self.rng.randint(1, 9999)}/"
                        f"{self.rng.randint(10000, 99999)}] 10.0.0.{self.rng.randint(2, 250)} () "
                        f"{{38 vars in 712 bytes}} [{time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime(t))}] "
                        f"GET /v3/auth/tokens => generated {self.rng.randint(1000, 9000)} bytes in "
                        f"{max(1, int(latency * 1000))} msecs (HTTP/1.1 200) 6 headers in 246 bytes "
                        "(1 switches on core 0)\n")
            self.oslo(t, ctl, "keystone", "keystone", "DEBUG", "keystone.server.flask.request_processing.req_logging",
                      "REQUEST_METHOD: `GET`", self.ctx(None), func="log_request_info")
        self._write(ctl, "kolla/haproxy/haproxy.log",
                    f"{self.clock.syslog(t)} {ctl} haproxy[{self._pid(ctl, 'haproxy')}]: 10.0.1."
                    f"{self.rng.randint(2, 250)}:{self.rng.randint(30000, 60000)} [{time.strftime('%d/%b/%Y:%H:%M:%S', time.gmtime(t))}"
                    f".{int((t % 1) * 1000):03d}] nova_api_front nova_api_back/{ctl} 0/0/{int(latency * 1000) + 1} "
                    f"{self.rng.randint(400, 9000)} -- 120/40/39/13/0 0/0\n")

    def boot(self, t: float, fail: bool) -> float:
        """A server boot; returns when it ends."""
        rng = self.rng
        ctl = rng.choice(self.controllers)
        cmp = rng.choice(self.computes)
        user, project = rng.choice(self.users), rng.choice(self.projects)
        inst = self._uuid()
        gid = self._uuid()
        api_ctx = f"None req-{gid} {user} {project} - - default default"
        self.oslo(t, ctl, "nova", "nova-api", "INFO", "nova.api.openstack.requestlog",
                  f'10.0.0.{rng.randint(2, 250)} "POST /v2.1/servers" status: 202 len: 486 '
                  f"microversion: 2.79 time: {rng.uniform(0.3, 1.2):.6f}", api_ctx)
        t += rng.uniform(0.05, 0.3)
        conductor = self.ctx(gid, user, project)
        compute = self.ctx(gid, user, project)
        self.oslo(t, ctl, "nova", "nova-conductor", "INFO", "nova.conductor.manager",
                  "Scheduling instance build", conductor, inst)
        t += rng.uniform(0.05, 0.3)
        self.oslo(t, ctl, "placement", "placement-api", "INFO", "placement.requestlog",
                  f'10.0.0.{rng.randint(2, 250)} "GET /allocation_candidates?limit=1000" status: 200 '
                  f"len: {rng.randint(2000, 9000)} microversion: 1.36", self.ctx(gid, user, project))
        if fail and rng.random() < 0.4:
            self.oslo(t, ctl, "nova", "nova-conductor", "ERROR", "nova.conductor.manager",
                      "Failed to schedule instances: nova.exception_Remote.NoValidHost_Remote: "
                      "No valid host was found. There are not enough hosts available.", conductor, inst)
            return t
        self.oslo(t, ctl, "nova", "nova-scheduler", "INFO", "nova.scheduler.filter_scheduler",
                  f"Selected host: {cmp}", self.ctx(gid, user, project), inst)
        t += rng.uniform(0.1, 0.5)
        self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.compute.claims", "Claim successful on node "
                  f"{cmp}", compute, inst)
        self.oslo(t, ctl, "glance", "glance-api", "INFO", "eventlet.wsgi.server",
                  f'10.0.0.{rng.randint(2, 250)},127.0.0.1 "GET /v2/images/{rng.choice(self.images)} HTTP/1.1" '
                  f"status: 200  len: {rng.randint(900, 1500)} time: {rng.uniform(0.01, 0.2):.7f}",
                  self.ctx(gid, user, project))
        t += rng.uniform(0.2, 1.0)
        port = self._uuid()
        self.oslo(t, ctl, "neutron", "neutron-server", "INFO", "neutron.wsgi",
                  f'10.0.0.{rng.randint(2, 250)},127.0.0.1 "POST /v2.0/ports HTTP/1.1" status: 201  '
                  f"len: {rng.randint(900, 1500)} time: {rng.uniform(0.2, 1.5):.7f}", self.ctx(gid, user, project))
        self.oslo(t, cmp, "neutron", "neutron-openvswitch-agent", "INFO",
                  "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent",
                  f"Port {port} updated. Details: {{'device': '{port}', 'admin_state_up': True}}", self.ctx(gid))
        self.syslog(t, cmp, "kernel", f"[{rng.uniform(1000, 900000):.6f}] device tap{port[:11]} entered promiscuous mode")
        t += rng.uniform(1.0, 8.0)
        if fail:
            self.traceback(t, cmp, "nova", "nova-compute", "nova.compute.manager", compute,
                           f"[instance: {inst}] Instance failed to spawn",
                           [("nova/compute/manager.py", 2743, "_build_resources", "yield resources"),
                            ("nova/virt/libvirt/driver.py", 4412, "spawn", "self._create_guest_with_network("),
                            ("nova/virt/libvirt/driver.py", 7764, "_create_guest_with_network",
                             "raise exception.VirtualInterfaceCreateException()")],
                           "nova.exception.VirtualInterfaceCreateException: Virtual Interface creation failed")
            self._write(cmp, "kolla/libvirt/libvirtd.log",
                        f"{self.clock.oslo(t)}+0000: {self._pid(cmp, 'libvirtd')}: error : "
                        f"virNetDevTapCreate:242 : Unable to create tap device tap{port[:11]}: Device or resource busy\n")
            return t
        spawn = rng.uniform(5, 40)
        self._write(cmp, "kolla/libvirt/libvirtd.log",
                    f"{self.clock.oslo(t)}+0000: {self._pid(cmp, 'libvirtd')}: info : "
                    f"qemuProcessStart:7523 : Starting domain instance-{rng.randint(1, 99999):08x}\n")
        self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.virt.libvirt.driver",
                  "Instance spawned successfully.", compute, inst)
        self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.compute.manager",
                  f"Took {spawn:.2f} seconds to spawn the instance on the hypervisor.", compute, inst)
        self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.compute.manager",
                  f"Took {spawn + rng.uniform(1, 5):.2f} seconds to build instance.", compute, inst)
        self.instances.append((inst, cmp))
        return t

    def loop_ctx(self, t: float, host: str, program: str, period: float = 60.0) -> str:
        """The context of a service's periodic loop: one request id for every line of one run,
        as oslo.service logs them (a run lasts `period` seconds here)."""
        key = (host, program)
        expires, ctx = self._loops.get(key, (0.0, ""))
        if t >= expires:
            ctx = self.ctx(None)
            self._loops[key] = (t + period, ctx)
        return ctx

    def periodic(self, t: float) -> None:
        host = self.rng.choice(self.computes)
        task = self.rng.choice(("ComputeManager._poll_unconfirmed_resizes", "ComputeManager._heal_instance_info_cache",
                                "ComputeManager.update_available_resource", "ComputeManager._sync_power_states"))
        self.oslo(t, host, "nova", "nova-compute", "DEBUG", "oslo_service.periodic_task",
                  f"Running periodic task {task}", self.loop_ctx(t, host, "nova-compute"), func="run_periodic_tasks")
        if self.rng.random() < 0.3:
            self.oslo(t, host, "neutron", "neutron-openvswitch-agent", "DEBUG",
                      "neutron.agent.common.ovs_lib", "Agent rpc_loop - iteration:"
                      f"{self.rng.randint(1, 999999)} completed. Processed ports statistics: "
                      "{'regular': {'added': 0, 'updated': 0, 'removed': 0}}.",
                      self.loop_ctx(t, host, "neutron-openvswitch-agent", 300.0), func="rpc_loop")

    def system(self, t: float) -> None:
        host = self.rng.choice(self.controllers + self.computes)
        r = self.rng.random()
        if r < 0.4:
            self.syslog(t, host, "systemd", "Started Session %d of user root." % self.rng.randint(1, 99999), 1)
        elif r < 0.7:
            self.syslog(t, host, "sshd", f"Accepted publickey for stack from 10.0.9.{self.rng.randint(2, 250)} "
                        f"port {self.rng.randint(30000, 60000)} ssh2", self.rng.randint(1000, 99999))
        elif r < 0.9:
            self.syslog(t, host, "CRON", "(root) CMD (/usr/local/bin/check-health)", self.rng.randint(1000, 99999))
        elif r < 0.99995:
            self.syslog(t, host, "kernel", f"[{self.rng.uniform(1000, 900000):.6f}] EXT4-fs (vda1): "
                        "mounted filesystem with ordered data mode")
        else:  # rare: about one line in a few hundred thousand (the benchmark's "rare word")
            self.syslog(t, host, "kernel", f"[{self.rng.uniform(1000, 900000):.6f}] qemu-kvm[{self.rng.randint(1000, 99999)}]: "
                        "segfault at 0 ip 00007f3a sp 00007ffd error 4 in libc.so.6")

    def db_outage(self, t: float) -> None:
        ctl = self.controllers[0]
        self._write(ctl, "kolla/mariadb/mariadb.log",
                    f"{self.clock.oslo(t)[:19]} {self.rng.randint(10, 9999)} [Warning] Aborted connection "
                    f"{self.rng.randint(1000, 99999)} to db: 'nova' user: 'nova' host: '10.0.0.11' (Got an error reading "
                    "communication packets)\n")
        host = self.rng.choice(self.controllers)
        self.oslo(t, host, "nova", "nova-conductor", "ERROR", "oslo_db.sqlalchemy.engines",
                  "Database connection was found disconnected; reconnecting: oslo_db.exception.DBConnectionError: "
                  "(pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')")
        self.traceback(t, host, "nova", "nova-conductor", "nova.servicegroup.drivers.db", self.ctx(None),
                       "Unexpected error while reporting service status",
                       [("oslo_db/sqlalchemy/engines.py", 73, "_connect_ping_listener", "connection.scalar(select(1))"),
                        ("pymysql/connections.py", 775, "_read_packet", "raise err.OperationalError(")],
                       "oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2013, "
                       "'Lost connection to MySQL server during query')")

    def mq_outage(self, t: float) -> None:
        ctl = self.controllers[1]
        self._write(ctl, f"kolla/rabbitmq/rabbit@{ctl}.log",
                    f"{self.clock.oslo(t)}000+00:00 [error] <0.{self.rng.randint(100, 9999)}.0> closing AMQP "
                    f"connection <0.{self.rng.randint(100, 9999)}.0> (10.0.0.{self.rng.randint(2, 250)}:"
                    f"{self.rng.randint(30000, 60000)} -> 10.0.0.12:5672): missed heartbeats from client, timeout: 60s\n")
        host = self.rng.choice(self.computes)
        self.oslo(t, host, "nova", "nova-compute", "ERROR", "oslo.messaging._drivers.impl_rabbit",
                  f"[{self._uuid()}] AMQP server on {ctl}:5672 is unreachable: [Errno 111] Connection refused. "
                  "Trying again in 1 seconds.: ConnectionRefusedError: [Errno 111] Connection refused", self.ctx(None))
        if self.rng.random() < 0.1:
            self.traceback(t, host, "nova", "nova-compute", "nova.compute.manager", self.ctx(None),
                           "Error updating resources for node " + host,
                           [("oslo_messaging/rpc/client.py", 190, "call", "result = self.transport._send("),
                            ("oslo_messaging/_drivers/amqpdriver.py", 446, "wait", "message = self.waiters.get(")],
                           EXC.format(mid=self._hex()))

    # -- the whole tree ------------------------------------------------------------------------

    def write_tree(self, root: Path, lines: int, span_hours: float = 6.0, end: float | None = None) -> dict:
        """Write about `lines` lines spread over the `span_hours` before `end` (default now)."""
        self.root = Path(root)
        end = end if end is not None else time.time()
        start = end - span_hours * 3600
        # Events are spaced so that the lines fill the span; each event writes ~2 lines on average.
        step = span_hours * 3600 / max(lines / 2.2, 1)
        db_window = (start + 0.4 * (end - start), start + 0.4 * (end - start) + 120)
        mq_window = (start + 0.7 * (end - start), start + 0.7 * (end - start) + 180)
        t = start
        rng = self.rng
        try:
            while self.lines < lines and t < end:
                t += rng.expovariate(1 / step)
                r = rng.random()
                if db_window[0] <= t < db_window[1] and r < 0.3:
                    self.db_outage(t)
                elif mq_window[0] <= t < mq_window[1] and r < 0.3:
                    self.mq_outage(t)
                elif r < 0.55:
                    self.api_get(t)
                elif r < 0.8:
                    self.periodic(t)
                elif r < 0.95:
                    self.system(t)
                else:
                    self.boot(t, fail=rng.random() < 0.05)
        finally:
            for fh in self._files.values():
                fh.close()
        return {"lines": self.lines, "bytes": self.bytes, "files": len(self._files)}
