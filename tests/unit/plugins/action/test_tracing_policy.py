# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller half of tracing_policy: what the host module receives."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible.utils.display import Display
from ansible_collections.ebpfops.tetragon.plugins.action.tracing_policy import ActionModule

OBSERVE = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: observe
spec:
  tracepoints: [{subsystem: syscalls, event: sys_enter_getppid}]
"""
ENFORCE = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: enforce
  namespace: team
spec:
  kprobes:
  - call: sys_unlinkat
    selectors: [{matchActions: [{action: Sigkill}]}]
"""


def prepare(**args):
    action = ActionModule.__new__(ActionModule)
    action._display = Display()
    action._prepare(args)
    return args


def test_text_name_and_namespace_reach_the_module():
    args = prepare(content=ENFORCE)
    assert args["content"] == ENFORCE and args["name"] == "enforce" and args["namespace"] == "team"


def test_the_parsed_policy_reaches_the_module_for_resolve():
    args = prepare(content=ENFORCE)
    assert args["document"] == yaml.safe_load(ENFORCE)


def test_the_mode_is_written_into_an_enforcing_policy():
    args = prepare(content=ENFORCE, mode="monitor")
    assert args["mode"] == "monitor"
    assert yaml.safe_load(args["content"])["spec"]["options"] == [{"name": "policy-mode", "value": "monitor"}]


def test_a_policy_without_enforcement_has_no_mode_to_set():
    args = prepare(content=OBSERVE, mode="enforce")
    assert "mode" not in args and args["content"] == OBSERVE


def test_a_mapping_is_rendered_as_yaml():
    args = prepare(content=yaml.safe_load(OBSERVE))
    assert yaml.safe_load(args["content"]) == yaml.safe_load(OBSERVE) and args["name"] == "observe"


@pytest.mark.parametrize("args, message", [
    ({"content": OBSERVE, "name": "other"}, "does not match the policy's metadata.name 'observe'"),
    ({"content": "kind: Pod\nmetadata: {name: x}\n"}, "kind is 'Pod'"),
    ({"content": "kind: TracingPolicy\nspec: {}\n"}, "metadata.name is missing"),
    ({"content": OBSERVE + "---\n" + OBSERVE}, "holds 2 YAML documents"),
    ({"content": "spec: [\n"}, "content is not a usable policy: invalid YAML at line 2"),
])
def test_bad_policies_are_refused_on_the_controller(args, message):
    with pytest.raises(ValueError) as exc:
        prepare(**args)
    assert message in str(exc.value)
