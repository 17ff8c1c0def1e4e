# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The metrics reader: strict text exposition parsing, bounded localhost fetch, per-version units."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import threading
import time

import pytest

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
except ImportError:  # pragma: no cover
    BaseHTTPRequestHandler = HTTPServer = None

from hypothesis import given, settings, strategies as st

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics as metrics

TEXT = (
    '# HELP tetragon_overhead_program_seconds_total The total time of BPF program running.\n'
    '# TYPE tetragon_overhead_program_seconds_total counter\n'
    'tetragon_overhead_program_seconds_total{attach="sys_open",policy="p1",policy_namespace="",'
    'section="kprobe/sys_open",sensor="generic_kprobe"} 2.5e+09\n'
    'tetragon_overhead_program_seconds_total{attach="sys_close",policy="p1",policy_namespace="",'
    'section="kprobe/sys_close",sensor="generic_kprobe"} 500000000\n'
    '# TYPE tetragon_tracingpolicy_loaded gauge\n'
    'tetragon_tracingpolicy_loaded{state="enabled"} 2\n'
    'tetragon_tracingpolicy_loaded{state="error"} 0\n'
    '# TYPE tetragon_bpf_missed_events_total counter\n'
    'tetragon_bpf_missed_events_total{error="ENOSPC",msg_op="5"} 40\n'
    '# TYPE tetragon_notify_overflowed_events_total counter\n'
    'tetragon_notify_overflowed_events_total 2\n'
    'tetragon_observer_ringbuf_events_lost_total 3 1700000000000\n'
    '# TYPE some_histogram histogram\n'
    'some_histogram_bucket{le="+Inf"} 4\n'
    'some_histogram_sum NaN\n'
    'some_gauge{path="C:\\\\dir \\"q\\"\\nnext"} -Inf\n'
)


def test_help_escapes():
    parsed = metrics.parse("# HELP m a\\\\nb \\n c \\x\nm 1\n")
    assert parsed["help"]["m"] == "a\\nb \n c \\x"


def test_parse_types_help_labels_escapes_and_special_values():
    parsed = metrics.parse(TEXT)
    assert parsed["types"]["tetragon_tracingpolicy_loaded"] == "gauge"
    assert parsed["help"]["tetragon_overhead_program_seconds_total"] == "The total time of BPF program running."
    samples = dict(((name, tuple(sorted(labels.items()))), value) for name, labels, value in parsed["samples"])
    assert samples[("some_histogram_bucket", (("le", "+Inf"),))] == 4
    assert math.isnan(samples[("some_histogram_sum", ())])
    assert samples[("some_gauge", (("path", 'C:\\dir "q"\nnext'),))] == float("-inf")
    assert samples[("tetragon_observer_ringbuf_events_lost_total", ())] == 3


@pytest.mark.parametrize("text, expected", [
    ("metric{a=\"1\" 2\n", "line 1"),
    ("metric{a=\"\\x\"} 2\n", "invalid escape"),
    ("metric{a=\"1\",a=\"2\"} 2\n", "label a given twice"),
    ("metric 1\nmetric 2\n", "duplicate series"),
    ("metric one\n", "not a sample value"),
    ("metric 1 12.5\n", "timestamp"),
    ("# TYPE metric countr\n", "unknown metric type"),
    ("# TYPE m counter\n# TYPE m gauge\n", "second TYPE"),
    ("# TYPE c counter\nc_total -1\n", "counters are >= 0"),
    ("9metric 1\n", "expected a metric name"),
    ("metric{a=\"1\"}2\n", "expected"),
    ("<html>not metrics</html>\n", "line 1"),
    ("m " + "1" * (metrics.MAX_LINE + 1), "over"),
])
def test_parse_rejects_garbage_with_the_line(text, expected):
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.parse(text)
    assert expected in str(exc.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_anything_but_metrics_error(text):
    try:
        metrics.parse(text)
    except metrics.MetricsError:
        pass


@pytest.mark.parametrize("version, seconds", [("1.6.1", 3.0), ("v1.5.0", 3.0), ("1.7.0", 3.0e9), ("1.8.0-rc1", 3.0e9)])
def test_overhead_seconds_are_nanoseconds_before_1_7(version, seconds):
    normalised = metrics.normalise(metrics.parse(TEXT), version)
    assert metrics.by_policy(normalised, "tetragon_overhead_program_seconds_total") == {("", "p1"): seconds}


def test_normalise_keeps_the_documented_labels_and_sums_loss():
    normalised = metrics.normalise(metrics.parse(TEXT), "1.7.0")
    assert "some_gauge" not in normalised
    (missed,) = normalised["tetragon_bpf_missed_events_total"]
    assert missed["labels"] == {"msg_op": "5", "error": "ENOSPC"}
    assert metrics.event_loss(normalised) == 45
    assert "tetragon_overhead_program_seconds_total" not in metrics.normalise(metrics.parse(TEXT), "1.2.0")
    old = metrics.normalise(metrics.parse('tetragon_missed_events_total{msg_op="5"} 7\n'), "1.1.0")
    assert old["tetragon_bpf_missed_events_total"][0]["labels"] == {"msg_op": "5", "error": ""}
    with pytest.raises(metrics.MetricsError):
        metrics.normalise(metrics.parse(TEXT), "latest")


class _Handler(BaseHTTPRequestHandler):
    body = b""
    status = 200

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def test_fetch_reads_a_local_endpoint_within_bounds(server):
    url = "http://127.0.0.1:%d/metrics" % server.server_address[1]
    _Handler.body, _Handler.status = TEXT.encode("utf-8"), 200
    assert metrics.parse(metrics.fetch(url))["types"]["tetragon_tracingpolicy_loaded"] == "gauge"
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.fetch(url, max_bytes=100)
    assert "over 100 bytes" in str(exc.value)
    _Handler.body = b"\xff\xfe"
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.fetch(url)
    assert "not UTF-8" in str(exc.value)
    _Handler.status = 500
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.fetch(url)
    assert "500" in str(exc.value)


def test_fetch_refuses_remote_and_reports_closed_ports(server):
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.fetch("http://192.0.2.1:2112/metrics")
    assert "only http:// on localhost" in str(exc.value)
    with pytest.raises(metrics.MetricsError):
        metrics.fetch("https://127.0.0.1:2112/metrics")
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.fetch("http://127.0.0.1:%d/metrics" % port, timeout=2)
    assert "cannot be read" in str(exc.value)


class _Hostile(BaseHTTPRequestHandler):
    """A local endpoint that redirects elsewhere or sends its body one line at a time, slowly."""
    location = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", self.location)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        try:
            for i in range(40):
                self.wfile.write(b"slow_%d 1\n" % i)
                self.wfile.flush()
                time.sleep(0.1)
        except (IOError, OSError):
            pass

    def log_message(self, *args):
        pass


def test_fetch_refuses_redirects_and_cuts_a_slow_body_at_the_timeout(server):
    httpd = HTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=httpd.serve_forever)
    thread.start()
    try:
        base = "http://127.0.0.1:%d" % httpd.server_address[1]
        _Handler.body, _Handler.status = b"leaked 1\n", 200
        _Hostile.location = "http://127.0.0.1:%d/metrics" % server.server_address[1]
        with pytest.raises(metrics.MetricsError) as exc:
            metrics.fetch(base + "/redirect")
        assert "HTTP 302 (a redirect, which is not followed)" in str(exc.value)
        started = time.monotonic()
        with pytest.raises(metrics.MetricsError) as exc:
            metrics.fetch(base + "/slow", timeout=1)
        assert time.monotonic() - started < 3  # each line comes within the socket timeout; 40 take 4 s
        assert "did not send its text within 1 s" in str(exc.value)
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def test_release_tags_of_each_metric():
    text = ('tetragon_tracingpolicy_kernel_memory_bytes{policy="p",policy_namespace=""} 4096\n'
            'tetragon_tracingpolicy_loaded{state="enabled"} 1\n'
            'tetragon_observer_ringbuf_queue_events_lost_total 9\n')
    assert sorted(metrics.normalise(metrics.parse(text), "1.3.0")) == [
        "tetragon_observer_ringbuf_queue_events_lost_total", "tetragon_tracingpolicy_kernel_memory_bytes",
        "tetragon_tracingpolicy_loaded"]
    assert sorted(metrics.normalise(metrics.parse(text), "1.1.0")) == ["tetragon_tracingpolicy_loaded"]
    assert metrics.loss_by_counter(metrics.normalise(metrics.parse(text), "1.7.0")) == {
        "tetragon_observer_ringbuf_queue_events_lost_total": 9}


