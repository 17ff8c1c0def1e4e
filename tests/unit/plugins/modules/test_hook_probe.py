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
    monkeypatch.setattr(hook_probe, "probe", lambda hooks, interval: pytest.fail("probed a bad policy"))
    with set_module_args({"content": {"kind": "TracingPolicy", "metadata": {"name": "x"}}}):
        failure = run_module(hook_probe.main, fails=True)
    assert failure["msg"].startswith("content: the policy has no spec mapping")


def test_src_and_content_are_exclusive():
    with set_module_args({"src": "a.yaml", "content": {"spec": {}}}):
        failure = run_module(hook_probe.main, fails=True)
    assert "mutually exclusive" in failure["msg"]
