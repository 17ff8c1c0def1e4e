# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""policy_set_apply against an in-memory agent (fake_tetra.FakeAgent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible.module_utils import basic
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_set_apply
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.fake_tetra import FakeAgent
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

TEMPLATE = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %s
spec:
  kprobes:
  - call: %s
"""


def policy(name, call="sys_unlinkat"):
    text = TEMPLATE % (name, call)
    return {"name": name, "namespace": "", "file": name + ".yaml", "mode": "", "text": text,
            "sha256": hashlib.sha256(text.encode()).hexdigest(), "pin_dir": name, "label": "x"}


@pytest.fixture
def agent(monkeypatch):
    fake = FakeAgent()
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: (
        (0, "active\n", "") if argv[0] == "systemctl" else fake.run(argv, **kw)))
    return fake


@pytest.fixture
def host(tmp_path):
    tetra = tmp_path / "tetra"
    tetra.write_text("")
    (tmp_path / "tp.d").mkdir()
    return {"tetra_path": str(tetra), "policy_dir": str(tmp_path / "tp.d"), "state_dir": str(tmp_path / "state")}


def apply(host, policies, fails=False, check=False, **args):
    args = dict(host, policies=policies, **args)
    if check:
        args["_ansible_check_mode"] = True
    with set_module_args(args):
        return run_module(policy_set_apply.main, fails=fails)


def files(host):
    return dict((n, open(os.path.join(host["policy_dir"], n)).read()) for n in sorted(os.listdir(host["policy_dir"])))


def test_the_set_is_placed_verified_and_recorded_in_one_call(agent, host):
    result = apply(host, [policy("a"), policy("b")], verify=True, systemd_unit="tetragon")
    assert result["changed"] and result["changing"] and result["changed_policies"] == ["a", "b"]
    assert result["problems"] == [] and result["service_state"] == "active"
    assert files(host) == {"a.yaml": policy("a")["text"], "b.yaml": policy("b")["text"]}
    manifest = json.load(open(os.path.join(host["state_dir"], "manifest.json")))
    assert [p["name"] for p in manifest["policies"]] == ["a", "b"]
    assert os.stat(os.path.join(host["state_dir"], "manifest.json")).st_mode & 0o777 == 0o600
    assert not os.path.exists(os.path.join(host["state_dir"], "pending.json"))


def test_a_second_run_changes_nothing_and_asks_the_agent_once(agent, host):
    apply(host, [policy("a"), policy("b")])
    calls = len(agent.calls)
    result = apply(host, [policy("a"), policy("b")])
    assert result["changed"] is False and result["changing"] is False
    assert agent.calls[calls:] == [["tracingpolicy", "list", "-o", "json"]]


def test_check_mode_changes_nothing(agent, host):
    result = apply(host, [policy("a")], check=True)
    assert result["changed"] and files(host) == {} and agent.policies == {}
    assert not os.path.exists(host["state_dir"])


def test_a_rejected_policy_fails_and_the_rollback_restores_the_kept_set_exactly(agent, host):
    apply(host, [policy("a"), policy("b")])
    before = files(host)
    failed = apply(host, [policy("a", "sys_renameat2"), policy("c", "REJECT")], fails=True)
    assert failed["failed_policy"] == "c" and "Tetragon rejected policy c" in failed["msg"]
    assert os.path.exists(os.path.join(host["state_dir"], "pending.json"))
    back = apply(host, [policy("a", "sys_renameat2"), policy("c", "REJECT")], state="rolled_back")
    assert back["rolled_back"] and back["placed"] == ["a", "b"]
    assert files(host) == before and sorted(n for ns, n in agent.policies) == ["a", "b"]
    assert "sys_unlinkat" in agent.entry("a")["text"]
    assert not os.path.exists(os.path.join(host["state_dir"], "pending.json"))


def test_a_dropped_policy_goes_and_one_placed_by_hand_stays(agent, host):
    apply(host, [policy("a"), policy("b")])
    with open(os.path.join(host["policy_dir"], "by-hand.yaml"), "w") as handle:
        handle.write("x")
    result = apply(host, [policy("a")])
    assert result["removed"] == ["b"] and sorted(files(host)) == ["a.yaml", "by-hand.yaml"]


def test_the_kept_set_stays_until_its_replacement_is_complete(agent, host):
    apply(host, [policy("a")])
    apply(host, [policy("a", "sys_renameat2")])
    kept = os.path.join(host["state_dir"], "previous", "files", "a.yaml")
    assert "sys_unlinkat" in open(kept).read()
    os.unlink(os.path.join(host["policy_dir"], "a.yaml"))  # the copy for the next change cannot complete
    failed = apply(host, [policy("a", "sys_openat")], fails=True)
    assert "cannot be kept for a rollback" in failed["msg"] and "sys_unlinkat" in open(kept).read()


def test_a_rollback_without_a_kept_set_says_so(agent, host):
    result = apply(host, [], state="rolled_back")
    assert result["rolled_back"] is False and "nothing to roll back" in result["msg"]


@pytest.mark.parametrize("bad, message", [
    ({"file": "../x.yaml"}, "must be a plain file name"),
    ({"name": "../../victim"}, "is not a DNS-1123 subdomain"),
    ({"text": ""}, "policies[0].text must be a non-empty string"),
    ({"mode": "loud"}, "is not enforce or monitor"),
])
def test_bad_entries_are_refused_before_anything_is_touched(agent, host, bad, message):
    result = apply(host, [dict(policy("a"), **bad)], fails=True)
    assert message in result["msg"] and files(host) == {} and agent.calls == []
    assert not os.path.exists(host["state_dir"])


def test_a_state_dir_inside_the_policy_dir_is_refused(agent, host):
    result = apply(dict(host, state_dir=host["policy_dir"] + "/state"), [policy("a")], fails=True)
    assert "is inside policy_dir" in result["msg"] and agent.calls == []
