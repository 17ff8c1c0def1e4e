#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: policy_lint
short_description: Lint Tetragon TracingPolicies before they reach a host
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Checks Tetragon C(TracingPolicy) and C(TracingPolicyNamespaced) documents against the collection's own
    JSON Schema for the target Tetragon version (unknown fields, case-sensitive enums, fields newer than
    the agent, renamed and removed fields).
  - Reports what Tetragon's loader would only report on the host (one hook section per policy, argument
    types and limits, selector, operator and action constraints, C(list:) references, C(syscall) defaulting
    to true, silent misbehaviours such as extra C(matchPIDs) entries).
  - Reports overhead problems from a documented catalogue of hot hooks (for example C(raw_syscalls)
    C(sys_exit), C(security_file_permission), per-packet hooks), unfiltered selectors on hot hooks, extra BPF
    programs, and binary paths that look wrong. With O(kernel_version), also kernel feature gates.
  - Bad input (invalid YAML, duplicate keys, alias bombs, recursive aliases, huge or binary files, empty files,
    wrong top-level types, FIFOs, devices and other paths that are not regular files) becomes an error finding on
    that file; one bad file never hides the results of the others. A directory without a C(.yaml)/C(.yml) file
    is an error (rule Y8).
  - Runs on the controller (use C(delegate_to) set to C(localhost)); read-only. The rule catalogue is in
    C(docs/policy-rules.md) of the collection.
options:
  src:
    description:
      - A policy file, or a directory whose C(.yaml)/C(.yml) files are linted one by one (recursively).
      - Mutually exclusive with O(content).
    type: path
  content:
    description:
      - A policy as YAML text or as a mapping. Mutually exclusive with O(src).
    type: raw
  tetragon_version:
    description:
      - The Tetragon agent version the policy targets, for example C(1.7.0).
      - Defaults to the version the collection is pinned to.
    type: str
  kernel_version:
    description:
      - The target kernel release, for example C(6.8.12) or C(5.4.0-150-generic). Enables kernel feature-gate
        checks (rules KV1-KV3).
    type: str
  tetragon_arch:
    description:
      - The architecture of the hosts, for the syscall names of kprobes, C(syscalls) lists and enforcers
        (rule K6), checked against Tetragon's syscall tables of that architecture.
    type: str
    choices: [x86_64, arm64]
    default: x86_64
  fail_on:
    description:
      - The finding severity at which the module fails. V(never) only reports.
    type: str
    choices: [error, warning, never]
    default: error
requirements:
  - PyYAML
  - jsonschema
attributes:
  check_mode:
    support: full
    description: Read-only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
notes:
  - Every finding has a stable rule id, a severity (V(error), V(warning), V(info)), the YAML path in the
    document, a message, a hint and whether M(ebpfops.tetragon.policy_rewrite) can fix it.
seealso:
  - module: ebpfops.tetragon.policy_rewrite
"""

EXAMPLES = r"""
- name: Lint every policy in a directory for the pinned Tetragon version
  ebpfops.tetragon.policy_lint:
    src: files/policies/
  delegate_to: localhost
  run_once: true

- name: Lint a policy held in a variable for an older agent and a given kernel, report only
  ebpfops.tetragon.policy_lint:
    content: "{{ my_policy }}"
    tetragon_version: 1.4.0
    kernel_version: 5.4.0-150-generic
    fail_on: never
  delegate_to: localhost
  register: lint

- name: Show the errors
  ansible.builtin.debug:
    msg: "{{ lint.policies | map(attribute='findings') | flatten | selectattr('severity', 'eq', 'error') }}"
"""

RETURN = r"""
policies:
  description: One entry per policy document.
  returned: always
  type: list
  elements: dict
  contains:
    file:
      description: The file the document came from, or C(<content>).
      type: str
      sample: /srv/policies/file-delete.yaml
    document_index:
      description: Position of the document in its file (0 for the first).
      type: int
      sample: 0
    name:
      description: C(metadata.name), when present.
      type: str
      sample: file-delete-monitor
    kind:
      description: The document's C(kind), when present.
      type: str
      sample: TracingPolicy
    valid:
      description: Whether the document has no error-level finding.
      type: bool
      sample: true
    findings:
      description: Lint findings, errors first.
      type: list
      elements: dict
      contains:
        rule:
          description: Stable rule id (see C(docs/policy-rules.md)).
          type: str
          sample: OV1
        severity:
          description: C(error), C(warning) or C(info).
          type: str
          sample: warning
        path:
          description: Where in the document, empty for the whole file.
          type: str
          sample: spec.tracepoints[0]
        line:
          description: Line in the file, when known.
          type: int
          sample: 15
        message:
          description: What is wrong.
          type: str
          sample: raw_syscalls/sys_exit runs on every syscall of every task
        hint:
          description: What to do about it.
          type: str
          sample: Hook the syscalls themselves with a kprobe on a syscall list.
        fixable:
          description: Whether M(ebpfops.tetragon.policy_rewrite) can fix it.
          type: bool
          sample: true
summary:
  description: Counts over all documents.
  returned: always
  type: dict
  sample: {"policies": 1, "files": 1, "valid": 1, "invalid": 0, "errors": 0, "warnings": 3, "info": 1,
           "failing": 0}
tetragon_version:
  description: The Tetragon version the policies were checked against.
  returned: always
  type: str
  sample: 1.7.0
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _schema as _policy_schema
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint


def _lint(params, version, kernel):
    arch = params["tetragon_arch"]
    if params["src"] is not None:
        return _policy_lint.lint_path(params["src"], version, kernel, arch)
    content = params["content"]
    if isinstance(content, (str, bytes)):
        return _policy_lint.lint_text(content, "<content>", version, kernel, arch)
    return _policy_lint.lint_data(content, "<content>", version, kernel, arch)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="raw"),
            tetragon_version=dict(type="str"),
            kernel_version=dict(type="str"),
            tetragon_arch=dict(type="str", default="x86_64", choices=["x86_64", "arm64"]),
            fail_on=dict(type="str", default="error", choices=list(_policy_lint.FAIL_ON)),
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
        kernel = _policy_lint.kernel_release(params["kernel_version"])
    except _policy_lint.LintUsageError as exc:
        module.fail_json(msg=str(exc))
    policies = _lint(params, version, kernel)
    summary = _policy_lint.summarize(policies, params["fail_on"])
    result = dict(changed=False, policies=policies, summary=summary,
                  tetragon_version=params["tetragon_version"] or DEFAULT_TETRAGON_VERSION)
    if summary["failing"]:
        failing = ["%s %s%s: %s" % (f["rule"], p["file"], (":" + f["path"]) if f["path"] else "", f["message"])
                   for p in policies for f in p["findings"]
                   if _policy_lint.at_or_above([f], params["fail_on"])]
        result["msg"] = "%d finding(s) at or above '%s': %s" % (
            summary["failing"], params["fail_on"], "; ".join(failing[:10]) + ("; ..." if len(failing) > 10 else ""))
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
