# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tetragon-policy lint --format sarif|junit, and the stable exit codes.

The SARIF check is written from the SARIF 2.1.0 specification (OASIS, sections 3.13 sarifLog, 3.14 run,
3.18-3.19 tool/toolComponent, 3.49 reportingDescriptor, 3.27 result, 3.28-3.30 locations, 3.4/3.10
artifactLocation and URIs, 3.30 region), for the parts code scanners read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _cli as cli
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _report_formats as formats
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES as CATALOG

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RULES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "rules")
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
URI_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
LEVELS = ("none", "note", "warning", "error")


def check_sarif(log):
    """Problems of a SARIF log against the 2.1.0 specification; [] when it conforms."""
    problems = []
    if log.get("version") != "2.1.0":  # 3.13.2: version SHALL be "2.1.0"
        problems.append("version is not 2.1.0")
    if not isinstance(log.get("$schema"), str) or not URI_SCHEME_RE.match(log["$schema"]):  # 3.13.3: a URI
        problems.append("$schema is not an absolute URI")
    runs = log.get("runs")
    if not isinstance(runs, list):  # 3.13.4: runs SHALL be an array (or null)
        return problems + ["runs is not an array"]
    for r, run in enumerate(runs):
        driver = run.get("tool", {}).get("driver")  # 3.14.6 tool SHALL be present; 3.18.2 driver SHALL
        if not isinstance(driver, dict) or not isinstance(driver.get("name"), str) or not driver["name"]:
            problems.append("runs[%d].tool.driver.name missing" % r)  # 3.19.8 name SHALL be present
            continue
        rules = driver.get("rules", [])
        ids = [rule.get("id") for rule in rules]
        for i, rule in enumerate(rules):  # 3.49.3: id SHALL be present, a stable opaque string
            if not isinstance(rule.get("id"), str) or not rule["id"]:
                problems.append("rule %d has no id" % i)
            for key in ("shortDescription", "fullDescription", "help"):  # 3.49.9-11: multiformatMessageString
                if key in rule and not isinstance(rule[key].get("text"), str):
                    problems.append("rule %s %s.text missing" % (rule.get("id"), key))
            if "helpUri" in rule and not URI_SCHEME_RE.match(rule["helpUri"]):  # 3.49.12: absolute URI
                problems.append("rule %s helpUri not absolute" % rule.get("id"))
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            if level not in LEVELS:
                problems.append("rule %s default level %r" % (rule.get("id"), level))
        if len(set(ids)) != len(ids):
            problems.append("duplicate rule ids")
        bases = run.get("originalUriBaseIds", {})
        for name, base in bases.items():  # 3.14.14: the uri of a base SHALL be absolute and end with a slash
            if not URI_SCHEME_RE.match(base.get("uri", "")) or not base["uri"].endswith("/"):
                problems.append("originalUriBaseIds[%s] is not an absolute directory URI" % name)
        for i, result in enumerate(run.get("results", [])):
            where = "runs[%d].results[%d]" % (r, i)
            if not isinstance(result.get("message", {}).get("text"), str):  # 3.27.11: message SHALL be present
                problems.append(where + ".message.text missing")
            rule_id = result.get("ruleId")
            if "ruleIndex" in result:  # 3.27.6: ruleIndex SHALL be a valid index, consistent with ruleId
                index = result["ruleIndex"]
                if not isinstance(index, int) or not 0 <= index < len(rules):
                    problems.append(where + ".ruleIndex out of range")
                elif rule_id is not None and ids[index] != rule_id:
                    problems.append(where + ".ruleIndex points at %s, ruleId is %s" % (ids[index], rule_id))
            if rule_id is None:  # code scanners need ruleId (3.27.5 SHALL be present if rule is absent)
                problems.append(where + ".ruleId missing")
            if result.get("level", "warning") not in LEVELS:  # 3.27.10
                problems.append(where + ".level %r" % result.get("level"))
            for j, location in enumerate(result.get("locations", [])):
                physical = location.get("physicalLocation", {})
                artifact = physical.get("artifactLocation", {})
                uri = artifact.get("uri")
                if not isinstance(uri, str) or not uri or " " in uri:  # 3.4.3: a valid URI reference
                    problems.append(where + ".locations[%d] uri %r" % (j, uri))
                elif not URI_SCHEME_RE.match(uri) and artifact.get("uriBaseId") not in bases:
                    # 3.4.4: a relative uri needs a uriBaseId to resolve it
                    problems.append(where + ".locations[%d] relative uri without a known uriBaseId" % j)
                region = physical.get("region")
                if region is not None:  # 3.30.5: startLine >= 1; startColumn >= 1
                    if not isinstance(region.get("startLine"), int) or region["startLine"] < 1:
                        problems.append(where + ".locations[%d] startLine %r" % (j, region.get("startLine")))
                    if "startColumn" in region and region["startColumn"] < 1:
                        problems.append(where + ".locations[%d] startColumn" % j)
    return problems


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for name in ("A1", "K1", "S1"):
        shutil.copytree(os.path.join(RULES, name), str(tmp_path / "policies" / name))
    monkeypatch.chdir(str(tmp_path))
    return tmp_path


def test_the_checker_catches_what_it_must():
    good = formats.sarif({"tetragon_version": "1.7.0", "summary": {}, "policies": []}, cwd="/tmp")
    assert check_sarif(good) == []
    bad = json.loads(json.dumps(good))
    bad["version"] = "2.0.0"
    bad["runs"][0]["results"] = [{"ruleId": "Y1", "ruleIndex": 1, "level": "fatal", "message": {"text": "x"},
                                  "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.yaml"},
                                                                      "region": {"startLine": 0}}}]}]
    problems = " ".join(check_sarif(bad))
    for expected in ("version", "ruleIndex points at Y2", "level 'fatal'", "without a known uriBaseId", "startLine 0"):
        assert expected in problems


