# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tracing_policy and tracing_policy_info against an in-memory agent (fake_tetra.FakeAgent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.module_utils import basic
from ansible_collections.ebpfops.tetragon.plugins.modules import tracing_policy, tracing_policy_info
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, tracefs_tree, write)
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.fake_tetra import FakeAgent
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

POLICY = """# keep this comment
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: demo
spec:
  kprobes:
  - call: sys_unlinkat
    args: [{index: 1, type: string}]
"""
POLICY_V2 = POLICY.replace("sys_unlinkat", "sys_renameat2")
REJECTED = POLICY.replace("sys_unlinkat", "sys_REJECT")


@pytest.fixture
def agent(monkeypatch):
    fake = FakeAgent()
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: fake.run(argv, **kw))
    return fake


@pytest.fixture
def host(tmp_path):
    tetra = tmp_path / "tetra"
    tetra.write_text("")
    policy_dir = tmp_path / "tp.d"
    policy_dir.mkdir()
    return {"tetra_path": str(tetra), "policy_dir": str(policy_dir)}


def place(host, check=False, diff=False, fails=False, **args):
    args = dict(host, **args)
    args.setdefault("name", "demo")
    args.setdefault("resolve", False)  # resolving on a kernel is tested below, with a synthetic kernel
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with set_module_args(args):
        return run_module(tracing_policy.main, fails=fails)


def read(host, name="demo.yaml"):
    path = os.path.join(host["policy_dir"], name)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read()


def test_a_new_policy_is_loaded_then_written_byte_for_byte(agent, host):
    result = place(host, content=POLICY)
    assert result["changed"] is True and result["agent_state"] == "TP_STATE_ENABLED"
    assert read(host) == POLICY
    assert [c[:2] for c in agent.calls] == [["tracingpolicy", "list"], ["tracingpolicy", "add"],
                                            ["tracingpolicy", "list"]]


def test_a_second_run_changes_nothing(agent, host):
    place(host, content=POLICY)
    calls = len(agent.calls)
    result = place(host, content=POLICY)
    assert result["changed"] is False and result["replaced"] is False
    assert agent.calls[calls:] == [["tracingpolicy", "list", "-o", "json"]]


