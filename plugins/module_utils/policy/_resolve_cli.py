# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

`tetragon-policy resolve`: resolve policy files against this host's kernel, or, with any of
--kernel-btf/--tracefs/--kallsyms, against only those files (CI; kernel features unchecked).
Exit codes: 0 every policy resolves, 1 a policy has an error finding, 2 usage or I/O error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import DEFAULT_CACHE_DIR, KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import resolve
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load


def add_parser(sub):
    parser = sub.add_parser("resolve", help="resolve every hook of policy files on this host's kernel "
                            "(or against --kernel-btf/--tracefs/--kallsyms files)")
    parser.add_argument("paths", nargs="+", metavar="FILE")
    parser.add_argument("--kernel-btf", metavar="PATH", help="raw BTF of the target kernel (a vmlinux BTF blob)")
    parser.add_argument("--tracefs", metavar="PATH", help="a tracefs tree (with events/<subsystem>/<event>/format)")
    parser.add_argument("--kallsyms", metavar="PATH", help="a copy of the target's /proc/kallsyms")
    parser.add_argument("--format", choices=("human", "json"), default="human")
    return parser


def run(args):
    for label, path in (("--kernel-btf", args.kernel_btf), ("--kallsyms", args.kallsyms)):
        if path and not os.path.isfile(path):
            sys.stderr.write("tetragon-policy: %s %s: %s\n" % (
                label, path, "not a regular file" if os.path.exists(path) else "no such file"))
            return 2
    if args.tracefs and not os.path.isdir(os.path.join(args.tracefs, "events")):
        sys.stderr.write("tetragon-policy: --tracefs %s: no events/ directory in it\n" % args.tracefs)
        return 2
    if args.kernel_btf or args.tracefs or args.kallsyms:
        view = KernelView.files(btf=args.kernel_btf, tracefs=args.tracefs, kallsyms=args.kallsyms)
    else:
        view = KernelView.host(cache_dir=DEFAULT_CACHE_DIR if os.geteuid() == 0 else None)
    results, usage_error = [], False
    for path in args.paths:
        if not os.path.exists(path):
            sys.stderr.write("tetragon-policy: %s: no such file or directory\n" % path)
            usage_error = True
            continue
        for doc in _policy_load.load_path(path):
            findings = list(doc["findings"])
            if doc["document"] is not None:
                try:
                    result = resolve(doc["document"], view)
                    findings.extend(result["findings"])
                except ValueError as exc:
                    findings.append({"rule": "R0", "severity": "error", "path": "", "message": str(exc),
                                     "hint": "Give a TracingPolicy file.", "fixable": False})
            for item in findings:
                if doc["lines"].get(item["path"]):
                    item.setdefault("line", doc["lines"][item["path"]])
            results.append({"file": doc["file"], "document_index": doc["index"], "findings": findings,
                            "valid": not any(f["severity"] == "error" for f in findings)})
    if args.format == "json":
        json.dump({"policies": results, "source": view.source}, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        for policy in results:
            for item in policy["findings"]:
                sys.stdout.write("%s%s: %s %s %s: %s\n    hint: %s\n" % (
                    policy["file"], (":%d" % item["line"]) if item.get("line") else "", item["severity"],
                    item["rule"], item["path"] or "(file)", item["message"], item["hint"]))
        sys.stdout.write("%d polic%s resolved against %s: %d valid\n" % (
            len(results), "y" if len(results) == 1 else "ies",
            "this host's kernel" if view.source == "host" else "the given files",
            sum(1 for p in results if p["valid"])))
    if usage_error:
        return 2
    return 0 if all(p["valid"] for p in results) else 1