def test_sarif_log_conforms_and_locates_findings(capsys, workdir):
    code, out, _err = run(capsys, "lint", "--format", "sarif", "policies")
    assert code == 1
    log = json.loads(out)
    assert check_sarif(log) == []
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["name"] == "tetragon-policy"
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://%s/" % os.path.realpath(str(workdir))
    by_rule = dict((r["ruleId"], r) for r in run_["results"])
    k1 = by_rule["K1"]
    assert k1["level"] == "error"
    location = k1["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "policies/K1/trigger.yaml", "uriBaseId": "%SRCROOT%"}
    with open(str(workdir / "policies" / "K1" / "trigger.yaml")) as handle:
        lines = handle.read().splitlines()
    assert "call:" in lines[location["region"]["startLine"] - 1]
    assert any(r["level"] == "note" for r in run_["results"])  # info -> note


def test_sarif_rules_cover_the_catalogue_with_help_into_the_docs():
    log = formats.sarif({"tetragon_version": "1.7.0", "summary": {}, "policies": []}, cwd="/")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CATALOG)
    with open(os.path.join(ROOT, "docs", "policy-rules.md")) as handle:
        doc = handle.read()
    section, table = None, {}
    for line in doc.splitlines():
        if line.startswith("#"):
            section = slug(line.lstrip("#").strip())
        match = re.match(r"^\| `([A-Z]+\d+)`", line)
        if match:
            table[match.group(1)] = section
    for rule in rules:
        assert rule["helpUri"].startswith(formats.RULES_DOC + "#")
        assert rule["helpUri"].split("#")[1] == table[rule["id"]], rule["id"]
        assert rule["shortDescription"]["text"] == CATALOG[rule["id"]][1]
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        repository = re.search(r"^repository: (\S+)", handle.read(), re.M).group(1)
    assert formats.RULES_DOC.startswith(repository + "/")


def slug(heading):
    """GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to -."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def test_sarif_uri_outside_the_working_dir_is_absolute_and_quoted(tmp_path, monkeypatch):
    target = tmp_path / "odd dir"
    target.mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(str(tmp_path / "cwd"))
    policy = {"file": str(target / "p#1.yaml"), "document_index": 0, "findings": [
        {"rule": "Y6", "severity": "error", "path": "", "message": "empty", "hint": "", "fixable": False}]}
    log = formats.sarif({"tetragon_version": "1.7.0", "summary": {}, "policies": [policy]})
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "file://%s/odd%%20dir/p%%231.yaml" % os.path.realpath(str(tmp_path))}
    assert check_sarif(log) == []


def test_junit_one_testcase_per_file_failures_at_the_fail_on_level(capsys, workdir):
    code, out, _err = run(capsys, "lint", "--format", "junit", "policies")
    assert code == 1
    root = ET.fromstring(out.encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    names = sorted(c.get("name") for c in cases)
    assert names == sorted("policies/%s/%s" % (d, f) for d in ("A1", "K1", "S1") for f in ("clean.yaml", "trigger.yaml"))
    failing = sorted(c.get("name") for c in cases if c.find("failure") is not None)
    assert failing == ["policies/A1/trigger.yaml", "policies/K1/trigger.yaml", "policies/S1/trigger.yaml"]
    assert root.find("testsuite").get("failures") == "3" and root.find("testsuite").get("tests") == "6"
    k1 = [c for c in cases if c.get("name") == "policies/K1/trigger.yaml"][0].find("failure")
    assert k1.get("type") == "K1" and "error K1" in k1.text
    code, out, _err = run(capsys, "lint", "--format", "junit", "--fail-on", "never", "policies")
    assert code == 0
    assert ET.fromstring(out.encode("utf-8")).find("testsuite").get("failures") == "0"


def test_junit_stays_valid_xml_with_control_characters():
    policy = {"file": "bad\x01.yaml", "document_index": 0, "findings": [
        {"rule": "Y5", "severity": "error", "path": "", "message": "control character \x07 \x00 here",
         "hint": "", "fixable": False}]}
    root = formats.junit({"policies": [policy]}, "error")
    text = ET.tostring(root, encoding="unicode")
    parsed = ET.fromstring(text)
    assert "\\x07" in parsed.find("./testsuite/testcase/failure").text
    assert parsed.find("./testsuite/testcase").get("name") == "bad\\x01.yaml"


def test_exit_codes_are_stable_and_documented(capsys, workdir):
    clean = os.path.join("policies", "K1", "clean.yaml")
    for fmt in ("human", "json", "sarif", "junit"):
        assert run(capsys, "lint", "--format", fmt, "--fail-on", "error", clean)[0] == cli.EXIT_OK == 0
        assert run(capsys, "lint", "--format", fmt, os.path.join("policies", "K1", "trigger.yaml"))[0] == 1
        assert run(capsys, "lint", "--format", fmt, "missing.yaml")[0] == cli.EXIT_USAGE == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["lint", "--format", "xml", clean])
    assert exc.value.code == 2
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.main(["lint", "--help"])
    out = capsys.readouterr()[0]
    assert "0 clean; 1 findings at the --fail-on level" in " ".join(out.split())
    with open(os.path.join(ROOT, "docs", "ci-integration.md")) as handle:
        doc = handle.read()
    for line in ("| 0 |", "| 1 |", "| 2 |"):
        assert line in doc
