#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: policy_set_apply
short_description: Place a whole Tetragon policy set on a host in one call, each policy proven loadable first
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Places the set described by M(ebpfops.tetragon.policy_set) in the agent's policy directory, each policy
    added to the running agent and listed enabled before its file is written (as
    M(ebpfops.tetragon.tracing_policy) does, with the same code), and removes the policies it placed before
    that are no longer in the set. Policies placed by anything else are left alone.
  - Keeps the set placed before a change in O(state_dir) (byte for byte) until the change is complete, so
    O(state=rolled_back) can put it back exactly.
  - With O(verify), reads the agent's policy list after the change and returns every policy of the set that
    is not enabled (RV(problems)); with O(systemd_unit), returns the state of the agent's systemd unit. A rollout
    gate reads both from this one call.
  - Needs only Python's standard library and the agent's C(tetra) CLI on the host.
options:
  policies:
    description:
      - The set, as RV(ebpfops.tetragon.policy_set#module:policies) returns it; each entry needs C(name),
        C(file) and C(text), and may have C(namespace), C(mode) and C(sha256); with O(resolve), C(document) (the
        parsed policy) too, and C(label) (where it came from) names it in a failure. Other keys are ignored.
      - With O(state=rolled_back), the set a failed change tried to place (its policies are removed too).
    type: list
    elements: dict
    default: []
  state:
    description:
      - V(present) places the set; V(rolled_back) puts back the set kept before the last change.
    type: str
    choices: [present, rolled_back]
    default: present
  policy_dir:
    description: The agent's policy directory (its C(tracing-policy-dir)).
    type: path
    default: /etc/tetragon/tetragon.tp.d
  state_dir:
    description: Where the module records the placed set and keeps the previous one (never inside O(policy_dir)).
    type: path
    default: /var/lib/ebpfops-tetragon/policies
  verify:
    description: Whether to read the agent's policy list after the change and report the set's RV(problems).
    type: bool
    default: false
  systemd_unit:
    description: A systemd unit whose state (C(systemctl is-active)) is returned in RV(service_state).
    type: str
  resolve:
    description:
      - With O(state=present), resolve every policy of the set on the host's kernel first, as
        M(ebpfops.tetragon.policy_resolve) does. When any policy has a resolve error, nothing is placed (the
        agent is not asked, no file or record is written), also in check mode, and the failure names the host,
        each refused policy's name, file and source, and each finding's rule id, YAML path and hint.
      - A rollback (O(state=rolled_back)) never resolves, so the kept set can always be put back.
      - Set V(false) on a host where you know better than the check.
    type: bool
    default: true
extends_documentation_fragment:
  - ebpfops.tetragon._tetra
attributes:
  check_mode:
    description: Reports what would change from the files, the records and the agent's list; changes nothing.
    support: full
  diff_mode:
    description: Each changed policy file's text before and after.
    support: full
notes:
  - Needs a running agent; without one nothing is changed.
  - O(resolve) reads root-only files (tracefs formats) and caches the parsed BTF per boot in C(/run/ebpfops-tetragon).
  - O(verify) and O(systemd_unit) only read; in check mode they describe the host as it is, which a rollout uses
    to leave a host whose set would not change alone.
seealso:
  - module: ebpfops.tetragon.policy_set
  - module: ebpfops.tetragon.tracing_policy
"""

EXAMPLES = r"""
- name: Read and lint the set once, on the controller
  ebpfops.tetragon.policy_set:
    policies: [{src: policies/file-delete.yaml}]
  run_once: true
  register: policy_set

- name: Place it, and read the agent's state for a gate
  ebpfops.tetragon.policy_set_apply:
    policies: "{{ policy_set.policies }}"
    verify: true
    systemd_unit: tetragon
  become: true
  register: placed

- name: Put back the set placed before
  ebpfops.tetragon.policy_set_apply:
    policies: "{{ policy_set.policies }}"
    state: rolled_back
  become: true
  when: placed is failed
"""

RETURN = r"""
changing:
  description: Whether the set differs from the one placed last (a rollback then restores the kept one).
  returned: always
  type: bool
placed:
  description: The names of the set placed (with O(state=rolled_back), of the kept set put back).
  returned: always
  type: list
  elements: str
changed_policies:
  description: The names of the policies loaded or rewritten by this run.
  returned: always
  type: list
  elements: str
removed:
  description: The names of the policies removed (placed before by this module, no longer in the set).
  returned: always
  type: list
  elements: str
problems:
  description: With O(verify), each policy of the set the agent does not run enabled with no error.
  returned: when verify
  type: list
  elements: dict
  contains:
    name: {description: The policy (C(namespace/name) for a namespaced one)., type: str}
    problem: {description: Why it is not usable., type: str}
service_state:
  description: With O(systemd_unit), the output of C(systemctl is-active) (V(active), V(inactive), V(failed), ...).
  returned: when systemd_unit is set
  type: str
rolled_back:
  description: With O(state=rolled_back), whether a kept set was put back.
  returned: when state is rolled_back
  type: bool
failed_policy:
  description: On failure, the policy the agent rejected, or the first policy with a resolve error.
  returned: failure
  type: str
resolve_findings:
  description:
    - With O(resolve), what resolving each policy on the host's kernel found, by policy name (each finding has
      C(rule), C(severity), C(path), C(message) and C(hint), as M(ebpfops.tetragon.policy_resolve) returns them).
  returned: when resolve and state is present
  type: dict
  sample: {rollout-typo: [{rule: R3, severity: error, path: "spec.tracepoints[0].event",
                           message: tracepoint raw_syscalls/sys_enters does not exist on this kernel,
                           hint: "See /sys/kernel/tracing/events/raw_syscalls. Did you mean sys_enter?", fixable: false}]}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._placement import PlacementError, exit_placed
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._names import (
    file_name_problem, name_problem, namespace_problem)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._policy_set import PolicySet
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    TETRA_ARGUMENT_SPEC, Tetra, cli_problem)


