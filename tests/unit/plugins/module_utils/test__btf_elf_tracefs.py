# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The readers behind policy_resolve: raw BTF, ELF symbol tables, tracefs formats, kallsyms."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import struct

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _btf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._btf import BtfError, func_arg_counts
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._elf import ElfError, elf_symbols, elf_usdt_probes
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_symbols import parse_kallsyms
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tracefs import Tracefs, format_fields
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, elf_blob, format_text, within)


@pytest.mark.parametrize("order", ["<", ">"])
def test_btf_functions_and_their_parameter_counts(order):
    funcs = {"tcp_sendmsg": 3, "bpf_lsm_file_open": 1, "noargs": 0}
    assert func_arg_counts(btf_blob(funcs, order)) == funcs


def test_btf_skips_variable_length_kinds_correctly():
    # the struct (2 members) and enum (1 value) before the functions must be skipped by their vlen
    assert list(func_arg_counts(btf_blob({"after_struct": 2}))) == ["after_struct"]


@pytest.mark.parametrize("mangle, message", [
    (lambda b: b[:10], "too short"),
    (lambda b: b"\x00\x00" + b[2:], "bad magic"),
    (lambda b: b[:2] + b"\x02" + b[3:], "version 2"),
    (lambda b: b[:12] + struct.pack("<I", 10 ** 6) + b[16:], "outside"),
    (lambda b: b[:24] + struct.pack("<III", 0, 30 << 24, 0) + b[36:], "unknown BTF kind 30"),
])
def test_btf_bad_input_is_a_clear_error(mangle, message):
    with pytest.raises(BtfError) as exc:
        func_arg_counts(mangle(btf_blob({"f": 1})))
    assert message in str(exc.value)


@pytest.mark.parametrize("is64", [True, False])
def test_elf_defined_symbols_only(is64):
    names = elf_symbols(io.BytesIO(elf_blob(["readline", "main"], undefined=["malloc"], is64=is64)))
    assert names == {"readline", "main"}


@pytest.mark.parametrize("is64", [True, False])
def test_elf_usdt_probes_from_stapsdt_notes(is64):
    blob = elf_blob(["main"], is64=is64, usdt=[("python", "function__entry"), ("app", "ready")])
    assert elf_usdt_probes(io.BytesIO(blob)) == {("python", "function__entry"), ("app", "ready")}
    assert elf_usdt_probes(io.BytesIO(elf_blob(["main"]))) == set()


def test_elf_rejects_non_elf_and_truncation():
    with pytest.raises(ElfError, match="not an ELF"):
        elf_symbols(io.BytesIO(b"#!/bin/sh\necho hi\n"))
    with pytest.raises(ElfError, match="truncated"):
        elf_symbols(io.BytesIO(elf_blob(["a"])[:-20]))


def test_tracefs_format_counts_common_fields():
    fields = format_fields(format_text("sys_enter", ["long id", "unsigned long args[6]"]))
    assert len(fields) == 6 and fields[4] == "long id" and fields[0] == "unsigned short common_type"


def test_kallsyms_text_symbols_with_modules():
    text = ("ffffffff81000000 T _stext\n0000000000000000 t tcp_sendmsg\n0 D some_data\n"
            "0 t nf_hook [nf_tables]\nbroken line\n")
    assert parse_kallsyms(text) == {"_stext": "", "tcp_sendmsg": "", "nf_hook": "nf_tables"}


def test_btf_type_count_is_bounded(monkeypatch):
    # a header that declares millions of 12-byte types must stop at the limit, not fill memory
    monkeypatch.setattr(_btf, "MAX_TYPES", 64)
    assert len(func_arg_counts(btf_blob(dict(("f%d" % i, 1) for i in range(8))))) == 8
    with pytest.raises(BtfError) as exc:
        func_arg_counts(btf_blob(dict(("f%d" % i, 1) for i in range(64))))
    assert "more than 64 types" in str(exc.value)


def test_read_btf_refuses_fifos_devices_directories_and_oversize(tmp_path, monkeypatch):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for path in (fifo, os.devnull, str(tmp_path)):
        with within(5), pytest.raises(BtfError) as exc:
            _btf.read_btf(path)
        assert path in str(exc.value) and "not a regular file" in str(exc.value)
    big = tmp_path / "big"
    big.write_bytes(btf_blob({"f": 1}) + b"\0" * 4096)
    monkeypatch.setattr(_btf, "MAX_BTF_BYTES", 4096)
    with pytest.raises(BtfError) as exc:
        _btf.read_btf(str(big))
    assert "over the 4096-byte limit" in str(exc.value) and str(big) in str(exc.value)


def test_tracefs_format_that_is_a_fifo_is_unreadable_not_a_hang(tmp_path):
    event = tmp_path / "events" / "sched" / "sched_switch"
    event.mkdir(parents=True)
    os.mkfifo(str(event / "format"))
    with within(5):
        assert Tracefs(str(tmp_path)).fields("sched", "sched_switch") is None
