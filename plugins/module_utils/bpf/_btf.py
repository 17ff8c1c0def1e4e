# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

A reader of raw BTF (the format of /sys/kernel/btf/vmlinux): header, type section, string
section. It keeps what resolving a policy needs: every BTF_KIND_FUNC by name with the number of
parameters of its BTF_KIND_FUNC_PROTO, and the type id of a function (what LSM and fentry programs
are loaded against). Standard library only (runs on managed hosts).

    read_btf(path) -> bytes of a BTF file, within MAX_BTF_BYTES        (raises BtfError)
    func_arg_counts(data) -> {function name: number of parameters}   (raises BtfError)
    function_ids(names, path) -> {function name: BTF type id}        (raises BtfError)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._files import read_regular

VMLINUX = "/sys/kernel/btf/vmlinux"
BTF_MAGIC = 0xEB9F
MAX_BTF_BYTES = 256 * 1024 * 1024
MAX_TYPES = 1024 * 1024  # the vmlinux BTF of a distribution kernel has about 130,000 types
KIND_FUNC = 12
KIND_FUNC_PROTO = 13
# Bytes that follow the 12-byte common type header, per kind: (fixed, per vlen entry).
_TRAILER = {
    0: (0, 0), 1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 7: (0, 0),
    8: (0, 0), 9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0), 13: (0, 8), 14: (4, 0), 15: (0, 12),
    16: (0, 0), 17: (4, 0), 18: (0, 0), 19: (0, 12),
}


class BtfError(Exception):
    """The data is not BTF this reader understands."""


def _header(data):
    if len(data) < 24:
        raise BtfError("too short for a BTF header (%d bytes)" % len(data))
    for order in ("<", ">"):
        magic, version, _flags, hdr_len = struct.unpack_from(order + "HBBI", data, 0)
        if magic == BTF_MAGIC:
            break
    else:
        raise BtfError("bad magic 0x%04x (BTF starts with 0xeb9f)" % struct.unpack_from("<H", data, 0)[0])
    if version != 1:
        raise BtfError("BTF version %d is not supported (expected 1)" % version)
    if hdr_len < 24 or hdr_len > len(data):
        raise BtfError("header length %d is out of range" % hdr_len)
    type_off, type_len, str_off, str_len = struct.unpack_from(order + "IIII", data, 8)
    types = (hdr_len + type_off, hdr_len + type_off + type_len)
    strings = (hdr_len + str_off, hdr_len + str_off + str_len)
    for start, end in (types, strings):
        if end > len(data) or start > end:
            raise BtfError("section [%d, %d) lies outside the %d bytes of data" % (start, end, len(data)))
    return order, types, strings


def _types(data):
    """(type id, kind, vlen, name offset, size or type) of every function and function prototype, and the
    string section."""
    if len(data) > MAX_BTF_BYTES:
        raise BtfError("%d bytes is over the %d-byte limit" % (len(data), MAX_BTF_BYTES))
    order, (pos, end), (str_start, str_end) = _header(data)
    unpack = struct.Struct(order + "III").unpack_from
    types = []
    type_id = 0
    while pos < end:
        if pos + 12 > end:
            raise BtfError("truncated type header at byte %d" % pos)
        name_off, info, size_or_type = unpack(data, pos)
        type_id += 1
        if type_id > MAX_TYPES:
            raise BtfError("more than %d types" % MAX_TYPES)
        kind = (info >> 24) & 0x1F
        vlen = info & 0xFFFF
        if kind in (KIND_FUNC, KIND_FUNC_PROTO):
            types.append((type_id, kind, vlen, name_off, size_or_type))
        try:
            fixed, per = _TRAILER[kind]
        except KeyError:
            raise BtfError("unknown BTF kind %d (type id %d)" % (kind, type_id))
        pos += 12 + fixed + per * vlen
    if pos != end:
        raise BtfError("type section ends inside type id %d" % type_id)
    return types, data[str_start:str_end]


def _name(strings, name_off):
    stop = strings.find(b"\x00", name_off)
    if name_off >= len(strings) or stop < 0:
        raise BtfError("function name offset %d is outside the string section" % name_off)
    return strings[name_off:stop].decode("utf-8", "replace")


def func_arg_counts(data):
    """{name: parameter count} of every named BTF_KIND_FUNC in raw BTF `data` (bytes)."""
    types, strings = _types(data)
    protos = dict((type_id, vlen) for type_id, kind, vlen, _n, _s in types if kind == KIND_FUNC_PROTO)
    out = {}
    for _id, kind, _vlen, name_off, proto in types:
        if kind == KIND_FUNC:
            name = _name(strings, name_off)
            if name:
                out[name] = protos.get(proto, 0)
    return out


def read_btf(path):
    """The bytes of the BTF file at `path`: a regular file of at most MAX_BTF_BYTES (a FIFO, device or
    directory is refused without blocking, a larger file without reading it all)."""
    try:
        data = read_regular(path, MAX_BTF_BYTES)
    except (IOError, OSError) as exc:
        raise BtfError("cannot read the kernel's BTF %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF)"
                       % (path, exc.strerror or exc))
    if len(data) > MAX_BTF_BYTES:
        raise BtfError("%s is over the %d-byte limit of BTF" % (path, MAX_BTF_BYTES))
    return data


def function_ids(names, path=VMLINUX):
    """{name: BTF type id} for the functions of `names` that the BTF file at `path` has."""
    data = read_btf(path)
    try:
        types, strings = _types(data)
    except BtfError as exc:
        raise BtfError("%s is not BTF this reader understands: %s" % (path, exc))
    wanted = set(names)
    found = {}
    for type_id, kind, _vlen, name_off, _s in types:
        if kind == KIND_FUNC:
            name = _name(strings, name_off)
            if name in wanted:
                found[name] = type_id
    return found
