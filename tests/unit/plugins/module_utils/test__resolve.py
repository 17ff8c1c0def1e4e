# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""policy_resolve's logic on a synthetic kernel (BTF, kallsyms, tracefs, config built in the test)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import (
    RULES, kernel_features, resolve, syscall_symbol)
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.kernel_fixtures import (
    btf_blob, elf_blob, tracefs_tree, within, write)

FUNCS = {"tcp_sendmsg": 3, "security_file_open": 1, "__x64_sys_unlinkat": 1, "__x64_sys_unlink": 1,
         "__x64_sys_renameat": 1, "__x64_sys_write": 1, "bpf_lsm_file_open": 1, "bpf_lsm_bprm_check_security": 1,
         "__x64_sys_read": 1}
KALLSYMS = "0 T tcp_sendmsg\n0 t tcp_sendmsg.isra.0\n0 t nft_do_chain [nf_tables]\n0 t xt_mod_fn [xt_mod]\n"
EVENTS = {"raw_syscalls/sys_enter": ["long id", "unsigned long args[6]"], "raw_syscalls/sys_exit": ["long id", "long ret"],
          "syscalls/sys_enter_unlinkat": ["int __syscall_nr", "int dfd", "const char * pathname", "int flag"]}
CONFIG = "CONFIG_KPROBES=y\nCONFIG_BPF_LSM=y\nCONFIG_LSM=\"landlock,bpf\"\nCONFIG_FPROBE=y\n" \
         "CONFIG_BPF_KPROBE_OVERRIDE=y\nCONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y\n"


@pytest.fixture
def kernel(tmp_path):
    """Build a synthetic host; returns a factory of KernelView with overridable files."""
    btf = write(tmp_path / "vmlinux", btf_blob(FUNCS))
    kallsyms = write(tmp_path / "kallsyms", KALLSYMS)
    tracefs = tracefs_tree(str(tmp_path / "tracing"), EVENTS)
    config = write(tmp_path / "config", CONFIG)
    lsm = write(tmp_path / "lsm", "lockdown,capability,bpf")
    boot = write(tmp_path / "boot_id", "3cb970fe-bea2-4d69-9eb0-1eecb8f10e8f\n")
    modbtf = tmp_path / "btf"
    modbtf.mkdir()
    write(modbtf / "nf_tables", b"")
    pmu = tmp_path / "kprobe_pmu"
    pmu.mkdir()

    def make(**kw):
        args = dict(btf=btf, tracefs=tracefs, kallsyms=kallsyms, config=config, lsm=lsm, cmdline=None,
                    error_injection=None, kprobe_pmu=str(pmu), boot_id=boot, cache_dir=None, machine="x86_64",
                    module_btf_dir=str(modbtf), source="host")
        args.update(kw)
        return KernelView(**args)
    make.tmp = tmp_path
    return make


def policy(**spec):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "p"}, "spec": spec}


def rules(result):
    return sorted((f["rule"], f["severity"], f["path"]) for f in result["findings"])


EXAMPLE_KPROBE = policy(lists=[{"name": "delete", "type": "syscalls", "values": ["sys_unlink", "sys_unlinkat",
                                                                                  "sys_renameat"]}],
                        kprobes=[{"call": "list:delete"}])


def test_syscall_list_resolves_with_the_hosts_prefix(kernel):
    result = resolve(EXAMPLE_KPROBE, kernel())
    assert result["valid"] and result["findings"] == []
    assert [r["symbol"] for r in result["resolved"]] == ["__x64_sys_unlink", "__x64_sys_unlinkat",
                                                        "__x64_sys_renameat"]
    assert result["resolved"][0]["path"] == "spec.lists[0].values[0]"


def test_missing_function_is_r1_with_a_close_match(kernel):
    result = resolve(policy(kprobes=[{"call": "tcpsendmsg", "syscall": False}]), kernel())
    assert rules(result) == [("R1", "error", "spec.kprobes[0].call")]
    assert "tcp_sendmsg" in result["findings"][0]["hint"] and not result["valid"]


def test_ignore_call_not_found_is_a_warning(kernel):
    result = resolve(policy(kprobes=[{"call": "tcpsendmsg", "syscall": False, "ignore": {"callNotFound": True}}]),
                     kernel())
    assert rules(result) == [("R1", "warning", "spec.kprobes[0].call")] and result["valid"]


@pytest.mark.parametrize("call", ["sys_mymount", "__x64_sys_setnsx"])
def test_missing_syscall_is_r2(kernel, call):
    result = resolve(policy(kprobes=[{"call": call}]), kernel())
    assert rules(result) == [("R2", "error", "spec.kprobes[0].call")]


