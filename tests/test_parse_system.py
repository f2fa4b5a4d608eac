"""Syslog files, the kernel, MariaDB, RabbitMQ, libvirt, and other software's common layouts."""

from datetime import datetime, timezone

from venus.parse.generic import parse_apache_error_line, parse_hadoop_line, parse_log4j_line
from venus.parse.platform import parse_dmesg_line, parse_libvirt_line, parse_mariadb_line, parse_rabbitmq_line
from venus.parse.syslog import parse_syslog_line
from venus.parse.timestamps import TimestampReader

CLOCK = TimestampReader(reference=datetime(2026, 3, 1, tzinfo=timezone.utc))


def us(*args):
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1_000_000)


def test_rfc3164_file_line_with_program_and_pid():
    f = parse_syslog_line("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0", CLOCK)
    assert (f["host"], f["program"], f["pid"], f["service"]) == ("combo", "sshd(pam_unix)", 19939, "sshd")
    assert f["message"] == "authentication failure; logname= uid=0"
    assert f["level"] == "ERROR"  # inferred from "failure": syslog files carry no severity


def test_syslog_date_without_year_takes_the_year_before_when_it_would_be_in_the_future():
    f = parse_syslog_line("Dec 31 23:59:59 h cron[1]: job", CLOCK)
    assert f["ts"] == us(2025, 12, 31, 23, 59, 59)
    assert parse_syslog_line("Feb  9 06:06:20 h cron[1]: job", CLOCK)["ts"] == us(2026, 2, 9, 6, 6, 20)


def test_wire_rfc3164_with_priority():
    f = parse_syslog_line("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", CLOCK)
    assert (f["host"], f["program"], f["level"], f["attrs"]["facility"]) == ("mymachine", "su", "CRITICAL", "auth")


def test_rfc5424():
    f = parse_syslog_line('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 '
                          '[exampleSDID@32473 iut="3"] An application event log entry', CLOCK)
    assert f["ts"] == us(2003, 10, 11, 22, 14, 15) + 3000
    assert (f["host"], f["program"], f["level"]) == ("mymachine.example.com", "evntslog", "NOTICE")
    assert f["attrs"]["msgid"] == "ID47"
    assert f["message"] == "An application event log entry"


def test_python_syslog_handler_sends_only_priority_and_message():
    f = parse_syslog_line("<11>something broke\x00", CLOCK)
    assert (f["level"], f["message"]) == ("ERROR", "something broke")
    assert "ts" not in f


def test_journald_prefix_before_an_oslo_line():
    f = parse_syslog_line("Jul  2 21:41:47 central neutron-server[92593]: INFO neutron.wsgi "
                          "[None req-7822cfee-24bf-4614-a8a6-e6a34f88e4ce admin admin] 10.10.1.15 "
                          '"GET /v2.0/subnets HTTP/1.1" status: 200  len: 1000 time: 0.0501', CLOCK)
    assert (f["program"], f["service"], f["pid"], f["level"], f["logger"]) == (
        "neutron-server", "neutron", 92593, "INFO", "neutron.wsgi")
    assert f["request_id"] == "7822cfee-24bf-4614-a8a6-e6a34f88e4ce"
    assert (f["http_status"], f["http_path"]) == (200, "/v2.0/subnets")


def test_kernel_line_keeps_uptime_in_attrs():
    f = parse_syslog_line("Mar  1 10:00:00 cmp1 kernel: [ 1234.567890] Out of memory: Killed process 42 (qemu-kvm)", CLOCK)
    assert (f["program"], f["service"], f["attrs"]["uptime"]) == ("kernel", "kernel", "1234.567890")
    assert f["message"] == "Out of memory: Killed process 42 (qemu-kvm)"


def test_dmesg_forms():
    f = parse_dmesg_line("[    3.141592] usb 1-1: new high-speed USB device", CLOCK)
    assert (f["attrs"]["uptime"], f["level"]) == ("3.141592", "INFO")
    f = parse_dmesg_line("kern  :err   : [Mon Jun  2 10:00:00 2025] nvme0: I/O error", CLOCK)
    assert (f["ts"], f["level"], f["message"]) == (us(2025, 6, 2, 10, 0, 0), "ERROR", "nvme0: I/O error")


def test_mariadb_error_log_shapes():
    f = parse_mariadb_line("2024-05-06 18:06:57 0 [Note] InnoDB: Buffer pool(s) load completed", CLOCK)
    assert (f["ts"], f["level"], f["message"]) == (us(2024, 5, 6, 18, 6, 57), "NOTICE", "InnoDB: Buffer pool(s) load completed")
    assert parse_mariadb_line("2019-03-05T10:15:20.123456Z 0 [Warning] slow", CLOCK)["level"] == "WARNING"
    old = parse_mariadb_line("240506 18:06:57 [ERROR] mysqld: Table 'x' is marked as crashed", CLOCK)
    assert (old["ts"], old["level"]) == (us(2024, 5, 6, 18, 6, 57), "ERROR")


def test_rabbitmq_shapes():
    f = parse_rabbitmq_line("2024-05-06 18:06:57.123456+00:00 [error] <0.123.0> closing AMQP connection", CLOCK)
    assert (f["ts"], f["level"], f["message"]) == (us(2024, 5, 6, 18, 6, 57) + 123456, "ERROR", "closing AMQP connection")
    report = parse_rabbitmq_line("=ERROR REPORT==== 6-May-2024::18:06:57 ===", CLOCK)
    assert (report["ts"], report["level"], report["message"]) == (us(2024, 5, 6, 18, 6, 57), "ERROR", "")


def test_libvirtd():
    f = parse_libvirt_line("2024-05-06 18:06:57.123+0000: 12345: error : virNetSocketReadWire:1806 : "
                           "End of file while reading data: Input/output error", CLOCK)
    assert (f["ts"], f["level"], f["logger"]) == (us(2024, 5, 6, 18, 6, 57) + 123000, "ERROR", "virNetSocketReadWire")
    assert f["message"] == "End of file while reading data: Input/output error"


def test_other_software():
    a = parse_apache_error_line("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", CLOCK)
    assert (a["ts"], a["level"]) == (us(2005, 12, 4, 4, 47, 44), "ERROR")
    z = parse_log4j_line("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774]"
                         " - Notification time out: 3200", CLOCK)
    assert (z["ts"], z["level"], z["logger"], z["message"]) == (
        us(2015, 7, 29, 17, 41, 44) + 747000, "INFO", "FastLeaderElection", "Notification time out: 3200")
    h = parse_hadoop_line("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating", CLOCK)
    assert (h["ts"], h["pid"], h["logger"]) == (us(2008, 11, 9, 20, 36, 15), 148, "dfs.DataNode$PacketResponder")
