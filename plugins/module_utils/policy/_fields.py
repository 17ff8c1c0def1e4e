# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The TracingPolicy fields, enums and the Tetragon version that introduced (and removed) each,
read from pkg/k8s/apis/cilium.io/v1alpha1/{types,tracing_policy_types}.go at every release tag
v1.0.0 .. v1.7.0 and main. `MAIN` stands for fields only on main (not yet released).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

V10 = (1, 0, 0)
V11 = (1, 1, 0)
V12 = (1, 2, 0)
V13 = (1, 3, 0)
V14 = (1, 4, 0)
V15 = (1, 5, 0)
V16 = (1, 6, 0)
V17 = (1, 7, 0)
MAIN = (1, 8, 0)
NEVER = (99, 0, 0)

# Field kinds: str, bool, int, uint, list:<kind>, map:<kind>, obj:<Struct>, any.
# (name, kind, since, removed_in)
STRUCTS = {
    "Spec": [
        ("kprobes", "list:obj:KProbe", V10, NEVER),
        ("tracepoints", "list:obj:Tracepoint", V10, NEVER),
        ("loader", "bool", V10, NEVER),
        ("uprobes", "list:obj:UProbe", V10, NEVER),
        ("podSelector", "labelselector", V10, NEVER),
        ("lists", "list:obj:List", V10, NEVER),
        ("killers", "list:obj:Killer", V10, V11),
        ("options", "list:obj:Option", V10, NEVER),
        ("containerSelector", "labelselector", V11, NEVER),
        ("enforcers", "list:obj:Enforcer", V11, NEVER),
        ("lsmhooks", "list:obj:LsmHook", V12, NEVER),
        ("usdts", "list:obj:Usdt", V16, NEVER),
        ("fentries", "list:obj:KProbe", V17, NEVER),
        ("hostSelector", "labelselector", V17, NEVER),
        ("selectorsMacros", "map:obj:Selector", V17, NEVER),
        ("nodeSelector", "labelselector", MAIN, NEVER),
    ],
    "KProbe": [
        ("call", "str", V10, NEVER),
        ("return", "bool", V10, NEVER),
        ("syscall", "bool", V10, NEVER),
        ("args", "list:obj:Arg", V10, NEVER),
        ("returnArg", "obj:Arg", V10, NEVER),
        ("returnArgAction", "str", V10, NEVER),
        ("selectors", "list:obj:Selector", V10, NEVER),
        ("message", "str", V11, NEVER),
        ("tags", "list:str", V11, NEVER),
        ("ignore", "obj:KprobeIgnore", V15, NEVER),
        ("data", "list:obj:Arg", V16, NEVER),
    ],
    "KprobeIgnore": [("callNotFound", "bool", V15, NEVER)],
    "UprobeIgnore": [("digestVerificationFailure", "bool", MAIN, NEVER)],
    "Workloads": [
        ("podSelector", "labelselector", MAIN, NEVER),
        ("containerSelector", "labelselector", MAIN, NEVER),
        ("hostSelector", "labelselector", MAIN, NEVER),
    ],
    "Arg": [
        ("index", "uint", V10, NEVER),
        ("type", "enum:types", V10, NEVER),
        ("sizeArgIndex", "uint", V10, NEVER),
        ("returnCopy", "bool", V10, NEVER),
        ("maxData", "bool", V10, NEVER),
        ("label", "str", V10, NEVER),
        ("resolve", "str", V14, NEVER),
        ("source", "str", V16, NEVER),
        ("btfType", "str", V16, NEVER),
        ("btfTypeModule", "str", MAIN, NEVER),
    ],
    "Selector": [
        ("matchPIDs", "list:obj:PIDSel", V10, NEVER),
        ("matchArgs", "list:obj:ArgSel", V10, NEVER),
        ("matchActions", "list:obj:Action", V10, NEVER),
        ("matchReturnArgs", "list:obj:ArgSel", V10, NEVER),
        ("matchBinaries", "list:obj:BinSel", V10, NEVER),
        ("matchNamespaces", "list:obj:NsSel", V10, NEVER),
        ("matchNamespaceChanges", "list:obj:NsChSel", V10, NEVER),
        ("matchCapabilities", "list:obj:CapSel", V10, NEVER),
        ("matchCapabilityChanges", "list:obj:CapSel", V10, NEVER),
        ("matchReturnActions", "list:obj:Action", V11, NEVER),
        ("matchData", "list:obj:ArgSel", V16, NEVER),
        ("matchParentBinaries", "list:obj:BinSel", V17, NEVER),
        ("macros", "list:str", V17, NEVER),
        ("label", "str", MAIN, NEVER),
        ("matchWorkloads", "obj:Workloads", MAIN, NEVER),
    ],
    "PIDSel": [
        ("operator", "enum:in_notin", V10, NEVER),
        ("values", "list:uint", V10, NEVER),
        ("isNamespacePID", "bool", V10, NEVER),
        ("followForks", "bool", V10, NEVER),
    ],
    "ArgSel": [
        ("index", "uint", V10, NEVER),
        ("operator", "enum:arg_operators", V10, NEVER),
        ("values", "list:str", V10, NEVER),
        ("args", "list:uint", V15, NEVER),
    ],
    "BinSel": [
        ("operator", "enum:bin_operators", V10, NEVER),
        ("values", "list:str", V10, NEVER),
        ("followChildren", "bool", V12, NEVER),
    ],
    "NsSel": [
        ("namespace", "enum:namespaces", V10, NEVER),
        ("operator", "enum:in_notin", V10, NEVER),
        ("values", "list:str", V10, NEVER),
    ],
    "NsChSel": [
        ("operator", "enum:in_notin", V10, NEVER),
        ("values", "list:str", V10, NEVER),
    ],
    "CapSel": [
        ("type", "enum:cap_types", V10, NEVER),
        ("operator", "enum:in_notin", V10, NEVER),
        ("isNamespaceCapability", "bool", V10, NEVER),
        ("values", "list:str", V10, NEVER),
    ],
    "Action": [
        ("action", "enum:actions", V10, NEVER),
        ("argFd", "int", V10, MAIN),
        ("argName", "int", V10, MAIN),
        ("argUrl", "str", V10, NEVER),
        ("argFqdn", "str", V10, NEVER),
        ("argError", "int", V10, NEVER),
        ("argSig", "int", V10, NEVER),
        ("argSock", "int", V10, NEVER),
        ("rateLimit", "str", V10, NEVER),
        ("stackTrace", "bool", V10, V11),
        ("rateLimitScope", "str", V11, NEVER),
        ("kernelStackTrace", "bool", V11, NEVER),
        ("userStackTrace", "bool", V11, NEVER),
        ("imaHash", "bool", V13, NEVER),
        ("argIndex", "int", V16, NEVER),
        ("argValue", "int", V16, NEVER),
        ("argRegs", "list:str", V16, NEVER),
        ("argNewSymbol", "str", MAIN, NEVER),
        ("argNewAddr", "int", MAIN, NEVER),
        ("argNewOffset", "int", MAIN, NEVER),
    ],
    "Tracepoint": [
        ("subsystem", "str", V10, NEVER),
        ("event", "str", V10, NEVER),
        ("args", "list:obj:Arg", V10, NEVER),
        ("selectors", "list:obj:Selector", V10, NEVER),
        ("message", "str", V11, NEVER),
        ("tags", "list:str", V11, NEVER),
        ("raw", "bool", V15, NEVER),
    ],
    "UProbe": [
        ("path", "str", V10, NEVER),
        ("symbol", "str", V10, V11),
        ("selectors", "list:obj:Selector", V10, NEVER),
        ("symbols", "list:str", V11, NEVER),
        ("message", "str", V11, NEVER),
        ("args", "list:obj:Arg", V11, NEVER),
        ("tags", "list:str", V11, NEVER),
        ("offsets", "list:uint", V15, NEVER),
        ("refCtrOffsets", "list:uint", V15, NEVER),
        ("addrs", "list:uint", V16, NEVER),
        ("btfPath", "str", V17, NEVER),
        ("data", "list:obj:Arg", V17, NEVER),
        ("return", "bool", V17, NEVER),
        ("returnArg", "obj:Arg", V17, NEVER),
        ("binaryDigests", "list:str", MAIN, NEVER),
        ("ignore", "obj:UprobeIgnore", MAIN, NEVER),
    ],
    "Usdt": [
        ("path", "str", V16, NEVER),
        ("btfPath", "str", V16, NEVER),
        ("provider", "str", V16, NEVER),
        ("name", "str", V16, NEVER),
        ("tags", "list:str", V16, NEVER),
        ("message", "str", V16, NEVER),
        ("args", "list:obj:Arg", V16, NEVER),
        ("selectors", "list:obj:Selector", V16, NEVER),
    ],
    "LsmHook": [
        ("hook", "str", V12, NEVER),
        ("message", "str", V12, NEVER),
        ("args", "list:obj:Arg", V12, NEVER),
        ("selectors", "list:obj:Selector", V12, NEVER),
        ("tags", "list:str", V12, NEVER),
    ],
    "List": [
        ("name", "str", V10, NEVER),
        ("values", "list:str", V10, NEVER),
        ("type", "enum:list_types", V10, NEVER),
        ("pattern", "str", V10, NEVER),
        ("validated", "bool", V10, NEVER),
    ],
    "Option": [("name", "str", V10, NEVER), ("value", "str", V10, NEVER)],
    "Killer": [("syscalls", "list:str", V10, V11)],
    "Enforcer": [("calls", "list:str", V11, NEVER)],
}

