# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's own JSON Schema, per Tetragon version."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import jsonschema
import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _schema as schema
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as fields


def policy(spec, kind="TracingPolicy", name="p"):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}


def rules_at(doc, version):
    return [(f["rule"], f["path"]) for f in schema.schema_findings(doc, version)]


@pytest.mark.parametrize("version", [(1, 0, 0), (1, 1, 0), (1, 4, 0), (1, 7, 0), (1, 8, 0)])
def test_schema_is_valid_draft7(version):
    jsonschema.Draft7Validator.check_schema(schema.build_schema(version))


def test_unknown_field_is_an_error_and_enums_are_case_sensitive():
    doc = policy({"kprobes": [{"call": "sys_dup", "bogus": 1,
                               "args": [{"index": 0, "type": "Int"}]}]})
    findings = schema.schema_findings(doc, (1, 7, 0))
    assert [(f["rule"], f["path"]) for f in findings] == [
        ("S2", "spec.kprobes[0].bogus"), ("S2", "spec.kprobes[0].args[0].type")]
    assert "Write 'int'" in findings[1]["hint"]


@pytest.mark.parametrize("spec, newer_than", [
    ({"lsmhooks": [{"hook": "file_open"}]}, (1, 2, 0)),
    ({"usdts": [{"path": "/x", "provider": "p", "name": "n"}]}, (1, 6, 0)),
    ({"kprobes": [{"call": "sys_dup", "args": [{"index": 0, "type": "sint32"}]}]}, (1, 7, 0)),
    ({"kprobes": [{"call": "sys_dup", "ignore": {"callNotFound": True}}]}, (1, 5, 0)),
    ({"kprobes": [{"call": "sys_dup", "selectors": [{"matchArgs": [{"index": 0, "operator": "SubString",
                                                                      "values": ["x"]}]}]}]}, (1, 7, 0)),
    ({"kprobes": [{"call": "sys_dup", "selectors": [{"matchActions": [{"action": "Set"}]}]}]}, (1, 6, 0)),
])
def test_fields_types_operators_actions_newer_than_target_are_s5(spec, newer_than):
    older = (newer_than[0], newer_than[1] - 1, 0)
    assert "S5" in [r for r, _p in rules_at(policy(spec), older)]
    assert "S5" not in [r for r, _p in rules_at(policy(spec), newer_than)]


def test_v10_names_are_valid_on_v10_and_renamed_after():
    doc = policy({"killers": [{"syscalls": ["sys_dup"]}],
                  "uprobes": [{"path": "/bin/bash", "symbol": "readline",
                               "selectors": [{"matchActions": [{"action": "NotifyKiller"},
                                                               {"action": "Post", "stackTrace": True}]}]}]})
    assert rules_at(doc, (1, 0, 0)) == []
    # v1.1-v1.4 also require symbols (the CRD made them optional with offsets in v1.5)
    assert ("S2", "spec.uprobes[0]") in rules_at(doc, (1, 1, 0))
    found = schema.schema_findings(doc, (1, 5, 0))
    assert sorted(f["path"] for f in found) == [
        "spec.killers", "spec.uprobes[0].selectors[0].matchActions[0].action",
        "spec.uprobes[0].selectors[0].matchActions[1].stackTrace", "spec.uprobes[0].symbol"]
    assert all(f["rule"] == "A2" and f["fixable"] for f in found)


def test_removed_actions_on_main():
    doc = policy({"kprobes": [{"call": "fd_install", "syscall": False,
                               "selectors": [{"matchActions": [{"action": "FollowFD"}]}]}]})
    assert rules_at(doc, (1, 7, 0)) == []
    assert rules_at(doc, (1, 8, 0)) == [("A2", "spec.kprobes[0].selectors[0].matchActions[0].action")]


@pytest.mark.parametrize("name", ["Bad_Name", "UPPER", "-leading", "a" * 254, "under_score"])
def test_metadata_name_must_be_a_dns_subdomain(name):
    assert ("S2", "metadata.name") in rules_at(policy({}, name=name), (1, 7, 0))


def test_required_top_level_fields_and_kind():
    assert sorted(r for r, _p in rules_at({"spec": {}}, (1, 7, 0))) == ["S2", "S2", "S2"]
    bad = dict(policy({}), kind="tracingpolicy")
    assert rules_at(bad, (1, 7, 0)) == [("S2", "kind")]


def test_unquoted_numbers_in_string_fields_are_errors_with_a_quote_hint():
    doc = policy({"kprobes": [{"call": "sys_dup", "args": [{"index": 0, "type": "int"}],
                               "selectors": [{"matchArgs": [{"index": 0, "operator": "Equal", "values": [1, "2"]}],
                                              "matchActions": [{"action": "Post", "rateLimit": 5}]}]}],
                  "options": [{"name": "disable-kprobe-multi", "value": True}]})
    found = dict((f["path"], f) for f in schema.schema_findings(doc, (1, 7, 0)))
    assert sorted(found) == ["spec.kprobes[0].selectors[0].matchActions[0].rateLimit",
                             "spec.kprobes[0].selectors[0].matchArgs[0].values[0]", "spec.options[0].value"]
    assert found["spec.options[0].value"]["hint"].startswith('Quote it ("true")')
    message = found["spec.kprobes[0].selectors[0].matchArgs[0].values[0]"]["message"]
    assert message == "1 is a number, the field takes a string"


def test_field_table_versions_are_ordered():
    for struct, entries in fields.STRUCTS.items():
        for name, _kind, since, removed in entries:
            assert since < removed, (struct, name)


def test_main_only_workload_selectors():
    doc = policy({"kprobes": [{"call": "security_file_permission", "syscall": False,
                               "selectors": [{"matchWorkloads": {"podSelector": {"matchLabels": {"app": "web"}}}}]}],
                  "uprobes": []})
    assert rules_at(doc, (1, 8, 0)) == []
    assert rules_at(doc, (1, 7, 0)) == [("S5", "spec.kprobes[0].selectors[0].matchWorkloads")]
    doc["spec"]["kprobes"][0]["selectors"][0]["matchWorkloads"] = [{"podSelector": {}}]
    assert rules_at(doc, (1, 8, 0))[0][0] == "S2"
