# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Overhead lint (OV1-OV5) and the hot-hook catalogue. The catalogue is derived from kernel
behaviour (how often a hook fires), not from a Tetragon list; docs/policy-rules.md prints it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, finding, join_path)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._model import (
    actions, hooks, lists_by_name, strip_syscall_prefix)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._selectors import PROCESS_FILTERS

VERY_HOT = "very hot"
MODERATE = "moderate"

_RW = ("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2")
_PER_PACKET = ("__cgroup_bpf_run_filter_skb", "ip_output", "ip_finish_output", "ip_rcv", "ipv6_rcv",
               "dev_queue_xmit", "__dev_queue_xmit", "dev_hard_start_xmit", "netif_receive_skb",
               "__netif_receive_skb", "tcp_sendmsg", "tcp_recvmsg", "udp_sendmsg", "udp_recvmsg",
               "tcp_v4_rcv", "tcp_v6_rcv")

# (hook kind, names, level, why it is hot, what to use instead)
HOT_HOOKS = [
    ("tracepoint", ("raw_syscalls/sys_enter", "raw_syscalls/sys_exit"), VERY_HOT,
     "runs its BPF program on every syscall of every task; an InMap filter on the syscall id runs inside that "
     "program, so every syscall on the host pays for it",
     "a kprobe on the syscalls themselves: a 'syscalls' list and call: list:NAME (or syscalls/sys_enter_<name> "
     "tracepoints)"),
    ("kprobe", ("list:generated_syscalls",), VERY_HOT,
     "a generated_syscalls list hooks every syscall of the kernel",
     "a 'syscalls' list with only the syscalls the policy is about"),
    ("kprobe", ("security_file_permission",), VERY_HOT,
     "runs on every read and write permission check (every read(2)/write(2) on every file, pipe and socket)",
     "security_file_open / LSM file_open for access monitoring; otherwise narrow it with matchBinaries and "
     "path filters"),
    ("lsm", ("file_permission",), VERY_HOT,
     "runs on every read and write permission check",
     "LSM file_open for access monitoring, with process filters"),
    ("kprobe", ("vfs_read", "vfs_write", "vfs_readv", "vfs_writev"), VERY_HOT,
     "runs on every read/write through the VFS",
     "security_file_open / LSM file_open, or add process filters (matchBinaries) so most hits stop early"),
    ("kprobe", tuple("sys_" + name for name in _RW), VERY_HOT,
     "read/write syscalls are the most frequent syscalls on most hosts",
     "security_file_open / LSM file_open for access; keep process filters on every selector"),
    ("kprobe", _PER_PACKET, VERY_HOT,
     "runs once per network packet",
     "per-connection hooks (tcp_connect, security_socket_connect, sk_alloc with TrackSock)"),
    ("kprobe", ("kfree_skb_reason",), VERY_HOT,
     "runs for every freed or dropped socket buffer",
     "use it only for short debugging sessions, with process filters"),
    ("kprobe", ("cap_capable",), VERY_HOT,
     "runs on every capability check in the kernel",
     "security_capset / commit_creds with matchCapabilityChanges, or filter by binary"),
    ("kprobe", ("commit_creds", "override_creds", "revert_creds"), VERY_HOT,
     "credential hooks fire often: commit_creds on every exec and uid/gid or capability change, "
     "override_creds/revert_creds around many file operations (overlayfs, NFS, io_uring)",
     "commit_creds with matchCapabilityChanges / matchNamespaceChanges and process filters"),
    ("tracepoint", ("sched/sched_switch", "sched/sched_wakeup", "sched/sched_waking"), VERY_HOT,
     "runs on every context switch or wakeup",
     "sched/sched_process_exec or sched_process_fork for process lifecycle"),
    ("kprobe", ("fd_install",), MODERATE,
     "runs on every file descriptor creation",
     "security_file_open / LSM file_open with path filters"),
    ("kprobe", ("security_file_open",), MODERATE, "runs on every open", "keep process and path filters"),
    ("lsm", ("file_open",), MODERATE, "runs on every open", "keep process and path filters"),
    ("kprobe", ("tcp_connect", "sk_alloc"), MODERATE,
     "runs on every TCP connection or socket allocation", "keep process or address filters"),
]


def _hook_names(kind, hook, lists):
    if kind == "tracepoint":
        return ["%s/%s" % (hook.get("subsystem"), hook.get("event"))]
    if kind == "lsm":
        return [str(hook.get("hook"))]
    if kind in ("kprobe", "fentry"):
        call = str(hook.get("call"))
        if call.startswith("list:"):
            spec_list = lists.get(call[5:], {})
            if spec_list.get("type") == "generated_syscalls":
                return ["list:generated_syscalls"]
            return [strip_syscall_prefix(str(v)) for v in as_list(spec_list.get("values"))]
        return [strip_syscall_prefix(call)]
    return []


def hot_entry(kind, hook, lists):
    """(name, catalogue entry) of the hottest catalogued hook this hook attaches to, or (None, None)."""
    names = _hook_names(kind, hook, lists)
    best = (None, None)
    for entry in HOT_HOOKS:
        ekind = "kprobe" if kind == "fentry" else kind
        if entry[0] != ekind:
            continue
        for name in names:
            if name in entry[1] and (best[1] is None or (entry[2] == VERY_HOT and best[1][2] != VERY_HOT)):
                best = (name, entry)
    return best


def _filters_processes(selector):
    """'in' when a process filter selects, 'notin' when filters only exclude, None when there is none."""
    found = None
    if as_dict(selector.get("matchWorkloads")):
        return "in"
    for key in PROCESS_FILTERS:
        for entry in as_list(selector.get(key)):
            if not isinstance(entry, dict):
                continue
            if str(entry.get("operator", "")).startswith("Not"):
                found = found or "notin"
            else:
                return "in"
    return found