def test_syscall_call_resolves_prefixed_and_as_written(kernel):
    result = resolve(policy(kprobes=[{"call": "sys_write"}, {"call": "__x64_sys_write"}]), kernel())
    assert result["valid"] and rules(result) == []
    assert [r["symbol"] for r in result["resolved"]] == ["__x64_sys_write", "__x64_sys_write"]


def test_default_syscall_true_on_a_plain_function_is_r2(kernel):
    # Tetragon prefixes the call before the BTF lookup: security_file_open becomes __x64_security_file_open
    result = resolve(policy(kprobes=[{"call": "security_file_open"}]), kernel())
    assert rules(result) == [("R2", "error", "spec.kprobes[0].call")]
    assert "__x64_security_file_open" in result["findings"][0]["message"]
    assert "set syscall: false" in result["findings"][0]["hint"]


def test_function_only_in_kallsyms_is_rejected_when_btf_exists(kernel):
    result = resolve(policy(kprobes=[{"call": "tcp_sendmsg.isra.0", "syscall": False}]), kernel())
    assert rules(result) == [("R1", "error", "spec.kprobes[0].call")]
    assert "not in BTF" in result["findings"][0]["message"]


def test_module_function_needs_module_btf(kernel):
    result = resolve(policy(kprobes=[{"call": "nft_do_chain", "syscall": False},
                                     {"call": "xt_mod_fn", "syscall": False}]), kernel())
    assert rules(result) == [("R1", "error", "spec.kprobes[1].call")]
    assert result["resolved"][0]["source"] == "module nf_tables"


def test_kallsyms_is_the_fallback_without_btf(kernel):
    result = resolve(policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False}, {"call": "tcpsendmsg",
                                                                                 "syscall": False}]),
                     kernel(btf=str(kernel.tmp / "missing")))
    assert rules(result) == [("R1", "error", "spec.kprobes[1].call")]
    assert result["resolved"][0]["source"] == "kallsyms"


def test_no_btf_and_no_kallsyms_is_reported_not_guessed(kernel):
    result = resolve(policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False}]),
                     kernel(btf=None, kallsyms=None))
    assert rules(result) == [("R14", "warning", "spec")]


def test_arg_index_beyond_btf_parameters_is_r6(kernel):
    result = resolve(policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False,
                                      "args": [{"index": 2, "type": "int"}, {"index": 3, "type": "int"}]}]), kernel())
    assert rules(result) == [("R6", "warning", "spec.kprobes[0].args[1].index")]


def test_syscall_wrapper_parameters_are_not_counted(kernel):
    # __x64_sys_* take one pt_regs; a syscall kprobe's args are the syscall's, not the wrapper's
    result = resolve(policy(kprobes=[{"call": "sys_write", "args": [{"index": 2, "type": "size_t"}]}]), kernel())
    assert rules(result) == []


def test_tracepoints(kernel):
    result = resolve(policy(tracepoints=[
        {"subsystem": "raw_syscalls", "event": "sys_enters"},
        {"subsystem": "raw_syscall", "event": "sys_enter"},
        {"subsystem": "raw_syscalls", "event": "sys_exit", "args": [{"index": 4}, {"index": 5}, {"index": 6}]},
        {"subsystem": "raw_syscalls", "event": "sys_exit", "raw": True, "args": [{"index": 5}]},
    ]), kernel())
    assert rules(result) == [("R3", "error", "spec.tracepoints[0].event"),
                             ("R3", "error", "spec.tracepoints[1].subsystem"),
                             ("R4", "error", "spec.tracepoints[2].args[2].index")]
    hints = [f["hint"] for f in result["findings"]]
    assert "sys_enter" in hints[0] and "raw_syscalls" in hints[1] and "4=id, 5=ret" in hints[2]


def test_tracepoint_path_traversal_is_just_missing(kernel):
    result = resolve(policy(tracepoints=[{"subsystem": "..", "event": "tracing"}]), kernel())
    assert rules(result) == [("R3", "error", "spec.tracepoints[0].subsystem")]


def test_lsm_hooks(kernel):
    result = resolve(policy(lsmhooks=[{"hook": "file_open"}, {"hook": "file_opn"}, {"hook": "security_file_open"},
                                      {"hook": "bprm_check_security", "args": [{"index": 1, "type": "file"}]}]),
                     kernel())
    assert rules(result) == [("R5", "error", "spec.lsmhooks[1].hook"), ("R5", "error", "spec.lsmhooks[2].hook"),
                             ("R6", "warning", "spec.lsmhooks[3].args[0].index")]
    assert "without the security_ prefix: file_open" in result["findings"][1]["hint"]


