# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Selector rules SEL1-SEL14 (limits, operator/type compatibility and values parsed the way
pkg/selectors/kernel.go parses them, Go strconv included).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, finding, join_path, scalar)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as F

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
PRIV_OPS = {"SPortPriv", "NotSportPriv", "DPortPriv", "NotDPortPriv"}
CAP_TYPES = {"capability", "kernel_cap_t", "cap_inheritable", "cap_permitted", "cap_effective"}
FILE_TYPES = {"sock", "socket", "lnk", "link", "reg", "regular", "blk", "block", "dir", "chr", "char",
              "fifo", "pipe"}
PROCESS_FILTERS = ("matchPIDs", "matchBinaries", "matchParentBinaries", "matchNamespaces",
                   "matchNamespaceChanges", "matchCapabilities", "matchCapabilityChanges", "matchWorkloads")

# Capability names of Tetragon's api/v1/tetragon/capabilities.proto (CapabilitiesType_value, used by
# pkg/selectors/kernel.go capsStrToUint64). Capability 1 is spelt DAC_OVERRIDE there, without CAP_.
CAPABILITIES = frozenset((
    "CAP_CHOWN DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP "
    "CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK "
    "CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN "
    "CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE "
    "CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM "
    "CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE").split())

# How pkg/selectors/kernel.go parses values, by argument type (pkg/generictypes names).
INT32_TYPES = {"int", "int32", "sint32", "size_t", "int16", "sint16", "int8", "sint8"}
UINT32_TYPES = {"uint32", "uint16", "uint8"}
INT64_TYPES = {"int64", "sint64", "long", "syscall64"}
UINT64_TYPES = {"uint64", "ulong"}
CAP_MASK_TYPES = {"kernel_cap_t", "cap_inheritable", "cap_permitted", "cap_effective"}
SOCKET_LIKE_TYPES = {"sock", "skb", "sockaddr", "socket", "net_device"}
EQUAL_STRING_TYPES = {"fd", "file", "path", "dentry", "string", "char_buf", "linux_binprm", "data_loc",
                      "net_device", "sockaddr_un"}
MAP_SIGNED_TYPES = {"int", "int64", "sint64", "long", "int32", "sint32", "int16", "sint16", "int8", "sint8",
                    "syscall64", "size_t"}
MAP_UNSIGNED_TYPES = {"uint64", "ulong", "uint32", "uint16", "uint8"}
RANGE32_TYPES = INT32_TYPES | UINT32_TYPES
RANGE64_TYPES = INT64_TYPES | UINT64_TYPES
KNOWN_TYPES = set(value for value, _since, _removed in F.ENUMS["types"]) - {"auto", "bpf_cmd"}
RANGE_OPS = {"InRange", "NotInRange"}
MAP_OPS = {"InMap", "NotInMap"}
PORT_LIKE_OPS = {"SPort", "DPort", "NotSPort", "NotDPort", "Protocol", "Family", "State"}
VALUE_OPS = {"Equal", "NotEqual", "GreaterThan", "GT", "LessThan", "LT", "Mask"}
MAX_UINT32 = 0xffffffff
# pkg/reader/network/inet.go: names Protocol, Family and State accept besides numbers.
PROTOCOLS = frozenset((
    "IPPROTO_IP IPPROTO_ICMP IPPROTO_IGMP IPPROTO_IPIP IPPROTO_TCP IPPROTO_EGP IPPROTO_PUP IPPROTO_UDP "
    "IPPROTO_IDP IPPROTO_TP IPPROTO_DCCP IPPROTO_IPV6 IPPROTO_RSVP IPPROTO_GRE IPPROTO_ESP IPPROTO_AH IPPROTO_MTP "
    "IPPROTO_BEETPH IPPROTO_ENCAP IPPROTO_PIM IPPROTO_COMP IPPROTO_SCTP IPPROTO_UDPLITE IPPROTO_MPLS "
    "IPPROTO_ETHERNET IPPROTO_RAW IPPROTO_MPTCP").split())
FAMILIES = frozenset((
    "AF_UNSPEC AF_UNIX AF_INET AF_AX25 AF_IPX AF_APPLETALK AF_NETROM AF_BRIDGE AF_ATMPVC AF_X25 AF_INET6 AF_ROSE "
    "AF_NETBEUI AF_SECURITY AF_KEY AF_NETLINK AF_PACKET AF_ASH AF_ECONET AF_ATMSVC AF_RDS AF_IRDA AF_PPPOX "
    "AF_WANPIPE AF_LLC AF_IB AF_MPLS AF_CAN AF_TIPC AF_BLUETOOTH AF_IUCV AF_RXRPC AF_ISDN AF_PHONET AF_IEEE802154 "
    "AF_CAIF AF_ALG AF_NFC AF_VSOCK AF_KCM AF_QIPCRTR AF_SMC AF_XDP AF_MCTP").split())
TCP_STATES = frozenset((
    "TCP_ESTABLISHED TCP_SYN_SENT TCP_SYN_RECV TCP_FIN_WAIT1 TCP_FIN_WAIT2 TCP_TIME_WAIT TCP_CLOSE "
    "TCP_CLOSE_WAIT TCP_LAST_ACK TCP_LISTEN TCP_CLOSING TCP_NEW_SYN_RECV").split())
