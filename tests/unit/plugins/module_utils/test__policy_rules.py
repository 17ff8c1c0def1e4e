# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every rule of the catalogue: one policy that triggers it, one that does not.

Fixtures: tests/unit/fixtures/policies/rules/<RULE>/trigger.{yaml,txt} and clean.yaml. A first line
'# lint: tetragon_version=X kernel_version=Y' sets the lint options. Y5 and Y8 inputs are built here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES

RULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "policies", "rules")
CLEAN = os.path.join(RULES_DIR, "OV5", "clean.yaml")
BUILT = {"Y5": b"\x7fELF\x02\x01\x01\x00binary", "Y8": None}


def _options(path):
    with open(path, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace")
    found = dict(re.findall(r"(\w+)=(\S+)", first)) if first.startswith("# lint:") else {}
    return (lint.target_version(found.get("tetragon_version")), lint.kernel_release(found.get("kernel_version")),
            lint.target_arch(found.get("tetragon_arch")))


def _lint_file(path):
    version, kernel, arch = _options(path)
    return [f for p in lint.lint_loaded(load.load_file(path), version, kernel, arch) for f in p["findings"]]


def _fixture(rule, kind):
    for ext in ("yaml", "txt"):
        path = os.path.join(RULES_DIR, rule, "%s.%s" % (kind, ext))
        if os.path.exists(path):
            return path
    return None


def _fixtures(rule, kind):
    """Every <kind>.yaml and <kind>-<variant>.yaml of a rule (a rule may need one file per variant)."""
    return sorted(glob.glob(os.path.join(RULES_DIR, rule, "%s.*" % kind))
                  + glob.glob(os.path.join(RULES_DIR, rule, "%s-*.yaml" % kind)))


def test_every_rule_has_fixtures_or_a_built_input():
    missing = [r for r in RULES if r not in BUILT and _fixture(r, "trigger") is None]
    assert missing == []
    unknown = [r for r in os.listdir(RULES_DIR) if r not in RULES]
    assert unknown == []


@pytest.mark.parametrize("rule", sorted(r for r in RULES if r not in BUILT))
def test_trigger_policy_reports_the_rule(rule):
    for path in _fixtures(rule, "trigger"):
        findings = _lint_file(path)
        hits = [f for f in findings if f["rule"] == rule]
        assert hits, (path, findings)
        allowed = RULES[rule][0].split("|")
        assert all(f["severity"] in allowed for f in hits)
        for item in hits:
            assert item["message"] and item["hint"]
            assert isinstance(item["fixable"], bool)


@pytest.mark.parametrize("rule", sorted(r for r in RULES if not r.startswith("Y")))
def test_clean_policy_does_not_report_the_rule_and_has_no_error(rule):
    for path in _fixtures(rule, "clean"):
        findings = _lint_file(path)
        assert [f for f in findings if f["rule"] == rule] == [], path
        assert [f for f in findings if f["severity"] == "error"] == [], path


@pytest.mark.parametrize("rule", sorted(r for r in RULES if r.startswith("Y")))
def test_file_rules_do_not_fire_on_a_clean_file(rule):
    assert rule not in [f["rule"] for f in _lint_file(CLEAN)]


def test_binary_input_is_y5():
    findings = lint.lint_text(BUILT["Y5"], "blob.yaml", (1, 7, 0))[0]["findings"]
    assert [f["rule"] for f in findings] == ["Y5"]


def test_missing_file_is_y8():
    findings = lint.lint_path("/nonexistent.yaml", (1, 7, 0))[0]["findings"]
    assert [f["rule"] for f in findings] == ["Y8"]


def test_findings_have_the_documented_shape_and_line_numbers():
    findings = _lint_file(_fixture("S2", "trigger"))
    for item in findings:
        assert set(item) >= {"rule", "severity", "path", "message", "hint", "fixable"}
    by_path = dict((f["path"], f) for f in findings)
    assert by_path["metadata.name"]["line"] == 4
    assert by_path["spec.kprobes[0].fentry"]["message"] == "unknown field 'fentry'"


def test_fixable_findings_are_exactly_the_rewritable_ones():
    k1 = _lint_file(_fixture("K1", "trigger"))
    assert [f["fixable"] for f in k1 if f["rule"] == "K1"] == [True]
    a2 = [f for f in _lint_file(_fixture("A2", "trigger")) if f["rule"] == "A2"]
    assert a2 and all(f["fixable"] for f in a2)
    k2 = [f for f in _lint_file(_fixture("K2", "trigger")) if f["rule"] == "K2"]
    assert not any(f["fixable"] for f in k2)


def test_namespace_on_cluster_kind_and_namespaced_hostselector():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
           "metadata": {"name": "x", "namespace": "default"}, "spec": {}}
    assert "S3" in [f["rule"] for f in lint.lint_document(doc, (1, 7, 0))]
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicyNamespaced",
           "metadata": {"name": "x", "namespace": "default"}, "spec": {"hostSelector": {}}}
    assert [f["path"] for f in lint.lint_document(doc, (1, 7, 0)) if f["rule"] == "S3"] == ["spec.hostSelector"]


