# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Symbol names of an ELF file's .symtab and .dynsym (what a uprobe `symbols` entry must name) and its
USDT probes (SystemTap SDT notes: what a usdt's provider and name must match).
Reads only the ELF header, the section headers and the symbol/string tables. Standard library
only (runs on managed hosts).

    elf_symbols(handle) -> set of defined symbol names   (raises ElfError)
    elf_usdt_probes(handle) -> set of (provider, name)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct

SHT_SYMTAB = 2
SHT_DYNSYM = 11
SHN_UNDEF = 0
SHT_NOTE = 7
NT_STAPSDT = 3
MAX_SECTIONS = 65535
MAX_TABLE_BYTES = 256 * 1024 * 1024


class ElfError(Exception):
    """Not an ELF file this reader understands."""


def _read(handle, offset, size, what):
    if size > MAX_TABLE_BYTES:
        raise ElfError("%s is %d bytes, over the %d-byte limit" % (what, size, MAX_TABLE_BYTES))
    handle.seek(offset)
    data = handle.read(size)
    if len(data) != size:
        raise ElfError("%s at byte %d is truncated" % (what, offset))
    return data


def _layout(handle):
    """(is64, byte order, [section header tuples]) of the ELF file open in `handle`."""
    handle.seek(0)
    ident = handle.read(16)
    if len(ident) < 16 or ident[:4] != b"\x7fELF":
        raise ElfError("not an ELF file (no \\x7fELF magic)")
    is64 = {1: False, 2: True}.get(ident[4] if isinstance(ident[4], int) else ord(ident[4]))
    order = {1: "<", 2: ">"}.get(ident[5] if isinstance(ident[5], int) else ord(ident[5]))
    if is64 is None or order is None:
        raise ElfError("unknown ELF class or byte order")
    if is64:
        ehdr = _read(handle, 0, 64, "ELF header")
        shoff, = struct.unpack_from(order + "Q", ehdr, 40)
        shentsize, shnum = struct.unpack_from(order + "HH", ehdr, 58)
        sh_fmt = order + "IIQQQQIIQQ"
    else:
        ehdr = _read(handle, 0, 52, "ELF header")
        shoff, = struct.unpack_from(order + "I", ehdr, 32)
        shentsize, shnum = struct.unpack_from(order + "HH", ehdr, 46)
        sh_fmt = order + "IIIIIIIIII"
    if shoff == 0 or shnum == 0:
        return is64, order, []
    if shentsize < struct.calcsize(sh_fmt) or shnum > MAX_SECTIONS:
        raise ElfError("bad section header table (entry size %d, %d entries)" % (shentsize, shnum))
    table = _read(handle, shoff, shentsize * shnum, "section header table")
    return is64, order, [struct.unpack_from(sh_fmt, table, i * shentsize) for i in range(shnum)]


def elf_symbols(handle):
    """Names of the defined symbols of the ELF file open (binary) in `handle`."""
    is64, order, sections = _layout(handle)
    sym_fmt = order + ("IBBHQQ" if is64 else "IIIBBH")
    names = set()
    for sec in sections:
        sh_type, sh_offset, sh_size, sh_link, sh_entsize = sec[1], sec[4], sec[5], sec[6], sec[9]
        if sh_type not in (SHT_SYMTAB, SHT_DYNSYM) or not sh_entsize:
            continue
        if sh_link >= len(sections):
            raise ElfError("symbol table links to missing section %d" % sh_link)
        strtab = _read(handle, sections[sh_link][4], sections[sh_link][5], "string table")
        symbols = _read(handle, sh_offset, sh_size, "symbol table")
        for i in range(sh_size // sh_entsize):
            sym = struct.unpack_from(sym_fmt, symbols, i * sh_entsize)
            name_off = sym[0]
            shndx = sym[3] if is64 else sym[5]
            if shndx == SHN_UNDEF or not name_off or name_off >= len(strtab):
                continue
            end = strtab.find(b"\x00", name_off)
            names.add(strtab[name_off:end if end >= 0 else len(strtab)].decode("utf-8", "replace"))
    return names


def elf_usdt_probes(handle):
    """{(provider, name)} of the SystemTap SDT notes (.note.stapsdt) of the ELF file open in `handle`."""
    is64, order, sections = _layout(handle)
    addr = 8 if is64 else 4
    probes = set()
    for sec in sections:
        if sec[1] != SHT_NOTE:
            continue
        data = _read(handle, sec[4], sec[5], "note section")
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, ntype = struct.unpack_from(order + "III", data, pos)
            name_start = pos + 12
            desc_start = name_start + ((namesz + 3) & ~3)
            pos = desc_start + ((descsz + 3) & ~3)
            if pos > len(data) + 3:
                raise ElfError("truncated note in section at byte %d" % sec[4])
            if ntype != NT_STAPSDT or data[name_start:name_start + namesz].rstrip(b"\x00") != b"stapsdt":
                continue
            fields = data[desc_start + 3 * addr:desc_start + descsz].split(b"\x00")
            if len(fields) >= 2:
                probes.add((fields[0].decode("utf-8", "replace"), fields[1].decode("utf-8", "replace")))
    return probes
