# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import attach_plan, syscall_base

NO_KPROBES = "kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)"


def _policy(**spec):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "p"}, "spec": spec}


@pytest.mark.parametrize("name, base", [
    ("sys_unlinkat", "unlinkat"), ("__x64_sys_unlinkat", "unlinkat"), ("__arm64_sys_openat", "openat"),
    ("x64/sys_write", "write"), ("security_file_open", None), ("do_sys_open", None), ("", None),
])
def test_syscall_base(name, base):
    assert syscall_base(name) == base


def test_tracepoint_attaches_directly():
    [hook] = attach_plan(_policy(tracepoints=[{"subsystem": "raw_syscalls", "event": "sys_exit"}]), False, NO_KPROBES)
    assert hook["hook"] == "spec.tracepoints[0]: tracepoint raw_syscalls/sys_exit"
    [point] = hook["attach_points"]
    assert point["tracepoint"] == ("raw_syscalls", "sys_exit")
    assert point["measured_on"] == "tracepoint:raw_syscalls:sys_exit"
    assert point["measurable"] is True and point["note"] is None


def test_syscall_list_expands_to_one_tracepoint_per_syscall():
    spec = {"lists": [{"name": "delete", "type": "syscalls", "values": ["sys_unlink", "__x64_sys_unlinkat"]}],
            "kprobes": [{"call": "list:delete"}]}
    [hook] = attach_plan(_policy(**spec), False, NO_KPROBES)
    points = hook["attach_points"]
    assert [p["tracepoint"] for p in points] == [("syscalls", "sys_enter_unlink"), ("syscalls", "sys_enter_unlinkat")]
    assert all(p["kind"] == "kprobe" and p["measurable"] for p in points)
    assert "measured on the syscalls:sys_enter_unlinkat tracepoint" in points[1]["note"]


def test_non_syscall_kprobes_carry_the_kernel_reason():
    spec = {"lists": [{"name": "fns", "values": ["security_file_open", "sys_write"]},
                      {"name": "gen", "type": "generated_syscalls"}],
            "kprobes": [{"call": "security_file_open"}, {"call": "list:fns"}, {"call": "list:gen"},
                        {"call": "list:missing"}, {"call": "sys_write", "syscall": False}]}
    hooks = attach_plan(_policy(**spec), False, NO_KPROBES)
    points = [p for h in hooks for p in h["attach_points"]]
    assert all(p["measurable"] is False for p in points)
    assert points[0]["reason"] == NO_KPROBES
    assert points[1]["reason"] == NO_KPROBES and points[2]["target"] == "sys_write"
    assert "generated" in points[3]["reason"]
    assert "does not define" in points[4]["reason"] and "spec.kprobes[3]" in points[4]["reason"]
    assert points[5]["reason"] == NO_KPROBES
    with_kprobes = attach_plan(_policy(kprobes=[{"call": "security_file_open"}]), True, "")
    assert "not probed by hook_probe" in with_kprobes[0]["attach_points"][0]["reason"]


def test_syscall_flag_adds_prefix_and_other_sections_are_unmeasured():
    spec = {"kprobes": [{"call": "unlinkat", "syscall": True}], "lsmhooks": [{"hook": "file_open"}],
            "uprobes": [{"path": "/bin/bash", "symbols": ["readline"]}]}
    hooks = attach_plan(_policy(**spec), False, NO_KPROBES)
    assert hooks[0]["attach_points"][0]["tracepoint"] == ("syscalls", "sys_enter_unlinkat")
    lsm = [h for h in hooks if h["section"] == "lsmhooks"][0]["attach_points"][0]
    assert lsm["measurable"] is False and "LSM" in lsm["reason"] and lsm["target"] == "file_open"
    assert [h for h in hooks if h["section"] == "uprobes"][0]["attach_points"][0]["measurable"] is False


@pytest.mark.parametrize("document", [None, [], {"spec": None}, {"kind": "TracingPolicy"}])
def test_no_spec_is_a_clear_error(document):
    with pytest.raises(ValueError, match="no spec mapping"):
        attach_plan(document, False, NO_KPROBES)


def test_tracepoint_without_event_is_not_measurable():
    [hook] = attach_plan(_policy(tracepoints=[{"subsystem": "syscalls"}]), False, NO_KPROBES)
    assert hook["attach_points"][0]["measurable"] is False
    assert "needs both subsystem and event" in hook["attach_points"][0]["reason"]
