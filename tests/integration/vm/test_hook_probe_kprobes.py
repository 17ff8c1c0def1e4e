# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hook_probe on real kprobes, return probes, LSM hooks and syscall kprobes (Debian 6.12 under qemu)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

FILES, OPS = 200, 10

POLICY = {
    "apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "kernel-hooks"},
    "spec": {
        "lists": [{"name": "delete", "type": "syscalls", "values": ["sys_unlink", "sys_unlinkat"]}],
        "kprobes": [
            {"call": "security_file_permission", "syscall": False, "return": True},
            {"call": "vfs_write", "syscall": False},
            {"call": "fd_install", "syscall": False},
            {"call": "security_file_open", "syscall": False},
            {"call": "list:delete"},
        ],
        "lsmhooks": [{"hook": "file_open"}],
    },
}


def _points(result):
    return dict(((p["kind"], p["target"]), p) for h in result["hooks"] for p in h["attach_points"])


def _check_counts(points, prefix):
    perm = points[("kprobe", "security_file_permission")]
    assert perm["measured_on"] == "%s:security_file_permission" % prefix
    # every write and every pread of the workload passes security_file_permission
    assert perm["events"] >= 2 * FILES * OPS
    ret = points[("kretprobe", "security_file_permission")]
    assert ret["measured_on"].endswith("security_file_permission") and "ret" in ret["measured_on"]
    assert abs(ret["events"] - perm["events"]) <= 0.05 * perm["events"] + 50
    assert points[("kprobe", "vfs_write")]["events"] >= FILES * OPS
    for name in ("fd_install", "security_file_open"):
        assert FILES <= points[("kprobe", name)]["events"] < perm["events"] / 4, name
    lsm = points[("lsmhook", "file_open")]
    assert lsm["measured_on"] == "lsm:file_open" and FILES <= lsm["events"] < perm["events"] / 4
    unlink = points[("kprobe", "sys_unlink")]  # Python's os.unlink is the unlink syscall
    assert unlink["measured_on"] == "%s:__x64_sys_unlink" % prefix
    assert FILES <= unlink["events"] <= FILES + 100
    assert points[("kprobe", "sys_unlinkat")]["measured_on"] == "%s:__x64_sys_unlinkat" % prefix


def test_every_hook_type_is_measured_on_kprobe_multi_and_nothing_is_left(vm612):
    assert vm612.kernel.startswith("6.12")
    result = vm612.probe_during_workload(POLICY, programs=8, files=FILES, ops=OPS)
    assert not result.get("failed"), result.get("msg")
    assert result["complete"] is True and result["unmeasured"] == [] and result["kprobes"] is True
    assert result["leftover_probes"] == []
    _check_counts(_points(result), "kprobe_multi")
    assert _points(result)[("kretprobe", "security_file_permission")]["measured_on"] == \
        "kprobe_multi_return:security_file_permission"


def test_kprobe_pmu_on_request_gives_the_same_counts(vm612):
    result = vm612.probe_during_workload(POLICY, programs=8, files=FILES, ops=OPS, kprobe_attach="kprobe")
    assert result["complete"] is True and result["leftover_probes"] == []
    points = _points(result)
    _check_counts(points, "kprobe")
    assert points[("kretprobe", "security_file_permission")]["measured_on"] == "kretprobe:security_file_permission"


def test_unknown_function_and_uprobe_fail_closed(vm612):
    policy = {"metadata": {"name": "partly"},
              "spec": {"kprobes": [{"call": "no_such_function_ebpfops", "syscall": False},
                                   {"call": "vfs_read", "syscall": False}],
                       "uprobes": [{"path": "/bin/bash", "symbols": ["readline"]}]}}
    failure = vm612.run_module("hook_probe", {"content": policy, "interval": 0.5}, fails=True)
    assert failure["complete"] is False
    reasons = dict((m["target"], m["reason"]) for m in failure["unmeasured"])
    assert sorted(reasons) == ["/bin/bash", "no_such_function_ebpfops"]
    assert "no_such_function_ebpfops" in reasons["no_such_function_ebpfops"]
    assert "no_such_function_ebpfops" in failure["msg"] and "allow_unmeasured" in failure["msg"]
    measured = [p for h in failure["hooks"] for p in h["attach_points"] if p["target"] == "vfs_read"][0]
    assert measured["measured_on"] == "kprobe_multi:vfs_read" and measured["events"] > 0
    assert vm612.python("from ansible_collections.ebpfops.tetragon.tests.integration.vm.workload import "
                        "programs_named\nprint(programs_named('ebpfops_probe'))").stdout.strip() == "[]"
