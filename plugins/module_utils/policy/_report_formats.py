# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Lint report formats for CI systems: SARIF 2.1.0 (code scanning) and JUnit XML (test reports).
Both take the report that `tetragon-policy lint` builds: {"tetragon_version", "policies", "summary",
"fail_on"}. The loader records a line per YAML path, not a column, so regions carry startLine only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import xml.etree.ElementTree as ET

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import SEVERITY_RANK

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "tetragon-policy"
# galaxy.yml `repository`; rule help lives in docs/policy-rules.md under one heading per rule family.
RULES_DOC = "https://example.invalid/ebpfops/tetragon/blob/main/docs/policy-rules.md"
SRCROOT = "%SRCROOT%"

# Rule id prefix -> anchor of its section in docs/policy-rules.md (GitHub's heading slugs).
_SECTIONS = (
    ("SEL", "selectors-_policy_selectorspy-limits-from-pkgselectorskernelgo"),
    ("OV", "overhead-_policy_overheadpy"),
    ("KV", "kernel-feature-gates-_policy_kernelpy-with-kernel_version"),
    ("LI", "actions-enforcers-lists-text-options"),
    ("Y", "file-and-yaml-_policy_loadpy"),
    ("S", "structure-and-schema-_policy_schemapy-_policy_rulespy"),
    ("K", "hooks"), ("U", "hooks"), ("T", "hooks"), ("L", "hooks"),
    ("A", "actions-enforcers-lists-text-options"),
    ("M", "actions-enforcers-lists-text-options"),
    ("O", "actions-enforcers-lists-text-options"),
)
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_ID_RE = re.compile(r"^([A-Z]+)\d+$")


def rule_anchor(rule):
    prefix = _ID_RE.match(rule).group(1) if _ID_RE.match(rule) else rule
    for start, anchor in _SECTIONS:
        if prefix == start:
            return anchor
    return "rule-catalogue"


def help_uri(rule):
    return "%s#%s" % (RULES_DOC, rule_anchor(rule))


def _rule_ids(report):
    seen = set(RULES)
    extra = sorted(set(f["rule"] for p in report["policies"] for f in p["findings"]) - seen)
    return list(RULES) + extra


def _descriptor(rule):
    severity, summary = RULES.get(rule, ("error", "rule %s" % rule))
    level = _LEVEL[severity.split("|")[0]]
    return {
        "id": rule,
        "name": rule,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": "%s. See %s" % (summary, help_uri(rule))},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": level},
        "properties": {"severities": severity.split("|")},
    }


def _uri(path, cwd):
    """(uri, uriBaseId or None) of a policy file: relative to the working directory when inside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, cwd)
    if not relative.startswith(os.pardir):
        return _quote(relative.replace(os.sep, "/")), SRCROOT
    return "file://" + _quote(absolute.replace(os.sep, "/")), None


def _quote(text):
    safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"
    out = []
    for char in text:
        if char in safe:
            out.append(char)
        else:
            out.extend("%%%02X" % byte for byte in bytearray(char.encode("utf-8")))
    return "".join(out)


def _where(policy):
    return policy["file"] + ("#%d" % (policy["document_index"] + 1) if policy["document_index"] else "")


def _result(policy, item, index, cwd):
    text = item["message"]
    if item["path"]:
        text = "%s: %s" % (item["path"], text)
    if item.get("hint"):
        text = "%s (hint: %s)" % (text, item["hint"])
    result = {
        "ruleId": item["rule"],
        "ruleIndex": index[item["rule"]],
        "level": _LEVEL[item["severity"]],
        "message": {"text": text},
        "properties": {"yamlPath": item["path"], "documentIndex": policy["document_index"],
                       "fixable": item["fixable"]},
    }
    if policy["file"] != "<stdin>":
        uri, base = _uri(policy["file"], cwd)
        location = {"artifactLocation": {"uri": uri}}
        if base:
            location["artifactLocation"]["uriBaseId"] = base
        if item.get("line"):
            location["region"] = {"startLine": item["line"]}
            if item.get("column"):
                location["region"]["startColumn"] = item["column"]
        result["locations"] = [{"physicalLocation": location}]
    return result


def sarif(report, cwd=None):
    """The lint report as a SARIF 2.1.0 log (a dict)."""
    cwd = os.path.abspath(cwd or os.getcwd())
    ids = _rule_ids(report)
    index = dict((rule, i) for i, rule in enumerate(ids))
    results = [_result(policy, item, index, cwd) for policy in report["policies"] for item in policy["findings"]]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "informationUri": RULES_DOC,
                "rules": [_descriptor(rule) for rule in ids],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": "file://" + _quote(cwd.rstrip("/") + "/")}},
            "results": results,
            "properties": {"tetragonVersion": report["tetragon_version"], "summary": report["summary"]},
        }],
    }


def lint_sarif(report, out):
    json.dump(sarif(report), out, indent=2, sort_keys=True)
    out.write("\n")


_XML_BAD = re.compile(u"[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text):
    """Characters XML 1.0 cannot hold (control characters quoted from a bad file) as \\xNN."""
    return _XML_BAD.sub(lambda m: "\\x%02x" % ord(m.group(0)), text)


def junit(report, fail_on="error"):
    """The lint report as a JUnit XML tree: one testsuite, one testcase per policy file; findings at or
    above fail_on are failures, the others go to system-out."""
    threshold = SEVERITY_RANK.get(fail_on, len(SEVERITY_RANK))
    files = []
    by_file = {}
    for policy in report["policies"]:
        if policy["file"] not in by_file:
            by_file[policy["file"]] = []
            files.append(policy["file"])
        by_file[policy["file"]].append(policy)
    suite = ET.Element("testsuite", name="tetragon-policy lint", tests=str(len(files)))
    failures = 0
    for name in files:
        case = ET.SubElement(suite, "testcase", classname="tetragon-policy.lint", name=_xml_text(name))
        failing, other = [], []
        for policy in by_file[name]:
            for item in policy["findings"]:
                line = _xml_text("%s%s: %s %s %s: %s" % (_where(policy), ":%d" % item["line"] if item.get("line") else "",
                                               item["severity"], item["rule"], item["path"] or "(file)",
                                               item["message"]))
                (failing if SEVERITY_RANK[item["severity"]] >= threshold else other).append((item, line))
        if failing:
            failures += 1
            first = failing[0][0]
            failure = ET.SubElement(case, "failure", type=first["rule"],
                                    message=_xml_text("%d finding(s) at or above %s: %s %s" % (
                                        len(failing), fail_on, first["rule"], first["message"])))
            failure.text = "\n".join(line for _item, line in failing) + "\n"
        if other:
            ET.SubElement(case, "system-out").text = "\n".join(line for _item, line in other) + "\n"
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    root = ET.Element("testsuites", name="tetragon-policy", tests=str(len(files)), failures=str(failures))
    root.append(suite)
    return root


def lint_junit(report, out):
    root = junit(report, report.get("fail_on", "error"))
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


LINT_FORMATS = {"sarif": lint_sarif, "junit": lint_junit}
