#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: policy_set
short_description: Read, lint and optionally rewrite a Tetragon policy set once, on the controller
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Reads every policy of a set on the controller through the collection's hardened YAML loader (size, alias,
    depth and duplicate-key limits), lints it for the target Tetragon version, optionally applies the
    rewrites of M(ebpfops.tetragon.policy_rewrite), and returns the set as data for the hosts (names, file
    names, BPF pin directories, the exact text to place and its digest).
  - Any problem fails the task before a host is touched, naming the policy, the YAML path and the rule.
  - O(mode) (or an entry's own C(mode)) is written into the C(spec.options) of policies that have enforcement
    actions (what the agent reads at start); other policies run as C(monitor_only) and keep their text.
  - This is an action plugin that runs on the controller only; no module is sent to the hosts. Run it once
    (C(run_once)) and give its RV(policies) to M(ebpfops.tetragon.policy_set_apply).
options:
  policies:
    description:
      - The set, a list of mappings with one of C(src) (a policy file on the controller, looked up like
        M(ansible.builtin.copy) looks up C(src)) or C(content) (YAML text or a mapping), and an optional
        C(mode) (V(enforce) or V(monitor)) that overrides O(mode).
    type: list
    elements: raw
    required: true
  mode:
    description:
      - The policy mode of the set's enforcing policies. Empty keeps each policy's own C(policy-mode).
    type: str
    choices: ["", enforce, monitor]
    default: ""
  lint:
    description: Whether to lint the set (the loader's own errors always fail).
    type: bool
    default: true
  lint_fail_on:
    description: The lowest finding severity that fails the task.
    type: str
    choices: [error, warning, never]
    default: error
  tetragon_version:
    description: The Tetragon version the set targets (lint and rewrite). Defaults to the collection's pinned version.
    type: str
  kernel_version:
    description: The hosts' kernel release, for the kernel feature checks of the lint.
    type: str
  tetragon_arch:
    description: The hosts' architecture, for the syscall names of the lint.
    type: str
    choices: [x86_64, arm64]
    default: x86_64
  rewrite:
    description: Whether to apply the rewrites of M(ebpfops.tetragon.policy_rewrite) before describing the set.
    type: bool
    default: false
  rewrite_rules:
    description: The rewrites to apply with O(rewrite); empty means every rewrite.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing.
    support: none
requirements:
  - PyYAML (on the controller)
  - jsonschema (on the controller)
seealso:
  - module: ebpfops.tetragon.policy_set_apply
  - module: ebpfops.tetragon.policy_lint
  - module: ebpfops.tetragon.policy_rewrite
"""

EXAMPLES = r"""
- name: Read and lint the set once
  ebpfops.tetragon.policy_set:
    policies:
      - src: policies/file-delete.yaml
      - src: policies/getppid.yaml
        mode: enforce
    mode: monitor
    tetragon_version: 1.7.0
  run_once: true
  register: policy_set
"""

RETURN = r"""
policies:
  description: The set, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    name: {description: C(metadata.name)., type: str, sample: file-delete}
    namespace: {description: C(metadata.namespace) of a C(TracingPolicyNamespaced) (empty for others)., type: str}
    kind: {description: The policy's kind., type: str}
    file: {description: The file name in the policy directory., type: str, sample: file-delete.yaml}
    pin_dir: {description: The policy's directory under Tetragon's bpffs directory., type: str}
    mode: {description: The policy mode set in its text (empty when none is)., type: str}
    text: {description: The exact text to place., type: str}
    sha256: {description: The SHA-256 of the text., type: str}
    label: {description: Where the policy came from (its C(src) or its index in O(policies))., type: str}
    document: {description: The parsed policy (after rewrites)., type: dict}
    findings: {description: The lint findings (see M(ebpfops.tetragon.policy_lint))., type: list, elements: dict}
    changes: {description: The rewrites applied., type: list, elements: dict}
    refused: {description: The rewrites refused with their reasons., type: list, elements: dict}
names: {description: The policies' names., returned: success, type: list, elements: str}
files: {description: The policies' file names., returned: success, type: list, elements: str}
pin_dirs: {description: The policies' BPF pin directories., returned: success, type: list, elements: str}
findings: {description: The failing policy's findings (on a lint failure)., returned: failure, type: list, elements: dict}
"""
