# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's own corpus (the features of Tetragon's loadable examples) lints without errors;
the rule and hot-hook catalogues are documented."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._overhead import HOT_HOOKS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "corpus")
DOCS = os.path.join(ROOT, "docs", "policy-rules.md")


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(CORPUS, "*.yaml"))), ids=os.path.basename)
def test_corpus_policy_has_no_error(path):
    (policy,) = lint.lint_path(path, (1, 7, 0))
    assert [f for f in policy["findings"] if f["severity"] == "error"] == []
    assert policy["valid"] and policy["kind"] in ("TracingPolicy", "TracingPolicyNamespaced")


def test_corpus_covers_every_hook_section_and_many_features():
    policies = lint.lint_path(CORPUS, (1, 7, 0))
    assert len(policies) >= 40
    text = "".join(open(p).read() for p in glob.glob(os.path.join(CORPUS, "*.yaml")))
    for feature in ("kprobes:", "tracepoints:", "lsmhooks:", "uprobes:", "usdts:", "fentries:", "enforcers:",
                    "selectorsMacros:", "podSelector:", "raw: true", "generated_ftrace", "generated_syscalls",
                    "Override", "Sigkill", "NotifyEnforcer", "TrackSock", "imaHash", "kernelStackTrace",
                    "rateLimit", "CelExpr", "InRange", "FileType", "matchParentBinaries", "matchCapabilityChanges",
                    "matchNamespaces", "matchPIDs", "resolve:", "maxData", "returnArgAction", "ignore:"):
        assert feature in text, feature


def test_directory_summary_counts():
    summary = lint.summarize(lint.lint_path(CORPUS, (1, 7, 0)), "warning")
    assert summary["errors"] == 0 and summary["invalid"] == 0
    assert summary["warnings"] > 0 and summary["failing"] == summary["warnings"]


def test_every_rule_and_hot_hook_is_documented():
    with open(DOCS) as handle:
        docs = handle.read()
    assert [rule for rule in RULES if "`%s`" % rule not in docs] == []
    for _kind, names, _level, _why, _instead in HOT_HOOKS:
        for name in names:
            assert name in docs, name


@pytest.mark.parametrize("text", ["1.7", "v1.6.1", "1.8.0-pre.0"])
def test_version_strings(text):
    assert lint.target_version(text)[:2] in ((1, 7), (1, 6), (1, 8))


def test_no_version_means_the_pinned_one():
    assert lint.target_version("") == lint.target_version(None) == (1, 7, 0)


@pytest.mark.parametrize("text", ["latest", "0.9.0", "1"])
def test_bad_version_strings_are_usage_errors(text):
    with pytest.raises(lint.LintUsageError):
        lint.target_version(text)


def test_kernel_release_strings():
    assert lint.kernel_release("5.4.0-150-generic") == (5, 4, 0)
    assert lint.kernel_release(None) is None
    with pytest.raises(lint.LintUsageError):
        lint.kernel_release("bookworm")
