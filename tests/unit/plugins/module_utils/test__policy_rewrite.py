# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rewrites: the seed case, refusals with reasons, and the properties over every fixture."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as rw

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies")
REWRITE = os.path.join(FIXTURES, "rewrite")
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
SEED_FIX = os.path.join(ROOT, "examples", "file-delete-kprobe.yaml")
V17 = (1, 7, 0)
ALL_POLICIES = sorted(glob.glob(os.path.join(FIXTURES, "*", "*.yaml")) + glob.glob(os.path.join(FIXTURES, "*", "*",
                                                                                               "*.yaml"))
                      + [SEED, SEED_FIX])


def read(path):
    with open(path) as handle:
        return handle.read()


def run(path, version=V17, rules=None):
    text = read(path)
    doc = load.load_text(text, path)[0]["document"]
    new, changes, refused = rw.rewrite(doc, version, rules)
    return text, new, changes, refused, rw.render(new, text, bool(changes))


def errors(document, version=V17):
    return [f for f in lint.lint_document(document, version) if f["severity"] == "error"]


def test_seed_rewrite_equals_the_hand_written_fix():
    _text, new, changes, refused, out = run(SEED)
    assert refused == []
    assert [(c["rule"], c["path"]) for c in changes] == [("raw_syscalls_to_kprobe", "spec.tracepoints[0]")]
    assert yaml.safe_load(out) == yaml.safe_load(read(SEED_FIX))
    assert new == yaml.safe_load(read(SEED_FIX))


def test_seed_explanation_says_what_was_kept_and_why_exit_to_entry_is_safe():
    explanation = run(SEED)[2][0]["explanation"]
    for words in ("every syscall", "list:delete", "sys_unlink, sys_unlinkat, sys_renameat", "matchBinaries",
                  "rateLimit 90s", "no return value", "entry instead of exit"):
        assert words in explanation


def test_seed_rewrite_keeps_untouched_key_order():
    text, _new, _c, _r, out = run(SEED)
    assert list(yaml.safe_load(out)) == list(yaml.safe_load(text))
    assert list(yaml.safe_load(out)["spec"]) == ["lists", "kprobes"]
    assert out.split("  kprobes:")[0] == text.split("  tracepoints:")[0]


@pytest.mark.parametrize("name, path, reason", [
    ("sys-exit-return-value.yaml", "spec.tracepoints[0].args[1]", "return value"),
    ("sys-enter-unfiltered-selector.yaml", "spec.tracepoints[0].selectors[1]", "matches every syscall"),
    ("sys-enter-notinmap.yaml", "spec.tracepoints[0].selectors[0].matchArgs[0]", "NotInMap"),
    ("sys-enter-generated-list.yaml", "spec.tracepoints[0].selectors", "generated"),
    ("other-tracepoints.yaml", "spec.tracepoints", "other tracepoints"),
])
def test_raw_syscalls_rewrite_refuses_what_it_cannot_keep(name, path, reason):
    text, new, changes, refused, out = run(os.path.join(REWRITE, name))
    assert changes == []
    assert [(r["rule"], r["path"]) for r in refused] == [("raw_syscalls_to_kprobe", path)]
    assert reason in refused[0]["reason"]
    assert out == text


def test_sys_enter_enforcer_keeps_notify_enforcer_and_enforcers():
    _text, new, changes, _refused, _out = run(os.path.join(FIXTURES, "corpus", "raw-syscalls-enforcer.yaml"))
    assert [c["rule"] for c in changes] == ["raw_syscalls_to_kprobe"]
    assert new["spec"]["enforcers"] == [{"calls": ["list:dups"]}]
    (kprobe,) = new["spec"]["kprobes"]
    assert kprobe["call"] == "list:dups" and "args" not in kprobe
    assert kprobe["selectors"][0]["matchActions"] == [{"action": "NotifyEnforcer", "argError": -1, "argSig": 9}]
    assert errors(new) == []
    assert "OV1" not in [f["rule"] for f in lint.lint_document(new, V17)]


