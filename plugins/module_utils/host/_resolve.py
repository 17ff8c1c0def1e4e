# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Resolves every hook of a TracingPolicy on one kernel (a KernelView): kernel functions, syscalls
with the host's arch prefix, tracepoints and their format fields, LSM hooks, uprobe symbols and
the kernel features the hooks need. Findings use the lint's format with rule ids R1-R14 (see
RULES and docs/policy-resolve.md). Standard library only (runs on managed hosts).

    resolve(document, view) -> {"findings": [...], "resolved": [...], "valid": bool, "summary": {...}}
    describe_finding(finding) -> "error R3 at spec.tracepoints[0].event: ... (hint)"
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os
import platform
import re
import stat

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, count, finding, join_path, lists_by_name, scalar)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._elf import (
    ElfError, elf_symbols, elf_usdt_probes)

RULES = {
    "R1": ("error", "kernel function of a kprobe/fentry not found in the kernel's BTF"),
    "R2": ("error", "syscall not found with the host's arch prefix"),
    "R3": ("error", "tracepoint (subsystem/event) does not exist in tracefs"),
    "R4": ("error", "tracepoint arg index not below the number of format fields"),
    "R5": ("error", "LSM hook has no bpf_lsm_<hook> in BTF"),
    "R6": ("warning", "arg index beyond the function's BTF parameters"),
    "R7": ("error", "uprobe/USDT binary missing or not ELF"),
    "R8": ("error", "uprobe symbol (.symtab/.dynsym) or USDT probe (.note.stapsdt) not in the binary"),
    "R9": ("warning", "the kernel cannot attach kprobes"),
    "R10": ("info", "kprobe_multi unavailable: one kprobe per function"),
    "R11": ("error", "Override needs a kernel feature this kernel lacks"),
    "R12": ("error", "BPF LSM is not active"),
    "R13": ("error", "fentry needs BPF trampolines"),
    "R14": ("warning", "a kernel fact could not be checked"),
}
ABI_PREFIX = {"x64": "__x64_", "i386": "__ia32_", "arm64": "__arm64_", "arm32": "__arm64_"}
ARCH_PREFIX_RE = re.compile(r"^__(x64|ia32|arm64|arm|x32|s390x|riscv|powerpc)_")
ABI_RE = re.compile(r"^(x64|i386|arm64|arm32)/(.+)$")
MAX_ELF_FILES = 64
MAX_HINTS = 10


def _f(rule, path, message, hint="", severity=None):
    return finding(rule, severity or RULES[rule][0], path, message, hint)


def _close(name, candidates, limit=3, budget=None):
    """Up to `limit` candidates that look like a typo of name (cheap prefilter, then difflib); none once
    `budget` (a one-element list counting down) is spent, so a policy of many typos stays fast."""
    name = str(name)
    if not name or (budget is not None and budget[0] <= 0):
        return []
    if budget is not None:
        budget[0] -= 1
    squashed = name.replace("_", "")
    pool = [c for c in candidates if c[:1] == name[:1] and abs(len(c) - len(name)) <= 3]
    exact = [c for c in pool if c.replace("_", "") == squashed and c != name]
    return (exact + [c for c in difflib.get_close_matches(name, pool, limit, 0.8) if c not in exact])[:limit]


def _maybe(names):
    return (" Did you mean %s?" % " or ".join(names)) if names else ""


def syscall_symbol(name, prefix):
    """Kernel symbol Tetragon attaches a syscall (or a `syscalls` list element) to: it prefixes the name
    before looking it up, so `syscall: true` on a plain function (the default) never resolves."""
    if ARCH_PREFIX_RE.match(name):
        return name
    match = ABI_RE.match(name)
    if match:
        return ABI_PREFIX[match.group(1)] + match.group(2)
    return (prefix or "") + name


