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
  - A changed policy (new content, same name) replaces the running one (delete, then add); if the agent
    rejects the new content, the previous file's content is added back, and the file is left as it was.
  - O(mode) sets C(policy-mode) in the policy's C(spec.options) (what the agent reads at start) and the
    mode at runtime. It applies only to policies with enforcement actions (C(Sigkill), C(Signal),
    C(Override), C(NotifyEnforcer), C(Set)) or C(enforcers); Tetragon 1.7 and later run other policies as
    C(monitor_only), and the module leaves their text and mode alone.
  - An action plugin reads O(src) and parses the policy on the controller; the host needs only Python's
    standard library and the agent's C(tetra) CLI.
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
seealso:
  - module: ebpfops.tetragon.tracing_policy_info
  - module: ebpfops.tetragon.policy_lint
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
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    TETRA_ARGUMENT_SPEC, Tetra, TetraError, entry_problem, runtime_mode)


def _read(path):
    try:
        with open(path, "rb") as handle:
            return to_text(handle.read(), errors="surrogate_or_strict")
    except (IOError, OSError):
        return None


class PolicyRun(object):
    def __init__(self, module):
        self.module = module
        p = module.params
        self.name, self.namespace = p["name"], p["namespace"] or ""
        self.key = (self.namespace, self.name)
        default = ("%s.%s.yaml" % (self.namespace, self.name)) if self.namespace else "%s.yaml" % self.name
        self.path = os.path.join(p["policy_dir"], p["file_name"] or default)
        self.tetra = Tetra(self._run, p["tetra_path"], p["server_address"], p["timeout"])
        self.before = _read(self.path)
        self.result = dict(changed=False, name=self.name, path=self.path, agent_state=None, agent_mode=None,
                           replaced=False)

    def _run(self, argv):
        return self.module.run_command(argv)

    def fail(self, msg):
        self.module.fail_json(msg=msg, **self.result)

    def finish(self, entry, after):
        self.result["agent_state"] = (entry or {}).get("state")
        self.result["agent_mode"] = runtime_mode(entry)
        if self.module._diff:
            self.result["diff"] = dict(before=self.before or "", after=after or "",
                                       before_header=self.path, after_header=self.path)
        self.module.exit_json(**self.result)

    def listed(self, when):
        try:
            return self.tetra.policies()
        except TetraError as exc:
            self.fail("the Tetragon agent did not answer %s (%s); a policy is written to %s only after the "
                      "running agent has loaded it: start the agent, or check tetra_path and server_address"
                      % (when, exc, os.path.dirname(self.path)))

    def temp_file(self, text):
        handle, tmp = tempfile.mkstemp(prefix=".ebpfops-policy-", suffix=".yaml", dir=self.module.tmpdir)
        with os.fdopen(handle, "wb") as out:
            out.write(to_bytes(text, errors="surrogate_or_strict"))
        return tmp

    def add_text(self, text, mode):
        tmp = self.temp_file(text)
        try:
            self.tetra.add(tmp, mode)
        finally:
            os.unlink(tmp)

    def loaded(self, text, mode):
        """Add `text` to the agent; the agent's error text, or None when it lists the policy enabled."""
        error = None
        try:
            self.add_text(text, mode)
        except TetraError as exc:
            error = str(exc)
        entry = self.listed("after adding %s" % self.name).get(self.key)
        problem = entry_problem(entry)
        if error is None and problem is None:
            return None, entry
        if entry is not None:
            try:
                self.tetra.delete(self.name, self.namespace)
            except TetraError as exc:
                problem = "%s; deleting the rejected policy failed too: %s" % (problem, exc)
        return error or problem, None

    def write(self, text):
        tmp = self.temp_file(text)
        os.chmod(tmp, 0o644)
        self.module.atomic_move(tmp, self.path)

    def present(self, content, mode):
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            self.fail("policy directory %s does not exist; install Tetragon (role ebpfops.tetragon.tetragon) "
                      "or set policy_dir to the agent's tracing-policy-dir" % directory)
        entry = self.listed("before the change").get(self.key)
        current_mode = runtime_mode(entry)
        file_ok = self.before == content
        agent_ok = entry_problem(entry) is None
        mode_ok = mode is None or current_mode in (None, mode, "monitor_only")
        if file_ok and agent_ok and mode_ok:
            return self.finish(entry, content)
        self.result["changed"] = True
        if self.module.check_mode:
            return self.finish(entry, content)
        if file_ok and agent_ok:
            try:
                self.tetra.set_mode(self.name, mode, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to set policy %s to %s mode: %s" % (self.name, mode, exc))
            return self.finish(self.listed("after set-mode").get(self.key), content)
        if entry is not None:
            try:
                self.tetra.delete(self.name, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to delete the running policy %s before replacing it: %s"
                          % (self.name, exc))
            self.result["replaced"] = agent_ok
        error, new_entry = self.loaded(content, mode)
        if error is not None:
            self.fail("Tetragon rejected policy %s: %s. %s" % (self.name, error, self.restore(entry, agent_ok)))
        if not file_ok:
            self.write(content)
        self.finish(new_entry, content)

    def restore(self, entry, was_ok):
        """Put the version that ran before back on the agent; a sentence saying what happened."""
        kept = "%s was not changed" % self.path if self.before is not None else "no file was written to %s" % (
            os.path.dirname(self.path))
        if self.before == self.module.params["content"]:
            kept += (", and it holds this very policy, which the agent will refuse at its next start: fix the "
                     "policy or remove the file")
        if entry is None or not was_ok:
            return "The policy was removed from the agent again; %s." % kept
        if self.before is None:
            return ("The version that ran before has no file in %s, so it cannot be put back on the agent; "
                    "%s." % (os.path.dirname(self.path), kept))
        error, dummy = self.loaded(self.before, runtime_mode(entry) if runtime_mode(entry) in (
            "enforce", "monitor") else None)
        if error is not None:
            return "Putting the previous version back failed too: %s; %s." % (error, kept)
        return "The previous version runs again; %s." % kept

    def absent(self):
        try:
            entry = self.tetra.policies().get(self.key)
        except TetraError as exc:
            entry = None
            if self.before is not None:
                self.module.warn("the Tetragon agent did not answer (%s): %s is removed from the policy "
                                 "directory and is gone from the agent at its next start" % (exc, self.name))
        if entry is None and self.before is None:
            return self.finish(None, None)
        self.result["changed"] = True
        if self.module.check_mode:
            return self.finish(entry, None)
        if entry is not None:
            try:
                self.tetra.delete(self.name, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to delete policy %s: %s" % (self.name, exc))
        if self.before is not None:
            try:
                os.unlink(self.path)
            except OSError as exc:
                self.fail("cannot remove %s: %s" % (self.path, to_native(exc)))
        self.finish(None, None)


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
    if p["file_name"] is not None and (not p["file_name"] or "/" in p["file_name"] or p["file_name"].startswith(".")):
        module.fail_json(msg="file_name %r must be a plain file name inside policy_dir" % p["file_name"])
    if p["state"] == "present" and not isinstance(p["content"], str):
        module.fail_json(msg="content must reach the host as YAML text; use the module through its action "
                             "plugin (ebpfops.tetragon.tracing_policy), which renders it")
    if not os.path.exists(p["tetra_path"]) and p["state"] == "present":
        module.fail_json(msg="the Tetragon CLI %s is not on this host; install Tetragon first (role "
                             "ebpfops.tetragon.tetragon) or set tetra_path" % p["tetra_path"])
    run = PolicyRun(module)
    if p["state"] == "absent":
        run.absent()
    run.present(p["content"], p["mode"])


if __name__ == "__main__":
    main()
