# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Selector rules SEL1-SEL10 (limits and operator/type compatibility, pkg/selectors/kernel.go).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, finding, join_path, scalar)

MAX_SELECTORS = 5
MAX_ARG_FILTERS = 5
MAX_ACTIONS = 3
MAX_PID_VALUES = 4
MAX_NS_FILTERS = 10
MAX_NS_VALUES = 4
MAX_NUMERIC_VALUES = 4
MAX_FILETYPE_VALUES = 4
BINARY_PATH_MAX = 255
PREFIX_MAX = 256
POSTFIX_MAX = 127
STRING_MAX = 4096
SUBSTRING_MAX = 100

NUMERIC_TYPES = {"int", "sint8", "int8", "uint8", "sint16", "int16", "uint16", "uint32", "sint32", "int32",
                 "ulong", "uint64", "size_t", "long", "sint64", "int64"}
NUMERIC_OPS = {"Equal", "NotEqual", "GreaterThan", "LessThan", "GT", "LT", "Mask", "InRange", "NotInRange"}
STRING_TYPES = {"fd", "file", "path", "dentry", "string", "char_buf", "linux_binprm", "data_loc",
                "net_device", "sockaddr_un", "filename"}
SOCKET_TYPES = {"sock", "skb", "sockaddr", "socket", "sockaddr_un"}
SOCKET_OPS = {"SPort", "NotSPort", "SPortPriv", "NotSportPriv", "DPort", "NotDPort", "DPortPriv",
              "NotDPortPriv", "SAddr", "NotSAddr", "DAddr", "NotDAddr", "Protocol", "Family", "State"}
ADDR_OPS = {"SAddr", "NotSAddr", "DAddr", "NotDAddr"}
SOCKADDR_OPS = {"SAddr", "NotSAddr", "SPort", "NotSPort", "SPortPriv", "NotSportPriv", "Family"}
PORT_OPS = {"SPort", "NotSPort", "DPort", "NotDPort"}
PRIV_OPS = {"SPortPriv", "NotSportPriv", "DPortPriv", "NotDPortPriv"}
CAP_TYPES = {"capability", "kernel_cap_t", "cap_inheritable", "cap_permitted", "cap_effective"}
FILE_TYPES = {"sock", "socket", "lnk", "link", "reg", "regular", "blk", "block", "dir", "chr", "char",
              "fifo", "pipe"}
PROCESS_FILTERS = ("matchPIDs", "matchBinaries", "matchParentBinaries", "matchNamespaces",
                   "matchNamespaceChanges", "matchCapabilities", "matchCapabilityChanges", "matchWorkloads")
_PORT_RE = re.compile(r"^\d{1,5}(:\d{1,5})?$")


def arg_type(hook_kind, args, flt):
    """Type of the argument a matchArgs filter refers to; (found, type)."""
    flt = as_dict(flt)
    if as_list(flt.get("args")):
        pos = as_list(flt.get("args"))[0]
        if isinstance(pos, int) and 0 <= pos < len(args):
            return True, scalar(as_dict(args[pos]).get("type", "auto"))
        return False, None
    index = flt.get("index", 0)
    for arg in args:
        if as_dict(arg).get("index") == index:
            return True, scalar(as_dict(arg).get("type", "auto"))
    if hook_kind == "tracepoint" and isinstance(index, int) and 0 <= index < len(args):
        return True, scalar(as_dict(args[index]).get("type", "auto"))
    return False, None


def _values(flt):
    return [str(v) for v in as_list(as_dict(flt).get("values"))]


