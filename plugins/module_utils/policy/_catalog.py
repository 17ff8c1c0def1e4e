# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The stable rule ids of the policy linter, their usual severity and a one-line summary
(docs/policy-rules.md explains each with its Tetragon source).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# id: (severities it can report, summary)
RULES = {
    "Y1": ("error", "invalid YAML, or YAML that cannot be constructed (unhashable keys)"),
    "Y2": ("error", "duplicate mapping key"),
    "Y3": ("error|warning", "multi-document file: Tetragon loads the first document only"),
    "Y4": ("error", "resource limits: file over 1 MiB, alias bomb, recursive alias, nesting over 64 levels"),
    "Y5": ("error", "binary data, control characters, or text that is not UTF-8"),
    "Y6": ("error", "empty file or empty document"),
    "Y7": ("error", "top level is not a mapping"),
    "Y8": ("error", "file or directory cannot be read"),
    "S1": ("error", "more than one hook section in a policy"),
    "S2": ("error", "schema: unknown field, wrong type, case-sensitive enum, invalid metadata.name, apiVersion/kind"),
    "S3": ("error|warning", "namespaced-kind rules: hostSelector null, no uprobes/usdts (main); namespace set on "
                            "the cluster kind (error: the file loader rejects it); missing on the namespaced kind (warning)"),
    "S4": ("warning", "podSelector/containerSelector/namespaced kind need a Kubernetes agent with policy filter"),
    "S5": ("error", "field, type, operator or action newer than the target Tetragon version"),
    "S6": ("error", "CRD CEL rules: hostSelector null or {}, at most one of argNewSymbol/argNewAddr/argNewOffset"),
    "K1": ("error|warning", "kprobe call: list exists, non-syscall needs syscall: false, arch prefixes"),
    "K2": ("error|warning", "kprobe/fentry arguments: explicit types, index <= 4, args+data <= 5, sizeArgIndex, "
                            "maxData, data source/resolve"),
    "K3": ("error|warning", "return: true needs returnArg with a type; returnArgAction values"),
    "K4": ("error|warning", "Override only on syscalls and security_ functions; not with kprobe_multi"),
    "K5": ("error", "same symbol hooked twice with kprobe_multi (symbols as the loader prefixes them)"),
    "K6": ("error|warning", "syscall name that is not a syscall of the target arch (tetragon_arch), in a kprobe "
                            "call, a syscalls list or an enforcer"),
    "U1": ("error", "uprobes: exactly one of symbols/offsets/addrs, refCtrOffsets sizes, return needs returnArg, "
                    "one argNew* per Override"),
    "T1": ("error", "tracepoint argument index limits (raw <= 5, raw_syscalls fields), no const_buf"),
    "L1": ("error", "LSM hooks: no security_ prefix, index <= 4, allowed actions, no matchReturnArgs/stack traces"),
    "SEL1": ("error", "at most 5 selectors per hook"),
    "SEL2": ("error", "at most 5 matchArgs+matchData per selector"),
    "SEL3": ("error", "at most 3 actions per selector"),
    "SEL4": ("error|info", "one matchBinaries / matchParentBinaries entry; matchParentBinaries needs an agent flag"),
    "SEL5": ("warning", "silent: only the first matchPIDs entry and 4 PIDs are read; one capabilities entry"),
    "SEL6": ("error", "matchNamespaces <= 10 filters with <= 4 values; one matchNamespaceChanges"),
    "SEL7": ("error", "numeric operators take at most 4 values (use InMap)"),
    "SEL8": ("error", "string, prefix, postfix and binary path length limits"),
    "SEL9": ("error|warning", "operator/argument compatibility: unknown index, InMap list: needs syscall64, "
                              "socket, FileType, CelExpr, address values, values on *PortPriv (warning)"),
    "SEL10": ("error", "selector macros: defined, not nested, no overlapping fields"),
    "SEL11": ("error", "capability names unknown to Tetragon in matchCapabilities/matchCapabilityChanges"),
    "SEL12": ("error", "matchArgs values that do not parse for the argument's type (number syntax, range)"),
    "SEL13": ("error", "operator the argument type does not support (e.g. Equal on cred, GT on sock, InMap on "
                       "string)"),
    "SEL14": ("error", "matchNamespaces values that are neither a namespace inode number nor host_ns"),
    "A1": ("error|warning", "action parameters: rateLimit/stack traces only on Post, formats, imaHash hooks, "
                            "NotifyEnforcer needs enforcers"),
    "A2": ("error|warning", "renamed (v1.1) or deprecated/removed fields and actions by target version"),
    "A3": ("error", "action not supported on this hook type (fentry enforcement, Set, GetUrl, Override)"),
    "A4": ("error", "enforcers: one enforcer, calls are syscalls, security_ functions or a syscalls list"),
    "LI1": ("error|warning", "lists: generated lists without values, pattern, syscall element forms, duplicates"),
    "M1": ("error|warning", "message shorter than 2 (error) or longer than 256 characters (truncated)"),
    "M2": ("error|warning", "at most 16 tags, each 2..128 characters"),
    "O1": ("error|warning", "spec.options: unknown names are silently ignored; values must parse"),
    "OV1": ("warning|info", "hot hook from the catalogue (why it is hot, what to use instead)"),
    "OV2": ("warning", "selector on a very hot hook without a selecting process filter"),
    "OV3": ("info", "rateLimit cuts events, not BPF CPU"),
    "OV4": ("info", "extra programs or copies: return probes, returnCopy, maxData, stack traces, imaHash"),
    "OV5": ("warning", "binary path that looks wrong (relative, '//', trailing '/', /var/usr/...)"),
    "KV1": ("error", "kernel older than 4.19"),
    "KV2": ("error", "feature needs a newer kernel (5.3 large programs, 5.4, 5.7, 5.11, 5.19)"),
    "KV3": ("warning", "feature silently a no-op on this kernel (rateLimit, Signal below 5.3)"),
    "KV4": ("info", "feature needs kernel config the release cannot tell (BPF LSM, IMA, kprobe override)"),
}
