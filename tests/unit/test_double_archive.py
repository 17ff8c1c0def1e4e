# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test double's release archive carries everything its daemon imports: unpacked as install.sh lays it out
and run by a bare python3 (no PYTHONPATH, no site packages, as on a managed host), the daemon gets the
collection's BPF syscalls and BTF reader; without them it would pin no programs and every test built on its
pins would fail far from the cause."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import subprocess
import sys

DOUBLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "double")


def build_members():
    spec = importlib.util.spec_from_file_location("double_build_releases", os.path.join(DOUBLE, "build_releases.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.members("1.7.0", False)


def unpack(files, root):
    for path, (data, mode) in files.items():
        target = os.path.join(str(root), path)
        if not os.path.isdir(os.path.dirname(target)):
            os.makedirs(os.path.dirname(target))
        with open(target, "wb") as handle:
            handle.write(data)
        os.chmod(target, mode)


def test_the_daemon_imports_its_bundled_bpf_code_in_isolation(tmp_path):
    unpack(build_members(), tmp_path)
    daemon = str(tmp_path / "usr" / "local" / "bin" / "tetragon")
    code = ("import importlib.machinery, importlib.util, sys\n"
            "loader = importlib.machinery.SourceFileLoader('double_daemon', sys.argv[1])\n"
            "spec = importlib.util.spec_from_loader('double_daemon', loader)\n"
            "module = importlib.util.module_from_spec(spec)\n"
            "loader.exec_module(module)\n"
            "print(module._bpf.__file__, module._btf.__file__, module.start_error(dict(module.DEFAULTS)))\n")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, daemon], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    bpf, btf, refused = proc.stdout.split()
    lib = str(tmp_path / "usr" / "local" / "lib" / "tetragon" / "double")
    assert bpf.startswith(lib) and bpf.endswith("bpf/_syscalls.py") and btf.startswith(lib) and refused == "None"


def test_a_bundle_that_does_not_import_stops_the_daemon(tmp_path):
    files = build_members()
    files = dict((path, item) for path, item in files.items() if not path.endswith("host/_files.py"))
    unpack(files, tmp_path)
    proc = subprocess.run([sys.executable, "-I", "-S", str(tmp_path / "usr" / "local" / "bin" / "tetragon")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode != 0 and "_files" in proc.stderr
