#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: bpf_prog_stats
short_description: Measure the run count and CPU cost of BPF programs, attributed to Tetragon policies
version_added: 0.1.0
author:
  - ebpfops.tetragon contributors (@ebpfops)
description:
  - Samples the kernel's run-time statistics of BPF programs twice, O(interval) seconds apart, and returns
    per program and per Tetragon policy the runs, BPF time and overhead, like C(tetra debug progs).
  - Overhead uses Tetragon's formula C(delta run_time / (interval x CPUs) x 100), a percentage of all CPU time.
  - Programs pinned as C(<bpffs>/<bpf_dir>/<policy>/<sensor>/<pin>/prog) are attributed to that policy and
    sensor; the base sensor's programs belong to the policy C(__base__).
  - Run-time statistics are switched on only for the sample by holding a C(BPF_ENABLE_STATS) file
    descriptor, which the kernel drops when the module exits, also when it fails or is killed. The host's
    C(kernel.bpf_stats_enabled) sysctl is never written.
  - Runs on the managed host with the Python standard library only (C(bpf) syscall through ctypes); needs
    root (or C(CAP_BPF) and C(CAP_PERFMON)). Read-only.
options:
  scope:
    description:
      - C(tetragon) measures the programs pinned under O(bpffs)/O(bpf_dir); C(all) measures every program
        on the host (those pinned under the Tetragon directory are still attributed).
    type: str
    choices: [tetragon, all]
    default: tetragon
  bpffs:
    description:
      - Mount point of the BPF filesystem. C(auto) picks C(/sys/fs/bpf) or C(/run/cilium/bpffs) when
        mounted, else the first bpffs in C(/proc/mounts), as Tetragon does.
    type: str
    default: auto
  bpf_dir:
    description:
      - Tetragon's directory inside O(bpffs) (the agent's C(--bpf-dir)).
    type: str
    default: tetragon
  interval:
    description:
      - Seconds between the two samples.
    type: float
    default: 1.0
  max_overhead_percent:
    description:
      - Budget per policy, in percent of all CPU time. When a policy's overhead exceeds it the module fails
        naming the policies and programs over budget with their figures.
    type: float
  policies:
    description:
      - Restrict the per-policy budget check to these policy names (all policies are still reported).
    type: list
    elements: str
  set:
    description:
      - The names of a policy set (their directories under O(bpf_dir), C(<name>) or C(<namespace>:<name>)).
        The set's overhead (the sum over its policies) is returned in RV(set) with its verdict; with
        O(max_overhead_percent) a set over the budget fails the module.
    type: list
    elements: str
  fail_over_budget:
    description:
      - Whether a verdict over O(max_overhead_percent) (a policy, or the O(set)) fails the module. V(false)
        returns the verdicts for a later gate to read.
    type: bool
    default: true
  metrics_url:
    description:
      - The agent's Prometheus metrics (its C(metrics-server), for example C(http://127.0.0.1:2112/metrics)),
        read right before the first sample and right after the second, so that RV(agent_metrics) covers
        the same window as the pinned-program stats. Only C(http://) on localhost, 127.0.0.1 or [::1] is
        read (5 s timeout, 8 MiB bound).
      - A URL that cannot be read, or text that is not the Prometheus text format, fails the module.
      - Empty (the default) reads no metrics. The metric names, labels and units per Tetragon release are
        listed with their source in the collection's C(docs/monitoring.md).
    type: str
    default: ""
  metrics_version:
    description:
      - The agent's version, which fixes the unit of C(tetragon_overhead_program_seconds_total)
        (nanoseconds before 1.7.0). Empty (the default) reads it from C(tetragon_build_info).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Read-only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
notes:
  - Kernels older than 5.8 have no C(BPF_ENABLE_STATS); the module then fails unless
    C(kernel.bpf_stats_enabled) is already 1.
seealso:
  - module: ebpfops.tetragon.hook_probe
"""

EXAMPLES = r"""
- name: Read the cost of Tetragon's BPF programs over 2 seconds
  ebpfops.tetragon.bpf_prog_stats:
    interval: 2
  register: bpf_cost
  become: true

- name: Fail when a policy costs more than 1 % of the CPUs
  ebpfops.tetragon.bpf_prog_stats:
    max_overhead_percent: 1.0
    policies: [file-monitoring]
  become: true

- name: Measure the cost and read the agent's own metrics over the same 10 seconds
  ebpfops.tetragon.bpf_prog_stats:
    interval: 10
    metrics_url: http://127.0.0.1:2112/metrics
  register: bpf_cost
  become: true

- name: Fail when the agent lost events during the window
  ansible.builtin.assert:
    that: bpf_cost.agent_metrics.event_loss <= 0

- name: Every BPF program on the host
  ebpfops.tetragon.bpf_prog_stats:
    scope: all
  become: true
"""

RETURN = r"""
programs:
  description: One entry per program, most expensive first. Counts and times are over the interval.
  returned: success
  type: list
  elements: dict
  contains:
    id: {description: Kernel program id., type: int}
    name: {description: Program name., type: str}
    type: {description: 'Program type: for example C(tracepoint) or C(kprobe).', type: str}
    tag: {description: Program tag (hash of the instructions)., type: str}
    pin: {description: 'Pin path; null when not pinned under the Tetragon directory.', type: str}
    policy: {description: 'Tetragon policy directory the program belongs to; null when unknown.', type: str}
    sensor: {description: 'Tetragon sensor; null when unknown.', type: str}
    run_cnt: {description: Runs during the interval., type: int}
    run_time_ns: {description: BPF time during the interval in nanoseconds., type: int}
    avg_ns: {description: Average nanoseconds per run., type: int}
    overhead_percent: {description: Overhead in percent of all CPU time., type: float}
  sample:
    - id: 42
      name: generic_tracepo
      type: tracepoint
      tag: 59f4a931744dcdc6
      pin: /sys/fs/bpf/tetragon/mypolicy/generic_tracepoint/syscalls:sys_enter_unlinkat/prog
      policy: mypolicy
      sensor: generic_tracepoint
      run_cnt: 1000
      run_time_ns: 52000
      avg_ns: 52
      overhead_percent: 0.0026
policies:
  description: Programs summed per Tetragon policy.
  returned: success
  type: list
  elements: dict
  contains:
    name: {description: Policy directory name (C(__base__) for the base sensor)., type: str}
    programs: {description: Number of programs., type: int}
    run_cnt: {description: Runs during the interval., type: int}
    run_time_ns: {description: BPF time during the interval., type: int}
    overhead_percent: {description: Overhead in percent of all CPU time., type: float}
total_run_cnt: {description: Runs of all measured programs., returned: success, type: int}
total_run_time_ns: {description: BPF time of all measured programs., returned: success, type: int}
total_overhead_percent: {description: Overhead of all measured programs., returned: success, type: float}
cpus: {description: CPU count used in the formula., returned: success, type: int}
interval: {description: Measured seconds between the two samples., returned: success, type: float}
stats_enabled_by_module:
  description: Whether run-time stats were off (C(kernel.bpf_stats_enabled=0)) and the module switched them on for the sample.
  returned: success
  type: bool
over_budget:
  description: Policies over O(max_overhead_percent) (an overhead strictly above it).
  returned: always
  type: list
  elements: str
budget_percent:
  description: O(max_overhead_percent), or null when no budget was given.
  returned: success
  type: float
set:
  description: The O(set)'s overhead and verdict, or null without O(set).
  returned: success
  type: dict
  contains:
    names: {description: The set's names as given., type: list, elements: str}
    policies: {description: The set's measured policies (name and overhead_percent)., type: list, elements: dict}
    overhead_percent: {description: The sum of the set's policies' overhead., type: float}
    over_budget: {description: Whether the set's overhead is above the budget., type: bool}
    missing: {description: Names of the set with no program measured., type: list, elements: str}
agent_metrics:
  description:
    - What the agent's own metrics say about the same window, or null without O(metrics_url).
    - Counter increases over the window (a counter that went down was reset by an agent restart, and its
      value after counts); gauges as read at the end.
  returned: success
  type: dict
  contains:
    url: {description: O(metrics_url)., type: str}
    version: {description: 'The agent version used for the units (O(metrics_version) or C(tetragon_build_info)).', type: str}
    event_loss: {description: 'Events lost during the window, summed over the loss counters.', type: float}
    event_loss_by_counter: {description: 'Events lost during the window per loss counter the agent serves (metric name: count).', type: dict}
    kernel_memory_bytes: {description: 'Kernel memory (memlock of non-shared BPF maps) per policy directory name, at the end.', type: dict}
    policies_by_state: {description: 'C(tetragon_tracingpolicy_loaded) at the end (state: count).', type: dict}
    missed_prog_probes: {description: 'Program runs the kernel skipped during the window, per policy.', type: dict}
    overhead:
      description: Per policy, the overhead metrics against the pinned-program stats of the same window.
      type: list
      elements: dict
      contains:
        name: {description: 'Policy directory name (C(<namespace>:<name>) for namespaced policies; C(__base__)).', type: str}
        metrics_runs:
          description: Runs by the agent's metrics; null when it serves none for the policy.
          type: int
        metrics_run_time_ns:
          description: BPF time by the agent's metrics, in ns (seconds converted, nanoseconds before 1.7.0 kept).
          type: int
        pinned_runs:
          description: Runs of the policy's pinned programs; null when none is pinned.
          type: int
        pinned_run_time_ns:
          description: BPF time of the policy's pinned programs, in ns.
          type: int
        agree:
          description: Whether both agree (within 5 % or 50 runs / 1 us; the reads are microseconds apart).
          type: bool
        reason:
          description: Why they cannot agree or do not; empty when they agree.
          type: str
host:
  description: The host's verdict over every measured program.
  returned: success
  type: dict
  contains:
    overhead_percent: {description: RV(total_overhead_percent)., type: float}
    over_budget: {description: Whether it is above the budget., type: bool}
"""

import errno
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import (
    attribute, budget_message, check_budget, overhead_percent, per_policy, program_delta, verdicts)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import (
    StatsSession, StatsUnavailable, pinned_programs)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics

PERMISSION_HINT = ("reading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run the task with "
                   "become: true")


class StatsError(Exception):
    pass


def pick_bpffs(requested):
    mounts = _bpf.bpffs_mounts()
    if requested != "auto":
        path = os.path.normpath(requested)
        if path not in [os.path.normpath(m) for m in mounts]:
            raise StatsError("bpffs option %s is not a mounted BPF filesystem (mounted: %s); mount it with "
                             "'mount -t bpf bpf %s' or point bpffs at the mount Tetragon uses"
                             % (requested, ", ".join(mounts) or "none", requested))
        return path
    if not mounts:
        raise StatsError("no BPF filesystem is mounted (none of type bpf in /proc/mounts): Tetragon cannot "
                         "pin programs; mount one with 'mount -t bpf bpf /sys/fs/bpf'")
    for preferred in ("/sys/fs/bpf", "/run/cilium/bpffs"):
        if preferred in mounts:
            return preferred
    return mounts[0]


def tetragon_root(bpffs, bpf_dir):
    """<bpffs>/<bpf_dir>, refused when bpf_dir leaves the BPF filesystem."""
    root = os.path.normpath(os.path.join(bpffs, bpf_dir))
    if os.path.isabs(bpf_dir) or root == bpffs or not root.startswith(bpffs.rstrip("/") + "/"):
        raise StatsError("bpf_dir %r must be a relative directory inside the BPF filesystem %s (like the "
                         "agent's --bpf-dir, default tetragon); it resolves to %s" % (bpf_dir, bpffs, root))
    if os.path.realpath(root) != root and os.path.exists(root):
        raise StatsError("bpf_dir %r resolves through a symlink to %s, outside %s"
                         % (bpf_dir, os.path.realpath(root), bpffs))
    return root


def measure(scope, bpffs, bpf_dir, interval, read_metrics=None):
    root = tetragon_root(bpffs, bpf_dir)
    if scope == "tetragon" and not os.path.isdir(root):
        raise StatsError("no Tetragon directory %s in the BPF filesystem %s: Tetragon is not running here or "
                         "uses another --bpf-dir (set bpf_dir), or use scope: all" % (root, bpffs))
    fds = {}
    pins = {}
    session = StatsSession()
    try:
        with session:
            if os.path.isdir(root):
                for prog_id, (fd, path) in pinned_programs(root).items():
                    fds[prog_id] = session.keep(fd)
                    pins[prog_id] = path
            if scope == "all":
                for prog_id in list(_bpf.prog_ids()):
                    if prog_id in fds:
                        continue
                    try:
                        fds[prog_id] = session.keep(_bpf.prog_fd_by_id(prog_id))
                    except _bpf.BpfError as exc:
                        if exc.errno == errno.ENOENT:
                            continue
                        raise
            reads = [read_metrics()] if read_metrics else []
            first = session.sample(fds)
            start = time.time()
            time.sleep(interval)
            second = session.sample(fds)
            elapsed = time.time() - start
            if read_metrics:
                reads.append(read_metrics())
    except StatsUnavailable as exc:
        raise StatsError(str(exc))
    except _metrics.MetricsError as exc:
        raise StatsError("the agent's metrics: %s" % exc)
    if read_metrics:
        return root, first, second, pins, elapsed, session.enabled_by_session, reads
    if any(not info["stats_supported"] for info in second.values()):
        raise StatsError("this kernel reports no run_cnt/run_time_ns in bpf_prog_info (needs Linux 5.1+)")
    return root, first, second, pins, elapsed, session.enabled_by_session


def build_result(root, first, second, pins, elapsed, cpus):
    programs = []
    for prog_id in sorted(second):
        row = program_delta(first[prog_id], second[prog_id], elapsed, cpus)
        pin = pins.get(prog_id)
        policy, sensor = attribute(pin, root)
        programs.append({
            "id": prog_id, "name": row["name"], "type": row["type"], "tag": row["tag"], "pin": pin,
            "policy": policy, "sensor": sensor, "run_cnt": row["run_cnt"],
            "run_time_ns": row["run_time_ns"], "avg_ns": row["avg_ns"],
            "overhead_percent": row["overhead_percent"],
        })
    programs.sort(key=lambda p: (-p["run_time_ns"], p["id"]))
    total_cnt = sum(p["run_cnt"] for p in programs)
    total_time = sum(p["run_time_ns"] for p in programs)
    return {
        "programs": programs,
        "policies": per_policy(programs, elapsed, cpus),
        "total_run_cnt": total_cnt,
        "total_run_time_ns": total_time,
        "total_overhead_percent": round(overhead_percent(total_time, elapsed, cpus), 6),
        "cpus": cpus,
        "interval": round(elapsed, 6),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            scope=dict(type="str", default="tetragon", choices=["tetragon", "all"]),
            bpffs=dict(type="str", default="auto"),
            bpf_dir=dict(type="str", default="tetragon"),
            interval=dict(type="float", default=1.0),
            max_overhead_percent=dict(type="float"),
            policies=dict(type="list", elements="str"),
            set=dict(type="list", elements="str"),
            fail_over_budget=dict(type="bool", default=True),
            metrics_url=dict(type="str", default=""),
            metrics_version=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not 0 < params["interval"] <= 3600:  # also refuses nan
        module.fail_json(msg="interval must be between 0 and 3600 seconds, got %s" % params["interval"],
                         over_budget=[])
    try:
        check_budget(params["max_overhead_percent"])
    except ValueError as exc:
        module.fail_json(msg="max_overhead_percent: %s" % exc, over_budget=[])
    cpus = os.cpu_count() or 1
    try:
        bpffs = pick_bpffs(params["bpffs"])
        reader = None
        if params["metrics_url"]:
            _metrics.check_url(params["metrics_url"])
            reader = lambda: _metrics.read(params["metrics_url"], params["metrics_version"] or None)  # noqa: E731
        measured = measure(params["scope"], bpffs, params["bpf_dir"], params["interval"], reader)
        root, first, second, pins, elapsed, enabled = measured[:6]
    except (StatsError, _metrics.MetricsError) as exc:
        module.fail_json(msg=str(exc), over_budget=[])
    except _bpf.BpfError as exc:
        msg = str(exc)
        if exc.errno in (errno.EPERM, errno.EACCES):
            msg = "%s: %s (running as uid %d)" % (msg, PERMISSION_HINT, os.geteuid())
        module.fail_json(msg=msg, over_budget=[])
    result = build_result(root, first, second, pins, elapsed, cpus)
    result["stats_enabled_by_module"] = enabled
    result["agent_metrics"] = None
    if reader:
        (version, before), (dummy, after) = measured[6]
        agent = _metrics.window(before, after)
        agent["overhead"] = _metrics.compare(agent["overhead"], result["policies"])
        agent.update(url=params["metrics_url"], version=version)
        result["agent_metrics"] = agent
    try:
        result.update(verdicts(result["policies"], result["total_overhead_percent"], params["max_overhead_percent"],
                               params["set"], params["policies"]))
    except ValueError as exc:
        module.fail_json(msg="max_overhead_percent: %s" % exc, over_budget=[])
    names = result["over_budget"]
    if params["fail_over_budget"] and names:
        module.fail_json(msg=budget_message(result["policies"], result["programs"], names,
                                            result["budget_percent"], result["interval"], cpus), **result)
    if params["fail_over_budget"] and result["set"] and result["set"]["over_budget"]:
        module.fail_json(msg="the policy set (%s) costs %.4f%% of all CPU time over %.2f s, over the budget of "
                             "%s%%" % (", ".join(result["set"]["names"]), result["set"]["overhead_percent"],
                                       result["interval"], result["budget_percent"]), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
