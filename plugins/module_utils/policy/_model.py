# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The policy model shared by lint, rewrite, hook planning and the action plugins (standard library
only, Python 3.6, importable on hosts): hook sections and their walkers, lists, the syscall-name
grammar of Tetragon's loader (pkg/arch/arch.go, pkg/sensors/tracing/syscall_list.go), the syscall
tables per architecture, and a policy's name, file name and pin directory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict as _dict, as_list as _list, join_path as _path)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _syscall_tables as _tables

# --- hook sections -------------------------------------------------------------------------------------

HOOK_KINDS = (("kprobes", "kprobe"), ("tracepoints", "tracepoint"), ("lsmhooks", "lsm"),
              ("uprobes", "uprobe"), ("usdts", "usdt"), ("fentries", "fentry"))
HOOK_SECTIONS = tuple(section for section, _kind in HOOK_KINDS)
ACTION_KINDS = ("matchActions", "matchReturnActions")
ENFORCEMENT_ACTIONS = ("Sigkill", "Signal", "NotifyEnforcer", "Override", "Set")


def hooks(spec):
    """(section, kind, index, path, hook dict) for every hook in every section."""
    for section, kind in HOOK_KINDS:
        for i, hook in enumerate(_list(_dict(spec).get(section))):
            if isinstance(hook, dict):
                yield section, kind, i, _path(_path("spec", section), i), hook


def actions(hook):
    """(selector index, kind, action index, action dict) of one hook (its own selectors, not macros)."""
    for j, selector in enumerate(_list(hook.get("selectors"))):
        for kind in ACTION_KINDS:
            for k, action in enumerate(_list(_dict(selector).get(kind))):
                if isinstance(action, dict):
                    yield j, kind, k, action


def expanded_selectors(hook, macros):
    """The hook's selectors with the fields of their selectorsMacros merged in, as the loader sees them
    (pkg/sensors/tracing appendMacrosSelectors); unknown macros are skipped."""
    out = []
    for selector in _list(hook.get("selectors")):
        merged = dict(_dict(selector))
        for name in _list(merged.get("macros")):
            if isinstance(name, str):
                for key, value in _dict(_dict(macros).get(name)).items():
                    merged.setdefault(key, value)
        out.append(merged)
    return out


def action_names(hook, macros=None):
    """The action names of a hook, macros included."""
    return [str(a.get("action")) for s in expanded_selectors(hook, macros) for kind in ACTION_KINDS
            for a in _list(s.get(kind)) if isinstance(a, dict)]


def has_enforcement(document):
    """Whether a policy has an action that monitor mode skips, or enforcers: the only policies a mode changes."""
    spec = _dict(_dict(document).get("spec"))
    wanted = [name.lower() for name in ENFORCEMENT_ACTIONS]
    macros = spec.get("selectorsMacros")
    for _section, _kind, _i, _path_, hook in hooks(spec):
        if any(name.lower() in wanted for name in action_names(hook, macros)):
            return True
    return bool(spec.get("enforcers"))


def option(spec, name):
    """The value of spec.options[name] as text, or None."""
    for item in _list(_dict(spec).get("options")):
        if _dict(item).get("name") == name:
            return str(_dict(item).get("value", ""))
    return None


def kprobe_multi_disabled(spec):
    return option(spec, "disable-kprobe-multi") in ("1", "t", "T", "TRUE", "true", "True")


# --- lists ---------------------------------------------------------------------------------------------

LIST_TYPES = ("syscalls", "generated_syscalls", "generated_ftrace")
SYSCALL_LIST_TYPES = ("syscalls", "generated_syscalls")


def list_entries(spec):
    """(index, path, list dict, name or None) for every entry of spec.lists, duplicates included."""
    for i, item in enumerate(_list(_dict(spec).get("lists"))):
        item = _dict(item)
        name = item.get("name")
        yield i, _path("spec.lists", i), item, name if isinstance(name, str) else None


