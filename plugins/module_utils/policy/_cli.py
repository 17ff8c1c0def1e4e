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
import errno
import json
import os
import sys
import tempfile

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import finding
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as _policy_rewrite
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _report_formats
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _resolve_cli

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STDIN = "-"
EXIT_CODES_HELP = ("exit codes (stable): 0 clean; 1 findings at the --fail-on level (rewrite --check: the policy "
                   "would change); 2 usage or I/O error (bad option, unreadable path, output not writable)")


class UsageError(Exception):
    """Bad arguments or a path that cannot be used: reported on stderr, exit code 2."""


# --- output: every format of every command is here ---------------------------------------------------

def _findings_human(policies, stream):
    for policy in policies:
        where = policy["file"] + ("#%d" % (policy["document_index"] + 1) if policy["document_index"] else "")
        for f in policy["findings"]:
            line = (":%d" % f["line"]) if f.get("line") else ""
            stream.write("%s%s: %s %s %s: %s\n" % (where, line, f["severity"], f["rule"], f["path"] or "(file)",
                                                 f["message"]))
            if f["hint"]:
                stream.write("    hint: %s%s\n" % (f["hint"], "  [fixable: tetragon-policy rewrite]"
                                                  if f["fixable"] else ""))


def _json(data, stream):
    json.dump(data, stream, indent=2, sort_keys=True)
    stream.write("\n")


def _lint_human(report, out):
    summary = report["summary"]
    _findings_human(report["policies"], out)
    out.write("%d polic%s in %d file(s) for Tetragon %s: %d error(s), %d warning(s), %d info; %d valid\n"
              % (summary["policies"], "y" if summary["policies"] == 1 else "ies", summary["files"],
                 report["tetragon_version"], summary["errors"], summary["warnings"], summary["info"],
                 summary["valid"]))


def _lint_json(report, out):
    _json(report, out)


def _rewrite_human(report, out, notes):
    """The rewritten policy (or the diff, when it went to a file or --check) on out, notes on notes."""
    for change in report["changes"]:
        notes.write("changed %s (%s):\n    %s\n" % (change["path"], change["rule"], change["explanation"]))
    for refusal in report["refused"]:
        notes.write("refused %s (%s):\n    %s\n" % (refusal["path"], refusal["rule"], refusal["reason"]))
    if not report["changes"] and not report["refused"]:
        notes.write("no rewrite applies to %s\n" % report["source"])
    if report["findings"]:
        notes.write("remaining findings on the rewritten policy:\n")
        _findings_human([{"file": report["source"], "document_index": 0, "findings": report["findings"]}], notes)
    out.write(report["diff"] if report["to_file"] else report["policy_yaml"])


def _rewrite_json(report, out, notes):
    _json(dict((key, report[key]) for key in ("policy", "policy_yaml", "changes", "refused", "diff", "findings",
                                              "changed")), out)


LINT_FORMATS = {"human": _lint_human, "json": _lint_json}
LINT_FORMATS.update(_report_formats.LINT_FORMATS)
REWRITE_FORMATS = {"human": _rewrite_human, "json": _rewrite_json}


def _rules_human(out):
    for rule, (sev, text) in RULES.items():
        out.write("%-6s %-14s %s\n" % (rule, sev, text))


def _rules_json(out):
    _json(dict((rule, {"severity": sev, "summary": text}) for rule, (sev, text) in RULES.items()), out)


RULES_FORMATS = {"human": _rules_human, "json": _rules_json}


# --- arguments ----------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(EXIT_USAGE)


def _parser():
    parser = _Parser(prog="tetragon-policy", description="Lint and rewrite Tetragon TracingPolicies.",
                     epilog=EXIT_CODES_HELP)
    sub = parser.add_subparsers(dest="command")
    common = _Parser(add_help=False)
    common.add_argument("--tetragon-version", default=DEFAULT_TETRAGON_VERSION,
                        help="target agent version (default %(default)s)")
    lint = sub.add_parser("lint", parents=[common], help="lint policy files or directories ('-' for stdin)",
                          epilog=EXIT_CODES_HELP)
    lint.add_argument("--format", choices=sorted(LINT_FORMATS), default="human",
                      help="human, json, sarif (SARIF 2.1.0 for code scanning) or junit (JUnit XML, one testcase "
                           "per policy file); default %(default)s")
    lint.add_argument("paths", nargs="+")
    lint.add_argument("--kernel-version", help="target kernel release; enables kernel feature gates")
    lint.add_argument("--tetragon-arch", default="x86_64", help="target architecture for syscall names: x86_64 "
                      "or arm64 (default %(default)s)")
    lint.add_argument("--fail-on", choices=_policy_lint.FAIL_ON, default="error")
    rewrite = sub.add_parser("rewrite", parents=[common], help="rewrite one policy file ('-' for stdin)")
    rewrite.add_argument("--format", choices=sorted(REWRITE_FORMATS), default="human")
    rewrite.add_argument("path")
    rewrite.add_argument("--rule", action="append", choices=_policy_rewrite.REWRITES,
                         help="rewrite to apply (repeatable; default: all)")
    out = rewrite.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="write the rewritten policy to this file ('-' for stdout); a symlink "
                                            "is written through to its target")
    out.add_argument("--in-place", action="store_true", help="rewrite the file in place (through a symlink)")
    rewrite.add_argument("--check", action="store_true", help="write nothing; exit 1 if the policy would change")
    _resolve_cli.add_parser(sub)
    rules = sub.add_parser("rules", help="list the lint rules")
    rules.add_argument("--format", choices=sorted(RULES_FORMATS), default="human")
    return parser


