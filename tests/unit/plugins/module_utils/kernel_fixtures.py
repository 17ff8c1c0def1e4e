# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small synthetic kernel files for the resolver's tests: raw BTF, ELF, tracefs trees, kallsyms."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import signal
import struct

COMMON_FIELDS = ("unsigned short common_type", "unsigned char common_flags",
                 "unsigned char common_preempt_count", "int common_pid")


class _Strings(object):
    def __init__(self):
        self.data = b"\x00"

    def add(self, name):
        off = len(self.data)
        self.data += name.encode() + b"\x00"
        return off


def btf_blob(funcs, order="<"):
    """Raw BTF with an int, a struct, an enum and one FUNC + FUNC_PROTO per {name: parameter count}."""
    strings = _Strings()
    types = b""

    def header(name_off, kind, vlen, size_or_type):
        return struct.pack(order + "III", name_off, (kind << 24) | vlen, size_or_type)
    types += header(strings.add("int"), 1, 0, 4) + struct.pack(order + "I", 32)           # id 1
    types += header(strings.add("pair"), 4, 2, 8)                                           # id 2
    types += struct.pack(order + "III", strings.add("a"), 1, 0) + struct.pack(order + "III", strings.add("b"), 1, 32)
    types += header(strings.add("mode"), 6, 1, 4) + struct.pack(order + "Ii", strings.add("M_ON"), 1)  # id 3
    next_id = 4
    for name, nargs in funcs.items():
        types += header(0, 13, nargs, 1)
        for i in range(nargs):
            types += struct.pack(order + "II", strings.add("p%d" % i), 1)
        types += header(strings.add(name), 12, 1, next_id)
        next_id += 2
    head = struct.pack(order + "HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings.data))
    return head + types + strings.data


def _note(name, ntype, desc):
    padded = lambda b: b + b"\x00" * (-len(b) % 4)  # noqa: E731
    return struct.pack("<III", len(name) + 1, len(desc), ntype) + padded(name + b"\x00") + padded(desc)


def elf_blob(defined, undefined=(), is64=True, usdt=()):
    """A little-endian ELF with a .symtab of `defined` symbols (section 1) and `undefined` ones, and a
    .note.stapsdt of (provider, name) USDT probes."""
    strtab = _Strings()
    shstr = _Strings()
    sym_fmt = "<IBBHQQ" if is64 else "<IIIBBH"
    addr = "<QQQ" if is64 else "<III"
    symtab = struct.pack(sym_fmt, *([0] * 6))
    for name, shndx in [(n, 1) for n in defined] + [(n, 0) for n in undefined]:
        if is64:
            symtab += struct.pack(sym_fmt, strtab.add(name), 0x12, 0, shndx, 0x1000, 8)
        else:
            symtab += struct.pack(sym_fmt, strtab.add(name), 0x1000, 8, 0x12, 0, shndx)
    notes = b"".join(_note(b"stapsdt", 3, struct.pack(addr, 0x10, 0x20, 0) + p.encode() + b"\x00" + n.encode()
                           + b"\x00-4@%edi\x00") for p, n in usdt)
    # (name, type, data, link, entsize)
    bodies = [(".strtab", 3, strtab.data, 0, 0), (".symtab", 2, symtab, 1, struct.calcsize(sym_fmt)),
              (".note.stapsdt", 7, notes, 0, 0), (".shstrtab", 3, None, 0, 0)]
    names = [shstr.add(b[0]) for b in bodies]
    bodies[-1] = (".shstrtab", 3, shstr.data, 0, 0)
    offset = 64 if is64 else 52
    blob = b""
    headers = [(0,) * 10]
    for (name, stype, data, link, entsize), name_off in zip(bodies, names):
        headers.append((name_off, stype, 0, 0, offset + len(blob), len(data), link, 1 if stype == 2 else 0,
                        8 if is64 else 4, entsize))
        blob += data
    sh_off = offset + len(blob)
    if is64:
        sh_fmt = "<IIQQQQIIQQ"
        ehdr = b"\x7fELF" + bytes([2, 1, 1]) + b"\x00" * 9 + struct.pack(
            "<HHIQQQIHHHHHH", 2, 62, 1, 0, 0, sh_off, 0, 64, 0, 0, 64, len(headers), len(headers) - 1)
    else:
        sh_fmt = "<IIIIIIIIII"
        ehdr = b"\x7fELF" + bytes([1, 1, 1]) + b"\x00" * 9 + struct.pack(
            "<HHIIIIIHHHHHH", 2, 3, 1, 0, 0, sh_off, 0, 52, 0, 0, 40, len(headers), len(headers) - 1)
    return ehdr + blob + b"".join(struct.pack(sh_fmt, *h) for h in headers)


def format_text(name, fields):
    lines = ["name: %s" % name, "ID: 1", "format:"]
    for i, field in enumerate(COMMON_FIELDS + tuple(fields)):
        lines.append("\tfield:%s;\toffset:%d;\tsize:8;\tsigned:0;" % (field, i * 8))
        if i == len(COMMON_FIELDS) - 1:
            lines.append("")
    lines.append("")
    lines.append('print fmt: "x"')
    return "\n".join(lines) + "\n"


def tracefs_tree(root, events):
    """root/events/<subsystem>/<event>/format for {"subsystem/event": [own fields]}."""
    for target, fields in events.items():
        subsystem, event = target.split("/")
        path = os.path.join(root, "events", subsystem, event)
        os.makedirs(path)
        with open(os.path.join(path, "format"), "w") as handle:
            handle.write(format_text(event, fields))
    return root


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)
    return str(path)


@contextlib.contextmanager
def within(seconds):
    """Fails the test (instead of hanging the suite) when the body blocks longer than `seconds`."""
    def expire(*_args):
        raise AssertionError("blocked for over %d s" % seconds)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
