# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit report shows the guard's decisions per host (role ebpfops.tetragon.guard)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import build_report, render_html

STATS = {"programs": [], "policies": [], "total_overhead_percent": 0.0, "cpus": 2, "interval": 1.0}
STATUS = {
    "format": "ebpfops.tetragon.guard/1", "updated_iso": "2026-12-03T14:00:00.000000Z",
    "config": {"action": "disable"}, "quarantined": ["file-delete"],
    "decisions": [{"time_iso": "2026-12-03T13:59:58.100000Z", "policy": "file-delete", "action": "disable",
                   "result": "done", "measured_percent": 3.8, "budget_percent": 0.5, "budget_kind": "policy",
                   "detail": "disabled in the agent; files quarantined: file-delete.yaml", "samples": [1, 2, 3]}],
}


def test_guard_status_per_host_from_slurp():
    slurped = {"content": base64.b64encode(json.dumps(STATUS).encode()).decode(), "encoding": "base64"}
    missing = {"failed": False, "msg": "file not found: /var/lib/ebpfops-guard/status.json"}
    report = build_report({"a": STATS, "b": STATS, "c": STATS},
                          guard={"a": slurped, "b": missing, "c": {"content": "bm90IGpzb24="}})
    hosts = dict((h["name"], h) for h in report["hosts"])
    assert hosts["a"]["guard"]["quarantined"] == ["file-delete"] and hosts["a"]["guard"]["action"] == "disable"
    [decision] = hosts["a"]["guard"]["decisions"]
    assert decision["policy"] == "file-delete" and decision["measured_percent"] == 3.8 and decision["samples"] == 3
    assert hosts["b"]["guard"] is None
    assert hosts["c"]["guard"] == {"error": "the guard's status.json is not JSON"}
    assert decision["state"] == "quarantined"
    assert build_report({"a": STATS})["hosts"][0]["guard"] is None


def _decision(policy, action, result="done", when="2026-12-03T13:00:00Z"):
    return {"time_iso": when, "policy": policy, "action": action, "result": result, "measured_percent": 2.5,
            "budget_percent": 1.0, "budget_kind": "policy", "samples": [{"percent": 2.5}] * 3, "detail": "d"}


def test_decision_states_quarantined_released_or_neither():
    status = {"config": {"action": "disable"}, "quarantined": ["b"], "decisions": [
        _decision("a", "disable"), _decision("a", "release"), _decision("b", "remove"),
        _decision("c", "log"), _decision("d", "disable", result="failed"), _decision("e", "disable")]}
    decisions = build_report({"h": STATS}, guard={"h": status})["hosts"][0]["guard"]["decisions"]
    states = [(d["policy"], d["action"], d["state"]) for d in decisions]
    # e: disabled but no longer in the quarantine (its directory was removed by hand): neither
    assert states == [("a", "disable", "released"), ("a", "release", None), ("b", "remove", "quarantined"),
                      ("c", "log", None), ("d", "disable", None), ("e", "disable", None)]


def test_html_shows_each_hosts_decisions_escaped():
    evil = "<script>alert(1)</script>"
    status = {"config": {"action": "disable"}, "quarantined": [evil], "updated_iso": "2026-12-03T14:00:00Z",
              "decisions": [_decision(evil, "disable", when="<b>t</b>"), _decision("ok-1", "log")]}
    page = render_html(build_report({"h<1>": STATS, "plain": STATS}, hosts=["h<1>", "plain", "gone"],
                                    guard={"h<1>": status, "gone": {"content": "bm90IGpzb24="}}))
    section = page[page.index('<section id="guard">'):]
    section = section[:section.index("</section>")]
    assert "<script>" not in page and "<b>t</b>" not in page
    assert ('data-host="h&lt;1&gt;" data-policy="&lt;script&gt;alert(1)&lt;/script&gt;" '
            'data-state="quarantined"') in section
    row = section[section.index('data-state="quarantined"'):]
    row = row[:row.index("</tr>")]
    cells = [c.split(">", 1)[1] for c in row.split("</td>")[:-1]]
    assert cells[1:8] == ["&lt;script&gt;alert(1)&lt;/script&gt;", "2.500%", "1.000% (policy)", "3", "disable", "done",
                          "quarantined"]
    assert cells[0].endswith("&lt;b&gt;t&lt;/b&gt;")
    assert "quarantined: &lt;script&gt;alert(1)&lt;/script&gt;" in section
    # newest first; the host without a guard is not listed; the unreadable status is named
    assert section.index('data-policy="ok-1"') < section.index('data-state="quarantined"')
    assert 'data-host="plain"' not in section
    assert "the guard&#x27;s status.json is not JSON" in section


def test_no_guard_section_without_a_guard():
    assert 'id="guard"' not in render_html(build_report({"a": STATS}))