class _Resolver(object):
    def __init__(self, document, view):
        self.doc = document
        self.spec = as_dict(document.get("spec"))
        self.view = view
        self.out = []
        self.resolved = []
        self.lists = lists_by_name(self.spec)
        self._elf = {}
        self.hints = [MAX_HINTS]
        self.names = None

    # --- kernel functions ---------------------------------------------------------------------
    def _lookup(self, name):
        """(found, source, parameter count or None, why not)."""
        funcs = self.view.btf_funcs()
        if funcs is not None and name in funcs:
            return True, "btf", funcs[name], None
        syms = self.view.kallsyms()
        module = syms.get(name) if syms else None
        if module:
            if self.view.module_has_btf(module):
                return True, "module %s" % module, None, None
            return False, "kallsyms", None, ("in kallsyms (module %s) but the module has no BTF, which Tetragon "
                                             "needs to look the call up" % module)
        if syms is not None and name in syms:
            if funcs is None:
                return True, "kallsyms", None, None
            return False, "kallsyms", None, ("in kallsyms but not in BTF; Tetragon looks kprobe calls up in BTF "
                                             "(an inlined or renamed function, e.g. a .isra/.constprop clone)")
        return False, None, None, None

    def _names(self):
        """Known function names for typo hints (empty once the hint budget is spent)."""
        if self.hints[0] <= 0:
            return []
        if self.names is None:
            self.names = list(self.view.btf_funcs() or self.view.kallsyms() or {})
        return self.names

    def _function(self, path, kind, call, is_syscall, hook, ignore, hook_path=None):
        """Resolve one function (a call or one list element) and report what is missing."""
        symbol = syscall_symbol(call, self.view.syscall_prefix()) if is_syscall else call
        found, source, nargs, why = self._lookup(symbol)
        if found and kind == "fentry" and source != "btf":
            found, why = False, "found only in %s; fentry attaches through BTF of vmlinux" % source
        self.resolved.append({"path": path, "kind": kind, "target": call, "symbol": symbol, "found": found,
                              "source": source})
        if found:
            if nargs is not None and not (is_syscall and ARCH_PREFIX_RE.match(symbol)):
                self._arg_indices(hook_path or path, hook, nargs, symbol)
            return symbol
        severity = "warning" if ignore else None
        tail = (" ignore.callNotFound is set, so Tetragon skips the hook (state CALL_NOT_FOUND)" if ignore else "")
        if is_syscall:
            base = re.sub(r"^(?:__\w+?_)?sys_", "", ARCH_PREFIX_RE.sub("", symbol))
            close = _close(symbol, self._names(), budget=self.hints)
            message = "syscall %s: no %s on this kernel%s" % (call, symbol, (" (%s)" % why) if why else "")
            hint = ("Check the syscall name (%s is not a syscall here).%s%s"
                    % (base, _maybe(close), (" If %s is not a syscall, set syscall: false." % call)
                       if not call.startswith(("sys_", "__")) and kind in ("kprobe", "fentry") else ""))
            self.out.append(_f("R2", path, message + "." + tail, hint, severity))
            return None
        close = _close(call, self._names(), budget=self.hints)
        message = "kernel function %s does not exist on this kernel%s" % (call, (" (%s)" % why) if why else "")
        self.out.append(_f("R1", path, message + "." + tail,
                           "Check the function name against /proc/kallsyms or BTF.%s" % _maybe(close), severity))
        return None

    def _arg_indices(self, path, hook, nargs, symbol):
        for i, arg in enumerate(as_list(hook.get("args"))):
            index = as_dict(arg).get("index")
            if isinstance(index, int) and not isinstance(index, bool) and index >= nargs:
                self.out.append(_f("R6", join_path(join_path(join_path(path, "args"), i), "index"),
                                   "index %d, but %s takes %d parameter(s) in BTF" % (index, symbol, nargs),
                                   "Use an index below %d; Tetragon warns and reads a register that holds no "
                                   "argument." % nargs))

    def _calls(self, section, kind):
        """Resolve kprobes or fentries; returns [(path, hook, [(symbol, is_syscall)])]."""
        done = []
        for i, hook in enumerate(as_list(self.spec.get(section))):
            if not isinstance(hook, dict):
                continue
            path = join_path(join_path("spec", section), i)
            call = scalar(hook.get("call"))
            ignore = bool(as_dict(hook.get("ignore")).get("callNotFound") is True)
            if not isinstance(call, str) or not call:
                continue
            targets = []
            if call.startswith("list:"):
                lst = self.lists.get(call[len("list:"):])
                if lst is None:
                    continue
                ltype = lst.get("type")
                if ltype in ("generated_syscalls", "generated_ftrace"):
                    self.resolved.append({"path": path, "kind": kind, "target": call, "symbol": None,
                                          "found": None, "source": "generated by the agent"})
                    continue
                is_syscall = ltype == "syscalls"
                lpath = join_path(join_path("spec", "lists"), as_list(self.spec.get("lists")).index(lst))
                for j, value in enumerate(as_list(lst.get("values"))):
                    if isinstance(value, str) and value:
                        symbol = self._function(join_path(join_path(lpath, "values"), j), kind, value,
                                                is_syscall, {}, ignore)
                        targets.append((symbol, is_syscall))
            else:
                is_syscall = hook.get("syscall", True) is not False
                targets.append((self._function(join_path(path, "call"), kind, call, is_syscall, hook, ignore,
                                               hook_path=path), is_syscall))
            done.append((path, hook, targets))
        return done

    # --- sections ------------------------------------------------------------------------------
    def kprobes(self):
        done = self._calls("kprobes", "kprobe")
        if not done:
            return
        ok, how = self.view.kprobes()
        if ok is False:
            self.out.append(_f("R9", "spec.kprobes", "this kernel cannot attach kprobes: %s; Tetragon's kprobe "
                               "sensors (and its base sensor) cannot load here" % how,
                               "Deploy kprobe policies only to hosts whose kernel has CONFIG_KPROBES, or hook "
                               "the same events with tracepoints."))
        functions = sum(len(t) for _p, _h, t in done)
        multi_off = any(as_dict(o).get("name") == "disable-kprobe-multi" and str(as_dict(o).get("value")).lower()
                        in ("1", "t", "true") for o in as_list(self.spec.get("options")))
        multi, multi_how = self.view.kprobe_multi()
        if ok and functions > 1 and not multi_off and multi is False:
            self.out.append(_f("R10", "spec.kprobes", "kprobe_multi is not available (%s): Tetragon attaches %d "
                               "separate kprobes" % (multi_how, functions),
                               "Nothing to fix; attaching takes longer and each kprobe has its own program."))
        for path, hook, targets in done:
            self._override(path, hook, targets)

    def _override(self, path, hook, targets):
        for j, selector in enumerate(as_list(hook.get("selectors"))):
            for k, action in enumerate(as_list(as_dict(selector).get("matchActions"))):
                if as_dict(action).get("action") != "Override":
                    continue
                apath = join_path(join_path(join_path(join_path(path, "selectors"), j), "matchActions"), k)
                for symbol, is_syscall in targets:
                    if symbol is None:
                        continue
                    if symbol.startswith("security_"):
                        ok, how = self.view.fmod_ret()
                        need = "fmod_ret (BPF trampolines)"
                    elif is_syscall:
                        ok, how = self.view.override_helper()
                        need = "the bpf_override_return helper"
                        allowed = self.view.error_injection()
                        if ok and allowed is not None and symbol not in allowed:
                            ok, how = False, "%s is not on the kernel's error-injection list" % symbol
                    else:
                        continue
                    if ok is False:
                        self.out.append(_f("R11", apath, "Override on %s needs %s: %s" % (symbol, need, how),
                                           "Use Sigkill/Signal instead, or deploy to kernels that support it."))
                    elif ok is None and self.view.source == "host":
                        self.out.append(_f("R14", apath, "Override on %s needs %s, which could not be checked: %s"
                                           % (symbol, need, how), "Make the kernel config readable."))

    def fentries(self):
        if not self._calls("fentries", "fentry"):
            return
        ok, how = self.view.fmod_ret()
        if ok is False:
            self.out.append(_f("R13", "spec.fentries", "fentry hooks need BPF trampolines: %s" % how,
                               "Use kprobes on this kernel."))

    def tracepoints(self):
        tracefs = self.view.tracefs
        hooks = [(i, h) for i, h in enumerate(as_list(self.spec.get("tracepoints"))) if isinstance(h, dict)]
        if not hooks:
            return
        if tracefs is None or not tracefs.available():
            self.out.append(_f("R14", "spec.tracepoints", "tracepoints not checked: no tracefs events/ directory",
                               "Mount tracefs (mount -t tracefs tracefs /sys/kernel/tracing) or pass --tracefs."))
            return
        for i, hook in hooks:
            path = join_path("spec.tracepoints", i)
            subsystem, event = scalar(hook.get("subsystem")), scalar(hook.get("event"))
            if not isinstance(subsystem, str) or not isinstance(event, str) or not subsystem or not event:
                continue
            target = "%s/%s" % (subsystem, event)
            entry = {"path": path, "kind": "tracepoint", "target": target, "symbol": target, "found": False,
                     "source": "tracefs"}
            self.resolved.append(entry)
            if subsystem not in tracefs.subsystems():
                self.out.append(_f("R3", join_path(path, "subsystem"), "tracepoint subsystem %s does not exist on "
                                   "this kernel" % subsystem,
                                   "See %s.%s" % (tracefs.events_dir, _maybe(_close(
                                       subsystem, tracefs.subsystems(), budget=self.hints)))))
                continue
            if event not in tracefs.events(subsystem):
                self.out.append(_f("R3", join_path(path, "event"), "tracepoint %s does not exist on this kernel"
                                   % target, "See %s/%s.%s" % (tracefs.events_dir, subsystem,
                                                               _maybe(_close(event, tracefs.events(subsystem),
                                                                             budget=self.hints)))))
                continue
            fields = tracefs.fields(subsystem, event)
            if fields is None:
                self.out.append(_f("R14", path, "the format of %s is not readable" % target,
                                   "Run as root: tracefs format files are root-only."))
                continue
            entry["found"] = True
            if hook.get("raw") is True:
                continue
            for j, arg in enumerate(as_list(hook.get("args"))):
                index = as_dict(arg).get("index")
                if isinstance(index, int) and not isinstance(index, bool) and index >= len(fields):
                    self.out.append(_f("R4", join_path(join_path(join_path(path, "args"), j), "index"),
                                       "index %d, but %s has %d format fields (indices 0-%d, common_* included)"
                                       % (index, target, len(fields), len(fields) - 1),
                                       "Fields of %s: %s." % (target, ", ".join(
                                           "%d=%s" % (n, (f.split() or ["(unnamed)"])[-1])
                                           for n, f in enumerate(fields)))))

    def lsmhooks(self):
        hooks = [(i, h) for i, h in enumerate(as_list(self.spec.get("lsmhooks"))) if isinstance(h, dict)]
        if not hooks:
            return
        for i, hook in hooks:
            path = join_path("spec.lsmhooks", i)
            name = scalar(hook.get("hook"))
            if not isinstance(name, str) or not name:
                continue
            symbol = "bpf_lsm_" + name
            funcs = self.view.btf_funcs()
            found = funcs is not None and symbol in funcs
            self.resolved.append({"path": path, "kind": "lsm", "target": name, "symbol": symbol, "found": found,
                                  "source": "btf" if found else None})
            if funcs is None:
                self.out.append(_f("R14", join_path(path, "hook"), "LSM hook %s not checked: no BTF (%s)"
                                   % (name, self.view.btf_error()), "BPF LSM needs kernel BTF."))
            elif found:
                self._arg_indices(path, hook, funcs[symbol], symbol)
            else:
                stripped = name[len("security_"):] if name.startswith("security_") else None
                lsm_names = [n for n in funcs if n.startswith("bpf_lsm_")]
                close = [c[len("bpf_lsm_"):] for c in _close(symbol, lsm_names, budget=self.hints)]
                hint = ("Write the hook without the security_ prefix: %s." % stripped
                        if stripped and "bpf_lsm_" + stripped in funcs else
                        "Check the LSM hook name (lsm_hook_defs.h).%s" % _maybe(close))
                self.out.append(_f("R5", join_path(path, "hook"), "LSM hook %s does not exist on this kernel (no %s "
                                   "in BTF)" % (name, symbol), hint))
        ok, how = self.view.bpf_lsm()
        if ok is False:
            self.out.append(_f("R12", "spec.lsmhooks", "BPF LSM is not active: %s" % how,
                               "Add bpf to the kernel's lsm= boot parameter (GRUB_CMDLINE_LINUX=\"lsm=...,bpf\")."))
        elif ok is None and self.view.source == "host":
            self.out.append(_f("R14", "spec.lsmhooks", "whether BPF LSM is active could not be checked: %s" % how,
                               "Mount securityfs: mount -t securityfs securityfs /sys/kernel/security."))

    def _elf_read(self, binary, reader):
        """reader(handle) of an ELF file, cached per (binary, reader): (value, None) or (None, why not)."""
        key = (binary, reader)
        if key not in self._elf:
            if len(self._elf) >= MAX_ELF_FILES:
                return None, "more than %d binaries in one policy; not checked" % MAX_ELF_FILES
            try:
                if not stat.S_ISREG(os.stat(binary).st_mode):
                    self._elf[key] = (None, "%s is not a regular file" % binary)
                    return self._elf[key]
                with open(binary, "rb") as handle:
                    self._elf[key] = (reader(handle), None)
            except (IOError, OSError) as exc:
                self._elf[key] = (None, "cannot open %s: %s" % (binary, exc.strerror or exc))
            except ElfError as exc:
                self._elf[key] = (None, "%s is not a usable ELF file: %s" % (binary, exc))
        return self._elf[key]

    def user_probes(self):
        for section, kind in (("uprobes", "uprobe"), ("usdts", "usdt")):
            for i, hook in enumerate(as_list(self.spec.get(section))):
                if not isinstance(hook, dict):
                    continue
                path = join_path(join_path("spec", section), i)
                binary = scalar(hook.get("path"))
                if not isinstance(binary, str) or not binary:
                    continue
                if not os.path.isabs(binary) or "\x00" in binary:
                    self.out.append(_f("R7", join_path(path, "path"), "%s %s" % (
                        binary.replace("\x00", "\\0"),
                        "has a NUL byte" if "\x00" in binary else "is not an absolute path"),
                        "Give the binary's absolute path."))
                    continue
                symbols, error = self._elf_read(binary, elf_usdt_probes if kind == "usdt" else elf_symbols)
                if error:
                    self.out.append(_f("R7", join_path(path, "path"), error, "Install the binary on the host or "
                                       "fix the path; Tetragon refuses a uprobe it cannot attach."))
                    continue
                if kind == "usdt":
                    self._usdt(path, hook, binary, symbols)
                    continue
                for j, name in enumerate(as_list(hook.get("symbols"))):
                    if not isinstance(name, str):
                        continue
                    found = name in symbols
                    self.resolved.append({"path": path, "kind": kind, "target": "%s:%s" % (binary, name),
                                          "symbol": name, "found": found, "source": "elf"})
                    if not found:
                        self.out.append(_f("R8", join_path(join_path(path, "symbols"), j), "%s has no symbol %s in "
                                           ".symtab/.dynsym" % (binary, name),
                                           "Check the name (nm -D %s).%s"
                                           % (binary, _maybe(_close(name, symbols, budget=self.hints)))))

    def _usdt(self, path, hook, binary, probes):
        provider, name = scalar(hook.get("provider")), scalar(hook.get("name"))
        if not isinstance(provider, str) or not isinstance(name, str):
            return
        found = (provider, name) in probes
        self.resolved.append({"path": path, "kind": "usdt", "target": "%s:%s:%s" % (binary, provider, name),
                              "symbol": "%s:%s" % (provider, name), "found": found, "source": "elf"})
        if not found:
            known = sorted("%s:%s" % p for p in probes)
            self.out.append(_f("R8", join_path(path, "name"), "%s has no USDT probe %s:%s in .note.stapsdt"
                               % (binary, provider, name),
                               ("Probes of %s: %s." % (binary, ", ".join(known[:20]) + (" ..." if len(known) > 20
                                                                                       else "")))
                               if known else "%s has no USDT probes at all (readelf -n)." % binary))

    def functions_checkable(self):
        uses = any(as_list(self.spec.get(s)) for s in ("kprobes", "fentries"))
        if uses and self.view.btf_funcs() is None and self.view.kallsyms() is None:
            self.out.append(_f("R14", "spec", "kernel functions not checked: no BTF (%s) and no kallsyms"
                               % self.view.btf_error(), "Give the kernel's BTF (/sys/kernel/btf/vmlinux)."))
            return False
        return True


