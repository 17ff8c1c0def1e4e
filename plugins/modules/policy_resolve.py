#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: policy_resolve
short_description: Resolve every hook of a TracingPolicy on the host's own kernel before loading it
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Checks the facts only the host's kernel knows and that Tetragon checks only when it loads a policy, after
    a rollout has started. Kernel functions of kprobes and fentries are looked up in the kernel's BTF
    (C(/sys/kernel/btf/vmlinux), parsed in Python), with C(/proc/kallsyms) as the fallback; syscall kprobes and
    C(syscalls) lists with the host's arch prefix (C(__x64_sys_), C(__arm64_sys_)); tracepoints and the number
    of fields of their tracefs C(format) file (a tracepoint arg C(index) must be below it); LSM hooks as
    C(bpf_lsm_<hook>) in BTF and whether BPF LSM is active; uprobe binaries and their ELF C(.symtab)/C(.dynsym)
    symbols; USDT probes in the binary's SystemTap SDT notes.
  - Also reports the kernel features the hooks need - kprobes, kprobe_multi, C(bpf_override_return) or fmod_ret
    for C(Override), BPF trampolines for fentries, BPF LSM.
  - Returns findings in the lint's format (rule ids R1-R14, see docs/policy-resolve.md). A kernel that cannot
    attach kprobes at all is the warning R9, not an error, so a policy whose symbols resolve stays C(valid).
  - Read-only. The parsed BTF function table is cached per boot in O(cache_dir) (a root-only directory; the
    cache key holds the boot id). Runs on the managed host with the Python standard library only.
  - The action plugin reads O(src) on the controller and passes the parsed policy, so the host needs no PyYAML.
options:
  src:
    description:
      - Path on the controller of a policy YAML file. Its first document is resolved (Tetragon loads one policy
        per file). Mutually exclusive with O(content).
    type: path
  content:
    description:
      - The policy as data (a TracingPolicy mapping).
    type: dict
  cache_dir:
    description:
      - Directory for the per-boot cache of the parsed BTF. Created with mode 0700; ignored unless owned by the
        user running the module and private. Empty to parse the BTF every time.
    type: str
    default: /run/ebpfops-tetragon
attributes:
  check_mode:
    support: full
    description: Reads only; the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
  action:
    support: full
    description: The action plugin reads O(src) on the controller.
notes:
  - Tracefs format files and the error-injection list are readable by root only; run with C(become=true).
seealso:
  - module: ebpfops.tetragon.policy_lint
  - module: ebpfops.tetragon.hook_probe
"""

EXAMPLES = r"""
- name: Resolve a policy on each host before loading it
  ebpfops.tetragon.policy_resolve:
    src: policies/file-delete.yaml
  register: resolved
  become: true

- name: Refuse the policy when a hook does not exist here
  ansible.builtin.assert:
    that: resolved.valid
    fail_msg: "{{ resolved.findings | selectattr('severity', 'equalto', 'error') | map(attribute='message') | list }}"
"""

RETURN = r"""
valid:
  description: True when no finding is an error (every hook resolves and the kernel has what the hooks need).
  returned: success
  type: bool
findings:
  description: Findings in the lint's format.
  returned: success
  type: list
  elements: dict
  contains:
    rule: {description: Rule id (R1-R14)., type: str, sample: R1}
    severity: {description: 'C(error), C(warning) or C(info).', type: str}
    path: {description: YAML path in the policy., type: str, sample: "spec.kprobes[0].call"}
    message: {description: 'What is wrong on this kernel.', type: str}
    hint: {description: 'How to fix it.', type: str}
    fixable: {description: 'Always false (no rewrite fixes kernel facts).', type: bool}
resolved:
  description: Every attach point looked up, in policy order.
  returned: success
  type: list
  elements: dict
  contains:
    path: {description: 'YAML path of the call, list element or hook.', type: str}
    kind: {description: 'C(kprobe), C(fentry), C(tracepoint), C(lsm), C(uprobe) or C(usdt).', type: str}
    target: {description: 'The name as written.', type: str}
    symbol: {description: 'The name looked up (arch-prefixed syscall, C(bpf_lsm_<hook>), ...).', type: str}
    found: {description: 'Whether it exists here; null for lists the agent generates.', type: bool}
    source: {description: 'Where it was found (C(btf), C(module <name>), C(kallsyms), C(tracefs), C(elf)).', type: str}
summary:
  description: Counts of findings by severity, attach points looked up and resolved, and how the BTF was read.
  returned: success
  type: dict
  sample: {errors: 0, warnings: 1, info: 0, attach_points: 3, resolved: 3, btf: cached}
kernel_features:
  description: Kernel features by name (kprobes, kprobe_multi, override_return, fmod_ret, bpf_lsm), each with
    C(available) (true, false or null when unknown) and C(how) it was decided.
  returned: success
  type: dict
kernel:
  description: The host's kernel release.
  returned: success
  type: str
policy:
  description: Name of the resolved policy (metadata.name).
  returned: success
  type: str
"""

import platform

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_view import KernelView
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import kernel_features, resolve


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="dict"),
            cache_dir=dict(type="str", default="/run/ebpfops-tetragon"),
        ),
        mutually_exclusive=[["src", "content"]],
        required_one_of=[["src", "content"]],
        supports_check_mode=True,
    )
    document = module.params["content"]
    if document is None:
        module.fail_json(msg="src %s was not read: src is read on the controller by the "
                             "ebpfops.tetragon.policy_resolve action plugin; call the module by its FQCN "
                             "ebpfops.tetragon.policy_resolve, or pass the policy as content" % module.params["src"])
    view = KernelView.host(cache_dir=module.params["cache_dir"] or None)
    try:
        result = resolve(document, view)
    except ValueError as exc:
        module.fail_json(msg="content: %s" % exc)
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    module.exit_json(changed=False, kernel=platform.release(), policy=metadata.get("name"),
                     kernel_features=kernel_features(view), **result)


if __name__ == "__main__":
    main()
