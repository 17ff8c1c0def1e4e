# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Lint entry points: schema (S2/S5/A2), loader rules, overhead rules and kernel feature gates over
documents loaded by _policy_load. Pure functions, no Ansible needed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    SEVERITY_RANK, at_or_above, count, finding, parse_kernel, parse_version, path_sort_key)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _schema as _policy_schema
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rules as _policy_rules
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _overhead as _policy_overhead
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _kernel as _policy_kernel
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _model as _policy_model
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as _policy_rewrite

FAIL_ON = ("error", "warning", "never")
OLDEST_VERSION = (1, 0, 0)


class LintUsageError(ValueError):
    """Bad lint options (version strings); reported to the user, not a policy finding."""


def target_version(text):
    version = parse_version(text if text else DEFAULT_TETRAGON_VERSION)
    if version is None or version < OLDEST_VERSION:
        raise LintUsageError("tetragon_version %r is not a Tetragon release such as 1.7.0 (1.0.0 or later)"
                             % (text,))
    return version


def kernel_release(text):
    if text in (None, ""):
        return None
    kernel = parse_kernel(text)
    if kernel is None:
        raise LintUsageError("kernel_version %r is not a kernel release such as 6.8.12 or 5.4.0-150-generic"
                             % (text,))
    return kernel


def target_arch(text):
    arch = _policy_model.arch_name(text)
    if arch is None:
        raise LintUsageError("tetragon_arch %r is not one of %s" % (text, ", ".join(sorted(_policy_model.ARCHES))))
    return arch


def _rewritable_hooks(document, version):
    spec = document.get("spec") if isinstance(document, dict) else None
    tracepoints = spec.get("tracepoints") if isinstance(spec, dict) else None
    if not isinstance(tracepoints, list) or not any(isinstance(tp, dict) and tp.get("subsystem") == "raw_syscalls"
                                                    for tp in tracepoints):
        return ()
    _doc, changes, _refused = _policy_rewrite.rewrite(document, version, ["raw_syscalls_to_kprobe"])
    return [change["path"] for change in changes]


def lint_document(document, version, kernel=None, arch=None):
    """All findings for one parsed document (a dict); version/kernel are tuples, arch a tetragon_arch."""
    findings = _policy_schema.schema_findings(document, version)
    findings.extend(_policy_rules.check(document, version, arch or _policy_model.DEFAULT_ARCH))
    findings.extend(_policy_overhead.check(document, version, _rewritable_hooks(document, version)))
    if kernel is not None:
        findings.extend(_policy_kernel.check(document, kernel))
    return findings


_INDEX_RE = re.compile(r"\[\d+\]$|\.[^.\[]+$|\.\"[^\"]*\"$")


def _line(lines, path):
    while True:
        if path in lines:
            return lines[path]
        shorter = _INDEX_RE.sub("", path)
        if shorter == path:
            return lines.get("")
        path = shorter


def _order(findings):
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f["severity"]], f.get("line") or 0, path_sort_key(f["path"]),
                                           f["rule"]))


def lint_loaded(docs, version, kernel=None, arch=None):
    """Lint PolicyDocuments from _policy_load; one result entry per document."""
    policies = []
    for doc in docs:
        findings = list(doc["findings"])
        document = doc["document"]
        if document is not None:
            findings.extend(lint_document(document, version, kernel, arch))
        for item in findings:
            if "line" not in item and doc["lines"]:
                line = _line(doc["lines"], item["path"])
                if line:
                    item["line"] = line
        meta = document.get("metadata") if isinstance(document, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        kind = document.get("kind") if isinstance(document, dict) else None
        policies.append({
            "file": doc["file"],
            "document_index": doc["index"],
            "name": name if isinstance(name, str) else None,
            "kind": kind if isinstance(kind, str) else None,
            "valid": not any(f["severity"] == "error" for f in findings),
            "findings": _order(findings),
        })
    return policies


def lint_text(text, source="<content>", version=None, kernel=None, arch=None):
    return lint_loaded(_policy_load.load_text(text, source), version or target_version(None), kernel, arch)


def lint_data(data, source="<content>", version=None, kernel=None, arch=None):
    """Lint an already parsed policy (a dict, e.g. a module's content option)."""
    doc = {"file": source, "index": 0, "document": data, "findings": [], "lines": {}}
    if not isinstance(data, dict):
        doc = {"file": source, "index": 0, "document": None, "lines": {}, "findings": [finding(
            "Y7", "error", "", "policy content is %s, a policy must be a mapping" % type(data).__name__,
            "Pass the policy as a mapping (apiVersion, kind, metadata, spec) or as YAML text.")]}
    return lint_loaded([doc], version or target_version(None), kernel, arch)


def lint_path(path, version=None, kernel=None, arch=None):
    return lint_loaded(_policy_load.load_path(path), version or target_version(None), kernel, arch)


def summarize(policies, fail_on="error"):
    findings = [f for p in policies for f in p["findings"]]
    counts = count(findings)
    return {
        "policies": len(policies),
        "files": len(set(p["file"] for p in policies)),
        "valid": sum(1 for p in policies if p["valid"]),
        "invalid": sum(1 for p in policies if not p["valid"]),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "info": counts["info"],
        "failing": len(at_or_above(findings, fail_on)),
    }
