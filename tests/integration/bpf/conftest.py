# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the real-kernel BPF tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import tempfile

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/bpf/" in str(item.fspath):
            item.add_marker(pytest.mark.kernel)


@pytest.fixture
def needs_root():
    if os.geteuid() != 0:
        pytest.fail("needs root: these tests load real BPF programs (run them as root, as make test does)")


@pytest.fixture
def private_bpffs(needs_root):
    """A bpffs mounted on a fresh temporary directory, unmounted afterwards."""
    path = tempfile.mkdtemp(prefix="ebpfops-bpffs-")
    subprocess.check_call(["mount", "-t", "bpf", "bpf", path])
    try:
        yield path
    finally:
        subprocess.call(["umount", path])
        os.rmdir(path)


def syscall_loop(count, cpu=None):
    """Make `count` getppid() calls, optionally in a child process bound to one CPU."""
    if cpu is None:
        for _ in range(count):
            os.getppid()
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, [cpu])
            for _ in range(count):
                os.getppid()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
