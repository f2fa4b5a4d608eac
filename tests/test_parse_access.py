"""Access-log shapes → http_method, http_path, http_status, http_bytes, http_time_ms."""

from venus.parse.access import (
    parse_access_message,
    parse_apache_access_line,
    parse_haproxy_message,
    parse_uwsgi_line,
)
from venus.parse.timestamps import TimestampReader

CLOCK = TimestampReader()


def http(f):
    return (f.get("http_method"), f.get("http_path"), f.get("http_status"), f.get("http_bytes"),
            None if f.get("http_time_ms") is None else round(f["http_time_ms"], 3))


def test_nova_requestlog():
    f = parse_access_message('10.0.0.11 "GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234')
    assert http(f) == ("GET", "/v2.1/servers/detail", 200, 1834, 81.234)


def test_eventlet_wsgi_two_spaces_and_forwarded_for():
    f = parse_access_message('10.55.12.152,127.0.0.1 "POST /v2.0/floatingips HTTP/1.1" status: 201  len: 1022 time: 8.7183')
    assert http(f) == ("POST", "/v2.0/floatingips", 201, 1022, 8718.3)
    assert f["attrs"] == {"client_ip": "10.55.12.152,127.0.0.1"}


def test_placement_without_time_and_with_dash_length():
    f = parse_access_message('172.16.88.187 "GET /resource_providers/4990/allocations" status: 204 len: - microversion: 1.0')
    assert http(f) == ("GET", "/resource_providers/4990/allocations", 204, None, None)


def test_uwsgi_request_log():
    f = parse_uwsgi_line("[pid: 19300|app: 0|req: 8/12] 10.13.15.113 () {40 vars in 760 bytes} "
                         "[Thu Apr 11 09:46:39 2019] GET /resource/instance_event/ => generated 2 bytes in 6 msecs "
                         "(HTTP/1.1 200) 2 headers in 65 bytes (1 switches on core 0)", CLOCK)
    assert http(f) == ("GET", "/resource/instance_event/", 200, 2, 6.0)
    assert f["ts"] == 1554975999000000 and f["pid"] == 19300


def test_apache_combined_with_microseconds_after():
    f = parse_apache_access_line('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /v3/auth/tokens HTTP/1.1" 201 2326 '
                                 '"-" "python-keystoneclient" 153000', CLOCK)
    assert http(f) == ("GET", "/v3/auth/tokens", 201, 2326, 153.0)
    assert f["ts"] == 971211336000000


def test_kolla_apache_format_with_microseconds_before_referer():
    f = parse_apache_access_line('10.0.0.5 - - [06/May/2026:18:06:57 +0000] "DELETE /v3/volumes/1 HTTP/1.1" 503 - 2500 '
                                 '"-" "curl/8.5"', CLOCK)
    assert http(f) == ("DELETE", "/v3/volumes/1", 503, None, 2.5)
    assert f["level"] == "ERROR"


def test_haproxy_http_log():
    f = parse_haproxy_message('10.0.0.1:53412 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 '
                              '- - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"')
    assert http(f) == ("GET", "/index.html", 200, 2750, 109.0)
    assert f["attrs"]["backend"] == "static"


def test_haproxy_tcp_log_has_bytes_and_time_only():
    f = parse_haproxy_message("10.0.0.1:53412 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0")
    assert http(f) == (None, None, None, 212, 5007.0)
