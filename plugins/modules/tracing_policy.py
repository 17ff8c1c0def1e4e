#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: tracing_policy
short_description: Put one Tetragon TracingPolicy on a host, proven loadable on the running agent first
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Places one policy in Tetragon's policy directory (C(tracing-policy-dir)), which the agent loads at start.
    A file there that the agent cannot load stops the agent from starting, so the policy is first added to
    the B(running) agent (C(tetra tracingpolicy add)) and must be listed as enabled with no load error
    before the file is written. A policy the agent rejects is deleted from the agent again, the version
    that ran before is put back, and the module fails with the agent's error text.
  - A changed policy (new content, same name) replaces the running one (delete, then add); Tetragon keys a
    policy by the C(metadata.name) inside its YAML, so the new version cannot be proven beside the old one. If
    the agent rejects the new content or stops answering, the previous file's content is added back (retried
    3 times) and the file is left as it was. A running policy with no file to restore it from is refused
    before anything is touched.
  - O(name) and O(namespace) must be DNS-1123 names (as Tetragon requires); every path stays inside
    O(policy_dir). Policy files are written with mode 0644, root-owned, whatever the umask.
  - O(mode) sets C(policy-mode) in the policy's C(spec.options) (what the agent reads at start) and the
    mode at runtime. It applies only to policies with enforcement actions (C(Sigkill), C(Signal),
    C(Override), C(NotifyEnforcer), C(Set)) or C(enforcers); Tetragon 1.7 and later run other policies as
    C(monitor_only), and the module leaves their text and mode alone.
  - An action plugin reads O(src) and parses the policy on the controller; the host needs only Python's
    standard library and the agent's C(tetra) CLI.
  - With O(resolve) (the default), every hook of the policy is first resolved on the host's own kernel, as
    M(ebpfops.tetragon.policy_resolve) does (kernel functions in BTF, syscalls, tracepoints and their fields, LSM
    hooks, uprobe symbols, the kernel features the hooks need). A policy with a resolve error is refused before
    the agent is asked anything (no file is written and the agent is left as it was), also in check mode. The
    failure names the rule id, the YAML path and a hint.
options:
  src:
    description:
      - Path of the policy file on the controller (looked up like M(ansible.builtin.copy) looks up C(src)).
      - Mutually exclusive with O(content).
    type: path
  content:
    description:
      - The policy as YAML text (written byte for byte, unless O(mode) must be set in it) or as a mapping.
      - One of O(src) and O(content) is required with O(state=present).
    type: raw
  name:
    description:
      - The policy's C(metadata.name). Taken from the policy when omitted; must match it when given.
      - Required with O(state=absent) when no policy is given.
    type: str
  namespace:
    description:
      - The namespace of a C(TracingPolicyNamespaced) (taken from the policy when one is given).
    type: str
    default: ""
  state:
    description:
      - V(present) loads and places the policy; V(absent) deletes it from the agent and removes its file.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - V(enforce) or V(monitor). Omitted, the policy's own C(policy-mode) option (default enforce) holds.
    type: str
    choices: [enforce, monitor]
  policy_dir:
    description:
      - The agent's policy directory (its C(tracing-policy-dir)).
    type: path
    default: /etc/tetragon/tetragon.tp.d
  file_name:
    description:
      - File name in O(policy_dir). Default C(<name>.yaml), or C(<namespace>.<name>.yaml) for a namespaced policy.
    type: str
  resolve:
    description:
      - Resolve the policy's hooks on the host's kernel before it is added, and refuse it on a resolve error
        (see M(ebpfops.tetragon.policy_resolve) for the rules R1-R14). Warnings do not refuse; they are returned
        in RV(resolve_findings).
      - Set V(false) on a host where you know better than the check (for example a kernel function that a module
        loaded later provides).
    type: bool
    default: true
  document:
    description:
      - The policy as data, for O(resolve). The action plugin parses O(src) or O(content) on the controller and
        passes it; give it only when calling the module without its action plugin.
    type: dict
extends_documentation_fragment:
  - ebpfops.tetragon._tetra
attributes:
  check_mode:
    description: Reports what would change from the file and the agent's policy list; changes nothing.
    support: full
  diff_mode:
    description: The policy file's text before and after.
    support: full
notes:
  - Needs a running agent for O(state=present); without one nothing proves the policy loadable, and nothing
    is written. With O(state=absent) and no agent answering, the file is removed with a warning.
  - Policies added at runtime are not persisted by the agent; the file is what the agent loads after a
    restart.
  - The policy directory must hold policies only (Tetragon loads every regular file in it).
  - O(resolve) reads root-only files (tracefs formats); run with C(become=true). It caches the parsed BTF per boot
    in C(/run/ebpfops-tetragon), as M(ebpfops.tetragon.policy_resolve) does.
seealso:
  - module: ebpfops.tetragon.tracing_policy_info
  - module: ebpfops.tetragon.policy_lint
  - module: ebpfops.tetragon.policy_resolve
"""

EXAMPLES = r"""
- name: Place a policy in monitor mode once the agent has loaded it
  ebpfops.tetragon.tracing_policy:
    src: policies/file-delete.yaml
    mode: monitor
  become: true

- name: Promote it to enforce
  ebpfops.tetragon.tracing_policy:
    src: policies/file-delete.yaml
    mode: enforce
  become: true

