# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Controller side: a policy set read once, through the hardened loader, linted, optionally rewritten, and
described as data for the hosts (the action plugins policy_set and tracing_policy).

    describe(document, text, label, mode=None) -> {name, namespace, kind, file, pin_dir, mode, text, sha256,
                                                   label}, or ValueError naming the policy and the problem
    prepare(text, label, mode, version, kernel=None, lint_fail_on="error", rewrite_rules=None)
        -> the description plus findings, changes and refused; raises SetError with the findings
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._names import (
    name_problem, namespace_problem, pin_dir, policy_file_name)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as _policy_rewrite
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rules import has_enforcement
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import with_mode

KINDS = ("TracingPolicy", "TracingPolicyNamespaced")
LEVELS = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


class SetError(ValueError):
    def __init__(self, msg, findings=None):
        super(SetError, self).__init__(msg)
        self.findings = findings or []


def digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def describe(document, text, label, mode=None):
    kind = document.get("kind")
    if kind not in KINDS:
        raise ValueError("%s: kind is %r, not TracingPolicy or TracingPolicyNamespaced" % (label, kind))
    meta = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    name = meta.get("name")
    if not name or not isinstance(name, str):
        raise ValueError("%s: metadata.name is missing; every policy needs a name" % label)
    namespace = meta.get("namespace") or "" if kind == "TracingPolicyNamespaced" else ""
    problem = name_problem(name) or namespace_problem(namespace)
    if problem:
        raise ValueError("%s: metadata: %s" % (label, problem))
    if mode and has_enforcement(document):
        text = with_mode(document, text, str(mode))
    else:
        mode = ""
    return {"name": name, "namespace": namespace, "kind": kind, "file": policy_file_name(name, namespace),
            "pin_dir": pin_dir(name, namespace), "mode": mode, "text": text, "sha256": digest(text),
            "label": label}


def _where(item):
    return "%s %s at %s%s: %s" % (item["severity"], item["rule"], item.get("path") or "(document)",
                                  (" (line %s)" % item["line"]) if item.get("line") else "", item["message"])


def prepare(text, label, mode, version, kernel=None, lint_fail_on="error", rewrite_rules=None, lint=True,
            arch=None):
    """One policy of the set: parsed once by the hardened loader, linted, rewritten when rewrite_rules is a
    list (empty: every rewrite), described."""
    docs = _policy_load.load_text(text, label)
    if len(docs) != 1 or docs[0]["document"] is None:
        findings = [f for d in docs for f in d["findings"] if f["severity"] == "error"]
        raise SetError("%s cannot be read as one policy, so no host was touched: %s"
                       % (label, "; ".join(_where(f) for f in findings) or "%d YAML documents" % len(docs)),
                       findings)
    findings = _policy_lint.lint_loaded(docs, version, kernel, arch)[0]["findings"] if lint else list(docs[0]["findings"])
    levels = LEVELS[lint_fail_on] if lint else ("error",)
    stopping = [f for f in findings if f["severity"] in levels and (lint or f["rule"].startswith("Y"))]
    if stopping:
        raise SetError("%s does not pass the lint at level %s for Tetragon %s, so no host was touched: %s"
                       % (label, lint_fail_on, ".".join(str(n) for n in version), "; ".join(
                           _where(f) for f in stopping)), findings)
    document = docs[0]["document"]
    changes, refused = [], []
    if rewrite_rules is not None:
        document, changes, refused = _policy_rewrite.rewrite(document, version, rewrite_rules or None)
        text = _policy_rewrite.render(document, text, bool(changes))
    entry = describe(document, text, label, mode)
    entry.update(findings=findings, changes=changes, refused=refused, document=document)
    return entry
