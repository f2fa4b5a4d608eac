"""Failures injected into the demo cloud, each with a known root cause: the ground truth that
anomaly detection and root-cause analysis are measured against.

A scenario starts at a moment of the demo's span. (As everywhere in the generator, a template's
fields are what the scenario varies; what it always writes the same is literal.) Its cause logs first: the component that broke,
on its host, with the template of its first line. Then, over the next minutes, the services that
depend on it log their own errors, as they do in a real cloud. The scenario draws from a random
stream of its own, so the cloud's normal traffic goes on as it would without it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from venus.demo.generator import DemoCloud, fill, template_of

Emit = Callable[[DemoCloud, random.Random, float, float], None]  # cloud, rng, time, seconds since the start


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    service: str  # the root cause: the service and host of the first line the failure writes
    host: str
    cause: Callable[[DemoCloud, random.Random, float], str]  # logs the cause's first line; returns its template
    effects: Emit
    rate: float = 0.35  # share of the cloud's events during the failure that are the failure's
    minutes: float = 10.0


def _mariadb_cause(cloud: DemoCloud, rng: random.Random, t: float) -> str:
    message = fill("mysqld got signal 11 ;")
    cloud.raw("ctl1", "kolla/mariadb/mariadb.log", f"{cloud.clock.oslo(t)[:19]} 0 [ERROR] ", message)
    return template_of(message)


def _mariadb_effects(cloud: DemoCloud, rng: random.Random, t: float, since: float) -> None:
    host = rng.choice(cloud.controllers)
    service, program, logger = rng.choice((("nova", "nova-conductor", "oslo_db.sqlalchemy.engines"),
                                           ("neutron", "neutron-server", "oslo_db.sqlalchemy.engines"),
                                           ("keystone", "keystone", "oslo_db.sqlalchemy.engines")))
    cloud.oslo(t, host, service, program, "ERROR", logger, fill(
        "Database connection was found disconnected; reconnecting: oslo_db.exception.DBConnectionError: "
        "(pymysql.err.OperationalError) (2003, \"Can't connect to MySQL server on '{address}' ([Errno 111] "
        "ECONNREFUSED)\")", address="10.0.0.11"), cloud.ctx(None))


def _rabbit_cause(cloud: DemoCloud, rng: random.Random, t: float) -> str:
    message = fill("Mnesia(rabbit@ctl2): ** ERROR ** mnesia_event got {{inconsistent_database, "
                   "running_partitioned_network, rabbit@ctl3}}")
    cloud.raw("ctl2", "kolla/rabbitmq/rabbit@ctl2.log", f"{cloud.clock.oslo(t)}000+00:00 [error] <0.{rng.randint(100, 999)}.0> ",
              message)
    return template_of(message)


def _rabbit_effects(cloud: DemoCloud, rng: random.Random, t: float, since: float) -> None:
    host = rng.choice(cloud.computes)
    if rng.random() < 0.5:
        cloud.oslo(t, host, "nova", "nova-compute", "ERROR", "oslo.messaging._drivers.impl_rabbit", fill(
            "[{connection}] AMQP server on {server}:5672 is unreachable: timed out. Trying again in {seconds} seconds.",
            connection=f"{rng.getrandbits(128):032x}", server="ctl2", seconds=rng.randint(1, 32)), cloud.ctx(None))
    else:
        cloud.oslo(t, host, "neutron", "neutron-openvswitch-agent", "ERROR",
                   "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent", fill(
                       "Failed reporting state!: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a "
                       "reply to message ID {mid}", mid=f"{rng.getrandbits(128):032x}"), cloud.ctx(None))


def _libvirt_cause(cloud: DemoCloud, rng: random.Random, t: float) -> str:
    message = fill("libvirtd.service: Main process exited, code=killed, status=11/SEGV")
    cloud.syslog(t, "cmp3", "systemd", message, 1)
    return template_of(message)


def _libvirt_effects(cloud: DemoCloud, rng: random.Random, t: float, since: float) -> None:
    cloud.oslo(t, "cmp3", "nova", "nova-compute", "ERROR", "nova.virt.libvirt.host", fill(
        "Connection to libvirt failed: Failed to connect socket to '{socket}': Connection refused",
        socket="/var/run/libvirt/libvirt-sock"), cloud.ctx(None))
    if rng.random() < 0.3:
        cloud.oslo(t + 1, cloud.controllers[0], "nova", "nova-scheduler", "WARNING", "nova.scheduler.host_manager",
                   fill("Host {host} has not reported its resources for {seconds} seconds",
                        host="cmp3", seconds=int(since) + 60), cloud.ctx(None))


def _glance_cause(cloud: DemoCloud, rng: random.Random, t: float) -> str:
    message = fill("Failed to upload image data due to internal error: [Errno 28] No space left on device: "
                   "'{path}'", path=f"/var/lib/glance/images/{rng.choice(cloud.images)}")
    cloud.oslo(t, "ctl3", "glance", "glance-api", "ERROR", "glance.api.v2.image_data", message, cloud.ctx(None))
    return template_of(message)


def _glance_effects(cloud: DemoCloud, rng: random.Random, t: float, since: float) -> None:
    if rng.random() < 0.5:
        cloud.oslo(t, "ctl3", "glance", "glance-api", "ERROR", "glance.api.v2.image_data", fill(
            "Failed to upload image data due to internal error: [Errno 28] No space left on device: '{path}'",
            path=f"/var/lib/glance/images/{rng.choice(cloud.images)}"), cloud.ctx(None))
    else:
        cloud.oslo(t, rng.choice(cloud.computes), "nova", "nova-compute", "ERROR", "nova.compute.manager", fill(
            "Build of instance {instance} aborted: Image {image} is unacceptable: Image has no associated data",
            instance=cloud._uuid(), image=rng.choice(cloud.images)), cloud.ctx(None))


def _neutron_cause(cloud: DemoCloud, rng: random.Random, t: float) -> str:
    message = fill("OVS is dead. OVSNeutronAgent will keep running and checking OVS status periodically.")
    cloud.oslo(t, "cmp5", "neutron", "neutron-openvswitch-agent", "ERROR",
               "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent", message, cloud.ctx(None))
    return template_of(message)


def _neutron_effects(cloud: DemoCloud, rng: random.Random, t: float, since: float) -> None:
    if rng.random() < 0.4:
        cloud.oslo(t, "cmp5", "neutron", "neutron-openvswitch-agent", "ERROR",
                   "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent",
                   fill("OVS is dead. OVSNeutronAgent will keep running and checking OVS status periodically."),
                   cloud.ctx(None))
    else:
        cloud.oslo(t, "cmp5", "nova", "nova-compute", "ERROR", "nova.compute.manager",
                   "Instance failed to spawn: nova.exception.VirtualInterfaceCreateException: Virtual Interface "
                   "creation failed", cloud.ctx(None), cloud._uuid())


SCENARIOS = {s.name: s for s in (
    Scenario("mariadb_down", "MariaDB on ctl1 crashes; the services that use it cannot connect.", "mariadb", "ctl1",
             _mariadb_cause, _mariadb_effects),
    Scenario("rabbitmq_partition", "RabbitMQ on ctl2 sees a network partition; RPC calls time out.", "rabbitmq",
             "ctl2", _rabbit_cause, _rabbit_effects),
    Scenario("libvirt_crash", "libvirtd on cmp3 crashes; nova-compute there loses its hypervisor.", "systemd", "cmp3",
             _libvirt_cause, _libvirt_effects),
    Scenario("glance_disk_full", "The glance node ctl3 runs out of disk; images cannot be stored or served.",
             "glance", "ctl3", _glance_cause, _glance_effects),
    Scenario("neutron_agent_down", "The Open vSwitch agent on cmp5 loses OVS; ports on cmp5 cannot be plugged.",
             "neutron", "cmp5", _neutron_cause, _neutron_effects),
)}
