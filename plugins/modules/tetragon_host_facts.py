#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: tetragon_host_facts
short_description: Gather what a host offers Tetragon and check whether a release can run on it
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Reads the kernel release, architecture, systemd, BTF, bpffs and tracefs mounts, kprobe support
    (kprobe PMU, C(kprobe_events) or C(CONFIG_KPROBES) in the kernel configuration), BPF LSM, kernel lockdown
    and the BPF-related sysctls from C(/proc) and C(/sys), and returns them as the fact C(tetragon_host).
  - With O(tetragon_version), also runs the preflight checks for that release and returns them in
    C(tetragon_host.preflight); every check is reported, passed or not, so callers can refuse or warn.
  - Runs on the managed host with the Python standard library only. Read-only.
options:
  tetragon_version:
    description:
      - The Tetragon release to check the host against, for example C(1.7.0). Without it no preflight runs.
    type: str
  lsm_required:
    description:
      - Whether the policies to deploy need the BPF LSM (C(lsmhooks)); its absence is then an error.
    type: bool
    default: false
  kprobes_required:
    description:
      - Whether missing kprobe support is an error. Tetragon's base sensor and every kprobe policy need it.
    type: bool
    default: true
attributes:
  check_mode:
    description: The module only reads; it runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is nothing to show.
    support: none
  facts:
    description: Sets the fact C(tetragon_host).
    support: full
notes:
  - Known bad combinations checked by the preflight include C(kernel.kptr_restrict=2) with Tetragon 1.4.0 to 1.6.0
    (every kprobe policy fails) and kernel lockdown in C(confidentiality) mode (BPF loads fail with EPERM).
"""

EXAMPLES = r"""
- name: Gather Tetragon host facts and check release 1.7.0
  ebpfops.tetragon.tetragon_host_facts:
    tetragon_version: "1.7.0"

- name: Refuse hosts that cannot run it
  ansible.builtin.assert:
    that: ansible_facts.tetragon_host.preflight | rejectattr('ok') | selectattr('severity', 'eq', 'error') | list | length == 0
    fail_msg: "{{ ansible_facts.tetragon_host.preflight | rejectattr('ok') | map(attribute='message') | join('; ') }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    tetragon_host:
      description:
        - C(kernel_release), C(kernel_version), C(arch) (amd64, arm64 or the machine name), C(systemd),
          C(btf), C(btf_path), C(bpffs), C(tracefs), C(kprobes), C(kprobes_reason), C(bpf_lsm), C(lockdown),
          C(kptr_restrict), C(bpf_stats_enabled), C(unprivileged_bpf_disabled), C(cpus), C(kernel_config),
          C(systemd_version) and, with O(tetragon_version), C(preflight).
        - C(preflight) is a list of C({check, ok, severity, message}); checks are systemd, arch, kernel, btf,
          bpffs, kprobes, bpf_lsm, lockdown, kptr_restrict and btf_header.
      type: dict
      returned: always
      sample:
        kernel_version: 6.18.0
        arch: amd64
        kprobes: false
        kprobes_reason: kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)
        preflight:
          - {check: kprobes, ok: false, severity: error, message: "kernel built without CONFIG_KPROBES ..."}
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._facts import gather
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._preflight import preflight
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import is_release_version


def main():
    module = AnsibleModule(
        argument_spec=dict(
            tetragon_version=dict(type="str"),
            lsm_required=dict(type="bool", default=False),
            kprobes_required=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    version = module.params["tetragon_version"]
    if version is not None and not is_release_version(version):
        module.fail_json(msg="tetragon_version %r is not a release number like 1.7.0 (no leading v)" % version[:80])
    facts = gather(os.uname()[2], platform.machine(), cpus=os.cpu_count())
    facts["systemd_version"] = None
    systemctl = module.get_bin_path("systemctl")
    if systemctl:
        rc, out, dummy = module.run_command([systemctl, "--version"])
        if rc == 0 and out.split():
            facts["systemd_version"] = (out.split() + ["", ""])[1]
    if version is not None:
        facts["preflight"] = preflight(facts, version, module.params["lsm_required"],
                                       module.params["kprobes_required"])
    module.exit_json(changed=False, ansible_facts={"tetragon_host": facts})


if __name__ == "__main__":
    main()
