# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole-module runs of ebpfops.tetragon.policy_rewrite."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.ebpfops.tetragon.plugins.modules import policy_rewrite
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
SEED_FIX = os.path.join(ROOT, "examples", "file-delete-kprobe.yaml")
REWRITE = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "rewrite")


def rewrite(args, fails=False):
    with set_module_args(args):
        return run_module(policy_rewrite.main, fails=fails)


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def test_seed_rewrite_without_dest_changes_nothing():
    result = rewrite({"src": SEED})
    assert result["changed"] is False
    assert result["policy"] == load(SEED_FIX)
    assert yaml.safe_load(result["policy_yaml"]) == load(SEED_FIX)
    assert [(c["rule"], c["path"]) for c in result["changes"]] == [("raw_syscalls_to_kprobe", "spec.tracepoints[0]")]
    assert result["refused"] == []
    assert result["valid"] is True
    assert [f["rule"] for f in result["findings"]] == ["OV5", "OV3"]
    assert "-  tracepoints:" in result["diff_text"] and "+  kprobes:" in result["diff_text"]


def test_dest_is_written_atomically_once_then_unchanged(tmp_path):
    dest = tmp_path / "out.yaml"
    first = rewrite({"src": SEED, "dest": str(dest)})
    assert first["changed"] is True
    assert load(str(dest)) == load(SEED_FIX)
    assert first["diff"]["before"] == "" and first["diff"]["after"] == dest.read_text()
    mtime = dest.stat().st_mtime_ns
    second = rewrite({"src": SEED, "dest": str(dest)})
    assert second["changed"] is False and dest.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_check_mode_reports_the_change_but_writes_nothing(tmp_path):
    dest = tmp_path / "out.yaml"
    result = rewrite({"src": SEED, "dest": str(dest), "_ansible_check_mode": True, "_ansible_diff": True})
    assert result["changed"] is True and not dest.exists()
    assert "kprobes:" in result["diff"]["after"]


def test_rewriting_the_rewrite_changes_nothing(tmp_path):
    dest = tmp_path / "out.yaml"
    rewrite({"src": SEED, "dest": str(dest)})
    again = rewrite({"src": str(dest), "dest": str(dest)})
    assert again["changed"] is False and again["changes"] == [] and again["diff_text"] == ""


def test_content_dict_and_rules_selection():
    result = rewrite({"content": load(SEED), "rules": ["renamed_fields"]})
    assert result["changes"] == [] and result["policy"] == load(SEED)
    result = rewrite({"content": load(os.path.join(REWRITE, "legacy-v10-killers.yaml")), "tetragon_version": "1.7.0"})
    assert set(c["rule"] for c in result["changes"]) == {"renamed_fields"}
    assert result["valid"] is True


def test_refusal_is_reported_with_reason_and_policy_left_as_is():
    path = os.path.join(REWRITE, "sys-exit-return-value.yaml")
    result = rewrite({"src": path})
    assert result["changes"] == []
    assert result["refused"][0]["rule"] == "raw_syscalls_to_kprobe"
    assert "return value" in result["refused"][0]["reason"]
    with open(path) as handle:
        assert result["policy_yaml"] == handle.read()


def test_bad_input_fails_cleanly(tmp_path):
    blob = tmp_path / "blob.yaml"
    blob.write_bytes(b"\x00\x01")
    failed = rewrite({"src": str(blob)}, fails=True)
    assert "Y5" in failed["msg"] and str(blob) in failed["msg"]
    multi = tmp_path / "multi.yaml"
    multi.write_text("a: 1\n---\nb: 2\n")
    assert "2 YAML documents" in rewrite({"src": str(multi)}, fails=True)["msg"]
    assert "Y8" in rewrite({"src": str(tmp_path / "missing.yaml")}, fails=True)["msg"]
    assert "directory" in rewrite({"src": SEED, "dest": str(tmp_path)}, fails=True)["msg"]
    assert "does not exist" in rewrite({"src": SEED, "dest": str(tmp_path / "no" / "x.yaml")}, fails=True)["msg"]
    assert "mapping" in rewrite({"content": 42}, fails=True)["msg"]
    assert "value of rules must be one or more of" in rewrite({"src": SEED, "rules": ["guess"]}, fails=True)["msg"]


def _playbook(tmp_path, *extra):
    """Run the collection's policy_check playbook with the real ansible-playbook (local connection)."""
    import json
    import subprocess
    import sys
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "home"))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "ebpfops.tetragon.policy_check",
           "-e", "policy_check_dest=%s" % (tmp_path / "out" / "policy.yaml")] + list(extra)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-2000:]
    return json.loads(proc.stdout.decode())


def _task(run, name):
    for play in run["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == name:
                return task["hosts"]["localhost"]
    raise AssertionError("no task %r" % name)


def test_policy_check_playbook_end_to_end(tmp_path):
    checked = _playbook(tmp_path, "--check")
    assert not (tmp_path / "out" / "policy.yaml").exists()
    assert _task(checked, "Rewrite the policy")["changed"] is True
    first = _playbook(tmp_path)
    rewrite_result = _task(first, "Rewrite the policy")
    assert rewrite_result["changed"] is True
    assert load(str(tmp_path / "out" / "policy.yaml")) == load(SEED_FIX)
    assert [f["rule"] for p in _task(first, "Lint the policy")["policies"] for f in p["findings"]] == [
        "OV1", "OV2", "OV5", "OV3"]
    assert first["stats"]["localhost"]["failures"] == 0
    second = _playbook(tmp_path)
    assert _task(second, "Rewrite the policy")["changed"] is False
    assert second["stats"]["localhost"]["changed"] == 0
