# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accuracy of the lint (and of `resolve`) on Tetragon's own policies, labelled from Tetragon's Go code.

The labels live in benchmarks/upstream_corpus.tsv (locator, class, source, reason); the policies are
read at run time from a local snapshot of cilium/tetragon (a checkout, or a bare git directory read at
its HEAD). Nothing from upstream is stored in this repository.

  python benchmarks/upstream_corpus.py run SNAPSHOT [--resolve] [lint options...]   agreement per class
  python benchmarks/upstream_corpus.py propose SNAPSHOT                             candidate labels from the Go tests

Locators: `file:PATH` (a YAML file), `go:PATH#NAME` (the raw string constant or variable NAME),
`go:PATH#FUNC#N` (the N-th raw string holding a TracingPolicy in function FUNC, from 0).
Classes: valid, schema (rejected by the CRD schema / strict unmarshal / CEL), loader (rejected by the
loader, statically), kernel (rejected by the loader because of the host kernel: only `resolve` can see it).
"""

from __future__ import absolute_import, division, print_function

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = os.path.join(ROOT, "benchmarks", "upstream_corpus.tsv")
CLASSES = ("valid", "schema", "loader", "kernel")
RAW_RE = re.compile(r"`([^`]*)`", re.S)
FUNC_RE = re.compile(r"^func (\w+)\(", re.M)
TEMPLATE = {"{{.Pid}}": "4242", "{{ .Pid }}": "4242"}


class Snapshot(object):
    def __init__(self, path):
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, ".git")) and os.path.isfile(os.path.join(path, "HEAD"))
        self.commit = None
        git_dir = path if self.bare else os.path.join(path, ".git")
        if os.path.exists(git_dir):
            proc = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, check=False)
            self.commit = proc.stdout.decode().strip() or None

    def read(self, rel):
        if self.bare:
            proc = subprocess.run(["git", "--git-dir", self.path, "show", "HEAD:" + rel], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, check=False)
            return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None
        try:
            with open(os.path.join(self.path, rel), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except (IOError, OSError):
            return None

    def files(self):
        if self.bare:
            out = subprocess.run(["git", "--git-dir", self.path, "ls-tree", "-r", "--name-only", "HEAD"],
                                 stdout=subprocess.PIPE, check=True).stdout.decode()
            return out.splitlines()
        found = []
        for base, dirs, names in os.walk(self.path):
            dirs[:] = [d for d in dirs if d not in (".git", "vendor")]
            found.extend(os.path.relpath(os.path.join(base, n), self.path) for n in names)
        return found


def functions(source):
    """{name: body text} of the top-level functions of a Go file."""
    out = {}
    starts = [(m.start(), m.group(1)) for m in FUNC_RE.finditer(source)]
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(source)
        out[name] = source[start:end]
    return out


def policy_literals(text):
    return [m.group(1) for m in RAW_RE.finditer(text) if re.search(r"kind:\s*\"?TracingPolicy", m.group(1))]


def extract(snapshot, locator):
    """The policy text a locator names, or None."""
    kind, _, rest = locator.partition(":")
    if kind == "file":
        text = snapshot.read(rest)
    else:
        path, _, name = rest.partition("#")
        source = snapshot.read(path)
        if source is None:
            return None
        name, _, index = name.partition("#")
        if index:
            literals = policy_literals(functions(source).get(name, ""))
            text = literals[int(index)] if int(index) < len(literals) else None
        else:
            match = re.search(r"\b%s\s*(?::?=|=)\s*`([^`]*)`" % re.escape(name), source)
            text = match.group(1) if match else None
    if text is None:
        return None
    for key, value in TEMPLATE.items():
        text = text.replace(key, value)
    return text


def read_labels():
    rows = []
    with open(LABELS, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            locator, label, source, reason = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            rows.append({"locator": locator, "label": label, "source": source, "reason": reason})
    return rows


def _json_run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    try:
        return json.loads(proc.stdout.decode())
    except ValueError:
        sys.exit("%s printed no JSON:\n%s" % (" ".join(cmd[:3]), proc.stderr.decode()[-2000:]))


def run(snapshot, resolve, lint_options):
    rows = read_labels()
    work = tempfile.mkdtemp(prefix="upstream-corpus-")
    try:
        files, missing = [], []
        for i, row in enumerate(rows):
            text = extract(snapshot, row["locator"])
            if text is None:
                missing.append(row["locator"])
                continue
            path = os.path.join(work, "%03d.yaml" % i)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            row["file"] = path
            files.append(path)
        cli = os.path.join(ROOT, "bin", "tetragon-policy")
        lint = _json_run([cli, "lint", "--format", "json", "--fail-on", "never"] + lint_options + files)
        lint_errors = collections.defaultdict(list)
        for policy in lint["policies"]:
            lint_errors[policy["file"]].extend(f["rule"] for f in policy["findings"] if f["severity"] == "error")
        resolved = {}
        if resolve:
            out = _json_run([cli, "resolve", "--format", "json"] + files)
            for policy in out["policies"]:
                resolved.setdefault(policy["file"], []).extend(
                    f["rule"] for f in policy["findings"] if f["severity"] == "error")
    finally:
        shutil.rmtree(work)
    table = collections.OrderedDict((c, [0, 0, 0, 0]) for c in CLASSES)
    misses = []
    for row in rows:
        if "file" not in row:
            continue
        rejected_by_lint = bool(lint_errors.get(row["file"]))
        both = rejected_by_lint or bool(resolved.get(row["file"]))
        want_reject = row["label"] != "valid"
        cell = table[row["label"]]
        cell[0] += 1
        cell[1] += rejected_by_lint == want_reject
        cell[2] += both == want_reject
        if rejected_by_lint != want_reject:
            misses.append(("lint", row, lint_errors.get(row["file"], [])))
        elif resolve and both != want_reject:
            misses.append(("resolve", row, resolved.get(row["file"], [])))
    print("snapshot %s (HEAD %s); labels %s; lint options: %s" % (
        snapshot.path, (snapshot.commit or "?")[:10], os.path.relpath(LABELS, ROOT), " ".join(lint_options) or "-"))
    if missing:
        print("%d labelled policies not found in this snapshot (another commit?): %s"
              % (len(missing), ", ".join(missing)))
    print("%-8s %6s %14s%s" % ("class", "count", "lint agrees", "   lint+resolve agrees" if resolve else ""))
    total = [0, 0, 0]
    for label, (n, agree, agree_both, _x) in table.items():
        total = [total[0] + n, total[1] + agree, total[2] + agree_both]
        print("%-8s %6d %8d %4.0f%%%s" % (label, n, agree, 100.0 * agree / n if n else 0,
                                         ("   %8d %4.0f%%" % (agree_both, 100.0 * agree_both / n)) if resolve and n
                                         else ""))
    print("%-8s %6d %8d %4.0f%%%s" % ("all", total[0], total[1], 100.0 * total[1] / max(total[0], 1),
                                     ("   %8d %4.0f%%" % (total[2], 100.0 * total[2] / max(total[0], 1)))
                                     if resolve else ""))
    if resolve:
        print("(valid/schema/loader labels hold on Tetragon's test kernels; resolve judges this host's kernel, so a "
              "resolve miss on a valid policy is a function, binary or feature this host lacks)")
    for tool, row, errors in misses:
        print("  %s miss: %-8s %s errors=%s  (%s)" % (tool, row["label"], row["locator"], ",".join(errors) or "-",
                                                      row["reason"]))


ASSERT_RE = re.compile(r"\b(?:require|assert)\.(NoError|Error|ErrorContains|ErrorIs|Nil|NotNil)\b"
                       r"|t\.Fatal|wantErr|expectErr")


def propose(snapshot):
    """Candidate labels (to be reviewed by hand) from Go tests that embed policies."""
    for path in sorted(p for p in snapshot.files() if p.endswith("_test.go") and not p.startswith("vendor/")):
        source = snapshot.read(path) or ""
        if "TracingPolicy" not in source:
            continue
        for name, body in functions(source).items():
            literals = list(RAW_RE.finditer(body))
            policies = [m for m in literals if re.search(r"kind:\s*\"?TracingPolicy", m.group(1))]
            for n, match in enumerate(policies):
                end = policies[n + 1].start() if n + 1 < len(policies) else len(body)
                tail = body[match.end():end]
                asserts = [a.group(1) or a.group(0) for a in ASSERT_RE.finditer(tail)]
                stage = ("loader" if re.search(r"checkCrd|SensorsFromPolicy|addKprobe|LoadSensor|sensors\.", tail)
                         else "schema" if re.search(r"FromYAML|FromFile|FileConfig", tail) else "?")
                flags = [f for f, pat in (("template", r"%[sdv]|\{\{"), ) if re.search(pat, match.group(1))]
                if re.search(r"\bif\b[^\n]*(bpf\.Has|kernels\.|EnableLargeProgs|MinKernel)", body):
                    flags.append("conditional")
                print("go:%s#%s#%d\t%s\t%s\t%s" % (path, name, n, stage, ",".join(asserts[:3]) or "-",
                                                 ",".join(flags)))


def main(argv):
    if len(argv) < 2 or argv[0] not in ("run", "propose"):
        sys.stderr.write(__doc__)
        return 2
    snapshot_path = argv[1]
    if not os.path.isdir(snapshot_path):
        print("skipped: no cilium/tetragon snapshot at %s (give a checkout or a bare git directory; "
              "e.g. git clone the repository)" % snapshot_path)
        return 0
    snapshot = Snapshot(snapshot_path)
    if argv[0] == "propose":
        propose(snapshot)
        return 0
    options = argv[2:]
    resolve = "--resolve" in options
    run(snapshot, resolve, [o for o in options if o != "--resolve"])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(0)
