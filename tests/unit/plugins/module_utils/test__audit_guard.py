# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit report shows the guard's decisions per host (role ebpfops.tetragon.guard)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import build_report

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
    assert decision["policy"] == "file-delete" and decision["measured_percent"] == 3.8 and "samples" not in decision
    assert hosts["b"]["guard"] is None
    assert hosts["c"]["guard"] == {"error": "the guard's status.json is not JSON"}
    assert build_report({"a": STATS})["hosts"][0]["guard"] is None
