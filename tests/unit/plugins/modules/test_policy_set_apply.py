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
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, tracefs_tree, write)
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
    args.setdefault("resolve", False)  # resolving on a kernel is tested below, with a synthetic kernel
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


# --- resolve: the set's hooks on the host's kernel (a synthetic one), before anything is placed
def with_document(entry, call):
    return dict(entry, document={"kind": "TracingPolicy", "metadata": {"name": entry["name"]},
                                 "spec": {"kprobes": [{"call": call, "syscall": False}]}})


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    btf = write(tmp_path / "vmlinux", btf_blob({"tcp_sendmsg": 3, "security_file_open": 1}))
    tracefs = tracefs_tree(str(tmp_path / "tracing"), {"raw_syscalls/sys_enter": ["long id"]})
    view = KernelView(btf=btf, tracefs=tracefs, machine="x86_64", source="files")
    monkeypatch.setattr(policy_set_apply.KernelView, "host", classmethod(lambda cls, cache_dir=None: view))
    return view


def typo_set():
    return [with_document(policy("a", "tcp_sendmsg"), "tcp_sendmsg"),
            dict(with_document(policy("b", "tcpsendmsg"), "tcpsendmsg"), label="files/typo.yaml")]


@pytest.mark.parametrize("check", [False, True])
def test_a_set_that_does_not_resolve_places_nothing(agent, host, kernel, check):
    failure = apply(host, typo_set(), fails=True, check=check, resolve=True, verify=True)
    assert failure["msg"].startswith("the policy set does not resolve on host ")
    assert ("policy b (file b.yaml, from files/typo.yaml): error R1 at spec.kprobes[0].call: kernel function "
            "tcpsendmsg does not exist on this kernel") in failure["msg"]
    assert "Did you mean tcp_sendmsg?" in failure["msg"] and "policy a " not in failure["msg"]
    assert failure["failed_policy"] == "b" and failure["changing"] is False
    assert [f["rule"] for f in failure["resolve_findings"]["b"] if f["severity"] == "error"] == ["R1"]
    assert agent.calls == [] and files(host) == {} and not os.path.exists(host["state_dir"])


def test_a_set_that_resolves_is_placed_with_its_findings(agent, host, kernel):
    result = apply(host, [with_document(policy("a", "tcp_sendmsg"), "tcp_sendmsg")], resolve=True)
    assert result["changed"] and sorted(files(host)) == ["a.yaml"]
    assert not [f for f in result["resolve_findings"]["a"] if f["severity"] == "error"]


def test_resolve_false_leaves_the_judgement_to_the_agent(agent, host, kernel):
    result = apply(host, typo_set(), resolve=False)
    assert result["changed"] and sorted(files(host)) == ["a.yaml", "b.yaml"] and "resolve_findings" not in result


def test_a_policy_without_its_document_is_explained(agent, host, kernel):
    failure = apply(host, [policy("a")], fails=True, resolve=True)
    assert "policies[0] (a) has no document to resolve" in failure["msg"] and agent.calls == []


def test_a_rollback_is_never_blocked_by_resolve(agent, host, kernel, monkeypatch):
    apply(host, [policy("a")])
    apply(host, [policy("b")])
    monkeypatch.setattr("ansible_collections.ebpfops.tetragon.plugins.module_utils.host._policy_set.resolve",
                        lambda *a: pytest.fail("a rollback resolved"))
    result = apply(host, typo_set(), state="rolled_back", resolve=True)
    assert result["rolled_back"] is True and sorted(files(host)) == ["a.yaml"]
