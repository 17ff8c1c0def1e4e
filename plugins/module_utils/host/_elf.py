# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Symbol names of an ELF file's .symtab and .dynsym (what a uprobe `symbols` entry must name).
Reads only the ELF header, the section headers and the symbol/string tables. Standard library
only (runs on managed hosts).

    elf_symbols(handle) -> set of defined symbol names   (raises ElfError)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct

SHT_SYMTAB = 2
SHT_DYNSYM = 11
SHN_UNDEF = 0
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


def elf_symbols(handle):
    """Names of the defined symbols of the ELF file open (binary) in `handle`."""
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
        sh_fmt, sym_fmt = order + "IIQQQQIIQQ", order + "IBBHQQ"
    else:
        ehdr = _read(handle, 0, 52, "ELF header")
        shoff, = struct.unpack_from(order + "I", ehdr, 32)
        shentsize, shnum = struct.unpack_from(order + "HH", ehdr, 46)
        sh_fmt, sym_fmt = order + "IIIIIIIIII", order + "IIIBBH"
    if shoff == 0 or shnum == 0:
        return set()
    if shentsize < struct.calcsize(sh_fmt) or shnum > MAX_SECTIONS:
        raise ElfError("bad section header table (entry size %d, %d entries)" % (shentsize, shnum))
    table = _read(handle, shoff, shentsize * shnum, "section header table")
    sections = [struct.unpack_from(sh_fmt, table, i * shentsize) for i in range(shnum)]
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
