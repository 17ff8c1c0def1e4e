# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""policy_resolve module and action plugin input handling, on a synthetic kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import read_policy
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_resolve
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, tracefs_tree, write)
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args


@pytest.fixture
def host(tmp_path, monkeypatch):
    btf = write(tmp_path / "vmlinux", btf_blob({"__x64_sys_read": 1, "tcp_sendmsg": 3}))
    tracefs = tracefs_tree(str(tmp_path / "tracing"), {"raw_syscalls/sys_exit": ["long id", "long ret"]})
    view = KernelView(btf=btf, tracefs=tracefs, source="files")
    monkeypatch.setattr(policy_resolve.KernelView, "host", classmethod(lambda cls, cache_dir=None: view))
    return view


def test_module_reports_findings_and_valid(host):
    doc = {"metadata": {"name": "p"}, "spec": {"kprobes": [{"call": "tcpsendmsg", "syscall": False}]}}
    with set_module_args({"content": doc}):
        result = run_module(policy_resolve.main)
    assert result["changed"] is False and result["valid"] is False and result["policy"] == "p"
    assert [f["rule"] for f in result["findings"]] == ["R1"]
    assert set(result["kernel_features"]) == {"kprobes", "kprobe_multi", "override_return", "fmod_ret", "bpf_lsm"}


def test_module_valid_tracepoint(host):
    doc = {"spec": {"tracepoints": [{"subsystem": "raw_syscalls", "event": "sys_exit", "args": [{"index": 4}]}]}}
    with set_module_args({"content": doc}):
        result = run_module(policy_resolve.main)
    assert result["valid"] is True and result["summary"]["resolved"] == 1


def test_module_rejects_a_non_policy(host):
    with set_module_args({"content": {"kind": "TracingPolicy"}}):
        failure = run_module(policy_resolve.main, fails=True)
    assert failure["msg"].startswith("content: the policy has no spec mapping")


def test_src_without_the_action_plugin_is_explained(host):
    with set_module_args({"src": "/tmp/policy.yaml"}):
        failure = run_module(policy_resolve.main, fails=True)
    assert "read on the controller" in failure["msg"]


def _document(path):
    return read_policy(path)[1]  # what the action plugin (plugin_utils/_policy_src_action.py) passes as content


def test_action_reads_the_first_document(tmp_path):
    path = write(tmp_path / "p.yaml", "kind: TracingPolicy\nspec: {}\n")
    assert _document(path) == {"kind": "TracingPolicy", "spec": {}}


@pytest.mark.parametrize("text, message", [
    ("spec: [unclosed\n", "invalid YAML"),
    ("# nothing\n", "has no YAML document"),
    ("- a\n", "top level is a list"),
])
def test_action_bad_files_are_clear_errors(tmp_path, text, message):
    with pytest.raises(ValueError) as exc:
        _document(write(tmp_path / "p.yaml", text))
    assert message in str(exc.value) and "p.yaml" in str(exc.value)
