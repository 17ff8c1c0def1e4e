# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The Tetragon release this collection is pinned to. roles/tetragon/defaults/main.yml
carries the same value (a unit test keeps the two in step).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DEFAULT_TETRAGON_VERSION = "1.7.0"
