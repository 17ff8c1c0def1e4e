# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Tetragon test double's metrics server without BPF (no root): the exposition it serves over HTTP is
what the collection's strict parser accepts, with Tetragon's names, labels and types, policies by state,
and the double's test-only event loss. The BPF figures are checked on the real kernel in
tests/integration/bpf/test_double_metrics.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import socket
import time

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics

DOUBLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "double")
POLICY = ("kind: TracingPolicy\nmetadata:\n  name: %s\nspec:\n  tracepoints:\n"
          "  - subsystem: syscalls\n    event: sys_enter_getppid\n")
TYPES = {"tetragon_overhead_program_seconds_total": "counter", "tetragon_overhead_program_runs_total": "counter",
         "tetragon_tracingpolicy_loaded": "gauge", "tetragon_tracingpolicy_kernel_memory_bytes": "gauge",
         "tetragon_missed_prog_probes_total": "counter", "tetragon_bpf_missed_events_total": "counter",
         "tetragon_observer_ringbuf_events_lost_total": "counter",
         "tetragon_observer_ringbuf_queue_events_lost_total": "counter",
         "tetragon_notify_overflowed_events_total": "counter", "tetragon_build_info": "gauge"}


@pytest.fixture
def double(tmp_path):
    spec = importlib.util.spec_from_file_location("tetragon_double_unit_metrics", os.path.join(DOUBLE, "tetragon_double.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.VERSION, module._bpf = "1.7.0", None
    module.DOUBLE_LOSS_FILE = str(tmp_path / "lose-events.json")
    agent = module.Agent(dict(module.DEFAULTS))
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    module.serve_http("127.0.0.1:%d" % port, agent.metrics, "/metrics")
    return {"agent": agent, "url": "http://127.0.0.1:%d/metrics" % port, "loss": tmp_path / "lose-events.json",
            "module": module}


def test_the_double_serves_tetragons_names_types_and_states(double):
    if not os.path.isdir("/sys/kernel/tracing/events/syscalls") and not os.path.isdir("/sys/kernel/debug/tracing/events/syscalls"):
        pytest.fail("tracefs is not mounted: the double checks tracepoints against it")
    double["agent"].add(POLICY % "one", source="static")
    double["agent"].add(POLICY % "two", source="static")
    double["agent"].enable("two", False)
    with pytest.raises(RuntimeError):
        double["agent"].add(POLICY.replace("sys_enter_getppid", "sys_enter_nothing") % "bad")
    parsed = _metrics.parse(_metrics.fetch(double["url"]))
    assert parsed["types"] == TYPES
    assert _metrics.agent_version(parsed) == "v1.7.0"
    normalised = _metrics.normalise(parsed, "1.7.0")
    states = dict((s["labels"]["state"], s["value"]) for s in normalised["tetragon_tracingpolicy_loaded"])
    assert states == {"enabled": 1.0, "disabled": 1.0, "load_error": 1.0, "error": 0.0}
    assert sorted(_metrics.by_policy(normalised, "tetragon_tracingpolicy_kernel_memory_bytes")) == [
        ("", "bad"), ("", "one"), ("", "two")]
    assert _metrics.loss_by_counter(normalised) == {
        "tetragon_observer_ringbuf_events_lost_total": 0, "tetragon_observer_ringbuf_queue_events_lost_total": 0,
        "tetragon_notify_overflowed_events_total": 0}
    with pytest.raises(_metrics.MetricsError) as exc:
        _metrics.fetch(double["url"].replace("/metrics", "/"))
    assert "HTTP 404" in str(exc.value)


@pytest.mark.parametrize("counter, metric", [
    ("ringbuf_queue", "tetragon_observer_ringbuf_queue_events_lost_total"),
    ("notify_overflowed", "tetragon_notify_overflowed_events_total"),
    (None, "tetragon_bpf_missed_events_total"),
])
def test_the_double_loses_events_only_while_the_named_policy_runs(double, counter, metric):
    control = {"policy": "hot", "per_second": 2000}
    if counter:
        control["counter"] = counter
    double["loss"].write_text(json.dumps(control))
    double["agent"].add(POLICY % "hot", source="static")
    time.sleep(0.3)
    lost = _metrics.loss_by_counter(_metrics.normalise(_metrics.parse(_metrics.fetch(double["url"])), "1.7.0"))
    assert 300 <= lost[metric] <= 3000
    assert sum(lost.values()) == lost[metric]
    double["agent"].enable("hot", False)
    time.sleep(0.2)
    again = _metrics.loss_by_counter(_metrics.normalise(_metrics.parse(_metrics.fetch(double["url"])), "1.7.0"))
    assert again[metric] - lost[metric] < 100  # only the moments before the disable count
    double["loss"].write_text("not json")
    assert _metrics.parse(_metrics.fetch(double["url"]))  # a bad control file loses nothing and breaks nothing
