# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe planner (bpf/_probe_plan.py): which attach point each hook is measured on."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import attach_plan, syscall_base

NO_KPROBES = "kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)"


def _policy(**spec):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "p"}, "spec": spec}


def _points(spec, kprobes_ok=True, prefix="__x64_"):
    hooks = attach_plan(_policy(**spec), kprobes_ok, "" if kprobes_ok else NO_KPROBES, prefix)
    return [p for h in hooks for p in h["attach_points"]]


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
    assert point["probe"] == ("tracepoint", "raw_syscalls", "sys_exit")
    assert point["measurable"] is True and point["note"] is None


def test_kernel_functions_are_kprobes_with_their_return_probes():
    points = _points({"kprobes": [{"call": "security_file_permission", "syscall": False, "return": True},
                                  {"call": "vfs_write", "syscall": False}, {"call": "fd_install"}]})
    assert [p["probe"] for p in points] == [
        ("kprobe", "security_file_permission", False), ("kprobe", "security_file_permission", True),
        ("kprobe", "vfs_write", False), ("kprobe", "fd_install", False)]
    assert [p["kind"] for p in points] == ["kprobe", "kretprobe", "kprobe", "kprobe"]
    assert all(p["measurable"] and p["reason"] is None for p in points)


def test_syscall_kprobes_are_kprobes_on_the_arch_function_where_kprobes_exist():
    spec = {"lists": [{"name": "delete", "type": "syscalls", "values": ["sys_unlink", "__x64_sys_unlinkat"]}],
            "kprobes": [{"call": "list:delete"}, {"call": "renameat", "syscall": True}]}
    points = _points(spec)
    assert [p["probe"] for p in points] == [("kprobe", "__x64_sys_unlink", False),
                                            ("kprobe", "__x64_sys_unlinkat", False),
                                            ("kprobe", "__x64_sys_renameat", False)]
    assert "attached as the kernel function __x64_sys_unlink" in points[0]["note"]
    assert [p["probe"][1] for p in _points(spec, prefix="__arm64_")][0] == "__arm64_sys_unlink"


def test_syscall_kprobes_fall_back_to_their_tracepoints_without_kprobes_and_say_so():
    spec = {"lists": [{"name": "delete", "type": "syscalls", "values": ["sys_unlink", "__x64_sys_unlinkat"]}],
            "kprobes": [{"call": "list:delete", "return": True}]}
    points = _points(spec, kprobes_ok=False)
    assert [p["probe"] for p in points] == [
        ("tracepoint", "syscalls", "sys_enter_unlink"), ("tracepoint", "syscalls", "sys_exit_unlink"),
        ("tracepoint", "syscalls", "sys_enter_unlinkat"), ("tracepoint", "syscalls", "sys_exit_unlinkat")]
    assert points[0]["note"].startswith("fallback: this kernel cannot attach kprobes (%s)" % NO_KPROBES)


def test_what_cannot_be_measured_carries_its_reason():
    spec = {"lists": [{"name": "fns", "values": ["security_file_open", "sys_write"]},
                      {"name": "gen", "type": "generated_syscalls"}],
            "kprobes": [{"call": "security_file_open"}, {"call": "list:fns"}, {"call": "list:gen"},
                        {"call": "list:missing"}, {"call": "sys_write", "syscall": False}]}
    points = _points(spec, kprobes_ok=False)
    assert all(p["measurable"] is False and p["probe"] is None for p in points)
    assert points[0]["reason"] == NO_KPROBES
    assert points[1]["reason"] == NO_KPROBES and points[2]["target"] == "sys_write"
    assert "generated" in points[3]["reason"]
    assert "does not define" in points[4]["reason"] and "spec.kprobes[3]" in points[4]["reason"]
    assert points[5]["reason"] == NO_KPROBES
    assert "generated" in _points(spec)[3]["reason"]


def test_lsm_hooks_are_probed_and_user_space_hooks_are_not():
    spec = {"lsmhooks": [{"hook": "file_open"}], "uprobes": [{"path": "/bin/bash", "symbols": ["readline"]}]}
    lsm, uprobe = _points(spec)
    assert lsm["probe"] == ("lsm", "file_open") and lsm["kind"] == "lsmhook" and lsm["measurable"]
    assert uprobe["measurable"] is False and "uprobes" in uprobe["reason"] and uprobe["target"] == "/bin/bash"


@pytest.mark.parametrize("section, hook, kind", [
    ("uprobes", {"path": "/bin/bash", "symbols": ["readline"]}, "uprobe"),
    ("usdts", {"path": "/usr/bin/python3", "provider": "python", "name": "function__entry"}, "usdt"),
    ("fentries", {"call": "security_file_open"}, "fentry"),
])
def test_unmeasured_hooks_name_their_kind(section, hook, kind):
    (point,) = _points({section: [hook]})
    assert point["kind"] == kind and point["measurable"] is False and point["reason"]


@pytest.mark.parametrize("document", [None, [], {"spec": None}, {"kind": "TracingPolicy"}])
def test_no_spec_is_a_clear_error(document):
    with pytest.raises(ValueError, match="no spec mapping"):
        attach_plan(document, False, NO_KPROBES)


@pytest.mark.parametrize("section", ["tracepoints", "kprobes", "lsmhooks", "uprobes", "lists"])
@pytest.mark.parametrize("value, message", [
    ({"call": "x"}, "spec.%s must be a list, got dict"), ("x", "spec.%s must be a list, got str"),
    (["x"], "spec.%s[0] must be a mapping, got str"), ([None], "spec.%s[0] must be a mapping, got NoneType"),
    ([["a"]], "spec.%s[0] must be a mapping, got list"),
])
def test_malformed_sections_are_clear_errors(section, value, message):
    with pytest.raises(ValueError) as exc:
        attach_plan(_policy(**{section: value}), True, "")
    assert str(exc.value) == message % section


@pytest.mark.parametrize("values", ["sys_unlink", {"a": 1}, 5])
def test_list_values_must_be_a_list(values):
    with pytest.raises(ValueError, match=r"spec.lists\[0\].values must be a list"):
        attach_plan(_policy(lists=[{"name": "l", "values": values}], kprobes=[{"call": "list:l"}]), True, "")


def test_tracepoint_without_event_is_not_measurable():
    [hook] = attach_plan(_policy(tracepoints=[{"subsystem": "syscalls"}]), False, NO_KPROBES)
    assert hook["attach_points"][0]["measurable"] is False
    assert "needs both subsystem and event" in hook["attach_points"][0]["reason"]