- name: Place a policy on a kernel the resolver cannot judge (its hook comes from a module loaded later)
  ebpfops.tetragon.tracing_policy:
    src: policies/driver-probe.yaml
    resolve: false
  become: true

- name: Remove a policy from the agent and from the policy directory
  ebpfops.tetragon.tracing_policy:
    name: file-delete
    state: absent
  become: true
"""

RETURN = r"""
name:
  description: The policy's name.
  returned: always
  type: str
  sample: file-delete
path:
  description: The policy file on the host.
  returned: always
  type: str
  sample: /etc/tetragon/tetragon.tp.d/file-delete.yaml
agent_state:
  description: The agent's state of the policy after the run (C(TP_STATE_ENABLED)), or null when not listed.
  returned: always
  type: str
  sample: TP_STATE_ENABLED
agent_mode:
  description: The policy's mode on the agent after the run (enforce, monitor, monitor_only), or null.
  returned: always
  type: str
  sample: monitor
replaced:
  description: Whether a running version of the policy was replaced.
  returned: always
  type: bool
resolve_findings:
  description:
    - What resolving the policy on the host's kernel found (warnings and info when the policy was placed; with the
      errors when it was refused, and the module failed). Each has C(rule), C(severity), C(path), C(message) and
      C(hint), as M(ebpfops.tetragon.policy_resolve) returns them.
  returned: with O(state=present) and O(resolve)
  type: list
  elements: dict
  sample: [{rule: R3, severity: error, path: "spec.tracepoints[0].event",
            message: tracepoint raw_syscalls/sys_enters does not exist on this kernel,
            hint: "See /sys/kernel/tracing/events/raw_syscalls. Did you mean sys_enter?", fixable: false}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._placement import Placement, PlacementError, exit_placed
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import (
    describe_finding, on_this_host, resolve)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._names import file_name_problem
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    TETRA_ARGUMENT_SPEC, Tetra, cli_problem)


def resolved(module, placement):
    """The findings of the policy on this host's kernel; fails, touching nothing, on a resolve error."""
    try:
        findings = resolve(module.params["document"], KernelView.host())["findings"]
    except ValueError as exc:
        raise PlacementError("document: %s" % exc, dict(changed=False, name=placement.name, path=placement.path))
    errors = [f for f in findings if f["severity"] == "error"]
    if errors:
        raise PlacementError(
            "policy %s does not resolve on %s, so nothing was changed (no file written, the agent not asked): %s. "
            "Fix the policy, or set resolve: false where you know this kernel better"
            % (placement.name, on_this_host(), "; ".join(describe_finding(f) for f in errors)),
            dict(changed=False, name=placement.name, path=placement.path, resolve_findings=findings))
    return findings


def run(module):
    p = module.params
    tetra = Tetra(module.run_command, p["tetra_path"], p["server_address"], p["timeout"])
    placement = Placement(tetra, p["policy_dir"], p["name"], p["namespace"] or "", p["file_name"],
                          tmpdir=module.tmpdir)
    if p["state"] == "absent":
        return placement.absent(module.check_mode, warn=module.warn)
    findings = resolved(module, placement) if p["resolve"] else None
    result = placement.present(p["content"], p["mode"], module.check_mode)
    if findings is not None:
        result["resolve_findings"] = findings
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="raw"),
            name=dict(type="str"),
            namespace=dict(type="str", default=""),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            mode=dict(type="str", choices=["enforce", "monitor"]),
            policy_dir=dict(type="path", default="/etc/tetragon/tetragon.tp.d"),
            file_name=dict(type="str"),
            resolve=dict(type="bool", default=True),
            document=dict(type="dict"),
            **TETRA_ARGUMENT_SPEC
        ),
        mutually_exclusive=[("src", "content")],
        supports_check_mode=True,
    )
    p = module.params
    if p["src"] is not None:
        module.fail_json(msg="src %s is read on the controller by the action plugin, which passes content; "
                             "call the module as ebpfops.tetragon.tracing_policy" % p["src"])
    if p["state"] == "present" and p["content"] is None:
        module.fail_json(msg="state=present needs the policy: give src or content")
    if not p["name"]:
        module.fail_json(msg="name is required (the action plugin takes it from the policy's metadata.name)")
    if p["file_name"] is not None and file_name_problem(p["file_name"]):
        module.fail_json(msg="file_name: %s" % file_name_problem(p["file_name"]))
    if p["state"] == "present" and not isinstance(p["content"], str):
        module.fail_json(msg="content must reach the host as YAML text; use the module through its action "
                             "plugin (ebpfops.tetragon.tracing_policy), which renders it")
    if p["state"] == "present" and p["resolve"] and p["document"] is None:
        module.fail_json(msg="resolve needs the policy as data (document), which the action plugin passes: call the "
                             "module as ebpfops.tetragon.tracing_policy, give document, or set resolve: false")
    if cli_problem(p["tetra_path"]) and p["state"] == "present":
        module.fail_json(msg=cli_problem(p["tetra_path"]))
    try:
        result = run(module)
    except PlacementError as exc:
        module.fail_json(msg=exc.msg, **exc.result)
    exit_placed(module, result)


if __name__ == "__main__":
    main()
