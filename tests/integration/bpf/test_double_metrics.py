# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Tetragon test double's metrics server on the real kernel: overhead from its real BPF programs,
read over HTTP and parsed by the collection's strict parser, against the pinned-program stats."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import socket
import time

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _btf, _syscalls
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsSession, pinned_programs
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics

DOUBLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "double")
POLICY = ("kind: TracingPolicy\nmetadata:\n  name: %s\nspec:\n  tracepoints:\n"
          "  - subsystem: syscalls\n    event: sys_enter_getppid\n")


def _double(version):
    spec = importlib.util.spec_from_file_location("tetragon_double_metrics_%s" % version.replace(".", "_"),
                                                  os.path.join(DOUBLE, "tetragon_double.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.VERSION, module._bpf, module._btf = version, _syscalls, _btf
    return module


def _port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def agent(private_bpffs, tmp_path, request):
    double = _double(request.param)
    double.DOUBLE_LOSS_FILE = str(tmp_path / "lose-events.json")
    agent = double.Agent(dict(double.DEFAULTS))
    agent.bpf_root = os.path.join(private_bpffs, "tetragon")
    os.makedirs(agent.bpf_root)
    url = "http://127.0.0.1:%d/metrics" % _port()
    double.serve_http(url[len("http://"):-len("/metrics")], agent.metrics, "/metrics")
    yield {"double": double, "agent": agent, "url": url, "loss": tmp_path / "lose-events.json"}
    for policy in agent.policies.values():
        policy.release()


@pytest.mark.parametrize("agent", ["1.6.0", "1.7.0"], indirect=True)
def test_overhead_metrics_agree_with_the_pinned_stats_over_the_same_window(agent):
    agent["agent"].add(POLICY % "hot", source="static")
    agent["agent"].add(POLICY % "cold", source="static")
    agent["agent"].enable("cold", False)
    root = agent["agent"].bpf_root
    with StatsSession() as session:
        fds = dict((prog_id, session.keep(fd)) for prog_id, (fd, _path) in pinned_programs(root).items())
        version, before = _metrics.read(agent["url"])
        pinned_before = session.sample(fds)
        for _ in range(20000):
            os.getppid()
        pinned_after = session.sample(fds)
        _version, after = _metrics.read(agent["url"])
    assert version == "v" + agent["double"].VERSION
    runs = _metrics.by_policy(after, "tetragon_overhead_program_runs_total")
    seconds = _metrics.by_policy(after, "tetragon_overhead_program_seconds_total")
    start = _metrics.by_policy(before, "tetragon_overhead_program_runs_total")
    start_s = _metrics.by_policy(before, "tetragon_overhead_program_seconds_total")
    pinned_runs = sum(pinned_after[i]["run_cnt"] - pinned_before[i]["run_cnt"] for i in fds)
    pinned_ns = sum(pinned_after[i]["run_time_ns"] - pinned_before[i]["run_time_ns"] for i in fds)
    assert runs[("", "hot")] - start[("", "hot")] == pinned_runs >= 20000
    assert abs((seconds[("", "hot")] - start_s[("", "hot")]) * 1e9 - pinned_ns) <= 1
    assert ("", "cold") not in runs  # disabled: its programs are gone, like the agent's
    (sample,) = [s for s in after["tetragon_overhead_program_runs_total"] if s["labels"]["policy"] == "hot"]
    assert sample["labels"] == {"policy_namespace": "", "policy": "hot", "sensor": "generic_tracepoint",
                                "attach": "syscalls/sys_enter_getppid", "section": "tracepoint/generic_tracepoint"}
    states = dict((s["labels"]["state"], s["value"]) for s in after["tetragon_tracingpolicy_loaded"])
    assert states == {"enabled": 1, "disabled": 1, "error": 0, "load_error": 0}
    memory = _metrics.by_policy(after, "tetragon_tracingpolicy_kernel_memory_bytes")
    assert memory[("", "hot")] > 0 and memory[("", "cold")] == 0
    assert _metrics.event_loss(after) == 0


@pytest.mark.parametrize("agent", ["1.7.0"], indirect=True)
def test_the_loss_control_file_loses_events_only_while_its_policy_runs(agent):
    agent["loss"].write_text(json.dumps({"policy": "hot", "per_second": 1000}))
    _version, first = _metrics.read(agent["url"])
    time.sleep(0.3)
    assert _metrics.event_loss(_metrics.read(agent["url"])[1]) == 0  # not loaded yet
    agent["agent"].add(POLICY % "hot", source="static")
    time.sleep(0.5)
    _version, lossy = _metrics.read(agent["url"])
    (missed,) = lossy["tetragon_bpf_missed_events_total"]
    assert missed["labels"] == {"msg_op": "14", "error": "ENOSPC"} and 300 <= missed["value"] <= 5000
    agent["agent"].delete("hot")
    lost = _metrics.event_loss(_metrics.read(agent["url"])[1])
    time.sleep(0.3)
    assert _metrics.event_loss(_metrics.read(agent["url"])[1]) == lost


@pytest.mark.parametrize("agent", ["1.6.0", "1.7.0"], indirect=True)
def test_bpf_prog_stats_reads_the_agents_metrics_over_its_soak(agent, capsys):
    from ansible_collections.ebpfops.tetragon.plugins.modules import bpf_prog_stats
    from ansible_collections.ebpfops.tetragon.tests.integration.bpf.conftest import syscall_loop
    from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args
    import threading
    agent["agent"].add(POLICY % "hot", source="static")
    agent["loss"].write_text(json.dumps({"policy": "hot", "per_second": 500}))
    bpffs = os.path.dirname(agent["agent"].bpf_root)
    worker = threading.Thread(target=lambda: (time.sleep(0.2), syscall_loop(30000)))
    with set_module_args({"bpffs": bpffs, "interval": 1.5, "metrics_url": agent["url"]}):
        worker.start()
        try:
            result = run_module(bpf_prog_stats.main)
        finally:
            worker.join()
    metrics = result["agent_metrics"]
    (hot,) = [row for row in metrics["overhead"] if row["name"] == "hot"]
    assert hot["agree"] and hot["pinned_runs"] >= 30000, hot
    assert 300 <= metrics["event_loss"] <= 2000
    assert metrics["kernel_memory_bytes"]["hot"] > 0
    with capsys.disabled():
        print("\nFIGURE v%s same 1.5 s soak, policy hot: metrics %d runs / %d ns, pinned %d runs / %d ns "
              "(runs ratio %.4f, time ratio %.4f); event loss %d"
              % (agent["double"].VERSION, hot["metrics_runs"], hot["metrics_run_time_ns"], hot["pinned_runs"],
                 hot["pinned_run_time_ns"], hot["metrics_runs"] / float(hot["pinned_runs"]),
                 hot["metrics_run_time_ns"] / float(hot["pinned_run_time_ns"]), metrics["event_loss"]))