def _check_arg_filter(out, path, flt, hook_kind, args, data, lists, is_data):
    flt = as_dict(flt)
    op = scalar(flt.get("operator"))
    values = _values(flt)
    if is_data:
        index = flt.get("index", 0)
        found = isinstance(index, int) and index < len(data)
        atype = scalar(as_dict(data[index]).get("type", "auto")) if found else None
        if not found:
            out.append(finding("SEL9", "error", path, "matchData index %s is not a position in data[] (%d entries)"
                               % (index, len(data)), "Point index at an entry of the hook's data list."))
            return
    else:
        if op == "CelExpr":
            if len(values) != 1:
                out.append(finding("SEL9", "error", path, "CelExpr takes exactly one expression, got %d"
                                   % len(values), "Put the whole expression in one value."))
            return
        found, atype = arg_type(hook_kind, args, flt)
        if not found:
            out.append(finding("SEL9", "error", path, "argFilter for unknown index: no declared argument matches "
                               "index %s" % flt.get("index", flt.get("args")),
                               "Declare the argument in args (with that index) or fix the filter's index."))
            return
    if op in ("InMap", "NotInMap"):
        names = [v[5:] for v in values if v.startswith("list:")]
        for name in names:
            spec_list = lists.get(name)
            if spec_list is None:
                out.append(finding("SEL9", "error", path, "list '%s' is not defined in spec.lists" % name,
                                   "Define the list or fix the name."))
            elif spec_list.get("type") not in ("syscalls", "generated_syscalls"):
                out.append(finding("SEL9", "error", path, "list '%s' is not a syscall list; InMap list: needs "
                                   "type syscalls or generated_syscalls" % name, "Set the list's type."))
        if names and atype != "syscall64":
            out.append(finding("SEL9", "error", path, "'InMap list:' needs an argument of type syscall64, the "
                               "filtered argument is %s" % atype,
                               "Declare the syscall id argument with type: syscall64 (since v1.1)."))
    if op in ("SubString", "SubStringIgnCase"):
        if atype not in ("string", "char_buf", None, "auto"):
            out.append(finding("SEL9", "warning", path, "%s on a %s argument writes no values: the filter is "
                               "silently ineffective" % (op, atype), "Use it on string or char_buf arguments."))
        for value in values:
            if len(value) >= SUBSTRING_MAX:
                out.append(finding("SEL8", "error", path, "substring of %d characters; at most %d" % (
                    len(value), SUBSTRING_MAX - 1), "Shorten the substring."))
    if atype == "sockaddr" and op in SOCKET_OPS | ADDR_OPS | PRIV_OPS and op not in SOCKADDR_OPS:
        out.append(finding("SEL9", "error", path, "sockaddr only supports [Not]SAddr, [Not]SPort[Priv] and Family, "
                           "not %s" % op, "Filter a sock or skb argument for destination fields."))
    if atype == "sockaddr_un" and op in (SOCKET_OPS | ADDR_OPS | PRIV_OPS) - {"Family"}:
        out.append(finding("SEL9", "error", path, "sockaddr_un only supports Family and string operators, not %s"
                           % op, "Use Equal, NotEqual, Prefix or NotPrefix on the path."))
    if op in SOCKET_OPS and atype not in (None, "auto") and atype not in SOCKET_TYPES:
        out.append(finding("SEL9", "error", path, "operator %s needs a sock, skb, sockaddr, socket or sockaddr_un "
                           "argument, not %s" % (op, atype), "Filter a socket-typed argument."))
    if op in ("FileType", "NotFileType"):
        if atype not in ("file", "path", None, "auto"):
            out.append(finding("SEL9", "error", path, "%s works only on file or path arguments, not %s"
                               % (op, atype), "Filter a file or path argument."))
        if len(values) > MAX_FILETYPE_VALUES:
            out.append(finding("SEL9", "error", path, "%s takes at most %d values" % (op, MAX_FILETYPE_VALUES),
                               "Split the filter across selectors."))
        bad = [v for v in values if v not in FILE_TYPES]
        if bad:
            out.append(finding("SEL9", "error", path, "unknown file type(s) %s" % ", ".join(bad),
                               "Use: %s." % ", ".join(sorted(FILE_TYPES))))
    if op in PRIV_OPS and values:
        out.append(finding("SEL9", "error", path, "%s takes no values" % op, "Remove the values."))
    if op in ADDR_OPS:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                template = "${" in value or "{{" in value
                out.append(finding("SEL9", "error", path, "'%s' is not an IP address or CIDR%s" % (
                    value, " (an unexpanded template variable)" if template else ""),
                    "Substitute the variable before loading (envsubst, Ansible template)." if template else
                    "Use addresses such as 10.0.0.0/8 or ::1."))
    if op in PORT_OPS:
        for value in values:
            if not _PORT_RE.match(value):
                out.append(finding("SEL9", "error", path, "'%s' is not a port or port range a:b" % value,
                                   "Use numbers such as 53 or 1024:65535."))
    if op == "CapabilitiesGained" and len(as_list(flt.get("args"))) != 2:
        out.append(finding("SEL9", "error", path, "CapabilitiesGained needs args: [new, old] (two capability "
                           "arguments)", "List the new and old capability arguments' positions in args."))
    if op in NUMERIC_OPS and atype in NUMERIC_TYPES and len(values) > MAX_NUMERIC_VALUES:
        out.append(finding("SEL7", "error", path, "%s on a numeric argument takes at most %d values, got %d"
                           % (op, MAX_NUMERIC_VALUES, len(values)),
                           "Use InMap for long value lists."))
    if op in ("Prefix", "NotPrefix"):
        _lengths(out, path, op, values, PREFIX_MAX)
    elif op in ("Postfix", "NotPostfix"):
        _lengths(out, path, op, values, POSTFIX_MAX)
    elif op in ("Equal", "NotEqual") and atype in STRING_TYPES:
        _lengths(out, path, op, values, STRING_MAX)