def test_bpf_lsm_inactive_and_unknown(kernel, tmp_path):
    inactive = kernel(lsm=write(tmp_path / "lsm2", "lockdown,capability"))
    assert rules(resolve(policy(lsmhooks=[{"hook": "file_open"}]), inactive)) == [("R12", "error", "spec.lsmhooks")]
    by_cmdline = kernel(lsm=None, cmdline=write(tmp_path / "cmdline", "ro lsm=landlock,yama quiet"))
    assert rules(resolve(policy(lsmhooks=[{"hook": "file_open"}]), by_cmdline)) == [("R12", "error",
                                                                                     "spec.lsmhooks")]
    by_config = kernel(lsm=None)
    assert resolve(policy(lsmhooks=[{"hook": "file_open"}]), by_config)["findings"] == []
    unknown = kernel(lsm=None, config=None)
    assert rules(resolve(policy(lsmhooks=[{"hook": "file_open"}]), unknown)) == [("R14", "warning",
                                                                                  "spec.lsmhooks")]


def test_no_kprobes_is_a_warning_and_symbols_stay_valid(kernel, tmp_path):
    view = kernel(kprobe_pmu=None, config=write(tmp_path / "c2", "# CONFIG_KPROBES is not set\n"))
    result = resolve(EXAMPLE_KPROBE, view)
    assert rules(result) == [("R9", "warning", "spec.kprobes")] and result["valid"]
    assert "CONFIG_KPROBES" in result["findings"][0]["message"]


def test_kprobe_multi_missing_is_info(kernel, tmp_path):
    view = kernel(config=write(tmp_path / "c3", CONFIG.replace("CONFIG_FPROBE=y\n", "")))
    assert rules(resolve(EXAMPLE_KPROBE, view)) == [("R10", "info", "spec.kprobes")]
    disabled = dict(EXAMPLE_KPROBE, spec=dict(EXAMPLE_KPROBE["spec"], options=[
        {"name": "disable-kprobe-multi", "value": "true"}]))
    assert rules(resolve(disabled, view)) == []


def override(call, **extra):
    hook = dict({"call": call, "selectors": [{"matchActions": [{"action": "Override", "argError": -1}]}]}, **extra)
    return policy(kprobes=[hook])


def test_override_needs_its_kernel_feature(kernel, tmp_path):
    path = "spec.kprobes[0].selectors[0].matchActions[0]"
    full = kernel()
    assert rules(resolve(override("sys_write"), full)) == []
    assert rules(resolve(override("security_file_open", syscall=False), full)) == []
    bare = kernel(config=write(tmp_path / "c4", "CONFIG_KPROBES=y\n"))
    assert rules(resolve(override("sys_write"), bare)) == [("R11", "error", path)]
    assert rules(resolve(override("security_file_open", syscall=False), bare)) == [("R11", "error", path)]
    listed = kernel(error_injection=write(tmp_path / "ei", "__x64_sys_read\tERRNO\n"))
    result = resolve(override("sys_write"), listed)
    assert rules(result) == [("R11", "error", path)] and "error-injection list" in result["findings"][0]["message"]


def test_fentries_need_btf_and_trampolines(kernel, tmp_path):
    assert rules(resolve(policy(fentries=[{"call": "tcp_sendmsg", "syscall": False}]), kernel())) == []
    no_tramp = kernel(config=write(tmp_path / "c5", "CONFIG_KPROBES=y\n"))
    assert rules(resolve(policy(fentries=[{"call": "tcp_sendmsg", "syscall": False}]), no_tramp)) == [
        ("R13", "error", "spec.fentries")]
    only_kallsyms = kernel(btf=None)
    assert rules(resolve(policy(fentries=[{"call": "tcp_sendmsg", "syscall": False}]), only_kallsyms)) == [
        ("R1", "error", "spec.fentries[0].call"), ("R13", "error", "spec.fentries")]


