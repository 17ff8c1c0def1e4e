# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard's sample against real programs pinned in a Tetragon-shaped private bpffs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard._sample import sample
from ansible_collections.ebpfops.tetragon.tests.integration.bpf.conftest import syscall_loop


def _stats_fds():
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink("/proc/self/fd/" + fd) == "anon_inode:bpf-stats":
                found.append(fd)
        except OSError:
            continue
    return found


def test_sample_attributes_cost_per_policy_and_leaves_stats_off(private_bpffs):
    fds = []
    for policy, event in (("hot", "sys_enter_getppid"), ("cold", "sys_enter_getpgid")):
        folder = os.path.join(private_bpffs, "tetragon", policy, "generic_tracepoint", "syscalls:" + event)
        os.makedirs(folder)
        prog = _bpf.load_probe_program("ebpfops_" + policy)
        fds += [prog, _bpf.attach_tracepoint(prog, "syscalls", event)]
        _bpf.pin(prog, os.path.join(folder, "prog"))
    worker = threading.Thread(target=lambda: (time.sleep(0.05), syscall_loop(20000)))
    try:
        worker.start()
        start, elapsed, policies = sample(os.path.join(private_bpffs, "tetragon"), 0.4, os.cpu_count())
        worker.join()
        assert _stats_fds() == []
    finally:
        for fd in fds:
            _bpf.close(fd)
    rows = dict((p["name"], p) for p in policies)
    assert sorted(rows) == ["cold", "hot"]
    assert rows["hot"]["run_cnt"] >= 1000 and rows["hot"]["overhead_percent"] > 0
    assert rows["cold"]["run_cnt"] == 0 and rows["cold"]["overhead_percent"] == 0
    assert 0.35 <= elapsed < 5 and abs(start - time.time()) < 10
