# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""policy_resolve on this machine's real kernel: each kernel-fact class of issue 11 is rejected, the
example policies are accepted, and a kernel without kprobes is reported as such."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_resolve
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EXAMPLES = os.path.join(ROOT, "examples")


def run(content, cache_dir=""):
    with set_module_args({"content": content, "cache_dir": cache_dir}):
        return run_module(policy_resolve.main)


def policy(**spec):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "t"}, "spec": spec}


def example(name):
    with open(os.path.join(EXAMPLES, name)) as handle:
        return yaml.safe_load(handle)


def errors(result):
    return [(f["rule"], f["path"]) for f in result["findings"] if f["severity"] == "error"]


def test_example_tracepoint_policy_is_valid(needs_root):
    result = run(example("file-delete-sys-exit.yaml"))
    assert result["valid"] and result["findings"] == []
    assert result["resolved"] == [{"path": "spec.tracepoints[0]", "kind": "tracepoint", "target": "raw_syscalls/sys_exit",
                                   "symbol": "raw_syscalls/sys_exit", "found": True, "source": "tracefs"}]


def test_example_kprobe_policy_resolves_and_reports_missing_kprobes(needs_root):
    result = run(example("file-delete-kprobe.yaml"))
    assert result["valid"], result["findings"]
    prefix = {"x86_64": "__x64_", "aarch64": "__arm64_"}[os.uname()[4]]
    assert [(r["symbol"], r["found"]) for r in result["resolved"]] == [
        (prefix + "sys_unlink", True), (prefix + "sys_unlinkat", True), (prefix + "sys_renameat", True)]
    kprobes_ok, _reason = _bpf.kprobes_available()
    assert result["kernel_features"]["kprobes"]["available"] is kprobes_ok
    r9 = [f for f in result["findings"] if f["rule"] == "R9"]
    if kprobes_ok:
        assert r9 == []
    else:
        assert [(f["severity"], f["path"]) for f in r9] == [("warning", "spec.kprobes")]


def test_kprobe_on_a_function_that_does_not_exist(needs_root):
    result = run(policy(kprobes=[{"call": "tcpsendmsg", "syscall": False}, {"call": "tcp_sendmsg", "syscall": False}]))
    assert errors(result) == [("R1", "spec.kprobes[0].call")]
    assert "tcp_sendmsg" in result["findings"][0]["hint"]
    assert result["resolved"][1]["found"] is True and result["resolved"][1]["source"] == "btf"


def test_syscall_that_does_not_exist(needs_root):
    result = run(policy(lists=[{"name": "l", "type": "syscalls", "values": ["sys_write2", "sys_write"]}],
                        kprobes=[{"call": "sys_mymount"}, {"call": "list:l"}]))
    assert errors(result) == [("R2", "spec.kprobes[0].call"), ("R2", "spec.lists[0].values[0]")]


def test_tracepoints_that_do_not_exist(needs_root):
    result = run(policy(tracepoints=[{"subsystem": "raw_syscalls", "event": "sys_enters"},
                                     {"subsystem": "raw_syscall", "event": "sys_enter"}]))
    assert errors(result) == [("R3", "spec.tracepoints[0].event"), ("R3", "spec.tracepoints[1].subsystem")]
    assert "sys_enter" in result["findings"][0]["hint"] and "raw_syscalls" in result["findings"][1]["hint"]


def test_tracepoint_arg_index_beyond_format_fields(needs_root):
    with open("/sys/kernel/tracing/events/raw_syscalls/sys_exit/format") as handle:
        fields = sum(1 for line in handle if line.strip().startswith("field:"))
    result = run(policy(tracepoints=[{"subsystem": "raw_syscalls", "event": "sys_exit",
                                      "args": [{"index": fields - 1}, {"index": fields}]}]))
    assert errors(result) == [("R4", "spec.tracepoints[0].args[1].index")]