def test_renamed_fields_for_v11_and_later_only():
    path = os.path.join(REWRITE, "legacy-v10-killers.yaml")
    _t, same, changes, _r, _o = run(path, version=(1, 0, 0))
    assert changes == [] and errors(same, (1, 0, 0)) == []
    text, new, changes, refused, out = run(path)
    assert refused == []
    assert sorted(c["path"] for c in changes) == [
        "spec.killers", "spec.kprobes[0].selectors[0].matchActions[0].action",
        "spec.kprobes[0].selectors[0].matchActions[1].stackTrace"]
    assert list(new["spec"]) == ["lists", "enforcers", "kprobes"]
    assert new["spec"]["enforcers"] == [{"calls": ["list:dups"]}]
    actions = new["spec"]["kprobes"][0]["selectors"][0]["matchActions"]
    assert actions == [{"action": "NotifyEnforcer", "argError": -1, "argSig": 9},
                       {"action": "Post", "kernelStackTrace": True}]
    assert out.startswith("# Written for Tetragon v1.0.\n")
    assert errors(new) == []


def test_uprobe_symbol_becomes_symbols_list():
    _t, new, changes, _r, _o = run(os.path.join(REWRITE, "legacy-v10-uprobe.yaml"))
    assert new["spec"]["uprobes"] == [{"path": "/usr/bin/bash", "symbols": ["readline"]}]
    assert [c["rule"] for c in changes] == ["renamed_fields"]


def test_syscall_false_added_after_call_only_for_non_syscalls():
    text, new, changes, _r, out = run(os.path.join(REWRITE, "missing-syscall-false.yaml"))
    assert [c["path"] for c in changes] == ["spec.kprobes[0].syscall"]
    assert list(new["spec"]["kprobes"][0])[:2] == ["call", "syscall"]
    assert new["spec"]["kprobes"][0]["syscall"] is False
    assert "syscall" not in new["spec"]["kprobes"][1]
    assert errors(new) == []
    assert out.startswith("# Hooks kernel functions but forgets that syscall defaults to true.\n")
    # comments inside the document are lost (PyYAML does not keep them)
    assert "# who to ask" not in out


def test_syscall_false_refused_when_override_would_still_not_load():
    _t, _n, changes, refused, _o = run(os.path.join(REWRITE, "override-plain-function.yaml"))
    assert changes == []
    assert refused[0]["rule"] == "kprobe_syscall_false" and "Override" in refused[0]["reason"]


def test_rules_option_selects_rewrites():
    _t, new, changes, _r, _o = run(SEED, rules=["kprobe_syscall_false"])
    assert changes == [] and "tracepoints" in new["spec"]
    with pytest.raises(ValueError):
        rw.rewrite({}, V17, ["no_such_rule"])


def test_unchanged_input_is_returned_byte_for_byte():
    text, _n, changes, _r, out = run(os.path.join(FIXTURES, "corpus", "file-open-block-exec.yaml"))
    assert changes == [] and out == text


@pytest.mark.parametrize("path", ALL_POLICIES, ids=lambda p: os.path.relpath(p, ROOT))
def test_rewrite_is_idempotent_and_never_adds_errors(path):
    version, _kernel = V17, None
    text = read(path)
    docs = load.load_text(text, path)
    assert len(docs) == 1 and docs[0]["document"] is not None
    doc = docs[0]["document"]
    new, changes, _refused = rw.rewrite(doc, version)
    once = rw.render(new, text, bool(changes))
    again_doc = load.load_text(once, path)[0]["document"]
    again, changes2, _refused2 = rw.rewrite(again_doc, version)
    assert changes2 == []
    assert rw.render(again, once, bool(changes2)) == once
    before = set((f["rule"], f["message"]) for f in errors(doc) if not f["fixable"])
    after = [f for f in errors(new)]
    assert all((f["rule"], f["message"]) in before for f in after), after
    if changes and all(f["fixable"] for f in errors(doc)):
        assert after == []


@pytest.mark.parametrize("path", [SEED, os.path.join(FIXTURES, "corpus", "raw-syscalls-enforcer.yaml")],
                         ids=["seed", "indented"])
def test_rewrite_keeps_the_sequence_style_so_untouched_lines_stay_identical(path):
    text, _new, changes, _r, out = run(path)
    assert changes
    diff = rw.unified_diff(text, out)
    changed = [line for line in diff.splitlines()[2:] if line[:1] in "+-"]
    assert len(changed) <= 25, changed
    assert out.split("  kprobes:")[0] == text.split("  tracepoints:")[0]


def test_raw_syscalls_with_override_is_refused_not_made_to_work():
    doc = yaml.safe_load(read(SEED))
    doc["spec"]["tracepoints"][0]["selectors"][0]["matchActions"] = [{"action": "Override", "argError": -1}]
    new, changes, refused = rw.rewrite(doc, V17)
    assert changes == [] and new == doc
    assert refused[0]["path"] == "spec.tracepoints[0].selectors[0].matchActions[0]"
    assert "never loaded" in refused[0]["reason"]
