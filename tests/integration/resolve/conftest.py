# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of policy_resolve's tests on this machine's kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/resolve/" in str(item.fspath):
            item.add_marker(pytest.mark.kernel)


@pytest.fixture
def needs_root():
    if os.geteuid() != 0:
        pytest.fail("needs root: tracefs format files are root-only (run as root, as make test does)")
    for path in ("/sys/kernel/btf/vmlinux", "/proc/kallsyms"):
        if not os.path.exists(path):
            pytest.fail("this kernel has no %s, which these tests resolve against" % path)