def _check_hot(out, path, kind, hook, lists, spec, fixable_paths):
    name, entry = hot_entry(kind, hook, lists)
    if entry is None:
        return
    level = entry[2]
    why = ("it " + entry[3]) if entry[3].startswith("runs") else entry[3]
    out.append(finding("OV1", "warning" if level == VERY_HOT else "info", path,
                       "%s is a %s hook: %s" % (name, level, why),
                       "Use %s." % entry[4] + (" The rewrite raw_syscalls_to_kprobe does this." if path in
                                               fixable_paths else ""),
                       path in fixable_paths))
    if level != VERY_HOT or spec.get("podSelector"):
        return
    selectors = as_list(hook.get("selectors"))
    if not selectors:
        out.append(finding("OV2", "warning", path, "hot hook without selectors: every hit copies arguments and "
                           "posts an event", "Add a selector with a process filter (matchBinaries, matchPIDs, "
                           "matchNamespaces): process filters run before the argument copy."))
    for j, selector in enumerate(selectors):
        state = _filters_processes(as_dict(selector))
        spath = join_path(join_path(path, "selectors"), j)
        if state is None:
            out.append(finding("OV2", "warning", spath, "selector without a process filter on a hot hook: selectors"
                               " are OR-ed, so this one makes every hit pay for the argument copy",
                               "Add matchBinaries (In), matchPIDs or matchNamespaces to this selector."))
        elif state == "notin":
            out.append(finding("OV2", "warning", spath, "this selector's process filters only exclude (NotIn), so "
                               "almost every hit on the hot hook still pays for the argument copy",
                               "Select the processes you care about with an In filter."))


def _check_extras(out, path, kind, hook):
    if hook.get("return"):
        out.append(finding("OV4", "info", join_path(path, "return"), "return: true adds a return probe (a second "
                           "BPF program per call)", "Keep it only if the return value is needed."))
    for i, arg in enumerate(as_list(hook.get("args"))):
        arg = as_dict(arg)
        apath = join_path(join_path(path, "args"), i)
        if arg.get("returnCopy"):
            out.append(finding("OV4", "info", apath, "returnCopy adds a return probe to read the buffer at return",
                               "Keep it only if the buffer content after the call is needed."))
        if arg.get("maxData"):
            out.append(finding("OV4", "info", apath, "maxData copies up to 320 KiB per event instead of 4 KiB",
                               "Keep it only if the full buffer is needed."))
    for j, skind, k, action in actions(hook):
        apath = join_path(join_path(join_path(join_path(path, "selectors"), j), skind), k)
        if action.get("kernelStackTrace") or action.get("userStackTrace"):
            out.append(finding("OV4", "info", apath, "stack traces add a get_stackid call per event and a "
                               "32768-entry map", "Use them while investigating, not fleet-wide."))
        if action.get("imaHash"):
            out.append(finding("OV4", "info", apath, "imaHash adds a sleepable IMA program that hashes the file",
                               "Keep it to the hooks where the hash is needed."))
        if action.get("rateLimit") is not None:
            out.append(finding("OV3", "info", join_path(apath, "rateLimit"), "rateLimit cuts posted events "
                               "(ring buffer, agent and export load) but not BPF CPU: it is checked after the "
                               "filters and the argument copy", "To cut BPF CPU, use a colder hook or filter "
                               "processes earlier."))


_BAD_PATH_RE = re.compile(r"//|/\./|/\.\./|\s")


def _suspicious(value, op):
    if not value.startswith("/"):
        return "is not an absolute path" if op in ("In", "NotIn", "Prefix", "NotPrefix") else None
    if _BAD_PATH_RE.search(value):
        return "contains '//', '/./', '/../' or whitespace; Tetragon compares the resolved path"
    if op in ("In", "NotIn") and value.endswith("/"):
        return "ends with '/': In/NotIn compare whole executable paths (use Prefix for directories)"
    if value.startswith(("/var/usr/", "/var/bin/", "/var/sbin/")):
        return "is an unusual location for an executable (binaries live in /usr/bin, /usr/local/bin, ...)"
    return None


def _check_paths(out, path, hook):
    for j, selector in enumerate(as_list(hook.get("selectors"))):
        for key in ("matchBinaries", "matchParentBinaries"):
            for k, entry in enumerate(as_list(as_dict(selector).get(key))):
                op = as_dict(entry).get("operator")
                for value in as_list(as_dict(entry).get("values")):
                    problem = _suspicious(str(value), op)
                    if problem:
                        epath = join_path(join_path(join_path(join_path(path, "selectors"), j), key), k)
                        out.append(finding("OV5", "warning", epath, "binary path '%s' %s%s" % (
                            value, problem, "; a NotIn filter on a path that does not exist excludes nothing"
                            if op == "NotIn" else ""), "Check the real path on the hosts (command -v, "
                            "readlink -f) and use it."))


def check(document, version, fixable_paths=()):
    """Overhead findings; `fixable_paths` are the hook paths a rewrite can fix (the caller asks the rewriter)."""
    out = []
    spec = document.get("spec")
    if not isinstance(spec, dict):
        return out
    lists = lists_by_name(spec)
    fixable_paths = set(fixable_paths)
    for _section, kind, _i, path, hook in hooks(spec):
        _check_hot(out, path, kind, hook, lists, spec, fixable_paths)
        _check_extras(out, path, kind, hook)
        _check_paths(out, path, hook)
    return out
