# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The one BPF run-time statistics session of the collection:

    with StatsSession() as session:
        fd = session.keep(_syscalls.load_probe_program())   # closed when the session ends
        first = session.sample({prog_id: fd})
        ...

Stats are switched on only through the session's own BPF_ENABLE_STATS descriptor: the kernel counts it
as one user of the stats and switches them off when the last user closes (or when the process dies).
The sysctl kernel.bpf_stats_enabled is never written. Every descriptor the session holds is closed when
it ends, on success, on error and on KeyboardInterrupt. Standard library only.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf

STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


class StatsUnavailable(Exception):
    pass


def read_sysctl(path=STATS_SYSCTL):
    """kernel.bpf_stats_enabled as an int, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except (IOError, OSError, ValueError):
        return None


class StatsSession(object):
    """Enable run-time stats with a BPF_ENABLE_STATS fd, sample programs, always close."""

    def __init__(self, sysctl_path=STATS_SYSCTL):
        self.sysctl_path = sysctl_path
        self.sysctl_before = None
        self.stats_fd = None
        self.stats_closed = False
        self.fds = []

    @property
    def enabled_by_session(self):
        """True when stats were off (sysctl 0) and the session's descriptor switched them on."""
        return self.stats_fd is not None and self.sysctl_before == 0

    def __enter__(self):
        self.sysctl_before = read_sysctl(self.sysctl_path)
        try:
            self.stats_fd = _bpf.enable_stats()
        except _bpf.BpfError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise
            if self.sysctl_before != 1:
                raise StatsUnavailable(
                    "this kernel cannot switch on BPF run-time statistics for the sample (BPF_ENABLE_STATS "
                    "needs Linux 5.8+: %s); set kernel.bpf_stats_enabled=1 for the measurement instead" % exc)
        return self

    def keep(self, fd):
        """Hold fd until the session ends; return it."""
        self.fds.append(fd)
        return fd

    def sample(self, fds):
        """{key: bpf_prog_info dict} for every program fd in the mapping fds ({key: fd})."""
        return dict((key, _bpf.prog_info(fd)) for key, fd in fds.items())

    def close(self):
        while self.fds:
            _bpf.close(self.fds.pop())
        if self.stats_fd is not None and not self.stats_closed:
            _bpf.close(self.stats_fd)
            self.stats_closed = True

    def __exit__(self, exc_type, exc, traceback):
        self.close()
        return False


def _is_prog_fd(fd):
    try:
        with open("/proc/self/fdinfo/%d" % fd) as handle:
            return "prog_type:" in handle.read()
    except (IOError, OSError):
        return False


def pinned_programs(root):
    """Open every program pinned under root; return {id: (fd, pin)}."""
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
            if not _is_prog_fd(fd):
                _bpf.close(fd)
                continue
            prog_id = _bpf.prog_info(fd)["id"]
            if prog_id in found:
                _bpf.close(fd)
                continue
            found[prog_id] = (fd, path)
    return found
