# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tetragon-policy resolve` against local files (the CI use)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._cli import main
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, tracefs_tree, write)

GOOD = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: good}
spec:
  kprobes:
  - call: sys_read
"""
BAD = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: bad}
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_exit
    args:
    - index: 6
"""


def _files(tmp_path):
    btf = write(tmp_path / "vmlinux", btf_blob({"__x64_sys_read": 1}))
    tracefs = tracefs_tree(str(tmp_path / "tracing"), {"raw_syscalls/sys_exit": ["long id", "long ret"]})
    return ["--kernel-btf", btf, "--tracefs", tracefs]


def test_resolve_against_files(tmp_path, capsys):
    good, bad = write(tmp_path / "good.yaml", GOOD), write(tmp_path / "bad.yaml", BAD)
    files = _files(tmp_path)
    assert main(["resolve"] + files + [good]) == 0
    assert "1 policy resolved against the given files: 1 valid" in capsys.readouterr().out
    assert main(["resolve", "--format", "json"] + files + [good, bad]) == 1
    out = json.loads(capsys.readouterr().out)
    findings = out["policies"][1]["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("R4", "spec.tracepoints[0].args[0].index", 9)]


def test_resolve_usage_errors(tmp_path, capsys):
    good = write(tmp_path / "good.yaml", GOOD)
    assert main(["resolve", "--kernel-btf", str(tmp_path / "none"), good]) == 2
    assert "--kernel-btf" in capsys.readouterr().err
    assert main(["resolve", "--tracefs", str(tmp_path), good]) == 2
    assert main(["resolve", "--kernel-btf", good, str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for flag in ("--kernel-btf", "--kallsyms"):
        for path in (fifo, os.devnull, str(tmp_path)):
            assert main(["resolve", flag, path, good]) == 2
            assert "%s %s: not a regular file" % (flag, path) in capsys.readouterr().err


def test_resolve_reports_unloadable_files(tmp_path, capsys):
    broken = write(tmp_path / "broken.yaml", "spec: [unclosed\n")
    assert main(["resolve"] + _files(tmp_path) + [broken]) == 1
    assert "error Y1" in capsys.readouterr().out
