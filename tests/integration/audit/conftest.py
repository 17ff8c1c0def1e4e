# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the audit report tests: headless Chromium and the build/ directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.ebpfops.tetragon.tests.integration.audit.chromium import CHROMIUM, ROOT, Chromium


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("%s is missing: run scripts/setup.sh test (installs chromium)" % CHROMIUM)
    return Chromium()


@pytest.fixture(scope="session")
def build_dir():
    path = os.path.join(ROOT, "build")
    if not os.path.isdir(path):
        os.makedirs(path)
    return path
