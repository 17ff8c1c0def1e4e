# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure arithmetic and attribution for BPF program run-time statistics.

Tetragon pins its programs at <root>/<policyDir>/<sensor>/<pin>/prog and `tetra debug progs`
computes overhead as delta(run_time_ns) / (interval x CPUs) x 100. Standard library only.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import os

BASE_POLICY = "__base__"


def attribute(pin_path, root):
    """Return (policy, sensor) for a program pinned at pin_path under root, or (None, None).

    Layout: <root>/<policyDir>/<sensor>/<pin>/prog (policyDir `__base__` is the base sensor).
    Shorter paths (<root>/<policyDir>/<sensor>/prog) still attribute the policy and sensor.
    """
    if not pin_path or not root:
        return None, None
    rel = os.path.relpath(os.path.normpath(pin_path), os.path.normpath(root))
    if rel.startswith(".."):
        return None, None
    parts = rel.split(os.sep)
    if len(parts) < 3:
        return None, None
    return parts[0], parts[1]


def overhead_percent(delta_run_time_ns, interval_s, cpus):
    """Tetragon's formula: delta run time / (interval x CPUs) x 100, as a percentage of all CPU time."""
    if interval_s <= 0 or cpus <= 0:
        raise ValueError("interval and CPU count must be positive (got %r, %r)" % (interval_s, cpus))
    return float(delta_run_time_ns) / (interval_s * 1e9 * cpus) * 100.0


def program_delta(before, after, interval_s, cpus):
    """Combine two samples of one program (dicts with run_cnt and run_time_ns) into a result row."""
    run_cnt = max(0, after["run_cnt"] - before["run_cnt"])
    run_time = max(0, after["run_time_ns"] - before["run_time_ns"])
    row = dict(after)
    row["run_cnt"] = run_cnt
    row["run_time_ns"] = run_time
    row["avg_ns"] = (run_time // run_cnt) if run_cnt else 0
    row["overhead_percent"] = round(overhead_percent(run_time, interval_s, cpus), 6)
    return row


def per_policy(programs, interval_s, cpus):
    """Sum program rows by their `policy` key (rows without a policy are left out)."""
    sums = {}
    for prog in programs:
        name = prog.get("policy")
        if name is None:
            continue
        entry = sums.setdefault(name, {"name": name, "programs": 0, "run_cnt": 0, "run_time_ns": 0})
        entry["programs"] += 1
        entry["run_cnt"] += prog["run_cnt"]
        entry["run_time_ns"] += prog["run_time_ns"]
    result = []
    for name in sorted(sums):
        entry = sums[name]
        entry["overhead_percent"] = round(overhead_percent(entry["run_time_ns"], interval_s, cpus), 6)
        result.append(entry)
    return result


def is_over(overhead, budget_percent):
    """THE budget rule of the collection: over when the overhead is strictly above the budget (None: no
    budget). The module bpf_prog_stats, the rollout gate and the audit report all decide through it."""
    return budget_percent is not None and overhead > budget_percent


def check_budget(budget_percent):
    """None, or the budget as a finite float >= 0; ValueError otherwise (NaN would turn the rule off)."""
    if budget_percent is None:
        return None
    try:
        value = float(budget_percent)
    except (TypeError, ValueError):
        raise ValueError("the budget %r is not a number of percent" % (budget_percent,))
    if not math.isfinite(value) or value < 0:
        raise ValueError("the budget must be a finite number of percent >= 0, got %r" % (budget_percent,))
    return value


def over_budget(policies, budget_percent, only=None):
    """Names of policies whose overhead exceeds budget_percent (restricted to `only` when given)."""
    wanted = set(only) if only else None
    return [p["name"] for p in policies
            if (wanted is None or p["name"] in wanted) and is_over(p["overhead_percent"], budget_percent)]


def verdicts(policies, total_overhead_percent, budget_percent, set_names=None, only=None):
    """Per-policy, per-set and per-host budget verdicts of one measurement:
    {"over_budget": [policy names], "set": {...} or None, "host": {"overhead_percent", "over_budget"}}.
    The set's overhead is the sum over the policies named in `set_names` (the names of their directories
    under Tetragon's bpffs directory); `missing` lists names with no program measured."""
    budget = check_budget(budget_percent)
    result = {"budget_percent": budget, "over_budget": over_budget(policies, budget, only),
              "host": {"overhead_percent": total_overhead_percent,
                       "over_budget": is_over(total_overhead_percent, budget)},
              "set": None}
    if set_names is not None:
        measured = dict((p["name"], p) for p in policies)
        members = [{"name": name, "overhead_percent": measured[name]["overhead_percent"]}
                   for name in set_names if name in measured]
        total = round(sum(m["overhead_percent"] for m in members), 6)
        result["set"] = {"names": list(set_names), "policies": members, "overhead_percent": total,
                         "over_budget": is_over(total, budget),
                         "missing": [name for name in set_names if name not in measured]}
    return result


def budget_message(policies, programs, names, budget_percent, interval_s, cpus):
    """A clear failure message naming the policies and programs over budget with their figures."""
    lines = []
    for policy in policies:
        if policy["name"] not in names:
            continue
        progs = sorted((p for p in programs if p.get("policy") == policy["name"]),
                       key=lambda p: -p["run_time_ns"])
        detail = ", ".join("%s (%s, id %d: %d runs, %d ns, %.4f%%)"
                           % (p.get("pin") or p["name"], p.get("sensor") or "-", p["id"], p["run_cnt"],
                              p["run_time_ns"], p["overhead_percent"]) for p in progs)
        lines.append("policy %s: %.4f%% > %.4f%% budget (%d runs, %d ns); programs: %s"
                     % (policy["name"], policy["overhead_percent"], budget_percent,
                        policy["run_cnt"], policy["run_time_ns"], detail))
    return ("BPF overhead over budget (measured over %.2f s on %d CPUs, formula run_time / "
            "(interval x CPUs) x 100): %s. Tighten or remove these policies (see "
            "ebpfops.tetragon.policy_lint / policy_rewrite) or raise max_overhead_percent."
            % (interval_s, cpus, "; ".join(lines)))