def lists_by_name(spec):
    """spec.lists as {name: list dict}; the first definition of a name wins, like the loader's lookup."""
    out = {}
    for _i, _path_, item, name in list_entries(spec):
        if name is not None:
            out.setdefault(name, item)
    return out


def list_name(call):
    """'list:NAME' -> NAME, else None."""
    return call[5:] if isinstance(call, str) and call.startswith("list:") else None


def is_syscall_list(spec_list):
    """Lists whose elements are syscalls ('type' is case-insensitive in the loader's listTypeFromString)."""
    return str(_dict(spec_list).get("type", "")).lower() in SYSCALL_LIST_TYPES


# --- syscall names -------------------------------------------------------------------------------------

# Tetragon's arch prefixes (pkg/arch/arch.go supportedArchPrefix) and list ABIs (syscall_list.go Symbol).
ARCH_PREFIXES = {"x64": "__x64_", "ia32": "__ia32_", "arm64": "__arm64_"}
ABIS = ("x64", "i386", "arm64", "arm32")
ABI_OF_PREFIX = {"x64": "x64", "ia32": "i386", "arm64": "arm64"}
PREFIX_OF_ABI = {"x64": "__x64_", "i386": "__ia32_", "arm64": "__arm64_", "arm32": "__arm64_"}
# Target architectures (option tetragon_arch) -> Tetragon's default ABI and the ABIs and prefixes it can load.
ARCHES = {
    "x86_64": {"abi": "x64", "abis": ("x64", "i386"), "prefixes": ("x64", "ia32")},
    "arm64": {"abi": "arm64", "abis": ("arm64", "arm32"), "prefixes": ("arm64",)},
}
ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}
DEFAULT_ARCH = "x86_64"

_PREFIX = r"__(?:x64|ia32|arm64)_"
SYSCALL_CALL_RE = re.compile(r"^(?:%s)?(?:compat_)?sys_\w+$" % _PREFIX)
SYSCALL_LIST_RE = re.compile(r"^(?:(?:x64|i386|arm64|arm32)/)?(?:%s)?sys_\w+$" % _PREFIX)
_SPLIT_RE = re.compile(r"^(?:(?P<abi>x64|i386|arm64|arm32)/)?(?:__(?P<prefix>x64|ia32|arm64)_)?"
                       r"(?P<compat>compat_)?sys_(?P<base>\w+)$")
STRIP_SYSCALL_PREFIX_RE = re.compile(r"^(?:\w+/|%s)" % _PREFIX)


def arch_name(text):
    """Canonical target architecture ('x86_64', 'arm64') for an option value, or None."""
    text = str(text or DEFAULT_ARCH).strip().lower()
    text = ARCH_ALIASES.get(text, text)
    return text if text in ARCHES else None


def looks_like_syscall(name):
    """A syscall name in any form the loader takes: sys_X, compat_sys_X, __x64_sys_X, ABI/sys_X."""
    return bool(SYSCALL_CALL_RE.match(name) or SYSCALL_LIST_RE.match(name))


def is_syscall_call(name):
    """A kprobe `call` Tetragon treats as a syscall name (it adds the arch prefix unless one is there)."""
    return bool(SYSCALL_CALL_RE.match(name))


def is_syscall_list_element(name):
    """An element of a 'syscalls' list: sys_X, ABI/sys_X or an arch-prefixed __x64_sys_X."""
    return bool(SYSCALL_LIST_RE.match(name))


def strip_syscall_prefix(name):
    """sys_X for __x64_sys_X or x64/sys_X (the name without ABI or arch prefix)."""
    return STRIP_SYSCALL_PREFIX_RE.sub("", name)


def split_syscall(name):
    """(abi, arch prefix, base name) of a syscall name (abi/prefix None when absent), or None."""
    match = _SPLIT_RE.match(name)
    if not match:
        return None
    return match.group("abi"), match.group("prefix"), match.group("base")


