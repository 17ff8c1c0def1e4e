# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

One guard sample: the BPF cost of each Tetragon policy over a short window, with the collection's
BPF syscalls (bpf/_syscalls) and attribution and formula (bpf/_stats), as bpf_prog_stats measures.
Each sample opens its own BPF_ENABLE_STATS fd and closes it before returning, so run-time stats are
off between samples. Standard library only, Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import (
    attribute, per_policy, program_delta)


def _pinned_programs(root):
    """{prog id: (fd, pin)} of the programs pinned under root (maps and links are closed again)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = os.path.join(dirpath, filename)
            try:
                fd = _bpf.get_pinned(path)
            except _bpf.BpfError as exc:
                if exc.errno in (errno.EPERM, errno.EACCES):
                    raise
                continue
            try:
                with open("/proc/self/fdinfo/%d" % fd) as handle:
                    info = _bpf.prog_info(fd) if "prog_type:" in handle.read() else None
            except (_bpf.BpfError, IOError, OSError):
                info = None
            if info is None or info["id"] in found:
                _bpf.close(fd)
                continue
            found[info["id"]] = (fd, path)
    return found


def sample(root, window, cpus, sleep=time.sleep, clock=time.time):
    """Measure for `window` seconds; return (start epoch, seconds measured, per-policy rows).

    The rows are _stats.per_policy's (name, programs, run_cnt, run_time_ns, overhead_percent).
    """
    stats_fd = _bpf.enable_stats()
    progs = {}
    try:
        progs = _pinned_programs(root)
        first = dict((pid, _bpf.prog_info(fd)) for pid, (fd, _pin) in progs.items())
        start = clock()
        sleep(window)
        second = dict((pid, _bpf.prog_info(fd)) for pid, (fd, _pin) in progs.items())
        elapsed = max(clock() - start, 1e-6)
    finally:
        for fd, _pin in progs.values():
            _bpf.close(fd)
        _bpf.close(stats_fd)
    rows = []
    for pid in sorted(second):
        row = program_delta(first[pid], second[pid], elapsed, cpus)
        row["policy"] = attribute(progs[pid][1], root)[0]
        rows.append(row)
    return start, elapsed, per_policy(rows, elapsed, cpus)