def test_lsm_hook_without_bpf_lsm_symbol(needs_root):
    result = run(policy(lsmhooks=[{"hook": "file_opn"}, {"hook": "file_open"}]))
    assert errors(result)[0] == ("R5", "spec.lsmhooks[0].hook")
    assert [r["found"] for r in result["resolved"]] == [False, True]


def _libc():
    with open("/proc/self/maps") as handle:
        for line in handle:
            path = line.split()[-1]
            if "/libc.so" in path or "/libc-" in path:
                return path
    pytest.fail("no libc mapped in this process")


def test_uprobe_symbols_from_the_real_libc(needs_root):
    libc = _libc()
    result = run(policy(uprobes=[{"path": libc, "symbols": ["malloc", "mallocc"]}]))
    assert errors(result) == [("R8", "spec.uprobes[0].symbols[1]")]


def test_btf_cache_in_a_private_directory(needs_root, tmp_path):
    cache = str(tmp_path / "cache")
    first = run(example("file-delete-kprobe.yaml"), cache)
    second = run(example("file-delete-kprobe.yaml"), cache)
    assert (first["summary"]["btf"], second["summary"]["btf"]) == ("parsed", "cached")
    assert second["resolved"] == first["resolved"]
    with open("/proc/sys/kernel/random/boot_id") as handle:
        boot_id = handle.read().strip()
    assert os.listdir(cache) == ["btf-funcs-%s.json" % boot_id]


def test_cli_resolves_the_examples_and_rejects_a_typo(needs_root, tmp_path):
    cli = os.path.join(ROOT, "bin", "tetragon-policy")
    ok = subprocess.run([cli, "resolve", os.path.join(EXAMPLES, "file-delete-kprobe.yaml"),
                         os.path.join(EXAMPLES, "file-delete-sys-exit.yaml")], stdout=subprocess.PIPE, check=False)
    assert ok.returncode == 0 and b"2 policies resolved against this host's kernel: 2 valid" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(policy(tracepoints=[{"subsystem": "raw_syscall", "event": "sys_enter"}])))
    proc = subprocess.run([cli, "resolve", "--kernel-btf", "/sys/kernel/btf/vmlinux", "--tracefs", "/sys/kernel/tracing",
                           "--format", "json", str(bad)], stdout=subprocess.PIPE, check=False)
    assert proc.returncode == 1
    assert [f["rule"] for f in json.loads(proc.stdout.decode())["policies"][0]["findings"]] == ["R3"]


def test_through_ansible_with_src_on_the_controller(needs_root, tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "resolve", "ebpfops.tetragon.policy_resolve": {"src": os.path.join(EXAMPLES, "file-delete-kprobe.yaml"),
                                                                "cache_dir": str(tmp_path / "cache")},
         "register": "r"},
        {"name": "typo", "ebpfops.tetragon.policy_resolve": {"content": policy(kprobes=[{"call": "tcpsendmsg",
                                                                                          "syscall": False}])},
         "register": "bad"}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "home"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook),
                           "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-2000:]
    tasks = json.loads(proc.stdout.decode())["plays"][0]["tasks"]
    good, typo = tasks[0]["hosts"]["localhost"], tasks[1]["hosts"]["localhost"]
    assert good["valid"] is True and good["changed"] is False and good["policy"] == "file-delete-monitor"
    assert typo["valid"] is False and errors(typo) == [("R1", "spec.kprobes[0].call")]


def test_usdt_probes_of_a_real_binary(needs_root):
    # Debian's python3 is built with SystemTap SDT probes (python:function__entry, ...)
    binary = os.path.realpath("/usr/bin/python3")
    result = run(policy(usdts=[{"path": binary, "provider": "python", "name": "function__entry"},
                               {"path": binary, "provider": "python", "name": "function__entry2"}]))
    assert errors(result) == [("R8", "spec.usdts[1].name")]
    assert [r["found"] for r in result["resolved"]] == [True, False]