def bad_policy(index, policy):
    for key in ("name", "file", "text"):
        if not isinstance(policy.get(key), str) or not policy.get(key):
            return "policies[%d].%s must be a non-empty string (give the policies of ebpfops.tetragon.policy_set)" % (
                index, key)
    if policy.get("mode") not in (None, "", "enforce", "monitor"):
        return "policies[%d].mode %r is not enforce or monitor" % (index, policy.get("mode"))
    problem = (file_name_problem(policy["file"]) or name_problem(policy["name"])
               or namespace_problem(policy.get("namespace")))
    return "policies[%d]: %s" % (index, problem) if problem else None


def service_state(module, unit):
    rc, out, err = module.run_command(["systemctl", "is-active", "--", unit])
    return (out or "").strip() or "unknown"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            policies=dict(type="list", elements="dict", default=[]),
            state=dict(type="str", choices=["present", "rolled_back"], default="present"),
            policy_dir=dict(type="path", default="/etc/tetragon/tetragon.tp.d"),
            state_dir=dict(type="path", default="/var/lib/ebpfops-tetragon/policies"),
            verify=dict(type="bool", default=False),
            systemd_unit=dict(type="str"),
            resolve=dict(type="bool", default=True),
            **TETRA_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    p = module.params
    for index, policy in enumerate(p["policies"]):
        problem = bad_policy(index, policy)
        if problem:
            module.fail_json(msg=problem)
    if cli_problem(p["tetra_path"]):
        module.fail_json(msg=cli_problem(p["tetra_path"]))
    tetra = Tetra(module.run_command, p["tetra_path"], p["server_address"], p["timeout"])
    try:
        policy_set = PolicySet(tetra, p["policy_dir"], p["state_dir"], tmpdir=module.tmpdir)
        if p["state"] == "rolled_back":
            result = policy_set.rollback(p["policies"], module.check_mode)
        else:
            result = policy_set.apply(p["policies"], module.check_mode,
                                      view=KernelView.host() if p["resolve"] else None)
            if p["verify"]:
                result["problems"] = policy_set.verify(p["policies"])
    except PlacementError as exc:
        exc.result.pop("diff", None)
        module.fail_json(msg=exc.msg, **exc.result)
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot write the policy set's files: %s" % exc)
    if p["systemd_unit"]:
        result["service_state"] = service_state(module, p["systemd_unit"])
    exit_placed(module, result)


if __name__ == "__main__":
    main()
