"""A small OpenStack cloud's logs, written by this project (no third-party data).

Controllers run the API services, schedulers, MariaDB, RabbitMQ and HAProxy; compute hosts run
nova-compute, the Open vSwitch agent and libvirtd. Events follow real oslo.log shapes: API access
lines with latencies, server boots that cross nova-api → scheduler → conductor → compute → glance
and neutron under one global request id, periodic tasks with DEBUG suffixes, a MariaDB outage and
a RabbitMQ outage that make services log tracebacks (logging_exception_prefix form), and syslog
lines from the kernel, sshd, cron and systemd. Files use kolla's layout under <host>/var/log.

Every message is written from a template, and the generator knows it: with `labels`, it keeps for
each record the message as Venus stores it and its template (the ground truth that `venus demo
--labelled` writes and the template miner is measured against). A template is the generator's
format string: what it writes the same every time is literal, each value it varies is `<*>`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from venus.demo.scenarios import Scenario

DEBUG_SUFFIX = " {func} /var/lib/kolla/venv/lib/python3.12/site-packages/{path}:{line}"
EXC = "oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID {mid}"
# How a deviating boot goes wrong (the sequence detector's ground truth): a step missing (no claim),
# two steps swapped (spawn time before spawned), a step repeated (scheduled twice), a step out of
# place (spawned before anything ran on the compute host).
DEVIATIONS = ("missing_step", "steps_swapped", "repeated_step", "step_out_of_place")
LINES_PER_EVENT = 2.4  # lines an event writes on average (measured), so the events fill the span
# The access lines of nova's requestlog and of eventlet.wsgi (neutron, glance): one template each,
# whatever the request.
NOVA_REQUEST = '{ip} "{method} {uri}" status: {status} len: {length} microversion: 2.79 time: {time}'
WSGI_REQUEST = '{ip},127.0.0.1 "{method} {uri} HTTP/1.1" status: {status}  len: {length} time: {time}'


class Message(str):
    """A message and the template it was filled from."""

    template: str


def ground_truth(template: str) -> str:
    """A format string as a log template: its literal text, each field written <*>."""
    return "".join(literal + ("<*>" if name is not None else "")
                   for literal, name, _, _ in Formatter().parse(template))


def fill(template: str, **values: object) -> Message:
    """The message `template.format(**values)`, knowing its template."""
    message = Message(template.format(**values))
    message.template = ground_truth(template)
    return message


def template_of(message: str) -> str:
    """The template of a message: a constant message is its own."""
    return getattr(message, "template", message)


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
    def __init__(self, seed: int = 7, computes: int = 8, controllers: int = 3, labels: bool = False) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        # (message as stored, its template) per record, when asked for
        self.labels: list[tuple[str, str]] | None = [] if labels else None
        # Boots whose lifecycle is made to go wrong (write_tree's `deviations`): instance → how.
        self.deviated: dict[str, str] = {}
        self._deviation_rng: random.Random | None = None
        self._deviation_share = 0.0
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

    def _label(self, content: str, template: str) -> None:
        if self.labels is not None:
            self.labels.append((content, template))

    def _oslo_line(self, t: float, host: str, program: str, level: str, logger: str, message: str,
                   ctx: str | None, instance: str | None, suffix: str) -> str:
        pid = self._pid(host, program)
        block = f"[{ctx}]" if ctx else "[-]"
        inst = f"[instance: {instance}] " if instance else ""
        return f"{self.clock.oslo(t)} {pid} {level} {logger} {block} {inst}{message}{suffix}\n"

    def oslo(self, t: float, host: str, service: str, program: str, level: str, logger: str,
             message: str, ctx: str | None = None, instance: str | None = None, func: str = "") -> None:
        """One oslo.log line in the default context/default formats (+ DEBUG suffix)."""
        self._pid(host, program)  # drawn before the suffix's line number: the same stream as ever
        suffix = ""
        if level == "DEBUG":
            suffix = DEBUG_SUFFIX.format(func=func or "run", path=logger.replace(".", "/") + ".py",
                                         line=self.rng.randint(40, 900))
        self._write(host, f"kolla/{service}/{program}.log",
                    self._oslo_line(t, host, program, level, logger, message, ctx, instance, suffix))
        self._label(message, template_of(message))  # Venus keeps the DEBUG suffix in attrs

    def traceback(self, t: float, host: str, service: str, program: str, logger: str, ctx: str,
                  message: str, frames: list[tuple[str, int, str, str]], exc: str,
                  instance: str | None = None) -> None:
        """An ERROR line and its traceback, every line prefixed (logging_exception_prefix); Venus
        stores them as one record."""
        first = self._oslo_line(t, host, program, "ERROR", logger, message, ctx, instance, "")
        prefix = f"{self.clock.oslo(t)} {self._pid(host, program)} ERROR {logger} "
        lines = ["Traceback (most recent call last):"]
        for path, line, func, code in frames:
            lines.append(f'  File "/var/lib/kolla/venv/lib/python3.12/site-packages/{path}", line {line}, in {func}')
            lines.append(f"    {code}")
        self._write(host, f"kolla/{service}/{program}.log",
                    first + "\n".join(prefix + line for line in [*lines, exc]) + "\n")
        self._label("\n".join([message, *lines, exc]), "\n".join([template_of(message), *lines, template_of(exc)]))

    def syslog(self, t: float, host: str, program: str, message: str, pid: int | None = None,
               uptime: float | None = None) -> None:
        """A syslog line; the kernel's carry the seconds since boot, which Venus does not keep."""
        tag = f"{program}[{pid}]" if pid else program
        stamp = f"[{uptime:.6f}] " if uptime is not None else ""
        self._write(host, "messages", f"{self.clock.syslog(t)} {host} {tag}: {stamp}{message}\n")
        self._label(message, template_of(message))

    def raw(self, host: str, rel: str, head: str, message: str) -> None:
        """A line of a format of its own (libvirt, RabbitMQ, MariaDB, HAProxy, uwsgi): the header
        Venus reads, then the message."""
        self._write(host, rel, f"{head}{message}\n")
        self._label(message, template_of(message))

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
                      fill(NOVA_REQUEST, ip=f"10.0.0.{self.rng.randint(2, 250)}", method="GET", uri=path,
                           status=status, length=self.rng.randint(400, 9000), time=f"{latency:.6f}"),
                      self.ctx(None, user, project))
        elif kind < 0.7:
            status = 200 if self.rng.random() > 0.01 else 500
            self.oslo(t, ctl, "neutron", "neutron-server", "INFO", "neutron.wsgi",
                      fill(WSGI_REQUEST, ip=f"10.0.0.{self.rng.randint(2, 250)}", method="GET",
                           uri=f"/v2.0/ports?device_id={self._uuid()}", status=status,
                           length=self.rng.randint(200, 3000), time=f"{latency:.7f}"),
                      self.ctx(None, user, project))
        elif kind < 0.85:
            request = self.ctx(None, user, project)
            url = f"http://10.0.0.10:8776/v3/{project}/volumes/detail"
            self.oslo(t, ctl, "cinder", "cinder-api", "INFO", "cinder.api.openstack.wsgi",
                      fill("GET {url}", url=url), request)
            self.oslo(t + latency, ctl, "cinder", "cinder-api", "INFO", "cinder.api.openstack.wsgi",
                      fill("{url} returned with HTTP 200", url=url), request)
        else:
            self.raw(ctl, "kolla/keystone/keystone-uwsgi.log", "", fill(
                "[pid: {pid}|app: 0|req: {req}/{total}] {ip} () {{38 vars in 712 bytes}} [{when}] "
                "GET /v3/auth/tokens => generated {size} bytes in {msecs} msecs (HTTP/1.1 200) 6 headers in 246 "
                "bytes (1 switches on core 0)", pid=self._pid(ctl, "keystone"), req=self.rng.randint(1, 9999),
                total=self.rng.randint(10000, 99999), ip=f"10.0.0.{self.rng.randint(2, 250)}",
                when=time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(t)), size=self.rng.randint(1000, 9000),
                msecs=max(1, int(latency * 1000))))
            self.oslo(t, ctl, "keystone", "keystone", "DEBUG", "keystone.server.flask.request_processing.req_logging",
                      "REQUEST_METHOD: `GET`", self.ctx(None), func="log_request_info")
        self.raw(ctl, "kolla/haproxy/haproxy.log", f"{self.clock.syslog(t)} {ctl} haproxy[{self._pid(ctl, 'haproxy')}]: ",
                 fill("{ip}:{port} [{when}] nova_api_front nova_api_back/{server} 0/0/{total_ms} {size} -- "
                      "120/40/39/13/0 0/0", ip=f"10.0.1.{self.rng.randint(2, 250)}", port=self.rng.randint(30000, 60000),
                      when=f"{time.strftime('%d/%b/%Y:%H:%M:%S', time.gmtime(t))}.{int((t % 1) * 1000):03d}",
                      server=ctl, total_ms=int(latency * 1000) + 1, size=self.rng.randint(400, 9000)))

    def boot(self, t: float, fail: bool) -> float:
        """A server boot; returns when it ends. A boot chosen to deviate (write_tree's
        `deviations`) writes its lifecycle out of the usual order, as DEVIATIONS says."""
        rng = self.rng
        ctl = rng.choice(self.controllers)
        cmp = rng.choice(self.computes)
        user, project = rng.choice(self.users), rng.choice(self.projects)
        inst = self._uuid()
        gid = self._uuid()
        deviation = None
        if self._deviation_rng and self._deviation_rng.random() < self._deviation_share:
            deviation = self.deviated[inst] = self._deviation_rng.choice(DEVIATIONS)
        api_ctx = f"None req-{gid} {user} {project} - - default default"
        self.oslo(t, ctl, "nova", "nova-api", "INFO", "nova.api.openstack.requestlog",
                  fill(NOVA_REQUEST, ip=f"10.0.0.{rng.randint(2, 250)}", method="POST", uri="/v2.1/servers",
                       status=202, length=486, time=f"{rng.uniform(0.3, 1.2):.6f}"), api_ctx)
        t += rng.uniform(0.05, 0.3)
        conductor = self.ctx(gid, user, project)
        compute = self.ctx(gid, user, project)
        for _ in range(2 if deviation == "repeated_step" else 1):
            self.oslo(t, ctl, "nova", "nova-conductor", "INFO", "nova.conductor.manager",
                      "Scheduling instance build", conductor, inst)
        if deviation == "step_out_of_place":
            self.oslo(t, ctl, "nova", "nova-compute", "INFO", "nova.virt.libvirt.driver",
                      "Instance spawned successfully.", compute, inst)
        t += rng.uniform(0.05, 0.3)
        self.oslo(t, ctl, "placement", "placement-api", "INFO", "placement.requestlog",
                  fill('{ip} "GET /allocation_candidates?limit=1000" status: 200 len: {length} microversion: 1.36',
                       ip=f"10.0.0.{rng.randint(2, 250)}", length=rng.randint(2000, 9000)), self.ctx(gid, user, project))
        if fail and rng.random() < 0.4:
            self.oslo(t, ctl, "nova", "nova-conductor", "ERROR", "nova.conductor.manager",
                      "Failed to schedule instances: nova.exception_Remote.NoValidHost_Remote: "
                      "No valid host was found. There are not enough hosts available.", conductor, inst)
            return t
        self.oslo(t, ctl, "nova", "nova-scheduler", "INFO", "nova.scheduler.filter_scheduler",
                  fill("Selected host: {host}", host=cmp), self.ctx(gid, user, project), inst)
        t += rng.uniform(0.1, 0.5)
        if deviation != "missing_step":
            self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.compute.claims",
                      fill("Claim successful on node {node}", node=cmp), compute, inst)
        self.oslo(t, ctl, "glance", "glance-api", "INFO", "eventlet.wsgi.server",
                  fill(WSGI_REQUEST, ip=f"10.0.0.{rng.randint(2, 250)}", method="GET",
                       uri=f"/v2/images/{rng.choice(self.images)}", status=200, length=rng.randint(900, 1500),
                       time=f"{rng.uniform(0.01, 0.2):.7f}"), self.ctx(gid, user, project))
        t += rng.uniform(0.2, 1.0)
        port = self._uuid()
        self.oslo(t, ctl, "neutron", "neutron-server", "INFO", "neutron.wsgi",
                  fill(WSGI_REQUEST, ip=f"10.0.0.{rng.randint(2, 250)}", method="POST", uri="/v2.0/ports", status=201,
                       length=rng.randint(900, 1500), time=f"{rng.uniform(0.2, 1.5):.7f}"), self.ctx(gid, user, project))
        self.oslo(t, cmp, "neutron", "neutron-openvswitch-agent", "INFO",
                  "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent",
                  fill("Port {port} updated. Details: {{'device': '{device}', 'admin_state_up': True}}", port=port,
                       device=port), self.ctx(gid))
        self.syslog(t, cmp, "kernel", fill("device {device} entered promiscuous mode", device=f"tap{port[:11]}"),
                    uptime=rng.uniform(1000, 900000))
        t += rng.uniform(1.0, 8.0)
        if fail:
            self.traceback(t, cmp, "nova", "nova-compute", "nova.compute.manager", compute,
                           "Instance failed to spawn",
                           [("nova/compute/manager.py", 2743, "_build_resources", "yield resources"),
                            ("nova/virt/libvirt/driver.py", 4412, "spawn", "self._create_guest_with_network("),
                            ("nova/virt/libvirt/driver.py", 7764, "_create_guest_with_network",
                             "raise exception.VirtualInterfaceCreateException()")],
                           "nova.exception.VirtualInterfaceCreateException: Virtual Interface creation failed",
                           instance=inst)
            self.raw(cmp, "kolla/libvirt/libvirtd.log",
                     f"{self.clock.oslo(t)}+0000: {self._pid(cmp, 'libvirtd')}: error : virNetDevTapCreate:242 : ",
                     fill("Unable to create tap device {device}: Device or resource busy", device=f"tap{port[:11]}"))
            return t
        spawn = rng.uniform(5, 40)
        self.raw(cmp, "kolla/libvirt/libvirtd.log",
                 f"{self.clock.oslo(t)}+0000: {self._pid(cmp, 'libvirtd')}: info : qemuProcessStart:7523 : ",
                 fill("Starting domain {domain}", domain=f"instance-{rng.randint(1, 99999):08x}"))
        spawned = ("Instance spawned successfully.",
                   fill("Took {seconds} seconds to spawn the instance on the hypervisor.", seconds=f"{spawn:.2f}"))
        for message in reversed(spawned) if deviation == "steps_swapped" else spawned:
            self.oslo(t, cmp, "nova", "nova-compute", "INFO",
                      "nova.virt.libvirt.driver" if message == spawned[0] else "nova.compute.manager", message,
                      compute, inst)
        self.oslo(t, cmp, "nova", "nova-compute", "INFO", "nova.compute.manager",
                  fill("Took {seconds} seconds to build instance.", seconds=f"{spawn + rng.uniform(1, 5):.2f}"),
                  compute, inst)
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
                  fill("Running periodic task {task}", task=task), self.loop_ctx(t, host, "nova-compute"),
                  func="run_periodic_tasks")
        if self.rng.random() < 0.3:
            self.oslo(t, host, "neutron", "neutron-openvswitch-agent", "DEBUG",
                      "neutron.agent.common.ovs_lib",
                      fill("Agent rpc_loop - iteration:{iteration} completed. Processed ports statistics: "
                           "{{'regular': {{'added': 0, 'updated': 0, 'removed': 0}}}}.",
                           iteration=self.rng.randint(1, 999999)),
                      self.loop_ctx(t, host, "neutron-openvswitch-agent", 300.0), func="rpc_loop")

    def system(self, t: float) -> None:
        host = self.rng.choice(self.controllers + self.computes)
        r = self.rng.random()
        if r < 0.4:
            self.syslog(t, host, "systemd", fill("Started Session {session} of user root.",
                                                 session=self.rng.randint(1, 99999)), 1)
        elif r < 0.7:
            self.syslog(t, host, "sshd", fill("Accepted publickey for stack from {ip} port {port} ssh2",
                                              ip=f"10.0.9.{self.rng.randint(2, 250)}",
                                              port=self.rng.randint(30000, 60000)), self.rng.randint(1000, 99999))
        elif r < 0.9:
            self.syslog(t, host, "CRON", "(root) CMD (/usr/local/bin/check-health)", self.rng.randint(1000, 99999))
        elif r < 0.99995:
            self.syslog(t, host, "kernel", "EXT4-fs (vda1): mounted filesystem with ordered data mode",
                        uptime=self.rng.uniform(1000, 900000))
        else:  # rare: about one line in a few hundred thousand (the benchmark's "rare word")
            uptime = self.rng.uniform(1000, 900000)  # drawn first, as the line reads
            self.syslog(t, host, "kernel", fill("qemu-kvm[{pid}]: segfault at 0 ip 00007f3a sp 00007ffd error 4 in "
                                                "libc.so.6", pid=self.rng.randint(1000, 99999)), uptime=uptime)

    def db_outage(self, t: float) -> None:
        ctl = self.controllers[0]
        self.raw(ctl, "kolla/mariadb/mariadb.log", f"{self.clock.oslo(t)[:19]} {self.rng.randint(10, 9999)} [Warning] ",
                 fill("Aborted connection {connection} to db: 'nova' user: 'nova' host: '10.0.0.11' (Got an error "
                      "reading communication packets)", connection=self.rng.randint(1000, 99999)))
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
        self.raw(ctl, f"kolla/rabbitmq/rabbit@{ctl}.log",
                 f"{self.clock.oslo(t)}000+00:00 [error] <0.{self.rng.randint(100, 9999)}.0> ",
                 fill("closing AMQP connection {connection} ({ip}:{port} -> 10.0.0.12:5672): missed heartbeats from "
                      "client, timeout: 60s", connection=f"<0.{self.rng.randint(100, 9999)}.0>",
                      ip=f"10.0.0.{self.rng.randint(2, 250)}", port=self.rng.randint(30000, 60000)))
        host = self.rng.choice(self.computes)
        self.oslo(t, host, "nova", "nova-compute", "ERROR", "oslo.messaging._drivers.impl_rabbit",
                  fill("[{connection}] AMQP server on {host}:5672 is unreachable: [Errno 111] Connection refused. "
                       "Trying again in 1 seconds.: ConnectionRefusedError: [Errno 111] Connection refused",
                       connection=self._uuid(), host=ctl), self.ctx(None))
        if self.rng.random() < 0.1:
            self.traceback(t, host, "nova", "nova-compute", "nova.compute.manager", self.ctx(None),
                           fill("Error updating resources for node {node}", node=host),
                           [("oslo_messaging/rpc/client.py", 190, "call", "result = self.transport._send("),
                            ("oslo_messaging/_drivers/amqpdriver.py", 446, "wait", "message = self.waiters.get(")],
                           fill(EXC, mid=self._hex()))

    # -- the whole tree ------------------------------------------------------------------------

    def write_tree(self, root: Path, lines: int, span_hours: float = 6.0, end: float | None = None,
                   scenario: str | None = None, scenario_at: float = 0.8, deviations: float = 0.0) -> dict:
        """Write about `lines` lines spread over the `span_hours` before `end` (default now). With a
        `scenario` (venus.demo.scenarios), its failure starts at `scenario_at` of the span; the
        result then says when, and its root cause. With `deviations`, that share of the boots go
        wrong in their order (`self.deviated` names them)."""
        from venus.demo.scenarios import SCENARIOS

        if deviations:
            self._deviation_rng, self._deviation_share = random.Random(f"deviations-{self.seed}"), deviations

        self.root = Path(root)
        end = end if end is not None else time.time()
        start = end - span_hours * 3600
        failure = SCENARIOS[scenario] if scenario else None
        failure_rng = random.Random(f"{scenario}-{self.seed}") if failure else None
        failure_start = start + scenario_at * (end - start)
        truth: dict | None = None
        # Events are spaced so that the lines fill the span up to its end.
        step = span_hours * 3600 / max(lines / LINES_PER_EVENT, 1)
        db_window = (start + 0.4 * (end - start), start + 0.4 * (end - start) + 120)
        mq_window = (start + 0.7 * (end - start), start + 0.7 * (end - start) + 180)
        t = start
        rng = self.rng
        try:
            while self.lines < lines and t < end:
                t += rng.expovariate(1 / step)
                if failure and failure_rng and failure_start <= t < failure_start + failure.minutes * 60:
                    truth = truth or self._fail(failure, failure_rng, t)
                    if failure_rng.random() < failure.rate:
                        self._with_rng(failure_rng, failure.effects, self, failure_rng, t, t - truth["start"])
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
        out = {"lines": self.lines, "bytes": self.bytes, "files": len(self._files)}
        if scenario:
            out["scenario"] = truth
        return out

    def _with_rng(self, rng: random.Random, call: Callable[..., Any], *args: object) -> Any:
        """Run `call` drawing from `rng` (a failure's own stream), the cloud's stream left as it was."""
        saved, self.rng = self.rng, rng
        try:
            return call(*args)
        finally:
            self.rng = saved

    def _fail(self, failure: Scenario, rng: random.Random, t: float) -> dict:
        """The failure's first line: its root cause, as the ground truth."""
        template = self._with_rng(rng, failure.cause, self, rng, t)
        return {"name": failure.name, "start": t, "service": failure.service, "host": failure.host,
                "template": template}