def resolve(document, view):
    """Resolve the hooks of one TracingPolicy mapping on `view`; raises ValueError on a non-policy."""
    if not isinstance(document, dict) or not isinstance(document.get("spec"), dict):
        raise ValueError("the policy has no spec mapping (expected a TracingPolicy document with spec.kprobes, "
                         "spec.tracepoints, ...)")
    res = _Resolver(document, view)
    if res.functions_checkable():
        res.kprobes()
        res.fentries()
    res.tracepoints()
    res.lsmhooks()
    res.user_probes()
    counts = count(res.out)
    summary = {
        "errors": counts["error"], "warnings": counts["warning"], "info": counts["info"],
        "attach_points": len(res.resolved),
        "resolved": sum(1 for r in res.resolved if r["found"]),
        "btf": ("cached" if view.btf_from_cache else "parsed") if view._memo.get("btf") else "unused",
    }
    return {"findings": res.out, "resolved": res.resolved, "valid": counts["error"] == 0, "summary": summary}


def kernel_features(view):
    """{feature: {"available": bool|None, "how": str}} of `view` (for reports)."""
    out = {}
    for name, probe in (("kprobes", view.kprobes), ("kprobe_multi", view.kprobe_multi),
                        ("override_return", view.override_helper), ("fmod_ret", view.fmod_ret),
                        ("bpf_lsm", view.bpf_lsm)):
        ok, how = probe()
        out[name] = {"available": ok, "how": how}
    return out


def describe_finding(item):
    """One finding as a sentence: severity, rule, YAML path, message and hint."""
    hint = item.get("hint") or ""
    return "%s %s at %s: %s%s" % (item["severity"], item["rule"], item.get("path") or "(document)",
                                  item["message"].rstrip("."), (" (%s)" % hint.rstrip(".")) if hint else "")


def on_this_host():
    """`host NAME (kernel RELEASE)`, for messages of host modules."""
    return "host %s (kernel %s)" % (platform.node() or "?", platform.release())
