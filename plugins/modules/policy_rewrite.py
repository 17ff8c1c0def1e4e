#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: policy_rewrite
short_description: Rewrite Tetragon TracingPolicies into cheaper or version-correct equivalents
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Applies rewrites that keep what a Tetragon policy observes and enforces, and explains each change.
  - V(raw_syscalls_to_kprobe) turns a C(raw_syscalls) C(sys_enter)/C(sys_exit) tracepoint that filters the
    syscall id with C(InMap list:NAME) into a kprobe on that list (C(call) set to C(list:NAME)), keeping the process
    filters, actions and C(rateLimit). A C(sys_exit) hook that captures or filters the return value, a
    selector without the list filter, or a list that is not of type C(syscalls) is refused with the reason.
  - V(kprobe_syscall_false) adds C(syscall) set to false to a kprobe or fentry on a function that is not a syscall
    (Tetragon defaults C(syscall) to true and would fail to find the arch-prefixed symbol).
  - V(renamed_fields) renames fields and actions renamed in Tetragon v1.1 when the target is v1.1 or later
    (C(killers) to C(enforcers), C(NotifyKiller) to C(NotifyEnforcer), C(stackTrace) to C(kernelStackTrace),
    C(symbol) to C(symbols)).
  - A rewrite that cannot keep the meaning is never guessed; it is listed in RV(refused) with the reason.
  - Runs on the controller (use C(delegate_to) set to C(localhost)).
options:
  src:
    description:
      - A policy file with one YAML document. Mutually exclusive with O(content).
    type: path
  content:
    description:
      - A policy as YAML text or as a mapping. Mutually exclusive with O(src).
    type: raw
  dest:
    description:
      - Write the rewritten policy to this file, atomically. The file is only written (and RV(ignore:changed)
        is only true) when its content changes.
      - Without O(dest) nothing is written; the result is returned in RV(policy) and RV(policy_yaml).
    type: path
  tetragon_version:
    description:
      - The Tetragon agent version the rewritten policy targets, for example C(1.7.0). Defaults to the
        version the collection is pinned to.
    type: str
  rules:
    description:
      - Which rewrites to apply. Default is every rewrite; each one only applies when it keeps what the policy
        observes and enforces.
    type: list
    elements: str
    choices: [raw_syscalls_to_kprobe, kprobe_syscall_false, renamed_fields]
requirements:
  - PyYAML
  - jsonschema
attributes:
  check_mode:
    support: full
    description: Computes the rewrite and the diff but does not write O(dest).
  diff_mode:
    support: full
    description: Shows the difference between the current O(dest) (or the input) and the rewritten policy.
notes:
  - Key order of untouched parts is kept. PyYAML drops comments, so a rewritten file keeps only its leading
    comment block; a file that needs no change is left byte for byte as it is.
seealso:
  - module: ebpfops.tetragon.policy_lint
"""

EXAMPLES = r"""
- name: Rewrite the raw_syscalls file-delete policy into a kprobe on the syscall list
  ebpfops.tetragon.policy_rewrite:
    src: files/policies/file-delete.yaml
    dest: "{{ playbook_dir }}/build/file-delete.yaml"
  delegate_to: localhost
  register: rewrite

- name: Explain what changed
  ansible.builtin.debug:
    msg: "{{ rewrite.changes | map(attribute='explanation') }}"

- name: Only rename fields for a v1.7 agent, from a policy held in a variable
  ebpfops.tetragon.policy_rewrite:
    content: "{{ legacy_policy }}"
    tetragon_version: 1.7.0
    rules: [renamed_fields]
  delegate_to: localhost
  register: renamed
