# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Tracepoints of a tracefs tree: which subsystems and events exist and the fields of an event's
`format` file (Tetragon's tracepoint arg `index` counts these fields, common_* ones included).
Standard library only (runs on managed hosts).

    format_fields(text) -> [field declaration, ...] in file order
    Tracefs(root).subsystems() / .events(subsystem) / .fields(subsystem, event)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._files import open_regular

MAX_FORMAT_BYTES = 64 * 1024


def format_fields(text):
    """Field declarations ("unsigned short common_type", ...) of a tracefs format file."""
    fields = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("field:"):
            continue
        fields.append(line[len("field:"):].split(";", 1)[0].strip())
    return fields


class Tracefs(object):
    """Read-only view of <root>/events; every answer is computed once."""

    def __init__(self, root):
        self.root = root
        self.events_dir = os.path.join(root, "events")
        self._subsystems = None
        self._events = {}

    def available(self):
        return os.path.isdir(self.events_dir)

    def subsystems(self):
        if self._subsystems is None:
            try:
                names = os.listdir(self.events_dir)
            except (IOError, OSError):
                names = []
            self._subsystems = sorted(n for n in names if os.path.isdir(os.path.join(self.events_dir, n)))
        return self._subsystems

    def events(self, subsystem):
        if subsystem not in self._events:
            path = os.path.join(self.events_dir, subsystem)
            try:
                names = os.listdir(path) if subsystem in self.subsystems() else []
            except (IOError, OSError):
                names = []
            self._events[subsystem] = sorted(n for n in names if os.path.isdir(os.path.join(path, n)))
        return self._events[subsystem]

    def fields(self, subsystem, event):
        """Field declarations of subsystem/event, or None when its format file cannot be read."""
        path = os.path.join(self.events_dir, subsystem, event, "format")
        try:
            with open_regular(path) as handle:
                data = handle.read(MAX_FORMAT_BYTES)
        except (IOError, OSError):
            return None
        return format_fields(data.decode("utf-8", "replace"))
