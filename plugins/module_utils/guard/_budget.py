# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The guard's budget decisions, pure: its configuration, which policies have been over their budget
(per policy, and the host's policies together) for enough consecutive samples, and the JSON record
of each decision. Percentages are shares of the host's whole CPU time, Tetragon's formula
(delta run_time / (interval x CPUs) x 100, as bpf_prog_stats reports them).
Standard library only, Python 3.6 compatible: it runs on the managed host inside ebpfops-guard.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import BASE_POLICY

FORMAT = "ebpfops.tetragon.guard/1"
ACTIONS = ("log", "disable", "remove")
# Tetragon's policy directory name: <name> or <namespace>:<name> (metadata names are DNS subdomains).
_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?:)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")

DEFAULTS = {
    "interval": 10.0,
    "sample_seconds": 1.0,
    "samples": 3,
    "policy_budget_percent": 1.0,
    "host_budget_percent": None,
    "policy_budgets": {},
    "action": "disable",
    "exempt": [],
    "policy_dir": "/etc/tetragon/tetragon.tp.d",
    "state_dir": "/var/lib/ebpfops-guard",
    "bpffs": "/sys/fs/bpf",
    "bpf_dir": "tetragon",
    "tetra_path": "/usr/local/bin/tetra",
    "server_address": "",
    "tetra_timeout": 10,
    "keep_decisions": 1000,
}


class ConfigError(ValueError):
    """The guard's configuration is unusable; the message names the key and the limit."""