NAMED_VALUES = {"Protocol": PROTOCOLS, "Family": FAMILIES, "State": TCP_STATES}


def _lower(char):
    """Go's lower(c) on one byte of ASCII; other characters stay as they are (never a digit or letter)."""
    return char.lower() if char < "\x80" else char


def _underscore_ok(text):
    """Go strconv underscoreOK: '_' only between digits, or between a base prefix and a digit."""
    saw, i = "^", 0
    if text[:1] in ("-", "+"):
        text = text[1:]
    hexa = False
    if len(text) >= 2 and text[0] == "0" and _lower(text[1]) in ("b", "o", "x"):
        i, saw, hexa = 2, "0", _lower(text[1]) == "x"
    while i < len(text):
        char = text[i]
        i += 1
        if "0" <= char <= "9":
            saw = "0"
        elif hexa and "a" <= _lower(char) <= "f":
            saw = "0"
        elif char == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def go_parse_uint(text, base, bits):
    """Go's strconv.ParseUint: (value, None) or (None, 'invalid syntax' / 'value out of range')."""
    if not text:
        return None, "invalid syntax"
    base0, digits = base == 0, text
    if base0:
        base = 10
        if text[0] == "0":
            if len(text) >= 3 and _lower(text[1]) in ("b", "o", "x"):
                base, digits = {"b": 2, "o": 8, "x": 16}[_lower(text[1])], text[2:]
            else:
                base, digits = 8, text[1:]
    limit = (1 << bits) - 1
    value, underscores = 0, False
    for char in digits:
        lower = _lower(char)
        if char == "_" and base0:
            underscores = True
            continue
        if "0" <= char <= "9":
            digit = ord(char) - ord("0")
        elif "a" <= lower <= "z":
            digit = ord(lower) - ord("a") + 10
        else:
            return None, "invalid syntax"
        if digit >= base:
            return None, "invalid syntax"
        value = value * base + digit
        if value > limit:
            return None, "value out of range"
    if underscores and not _underscore_ok(text):
        return None, "invalid syntax"
    return value, None


def go_parse_int(text, base, bits):
    """Go's strconv.ParseInt: an optional sign, then ParseUint, then the signed range."""
    if not text:
        return None, "invalid syntax"
    negative, rest = text[0] == "-", text[1:] if text[0] in "+-" else text
    value, error = go_parse_uint(rest, base, bits)
    if error == "invalid syntax":
        return None, error
    cutoff = 1 << (bits - 1)
    if error or (not negative and value >= cutoff) or (negative and value > cutoff):
        return None, "value out of range"
    return (-value if negative else value), None


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


def _number(value, atype, base):
    """Error text when `value` does not parse for `atype` the way the loader parses it, else None."""
    if atype in INT32_TYPES:
        error = go_parse_int(value, base, 32 if base == 0 else 64)[1]
    elif atype in UINT32_TYPES:
        error = go_parse_uint(value, base, 32 if base == 0 else 64)[1]
    elif atype in INT64_TYPES or atype in MAP_SIGNED_TYPES:
        error = go_parse_int(value, base, 64)[1]
    else:
        error = go_parse_uint(value, base, 64)[1]
    return error


def _cap_mask(value):
    if go_parse_uint(value, 0, 64)[1] is None:
        return None
    bad = [c for c in value.split(",") if c.strip().upper() not in CAPABILITIES]
    return "neither a number nor capability names (%s unknown)" % ", ".join(bad) if bad else None


def _write_match_values(op, atype, values):
    """(rule, message) problems of pkg/selectors/kernel.go writeMatchValues for these values."""
    for value in values:
        if atype in INT32_TYPES | UINT32_TYPES | INT64_TYPES | UINT64_TYPES:
            error = _number(value, atype, 0)
            if error:
                yield "SEL12", ("value '%s' does not parse as %s: %s (Go strconv base 0: decimal, 0x, 0o, 0b "
                                "or a leading 0 for octal)" % (value, atype, error))
        elif atype in SOCKET_LIKE_TYPES:
            yield "SEL13", "MatchArgs type sock, socket, skb, sockaddr and net_device do not support operator %s" % op
            return
        elif atype in CAP_MASK_TYPES:
            error = _cap_mask(value)
            if error:
                yield "SEL12", "capabilities mask '%s' is %s" % (value, error)
        else:
            yield "SEL13", "MatchArgs type %s unsupported for operator %s" % (atype, op)
            return


def _range_values(op, atype, values):
    for value in values:
        parts = value.split(":")
        if len(parts) != 2:
            yield "SEL12", "%s value '%s' is not a range min:max" % (op, value)
            continue
        numbers = [go_parse_int(part, 0, 64) for part in parts]
        errors = [error for _n, error in numbers if error]
        if errors:
            yield "SEL12", "%s value '%s' does not parse: %s" % (op, value, errors[0])
        elif atype in RANGE32_TYPES and max(n for n, _e in numbers) > MAX_UINT32:
            yield "SEL12", "%s value '%s' is out of range for %s (at most %d)" % (op, value, atype, MAX_UINT32)
        elif atype not in RANGE32_TYPES | RANGE64_TYPES:
            yield "SEL13", "MatchArgs type %s unsupported for range operators" % atype
            return


