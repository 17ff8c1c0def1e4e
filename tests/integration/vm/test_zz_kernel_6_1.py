# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian 12's own 6.1 kernel: kprobes and BPF LSM, but no kprobe_multi (CONFIG_FPROBE unset), as on many
hosts (RHEL 9, arm64). hook_probe falls back to the kprobe PMU and says so; the Tetragon test double pins
one program per function; bpf_prog_stats attributes them. (Last file: the 6.1 VM boots once, after 6.12.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ebpfops.tetragon.tests.integration.vm import test_double_kprobe_pins as double
from ansible_collections.ebpfops.tetragon.tests.integration.vm import test_hook_probe_kprobes as probes


def test_hook_probe_uses_the_kprobe_pmu_without_kprobe_multi(vm61):
    assert vm61.kernel.startswith("6.1.")
    result = vm61.probe_during_workload(probes.POLICY, programs=8, files=probes.FILES, ops=probes.OPS)
    assert not result.get("failed"), result.get("msg")
    assert result["complete"] is True and result["leftover_probes"] == []
    points = probes._points(result)
    probes._check_counts(points, "kprobe")
    perm = points[("kprobe", "security_file_permission")]
    assert "kprobe_multi is not available" in perm["note"]
    assert points[("kretprobe", "security_file_permission")]["measured_on"] == "kretprobe:security_file_permission"
    args = {"content": probes.POLICY, "interval": 0.5, "kprobe_attach": "kprobe_multi"}
    failure = vm61.run_module("hook_probe", args, fails=True)
    assert {m["kind"] for m in failure["unmeasured"]} == {"kprobe", "kretprobe"}
    assert all("kprobe_multi" in m["reason"] for m in failure["unmeasured"])


def test_double_pins_one_program_per_function(vm61):
    policy = double.PERMISSION.replace("  - call: security_file_permission", "  - call: vfs_write\n    syscall: false\n"
                                "  - call: security_file_permission")
    vm61.start_double({"file-permission": policy, "file-open-lsm": double.OPENS})
    try:
        result = double.stats_under_load(vm61, 5)
    finally:
        vm61.stop_double()
    pins = double.by_pin(result)
    assert sorted(pins) == ["__base__/event_execve/prog",
                            "file-open-lsm/generic_lsm/file_open/prog",
                            "file-permission/generic_kprobe/security_file_permission/prog",
                            "file-permission/generic_kprobe/security_file_permission_return/prog",
                            "file-permission/generic_kprobe/vfs_write/prog"]
    perm = pins["file-permission/generic_kprobe/security_file_permission/prog"]
    assert perm["policy"] == "file-permission" and perm["sensor"] == "generic_kprobe"
    assert perm["run_cnt"] >= 2 * double.FILES * double.OPS
    assert pins["file-permission/generic_kprobe/vfs_write/prog"]["run_cnt"] >= double.FILES * double.OPS
    assert pins["file-permission/generic_kprobe/vfs_write/prog"]["run_cnt"] < perm["run_cnt"]
    assert dict((p["name"], p["programs"]) for p in result["policies"])["file-permission"] == 3
