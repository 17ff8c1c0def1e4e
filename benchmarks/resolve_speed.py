# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long policy_resolve takes on this host's kernel, with and without its per-boot BTF cache.

    .venv/bin/python benchmarks/resolve_speed.py [--rounds 7]

For each example policy, medians over --rounds of resolve() in this process: BTF parsed (no cache),
BTF parsed and the cache written (an empty cache directory each round), BTF read from the cache.
Prints seconds and the ratio parsed/cached. Target: every policy well under a second.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import shutil
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".collections"))

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView  # noqa: E402
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import resolve  # noqa: E402


def timed(document, cache_dir):
    view = KernelView.host(cache_dir=cache_dir)
    start = time.perf_counter()
    result = resolve(document, view)
    return time.perf_counter() - start, result


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="resolve-speed-")
    try:
        for name in ("file-delete-kprobe.yaml", "file-delete-sys-exit.yaml"):
            with open(os.path.join(ROOT, "examples", name)) as handle:
                document = yaml.safe_load(handle)
            nocache, cold, warm = [], [], []
            for i in range(args.rounds):
                nocache.append(timed(document, None)[0])
                cache = os.path.join(work, "c%d" % i)
                cold.append(timed(document, cache)[0])
                seconds, result = timed(document, cache)
                warm.append(seconds)
            print("%-28s parsed %.4f s  parsed+written %.4f s  cached %.4f s  parsed/cached %.1fx  (btf %s, "
                  "%d attach points, valid %s)" % (name, median(nocache), median(cold), median(warm),
                                                  median(nocache) / max(median(warm), 1e-9),
                                                  result["summary"]["btf"], result["summary"]["attach_points"],
                                                  result["valid"]))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