def syscall_base(name):
    """'__x64_sys_unlinkat', 'sys_unlinkat', 'x64/sys_unlinkat' -> 'unlinkat'; None when not a syscall name."""
    parts = split_syscall(name or "")
    return parts[2] if parts else None


# syscalls.json holds the syscall functions of an x86_64 kernel; on arm64 only those that are no syscall
# name of any ABI (newfstat for fstat) are taken as kernel function names.
_FUNCTION_ONLY = _tables.FUNCTIONS - frozenset().union(*_tables.NAMES.values())


def syscall_problem(name, arch=DEFAULT_ARCH):
    """Why `name` is not a syscall the loader can find on `arch`, or None. Checks the ABI and the arch
    prefix against the target architecture and the name against Tetragon's syscall tables."""
    parts = split_syscall(name)
    if parts is None:
        return None
    abi, prefix, base = parts
    target = ARCHES[arch]
    if prefix is not None and prefix not in target["prefixes"]:
        return "the prefix __%s_ is not a syscall prefix on %s" % (prefix, arch)
    if abi is not None and abi not in target["abis"]:
        return "ABI %s is not an ABI of %s (use %s)" % (abi, arch, " or ".join(target["abis"]))
    if abi is not None and prefix is not None and ABI_OF_PREFIX[prefix] != abi and not (
            abi == "arm32" and prefix == "arm64"):
        return "ABI %s does not match the prefix __%s_" % (abi, prefix)
    abi = abi or (ABI_OF_PREFIX[prefix] if prefix else target["abi"])
    if base in _tables.NAMES[abi] or base in (_tables.FUNCTIONS if arch == "x86_64" else _FUNCTION_ONLY):
        return None
    return "'%s' is not in Tetragon's %s syscall table" % (base, abi)


def add_syscall_prefix(symbol, arch=DEFAULT_ARCH):
    """The symbol a kprobe with syscall: true attaches to (pkg/arch/arch.go AddSyscallPrefix): names that
    carry one of Tetragon's prefixes are kept, others get the target's prefix."""
    if any(symbol.startswith(prefix) for prefix in ARCH_PREFIXES.values()):
        return symbol
    return ARCH_PREFIXES[ARCHES[arch]["prefixes"][0]] + symbol


def list_element_symbol(value, arch=DEFAULT_ARCH):
    """The symbol of a 'syscalls' list element (syscall_list.go parseSyscallValue + Symbol), or None."""
    parts = split_syscall(value)
    if parts is None or not is_syscall_list_element(value):
        return None
    abi, prefix, base = parts
    abi = abi or (ABI_OF_PREFIX[prefix] if prefix else ARCHES[arch]["abi"])
    return PREFIX_OF_ABI[abi] + "sys_" + base


def kprobe_symbols(hook, lists, arch=DEFAULT_ARCH):
    """The symbols the loader attaches a kprobe to, prefixed as it prefixes them; None when they depend on
    the host (a generated_ftrace list)."""
    call = hook.get("call")
    if not isinstance(call, str):
        return []
    name = list_name(call)
    if name is None:
        return [add_syscall_prefix(call, arch)] if hook.get("syscall", True) is not False else [call]
    spec_list = lists.get(name)
    if spec_list is None:
        return []
    ltype = spec_list.get("type")
    if ltype == "generated_ftrace":
        return None
    if ltype == "generated_syscalls":
        abi = ARCHES[arch]["abi"]
        return [PREFIX_OF_ABI[abi] + "sys_" + base for base in sorted(_tables.NAMES[abi])]
    values = [str(v) for v in _list(spec_list.get("values"))]
    if ltype == "syscalls":
        return [sym for sym in (list_element_symbol(v, arch) for v in values) if sym]
    return values


def syscall_tables_source():
    return _tables.SOURCE


def syscall_table(abi):
    """The syscall names Tetragon knows for an ABI (x64, i386, arm64, arm32)."""
    return _tables.NAMES[abi]


# --- kinds -----------------------------------------------------------------------------------------------

KINDS = ("TracingPolicy", "TracingPolicyNamespaced")
