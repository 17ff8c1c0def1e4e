# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests of the host modules' argument handling: names and paths of tracing_policy, numbers of
bpf_prog_stats and hook_probe, the hook planner on any policy shape. Each input ends in exit_json or a
clear fail_json (never a traceback), and nothing is written outside the policy directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
from hypothesis import given, strategies as st

from ansible.module_utils import basic
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import attach_plan
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import check_budget
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._names import confined_path, name_problem
from ansible_collections.ebpfops.tetragon.plugins.modules import bpf_prog_stats, hook_probe, tracing_policy
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz.strategies import generated
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.fake_tetra import FakeAgent
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import module_outcome

HOSTILE_NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["../../../victim/evil", "-rf", "--help", "a\x00b", "..", ".", "/etc/passwd", "demo/../x",
                     "Demo", "a" * 300, "ns.demo", " demo", "demo\n"]),
)
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 6, 10 ** 6),
                    st.sampled_from(["nan", "inf", "-1", "1e309", "x", ""]))
HOOK_KEYS = ["kprobes", "tracepoints", "lsmhooks", "uprobes", "usdts", "fentries", "lists", "call", "syscall",
             "return", "subsystem", "event", "hook", "values", "name", "type", "args", "selectors", "path"]
SHAPES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
              st.sampled_from(["sys_write", "list:l", "raw_syscalls", "sys_exit", "file_open", "syscalls"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(HOOK_KEYS), inner, max_size=5)),
    max_leaves=20)

POLICY = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: demo\nspec: {}\n"


def _tree(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        out.update(os.path.join(dirpath, name) for name in dirnames + filenames)
    return out


@given(name=HOSTILE_NAMES, namespace=st.one_of(st.none(), HOSTILE_NAMES), state=st.sampled_from(["present", "absent"]))
def test_tracing_policy_names_never_leave_the_policy_directory(tmp_path_factory, name, namespace, state):
    generated("tracing_policy names")
    base = tmp_path_factory.mktemp("host")
    policy_dir = base / "tp.d"
    policy_dir.mkdir()
    tetra = base / "tetra"
    tetra.write_text("")
    (base / "victim").mkdir()
    (base / "victim" / "evil.yaml").write_text("keep\n")
    before = _tree(str(base)) - _tree(str(policy_dir))
    agent = FakeAgent()
    args = {"tetra_path": str(tetra), "policy_dir": str(policy_dir), "name": name, "state": state,
            "content": POLICY}
    if namespace is not None:
        args["namespace"] = namespace
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: agent.run(argv, **kw))
        failed, result = module_outcome(tracing_policy.main, args)
    after = _tree(str(base)) - _tree(str(policy_dir))
    assert after == before and (base / "victim" / "evil.yaml").read_text() == "keep\n"
    if failed:
        assert result["msg"] and "Traceback" not in result["msg"]
    if name_problem(name):
        assert failed and not any(os.scandir(str(policy_dir)))


@given(directory=st.sampled_from(["/tmp/tp.d", "/etc/tetragon/tetragon.tp.d"]), name=HOSTILE_NAMES)
def test_confined_path_is_inside_or_refused(directory, name):
    generated("confined path")
    try:
        path = confined_path(directory, name)
    except ValueError as exc:
        assert str(exc)
        return
    assert os.path.dirname(os.path.realpath(path)) == os.path.realpath(directory)


@given(budget=NUMBERS)
def test_a_budget_is_a_finite_number_or_refused(budget):
    generated("budget")
    try:
        value = check_budget(budget)
    except ValueError as exc:
        assert "budget" in str(exc)
        return
    assert value == value and value >= 0 and value != float("inf")


@given(interval=NUMBERS, budget=NUMBERS)
def test_bpf_prog_stats_refuses_bad_numbers_before_measuring(interval, budget):
    generated("bpf_prog_stats numbers")
    measured = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bpf_prog_stats, "measure", lambda *a, **k: measured.append(a) or (_ for _ in ()).throw(
            bpf_prog_stats.StatsError("not measured in this test")))
        failed, result = module_outcome(bpf_prog_stats.main, {"scope": "all", "interval": interval,
                                                    "max_overhead_percent": budget})
    assert failed and result["msg"]
    try:
        good_interval = 0 < float(interval) <= 3600
    except ValueError:
        good_interval = False
    try:
        check_budget(budget)
        good_budget = True
    except ValueError:
        good_budget = False
    if not (good_interval and good_budget):
        assert not measured


@given(interval=NUMBERS, content=SHAPES)
def test_hook_probe_input_is_a_clear_error(interval, content):
    generated("hook_probe input")
    args = {"interval": interval, "content": content if isinstance(content, dict) else {"spec": content}}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hook_probe, "measure", lambda *a, **k: (_ for _ in ()).throw(AssertionError("measured")))
        try:
            failed, result = module_outcome(hook_probe.main, args)
        except AssertionError as exc:
            assert str(exc) == "measured"
            return
    assert failed and result["msg"] and "Traceback" not in result["msg"]


@given(document=SHAPES, kprobes=st.booleans())
def test_the_hook_planner_takes_any_shape(document, kprobes):
    generated("hook planner")
    try:
        plan = attach_plan(document, kprobes, None if kprobes else "no CONFIG_KPROBES")
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(plan, list)