def test_uprobes(kernel, tmp_path):
    binary = write(tmp_path / "app", elf_blob(["readline", "main"], undefined=["malloc"]))
    script = write(tmp_path / "script", "#!/bin/sh\n")
    result = resolve(policy(uprobes=[{"path": binary, "symbols": ["readline", "readlin", "malloc"]},
                                     {"path": str(tmp_path / "nope"), "symbols": ["x"]},
                                     {"path": script, "symbols": ["x"]}, {"path": "app", "symbols": ["x"]}]),
                     kernel())
    assert rules(result) == [("R7", "error", "spec.uprobes[1].path"), ("R7", "error", "spec.uprobes[2].path"),
                             ("R7", "error", "spec.uprobes[3].path"), ("R8", "error", "spec.uprobes[0].symbols[1]"),
                             ("R8", "error", "spec.uprobes[0].symbols[2]")]
    assert "readline" in result["findings"][0]["hint"] or "readline" in str(result["findings"])


def test_generated_and_unknown_lists_are_left_to_the_agent_and_lint(kernel):
    doc = policy(lists=[{"name": "all", "type": "generated_syscalls"}], kprobes=[{"call": "list:all"},
                                                                                {"call": "list:missing"}])
    result = resolve(doc, kernel())
    assert result["findings"] == [] and result["resolved"][0]["found"] is None


@pytest.mark.parametrize("doc", [None, [], {"spec": []}, {"kind": "TracingPolicy"}])
def test_not_a_policy_is_a_value_error(kernel, doc):
    with pytest.raises(ValueError, match="no spec mapping"):
        resolve(doc, kernel())


def test_malformed_hooks_are_skipped_not_crashed(kernel):
    doc = policy(kprobes=["x", {"call": 5}, {"call": ""}], tracepoints=[None, {"subsystem": ["a"]}],
                 lsmhooks=[{"hook": None}], uprobes=[{"path": 3}], lists="nope")
    assert resolve(doc, kernel())["findings"] == []


def test_files_mode_checks_no_features(kernel):
    view = KernelView.files(btf=kernel().btf_path)
    result = resolve(policy(kprobes=[{"call": "sys_unlinkat"}], lsmhooks=[{"hook": "file_open"}]), view)
    assert result["findings"] == []
    assert all(f["available"] is None for f in kernel_features(view).values())


def test_btf_cache_per_boot(kernel, tmp_path):
    cache = str(tmp_path / "cache")
    first = kernel(cache_dir=cache)
    assert resolve(EXAMPLE_KPROBE, first)["summary"]["btf"] == "parsed"
    assert oct(os.stat(cache).st_mode & 0o777) == "0o700"
    second = kernel(cache_dir=cache)
    assert resolve(EXAMPLE_KPROBE, second)["summary"]["btf"] == "cached"
    rebooted = kernel(cache_dir=cache, boot_id=write(tmp_path / "boot2", "11111111-2222-3333-4444-555555555555"))
    assert resolve(EXAMPLE_KPROBE, rebooted)["summary"]["btf"] == "parsed"
    assert os.listdir(cache) == ["btf-funcs-11111111-2222-3333-4444-555555555555.json"]


def test_btf_cache_refuses_a_shared_directory(kernel, tmp_path):
    cache = tmp_path / "shared"
    cache.mkdir()
    os.chmod(str(cache), 0o777)
    resolve(EXAMPLE_KPROBE, kernel(cache_dir=str(cache)))
    assert os.listdir(str(cache)) == []


def test_corrupt_btf_is_reported(kernel, tmp_path):
    view = kernel(btf=write(tmp_path / "bad", b"\x9f\xeb\x01\x00" + b"\x00" * 4), kallsyms=None)
    result = resolve(policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False}]), view)
    assert rules(result) == [("R14", "warning", "spec")] and "too short" in result["findings"][0]["message"]


def test_syscall_symbol_abis():
    assert syscall_symbol("sys_dup", "__arm64_") == "__arm64_sys_dup"
    assert syscall_symbol("i386/sys_dup", "__x64_") == "__ia32_sys_dup"
    assert syscall_symbol("__x64_sys_dup", "__arm64_") == "__x64_sys_dup"


def test_every_rule_has_severity_and_text():
    assert all(sev in ("error", "warning", "info") and text for sev, text in RULES.values())


