# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/module_utils/bpf/_syscalls.py against the real kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.tests.integration.bpf.conftest import syscall_loop


def _run_cnt(fd):
    return _bpf.prog_info(fd)["run_cnt"]


def test_probe_counts_getppid_calls_on_every_cpu(needs_root):
    stats = _bpf.enable_stats()
    prog = _bpf.load_probe_program("ebpfops_test")
    perf = None
    try:
        info = _bpf.prog_info(prog)
        assert info["type"] == "tracepoint"
        assert info["name"] == "ebpfops_test"
        assert info["id"] in set(_bpf.prog_ids())
        perf = _bpf.attach_tracepoint(prog, "syscalls", "sys_enter_getppid")
        before = _run_cnt(prog)
        syscall_loop(500)
        for cpu in sorted(os.sched_getaffinity(0)):
            syscall_loop(300, cpu=cpu)
        runs = _run_cnt(prog) - before
        expected = 500 + 300 * len(os.sched_getaffinity(0))
        assert expected <= runs <= expected + 50
        assert _bpf.prog_info(prog)["run_time_ns"] > 0
    finally:
        if perf is not None:
            _bpf.close(perf)
        _bpf.close(prog)
        _bpf.close(stats)


def test_detached_probe_stops_counting_and_leaves_no_program(needs_root):
    stats = _bpf.enable_stats()
    prog = _bpf.load_probe_program()
    prog_id = _bpf.prog_info(prog)["id"]
    try:
        perf = _bpf.attach_tracepoint(prog, "syscalls", "sys_enter_getppid")
        _bpf.close(perf)
        before = _run_cnt(prog)
        syscall_loop(200)
        assert _run_cnt(prog) == before
    finally:
        _bpf.close(prog)
        _bpf.close(stats)
    assert prog_id not in set(_bpf.prog_ids())


def test_pin_and_get_pinned_round_trip(private_bpffs):
    prog = _bpf.load_probe_program()
    path = os.path.join(private_bpffs, "prog")
    try:
        _bpf.pin(prog, path)
        again = _bpf.get_pinned(path)
        try:
            assert _bpf.prog_info(again)["id"] == _bpf.prog_info(prog)["id"]
        finally:
            _bpf.close(again)
        assert private_bpffs in _bpf.bpffs_mounts()
    finally:
        _bpf.close(prog)
        os.unlink(path)


def test_errors_are_clear(needs_root):
    with pytest.raises(_bpf.BpfError) as exc:
        _bpf.tracepoint_id("syscalls", "sys_enter_no_such_call")
    assert exc.value.errno == errno.ENOENT
    assert "does not exist" in str(exc.value)
    with pytest.raises(_bpf.BpfError) as exc:
        _bpf.get_pinned("/nonexistent/ebpfops/prog")
    assert exc.value.errno == errno.ENOENT
    assert "/nonexistent/ebpfops/prog" in str(exc.value)


def test_kprobes_reported_unavailable_with_the_kernel_reason():
    available, reason = _bpf.kprobes_available()
    if os.path.isdir("/sys/bus/event_source/devices/kprobe"):
        assert available is True
    else:
        # this project's kernel (test-environment.md) is built without CONFIG_KPROBES
        assert available is False
        assert "CONFIG_KPROBES" in reason
