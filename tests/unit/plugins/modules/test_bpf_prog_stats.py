# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bpf_prog_stats without a kernel: the bpf syscall layer is replaced by a fake."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _session
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.modules import bpf_prog_stats
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args


class FakeBpf(object):
    BpfError = _bpf.BpfError

    def __init__(self, mounts, progs, stats_errno=None):
        self.mounts = mounts
        self.progs = progs  # id -> [run_cnt, run_time_ns]
        self.stats_errno = stats_errno
        self.open_fds = set()

    def bpffs_mounts(self):
        return list(self.mounts)

    def enable_stats(self):
        if self.stats_errno:
            raise _bpf.BpfError("enabling stats failed", errno=self.stats_errno)
        self.open_fds.add("stats")
        return "stats"

    def prog_ids(self):
        return iter(sorted(self.progs))

    def prog_fd_by_id(self, prog_id):
        self.open_fds.add(prog_id)
        return prog_id

    def prog_info(self, fd):
        cnt, time_ns = self.progs[fd]
        self.progs[fd] = [cnt + 100 * fd, time_ns + 10 ** 6 * fd]
        return {"id": fd, "name": "p%d" % fd, "type": "tracepoint", "tag": "00", "run_cnt": cnt,
                "run_time_ns": time_ns, "stats_supported": True}

    def close(self, fd):
        self.open_fds.discard(fd)


@pytest.fixture
def fake(monkeypatch):
    def install(*args, **kwargs):
        bpf = FakeBpf(*args, **kwargs)
        monkeypatch.setattr(bpf_prog_stats, "_bpf", bpf)
        monkeypatch.setattr(_session, "_bpf", bpf)
        return bpf
    return install


def _run(args, fails=False):
    args.setdefault("interval", 0.01)
    with set_module_args(args):
        return run_module(bpf_prog_stats.main, fails=fails)


def test_scope_all_measures_every_program_and_closes_fds(fake, monkeypatch, tmp_path):
    bpf = fake([str(tmp_path)], {1: [0, 0], 2: [5, 5]})
    monkeypatch.setattr(bpf_prog_stats.os, "cpu_count", lambda: 4)
    result = _run({"scope": "all"})
    assert bpf.open_fds == set()
    assert [p["id"] for p in result["programs"]] == [2, 1]
    assert result["programs"][0]["run_cnt"] == 200 and result["programs"][0]["avg_ns"] == 10000
    assert result["total_run_cnt"] == 300 and result["cpus"] == 4
    assert result["policies"] == [] and result["programs"][0]["policy"] is None
    expected = 3 * 10 ** 6 / (result["interval"] * 1e9 * 4) * 100
    assert result["total_overhead_percent"] == pytest.approx(expected, rel=1e-3)


def test_no_bpffs_mounted(fake):
    fake([], {})
    assert "no BPF filesystem is mounted" in _run({}, fails=True)["msg"]


def test_requested_bpffs_must_be_mounted(fake):
    fake(["/sys/fs/bpf"], {})
    msg = _run({"bpffs": "/run/other"}, fails=True)["msg"]
    assert "/run/other is not a mounted BPF filesystem" in msg and "/sys/fs/bpf" in msg


def test_missing_tetragon_directory(fake, tmp_path):
    fake([str(tmp_path)], {})
    msg = _run({"bpffs": str(tmp_path)}, fails=True)["msg"]
    assert "no Tetragon directory %s/tetragon" % tmp_path in msg and "scope: all" in msg


def test_kernel_without_enable_stats(fake, monkeypatch, tmp_path):
    fake([str(tmp_path)], {1: [0, 0]}, stats_errno=errno.EINVAL)
    monkeypatch.setattr(_session, "read_sysctl", lambda path: 0)
    msg = _run({"scope": "all"}, fails=True)["msg"]
    assert "cannot switch on BPF run-time statistics" in msg and "5.8" in msg


def test_kernel_without_enable_stats_but_sysctl_on(fake, monkeypatch, tmp_path):
    fake([str(tmp_path)], {1: [0, 0]}, stats_errno=errno.EINVAL)
    monkeypatch.setattr(_session, "read_sysctl", lambda path: 1)
    result = _run({"scope": "all"})
    assert result["stats_enabled_by_module"] is False and result["total_run_cnt"] == 100


def test_not_permitted_says_become(fake, tmp_path):
    fake([str(tmp_path)], {1: [0, 0]}, stats_errno=errno.EPERM)
    msg = _run({"scope": "all"}, fails=True)["msg"]
    assert "become: true" in msg and "CAP_BPF" in msg


@pytest.mark.parametrize("interval", [0, -1, 7200, "nan", "inf"])
def test_bad_interval(fake, interval):
    fake(["/sys/fs/bpf"], {})
    assert "interval must be between" in _run({"interval": interval}, fails=True)["msg"]


def test_the_set_and_host_verdicts_are_returned_for_a_gate_to_read(fake, tmp_path):
    fake([str(tmp_path)], {1: [0, 0]})
    result = _run({"scope": "all", "max_overhead_percent": 0.0, "set": ["a", "ns:b"], "fail_over_budget": False})
    assert result["budget_percent"] == 0.0 and result["host"]["over_budget"] is True
    assert result["set"] == {"names": ["a", "ns:b"], "policies": [], "overhead_percent": 0.0,
                             "over_budget": False, "missing": ["a", "ns:b"]}