REQUIRED = {
    "KProbe": ["call"],
    "Arg": ["index"],
    "Tracepoint": ["subsystem", "event"],
    "UProbe": ["path"],
    "Usdt": ["path", "provider", "name"],
    "LsmHook": ["hook"],
    "List": ["name"],
    "Option": ["name"],
    "PIDSel": ["operator", "values"],
    "ArgSel": ["operator"],
    "BinSel": ["operator", "values"],
    "NsSel": ["namespace", "operator", "values"],
    "NsChSel": ["operator", "values"],
    "CapSel": ["operator", "values"],
    "Action": ["action"],
    "Enforcer": ["calls"],
    "Killer": ["syscalls"],
}

# Required only in some versions (CRD `required` per tag): (struct, field) -> (since, until).
REQUIRED_BY_VERSION = {
    ("ArgSel", "index"): (V10, V16),
    ("UProbe", "symbol"): (V10, V11),
    ("UProbe", "symbols"): (V11, V15),
}

# (value, since, removed_in)
ENUMS = {
    "types": [(t, V10, NEVER) for t in (
        "auto int uint32 int32 uint64 int64 char_buf char_iovec size_t skb sock string fd file filename path "
        "nop bpf_attr perf_event bpf_map user_namespace capability kiocb iov_iter cred load_info module").split()]
    + [(t, V11, NEVER) for t in (
        "int8 uint8 int16 uint16 syscall64 kernel_cap_t cap_inheritable cap_permitted cap_effective "
        "linux_binprm data_loc net_device").split()]
    + [("bpf_cmd", V13, NEVER), ("sockaddr", V14, NEVER), ("socket", V14, NEVER), ("dentry", V14, NEVER),
       ("bpf_prog", V16, NEVER)]
    + [(t, V17, NEVER) for t in "sint8 sint16 sint32 sint64 ulong long sockaddr_un const_buf".split()],
    "arg_operators": [(o, V10, NEVER) for o in (
        "Equal NotEqual Prefix NotPrefix Postfix NotPostfix GreaterThan LessThan GT LT Mask SPort NotSPort "
        "SPortPriv NotSportPriv DPort NotDPort DPortPriv NotDPortPriv SAddr NotSAddr DAddr NotDAddr Protocol "
        "Family State InMap NotInMap").split()]
    + [("CapabilitiesGained", V15, NEVER), ("InRange", V16, NEVER), ("NotInRange", V16, NEVER)]
    + [(o, V17, NEVER) for o in "SubString SubStringIgnCase CelExpr FileType NotFileType".split()],
    "bin_operators": [("In", V10, NEVER), ("NotIn", V10, NEVER), ("Prefix", V11, NEVER),
                      ("NotPrefix", V11, NEVER), ("Postfix", V12, NEVER), ("NotPostfix", V12, NEVER)],
    "in_notin": [("In", V10, NEVER), ("NotIn", V10, NEVER)],
    "namespaces": [(n, V10, NEVER) for n in
                   "Uts Ipc Mnt Pid PidForChildren Net Time TimeForChildren Cgroup User".split()],
    "cap_types": [(n, V10, NEVER) for n in "Effective Inheritable Permitted".split()],
    "list_types": [(n, V10, NEVER) for n in "syscalls generated_syscalls generated_ftrace".split()],
    "actions": [(a, V10, NEVER) for a in (
        "Post Sigkill Override GetUrl DnsLookup NoPost Signal TrackSock UntrackSock").split()]
    + [(a, V10, MAIN) for a in "FollowFD UnfollowFD CopyFD".split()]
    + [("NotifyKiller", V10, V11), ("NotifyEnforcer", V11, NEVER),
       ("CleanupEnforcerNotification", V13, NEVER), ("Set", V16, NEVER)],
}

# Renamed in v1.1 (contrib/upgrade-notes): (struct, old field, new field); rewritten by `renamed_fields`.
RENAMED_FIELDS = {
    ("Spec", "killers"): "enforcers",
    ("Killer", "syscalls"): "calls",
    ("Action", "stackTrace"): "kernelStackTrace",
    ("UProbe", "symbol"): "symbols",
}
RENAMED_ACTIONS = {"NotifyKiller": "NotifyEnforcer"}
DEPRECATED_ACTIONS = {"FollowFD": V14, "UnfollowFD": V14, "CopyFD": V14}


def available(since, removed, version):
    return since <= version < removed


def fields(struct, version):
    return [name for name, _kind, since, removed in STRUCTS[struct] if available(since, removed, version)]


def field_info(struct, name):
    for entry in STRUCTS.get(struct, []):
        if entry[0] == name:
            return entry
    return None


def enum_values(name, version):
    return [value for value, since, removed in ENUMS[name] if available(since, removed, version)]


def enum_info(name, value):
    for entry in ENUMS[name]:
        if entry[0] == value:
            return entry
    return None
