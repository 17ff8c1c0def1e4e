# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ebpfops.tetragon.policy_set: the set read once on the controller, described as data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

import pytest
import yaml

from ansible.utils.display import Display
from ansible_collections.ebpfops.tetragon.plugins.action.policy_set import ActionModule

FILES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "molecule", "rollout", "files")
OBSERVE = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: observe
spec:
  tracepoints: [{subsystem: syscalls, event: sys_enter_getppid}]
"""


def run(**args):
    action = ActionModule.__new__(ActionModule)
    action._display = Display()
    action._find_needle = lambda kind, src: src
    return action.describe(args)


def src(name):
    return {"src": os.path.abspath(os.path.join(FILES, name))}


def test_the_set_is_described_once_with_names_files_pin_dirs_and_digests():
    result = run(policies=[src("getppid.yaml"), src("block-protected-unlink.yaml"),
                           {"content": OBSERVE.replace("TracingPolicy\n", "TracingPolicyNamespaced\n").replace(
                               "name: observe", "name: observe\n  namespace: team"), "mode": "enforce"}],
                 mode="monitor")
    assert not result.get("failed"), result.get("msg")
    assert result["names"] == ["rollout-getppid", "rollout-block-protected-unlink", "observe"]
    assert result["files"] == ["rollout-getppid.yaml", "rollout-block-protected-unlink.yaml", "team.observe.yaml"]
    assert result["pin_dirs"] == ["rollout-getppid", "rollout-block-protected-unlink", "team:observe"]
    getppid, enforcing, observe = result["policies"]
    with open(os.path.join(FILES, "getppid.yaml")) as handle:
        assert getppid["text"] == handle.read() and getppid["mode"] == ""
    assert enforcing["mode"] == "monitor"
    assert yaml.safe_load(enforcing["text"])["spec"]["options"] == [{"name": "policy-mode", "value": "monitor"}]
    assert enforcing["sha256"] == hashlib.sha256(enforcing["text"].encode()).hexdigest()
    assert observe["namespace"] == "team" and observe["mode"] == ""


def test_a_lint_error_fails_before_any_host_with_the_rule_and_path():
    result = run(policies=[src("getppid.yaml"), src("kprobe-untyped-arg.yaml")])
    assert result["failed"] and "does not pass the lint at level error" in result["msg"]
    assert "error K2 at spec.kprobes[0].args[0]" in result["msg"] and "so no host was touched" in result["msg"]


def test_without_lint_the_loader_still_refuses_duplicate_keys():
    text = OBSERVE + "metadata:\n  name: other\n"
    result = run(policies=[{"content": text}], lint=False)
    assert result["failed"] and "Y2" in result["msg"] and "no host was touched" in result["msg"]


@pytest.mark.parametrize("policies, message", [
    ([{"content": OBSERVE.replace("name: observe", "name: ../../../victim/evil")}], "is not a DNS-1123 subdomain"),
    ([{"content": OBSERVE.replace("name: observe", "name: -rf")}], "is not a DNS-1123 subdomain"),
    ([{"content": OBSERVE}, {"content": OBSERVE}], "names a policy twice (observe.yaml)"),
    ([{"src": "/dev/null"}], "not a regular file"),
    ([{"src": "a", "content": "b"}], "needs exactly one of src and content"),
    ([{"content": OBSERVE, "mode": "loud"}], "mode 'loud' is not enforce or monitor"),
    (["text"], "give a mapping with src or content"),
    ([{"content": OBSERVE.replace("kind: TracingPolicy", "kind: Pod")}], "not TracingPolicy"),
])
@pytest.mark.parametrize("lint", [True, False])
def test_bad_sets_are_refused_before_any_host(policies, message, lint):
    result = run(policies=policies, lint=lint)
    assert result["failed"]
    assert message in result["msg"] or (lint and "does not pass the lint" in result["msg"])


def test_a_fifo_as_src_is_refused_without_reading(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(str(fifo))
    result = run(policies=[{"src": str(fifo)}])
    assert result["failed"] and "is a FIFO (named pipe), not a regular file" in result["msg"]


def test_rewrite_applies_before_the_description():
    text = OBSERVE.replace("tracepoints: [{subsystem: syscalls, event: sys_enter_getppid}]",
                           "kprobes: [{call: security_file_open, args: [{index: 0, type: file}]}]")
    result = run(policies=[{"content": text}], rewrite=True, lint_fail_on="never")
    policy = result["policies"][0]
    assert [c["rule"] for c in policy["changes"]] == ["kprobe_syscall_false"]
    assert yaml.safe_load(policy["text"])["spec"]["kprobes"][0]["syscall"] is False


def test_the_target_arch_reaches_the_lint():
    policy = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "dup2-watch"},
              "spec": {"kprobes": [{"call": "sys_dup2", "syscall": True}]}}
    assert not run(policies=[{"content": policy}]).get("failed")
    result = run(policies=[{"content": policy}], tetragon_arch="arm64")
    assert result["failed"] and "K6" in result["msg"]
