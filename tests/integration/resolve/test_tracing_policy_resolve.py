# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tracing_policy resolves the policy on this machine's kernel before the agent (an in-memory one) is asked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible.module_utils import basic
from ansible_collections.ebpfops.tetragon.plugins.modules import tracing_policy
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.fake_tetra import FakeAgent
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

TEXT = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: raw-enter
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: %s
    args: [{index: 4, type: int64}]
"""


@pytest.fixture
def agent(monkeypatch, tmp_path):
    fake = FakeAgent()
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: fake.run(argv, **kw))
    (tmp_path / "tetra").write_text("")
    (tmp_path / "tp.d").mkdir()
    return fake


def place(tmp_path, event, check=False, fails=False):
    text = TEXT % event
    args = {"content": text, "document": yaml.safe_load(text), "name": "raw-enter",
            "tetra_path": str(tmp_path / "tetra"), "policy_dir": str(tmp_path / "tp.d")}
    if check:
        args["_ansible_check_mode"] = True
    with set_module_args(args):
        return run_module(tracing_policy.main, fails=fails)


@pytest.mark.parametrize("check", [False, True])
def test_a_tracepoint_typo_is_refused_before_the_agent_is_asked(needs_root, agent, tmp_path, check):
    failure = place(tmp_path, "sys_enters", check=check, fails=True)
    assert "error R3 at spec.tracepoints[0].event: tracepoint raw_syscalls/sys_enters does not exist on this " \
           "kernel" in failure["msg"]
    assert "Did you mean sys_enter" in failure["msg"] and os.uname()[2] in failure["msg"]
    assert agent.calls == [] and os.listdir(str(tmp_path / "tp.d")) == []


def test_the_real_tracepoint_is_placed(needs_root, agent, tmp_path):
    result = place(tmp_path, "sys_enter")
    assert result["changed"] is True and result["resolve_findings"] == []
    assert os.listdir(str(tmp_path / "tp.d")) == ["raw-enter.yaml"] and agent.entry("raw-enter") is not None
