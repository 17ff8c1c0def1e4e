# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Kernel text symbols from /proc/kallsyms (the fallback when a function has no BTF). Standard
library only (runs on managed hosts).

    parse_kallsyms(text) -> {symbol name: module name or ""}   (text symbols only: t/T/w/W)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

TEXT_TYPES = frozenset("tTwW")


def parse_kallsyms(text):
    """Text symbols of kallsyms `text` ("ADDR TYPE NAME [module]" lines); malformed lines are skipped."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[1] not in TEXT_TYPES:
            continue
        module = parts[3].strip("[]") if len(parts) > 3 else ""
        out.setdefault(parts[2], module)
    return out
