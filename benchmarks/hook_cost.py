# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cost of the seed policy's hooks against its rewrite's, on the real kernel, same run (root).

    .venv/bin/python benchmarks/hook_cost.py [--pairs 2000] [--writes 200000] [--reads 20] [--programs 200]

1. Probe programs (the hook_probe program, "r0 = 0; exit") are attached at the same time to every attach
   point of examples/file-delete-sys-exit.yaml (original) and of its rewrite (policy_rewrite), so both
   see exactly the same workload: --pairs create+unlink pairs and --writes one-byte writes to /dev/null.
   Runs and BPF time come from the kernel's statistics (the reader of bpf_prog_stats) with a
   BPF_ENABLE_STATS fd held for the run. Prints runs, BPF time, runs per matching syscall and the ratios.
   Targets: rewrite <= 1.05 runs per matching call; original/rewrite runs >= 50.
2. Time to read run counts of every program on the host, with --programs probe programs loaded on top of the
   host's own: bpf_prog_stats's reader (bpf syscalls) against `bpftool prog show --json`, --reads rounds each,
   medians. Target: reader no slower than bpftool.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".collections"))

import yaml  # noqa: E402

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf  # noqa: E402
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe import Attacher  # noqa: E402
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import attach_plan  # noqa: E402
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rewrite import rewrite  # noqa: E402

SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")


class _Keeper(object):
    def __init__(self, fds):
        self.fds = fds

    def keep(self, fd):
        self.fds.append(fd)
        return fd


def attach_all(document, fds):
    """Attach hook_probe's probes (kprobes where the kernel has them, else the tracepoint fallback)."""
    ok, reason = _bpf.kprobes_available()
    attacher = Attacher(_Keeper(fds))
    probes = []
    for hook in attach_plan(document, ok, reason):
        for point in hook["attach_points"]:
            if not point["measurable"]:
                print("  not measurable: %s (%s)" % (point["target"], point["reason"]))
                continue
            prog, measured_on, _note = attacher.attach(tuple(point["probe"]))
            probes.append((measured_on, prog))
    return probes


def read(probes):
    out = {}
    for name, prog in probes:
        info = _bpf.prog_info(prog)
        out[name] = (info["run_cnt"], info["run_time_ns"])
    return out


def workload(pairs, writes):
    directory = tempfile.mkdtemp(prefix="ebpfops-bench-")
    try:
        for index in range(pairs):
            path = os.path.join(directory, "f%d" % index)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.unlink(path)
        fd = os.open("/dev/null", os.O_WRONLY)
        try:
            for _ in range(writes):
                os.write(fd, b"x")
        finally:
            os.close(fd)
    finally:
        os.rmdir(directory)


def hook_cost(pairs, writes):
    with open(SEED) as handle:
        original = yaml.safe_load(handle)
    rewritten = rewrite(original, (1, 7, 0))[0]
    fds = []
    stats = _bpf.enable_stats()
    try:
        print("attach points: original %s" % SEED)
        orig_probes = attach_all(original, fds)
        print("attach points: rewrite (policy_rewrite)")
        new_probes = attach_all(rewritten, fds)
        before = (read(orig_probes), read(new_probes))
        start = time.time()
        workload(pairs, writes)
        elapsed = time.time() - start
        after = (read(orig_probes), read(new_probes))
    finally:
        for fd in reversed(fds):
            _bpf.close(fd)
        _bpf.close(stats)
    totals = []
    print("\nworkload: %d create+unlink pairs, %d one-byte writes, %.2f s" % (pairs, writes, elapsed))
    print("%-10s %-44s %12s %14s" % ("policy", "attach point", "runs", "BPF time ns"))
    for label, first, last in (("original", before[0], after[0]), ("rewrite", before[1], after[1])):
        runs = time_ns = 0
        for name in sorted(last):
            d_runs = last[name][0] - first[name][0]
            d_time = last[name][1] - first[name][1]
            runs += d_runs
            time_ns += d_time
            print("%-10s %-44s %12d %14d" % (label, name, d_runs, d_time))
        totals.append((runs, time_ns))
        print("%-10s %-44s %12d %14d" % (label, "TOTAL", runs, time_ns))
    (o_runs, o_time), (r_runs, r_time) = totals
    per_call = r_runs / float(pairs)
    run_ratio = o_runs / float(max(r_runs, 1))
    time_ratio = o_time / float(max(r_time, 1))
    print("\nrewrite runs per matching unlink: %.3f (target <= 1.05; floor 1.00; other processes' deletes "
          "during the run count too)" % per_call)
    print("original/rewrite runs: %.1fx (target >= 50)   BPF time: %.1fx" % (run_ratio, time_ratio))
    return per_call <= 1.05 and run_ratio >= 50


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def reader_once():
    count = 0
    for prog_id in _bpf.prog_ids():
        try:
            fd = _bpf.prog_fd_by_id(prog_id)
        except _bpf.BpfError:
            continue
        try:
            _bpf.prog_info(fd)
            count += 1
        finally:
            _bpf.close(fd)
    return count


def read_cost(rounds, programs):
    bpftool = shutil.which("bpftool") or "/usr/sbin/bpftool"
    # A host runs programs of its own (or none): load `programs` probe programs so both read a real number.
    loaded = [_bpf.load_probe_program() for _ in range(programs)]
    try:
        return _read_cost(bpftool, rounds)
    finally:
        for fd in loaded:
            _bpf.close(fd)


def _read_cost(bpftool, rounds):
    ours, theirs = [], []
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = reader_once()
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([bpftool, "prog", "show", "--json"], stdout=subprocess.DEVNULL, check=True)
        theirs.append(time.perf_counter() - start)
    o, t = median(ours), median(theirs)
    print("\nstats read for all %d programs on the host, median of %d: reader %.3f ms, bpftool prog show "
          "--json %.3f ms (includes starting bpftool), ratio reader/bpftool %.3f (target <= 1)"
          % (count, rounds, o * 1e3, t * 1e3, o / t))
    return o <= t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=200000)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--programs", type=int, default=200, help="probe programs loaded for the read test")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark loads BPF programs")
    ok = hook_cost(args.pairs, args.writes)
    ok = read_cost(args.reads, args.programs) and ok
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