def _lengths(out, path, op, values, limit):
    for value in values:
        if len(value.encode("utf-8")) > limit:
            out.append(finding("SEL8", "error", path, "%s value of %d bytes is over the %d-byte limit"
                               % (op, len(value.encode("utf-8")), limit), "Shorten the value."))


def _check_binaries(out, path, entries):
    for k, entry in enumerate(entries):
        entry = as_dict(entry)
        epath = join_path(path, k)
        op = scalar(entry.get("operator"))
        if entry.get("followChildren") and op not in ("In", "NotIn"):
            out.append(finding("SEL9", "error", epath, "followChildren works only with In and NotIn",
                               "Use In/NotIn or drop followChildren."))
        for value in _values(entry):
            if op in ("In", "NotIn") and len(value.encode("utf-8")) > BINARY_PATH_MAX:
                out.append(finding("SEL8", "error", epath, "binary path of %d bytes is over the %d-byte limit"
                                   % (len(value.encode("utf-8")), BINARY_PATH_MAX), "Shorten the path."))
            elif op in ("Prefix", "NotPrefix") and len(value.encode("utf-8")) > PREFIX_MAX:
                out.append(finding("SEL8", "error", epath, "prefix over %d bytes" % PREFIX_MAX, "Shorten it."))
            elif op in ("Postfix", "NotPostfix") and len(value.encode("utf-8")) > POSTFIX_MAX:
                out.append(finding("SEL8", "error", epath, "postfix over %d bytes" % POSTFIX_MAX, "Shorten it."))


