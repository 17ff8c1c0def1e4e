#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: hook_probe
short_description: Measure how often a TracingPolicy's hooks would fire on a host, before deploying it
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - For each hook of a Tetragon TracingPolicy, attaches a minimal BPF program (C(r0 = 0; exit)) to the same
    kernel attach point, counts its runs with the kernel's run-time statistics over O(interval) seconds,
    detaches and reports. This answers "how often would this policy's programs run here?".
  - Tracepoint hooks are attached as tracepoints.
  - Kprobes on any kernel function (for example C(security_file_permission), C(vfs_write), C(fd_install)) are
    attached as kprobes; a kprobe with C(return) set to true gets a return probe too. Syscall kprobes (a C(call) like
    C(sys_unlinkat), or a C(list:) of type C(syscalls)) are attached to the kernel's syscall function
    (C(__x64_sys_unlinkat) on x86_64). With O(kprobe_attach=auto) a kprobe_multi link is used where the
    kernel has one (as Tetragon does), else the kprobe PMU.
  - LSM hooks are measured with a BPF LSM program on the hook (C(bpf_lsm_<hook>)); the kernel must have
    the BPF LSM active, as Tetragon needs too.
  - On kernels without kprobes, syscall kprobes fall back to their C(syscalls:sys_enter_<name>)
    (C(sys_exit_<name>) for return probes) tracepoint, which fires once per call like the kprobe; the
    attach point's C(note) says so. C(measured_on) always says what was attached.
  - B(Fails closed.) An attach point that cannot be measured (no kprobes on the kernel, an unknown function,
    a uprobe, ...) is never counted as zero. It is listed in RV(unmeasured) with its reason, RV(complete) is
    false, and the module fails unless O(allow_unmeasured=true).
  - Leaves nothing behind; every program, perf event and link is released when the module ends, also on
    error (the kernel drops them with the process if it is killed). Run-time stats are switched on only while
    the module holds a C(BPF_ENABLE_STATS) descriptor; the host's sysctl is not written.
  - The action plugin reads O(src) on the controller and passes the parsed policy, so the host needs no
    PyYAML. Runs on the managed host with the Python standard library only; needs root.
options:
  src:
    description:
      - Path on the controller of a policy YAML file with one TracingPolicy document. Mutually exclusive
        with O(content).
    type: path
  content:
    description:
      - The policy as data (a TracingPolicy mapping).
    type: dict
  interval:
    description:
      - Seconds to count hook hits.
    type: float
    default: 1.0
  allow_unmeasured:
    description:
      - Succeed even when some attach points could not be measured. Their cost is then unknown, not zero;
        RV(unmeasured) lists them.
    type: bool
    default: false
  kprobe_attach:
    description:
      - How kprobes are attached. C(auto) uses kprobe_multi (one C(BPF_LINK_CREATE) per function, as Tetragon
        does where the kernel supports it) and falls back to the kprobe PMU; C(kprobe) always uses the kprobe
        PMU (C(perf_event_open)); C(kprobe_multi) fails the attach point where kprobe_multi is missing.
    type: str
    choices: [auto, kprobe, kprobe_multi]
    default: auto
attributes:
  check_mode:
    support: full
    description: Attaches probes for the interval in check mode too; they change nothing and are always removed.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
  action:
    support: full
    description: The action plugin reads O(src) on the controller.
notes:
  - The probe counts how often the attach point fires, not what Tetragon's program would then do; selectors
    such as C(matchBinaries) filter inside that program, after it has run.
seealso:
  - module: ebpfops.tetragon.bpf_prog_stats
  - module: ebpfops.tetragon.policy_rewrite
"""

EXAMPLES = r"""
- name: How often would the policy's hooks fire over 5 seconds?
  ebpfops.tetragon.hook_probe:
    src: policies/file-delete.yaml
    interval: 5
  register: hook_cost
  become: true

- name: What would a security_file_permission kprobe cost? (fails if it cannot be measured)
  ebpfops.tetragon.hook_probe:
    content:
      apiVersion: cilium.io/v1alpha1
      kind: TracingPolicy
      metadata:
        name: file-permission
      spec:
        kprobes:
          - call: security_file_permission
            syscall: false
    interval: 5
  become: true

- name: Probe a policy given as data
  ebpfops.tetragon.hook_probe:
    content:
      apiVersion: cilium.io/v1alpha1
      kind: TracingPolicy
      metadata:
        name: unlinks
      spec:
        tracepoints:
          - subsystem: syscalls
            event: sys_enter_unlinkat
  become: true
