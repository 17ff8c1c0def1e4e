# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hook_probe input handling (module and action plugin) without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import load_policy
from ansible_collections.ebpfops.tetragon.plugins.modules import hook_probe
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args


def test_load_policy_takes_the_first_document():
    doc = load_policy("kind: TracingPolicy\nspec: {}\n---\nkind: Other\n", "p.yaml")
    assert doc == {"kind": "TracingPolicy", "spec": {}}


@pytest.mark.parametrize("text, message", [
    ("spec: [unclosed\n", "p.yaml is not a usable policy: invalid YAML at line 2"),
    ("# only a comment\n", "p.yaml has no YAML document"),
    ("- a\n- b\n", "top level is a list, a policy must be a mapping"),
])
def test_load_policy_errors(text, message):
    with pytest.raises(ValueError) as exc:
        load_policy(text, "p.yaml")
    assert message in str(exc.value)


def test_src_without_the_action_plugin_is_explained():
    with set_module_args({"src": "/tmp/policy.yaml"}):
        failure = run_module(hook_probe.main, fails=True)
    assert "read on the controller" in failure["msg"] and "/tmp/policy.yaml" in failure["msg"]


def test_policy_without_spec_fails_before_probing(monkeypatch):
    monkeypatch.setattr(hook_probe, "measure", lambda *args: pytest.fail("probed a bad policy"))
    with set_module_args({"content": {"kind": "TracingPolicy", "metadata": {"name": "x"}}}):
        failure = run_module(hook_probe.main, fails=True)
    assert failure["msg"].startswith("content: the policy has no spec mapping")


def test_src_and_content_are_exclusive():
    with set_module_args({"src": "a.yaml", "content": {"spec": {}}}):
        failure = run_module(hook_probe.main, fails=True)
    assert "mutually exclusive" in failure["msg"]


@pytest.mark.parametrize("interval", ["nan", "inf", 0, -1, 3601])
def test_bad_interval_is_refused_before_probing(monkeypatch, interval):
    monkeypatch.setattr(hook_probe, "measure", lambda *args: pytest.fail("probed with a bad interval"))
    with set_module_args({"content": {"spec": {}}, "interval": interval}):
        failure = run_module(hook_probe.main, fails=True)
    assert "interval must be between 0 and 3600 seconds" in failure["msg"]


@pytest.mark.parametrize("spec, message", [
    ({"kprobes": {"call": "x"}}, "spec.kprobes must be a list, got dict"),
    ({"tracepoints": ["raw_syscalls"]}, "spec.tracepoints[0] must be a mapping, got str"),
    ({"lists": [{"name": "l", "values": "x"}]}, "spec.lists[0].values must be a list, got str"),
    ({"uprobes": 3}, "spec.uprobes must be a list, got int"),
])
def test_malformed_policy_fails_clearly_before_probing(monkeypatch, spec, message):
    monkeypatch.setattr(hook_probe, "measure", lambda *args: pytest.fail("probed a bad policy"))
    with set_module_args({"content": {"spec": spec}}):
        failure = run_module(hook_probe.main, fails=True)
    assert failure["msg"] == "content: " + message


def _fake_measure(hooks, interval, kprobe_attach):
    for hook in hooks:
        for point in hook["attach_points"]:
            point.pop("probe", None)
            point["events"] = 7 if point["measurable"] else None
    return 7 * sum(p["measurable"] for h in hooks for p in h["attach_points"]), 1.0


def test_unmeasured_hooks_fail_closed_unless_allowed(monkeypatch):
    monkeypatch.setattr(hook_probe, "measure", _fake_measure)
    monkeypatch.setattr(hook_probe._bpf, "kprobes_available", lambda: (False, "no kprobes here"))
    content = {"metadata": {"name": "p"},
               "spec": {"tracepoints": [{"subsystem": "raw_syscalls", "event": "sys_exit"}],
                        "kprobes": [{"call": "security_file_permission", "syscall": False}]}}
    with set_module_args({"content": content}):
        failure = run_module(hook_probe.main, fails=True)
    assert failure["complete"] is False and failure["total_events"] == 7
    assert failure["unmeasured"] == [{"hook": "spec.kprobes[0]: kprobe call security_file_permission",
                                      "target": "security_file_permission", "kind": "kprobe",
                                      "reason": "no kprobes here"}]
    assert "could not be measured" in failure["msg"] and "security_file_permission" in failure["msg"]
    assert "allow_unmeasured" in failure["msg"]
    with set_module_args({"content": content, "allow_unmeasured": True}):
        result = run_module(hook_probe.main)
    assert result["complete"] is False and len(result["unmeasured"]) == 1 and result["total_events"] == 7
    content["spec"].pop("kprobes")
    with set_module_args({"content": content}):
        result = run_module(hook_probe.main)
    assert result["complete"] is True and result["unmeasured"] == []
