# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Reading the kernel's files (and copies of them given by path) in bounded time: only regular files are
read, and a FIFO or device is refused without blocking on its open. Files of /proc and /sys are regular
(their size may read 0). Standard library only (runs on managed hosts).

    open_regular(path) -> binary file object          (raises IOError/OSError)
    read_regular(path, limit) -> at most limit + 1 bytes (raises IOError/OSError)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat


def open_regular(path):
    """`path` opened for binary reading; OSError (EINVAL, "not a regular file") for a directory, FIFO,
    socket or device, whose open or read could block or never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
    except Exception:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path, limit):
    """Up to limit + 1 bytes of the regular file at `path` (one more than the limit tells a file that is
    over it)."""
    with open_regular(path) as handle:
        return handle.read(limit + 1)
