# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property test of the resolver on hostile kernel files (tracefs format text, kallsyms lines) and hostile
hook names: every input ends in findings with a rule and a YAML path, never an exception."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from hypothesis import given, strategies as st

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import RULES, resolve
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz.strategies import generated
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import btf_blob, write

FORMAT_LINES = st.lists(st.one_of(
    st.sampled_from(["field:;", "field:", "\tfield:   ;\tsize:2;", "field:int x;", "field:unsigned long args[6];",
                     "format:", "name: sw", "field:;;;", "print fmt: \"%d\"", "field:\x00;"]),
    st.text(max_size=30).map(lambda text: "field:" + text)), max_size=8)
KALLSYMS_LINES = st.lists(st.one_of(
    st.sampled_from(["0 T tcp_sendmsg", "0 t", "T", "0 t f [", "0 t f []", "0 T f [m] extra", "x y z"]),
    st.text(max_size=30)), max_size=6)
NAMES = st.one_of(st.text(max_size=20), st.sampled_from(
    ["sched", "sw", "..", "../..", "a\x00b", "/", "", "tcp_sendmsg", "/bin/sh", "/bin/ls\x00x", "sys_write"]))
INDICES = st.one_of(st.integers(-5, 1 << 40), st.booleans(), st.none(), st.text(max_size=3))


@given(format_lines=FORMAT_LINES, kallsyms_lines=KALLSYMS_LINES, names=st.lists(NAMES, min_size=6, max_size=6),
       index=INDICES)
def test_resolve_takes_any_kernel_files_and_names(tmp_path_factory, format_lines, kallsyms_lines, names, index):
    generated("resolve kernel files")
    root = str(tmp_path_factory.mktemp("kernel"))
    os.makedirs(os.path.join(root, "tracing", "events", "sched", "sw"))
    write(os.path.join(root, "tracing", "events", "sched", "sw", "format"),
          "\n".join(format_lines).encode("utf-8", "surrogatepass"))
    kallsyms = write(os.path.join(root, "kallsyms"), "\n".join(kallsyms_lines).encode("utf-8", "surrogatepass"))
    btf = write(os.path.join(root, "vmlinux"), btf_blob({"tcp_sendmsg": 3, "bpf_lsm_file_open": 1}))
    args = [{"index": index, "type": "int"}]
    document = {"spec": {
        "tracepoints": [{"subsystem": names[0], "event": names[1], "args": args},
                        {"subsystem": "sched", "event": "sw", "args": args}],
        "kprobes": [{"call": names[2], "syscall": False, "args": args}, {"call": names[3], "args": args}],
        "lsmhooks": [{"hook": names[4], "args": args}],
        "uprobes": [{"path": names[5], "symbols": [names[2]]}],
        "usdts": [{"path": names[5], "provider": names[0], "name": names[1]}],
    }}
    view = KernelView.files(btf=btf, tracefs=os.path.join(root, "tracing"), kallsyms=kallsyms)
    result = resolve(document, view)
    for item in result["findings"]:
        assert item["rule"] in RULES and item["path"].startswith("spec") and item["message"]