def test_check_mode_reports_and_changes_nothing(agent, host):
    result = place(host, content=POLICY, check=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == "" and result["diff"]["after"] == POLICY
    assert read(host) is None and agent.policies == {}


def test_a_rejected_policy_is_removed_from_the_agent_and_never_written(agent, host):
    result = place(host, content=REJECTED, fails=True)
    assert "Tetragon rejected policy demo" in result["msg"]
    assert "REJECT found" in result["msg"] and "no file was written" in result["msg"]
    assert read(host) is None and agent.policies == {}


def test_an_upgrade_replaces_the_running_version(agent, host):
    place(host, content=POLICY)
    result = place(host, content=POLICY_V2, diff=True)
    assert result["changed"] is True and result["replaced"] is True
    assert read(host) == POLICY_V2 and "sys_renameat2" in agent.entry("demo")["text"]
    assert result["diff"]["before"] == POLICY and result["diff"]["after"] == POLICY_V2


def test_a_rejected_upgrade_puts_the_previous_version_back(agent, host):
    place(host, content=POLICY)
    result = place(host, content=REJECTED, fails=True)
    assert "The previous version runs again" in result["msg"] and "was not changed" in result["msg"]
    assert read(host) == POLICY
    assert agent.entry("demo")["state"] == "TP_STATE_ENABLED" and agent.entry("demo")["text"] == POLICY


def test_a_policy_in_load_error_is_replaced(agent, host):
    agent.policies[("", "demo")] = {"id": "9", "name": "demo", "state": "TP_STATE_LOAD_ERROR", "error": "x"}
    result = place(host, content=POLICY)
    assert result["changed"] is True and result["agent_state"] == "TP_STATE_ENABLED"


def test_only_the_runtime_mode_differs(agent, host):
    place(host, content=POLICY, mode="enforce")
    agent.entry("demo")["mode"] = "TP_MODE_MONITOR"
    result = place(host, content=POLICY, mode="enforce")
    assert result["changed"] is True and result["agent_mode"] == "enforce"
    assert ["tracingpolicy", "set-mode", "--", "demo", "enforce"] in agent.calls
    assert not any(c[:2] == ["tracingpolicy", "delete"] for c in agent.calls)


def test_monitor_only_policies_have_no_mode_to_fix(agent, host):
    place(host, content=POLICY)
    agent.entry("demo")["mode"] = "TP_MODE_MONITOR_ONLY"
    assert place(host, content=POLICY, mode="monitor")["changed"] is False


def test_no_agent_means_nothing_is_written(agent, host):
    agent.up = False
    result = place(host, content=POLICY, fails=True)
    assert "the Tetragon agent did not answer" in result["msg"] and "failed to connect" in result["msg"]
    assert read(host) is None


def test_absent_deletes_and_removes(agent, host):
    place(host, content=POLICY)
    result = place(host, state="absent")
    assert result["changed"] is True and read(host) is None and agent.policies == {}
    assert place(host, state="absent")["changed"] is False


def test_absent_without_an_agent_removes_the_file_with_a_warning(agent, host, monkeypatch):
    place(host, content=POLICY)
    agent.up = False
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    assert place(host, state="absent")["changed"] is True
    assert read(host) is None and "gone from the agent at its next start" in warnings[0]


def test_a_missing_policy_directory_is_explained(agent, host):
    result = place(dict(host, policy_dir=host["policy_dir"] + "/missing"), content=POLICY, fails=True)
    assert "policy directory" in result["msg"] and "does not exist" in result["msg"]
    assert agent.entry("demo") is None


@pytest.mark.parametrize("args, message", [
    ({"src": "p.yaml"}, "read on the controller by the action plugin"),
    ({}, "needs the policy"),
    ({"content": POLICY, "file_name": "../escape.yaml"}, "must be a plain file name"),
    ({"content": {"kind": "TracingPolicy"}}, "must reach the host as YAML text"),
])
def test_bad_input_is_a_clear_error(agent, host, args, message):
    assert message in place(host, fails=True, **args)["msg"]


def test_info_lists_and_checks(agent, host):
    place(host, content=POLICY)
    agent.policies[("", "broken")] = {"id": "7", "name": "broken", "state": "TP_STATE_LOAD_ERROR", "error": "boom"}
    with set_module_args({"tetra_path": host["tetra_path"], "expected": ["demo", "broken", "absent"]}):
        result = run_module(tracing_policy_info.main)
    assert result["server_version"] == "v1.7.0" and result["changed"] is False
    assert sorted(p["name"] for p in result["policies"]) == ["broken", "demo"]
    assert result["problems"] == [{"name": "broken", "problem": "state TP_STATE_LOAD_ERROR: boom"},
                                  {"name": "absent", "problem": "the agent does not list it"}]


def test_info_without_an_agent_fails_clearly(agent, host):
    agent.up = False
    with set_module_args({"tetra_path": host["tetra_path"]}):
        result = run_module(tracing_policy_info.main, fails=True)
    assert "did not answer" in result["msg"]


def test_a_placed_file_the_agent_now_rejects_is_called_out(agent, host):
    with open(os.path.join(host["policy_dir"], "demo.yaml"), "w") as handle:
        handle.write(REJECTED)
    result = place(host, content=REJECTED, fails=True)
    assert "holds this very policy, which the agent will refuse at its next start" in result["msg"]
    assert read(host) == REJECTED and agent.policies == {}


@pytest.mark.parametrize("name", ["../../../victim/evil", "demo/../../x", "-rf", "Demo", "a\x00b", "a" * 254])
@pytest.mark.parametrize("state", ["present", "absent"])
def test_a_name_that_is_not_dns_1123_touches_nothing(agent, host, tmp_path, name, state):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "evil.yaml").write_text("kept")
    args = {"content": POLICY} if state == "present" else {}
    result = place(host, fails=True, name=name, state=state, **args)
    assert "policy name" in result["msg"] and ("DNS-1123" in result["msg"] or "over the limit" in result["msg"])
    assert (victim / "evil.yaml").read_text() == "kept" and agent.calls == []
    assert os.listdir(host["policy_dir"]) == []


def test_a_namespace_that_is_not_a_dns_label_is_refused(agent, host):
    result = place(host, fails=True, state="absent", namespace="../etc")
    assert "namespace '../etc' is not a DNS-1123 label" in result["msg"]


