# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Command-line entry of the policy engine (bin/tetragon-policy), for pipelines without Ansible.
Exit codes: 0 ok, 1 findings at --fail-on level (lint) or a file that would change (rewrite
--check), 2 usage or I/O error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import sys
import tempfile

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as _policy_rewrite
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _resolve_cli

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(EXIT_USAGE)


def _parser():
    parser = _Parser(prog="tetragon-policy", description="Lint and rewrite Tetragon TracingPolicies.")
    sub = parser.add_subparsers(dest="command")
    common = _Parser(add_help=False)
    common.add_argument("--tetragon-version", default=DEFAULT_TETRAGON_VERSION,
                        help="target agent version (default %(default)s)")
    common.add_argument("--format", choices=("human", "json"), default="human")
    lint = sub.add_parser("lint", parents=[common], help="lint policy files or directories ('-' for stdin)")
    lint.add_argument("paths", nargs="+")
    lint.add_argument("--kernel-version", help="target kernel release; enables kernel feature gates")
    lint.add_argument("--tetragon-arch", default="x86_64", help="target architecture for syscall names: x86_64 "
                      "or arm64 (default %(default)s)")
    lint.add_argument("--fail-on", choices=_policy_lint.FAIL_ON, default="error")
    rewrite = sub.add_parser("rewrite", parents=[common], help="rewrite one policy file ('-' for stdin)")
    rewrite.add_argument("path")
    rewrite.add_argument("--rule", action="append", choices=_policy_rewrite.REWRITES,
                         help="rewrite to apply (repeatable; default: all)")
    out = rewrite.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="write the rewritten policy to this file")
    out.add_argument("--in-place", action="store_true", help="rewrite the file in place")
    rewrite.add_argument("--check", action="store_true", help="write nothing; exit 1 if the policy would change")
    _resolve_cli.add_parser(sub)
    rules = sub.add_parser("rules", help="list the lint rules")
    rules.add_argument("--format", choices=("human", "json"), default="human")
    return parser


def _read(path):
    if path == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        return data, "<stdin>"
    with open(path, "rb") as handle:
        return handle.read(), path


def _print_findings(policies, stream):
    for policy in policies:
        where = policy["file"] + ("#%d" % (policy["document_index"] + 1) if policy["document_index"] else "")
        for f in policy["findings"]:
            line = (":%d" % f["line"]) if f.get("line") else ""
            stream.write("%s%s: %s %s %s: %s\n" % (where, line, f["severity"], f["rule"], f["path"] or "(file)",
                                                 f["message"]))
            if f["hint"]:
                stream.write("    hint: %s%s\n" % (f["hint"], "  [fixable: tetragon-policy rewrite]"
                                                  if f["fixable"] else ""))


def _lint(args):
    try:
        version = _policy_lint.target_version(args.tetragon_version)
        kernel = _policy_lint.kernel_release(args.kernel_version)
        arch = _policy_lint.target_arch(args.tetragon_arch)
    except _policy_lint.LintUsageError as exc:
        sys.stderr.write("tetragon-policy: %s\n" % exc)
        return EXIT_USAGE
    policies = []
    io_error = False
    for path in args.paths:
        if path == "-":
            data, label = _read(path)
            policies.extend(_policy_lint.lint_text(data, label, version, kernel, arch))
            continue
        if not os.path.exists(path):
            sys.stderr.write("tetragon-policy: %s: no such file or directory\n" % path)
            io_error = True
            continue
        result = _policy_lint.lint_path(path, version, kernel, arch)
        io_error = io_error or any(f["rule"] == "Y8" for p in result for f in p["findings"])
        policies.extend(result)
    summary = _policy_lint.summarize(policies, args.fail_on)
    if args.format == "json":
        json.dump({"tetragon_version": args.tetragon_version, "policies": policies, "summary": summary},
                  sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        _print_findings(policies, sys.stdout)
        sys.stdout.write("%d polic%s in %d file(s) for Tetragon %s: %d error(s), %d warning(s), %d info; %d "
                         "valid\n" % (summary["policies"], "y" if summary["policies"] == 1 else "ies",
                                      summary["files"], args.tetragon_version, summary["errors"],
                                      summary["warnings"], summary["info"], summary["valid"]))
    if io_error:
        return EXIT_USAGE
    return EXIT_FINDINGS if summary["failing"] else EXIT_OK


def _write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tetragon-policy.", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _rewrite(args):
    try:
        version = _policy_lint.target_version(args.tetragon_version)
        data, label = _read(args.path)
    except _policy_lint.LintUsageError as exc:
        sys.stderr.write("tetragon-policy: %s\n" % exc)
        return EXIT_USAGE
    except (IOError, OSError) as exc:
        sys.stderr.write("tetragon-policy: %s: %s\n" % (args.path, exc.strerror or exc))
        return EXIT_USAGE
    docs = _policy_load.load_text(data, label)
    if len(docs) != 1 or docs[0]["document"] is None:
        sys.stderr.write("tetragon-policy: %s cannot be rewritten:\n" % label)
        _print_findings(_policy_lint.lint_loaded(docs, version), sys.stderr)
        return EXIT_USAGE
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    policy, changes, refused = _policy_rewrite.rewrite(docs[0]["document"], version, args.rule)
    rendered = _policy_rewrite.render(policy, text, bool(changes))
    findings = _policy_lint.lint_data(policy, label, version)[0]["findings"]
    diff = _policy_rewrite.unified_diff(text, rendered, label, label + " (rewritten)")
    target = args.path if args.in_place else args.output
    if target and not args.check and (not os.path.exists(target) or _read(target)[0].decode("utf-8") != rendered):
        _write_atomic(target, rendered)
    if args.format == "json":
        json.dump({"policy": policy, "policy_yaml": rendered, "changes": changes, "refused": refused,
                   "diff": diff, "findings": findings, "changed": text != rendered}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        out = sys.stdout if target or args.check else sys.stderr
        for change in changes:
            out.write("changed %s (%s):\n    %s\n" % (change["path"], change["rule"], change["explanation"]))
        for refusal in refused:
            out.write("refused %s (%s):\n    %s\n" % (refusal["path"], refusal["rule"], refusal["reason"]))
        if not changes and not refused:
            out.write("no rewrite applies to %s\n" % label)
        if findings:
            out.write("remaining findings on the rewritten policy:\n")
            _print_findings([{"file": label, "document_index": 0, "findings": findings}], out)
        if target or args.check:
            sys.stdout.write(diff)
        else:
            sys.stdout.write(rendered)
    if args.check and text != rendered:
        return EXIT_FINDINGS
    return EXIT_OK


def _rules(args):
    if args.format == "json":
        json.dump(dict((rule, {"severity": sev, "summary": text}) for rule, (sev, text) in RULES.items()),
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for rule, (sev, text) in RULES.items():
            sys.stdout.write("%-6s %-14s %s\n" % (rule, sev, text))
    return EXIT_OK


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not _policy_load.HAS_YAML:
        sys.stderr.write("tetragon-policy: PyYAML is required (pip install pyyaml)\n")
        return EXIT_USAGE
    try:
        return {"lint": _lint, "rewrite": _rewrite, "rules": _rules, "resolve": _resolve_cli.run}[args.command](args)
    except RuntimeError as exc:
        sys.stderr.write("tetragon-policy: %s\n" % exc)
        return EXIT_USAGE