@pytest.mark.parametrize("budget", ["nan", "inf", -1.0])
def test_a_budget_that_would_turn_the_check_off_is_refused_before_measuring(fake, tmp_path, budget):
    bpf = fake([str(tmp_path)], {1: [0, 0]})
    result = _run({"scope": "all", "max_overhead_percent": budget}, fails=True)
    assert "max_overhead_percent: the budget must be a finite number" in result["msg"]
    assert bpf.open_fds == set() and bpf.progs[1] == [0, 0]


@pytest.mark.parametrize("bpf_dir", ["../../../etc", "/etc", "..", ".", "tetragon/../.."])
def test_bpf_dir_stays_inside_the_bpffs(fake, tmp_path, bpf_dir):
    fake([str(tmp_path)], {})
    msg = _run({"bpffs": str(tmp_path), "bpf_dir": bpf_dir}, fails=True)["msg"]
    assert "must be a relative directory inside the BPF filesystem %s" % tmp_path in msg


def test_bpf_dir_symlink_out_of_the_bpffs_is_refused(fake, tmp_path):
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "tetragon").symlink_to("/etc")
    fake([str(tmp_path / "fs")], {})
    msg = _run({"bpffs": str(tmp_path / "fs")}, fails=True)["msg"]
    assert "symlink" in msg and "/etc" in msg


METRICS_BEFORE = (
    'tetragon_build_info{version="v1.6.0"} 1\n'
    'tetragon_overhead_program_runs_total{policy_namespace="",policy="hot",sensor="generic_tracepoint",'
    'attach="syscalls/sys_enter_getppid",section="tracepoint/generic_tracepoint"} 1000\n'
    'tetragon_overhead_program_seconds_total{policy_namespace="",policy="hot",sensor="generic_tracepoint",'
    'attach="syscalls/sys_enter_getppid",section="tracepoint/generic_tracepoint"} 5000000\n'
    'tetragon_bpf_missed_events_total{msg_op="14",error="ENOSPC"} 10\n'
    'tetragon_notify_overflowed_events_total 0\n'
    'tetragon_tracingpolicy_kernel_memory_bytes{policy="hot",policy_namespace=""} 4096\n'
    'tetragon_tracingpolicy_loaded{state="enabled"} 1\n')


def test_metrics_are_read_around_the_soak_and_compared_per_policy(fake, monkeypatch, tmp_path):
    root = tmp_path / "tetragon" / "hot" / "generic_tracepoint" / "syscalls:sys_enter_getppid"
    root.mkdir(parents=True)
    bpf = fake([str(tmp_path)], {7: [0, 0]})
    monkeypatch.setattr(bpf_prog_stats, "pinned_programs", lambda where: {7: (7, str(root / "prog"))})
    texts = [METRICS_BEFORE,
             METRICS_BEFORE.replace("} 1000\n", "} 1700\n").replace("} 5000000\n", "} 12000000\n")
             .replace('ENOSPC"} 10', 'ENOSPC"} 35')]
    urls = []
    monkeypatch.setattr(bpf_prog_stats._metrics, "fetch", lambda url, timeout=5: urls.append(url) or texts[len(urls) - 1])
    result = _run({"bpffs": str(tmp_path), "metrics_url": "http://127.0.0.1:2112/metrics"})
    agent = result["agent_metrics"]
    assert urls == ["http://127.0.0.1:2112/metrics"] * 2 and bpf.open_fds == set()
    assert agent["version"] == "v1.6.0" and agent["event_loss"] == 25
    assert agent["event_loss_by_counter"] == {"tetragon_bpf_missed_events_total": 25,
                                              "tetragon_notify_overflowed_events_total": 0}
    assert agent["kernel_memory_bytes"] == {"hot": 4096} and agent["policies_by_state"] == {"enabled": 1}
    (row,) = agent["overhead"]
    # the fake kernel adds 700 runs and 7 ms per sample of program 7: the metrics (ns before 1.7.0) agree
    assert row == {"name": "hot", "metrics_runs": 700, "metrics_run_time_ns": 7000000, "pinned_runs": 700,
                   "pinned_run_time_ns": 7000000, "agree": True, "reason": ""}


def test_metrics_that_disagree_or_cannot_be_read(fake, monkeypatch, tmp_path):
    root = tmp_path / "tetragon" / "hot" / "generic_tracepoint" / "x"
    root.mkdir(parents=True)
    fake([str(tmp_path)], {7: [0, 0]})
    monkeypatch.setattr(bpf_prog_stats, "pinned_programs", lambda where: {7: (7, str(root / "prog"))})
    texts = [METRICS_BEFORE, METRICS_BEFORE.replace("} 1000\n", "} 9000\n")]
    monkeypatch.setattr(bpf_prog_stats._metrics, "fetch", lambda url, timeout=5: texts.pop(0))
    result = _run({"bpffs": str(tmp_path), "metrics_url": "http://localhost:2112/metrics", "metrics_version": "1.7.0"})
    (row,) = result["agent_metrics"]["overhead"]
    assert row["metrics_runs"] == 8000 and row["pinned_runs"] == 700 and not row["agree"]
    assert "differ beyond 5.0%" in row["reason"]
    assert row["metrics_run_time_ns"] == 0  # 1.7.0: seconds, and the counter did not grow
    failed = _run({"bpffs": str(tmp_path), "metrics_url": "http://10.0.0.1:2112/metrics"}, fails=True)
    assert "only http:// on localhost" in failed["msg"]
    monkeypatch.setattr(bpf_prog_stats._metrics, "fetch", lambda url, timeout=5: "<html>\n")
    failed = _run({"bpffs": str(tmp_path), "metrics_url": "http://127.0.0.1:2112/metrics"}, fails=True)
    assert failed["msg"].startswith("the agent's metrics: line 1")
