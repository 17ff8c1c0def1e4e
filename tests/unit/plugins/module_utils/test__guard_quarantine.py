# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard's quarantine: which file holds a policy, moving it out and back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard._quarantine import (
    files_of, policy_identity, quarantine, quarantined, remove_quarantine, restore_plan)

BLOCK = """# a comment
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  labels:
    name: not-this-one
  name: "file-delete"   # the name
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_unlinkat
    args:
    - index: 4
      name: also-not-this
"""


@pytest.mark.parametrize("text, identity", [
    (BLOCK, ("TracingPolicy", "", "file-delete")),
    ("kind: TracingPolicy\nmetadata: {name: 'flow-one', labels: {a: b}}\nspec: {}\n", ("TracingPolicy", "", "flow-one")),
    ("---\nkind: TracingPolicyNamespaced\nmetadata:\n    namespace: team\n    name: ns-one\n",
     ("TracingPolicyNamespaced", "team", "ns-one")),
    ("kind: TracingPolicy\nmetadata:\n  namespace: ignored\n  name: x\n", ("TracingPolicy", "", "x")),
    ("kind: TracingPolicy\nmetadata:\n  name: first\n---\nkind: TracingPolicy\nmetadata:\n  name: second\n",
     ("TracingPolicy", "", "first")),
    ("kind: ConfigMap\nmetadata:\n  name: x\n", None),
    ("kind: TracingPolicy\nmetadata:\n  labels: {}\n", None),
    ("not yaml at all: [", None),
])
def test_policy_identity(text, identity):
    assert policy_identity(text) == identity
    if identity:  # the scanner agrees with a YAML parser on these
        doc = yaml.safe_load_all(text).__next__()
        assert doc["metadata"]["name"] == identity[2]


def write(path, text, mode=0o644):
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


def test_files_of_looks_where_tetragon_loads(tmp_path):
    pdir = str(tmp_path / "tp.d")
    write(os.path.join(pdir, "a.yaml"), BLOCK)
    write(os.path.join(pdir, "sub", "again.yml"), BLOCK)
    write(os.path.join(pdir, "sub", "deeper", "no.yaml"), BLOCK)  # two levels down: Tetragon does not load it
    write(os.path.join(pdir, "other.yaml"), BLOCK.replace('"file-delete"', "other"))
    assert files_of(pdir, "", "file-delete") == ["a.yaml", os.path.join("sub", "again.yml")]
    assert files_of(pdir, "team", "file-delete") == []
    assert files_of(str(tmp_path / "missing"), "", "x") == []


def test_quarantine_moves_files_out_and_back(tmp_path):
    pdir, state = str(tmp_path / "tp.d"), str(tmp_path / "state")
    write(os.path.join(pdir, "a.yaml"), BLOCK, 0o640)
    write(os.path.join(pdir, "keep.yaml"), "kind: TracingPolicy\nmetadata:\n  name: keep\n")
    record = quarantine(pdir, state, "file-delete", ["a.yaml"], {"policy": "file-delete", "action": "disable"})
    assert sorted(os.listdir(pdir)) == ["keep.yaml"]
    qfile = os.path.join(state, "quarantine", "file-delete", "files", "a.yaml")
    with open(qfile) as handle:
        assert handle.read() == BLOCK
    assert record["files"] == [{"path": "a.yaml", "mode": 0o640}] and record["policy_dir"] == pdir
    listed = quarantined(state)
    assert list(listed) == ["file-delete"] and listed["file-delete"]["action"] == "disable"
    with open(os.path.join(state, "quarantine", "file-delete", "record.json")) as handle:
        assert json.load(handle)["files"][0]["path"] == "a.yaml"
    plan = restore_plan(state, "file-delete", listed["file-delete"])
    assert plan == [(qfile, os.path.join(pdir, "a.yaml"), 0o640, None)]
    write(os.path.join(pdir, "a.yaml"), "something else")
    assert restore_plan(state, "file-delete", listed["file-delete"])[0][3].endswith("a.yaml exists with other content")
    remove_quarantine(state, "file-delete")
    assert quarantined(state) == {}


def test_unreadable_record_is_reported_not_raised(tmp_path):
    os.makedirs(str(tmp_path / "quarantine" / "broken"))
    assert "no readable record.json" in quarantined(str(tmp_path))["broken"]["error"]
