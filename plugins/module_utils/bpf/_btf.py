# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Finds the BTF type ids of kernel functions in the kernel's BTF (/sys/kernel/btf/vmlinux), which LSM and
fentry programs are loaded against. Standard library only.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import struct

VMLINUX = "/sys/kernel/btf/vmlinux"
BTF_MAGIC = 0xeB9F
KIND_FUNC = 12
MAX_BTF_BYTES = 64 * 1024 * 1024
# Bytes that follow the 12-byte btf_type, by kind: a fixed size, or a size per member (vlen).
_FIXED = {1: 4, 3: 12, 14: 4, 17: 4}
_PER_MEMBER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}


class BtfError(Exception):
    pass


def function_ids(names, path=VMLINUX):
    """Return {name: BTF id} for the functions in `names` that the BTF at `path` has."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BTF_BYTES + 1)
    except (IOError, OSError) as exc:
        raise BtfError("cannot read the kernel's BTF %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF)"
                       % (path, exc))
    if len(data) > MAX_BTF_BYTES or len(data) < 24:
        raise BtfError("%s is not a BTF file of a sane size (%d bytes)" % (path, len(data)))
    magic, _version, _flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", data, 0)
    if magic != BTF_MAGIC:
        raise BtfError("%s is not BTF (magic 0x%x)" % (path, magic))
    strings = data[hdr_len + str_off:hdr_len + str_off + str_len]
    wanted = {}
    for name in names:
        offset = strings.find(b"\0" + name.encode("ascii", "replace") + b"\0")
        if offset >= 0:
            wanted[offset + 1] = name
    found = {}
    pos, end, type_id = hdr_len + type_off, hdr_len + type_off + type_len, 0
    while pos < end and len(found) < len(wanted):
        name_off, info = struct.unpack_from("<II", data, pos)
        type_id += 1
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        if kind == KIND_FUNC and name_off in wanted:
            found[wanted[name_off]] = type_id
        pos += 12 + _FIXED.get(kind, 0) + _PER_MEMBER.get(kind, 0) * vlen
    return found
