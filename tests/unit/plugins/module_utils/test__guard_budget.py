# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard's budget decisions: configuration, consecutive samples, host budget, records."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard._budget import (
    ConfigError, Tracker, finish, journal_line, load_config)


def config(**kwargs):
    base = {"samples": 3, "policy_budget_percent": 1.0, "interval": 2, "sample_seconds": 0.5}
    base.update(kwargs)
    return load_config(base)


def rows(**percents):
    return [{"name": name if name.startswith("__") else name.replace("_", "-"), "overhead_percent": pct, "run_cnt": 10, "run_time_ns": 100, "programs": 1}
            for name, pct in percents.items()]


def test_defaults_fill_in_and_validate():
    cfg = load_config({})
    assert cfg["action"] == "disable" and cfg["samples"] == 3 and cfg["policy_budget_percent"] == 1.0
    assert cfg["host_budget_percent"] is None and cfg["policy_dir"] == "/etc/tetragon/tetragon.tp.d"


@pytest.mark.parametrize("data, words", [
    ({"action": "kill"}, "action is 'kill'"),
    ({"samples": 0}, "samples is 0"),
    ({"samples": 2.5}, "samples is 2.5"),
    ({"interval": 2, "sample_seconds": 1.5}, "at most half of interval"),
    ({"policy_budget_percent": 0}, "above 0 and at most 100"),
    ({"policy_budget_percent": "x"}, "expected a number of percent"),
    ({"policy_budget_percent": None}, "no budget"),
    ({"policy_budgets": {"../etc": 1}}, "is not a Tetragon policy name"),
    ({"exempt": ["Bad_Name"]}, "is not a Tetragon policy name"),
    ({"state_dir": "relative"}, "absolute path"),
    ({"bogus": 1}, "unknown configuration keys: bogus"),
])
def test_bad_configuration_names_key_and_limit(data, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(".", r"\.")):
        load_config(data)


def test_acts_only_after_n_consecutive_over_budget_samples():
    tracker = Tracker(config())
    assert tracker.observe(rows(hot=2.0, cold=0.1), 100.0, 0.5) == []
    assert tracker.observe(rows(hot=3.0, cold=0.1), 102.0, 0.5) == []
    decisions = tracker.observe(rows(hot=4.0, cold=0.1), 104.0, 0.5)
    assert [d["policy"] for d in decisions] == ["hot"]
    decision = decisions[0]
    assert decision["budget_kind"] == "policy" and decision["budget_percent"] == 1.0
    assert decision["measured_percent"] == 4.0 and decision["over_since"] == 100.0
    assert [s["percent"] for s in decision["samples"]] == [2.0, 3.0, 4.0]
    assert decision["action"] == "disable"


def test_a_sample_within_budget_resets_the_count():
    tracker = Tracker(config())
    tracker.observe(rows(hot=2.0), 1, 0.5)
    tracker.observe(rows(hot=2.0), 2, 0.5)
    assert tracker.observe(rows(hot=1.0), 3, 0.5) == []  # exactly at budget is within it
    assert tracker.observe(rows(hot=2.0), 4, 0.5) == []
    assert tracker.observe(rows(hot=2.0), 5, 0.5) == []
    assert [d["over_since"] for d in tracker.observe(rows(hot=2.0), 6, 0.5)] == [4]


def test_decides_once_per_episode_and_again_after_it_returns():
    tracker = Tracker(config(samples=1, action="log"))
    assert len(tracker.observe(rows(hot=2.0), 1, 0.5)) == 1
    assert tracker.observe(rows(hot=2.0), 2, 0.5) == []  # still over: already decided (log action)
    assert tracker.observe(rows(hot=0.5), 3, 0.5) == []
    assert len(tracker.observe(rows(hot=2.0), 4, 0.5)) == 1
    assert tracker.observe([], 5, 0.5) == []  # gone (disabled): forgotten
    assert len(tracker.observe(rows(hot=2.0), 6, 0.5)) == 1


def test_never_the_base_sensor_nor_exempt_policies():
    tracker = Tracker(config(samples=1, exempt=["keep"], host_budget_percent=1.0))
    decisions = tracker.observe(rows(__base__=50.0, keep=9.0), 1, 0.5)
    assert decisions == []


def test_per_policy_budgets_override_the_default():
    tracker = Tracker(config(samples=1, policy_budgets={"noisy": 5.0}))
    assert [d["policy"] for d in tracker.observe(rows(noisy=4.0, other=1.5), 1, 0.5)] == ["other"]
    tracker = Tracker(config(samples=1, policy_budget_percent=None, policy_budgets={"noisy": 5.0}))
    assert [d["policy"] for d in tracker.observe(rows(noisy=6.0, other=50.0), 1, 0.5)] == ["noisy"]


def test_host_budget_takes_the_costliest_policy_then_waits_n_samples_again():
    tracker = Tracker(config(samples=2, policy_budget_percent=None, host_budget_percent=1.0))
    assert tracker.observe(rows(a=0.4, b=0.7, c=0.1), 1, 0.5) == []
    decisions = tracker.observe(rows(a=0.4, b=0.7, c=0.1), 2, 0.5)
    assert [(d["policy"], d["budget_kind"], d["measured_percent"]) for d in decisions] == [("b", "host", 1.2)]
    assert decisions[0]["policy_percent"] == 0.7
    assert tracker.observe(rows(a=0.8, c=0.3), 3, 0.5) == []  # b disabled; a fresh count starts
    assert [d["policy"] for d in tracker.observe(rows(a=0.8, c=0.3), 4, 0.5)] == ["a"]


def test_record_and_journal_line_carry_the_figures():
    tracker = Tracker(config(samples=2))
    tracker.observe(rows(hot=2.5), 1000.0, 0.5)
    decision = tracker.observe(rows(hot=3.25), 1002.0, 0.5)[0]
    record = finish(decision, 1003.0, "done", name="hot", namespace="", detail="disabled in the agent")
    assert record["time"] == 1003.0 and record["result"] == "done" and record["time_iso"].startswith("1970-01-01T00:16:43")
    line = journal_line(record)
    assert line.startswith("policy hot over its budget: 3.2500% > 1.0000% of host CPU in 2 consecutive samples")
    assert "(2.5000%, 3.2500%)" in line and "action disable: done (disabled in the agent)" in line