"""

RETURN = r"""
policy:
  description: The rewritten policy document.
  returned: always
  type: dict
  sample: {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"}, "spec": {}}
policy_yaml:
  description: The rewritten policy as YAML text (what O(dest) receives).
  returned: always
  type: str
  sample: "apiVersion: cilium.io/v1alpha1\n..."
changes:
  description: The rewrites applied.
  returned: always
  type: list
  elements: dict
  contains:
    rule:
      description: The rewrite rule.
      type: str
      sample: raw_syscalls_to_kprobe
    path:
      description: Where in the input document.
      type: str
      sample: spec.tracepoints[0]
    explanation:
      description: What changed, why, and why the meaning is kept.
      type: str
      sample: raw_syscalls/sys_exit runs its BPF program on every syscall ...
refused:
  description: Rewrites that applied to the policy but were refused because they could not keep its meaning.
  returned: always
  type: list
  elements: dict
  contains:
    rule:
      description: The rewrite rule.
      type: str
      sample: raw_syscalls_to_kprobe
    path:
      description: Where in the input document.
      type: str
      sample: spec.tracepoints[0].args[1]
    reason:
      description: Why the rewrite was refused.
      type: str
      sample: captures the syscall return value ...
diff:
  description: Before and after text (the current O(dest) content when O(dest) is set, else the input).
  returned: always
  type: dict
  sample: {"before": "...", "after": "...", "before_header": "in.yaml", "after_header": "out.yaml"}
diff_text:
  description: What the rewrite changed, as a unified diff from the input to the rewritten policy (empty when
    nothing changed).
  returned: always
  type: str
  sample: "--- in.yaml\n+++ out.yaml\n..."
findings:
  description: Lint findings that remain on the rewritten policy (same shape as M(ebpfops.tetragon.policy_lint)).
  returned: always
  type: list
  elements: dict
valid:
  description: Whether the rewritten policy has no error-level finding.
  returned: always
  type: bool
  sample: true
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _schema as _policy_schema
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as _policy_rewrite


def _describe(label, items):
    return "; ".join("%s%s%s: %s (%s)" % (label, (" " + f["path"]) if f["path"] else "",
                                           (" line %d" % f["line"]) if f.get("line") else "", f["message"], f["rule"])
                     for f in items)


def _source(module):
    """(document, original text or None, label); fails the module on unusable input. Anything the loader
    flags as an error (duplicate keys included) is refused: a rewrite must not guess which key counts."""
    params = module.params
    if params["src"] is not None:
        docs, label = _policy_load.load_file(params["src"]), params["src"]
    elif isinstance(params["content"], (str, bytes)):
        docs, label = _policy_load.load_text(params["content"], "<content>"), "<content>"
    else:
        if not isinstance(params["content"], dict):
            module.fail_json(msg="content must be YAML text or a mapping, got %s" % type(params["content"]).__name__)
        return params["content"], None, "<content>"
    if len(docs) != 1:
        module.fail_json(msg="%s holds %d YAML documents; policy_rewrite rewrites one policy per file: split "
                             "the file" % (label, len(docs)), findings=[f for d in docs for f in d["findings"]])
    doc = docs[0]
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    if doc["document"] is None:
        first = errors[0]
        module.fail_json(msg="%s: %s (%s). %s" % (label, first["message"], first["rule"], first["hint"]),
                         findings=doc["findings"])
    if errors:
        module.fail_json(msg="%s cannot be rewritten: %s. %s" % (
            label, _describe(label, errors), "policy_rewrite refuses a document with duplicate keys rather than "
            "guess which one counts: keep one of each" if any(f["rule"] == "Y2" for f in errors) else
            errors[0]["hint"]), findings=doc["findings"])
    return doc["document"], doc["text"], label


def _dest(module, dest):
    """(real path written to, its current bytes or None); fails when dest cannot be a policy file. A
    symlink is written through to its target. In check mode an earlier task may create the directory."""
    try:
        return _policy_load.write_target(dest, "dest", need_directory=not module.check_mode)
    except _policy_load.PolicyLoadError as exc:
        module.fail_json(msg=str(exc))


def _write(module, real, dest, text):
    """Write text to real (dest's target) through a temporary file in its directory and a rename."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".policy_rewrite.", dir=os.path.dirname(real))
        with os.fdopen(fd, "wb") as handle:
            handle.write(to_bytes(text))
        module.atomic_move(tmp, real)
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot write dest %s: %s; nothing was written" % (dest, exc.strerror or exc))
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="raw"),
            dest=dict(type="path"),
            tetragon_version=dict(type="str"),
            rules=dict(type="list", elements="str", choices=list(_policy_rewrite.REWRITES)),
        ),
        mutually_exclusive=[("src", "content")],
        required_one_of=[("src", "content")],
        supports_check_mode=True,
    )
    if not _policy_load.HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=str(_policy_load.YAML_IMPORT_ERROR))
    if not _policy_schema.HAS_JSONSCHEMA:
        module.fail_json(msg=missing_required_lib("jsonschema"),
                         exception=str(_policy_schema.JSONSCHEMA_IMPORT_ERROR))
    params = module.params
    try:
        version = _policy_lint.target_version(params["tetragon_version"])
    except _policy_lint.LintUsageError as exc:
        module.fail_json(msg=str(exc))
    dest = params["dest"]
    real, current = _dest(module, dest) if dest else (None, None)
    document, text, label = _source(module)
    policy, changes, refused = _policy_rewrite.rewrite(document, version, params["rules"])
    rendered = _policy_rewrite.render(policy, text, bool(changes))
    findings = _policy_lint.lint_data(policy, dest or label, version)[0]["findings"]

    original = text if text is not None else _policy_rewrite.dump(document)
    rewrite_diff = _policy_rewrite.unified_diff(original, rendered, label, "%s (rewritten)" % label)
    before, before_header, changed = original, label, False
    if dest:
        before = to_text(current or b"", errors="surrogate_then_replace")
        before_header = dest
        changed = current != to_bytes(rendered)
    result = dict(
        changed=changed,
        policy=policy,
        policy_yaml=rendered,
        changes=changes,
        refused=refused,
        findings=findings,
        valid=not any(f["severity"] == "error" for f in findings),
        diff=dict(before=before, after=rendered, before_header=before_header,
                  after_header=dest or "%s (rewritten)" % label),
        diff_text=rewrite_diff,
    )
    try:
        module.jsonify(result)
    except (TypeError, ValueError) as exc:
        module.fail_json(msg="%s: the rewritten policy cannot be returned as data (%s); nothing was written"
                         % (label, exc))
    if changed and not module.check_mode:
        _write(module, real, dest, rendered)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