def test_inmap_list_needs_syscall64_like_upstream_broken_example():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "lists": [{"name": "l", "type": "syscalls", "values": ["sys_dup"]}],
        "tracepoints": [{"subsystem": "raw_syscalls", "event": "sys_enter", "args": [{"index": 4, "type": "uint64"}],
                         "selectors": [{"matchArgs": [{"index": 0, "operator": "InMap", "values": ["list:l"]}]}]}]}}
    assert any(f["rule"] == "SEL9" and "syscall64" in f["message"] for f in lint.lint_document(doc, (1, 7, 0)))


def test_unexpanded_template_variable_is_named():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "kprobes": [{"call": "tcp_connect", "syscall": False, "args": [{"index": 0, "type": "sock"}],
                     "selectors": [{"matchArgs": [{"index": 0, "operator": "NotDAddr", "values": ["${PODCIDR}"]}]}]}]}}
    (item,) = [f for f in lint.lint_document(doc, (1, 7, 0)) if f["rule"] == "SEL9"]
    assert "template variable" in item["message"]


def test_returnargaction_post_is_accepted_up_to_v17_and_rejected_on_main():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "kprobes": [{"call": "sk_alloc", "syscall": False, "return": True, "returnArg": {"index": 0, "type": "sock"},
                     "returnArgAction": "Post"}]}}
    assert "K3" not in [f["rule"] for f in lint.lint_document(doc, (1, 7, 0))]
    assert "K3" in [f["rule"] for f in lint.lint_document(doc, (1, 8, 0))]


def test_deprecated_fd_actions_warn_from_v14():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "kprobes": [{"call": "fd_install", "syscall": False, "args": [{"index": 0, "type": "int"}],
                     "selectors": [{"matchActions": [{"action": "FollowFD", "argFd": 0, "argName": 1}]}]}]}}
    assert "A2" not in [f["rule"] for f in lint.lint_document(doc, (1, 3, 0))]
    assert [f["severity"] for f in lint.lint_document(doc, (1, 4, 0)) if f["rule"] == "A2"] == ["warning"]


def _kprobe_filter(arg_type, operator, values):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "kprobes": [{"call": "sys_openat", "args": [{"index": 1, "type": arg_type}],
                     "selectors": [{"matchArgs": [{"index": 1, "operator": operator, "values": values}]}]}]}}


def test_operator_and_type_pairs_from_the_selector_parser():
    def sel9(doc):
        return [(f["severity"], f["message"]) for f in lint.lint_document(doc, (1, 7, 0)) if f["rule"] == "SEL9"]
    assert sel9(_kprobe_filter("sockaddr", "DAddr", ["10.0.0.1"]))[0][1].startswith("sockaddr only supports")
    assert sel9(_kprobe_filter("sockaddr", "SAddr", ["10.0.0.1"])) == []
    assert sel9(_kprobe_filter("sockaddr_un", "DPort", ["53"]))[0][1].startswith("sockaddr_un only supports")
    assert sel9(_kprobe_filter("int", "SubString", ["x"]))[0][0] == "warning"
    assert sel9(_kprobe_filter("string", "SubString", ["x"])) == []
    assert sel9(_kprobe_filter("string", "FileType", ["reg"]))[0][0] == "error"
    long_substring = lint.lint_document(_kprobe_filter("string", "SubString", ["x" * 100]), (1, 7, 0))
    assert [f["rule"] for f in long_substring] == ["SEL8"]


@pytest.mark.parametrize("kernel, limit", [((4, 19, 0), 144), ((5, 10, 0), 510), ((5, 11, 0), 4096)])
def test_string_equal_length_limit_follows_the_kernel(kernel, limit):
    def kv2(size):
        doc = _kprobe_filter("string", "Equal", ["/" + "a" * (size - 1)])
        return [f for f in lint.lint_document(doc, (1, 7, 0), kernel) if f["rule"] == "KV2"]
    assert kv2(limit) == []
    assert len(kv2(limit + 1)) == 1


def test_function_list_with_syscall_true_reads_arguments_wrongly():
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {
        "lists": [{"name": "ksys", "type": "generated_ftrace", "pattern": "^ksys_"}],
        "kprobes": [{"call": "list:ksys", "args": [{"index": 0, "type": "int"}]}]}}
    assert [f["severity"] for f in lint.lint_document(doc, (1, 7, 0)) if f["rule"] == "K1"] == ["warning"]
    doc["spec"]["kprobes"][0]["syscall"] = False
    assert "K1" not in [f["rule"] for f in lint.lint_document(doc, (1, 7, 0))]
