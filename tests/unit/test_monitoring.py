# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Monitoring content shipped under monitoring/: Prometheus rules tested with promtool, the Grafana
dashboard checked for structure and for metric names the rules and the metrics table know."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess

import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._metrics import METRICS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROM = os.path.join(ROOT, "monitoring", "prometheus")
RULES = os.path.join(PROM, "tetragon-rules.yml")
DASHBOARD = os.path.join(ROOT, "monitoring", "grafana", "tetragon-bpf-cost.json")
NODE_METRICS = {"node_cpu_seconds_total"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
            "group_right", "inf", "nan"}


def promtool(*args):
    path = shutil.which("promtool")
    assert path, "promtool is missing: scripts/setup.sh test installs Debian's prometheus package"
    return subprocess.run([path] + list(args), cwd=PROM, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)


def metric_names(expr):
    """Metric and recording-rule names an expression reads (label matchers, strings, grouping and
    ranges removed; function names dropped)."""
    names = set(re.findall(r'__name__=~"([^"]*)"', expr)[0].split("|")) if "__name__" in expr else set()
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    for match in re.finditer(r"(?<![0-9.A-Za-z_:])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", text):
        if not match.group(2) and match.group(1).lower() not in KEYWORDS:
            names.add(match.group(1))
    return names


def rules():
    with open(RULES) as handle:
        return [rule for group in yaml.safe_load(handle)["groups"] for rule in group["rules"]]


def test_promtool_checks_and_unit_tests_the_rules():
    check = promtool("check", "rules", "tetragon-rules.yml")
    assert check.returncode == 0, check.stdout
    result = promtool("test", "rules", "tetragon-rules.test.yml")
    assert result.returncode == 0, result.stdout
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_can_fail(tmp_path):
    """The rule tests are not vacuous: the same tests against rules with a lower threshold fail."""
    with open(RULES) as handle:
        text = handle.read()
    assert "host_policy:tetragon_bpf_cpu_fraction:rate5m > 0.02" in text
    shutil.copy(os.path.join(PROM, "tetragon-rules.test.yml"), str(tmp_path))
    (tmp_path / "tetragon-rules.yml").write_text(text.replace("rate5m > 0.02", "rate5m > 0.001"))
    path = shutil.which("promtool")
    assert path, "promtool is missing: scripts/setup.sh test installs Debian's prometheus package"
    result = subprocess.run([path, "test", "rules", "tetragon-rules.test.yml"], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
    assert result.returncode != 0 and "TetragonPolicyBPFCostHigh" in result.stdout


def test_rules_read_only_known_metrics():
    recorded = set(rule["record"] for rule in rules() if "record" in rule)
    known = set(METRICS) | NODE_METRICS | recorded
    for rule in rules():
        assert metric_names(rule["expr"]) <= known, (rule.get("record") or rule.get("alert"), metric_names(rule["expr"]))
    read = set().union(*(metric_names(rule["expr"]) for rule in rules()))
    assert set(METRICS) <= read  # every metric of the table has a rule


def test_metric_name_extraction():
    assert metric_names('sum by (host) (rate(a_total{x="b_total"}[5m])) / on (host) group_left c:d:e') == \
        {"a_total", "c:d:e"}
    assert metric_names("x > 128 * 1024 / 1e9") == {"x"}


def test_dashboard_structure():
    with open(DASHBOARD) as handle:
        dash = json.load(handle)
    variables = dict((v["name"], v) for v in dash["templating"]["list"])
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    known = set(METRICS) | NODE_METRICS | set(rule["record"] for rule in rules() if "record" in rule)
    ids = [panel["id"] for panel in dash["panels"]]
    assert len(ids) == len(set(ids)) and ids
    exprs = []
    for panel in dash["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"
            exprs.append(target["expr"])
    for expr in exprs:
        assert metric_names(expr) and metric_names(expr) <= known, expr
        for label, value in re.findall(r'\b(instance|host)\s*=~?\s*"([^"]*)"', expr):
            assert value.startswith("$host"), expr  # no hard-coded instance
    assert variables["host"]["definition"] == "label_values(host:node_cpus:count, host)"
    text = json.dumps(dash)
    assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b|localhost|:2112|:9100", text)
    shown = set().union(*(metric_names(e) for e in exprs))
    for name in ("tetragon_tracingpolicy_loaded", "tetragon_tracingpolicy_kernel_memory_bytes",
                 "host_policy:tetragon_bpf_cpu_fraction:rate5m", "host:tetragon_events_lost:rate5m"):
        assert name in shown


def test_monitoring_is_shipped_and_documented():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        ignored = yaml.safe_load(handle)["build_ignore"]
    assert not any(pattern.startswith("monitoring") for pattern in ignored)
    with open(os.path.join(ROOT, "docs", "monitoring.md")) as handle:
        doc = handle.read()
    for name in METRICS:
        assert "`%s`" % name in doc, name
    for rule in rules():
        assert (rule.get("record") or rule.get("alert")) in doc
