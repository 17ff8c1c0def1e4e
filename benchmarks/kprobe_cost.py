# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's two cases on REAL kprobes, in the kprobe-capable VM (tests/vm, Debian 6.12 under qemu).

Boots the VM (builds its image once), copies the checkout in and runs this script there with --in-vm:

1. Seed case 2, a hot hook: probe programs on `security_file_permission` (kprobe) and on the colder hooks
   the lint suggests, the BPF LSM hook `file_open`, the kprobe `security_file_open` and the seed user's
   final `vfs_write`, all attached at once under one in-process file workload (per file: an open, OPS
   one-byte writes and OPS one-byte preads, a close and an unlink). Printed: program runs and BPF time
   per file operation (a write or a read) and the ratio of each hook to security_file_permission.
2. Seed case 1, the wrong hook: the original `raw_syscalls:sys_exit` tracepoint against kprobes on the
   delete syscalls (`call: list:delete`, the rewrite), under create+unlink pairs and other syscalls.
3. The same ratios from hook_probe itself (the module, run on the seed policies and on one policy per
   hook of case 2).
Only ratios measured in the same run mean anything: BPF time under TCG is emulated.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES, OPS = 300, 20
PAIRS, OTHER = 1000, 20000
CASE2 = [("security_file_permission", ("kprobe", "security_file_permission", False)),
         ("lsm file_open", ("lsm", "file_open")),
         ("security_file_open", ("kprobe", "security_file_open", False)),
         ("vfs_write", ("kprobe", "vfs_write", False))]


def file_workload():
    directory = tempfile.mkdtemp(prefix="ebpfops-bench-")
    for index in range(FILES):
        path = os.path.join(directory, "f%d" % index)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        for _ in range(OPS):
            os.write(fd, b"x")
            os.pread(fd, 1, 0)
        os.close(fd)
        os.unlink(path)
    os.rmdir(directory)


def delete_workload():
    directory = tempfile.mkdtemp(prefix="ebpfops-bench-")
    for index in range(PAIRS):
        path = os.path.join(directory, "f%d" % index)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.unlink(path)
    for _ in range(OTHER):
        os.getppid()
    os.rmdir(directory)


def attached_run(probes, workload):
    """Attach every probe at once, run the workload, return {label: (runs, ns)} and the workload seconds."""
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe import Attacher
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsSession
    with StatsSession() as session:
        attacher = Attacher(session)
        progs = dict((label, attacher.attach(probe)) for label, probe in probes)
        fds = dict((label, value[0]) for label, value in progs.items())
        first = session.sample(fds)
        start = time.time()
        workload()
        seconds = time.time() - start
        second = session.sample(fds)
    out = {}
    for label in fds:
        out[label] = (second[label]["run_cnt"] - first[label]["run_cnt"],
                      second[label]["run_time_ns"] - first[label]["run_time_ns"], progs[label][1])
    return out, seconds


def hook_probe_events(policy, programs, workload):
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "vm"))
    from workload import module_during
    result = module_during("hook_probe", {"content": policy, "interval": 8}, programs,
                           lambda: (workload(), time.sleep(0.3)))
    if result.get("failed"):
        raise SystemExit("hook_probe failed: %s" % result.get("msg"))
    return result


