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
  - Tracepoint hooks are attached as tracepoints. A kprobe on a syscall (a C(call) like C(sys_unlinkat) or
    C(__x64_sys_unlinkat), or a C(list:) of type C(syscalls), which expands to one attach point per syscall)
    is measured on the C(syscalls:sys_enter_<name>) tracepoint, which fires once per call like the kprobe;
    the result says so in C(measured_on) and C(note).
  - Other kprobes, LSM hooks, uprobes, USDTs and fentries are reported with C(measurable=false) and the
    reason, for example C(kernel built without CONFIG_KPROBES) on kernels without kprobes.
  - Leaves nothing behind; every program and perf event is released when the module ends, also on error
    (the kernel drops them with the process if it is killed). Run-time stats are switched on only while the
    module holds a C(BPF_ENABLE_STATS) descriptor; the host's sysctl is not written.
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
    attach_points:
      description: The kernel attach points of the hook (a syscall list gives one per syscall).
      type: list
      elements: dict
      contains:
        kind: {description: 'C(tracepoint), C(kprobe), C(lsmhook), ...', type: str}
        target: {description: 'The tracepoint (category:event) or function as written.', type: str}
        measured_on: {description: 'Where the probe was attached (C(tracepoint:<category>:<event>)); null when not measured.', type: str}
        events: {description: 'Times the attach point fired during the interval; null when not measured.', type: int}
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
"""

import errno
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._probe_plan import attach_plan

STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def _stats_sysctl():
    try:
        with open(STATS_SYSCTL) as handle:
            return int(handle.read().strip())
    except (IOError, OSError, ValueError):
        return None


def probe(hooks, interval):
    """Attach a probe per measurable attach point, count runs over interval, release everything."""
    fds = []
    probes = []
    stats_fd = None
    try:
        try:
            stats_fd = _bpf.enable_stats()
        except _bpf.BpfError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES) or _stats_sysctl() != 1:
                raise
        for hook in hooks:
            for point in hook["attach_points"]:
                point["events"] = None
                point["events_per_second"] = None
                if not point["measurable"]:
                    continue
                category, event = point["tracepoint"]
                try:
                    _bpf.tracepoint_id(category, event)
                except _bpf.BpfError as exc:
                    if exc.errno != errno.ENOENT:
                        raise
                    point["measurable"] = False
                    point["measured_on"] = None
                    point["reason"] = str(exc)
                    continue
                prog = _bpf.load_probe_program()
                fds.append(prog)
                fds.append(_bpf.attach_tracepoint(prog, category, event))
                probes.append((point, prog))
        start_counts = [_bpf.prog_info(prog)["run_cnt"] for _point, prog in probes]
        start = time.time()
        time.sleep(interval)
        end_counts = [_bpf.prog_info(prog)["run_cnt"] for _point, prog in probes]
        elapsed = time.time() - start
    finally:
        for fd in reversed(fds):
            _bpf.close(fd)
        if stats_fd is not None:
            _bpf.close(stats_fd)
    total = 0
    for (point, _prog), first, last in zip(probes, start_counts, end_counts):
        point["events"] = last - first
        point["events_per_second"] = round(point["events"] / elapsed, 3)
        total += point["events"]
    return total, elapsed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path"),
            content=dict(type="dict"),
            interval=dict(type="float", default=1.0),
        ),
        mutually_exclusive=[["src", "content"]],
        required_one_of=[["src", "content"]],
        supports_check_mode=True,
    )
    params = module.params
    if params["interval"] <= 0 or params["interval"] > 3600:
        module.fail_json(msg="interval must be between 0 and 3600 seconds, got %s" % params["interval"])
    document = params["content"]
    source = "content"
    if document is None:
        source = params["src"]
        module.fail_json(msg="src %s was not read: src is read on the controller by the "
                             "ebpfops.tetragon.hook_probe action plugin; call the module by its FQCN "
                             "ebpfops.tetragon.hook_probe, or pass the policy as content" % source)
    kprobes_ok, kprobes_reason = _bpf.kprobes_available()
    try:
        hooks = attach_plan(document, kprobes_ok, kprobes_reason)
    except ValueError as exc:
        module.fail_json(msg="%s: %s" % (source, exc))
    try:
        total, elapsed = probe(hooks, params["interval"])
    except _bpf.BpfError as exc:
        msg = str(exc)
        if exc.errno in (errno.EPERM, errno.EACCES):
            msg += ": hook_probe loads BPF programs and needs root; run the task with become: true"
        module.fail_json(msg="probing the hooks of %s failed (every probe was released): %s" % (source, msg))
    for hook in hooks:
        for point in hook["attach_points"]:
            point.pop("tracepoint", None)
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    module.exit_json(
        changed=False, hooks=hooks, total_events=total,
        total_events_per_second=round(total / elapsed, 3), interval=round(elapsed, 6),
        kprobes=kprobes_ok, kprobes_reason=kprobes_reason, policy=metadata.get("name"),
    )


if __name__ == "__main__":
    main()