def _map_values(op, atype, values):
    for value in values:
        if value.startswith("list:"):
            continue
        if atype not in MAP_SIGNED_TYPES | MAP_UNSIGNED_TYPES:
            yield "SEL13", "%s values need an integer argument, not %s" % (op, atype)
            return
        parts = value.split(":")
        if len(parts) > 2:
            yield "SEL12", "%s value '%s' is not a number or a range min:max" % (op, value)
            continue
        errors = [_number(part, atype, 10) for part in parts]
        errors = [error for error in errors if error]
        if errors:
            yield "SEL12", "%s value '%s' does not parse as a decimal %s: %s" % (op, value, atype, errors[0])


def _port_like_values(op, values):
    for value in values:
        parts = value.split(":")
        if len(parts) > 2:
            yield "SEL12", "%s value '%s' is not a number or a range min:max" % (op, value)
            continue
        if len(parts) == 1 and value in NAMED_VALUES.get(op, ()):
            continue
        if any(go_parse_uint(part, 10, 64)[1] for part in parts):
            names = " or a name such as %s" % sorted(NAMED_VALUES[op])[0] if op in NAMED_VALUES else ""
            yield "SEL12", "%s value '%s' is not a decimal number%s" % (op, value, names)


def value_problems(op, atype, values):
    """(rule, message) for values the loader cannot parse for this operator and argument type (SEL12) and
    operator/type pairs it refuses (SEL13), following pkg/selectors/kernel.go parseMatchArg."""
    if atype not in KNOWN_TYPES:
        return []
    if op in RANGE_OPS:
        return list(_range_values(op, atype, values))
    if op in MAP_OPS:
        return list(_map_values(op, atype, values))
    if op in PORT_LIKE_OPS:
        return list(_port_like_values(op, values))
    if op in ("Equal", "NotEqual") and atype in EQUAL_STRING_TYPES:
        return []
    if op in VALUE_OPS:
        return list(_write_match_values(op, atype, values))
    return []


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
        out.append(finding("SEL9", "warning", path, "%s takes no values; Tetragon ignores them" % op,
                           "Remove the values."))
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
    for rule, message in value_problems(op, atype, values):
        out.append(finding(rule, "error", path, message, "Write the value as the argument's type takes it (e.g. "
                           "42, 0x2a, -1, 1024:65535)." if rule == "SEL12" else
                           "Use an operator this argument type supports, or declare the argument with the type "
                           "the operator needs."))
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


def _check_capabilities(out, path, entries, version):
    for k, entry in enumerate(entries):
        for value in _values(entry):
            name = (value.strip() if version >= F.V15 else value).upper()
            if name not in CAPABILITIES:
                hint = "Use capability names such as CAP_SYS_ADMIN (case-insensitive)."
                if name.strip() == "CAP_DAC_OVERRIDE":
                    hint = "Tetragon spells this capability DAC_OVERRIDE (without CAP_)."
                elif "CAP_" + name.strip() in CAPABILITIES:
                    hint = "Write CAP_%s." % name.strip()
                out.append(finding("SEL11", "error", join_path(path, k), "capability '%s' is unknown to Tetragon"
                                   % value, hint))


def _check_namespace_values(out, path, entries):
    for k, entry in enumerate(entries):
        for value in _values(entry):
            if value != "host_ns" and go_parse_uint(value, 10, 32)[1]:
                out.append(finding("SEL14", "error", join_path(path, k), "matchNamespaces value '%s' is neither a "
                                   "namespace inode number nor host_ns" % value,
                                   "Use the namespace's inode number (ls -Li /proc/PID/ns) or host_ns."))


def check_selector(out, path, selector, hook_kind, hook, lists, macros, version=F.V17):
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
    _check_namespace_values(out, join_path(path, "matchNamespaces"), namespaces)
    for kind in ("matchCapabilities", "matchCapabilityChanges"):
        _check_capabilities(out, join_path(path, kind), as_list(selector.get(kind)), version)
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


def check_hook_selectors(out, path, hook, hook_kind, lists, macros, version=F.V17):
    selectors = as_list(hook.get("selectors"))
    if len(selectors) > MAX_SELECTORS:
        out.append(finding("SEL1", "error", join_path(path, "selectors"), "%d selectors; at most %d per hook"
                           % (len(selectors), MAX_SELECTORS), "Merge selectors or split the hook."))
    for j, selector in enumerate(selectors):
        check_selector(out, join_path(join_path(path, "selectors"), j), selector, hook_kind, hook, lists, macros,
                       version)


def check_macros(out, spec):
    for name, selector in as_dict(spec.get("selectorsMacros")).items():
        if as_dict(selector).get("macros"):
            out.append(finding("SEL10", "error", join_path(join_path("spec.selectorsMacros", name), "macros"),
                               "macro definition cannot use other macros", "Inline the other macro's fields."))