def test_a_file_name_through_a_symlink_out_of_the_directory_is_refused(agent, host, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("kept")
    os.symlink(str(outside), os.path.join(host["policy_dir"], "demo.yaml"))
    result = place(host, fails=True, state="absent")
    assert "outside the policy directory" in result["msg"] and outside.read_text() == "kept"


def test_the_policy_file_mode_does_not_depend_on_the_umask(agent, host):
    old = os.umask(0)
    try:
        place(host, content=POLICY)
    finally:
        os.umask(old)
    assert os.stat(os.path.join(host["policy_dir"], "demo.yaml")).st_mode & 0o777 == 0o644
    assert [n for n in os.listdir(os.path.dirname(host["policy_dir"])) if n.startswith(".ebpfops-")] == []


def test_positional_arguments_follow_a_double_dash(agent, host):
    place(host, content=POLICY)
    add = [c for c in agent.calls if c[:2] == ["tracingpolicy", "add"]][0]
    assert add[2] == "--" and add[3].endswith(".yaml")


def test_replacing_a_running_policy_with_no_file_is_refused_before_anything_is_touched(agent, host):
    place(host, content=POLICY)
    os.unlink(os.path.join(host["policy_dir"], "demo.yaml"))
    calls = len(agent.calls)
    result = place(host, content=REJECTED, fails=True)
    assert "has no file" in result["msg"] and "nothing was changed" in result["msg"]
    assert agent.calls[calls:] == [["tracingpolicy", "list", "-o", "json"]]
    assert agent.entry("demo")["text"] == POLICY and read(host) is None


def test_an_agent_that_stops_answering_after_the_delete_gets_the_previous_version_back(agent, host, monkeypatch):
    place(host, content=POLICY)
    real_run = agent.run
    state = {"adds": 0}

    def flaky(argv, **kwargs):
        if "add" in argv:
            state["adds"] += 1
            if state["adds"] <= 2:  # the new version, then the first restore attempt
                return 1, "", "Error: connection reset\n"
        return real_run(argv, **kwargs)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: flaky(argv, **kw))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    result = place(host, content=POLICY_V2, fails=True)
    assert "connection reset" in result["msg"] and "The previous version runs again" in result["msg"]
    assert agent.entry("demo")["text"] == POLICY and read(host) == POLICY


def test_a_restore_that_keeps_failing_says_the_file_is_kept(agent, host, monkeypatch):
    place(host, content=POLICY)
    real_run = agent.run
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: (
        (1, "", "Error: connection refused\n") if "add" in argv else real_run(argv, **kw)))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    result = place(host, content=POLICY_V2, fails=True)
    assert "failed 3 times too" in result["msg"] and "loads the previous version at its next start" in result["msg"]
    assert read(host) == POLICY


# --- resolve: the policy's hooks on the host's kernel (a synthetic one), before the agent is asked anything
TYPO = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: demo
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enters
"""
TYPO_DOC = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "demo"},
            "spec": {"tracepoints": [{"subsystem": "raw_syscalls", "event": "sys_enters"}]}}
GOOD_DOC = {"kind": "TracingPolicy", "metadata": {"name": "demo"},
            "spec": {"kprobes": [{"call": "sys_unlinkat", "syscall": True, "args": [{"index": 1, "type": "string"}]}]}}


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    btf = write(tmp_path / "vmlinux", btf_blob({"__x64_sys_unlinkat": 3}))
    tracefs = tracefs_tree(str(tmp_path / "tracing"), {"raw_syscalls/sys_enter": ["long id", "unsigned long args[6]"]})
    view = KernelView(btf=btf, tracefs=tracefs, machine="x86_64", source="files")
    monkeypatch.setattr(tracing_policy.KernelView, "host", classmethod(lambda cls, cache_dir=None: view))
    return view


@pytest.mark.parametrize("check", [False, True])
def test_a_policy_that_does_not_resolve_is_refused_touching_nothing(agent, host, kernel, check):
    failure = place(host, content=TYPO, document=TYPO_DOC, resolve=True, check=check, fails=True)
    assert "policy demo does not resolve on host" in failure["msg"]
    assert "error R3 at spec.tracepoints[0].event: tracepoint raw_syscalls/sys_enters does not exist" in failure["msg"]
    assert "Did you mean sys_enter?" in failure["msg"] and "resolve: false" in failure["msg"]
    assert failure["changed"] is False and [f["rule"] for f in failure["resolve_findings"]] == ["R3"]
    assert agent.calls == [] and read(host) is None


def test_a_policy_that_resolves_is_placed_with_its_findings(agent, host, kernel):
    result = place(host, content=POLICY, document=GOOD_DOC, resolve=True)
    assert result["changed"] is True and read(host) == POLICY
    assert isinstance(result["resolve_findings"], list)
    assert not [f for f in result["resolve_findings"] if f["severity"] == "error"]
    assert agent.entry("demo")["text"] == POLICY


def test_resolve_false_lets_the_agent_judge(agent, host, kernel):
    result = place(host, content=TYPO, document=TYPO_DOC, resolve=False)
    assert result["changed"] is True and "resolve_findings" not in result
    assert agent.entry("demo")["text"] == TYPO


def test_resolve_without_the_document_is_explained(agent, host, kernel):
    failure = place(host, content=POLICY, resolve=True, fails=True)
    assert "resolve needs the policy as data" in failure["msg"] and agent.calls == []


def test_removing_a_policy_does_not_resolve(agent, host, kernel, monkeypatch):
    place(host, content=POLICY)
    monkeypatch.setattr(tracing_policy, "resolve", lambda *a: pytest.fail("resolved on state=absent"))
    result = place(host, state="absent", resolve=True)
    assert result["changed"] is True and read(host) is None
