# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Tetragon test double pins real kprobe and LSM programs in Tetragon's layout; bpf_prog_stats
attributes them (6.12: multi_kprobe / multi_retkprobe)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

FILES, OPS = 150, 10
PERMISSION = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: file-permission
spec:
  kprobes:
  - call: security_file_permission
    syscall: false
    return: true
"""
OPENS = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: file-open-lsm
spec:
  lsmhooks:
  - hook: file_open
"""


def stats_under_load(guest, programs):
    result = guest.module_during_workload("bpf_prog_stats", {"interval": 12}, programs, files=FILES, ops=OPS)
    assert not result.get("failed"), result.get("msg")
    assert result["workload_seconds"] < 11, "the workload outlasted the interval: %s" % result
    return result


def by_pin(result):
    return dict((p["pin"][len("/sys/fs/bpf/tetragon/"):], p) for p in result["programs"] if p["pin"])


def test_multi_kprobe_and_lsm_pins_are_attributed(vm612):
    vm612.start_double({"file-permission": PERMISSION, "file-open-lsm": OPENS})
    try:
        result = stats_under_load(vm612, 4)
    finally:
        vm612.stop_double()
    pins = by_pin(result)
    assert sorted(pins) == ["__base__/event_execve/prog",
                            "file-open-lsm/generic_lsm/file_open/prog",
                            "file-permission/generic_kprobe/multi_kprobe/prog",
                            "file-permission/generic_kprobe/multi_retkprobe/prog"]
    entry = pins["file-permission/generic_kprobe/multi_kprobe/prog"]
    assert entry["type"] == "kprobe" and entry["policy"] == "file-permission" and entry["sensor"] == "generic_kprobe"
    assert entry["run_cnt"] >= 2 * FILES * OPS and entry["run_time_ns"] > 0
    assert pins["file-permission/generic_kprobe/multi_retkprobe/prog"]["run_cnt"] >= 2 * FILES * OPS
    lsm = pins["file-open-lsm/generic_lsm/file_open/prog"]
    assert lsm["type"] == "lsm" and FILES <= lsm["run_cnt"] < entry["run_cnt"] / 4
    policies = dict((p["name"], p) for p in result["policies"])
    assert policies["file-permission"]["programs"] == 2
    assert policies["file-permission"]["run_time_ns"] > policies["file-open-lsm"]["run_time_ns"]
    # the double released everything when it stopped
    assert vm612.ssh("ls /sys/fs/bpf/tetragon").stdout.split() == []
