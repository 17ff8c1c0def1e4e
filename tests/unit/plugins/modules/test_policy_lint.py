# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole-module runs of ebpfops.tetragon.policy_lint."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.ebpfops.tetragon.plugins.modules import policy_lint
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
RULES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "rules")


def lint(args, fails=False):
    with set_module_args(args):
        return run_module(policy_lint.main, fails=fails)


def test_seed_file_is_valid_with_overhead_warnings():
    result = lint({"src": SEED})
    assert result["changed"] is False
    (policy,) = result["policies"]
    assert (policy["file"], policy["name"], policy["kind"], policy["valid"]) == (
        SEED, "file-delete-monitor", "TracingPolicy", True)
    assert [(f["rule"], f["path"]) for f in policy["findings"]] == [
        ("OV1", "spec.tracepoints[0]"), ("OV2", "spec.tracepoints[0].selectors[0]"),
        ("OV5", "spec.tracepoints[0].selectors[0].matchBinaries[0]"),
        ("OV3", "spec.tracepoints[0].selectors[0].matchActions[0].rateLimit")]
    assert policy["findings"][0]["fixable"] is True
    assert result["summary"] == {"policies": 1, "files": 1, "valid": 1, "invalid": 0, "errors": 0,
                                 "warnings": 3, "info": 1, "failing": 0}
    assert result["tetragon_version"] == "1.7.0"


def test_content_as_dict_and_as_text():
    with open(SEED) as handle:
        text = handle.read()
    as_dict = lint({"content": yaml.safe_load(text)})
    as_text = lint({"content": text})
    strip = [dict((k, v) for k, v in f.items() if k != "line") for f in as_text["policies"][0]["findings"]]
    assert as_dict["policies"][0]["findings"] == strip
    assert as_dict["policies"][0]["file"] == "<content>"
    hook_line = [n for n, line in enumerate(text.splitlines(), 1) if "subsystem: raw_syscalls" in line][0]
    assert as_text["policies"][0]["findings"][0]["line"] == hook_line


def test_fail_on_levels():
    assert lint({"src": SEED, "fail_on": "never"})["summary"]["failing"] == 0
    failed = lint({"src": SEED, "fail_on": "warning"}, fails=True)
    assert failed["summary"]["failing"] == 3
    assert "OV1" in failed["msg"] and failed["policies"]
    failed = lint({"src": os.path.join(RULES, "S1", "trigger.yaml")}, fails=True)
    assert "S1" in failed["msg"] and "spec" in failed["msg"]


def test_directory_with_bad_files_reports_each(tmp_path):
    with open(SEED, "rb") as handle:
        (tmp_path / "good.yaml").write_bytes(handle.read())
    (tmp_path / "binary.yaml").write_bytes(b"\x00\xff")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    result = lint({"src": str(tmp_path), "fail_on": "never"})
    rules = dict((os.path.basename(p["file"]), [f["rule"] for f in p["findings"] if f["severity"] == "error"])
                 for p in result["policies"])
    assert rules == {"binary.yaml": ["Y5"], "good.yaml": [], "list.yaml": ["Y7"]}
    assert result["summary"]["invalid"] == 2


def test_version_and_kernel_options():
    path = os.path.join(RULES, "S5", "trigger.yaml")
    assert lint({"src": path, "tetragon_version": "1.7.0"})["policies"][0]["valid"]
    assert "S5" in lint({"src": path, "tetragon_version": "1.6.1"}, fails=True)["msg"]
    kv = os.path.join(RULES, "KV2", "clean.yaml")
    assert lint({"src": kv, "kernel_version": "5.4.0-150-generic"})["policies"][0]["valid"]
    assert "KV2" in lint({"src": kv, "kernel_version": "4.19.0"}, fails=True)["msg"]


def test_bad_options_fail_with_a_clear_message():
    assert "tetragon_version" in lint({"src": SEED, "tetragon_version": "latest"}, fails=True)["msg"]
    assert "kernel_version" in lint({"src": SEED, "kernel_version": "x"}, fails=True)["msg"]
    assert "mutually exclusive" in lint({"src": SEED, "content": "a: 1"}, fails=True)["msg"]
    assert "one of the following" in lint({}, fails=True)["msg"]


def test_content_of_wrong_type_is_a_finding_not_a_traceback():
    result = lint({"content": ["not", "a", "policy"], "fail_on": "never"})
    assert [f["rule"] for f in result["policies"][0]["findings"]] == ["Y7"]
    result = lint({"content": "a: [1\n", "fail_on": "never"})
    assert [f["rule"] for f in result["policies"][0]["findings"]] == ["Y1"]


def test_check_mode_is_the_same_read_only_run():
    normal = lint({"src": SEED})
    checked = lint({"src": SEED, "_ansible_check_mode": True})
    assert normal == checked and checked["changed"] is False


def test_empty_directory_fails_unless_fail_on_never(tmp_path):
    with set_module_args({"src": str(tmp_path)}):
        failure = run_module(policy_lint.main, fails=True)
    assert "Y8" in failure["msg"] and "no .yaml or .yml policy file" in failure["msg"]
    with set_module_args({"src": str(tmp_path), "fail_on": "never"}):
        result = run_module(policy_lint.main)
    assert [f["rule"] for p in result["policies"] for f in p["findings"]] == ["Y8"]
