# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bpf_prog_stats against real programs pinned in a Tetragon-shaped private bpffs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _session
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.modules import bpf_prog_stats
from ansible_collections.ebpfops.tetragon.tests.integration.bpf.conftest import syscall_loop
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

CALLS = 3000


def _sysctl():
    with open(_session.STATS_SYSCTL) as handle:
        return handle.read()


@pytest.fixture
def tetragon_layout(private_bpffs):
    """Two policies and a base sensor with real programs attached to tracepoints, pinned like Tetragon."""
    layout = [
        ("mypolicy", "generic_tracepoint", "syscalls:sys_enter_getppid", ("syscalls", "sys_enter_getppid")),
        ("otherpolicy", "generic_tracepoint", "syscalls:sys_enter_getpgid", ("syscalls", "sys_enter_getpgid")),
        ("__base__", "event_execve", "event_execve", ("sched", "sched_process_exec")),
    ]
    fds = []
    for policy, sensor, pin, (category, event) in layout:
        directory = os.path.join(private_bpffs, "tetragon", policy, sensor, pin)
        os.makedirs(directory)
        prog = _bpf.load_probe_program("ebpfops_" + policy[:7])
        fds.append(prog)
        fds.append(_bpf.attach_tracepoint(prog, category, event))
        _bpf.pin(prog, os.path.join(directory, "prog"))
    try:
        yield private_bpffs
    finally:
        for fd in fds:
            _bpf.close(fd)
        for policy, sensor, pin, _tp in layout:
            os.unlink(os.path.join(private_bpffs, "tetragon", policy, sensor, pin, "prog"))


def _run(args, fails=False, calls=CALLS):
    worker = threading.Thread(target=lambda: (time.sleep(0.1), syscall_loop(calls)))
    with set_module_args(args):
        worker.start()
        try:
            return run_module(bpf_prog_stats.main, fails=fails)
        finally:
            worker.join()


def test_attributes_getppid_calls_to_mypolicy(tetragon_layout):
    sysctl_before = _sysctl()
    result = _run({"bpffs": tetragon_layout, "interval": 1.0})
    assert _sysctl() == sysctl_before
    assert result["changed"] is False
    assert result["stats_enabled_by_module"] is (sysctl_before.strip() == "0")
    by_policy = dict((p["name"], p) for p in result["policies"])
    assert set(by_policy) == {"mypolicy", "otherpolicy", "__base__"}
    mine = by_policy["mypolicy"]
    assert mine["programs"] == 1
    assert CALLS <= mine["run_cnt"] <= CALLS + 50
    assert mine["run_time_ns"] > 0
    assert by_policy["otherpolicy"]["run_cnt"] <= 5
    prog = [p for p in result["programs"] if p["policy"] == "mypolicy"][0]
    assert prog["sensor"] == "generic_tracepoint"
    assert prog["type"] == "tracepoint"
    assert prog["pin"].endswith("/tetragon/mypolicy/generic_tracepoint/syscalls:sys_enter_getppid/prog")
    assert prog["avg_ns"] == prog["run_time_ns"] // prog["run_cnt"]
    expected = prog["run_time_ns"] / (result["interval"] * 1e9 * result["cpus"]) * 100
    assert prog["overhead_percent"] == pytest.approx(expected, rel=1e-3, abs=1e-6)
    assert result["total_run_cnt"] >= mine["run_cnt"]


def test_budget_failure_names_policy_and_program(tetragon_layout):
    sysctl_before = _sysctl()
    failure = _run({"bpffs": tetragon_layout, "interval": 0.5, "max_overhead_percent": 0.0,
                    "policies": ["mypolicy"]}, fails=True)
    assert _sysctl() == sysctl_before
    assert failure["over_budget"] == ["mypolicy"]
    assert "policy mypolicy" in failure["msg"]
    assert "syscalls:sys_enter_getppid/prog" in failure["msg"]
    assert "otherpolicy" not in failure["msg"]


def test_scope_all_includes_unpinned_programs(tetragon_layout):
    loose = _bpf.load_probe_program("ebpfops_loose")
    try:
        loose_id = _bpf.prog_info(loose)["id"]
        result = _run({"bpffs": tetragon_layout, "interval": 0.2, "scope": "all"}, calls=10)
    finally:
        _bpf.close(loose)
    ids = dict((p["id"], p) for p in result["programs"])
    assert loose_id in ids and ids[loose_id]["policy"] is None and ids[loose_id]["pin"] is None
    assert "mypolicy" in [p["name"] for p in result["policies"]]


def test_clear_error_without_tetragon_directory(private_bpffs):
    with set_module_args({"bpffs": private_bpffs, "interval": 0.1}):
        failure = run_module(bpf_prog_stats.main, fails=True)
    assert "no Tetragon directory" in failure["msg"] and private_bpffs in failure["msg"]


def test_clear_error_when_bpffs_not_mounted(needs_root, tmp_path):
    with set_module_args({"bpffs": str(tmp_path), "interval": 0.1}):
        failure = run_module(bpf_prog_stats.main, fails=True)
    assert "is not a mounted BPF filesystem" in failure["msg"]


def test_clear_error_when_not_root(tetragon_layout):
    pid = os.fork()
    if pid == 0:
        import json
        code = 1
        try:
            os.setresuid(65534, 65534, 0)
            with set_module_args({"bpffs": tetragon_layout, "interval": 0.1}):
                failure = run_module(bpf_prog_stats.main, fails=True)
            code = 0 if "become: true" in failure["msg"] else 2
        except BaseException:
            code = 3
        os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
