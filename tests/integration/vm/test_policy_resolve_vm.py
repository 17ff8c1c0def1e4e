# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""policy_resolve on a kernel with kprobes, BTF and BPF LSM (Debian 6.12 under qemu): each kernel-fact class is
rejected, the examples and an LSM policy are accepted. One script resolves every case in the VM (the BTF
parsed once, then from the per-boot cache), and one module call checks the module itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "examples")


def policy(name, **spec):
    return {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": name}, "spec": spec}


def example(name):
    with open(os.path.join(EXAMPLES, name)) as handle:
        return yaml.safe_load(handle)


CASES = {
    "kprobe-typo": policy("kprobe-typo", kprobes=[{"call": "tcpsendmsg", "syscall": False}]),
    "tracepoint-typo": policy("tracepoint-typo", tracepoints=[{"subsystem": "raw_syscalls", "event": "sys_enters"}]),
    # raw_syscalls/sys_enter has 6 format fields: 4 common_*, id, args
    "tracepoint-index": policy("tracepoint-index", tracepoints=[{"subsystem": "raw_syscalls", "event": "sys_enter",
                                                                 "args": [{"index": 6, "type": "int64"}]}]),
    "lsm-typo": policy("lsm-typo", lsmhooks=[{"hook": "file_opn", "args": [{"index": 0, "type": "file"}]}]),
    "lsm-file-open": policy("lsm-file-open", lsmhooks=[{"hook": "file_open", "args": [{"index": 0, "type": "file"}]}]),
    "example-kprobe": example("file-delete-kprobe.yaml"),
    "example-sys-exit": example("file-delete-sys-exit.yaml"),
}

SCRIPT = """
import json, shutil, sys, tempfile, time
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import kernel_features, resolve
cases = json.loads(sys.stdin.read())
cache = tempfile.mkdtemp()
out = {}
for name in sorted(cases, key=lambda n: n != "example-kprobe"):  # the cold (BTF parsed) run: a kprobe policy
    start = time.time()
    view = KernelView.host(cache_dir=cache)
    result = resolve(cases[name], view)
    result["seconds"] = time.time() - start
    out[name] = result
out["features"] = kernel_features(KernelView.host(cache_dir=cache))
shutil.rmtree(cache)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def resolved(vm_pool):
    vm612 = vm_pool.get("6.12")
    code = "import sys\nsys.stdin = __import__('io').StringIO(%r)\n%s" % (json.dumps(CASES), SCRIPT)
    out = vm612.python(code).stdout
    result = json.loads(out[out.index("{"):])
    sys.stderr.write("\n[vm] policy_resolve on %s: %s\n" % (vm612.kernel, ", ".join(
        "%s %.2f s (btf %s)" % (n, r["seconds"], r["summary"]["btf"]) for n, r in sorted(result.items())
        if n != "features")))
    return result


def errors(result):
    return [(f["rule"], f["path"]) for f in result["findings"] if f["severity"] == "error"]


def test_the_vm_kernel_has_what_the_checks_need(resolved):
    features = resolved["features"]
    assert features["kprobes"]["available"] is True and features["bpf_lsm"]["available"] is True


@pytest.mark.parametrize("name, expected", [
    ("kprobe-typo", [("R1", "spec.kprobes[0].call")]),
    ("tracepoint-typo", [("R3", "spec.tracepoints[0].event")]),
    ("tracepoint-index", [("R4", "spec.tracepoints[0].args[0].index")]),
    ("lsm-typo", [("R5", "spec.lsmhooks[0].hook")]),
])
def test_each_kernel_fact_class_is_rejected(resolved, name, expected):
    assert resolved[name]["valid"] is False and errors(resolved[name]) == expected


@pytest.mark.parametrize("name", ["example-kprobe", "example-sys-exit", "lsm-file-open"])
def test_the_examples_and_an_lsm_policy_are_accepted(resolved, name):
    result = resolved[name]
    assert result["valid"] is True and errors(result) == [], result["findings"]
    assert result["summary"]["attach_points"] == result["summary"]["resolved"] > 0
    assert not [f for f in result["findings"] if f["rule"] in ("R9", "R12", "R14")]


def test_the_btf_is_parsed_once_then_read_from_the_cache(resolved):
    assert resolved["example-kprobe"]["summary"]["btf"] == "parsed"
    assert resolved["kprobe-typo"]["summary"]["btf"] == "cached"


def test_the_module_rejects_a_typo_on_the_vm(vm612):
    result = vm612.run_module("policy_resolve", {"content": CASES["tracepoint-typo"]})
    assert result["valid"] is False and [f["rule"] for f in result["findings"]] == ["R3"]
    assert "sys_enter" in result["findings"][0]["hint"] and result["kernel"] == vm612.kernel