def check_selector(out, path, selector, hook_kind, hook, lists, macros):
    selector = as_dict(selector)
    args = as_list(hook.get("args"))
    data = as_list(hook.get("data"))
    arg_filters = as_list(selector.get("matchArgs")) + as_list(selector.get("matchData"))
    if len(arg_filters) > MAX_ARG_FILTERS:
        out.append(finding("SEL2", "error", path, "%d matchArgs+matchData filters; at most %d per selector"
                           % (len(arg_filters), MAX_ARG_FILTERS), "Move filters to another selector."))
    for kind in ("matchActions", "matchReturnActions"):
        if len(as_list(selector.get(kind))) > MAX_ACTIONS:
            out.append(finding("SEL3", "error", join_path(path, kind), "%d actions; at most %d per selector"
                               % (len(as_list(selector.get(kind))), MAX_ACTIONS), "Split the actions."))
    for kind in ("matchBinaries", "matchParentBinaries"):
        entries = as_list(selector.get(kind))
        if len(entries) > 1:
            out.append(finding("SEL4", "error", join_path(path, kind), "only a single %s entry per selector is "
                               "supported, got %d" % (kind, len(entries)),
                               "Merge the values into one entry or use another selector."))
        _check_binaries(out, join_path(path, kind), entries)
    if selector.get("matchParentBinaries"):
        out.append(finding("SEL4", "info", join_path(path, "matchParentBinaries"),
                           "matchParentBinaries needs the agent flag --parents-map-enabled",
                           "Enable --parents-map-enabled on the agents that load this policy."))
    pids = as_list(selector.get("matchPIDs"))
    if len(pids) > 1:
        out.append(finding("SEL5", "warning", join_path(path, "matchPIDs"), "%d matchPIDs entries: BPF evaluates "
                           "only the first one, the others are silently ignored" % len(pids),
                           "Keep one matchPIDs entry per selector; use another selector for the rest."))
    for k, entry in enumerate(pids):
        if len(_values(entry)) > MAX_PID_VALUES:
            out.append(finding("SEL5", "warning", join_path(join_path(path, "matchPIDs"), k),
                               "%d PID values: BPF reads at most %d" % (len(_values(entry)), MAX_PID_VALUES),
                               "Keep at most 4 PIDs per entry."))
    for kind in ("matchCapabilities", "matchCapabilityChanges"):
        if len(as_list(selector.get(kind))) > 1:
            out.append(finding("SEL5", "warning", join_path(path, kind), "%d %s entries: BPF reads only one"
                               % (len(as_list(selector.get(kind))), kind), "Keep one entry per selector."))
    namespaces = as_list(selector.get("matchNamespaces"))
    if len(namespaces) > MAX_NS_FILTERS:
        out.append(finding("SEL6", "error", join_path(path, "matchNamespaces"), "%d namespace filters; at most %d"
                           % (len(namespaces), MAX_NS_FILTERS), "Reduce the filters."))
    for k, entry in enumerate(namespaces):
        if len(_values(entry)) > MAX_NS_VALUES:
            out.append(finding("SEL6", "error", join_path(join_path(path, "matchNamespaces"), k),
                               "%d namespace values; at most %d" % (len(_values(entry)), MAX_NS_VALUES),
                               "Split the values across filters."))
    if len(as_list(selector.get("matchNamespaceChanges"))) > 1:
        out.append(finding("SEL6", "error", join_path(path, "matchNamespaceChanges"),
                           "at most one matchNamespaceChanges filter", "Merge the filters."))
    for kind in ("matchArgs", "matchData", "matchReturnArgs"):
        for k, flt in enumerate(as_list(selector.get(kind))):
            fargs = args
            if kind == "matchReturnArgs":
                fargs = [dict(as_dict(hook.get("returnArg")), index=0)]
            _check_arg_filter(out, join_path(join_path(path, kind), k), flt, hook_kind, fargs, data, lists,
                              kind == "matchData")
    for k, name in enumerate(as_list(selector.get("macros"))):
        mpath = join_path(join_path(path, "macros"), k)
        if scalar(name) is None or name not in macros:
            out.append(finding("SEL10", "error", mpath, "macro '%s' is not defined in spec.selectorsMacros" % name,
                               "Define the macro or fix the name."))
            continue
        overlap = [key for key in as_dict(macros[name]) if key in selector]
        if overlap:
            out.append(finding("SEL10", "error", mpath, "field(s) %s appear both in macro '%s' and in the "
                               "selector" % (", ".join(overlap), name), "Keep each field in one place."))


def check_hook_selectors(out, path, hook, hook_kind, lists, macros):
    selectors = as_list(hook.get("selectors"))
    if len(selectors) > MAX_SELECTORS:
        out.append(finding("SEL1", "error", join_path(path, "selectors"), "%d selectors; at most %d per hook"
                           % (len(selectors), MAX_SELECTORS), "Merge selectors or split the hook."))
    for j, selector in enumerate(selectors):
        check_selector(out, join_path(join_path(path, "selectors"), j), selector, hook_kind, hook, lists, macros)


def check_macros(out, spec):
    for name, selector in as_dict(spec.get("selectorsMacros")).items():
        if as_dict(selector).get("macros"):
            out.append(finding("SEL10", "error", join_path(join_path("spec.selectorsMacros", name), "macros"),
                               "macro definition cannot use other macros", "Inline the other macro's fields."))