# --- input and output files ---------------------------------------------------------------------------

def _read(path):
    """(bytes, label) of a policy file or stdin, through the hardened loader's readers."""
    if path == STDIN:
        return _policy_load.read_stream(sys.stdin, "<stdin>"), "<stdin>"
    return _policy_load.read_bytes(path), path


def _target(path):
    """(real path, current bytes or None) of an output file, checked before anything is written."""
    try:
        return _policy_load.write_target(path, "output")
    except _policy_load.PolicyLoadError as exc:
        raise UsageError("%s (or '-' for stdout)" % exc if "regular file" in str(exc) else str(exc))


def _write_atomic(path, text):
    """Write through a temporary file in the same directory and a rename; the mode of an existing file
    is kept, a new file gets 0666 minus the umask. Nothing is left behind on failure."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tetragon-policy.", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.rename(tmp, path)
    except (IOError, OSError) as exc:
        raise UsageError("cannot write %s: %s; nothing was written" % (path, exc.strerror or exc))
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


# --- commands -----------------------------------------------------------------------------------------

def _versions(args, kernel=False):
    try:
        version = _policy_lint.target_version(args.tetragon_version)
        return version, (_policy_lint.kernel_release(args.kernel_version) if kernel else None)
    except _policy_lint.LintUsageError as exc:
        raise UsageError(str(exc))


def _arch(args):
    try:
        return _policy_lint.target_arch(args.tetragon_arch)
    except _policy_lint.LintUsageError as exc:
        raise UsageError(str(exc))


def _lint(args):
    version, kernel = _versions(args, kernel=True)
    arch = _arch(args)
    policies = []
    for path in args.paths:
        if path == STDIN:
            try:
                data = _read(path)[0]
            except _policy_load.PolicyLoadError as exc:
                policies.extend(_policy_lint.lint_loaded(
                    [{"file": "<stdin>", "index": 0, "document": None, "lines": {},
                      "findings": [finding(exc.rule, "error", "", exc.message, exc.hint)]}], version, arch=arch))
                continue
            policies.extend(_policy_lint.lint_text(data, "<stdin>", version, kernel, arch))
            continue
        policies.extend(_policy_lint.lint_path(path, version, kernel, arch))
    io_error = any(f["rule"] == "Y8" for p in policies for f in p["findings"])
    summary = _policy_lint.summarize(policies, args.fail_on)
    LINT_FORMATS[args.format]({"tetragon_version": args.tetragon_version, "policies": policies,
                               "summary": summary, "fail_on": args.fail_on}, sys.stdout)
    if io_error:
        return EXIT_USAGE
    return EXIT_FINDINGS if summary["failing"] else EXIT_OK


def _rewrite(args):
    version = _versions(args)[0]
    if args.in_place and args.path == STDIN:
        raise UsageError("--in-place needs a file: stdin cannot be rewritten in place (use -o FILE or -o -)")
    target = args.path if args.in_place else args.output
    if target == STDIN:
        target = None
    real, current = _target(target) if target and not args.check else (None, None)
    data, label = _read(args.path)
    docs = _policy_load.load_text(data, label)
    errors = [f for d in docs for f in d["findings"] if f["severity"] == "error"]
    if len(docs) != 1 or docs[0]["document"] is None or errors:
        sys.stderr.write("tetragon-policy: %s cannot be rewritten%s:\n" % (
            label, " (duplicate keys: a rewrite will not guess which one counts)"
            if any(f["rule"] == "Y2" for f in errors) else ""))
        _findings_human(_policy_lint.lint_loaded(docs, version), sys.stderr)
        return EXIT_USAGE
    text = docs[0]["text"]
    policy, changes, refused = _policy_rewrite.rewrite(docs[0]["document"], version, args.rule)
    rendered = _policy_rewrite.render(policy, text, bool(changes))
    report = {"source": label, "policy": policy, "policy_yaml": rendered, "changes": changes, "refused": refused,
              "findings": _policy_lint.lint_data(policy, label, version)[0]["findings"],
              "diff": _policy_rewrite.unified_diff(text, rendered, label, label + " (rewritten)"),
              "changed": text != rendered, "to_file": bool(target or args.check)}
    if real and current != rendered.encode("utf-8"):
        _write_atomic(real, rendered)
    REWRITE_FORMATS[args.format](report, sys.stdout, sys.stdout if report["to_file"] else sys.stderr)
    if args.check and text != rendered:
        return EXIT_FINDINGS
    return EXIT_OK


def _rules(args):
    RULES_FORMATS[args.format](sys.stdout)
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
        code = {"lint": _lint, "rewrite": _rewrite, "rules": _rules, "resolve": _resolve_cli.run}[args.command](args)
        sys.stdout.flush()
        return code
    except (UsageError, _policy_load.PolicyLoadError, RuntimeError) as exc:
        sys.stderr.write("tetragon-policy: %s\n" % exc)
        return EXIT_USAGE
    except (IOError, OSError) as exc:  # stdout closed (a pipe into head) or full (/dev/full)
        _silence_stdout()
        if exc.errno != errno.EPIPE:
            sys.stderr.write("tetragon-policy: cannot write the output: %s\n" % (exc.strerror or exc))
        return EXIT_USAGE


def _silence_stdout():
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, ValueError, IOError, OSError):
        pass  # not a real file descriptor (in-process callers)
