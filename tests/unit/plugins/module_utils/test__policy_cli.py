# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command-line entry: output formats and linter-style exit codes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _cli as cli

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
SEED_FIX = os.path.join(ROOT, "examples", "file-delete-kprobe.yaml")
RULES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "rules")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lint_clean_policy_exits_0_with_human_summary(capsys):
    code, out, _err = run(capsys, "lint", SEED)
    assert code == 0
    assert "warning OV1 spec.tracepoints[0]" in out
    assert "1 policy in 1 file(s) for Tetragon 1.7.0: 0 error(s), 3 warning(s), 1 info; 1 valid" in out


def test_lint_fail_on_warning_exits_1(capsys):
    assert run(capsys, "lint", "--fail-on", "warning", SEED)[0] == 1
    assert run(capsys, "lint", "--fail-on", "never", os.path.join(RULES, "S1", "trigger.yaml"))[0] == 0


def test_lint_errors_exit_1_and_json_has_the_module_shape(capsys):
    code, out, _err = run(capsys, "lint", "--format", "json", os.path.join(RULES, "K1", "trigger.yaml"))
    assert code == 1
    data = json.loads(out)
    assert data["summary"]["errors"] == 1
    (policy,) = data["policies"]
    assert set(policy) == {"file", "document_index", "name", "kind", "valid", "findings"}
    assert [f["rule"] for f in policy["findings"] if f["severity"] == "error"] == ["K1"]


def test_lint_kernel_gates(capsys):
    path = os.path.join(RULES, "KV2", "clean.yaml")
    assert run(capsys, "lint", "--kernel-version", "5.4.0", path)[0] == 0
    code, out, _err = run(capsys, "lint", "--kernel-version", "4.19.0", path)
    assert code == 1 and "KV2" in out


def test_usage_and_io_errors_exit_2(capsys):
    assert run(capsys, "lint", "/nonexistent/policy.yaml")[0] == 2
    assert run(capsys, "lint", "--tetragon-version", "latest", SEED)[0] == 2
    assert run(capsys, "lint", "--kernel-version", "bookworm", SEED)[0] == 2
    assert run(capsys, "rewrite", "/nonexistent/policy.yaml")[0] == 2
    assert run(capsys)[0] == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["lint", "--fail-on", "sometimes", SEED])
    assert exc.value.code == 2


def test_rewrite_to_stdout_matches_the_hand_written_fix(capsys):
    code, out, err = run(capsys, "rewrite", SEED)
    assert code == 0
    assert yaml.safe_load(out) == yaml.safe_load(open(SEED_FIX))
    assert "changed spec.tracepoints[0] (raw_syscalls_to_kprobe)" in err


def test_rewrite_check_and_output_file_are_idempotent(capsys, tmp_path):
    dest = str(tmp_path / "fixed.yaml")
    assert run(capsys, "rewrite", "--check", SEED)[0] == 1
    code, out, _err = run(capsys, "rewrite", "-o", dest, SEED)
    assert code == 0 and out.startswith("changed spec.tracepoints[0]") and "\n--- " in out
    assert yaml.safe_load(open(dest)) == yaml.safe_load(open(SEED_FIX))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(dest).st_mode & 0o777 == 0o666 & ~umask
    before = os.stat(dest).st_mtime_ns
    code, out, _err = run(capsys, "rewrite", "--check", dest)
    assert code == 0 and out.startswith("no rewrite applies") and "--- " not in out
    assert run(capsys, "rewrite", "--in-place", dest)[0] == 0
    assert os.stat(dest).st_mtime_ns == before


def test_rewrite_json_and_unusable_input(capsys, tmp_path):
    code, out, _err = run(capsys, "rewrite", "--format", "json", SEED)
    data = json.loads(out)
    assert code == 0 and data["changed"] and data["changes"][0]["rule"] == "raw_syscalls_to_kprobe"
    assert [f["severity"] for f in data["findings"]] == ["warning", "info"]
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x00\x01")
    code, _out, err = run(capsys, "rewrite", str(bad))
    assert code == 2 and "Y5" in err


def test_rules_listing(capsys):
    code, out, _err = run(capsys, "rules", "--format", "json")
    assert code == 0 and "OV1" in json.loads(out)


def test_bin_script_runs_from_any_directory(tmp_path):
    script = os.path.join(ROOT, "bin", "tetragon-policy")
    env = dict(os.environ, TETRAGON_POLICY_PYTHON=sys.executable)
    proc = subprocess.run([script, "lint", "--format", "json", SEED], cwd=str(tmp_path), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.decode())["summary"]["policies"] == 1
    proc = subprocess.run([script, "lint", str(tmp_path / "missing.yaml")], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert proc.returncode == 2