"""

RETURN = r"""
hooks:
  description: One entry per hook of the policy, in policy order.
  returned: success
  type: list
  elements: dict
  contains:
    hook:
      description: The hook as written, with its YAML path.
      type: str
      sample: "spec.tracepoints[0]: tracepoint raw_syscalls/sys_exit"
    path: {description: The hook's YAML path., type: str, sample: "spec.tracepoints[0]"}
    section:
      description: The section of the policy's C(spec) the hook is in (C(tracepoints), C(kprobes), C(lsmhooks), C(uprobes), ...).
      type: str
    attach_points:
      description: The kernel attach points of the hook (a syscall list gives one per syscall).
      type: list
      elements: dict
      contains:
        kind: {description: 'C(tracepoint), C(kprobe), C(kretprobe), C(lsmhook), ...', type: str}
        target: {description: 'The tracepoint (category:event) or function as written.', type: str}
        measured_on:
          description:
            - 'What was attached: C(tracepoint:<category>:<event>), C(kprobe:<function>), C(kretprobe:<function>),
              C(kprobe_multi:<function>), C(kprobe_multi_return:<function>) or C(lsm:<hook>); null when not measured.'
          type: str
        events: {description: 'Times the attach point fired during the interval; null when not measured.', type: int}
        run_time_ns: {description: 'BPF time of the probe program during the interval; null when not measured.', type: int}
        events_per_second: {description: 'Events divided by the measured interval.', type: float}
        measurable: {description: 'Whether the attach point could be measured on this host.', type: bool}
        reason: {description: 'Why the attach point was not measured.', type: str}
        note: {description: 'How it was measured when not directly (for example a syscall kprobe on its tracepoint).', type: str}
total_events: {description: Events of all measured attach points., returned: success, type: int}
total_events_per_second: {description: Total events per second., returned: success, type: float}
interval: {description: Measured seconds of counting., returned: success, type: float}
kprobes: {description: Whether the kernel can attach kprobes., returned: success, type: bool}
kprobes_reason: {description: Why kprobes cannot be attached (empty when they can)., returned: success, type: str}
policy: {description: Name of the probed policy (metadata.name)., returned: success, type: str}
complete:
  description: Whether every attach point was measured. When false the totals leave out RV(unmeasured).
  returned: success
  type: bool
unmeasured:
  description: Every attach point that could not be measured, with its reason; also returned on the failure.
  returned: success
  type: list
  elements: dict
  contains:
    hook: {description: The hook with its YAML path., type: str}
    kind: {description: 'C(tracepoint), C(kprobe), C(kretprobe), C(lsmhook), C(uprobe), ...', type: str}
    target: {description: 'The function, tracepoint or hook.', type: str}
    reason: {description: Why it was not measured., type: str}
"""

import errno
import platform

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe import KPROBE_ATTACH, measure, unmeasured
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import SYSCALL_PREFIXES, attach_plan
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsUnavailable


def unmeasured_message(source, missing):
    return ("%s: %d attach point(s) could not be measured on this host, so the policy's cost is unknown "
            "(never counted as zero): %s. Set allow_unmeasured: true to accept a partial measurement."
            % (source, len(missing), "; ".join("%s: %s %s: %s" % (m["hook"], m["kind"], m["target"], m["reason"])
                                               for m in missing)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="dict"),
            interval=dict(type="float", default=1.0),
            allow_unmeasured=dict(type="bool", default=False),
            kprobe_attach=dict(type="str", default="auto", choices=list(KPROBE_ATTACH)),
        ),
        mutually_exclusive=[["src", "content"]],
        required_one_of=[["src", "content"]],
        supports_check_mode=True,
    )
    params = module.params
    if not 0 < params["interval"] <= 3600:  # also refuses nan
        module.fail_json(msg="interval must be between 0 and 3600 seconds, got %s" % params["interval"])
    document = params["content"]
    source = "content"
    if document is None:
        source = params["src"]
        module.fail_json(msg="src %s was not read: src is read on the controller by the "
                             "ebpfops.tetragon.hook_probe action plugin; call the module by its FQCN "
                             "ebpfops.tetragon.hook_probe, or pass the policy as content" % source)
    kprobes_ok, kprobes_reason = _bpf.kprobes_available()
    prefix = SYSCALL_PREFIXES.get(platform.machine(), "__x64_")
    try:
        hooks = attach_plan(document, kprobes_ok, kprobes_reason, prefix)
    except ValueError as exc:
        module.fail_json(msg="%s: %s" % (source, exc))
    try:
        total, elapsed = measure(hooks, params["interval"], params["kprobe_attach"])
    except StatsUnavailable as exc:
        module.fail_json(msg="probing the hooks of %s failed (every probe was released): %s" % (source, exc))
    except _bpf.BpfError as exc:
        msg = str(exc)
        if exc.errno in (errno.EPERM, errno.EACCES):
            msg += ": hook_probe loads BPF programs and needs root; run the task with become: true"
        module.fail_json(msg="probing the hooks of %s failed (every probe was released): %s" % (source, msg))
    missing = unmeasured(hooks)
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    result = dict(
        changed=False, hooks=hooks, total_events=total,
        total_events_per_second=round(total / elapsed, 3), interval=round(elapsed, 6),
        kprobes=kprobes_ok, kprobes_reason=kprobes_reason, policy=metadata.get("name"),
        complete=not missing, unmeasured=missing,
    )
    if missing and not params["allow_unmeasured"]:
        module.fail_json(msg=unmeasured_message(source, missing), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