def test_uprobe_path_that_is_not_a_regular_file_is_not_opened(kernel, tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    result = resolve(policy(uprobes=[{"path": fifo, "symbols": ["x"]}, {"path": str(tmp_path), "symbols": ["x"]}]),
                     kernel())
    assert rules(result) == [("R7", "error", "spec.uprobes[0].path"), ("R7", "error", "spec.uprobes[1].path")]
    assert "not a regular file" in result["findings"][0]["message"]


def test_many_typos_stay_fast_and_keep_their_findings(kernel):
    calls = [{"call": "no_such_fn_%d" % i, "syscall": False} for i in range(300)]
    result = resolve(policy(kprobes=calls), kernel())
    assert len(result["findings"]) == 300 and all(f["rule"] == "R1" for f in result["findings"])


def test_usdt_provider_and_name_from_the_binarys_notes(kernel, tmp_path):
    binary = write(tmp_path / "app", elf_blob(["main"], usdt=[("app", "ready"), ("app", "done")]))
    bare = write(tmp_path / "bare", elf_blob(["main"]))
    result = resolve(policy(usdts=[{"path": binary, "provider": "app", "name": "ready"},
                                   {"path": binary, "provider": "app", "name": "reddy"},
                                   {"path": bare, "provider": "app", "name": "ready"}]), kernel())
    assert rules(result) == [("R8", "error", "spec.usdts[1].name"), ("R8", "error", "spec.usdts[2].name")]
    assert "app:done, app:ready" in result["findings"][0]["hint"]
    assert "no USDT probes at all" in result["findings"][1]["hint"]
    assert [r["found"] for r in result["resolved"]] == [True, False, False]


@pytest.mark.parametrize("content", [
    '{"key": "%s", "funcs": {"tcp_sendmsg": "3"}}',    # a count that is not a number
    '{"key": "%s", "funcs": {"tcp_sendmsg": -1}}',
    '{"key": "%s", "funcs": ["tcp_sendmsg"]}',
    "[" * 100000,                                       # nesting deeper than json's recursion
    '{"key": "%s", "funcs": {"tcp_sendmsg": 3',          # a write cut short
    b"\xff\xfe not utf-8",
])
def test_corrupt_btf_cache_is_parsed_again_and_replaced(kernel, tmp_path, content):
    cache = str(tmp_path / "cache")
    first = kernel(cache_dir=cache)
    doc = policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False, "args": [{"index": 3, "type": "int"}]}])
    assert rules(resolve(doc, first)) == [("R6", "warning", "spec.kprobes[0].args[0].index")]
    (name,) = os.listdir(cache)
    key = first._cache_file(os.stat(first.btf_path).st_size,
                            os.stat(first.btf_path).st_mtime_ns)[1]
    write(tmp_path / "cache" / name, content if isinstance(content, bytes) else content.replace("%s", key))
    second = kernel(cache_dir=cache)
    result = resolve(doc, second)
    assert result["summary"]["btf"] == "parsed"
    assert rules(result) == [("R6", "warning", "spec.kprobes[0].args[0].index")]
    assert resolve(doc, kernel(cache_dir=cache))["summary"]["btf"] == "cached"


def test_btf_cache_leaves_no_partial_file(kernel, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    write(cache / ".btf-leftover", "{")   # a temporary file of a write that was killed

    def full(*_args, **_kw):
        raise IOError(28, "No space left on device")
    monkeypatch.setattr("json.dump", full)
    assert resolve(EXAMPLE_KPROBE, kernel(cache_dir=str(cache)))["summary"]["btf"] == "parsed"
    assert os.listdir(str(cache)) == []


@pytest.mark.parametrize("which", ["btf", "kallsyms"])
def test_kernel_files_that_are_fifos_or_devices_are_not_read(kernel, tmp_path, which):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for path in (fifo, os.devnull):
        view = kernel(**{which: path, ("kallsyms" if which == "btf" else "btf"): None})
        with within(5):
            result = resolve(policy(kprobes=[{"call": "tcp_sendmsg", "syscall": False}]), view)
        assert rules(result) == [("R14", "warning", "spec")]
        if which == "btf":
            assert "%s: not a regular file" % path in result["findings"][0]["message"]


def test_odd_format_fields_and_nul_paths_are_findings_not_tracebacks(kernel, tmp_path):
    event = tmp_path / "odd" / "events" / "sched" / "sw"
    event.mkdir(parents=True)
    write(event / "format", "name: sw\nformat:\n\tfield:;\tsize:2;\n\tfield:int pid;\n")
    view = kernel(tracefs=str(tmp_path / "odd"))
    result = resolve(policy(tracepoints=[{"subsystem": "sched", "event": "sw", "args": [{"index": 2}]}],
                            uprobes=[{"path": "/bin/sh\x00x", "symbols": ["main"]}]), view)
    assert rules(result) == [("R4", "error", "spec.tracepoints[0].args[0].index"),
                             ("R7", "error", "spec.uprobes[0].path")]
    assert "0=(unnamed), 1=pid" in result["findings"][0]["hint"]
    assert result["findings"][1]["message"] == "/bin/sh\\0x has a NUL byte"
