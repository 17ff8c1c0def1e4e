# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The policy model (hooks, lists, syscall grammar and tables, names) and the loader's value parsing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import json
import os

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _cli as cli
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _model as M
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _selectors as SEL
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_lint
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

POLICY_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "module_utils", "policy")


def _imports(name):
    with open(os.path.join(POLICY_DIR, name)) as handle:
        tree = ast.parse(handle.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add(node.module)
            found.update("%s.%s" % (node.module, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("checker", ["_rules.py", "_overhead.py", "_kernel.py", "_selectors.py", "_model.py"])
def test_checkers_never_import_the_rewriter(checker):
    assert not [m for m in _imports(checker) if m.endswith("_rewrite") or "_rewrite." in m]


def test_the_model_and_its_tables_need_only_the_standard_library():
    for name in ("_model.py", "_syscall_tables.py"):
        modules = _imports(name)
        assert all(m.startswith(("__future__", "ansible_collections.ebpfops.tetragon.plugins.module_utils.policy"))
                   for m in modules), modules
    assert _imports("_common.py") <= {"__future__", "__future__.absolute_import", "__future__.division",
                                      "__future__.print_function"}


SPEC = {
    "lists": [{"name": "l", "type": "syscalls", "values": ["sys_dup"]}, {"name": "l", "values": ["other"]}],
    "selectorsMacros": {"kill": {"matchActions": [{"action": "Sigkill"}]}},
    "kprobes": [{"call": "list:l", "selectors": [{"macros": ["kill"], "matchReturnActions": [{"action": "Post"}]}]},
                "not a hook"],
    "tracepoints": [{"subsystem": "sched", "event": "sched_process_exec"}],
}


def test_hooks_and_actions_walk_every_section():
    assert [(s, k, i, p) for s, k, i, p, _h in M.hooks(SPEC)] == [
        ("kprobes", "kprobe", 0, "spec.kprobes[0]"), ("tracepoints", "tracepoint", 0, "spec.tracepoints[0]")]
    hook = SPEC["kprobes"][0]
    assert [(j, kind, k, a["action"]) for j, kind, k, a in M.actions(hook)] == [(0, "matchReturnActions", 0, "Post")]
    assert sorted(M.action_names(hook, SPEC["selectorsMacros"])) == ["Post", "Sigkill"]


def test_enforcement_in_a_macro_counts():
    assert M.has_enforcement({"spec": SPEC})
    assert not M.has_enforcement({"spec": dict(SPEC, selectorsMacros={})})
    assert M.has_enforcement({"spec": {"enforcers": [{"calls": ["sys_dup"]}]}})


def test_one_reader_of_lists_first_definition_wins():
    assert M.lists_by_name(SPEC)["l"]["type"] == "syscalls"
    assert [(i, p, n) for i, p, _item, n in M.list_entries(SPEC)] == [(0, "spec.lists[0]", "l"),
                                                                       (1, "spec.lists[1]", "l")]
    assert M.list_name("list:l") == "l" and M.list_name("sys_dup") is None
    assert M.is_syscall_list({"type": "generated_syscalls"}) and not M.is_syscall_list({"type": "generated_ftrace"})


@pytest.mark.parametrize("name, call, element", [
    ("sys_write", True, True),
    ("__x64_sys_write", True, True),
    ("__ia32_sys_write", True, True),
    ("__arm64_sys_write", True, True),
    ("compat_sys_write", True, False),
    ("x64/sys_dup", False, True),
    ("arm32/__arm64_sys_dup", False, True),
    ("__s390x_sys_write", False, False),
    ("__x32_sys_write", False, False),
    ("write", False, False),
    ("x86/sys_dup", False, False),
])
def test_syscall_grammar_knows_tetragons_three_prefixes_and_four_abis(name, call, element):
    assert M.is_syscall_call(name) is call
    assert M.is_syscall_list_element(name) is element
    assert M.looks_like_syscall(name) is (call or element)


@pytest.mark.parametrize("name, arch, ok", [
    ("sys_write", "x86_64", True),
    ("sys_newfstat", "x86_64", True),
    ("sys_umount", "x86_64", True),
    ("__x64_sys_setns", "x86_64", True),
    ("i386/sys_socketcall", "x86_64", True),
    ("__ia32_sys_setuid16", "x86_64", True),
    ("sys_write2", "x86_64", False),
    ("sys_mymount", "x86_64", False),
    ("__x64_sys_setnsx", "x86_64", False),
    ("__arm64_sys_write", "x86_64", False),
    ("arm32/sys_open", "x86_64", False),
    ("x64/__ia32_sys_dup", "x86_64", False),
    ("sys_openat", "arm64", True),
    ("arm32/sys_open", "arm64", True),
    ("arm32/__arm64_sys_dup", "arm64", True),
    ("sys_newfstat", "arm64", True),
    ("sys_open", "arm64", False),
    ("x64/sys_dup", "arm64", False),
    ("__x64_sys_dup", "arm64", False),
])
def test_syscall_names_per_target_arch(name, arch, ok):
    assert (M.syscall_problem(name, arch) is None) is ok


def test_syscall_base_strips_abi_prefix_and_compat():
    assert [M.syscall_base(n) for n in ("__x64_sys_unlinkat", "x64/sys_unlinkat", "compat_sys_ioctl",
                                        "sys_unlinkat", "unlinkat", None)] == [
        "unlinkat", "unlinkat", "ioctl", "unlinkat", None, None]


def test_arch_names_and_usage_errors():
    assert M.arch_name(None) == "x86_64" and M.arch_name("amd64") == "x86_64" and M.arch_name("aarch64") == "arm64"
    assert lint.target_arch("arm64") == "arm64"
    with pytest.raises(lint.LintUsageError):
        lint.target_arch("riscv64")


def test_tables_have_the_abis_tetragon_uses():
    assert set(M.ABIS) == set(["x64", "i386", "arm64", "arm32"])
    assert "mseal" in M.syscall_table("x64") and "mseal" in M.syscall_table("arm64")
    assert "open" not in M.syscall_table("arm64") and "open" in M.syscall_table("arm32")
    assert "cilium/tetragon" in M.syscall_tables_source()


# Go strconv.ParseUint/ParseInt (src/strconv/atoi.go): (text, base, bits, value or error).
UINT_CASES = [
    ("0", 0, 32, 0), ("00", 0, 32, 0), ("017", 0, 32, 15), ("0o17", 0, 32, 15), ("0O17", 0, 32, 15),
    ("0x10", 0, 32, 16), ("0X_ff", 0, 32, 255), ("0b101", 0, 32, 5), ("1_000", 0, 32, 1000), ("0_1", 0, 32, 1),
    ("4294967295", 0, 32, 4294967295), ("18446744073709551615", 0, 64, 18446744073709551615),
    ("010", 10, 64, 10),
    ("4294967296", 0, 32, "value out of range"), ("0x100000000", 0, 32, "value out of range"),
    ("18446744073709551616", 0, 64, "value out of range"), ("99999999999999999999x", 0, 64, "value out of range"),
    ("", 0, 32, "invalid syntax"), ("08", 0, 32, "invalid syntax"), ("0x", 0, 32, "invalid syntax"),
    ("0b", 0, 32, "invalid syntax"), ("1e3", 0, 32, "invalid syntax"), ("O_RDONLY", 0, 32, "invalid syntax"),
    ("-1", 0, 32, "invalid syntax"), ("+1", 0, 32, "invalid syntax"), (" 1", 0, 32, "invalid syntax"),
    ("_1", 0, 32, "invalid syntax"), ("1_", 0, 32, "invalid syntax"), ("1__0", 0, 32, "invalid syntax"),
    ("0x10", 10, 64, "invalid syntax"), ("1_0", 10, 64, "invalid syntax"), ("١", 0, 32, "invalid syntax"),
    ("İ", 0, 32, "invalid syntax"),
]
INT_CASES = [
    ("-1", 0, 32, -1), ("+7", 0, 32, 7), ("-0x10", 0, 32, -16), ("2147483647", 0, 32, 2147483647),
    ("-2147483648", 0, 32, -2147483648), ("-9223372036854775808", 0, 64, -9223372036854775808),
    ("2147483648", 0, 32, "value out of range"), ("-2147483649", 0, 32, "value out of range"),
    ("9223372036854775808", 0, 64, "value out of range"),
    ("-", 0, 32, "invalid syntax"), ("+-5", 0, 32, "invalid syntax"), ("--5", 0, 32, "invalid syntax"),
]


@pytest.mark.parametrize("text, base, bits, expected", UINT_CASES)
def test_go_parse_uint(text, base, bits, expected):
    value, error = SEL.go_parse_uint(text, base, bits)
    assert (value if error is None else error) == expected


@pytest.mark.parametrize("text, base, bits, expected", INT_CASES)
def test_go_parse_int(text, base, bits, expected):
    value, error = SEL.go_parse_int(text, base, bits)
    assert (value if error is None else error) == expected


@pytest.mark.parametrize("op, atype, values, rules", [
    ("Equal", "int", ["O_RDONLY"], ["SEL12"]),
    ("Equal", "size_t", ["4294967295"], ["SEL12"]),
    ("Equal", "uint64", ["18446744073709551615"], []),
    ("Equal", "string", ["O_RDONLY"], []),
    ("Equal", "filename", ["/etc/passwd"], ["SEL13"]),
    ("Equal", "cred", [], []),
    ("Equal", "cred", ["0"], ["SEL13"]),
    ("NotEqual", "net_device", ["eth0"], []),
    ("GT", "net_device", ["1"], ["SEL13"]),
    ("Mask", "file", ["1"], ["SEL13"]),
    ("Mask", "kernel_cap_t", ["CAP_SYS_ADMIN,cap_bpf"], []),
    ("Mask", "cap_effective", ["0x200000"], []),
    ("Mask", "cap_effective", ["CAP_ALL"], ["SEL12"]),
    ("InRange", "int64", ["-5:99999999999"], []),
    ("InRange", "uint8", ["0:4294967296"], ["SEL12"]),
    ("InRange", "string", ["1:2"], ["SEL13"]),
    ("InMap", "syscall64", ["list:x", "7"], []),
    ("InMap", "uint32", ["-1"], ["SEL12"]),
    ("NotInMap", "string", ["list:x"], []),
    ("DPort", "sock", ["65536"], []),
    ("State", "sock", ["TCP_SYN_SENT", "1:3"], []),
    ("Protocol", "skb", ["IPPROTO_TCPX"], ["SEL12"]),
    ("Prefix", "int", ["/x"], []),
    ("Equal", "auto", ["O_RDONLY"], []),
])
def test_value_problems_follow_parse_match_arg(op, atype, values, rules):
    assert [rule for rule, _message in SEL.value_problems(op, atype, values)] == rules


def _doc(spec, kind="TracingPolicy", meta=None):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": kind, "metadata": meta or {"name": "x"}, "spec": spec}


def _rules(doc, version=(1, 7, 0), arch=None):
    return [(f["rule"], f["severity"]) for f in lint.lint_document(doc, version, None, arch)]


def test_namespace_rules_follow_the_file_loader():
    # The namespaced kind is host-incompatible anyway (S4); a namespace on the cluster kind fails to load.
    assert ("S3", "warning") in _rules(_doc({}, "TracingPolicyNamespaced"))
    assert ("S3", "error") not in _rules(_doc({}, "TracingPolicyNamespaced"))
    assert ("S3", "error") in _rules(_doc({}, meta={"name": "x", "namespace": "default"}))


def test_override_as_validate_override_decides():
    def k4(hook, lists=None, options=None, arch=None):
        spec = {"kprobes": [dict(hook, selectors=[{"matchActions": [{"action": "Override", "argError": -1}]}])]}
        spec.update(lists=lists or [], options=options or [])
        return [r for r in _rules(_doc(spec), arch=arch) if r[0] == "K4"]
    security = [{"name": "sec", "values": ["security_file_open", "security_bprm_check"]}]
    assert k4({"call": "list:sec", "syscall": False}, security) == [("K4", "warning")]
    assert k4({"call": "list:sec", "syscall": False}, security, arch="arm64") == []
    gen = [{"name": "all", "type": "generated_syscalls"}]
    assert k4({"call": "list:all"}, gen) == []
    assert k4({"call": "list:all", "syscall": False}, gen) == []
    funcs = [{"name": "f", "values": ["do_unlinkat"]}]
    assert k4({"call": "list:f", "syscall": False}, funcs) == [("K4", "error")]
    assert k4({"call": "sys_unlinkat", "args": [{"index": 0, "type": "int"}]}) == []


def test_ignore_call_not_found_turns_an_unknown_syscall_into_a_warning():
    hook = {"call": "sys_mymount", "ignore": {"callNotFound": True}}
    assert ("K6", "warning") in _rules(_doc({"kprobes": [hook]}))
    assert ("K6", "error") in _rules(_doc({"kprobes": [hook]}), version=(1, 4, 0))
    assert ("K6", "error") in _rules(_doc({"kprobes": [{"call": "x64/sys_dup"}]}))


def test_abi_form_and_enforcer_calls_are_checked_per_arch():
    spec = {"enforcers": [{"calls": ["sys_open", "security_bprm_check"]}],
            "kprobes": [{"call": "sys_openat", "selectors": [{"matchActions": [{"action": "NotifyEnforcer"}]}]}]}
    assert ("K6", "error") not in _rules(_doc(spec))
    assert ("K6", "error") in _rules(_doc(spec), arch="arm64")


ARM64_ONLY = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"},
              "spec": {"kprobes": [{"call": "sys_open", "args": [{"index": 0, "type": "string"}]}]}}


def test_cli_takes_the_target_arch(capsys, tmp_path):
    path = tmp_path / "open.yaml"
    path.write_text(json.dumps(ARM64_ONLY))
    assert cli.main(["lint", "--format", "json", str(path)]) == 0
    assert cli.main(["lint", "--format", "json", "--tetragon-arch", "arm64", str(path)]) == 1
    out = capsys.readouterr().out
    assert "'sys_open' is not a syscall on arm64" in out
    assert cli.main(["lint", "--tetragon-arch", "mips", str(path)]) == 2
    assert "tetragon_arch 'mips'" in capsys.readouterr().err


def test_module_takes_the_target_arch():
    def lint_module(arch, fails):
        args = {"content": ARM64_ONLY}
        if arch:
            args["tetragon_arch"] = arch
        with set_module_args(args):
            return run_module(policy_lint.main, fails=fails)
    assert lint_module(None, False)["summary"]["errors"] == 0
    failed = lint_module("arm64", True)
    assert [f["rule"] for f in failed["policies"][0]["findings"] if f["severity"] == "error"] == ["K6"]


@pytest.mark.parametrize("kprobes, lists, arch, hit", [
    ([{"call": "sys_dup"}, {"call": "list:l"}], [{"name": "l", "type": "syscalls", "values": ["__x64_sys_dup"]}],
     "x86_64", True),
    ([{"call": "list:l"}], [{"name": "l", "type": "syscalls", "values": ["sys_dup", "x64/sys_dup"]}], "x86_64", True),
    ([{"call": "list:l"}], [{"name": "l", "type": "syscalls", "values": ["sys_dup", "i386/sys_dup"]}], "x86_64", False),
    ([{"call": "sys_write"}, {"call": "list:all"}], [{"name": "all", "type": "generated_syscalls"}], "x86_64", True),
    ([{"call": "do_x", "syscall": False}, {"call": "list:f", "syscall": False}], [{"name": "f", "values": ["do_x"]}],
     "x86_64", True),
    ([{"call": "sys_dup", "selectors": [{"matchActions": [{"action": "Override", "argError": -1}]}]},
      {"call": "sys_dup"}], [], "arm64", False),
    ([{"call": "sys_dup", "selectors": [{"matchActions": [{"action": "Override", "argError": -1}]}]},
      {"call": "sys_dup"}], [], "x86_64", True),
])
def test_duplicate_symbols_are_compared_as_the_loader_prefixes_them(kprobes, lists, arch, hit):
    rules = [r for r, _s in _rules(_doc({"kprobes": kprobes, "lists": lists}), arch=arch)]
    assert ("K5" in rules) is hit


def test_kprobe_symbols():
    lists = {"g": {"type": "generated_ftrace", "pattern": "^ksys_"}, "s": {"type": "syscalls",
                                                                          "values": ["sys_dup", "arm32/sys_dup"]}}
    assert M.kprobe_symbols({"call": "list:g"}, lists) is None
    assert M.kprobe_symbols({"call": "list:s"}, lists, "arm64") == ["__arm64_sys_dup", "__arm64_sys_dup"]
    assert M.kprobe_symbols({"call": "sys_dup"}, lists, "arm64") == ["__arm64_sys_dup"]
    assert M.kprobe_symbols({"call": "__ia32_sys_dup"}, lists) == ["__ia32_sys_dup"]
    assert M.kprobe_symbols({"call": "security_file_open", "syscall": False}, lists) == ["security_file_open"]
    assert M.kprobe_symbols({"call": "list:missing"}, lists) == []
