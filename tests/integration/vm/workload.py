# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs ON the test VM: an in-process file workload, and a module run that spans it.

Workload per file: one open, OPS x (a one-byte write and a one-byte pread), one close, one unlink.
So a run of FILES files makes FILES opens and unlinks, FILES x OPS writes and FILES x OPS reads.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys
import tempfile
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf

MODULES = "ansible_collections.ebpfops.tetragon.plugins.modules."


def file_workload(files, ops):
    directory = tempfile.mkdtemp(prefix="ebpfops-work-")
    try:
        for index in range(files):
            path = os.path.join(directory, "f%d" % index)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            for _ in range(ops):
                os.write(fd, b"x")
                os.pread(fd, 1, 0)
            os.close(fd)
            os.unlink(path)
    finally:
        os.rmdir(directory)


def programs_named(name):
    found = []
    for prog_id in _bpf.prog_ids():
        try:
            fd = _bpf.prog_fd_by_id(prog_id)
        except _bpf.BpfError:
            continue
        try:
            if _bpf.prog_info(fd)["name"] == name:
                found.append(prog_id)
        finally:
            _bpf.close(fd)
    return found


def prog_fds(pid):
    """How many BPF program descriptors process pid holds."""
    count = 0
    folder = "/proc/%d/fdinfo" % pid
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        try:
            with open(os.path.join(folder, name)) as handle:
                count += "prog_type:" in handle.read()
        except (IOError, OSError):
            pass
    return count


def module_during(module, args, programs, workload, timeout=120, delay=0.5):
    """Start `module` with `args`; once it holds `programs` BPF program descriptors (its probes, or the
    pinned programs it samples) run `workload()`; return the module's JSON result with `workload_seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    proc = subprocess.Popen([sys.executable, "-m", MODULES + module, handle.name], stdout=subprocess.PIPE)
    deadline = time.time() + timeout
    while prog_fds(proc.pid) < programs:
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("the module did not open %d BPF programs: %s" % (programs, proc.communicate()[0]))
        time.sleep(0.2)
    time.sleep(delay)
    start = time.time()
    workload()
    seconds = time.time() - start
    out = proc.communicate()[0].decode()
    os.unlink(handle.name)
    result = json.loads(out[out.index("{"):])
    result["workload_seconds"] = seconds
    return result


if __name__ == "__main__":
    spec = json.loads(sys.stdin.read())
    outcome = module_during(spec["module"], spec["args"], spec["programs"],
                            lambda: file_workload(spec["files"], spec["ops"]), delay=spec.get("delay", 0.5))
    outcome["leftover_probes"] = programs_named("ebpfops_probe")
    sys.stdout.write(json.dumps(outcome))