def in_vm(policies):
    rows = []
    print("kernel %s; file workload: %d files x %d writes + %d preads (%d file operations)"
          % (os.uname().release, FILES, OPS, OPS, 2 * FILES * OPS))
    counts, seconds = attached_run(CASE2, file_workload)
    ops = 2.0 * FILES * OPS
    base_runs, base_ns = counts["security_file_permission"][:2]
    print("case 2 (%.2f s)  %-26s %-40s %8s %10s %12s %10s %10s"
          % (seconds, "hook", "attached as", "runs", "runs/op", "BPF ns/op", "x runs", "x time"))
    for label, _probe in CASE2:
        runs, ns, measured_on = counts[label]
        print("case 2          %-26s %-40s %8d %10.3f %12.1f %10.1f %10.1f"
              % (label, measured_on, runs, runs / ops, ns / ops, base_runs / max(runs, 1), base_ns / max(ns, 1)))
        rows.append(("case2", label, runs, ns))
    seed = [("raw_syscalls:sys_exit", ("tracepoint", "raw_syscalls", "sys_exit"))] + [
        ("kprobe " + name, ("kprobe", "__x64_sys_" + name, False)) for name in ("unlink", "unlinkat", "renameat")]
    counts, seconds = attached_run(seed, delete_workload)
    exit_runs, exit_ns = counts["raw_syscalls:sys_exit"][:2]
    list_runs = sum(counts[label][0] for label, _ in seed[1:])
    list_ns = sum(counts[label][1] for label, _ in seed[1:])
    print("\ncase 1 (%.2f s): %d create+unlink pairs, %d getppid()" % (seconds, PAIRS, OTHER))
    for label, _probe in seed:
        print("case 1          %-26s %-40s %8d %12d ns" % (label, counts[label][2], counts[label][0], counts[label][1]))
    print("case 1 raw_syscalls:sys_exit / kprobes on list:delete: runs %.1fx, BPF time %.1fx"
          % (exit_runs / max(list_runs, 1), exit_ns / max(list_ns, 1)))
    print("\nhook_probe itself (the module, one run per policy, same workloads):")
    events = {}
    for name, policy in sorted(policies["case2"].items()):
        result = hook_probe_events(policy, 1, file_workload)
        events[name] = result["total_events"]
        point = result["hooks"][0]["attach_points"][0]
        print("hook_probe case 2 %-26s %-40s %8d events" % (name, point["measured_on"], result["total_events"]))
    base = events["security_file_permission"]
    print("hook_probe case 2 ratios security_file_permission / x: %s"
          % ", ".join("%s %.1fx" % (n, base / max(e, 1)) for n, e in sorted(events.items())))
    original = hook_probe_events(policies["seed"]["original"], 1, delete_workload)
    rewritten = hook_probe_events(policies["seed"]["rewrite"], 3, delete_workload)
    print("hook_probe case 1 original %s: %d events; rewrite %s: %d events; ratio %.1fx"
          % (original["hooks"][0]["attach_points"][0]["measured_on"], original["total_events"],
             ", ".join(p["measured_on"] for p in rewritten["hooks"][0]["attach_points"]), rewritten["total_events"],
             original["total_events"] / max(rewritten["total_events"], 1)))


def policies_for_vm():
    sys.path.insert(0, os.path.join(ROOT, ".collections"))
    import yaml
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rewrite import rewrite
    with open(os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")) as handle:
        original = yaml.safe_load(handle)
    case2 = {}
    for name, probe in CASE2:
        key = name.replace(" ", "_")
        if probe[0] == "lsm":
            spec = {"lsmhooks": [{"hook": probe[1]}]}
        else:
            spec = {"kprobes": [{"call": probe[1], "syscall": False}]}
        case2[key] = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": key},
                      "spec": spec}
    return {"case2": case2, "seed": {"original": original, "rewrite": rewrite(original, (1, 7, 0))[0]}}


def main(argv):
    if argv[1:2] == ["--in-vm"]:
        in_vm(json.loads(sys.stdin.read()))
        return 0
    sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))
    from vm import VM, REMOTE_COLLECTION, REMOTE_PATH
    policies = policies_for_vm()
    start = time.time()
    with VM("6.12") as vm:
        print("VM %s booted in %.1f s (image build included: %.1f s)"
              % (vm.kernel, vm.boot_seconds, time.time() - start))
        vm.push_collection()
        proc = vm.ssh("cd /tmp && PYTHONPATH=%s python3 %s/benchmarks/kprobe_cost.py --in-vm"
                      % (REMOTE_PATH, REMOTE_COLLECTION), input=json.dumps(policies), check=False, timeout=1800)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
