#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: tracing_policy_info
short_description: List the policies of the running Tetragon agent, with their state, mode and load errors
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Asks the running agent for its version (C(tetra version --server)) and its policies
    (C(tetra tracingpolicy list -o json)) and returns them as data.
  - With O(expected), also says which of these policies are missing or not enabled (a load error, disabled),
    the health check of a policy rollout.
  - Runs on the managed host with the Python standard library and the agent's C(tetra) CLI. Read-only.
options:
  expected:
    description:
      - Policy names that must be listed as enabled with no error; C(namespace/name) for namespaced policies.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ebpfops.tetragon._tetra
attributes:
  check_mode:
    description: The module only reads; it runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes.
    support: none
"""

EXAMPLES = r"""
- name: Check that the rolled-out policies are enabled
  ebpfops.tetragon.tracing_policy_info:
    expected: [file-delete, kernel-modules]
  register: agent_policies
  failed_when: agent_policies.problems | length > 0
  become: true
"""

RETURN = r"""
server_version:
  description: The agent's version as it reports it.
  returned: always
  type: str
  sample: v1.7.0
policies:
  description: The agent's policies, as C(tetra tracingpolicy list -o json) gives them (snake_case keys).
  returned: always
  type: list
  elements: dict
  sample: [{name: file-delete, state: TP_STATE_ENABLED, mode: TP_MODE_MONITOR, sensors: [generic_kprobe]}]
problems:
  description: For each name of O(expected) that is not enabled with no error, the name and why.
  returned: always
  type: list
  elements: dict
  sample: [{name: file-delete, problem: "state TP_STATE_LOAD_ERROR: policy handler failed: ..."}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    TETRA_ARGUMENT_SPEC, Tetra, TetraError, cli_problem, problems)


def _key(name):
    return tuple(name.split("/", 1)) if "/" in name else ("", name)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            expected=dict(type="list", elements="str", default=[]),
            **TETRA_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    p = module.params
    if cli_problem(p["tetra_path"]):
        module.fail_json(msg=cli_problem(p["tetra_path"]))
    tetra = Tetra(module.run_command, p["tetra_path"], p["server_address"], p["timeout"])
    try:
        version = tetra.version()
        listed = tetra.policies()
    except (TetraError, OSError) as exc:
        module.fail_json(msg="the Tetragon agent did not answer through %s: %s" % (p["tetra_path"], exc))
    module.exit_json(changed=False, server_version=version, policies=list(listed.values()),
                     problems=problems(listed, [_key(name) for name in p["expected"]]))


if __name__ == "__main__":
    main()
