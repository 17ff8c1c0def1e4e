# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _stats as s

ROOT = "/sys/fs/bpf/tetragon"


@pytest.mark.parametrize("path, expected", [
    (ROOT + "/mypolicy/generic_kprobe/__x64_sys_write/prog", ("mypolicy", "generic_kprobe")),
    (ROOT + "/__base__/event_execve/prog", ("__base__", "event_execve")),
    (ROOT + "/gkp-sensor-1/generic_kprobe/multi_kprobe/prog", ("gkp-sensor-1", "generic_kprobe")),
    (ROOT + "/p/generic_tracepoint/syscalls:sys_enter_unlinkat/prog", ("p", "generic_tracepoint")),
    (ROOT + "/prog", (None, None)),
    ("/sys/fs/bpf/other/a/b/prog", (None, None)),
    (None, (None, None)),
])
def test_attribute(path, expected):
    assert s.attribute(path, ROOT) == expected


def test_overhead_formula():
    # 20 ms of BPF time over 2 s on 4 CPUs = 0.25 % of all CPU time
    assert s.overhead_percent(20 * 10 ** 6, 2.0, 4) == pytest.approx(0.25)
    assert s.overhead_percent(0, 1.0, 1) == 0.0
    with pytest.raises(ValueError):
        s.overhead_percent(1, 0, 4)
    with pytest.raises(ValueError):
        s.overhead_percent(1, 1.0, 0)


def test_program_delta():
    before = {"id": 1, "name": "p", "run_cnt": 100, "run_time_ns": 5000}
    after = {"id": 1, "name": "p", "run_cnt": 1100, "run_time_ns": 1005000}
    row = s.program_delta(before, after, 1.0, 2)
    assert row["run_cnt"] == 1000
    assert row["run_time_ns"] == 10 ** 6
    assert row["avg_ns"] == 1000
    assert row["overhead_percent"] == pytest.approx(0.05)
    idle = s.program_delta(after, after, 1.0, 2)
    assert idle["avg_ns"] == 0 and idle["overhead_percent"] == 0


def test_per_policy_sums_and_budget():
    progs = [
        {"id": 1, "name": "a", "policy": "hot", "sensor": "generic_kprobe", "pin": ROOT + "/hot/x/a/prog",
         "run_cnt": 10, "run_time_ns": 3 * 10 ** 7, "overhead_percent": 1.5},
        {"id": 2, "name": "b", "policy": "hot", "sensor": "generic_kprobe", "pin": ROOT + "/hot/x/b/prog",
         "run_cnt": 5, "run_time_ns": 10 ** 7, "overhead_percent": 0.5},
        {"id": 3, "name": "c", "policy": "cold", "sensor": "generic_tracepoint", "pin": None,
         "run_cnt": 1, "run_time_ns": 10 ** 5, "overhead_percent": 0.005},
        {"id": 4, "name": "d", "policy": None, "sensor": None, "pin": None, "run_cnt": 9, "run_time_ns": 9},
    ]
    policies = s.per_policy(progs, 1.0, 2)
    assert [p["name"] for p in policies] == ["cold", "hot"]
    hot = policies[1]
    assert (hot["programs"], hot["run_cnt"], hot["run_time_ns"]) == (2, 15, 4 * 10 ** 7)
    assert hot["overhead_percent"] == pytest.approx(2.0)
    assert s.over_budget(policies, None) == []
    assert s.over_budget(policies, 1.0) == ["hot"]
    assert s.over_budget(policies, 0.001) == ["cold", "hot"]
    assert s.over_budget(policies, 0.001, only=["cold"]) == ["cold"]
    msg = s.budget_message(policies, progs, ["hot"], 1.0, 1.0, 2)
    assert "policy hot: 2.0000% > 1.0000% budget" in msg
    assert msg.index("/hot/x/a/prog") < msg.index("/hot/x/b/prog")
    assert "cold" not in msg


def test_one_rule_gives_the_policy_set_and_host_verdicts():
    policies = [{"name": "a", "overhead_percent": 0.03}, {"name": "ns:b", "overhead_percent": 0.03},
                {"name": "other", "overhead_percent": 0.5}]
    v = s.verdicts(policies, 0.56, 0.05, set_names=["a", "ns:b", "gone"])
    assert v["over_budget"] == ["other"]
    assert v["set"]["overhead_percent"] == 0.06 and v["set"]["over_budget"] is True
    assert v["set"]["missing"] == ["gone"] and [p["name"] for p in v["set"]["policies"]] == ["a", "ns:b"]
    assert v["host"] == {"overhead_percent": 0.56, "over_budget": True}
    at_the_limit = s.verdicts(policies, 0.05, 0.06, set_names=["a", "ns:b"])
    assert at_the_limit["set"]["over_budget"] is False and at_the_limit["host"]["over_budget"] is False
    assert s.verdicts(policies, 9.0, None, set_names=["a"])["set"]["over_budget"] is False
    assert s.verdicts(policies, 9.0, 1.0)["set"] is None


@pytest.mark.parametrize("budget", [float("nan"), float("inf"), -1, "x"])
def test_a_budget_that_would_turn_the_rule_off_is_refused(budget):
    with pytest.raises(ValueError):
        s.verdicts([], 0.0, budget)