def test_agent_version_comes_from_build_info(server):
    url = "http://127.0.0.1:%d/metrics" % server.server_address[1]
    _Handler.status = 200
    _Handler.body = (TEXT + 'tetragon_build_info{commit="x",version="v1.6.1"} 1\n').encode("utf-8")
    version, normalised = metrics.read(url)
    assert version == "v1.6.1"
    assert metrics.by_policy(normalised, "tetragon_overhead_program_seconds_total") == {("", "p1"): 3.0}
    assert metrics.read(url, version="1.7.0")[0] == "1.7.0"
    _Handler.body = TEXT.encode("utf-8")
    with pytest.raises(metrics.MetricsError) as exc:
        metrics.read(url)
    assert "no tetragon_build_info{version}" in str(exc.value)


def test_render_writes_what_parse_reads_back():
    text = metrics.render([
        ("ebpfops_x_total", "counter", "a\\b\nc", [({"policy": 'p"1\\', "host": "h\n"}, 3), ({"policy": "q", "host": "h"}, 0.25)]),
        ("ebpfops_up", "gauge", "up", [({}, float("nan")), ]),
    ])
    parsed = metrics.parse(text)
    assert parsed["types"] == {"ebpfops_x_total": "counter", "ebpfops_up": "gauge"}
    assert parsed["help"]["ebpfops_x_total"] == "a\\b\nc"
    values = dict((tuple(sorted(labels.items())), value) for name, labels, value in parsed["samples"] if name == "ebpfops_x_total")
    assert values == {(("host", "h\n"), ("policy", 'p"1\\')): 3.0, (("host", "h"), ("policy", "q")): 0.25}
    assert "ebpfops_x_total{host=\"h\",policy=\"q\"} 0.25\n" in text
    with pytest.raises(metrics.MetricsError):
        metrics.render([("bad name", "gauge", "x", [({}, 1)])])
    with pytest.raises(metrics.MetricsError):
        metrics.render([("c_total", "counter", "x", [({}, -1)])])


@pytest.mark.parametrize("flag, url", [
    (":2112", "http://127.0.0.1:2112/metrics"), ("127.0.0.1:9000", "http://127.0.0.1:9000/metrics"),
    ("localhost:2112", "http://127.0.0.1:2112/metrics"), ("0.0.0.0:2112", "http://127.0.0.1:2112/metrics"),
    ("[::1]:2112", "http://[::1]:2112/metrics"), ("[::]:2112", "http://[::1]:2112/metrics"),
    ("", ""), (None, ""), ("10.1.2.3:2112", ""), ("127.0.0.1:0", ""), ("127.0.0.1:99999", ""), (":http", ""),
])
def test_url_from_the_metrics_server_flag(flag, url):
    assert metrics.url_from_flag(flag) == url
    if url:
        metrics.check_url(url)
