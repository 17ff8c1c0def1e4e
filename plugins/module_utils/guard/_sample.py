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

import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsSession, pinned_programs
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import (
    attribute, per_policy, program_delta)


def sample(root, window, cpus, sleep=time.sleep, clock=time.time):
    """Measure for `window` seconds; return (start epoch, seconds measured, per-policy rows).

    The rows are _stats.per_policy's (name, programs, run_cnt, run_time_ns, overhead_percent).
    """
    with StatsSession() as session:
        progs = pinned_programs(root)
        fds = dict((pid, session.keep(fd)) for pid, (fd, _pin) in progs.items())
        first = session.sample(fds)
        start = clock()
        sleep(window)
        second = session.sample(fds)
        elapsed = max(clock() - start, 1e-6)
    rows = []
    for pid in sorted(second):
        row = program_delta(first[pid], second[pid], elapsed, cpus)
        row["policy"] = attribute(progs[pid][1], root)[0]
        rows.append(row)
    return start, elapsed, per_policy(rows, elapsed, cpus)