def _percent(value, key, allow_none):
    if value is None or value == "":
        if allow_none:
            return None
        raise ConfigError("%s is required: a share of the host's CPU time in percent, such as 1.0" % key)
    if isinstance(value, bool):
        raise ConfigError("%s is %r: expected a number of percent" % (key, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError("%s is %r: expected a number of percent" % (key, value))
    if not 0 < number <= 100:
        raise ConfigError("%s is %r: it must be above 0 and at most 100 (percent of all CPU time)" % (key, value))
    return number


def _number(value, key, low, high, integer=False):
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise ConfigError("%s is %r: expected a number" % (key, value))
    if isinstance(value, bool) or (integer and number != value) or not low <= number <= high:
        raise ConfigError("%s is %r: it must be a%s number from %s to %s"
                          % (key, value, "n integer" if integer else "", low, high))
    return number


def check_key(key, where="policy"):
    """A policy directory name (<name> or <namespace>:<name>) or ConfigError: it becomes a file name."""
    if not isinstance(key, str) or not _KEY.match(key) or len(key) > 253 + 64:
        raise ConfigError("%s %r is not a Tetragon policy name (a DNS subdomain, optionally <namespace>:<name>)"
                          % (where, key))
    return key


def load_config(data):
    """Validate a configuration mapping (the role's config.json); return it complete with defaults."""
    if not isinstance(data, dict):
        raise ConfigError("the configuration is a %s, not a mapping" % type(data).__name__)
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise ConfigError("unknown configuration keys: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    config = dict(DEFAULTS)
    config.update(data)
    config["interval"] = _number(config["interval"], "interval", 0.5, 3600)
    config["sample_seconds"] = _number(config["sample_seconds"], "sample_seconds", 0.05, 60)
    if config["sample_seconds"] > config["interval"] / 2:
        raise ConfigError("sample_seconds is %s: it must be at most half of interval (%s), so that stats are "
                          "off most of the time" % (config["sample_seconds"], config["interval"]))
    config["samples"] = _number(config["samples"], "samples", 1, 100, integer=True)
    config["policy_budget_percent"] = _percent(config["policy_budget_percent"], "policy_budget_percent", True)
    config["host_budget_percent"] = _percent(config["host_budget_percent"], "host_budget_percent", True)
    if not isinstance(config["policy_budgets"], dict):
        raise ConfigError("policy_budgets must be a mapping of policy name to percent")
    config["policy_budgets"] = dict(
        (check_key(name, "policy_budgets key"), _percent(value, "policy_budgets[%s]" % name, False))
        for name, value in config["policy_budgets"].items())
    if config["policy_budget_percent"] is None and config["host_budget_percent"] is None \
            and not config["policy_budgets"]:
        raise ConfigError("no budget: set policy_budget_percent, host_budget_percent or policy_budgets")
    if config["action"] not in ACTIONS:
        raise ConfigError("action is %r: use one of %s" % (config["action"], ", ".join(ACTIONS)))
    if not isinstance(config["exempt"], list):
        raise ConfigError("exempt must be a list of policy names")
    config["exempt"] = [check_key(name, "exempt entry") for name in config["exempt"]]
    for key in ("policy_dir", "state_dir", "bpffs", "tetra_path"):
        if not isinstance(config[key], str) or not config[key].startswith("/"):
            raise ConfigError("%s is %r: it must be an absolute path" % (key, config[key]))
    if not isinstance(config["bpf_dir"], str) or not config["bpf_dir"] or "/" in config["bpf_dir"].strip("/"):
        raise ConfigError("bpf_dir is %r: the agent's --bpf-dir, a directory name in bpffs" % config["bpf_dir"])
    config["tetra_timeout"] = _number(config["tetra_timeout"], "tetra_timeout", 1, 600, integer=True)
    config["keep_decisions"] = _number(config["keep_decisions"], "keep_decisions", 10, 100000, integer=True)
    return config


def budget_of(config, policy):
    return config["policy_budgets"].get(policy, config["policy_budget_percent"])


def iso(epoch):
    return datetime.datetime.utcfromtimestamp(epoch).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Tracker(object):
    """Consecutive over-budget samples per policy and for the host; yields decisions to act on.

    A policy is decided on once per episode: after a decision it is not decided on again until it has
    been within budget (or gone from the pins, as a disabled or removed policy is) for one sample.
    The base sensor (the agent itself) and exempt policies are never decided on; the host budget counts
    every policy except the base sensor and, when exceeded, decides on the costliest policy it may act on.
    """

    def __init__(self, config):
        self.config = config
        self.runs = {}
        self.host_run = []
        self.decided = set()

    def observe(self, policies, start, elapsed):
        """One sample (the policy rows of _stats.per_policy, window start time and length) -> decisions."""
        config = self.config
        need = config["samples"]
        rows = dict((p["name"], p) for p in policies if p["name"] != BASE_POLICY)
        for gone in set(self.runs) - set(rows):
            del self.runs[gone]
        self.decided &= set(rows)
        decisions = []
        for name in sorted(rows):
            percent = rows[name]["overhead_percent"]
            budget = budget_of(config, name)
            if budget is None or percent <= budget:
                self.runs.pop(name, None)
                self.decided.discard(name)
                continue
            run = self.runs.setdefault(name, [])
            run.append({"start": start, "seconds": round(elapsed, 3), "percent": percent})
            del run[:-need]
            if len(run) >= need and name not in self.decided and name not in config["exempt"]:
                decisions.append(self._decision(name, "policy", budget, run, rows))
        host_budget = config["host_budget_percent"]
        total = round(sum(r["overhead_percent"] for r in rows.values()), 6)
        if host_budget is None or total <= host_budget:
            self.host_run = []
        else:
            self.host_run.append({"start": start, "seconds": round(elapsed, 3), "percent": total})
            del self.host_run[:-need]
            chosen = set(d["policy"] for d in decisions)
            candidates = sorted((r for n, r in rows.items() if n not in config["exempt"] and n not in chosen
                                 and n not in self.decided), key=lambda r: (-r["overhead_percent"], r["name"]))
            if len(self.host_run) >= need and candidates:
                decisions.append(self._decision(candidates[0]["name"], "host", host_budget, self.host_run, rows))
                self.host_run = []
        for decision in decisions:
            self.decided.add(decision["policy"])
        return decisions

    def _decision(self, name, kind, budget, run, rows):
        config = self.config
        last = run[-1]
        return {
            "format": FORMAT,
            "policy": name,
            "budget_kind": kind,
            "budget_percent": budget,
            "measured_percent": last["percent"],
            "policy_percent": rows[name]["overhead_percent"],
            "run_cnt": rows[name]["run_cnt"],
            "run_time_ns": rows[name]["run_time_ns"],
            "samples": [dict(s) for s in run],
            "over_since": run[0]["start"],
            "over_since_iso": iso(run[0]["start"]),
            "interval": config["interval"],
            "sample_seconds": config["sample_seconds"],
            "action": config["action"],
        }


def finish(decision, now, result, **fields):
    """Complete a decision record with its time and outcome (result: done, skipped or failed)."""
    record = dict(decision)
    record.update(fields)
    record["time"] = round(now, 3)
    record["time_iso"] = iso(now)
    record["result"] = result
    return record


def journal_line(record):
    """One journal line with the policy name and the figures."""
    if record.get("action") == "release":
        return "policy %s released from quarantine (%s): %s" % (
            record["policy"], record["result"], record.get("detail") or "")
    runs = ", ".join("%.4f%%" % s["percent"] for s in record.get("samples", []))
    what = "its budget" if record.get("budget_kind") == "policy" else "the host budget (all policies together)"
    return ("policy %s over %s: %.4f%% > %.4f%% of host CPU in %d consecutive samples (%s) since %s; action %s: %s%s"
            % (record["policy"], what, record["measured_percent"], record["budget_percent"],
               len(record.get("samples", [])), runs, record.get("over_since_iso", "?"), record["action"],
               record["result"], (" (%s)" % record["detail"]) if record.get("detail") else ""))
