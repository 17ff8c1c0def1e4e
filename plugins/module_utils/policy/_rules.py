# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Loader rules: what Tetragon only reports when a policy is loaded on a host (S1, S3, S4, S6, K1-K6,
U1, T1, L1, A1-A4, LI1, M1, M2, O1; selectors in _selectors). Sources are in docs/policy-rules.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, finding, join_path, scalar, version_str)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as F
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _model as M
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _selectors as SEL
# has_enforcement is imported from here by the tracing_policy action.
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._model import (  # noqa: F401
    ENFORCEMENT_ACTIONS, actions, has_enforcement, hooks, kprobe_multi_disabled, looks_like_syscall)

MAX_KPROBE_INDEX = 4
MAX_KPROBE_ARGS = 5
MAX_SIZE_ARG_INDEX = 15
MAX_RAW_TP_INDEX = 5
RAW_SYSCALLS_FIELDS = 6
LSM_ACTIONS = ("Post", "NoPost", "Sigkill", "Signal", "Override")
IMA_LSM_HOOKS = ("bprm_check_security", "bprm_committed_creds", "bprm_committing_creds", "bprm_creds_from_file",
                 "file_ioctl", "file_lock", "file_open", "file_post_open", "file_receive", "mmap_file")
OPTIONS = {"disable-kprobe-multi": "bool", "disable-uprobe-multi": "bool",
           "override-method": ("fmod-ret", "override-return"), "policy-mode": ("enforce", "monitor"),
           "sleepable-preload-size": "posint"}
GO_BOOLS = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
RATE_RE = re.compile(r"^(\d+)([smh]?)$")
MESSAGE_MIN, MESSAGE_MAX = 2, 256
TAGS_MAX, TAG_MIN, TAG_MAX = 16, 2, 128


def _action_path(path, j, kind, k):
    return join_path(join_path(join_path(join_path(path, "selectors"), j), kind), k)


def _structure(out, doc, spec, version):
    sections = [s for s in M.HOOK_SECTIONS if as_list(spec.get(s))]
    if len(sections) > 1:
        out.append(finding("S1", "error", "spec", "tracing policies with multiple sections (%s) are not "
                           "supported" % ", ".join(sections), "Split the policy: one hook section per policy."))
    kind = doc.get("kind")
    meta = as_dict(doc.get("metadata"))
    if kind == "TracingPolicyNamespaced":
        if not meta.get("namespace"):
            out.append(finding("S3", "warning", "metadata", "TracingPolicyNamespaced without metadata.namespace: "
                               "kubectl apply puts it in the context's namespace, but Tetragon's file loader "
                               "(tetra tracingpolicy add, the policy directory) requires the namespace",
                               "Set metadata.namespace when the policy is not applied with kubectl."))
        if spec.get("hostSelector") is not None and "hostSelector" in spec:
            out.append(finding("S3", "error", "spec.hostSelector", "hostSelector must be null in a "
                               "TracingPolicyNamespaced", "Remove hostSelector."))
        if version >= F.MAIN:
            for section in ("uprobes", "usdts"):
                if spec.get(section):
                    out.append(finding("S3", "error", join_path("spec", section), "%s are not supported in a "
                                       "namespaced tracing policy" % section, "Use kind TracingPolicy."))
        out.append(finding("S4", "warning", "kind", "a namespaced policy needs the Kubernetes API and the policy "
                           "filter on the agent; a host (systemd) agent cannot load it",
                           "On hosts use kind TracingPolicy."))
    elif kind == "TracingPolicy" and meta.get("namespace"):
        out.append(finding("S3", "error", "metadata.namespace", "the cluster-scoped TracingPolicy takes no "
                           "namespace: Kubernetes ignores it, but Tetragon's file loader (tetra tracingpolicy add,"
                           " the policy directory: ValidateObjectMeta in pkg/crdutils) rejects it", "Remove metadata.namespace, or use kind "
                           "TracingPolicyNamespaced for a namespaced policy."))
    for name in ("podSelector", "containerSelector"):
        if spec.get(name):
            out.append(finding("S4", "warning", join_path("spec", name), "%s needs a Kubernetes-aware agent "
                               "(--enable-k8s-api, --enable-policy-filter); a host agent fails to load the "
                               "policy" % name, "Drop %s for host agents." % name))
    _host_selectors(out, spec)


def _labels_set(selector):
    selector = as_dict(selector)
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def _host_selectors(out, spec):
    hint = "Write hostSelector: {} (all hosts) or leave it out."
    if _labels_set(spec.get("hostSelector")):
        out.append(finding("S6", "error", "spec.hostSelector", "hostSelector should be either null or {}: "
                           "arbitrary labels are not supported", hint))
    for _section, _kind, _i, path, hook in hooks(spec):
        for j, selector in enumerate(as_list(hook.get("selectors"))):
            workloads = as_dict(as_dict(selector).get("matchWorkloads"))
            if _labels_set(workloads.get("hostSelector")):
                out.append(finding("S6", "error", join_path(join_path(join_path(join_path(
                    path, "selectors"), j), "matchWorkloads"), "hostSelector"),
                    "hostSelector should be either null or {}", hint))
    for _section, _kind, _i, path, hook in hooks(spec):
        for j, kind, k, action in actions(hook):
            new = [key for key in ("argNewSymbol", "argNewAddr", "argNewOffset") if key in action]
            if len(new) > 1:
                out.append(finding("S6", "error", _action_path(path, j, kind, k), "override action needs at most "
                                   "one of argNewSymbol, argNewAddr or argNewOffset, got %s" % ", ".join(new),
                                   "Keep one of them."))


def _check_args(out, path, hook, kind, version):
    args = as_list(hook.get("args"))
    data = as_list(hook.get("data"))
    probe = kind in ("kprobe", "fentry")
    for i, arg in enumerate(args):
        arg = as_dict(arg)
        apath = join_path(join_path(path, "args"), i)
        atype = arg.get("type", "auto")
        index = arg.get("index", 0)
        if probe and atype in ("auto", "syscall64"):
            out.append(finding("K2", "error", apath, "type '%s' is invalid for %ss: every argument needs an "
                               "explicit type" % (atype, kind), "Set the argument's type (e.g. int, string, file)."))
        if probe and isinstance(index, int) and index > MAX_KPROBE_INDEX:
            out.append(finding("K2", "error", apath, "index %d is out of bounds (at most %d)" % (
                index, MAX_KPROBE_INDEX), "Hooks read at most the first 5 function arguments."))
        if arg.get("source"):
            out.append(finding("K2", "error", apath, "'source' is only for data[] entries",
                               "Move the entry to data, or drop source."))
        _check_arg_common(out, apath, arg, atype)
        if kind == "tracepoint" and atype == "const_buf":
            out.append(finding("T1", "error", apath, "const_buf cannot be set on tracepoints",
                               "Use char_buf or the field's own type."))
        if kind == "lsm" and isinstance(index, int) and index > MAX_KPROBE_INDEX:
            out.append(finding("L1", "error", apath, "LSM argument index %d is out of bounds (at most 4)" % index,
                               "LSM hooks read at most 5 arguments."))
    if probe and len(args) + len(data) > MAX_KPROBE_ARGS:
        out.append(finding("K2", "error", join_path(path, "args"), "%d args + data; at most %d" % (
            len(args) + len(data), MAX_KPROBE_ARGS), "Drop arguments or split the hook."))
    for i, arg in enumerate(data):
        arg = as_dict(arg)
        dpath = join_path(join_path(path, "data"), i)
        sources = ("current_task", "pt_regs") if version >= F.V17 else ("current_task",)
        if arg.get("source") not in sources or not arg.get("resolve"):
            out.append(finding("K2", "error", dpath, "data entries need source (%s) and a non-empty resolve"
                               % " or ".join(sources), "Set source and resolve."))


def _check_arg_common(out, apath, arg, atype):
    size = arg.get("sizeArgIndex") or 0
    if isinstance(size, int) and size > MAX_SIZE_ARG_INDEX:
        out.append(finding("K2", "error", apath, "sizeArgIndex %d is over %d" % (size, MAX_SIZE_ARG_INDEX),
                           "sizeArgIndex is 1-based (argument index + 1)."))
    if size and atype not in ("char_buf", "char_iovec"):
        out.append(finding("K2", "warning", apath, "sizeArgIndex only applies to char_buf and char_iovec",
                           "Drop sizeArgIndex or fix the type."))
    if arg.get("maxData") and atype != "char_buf":
        out.append(finding("K2", "warning", apath, "maxData is ignored: it works only for char_buf",
                           "Drop maxData."))
    if arg.get("maxData") and arg.get("returnCopy"):
        out.append(finding("K2", "error", apath, "maxData does not work together with returnCopy",
                           "Keep one of them."))


def _check_kprobe(out, path, hook, kind, spec, lists, version, arch):
    call = hook.get("call")
    if not isinstance(call, str):
        return
    syscall = hook.get("syscall", True)
    name = M.list_name(call)
    if name is not None:
        if name not in lists:
            out.append(finding("K1", "error", join_path(path, "call"), "error list '%s' not found" % name,
                               "Define the list in spec.lists or fix the name."))
        elif M.is_syscall_list(lists[name]):
            if hook.get("syscall") is False:
                out.append(finding("K1", "warning", join_path(path, "syscall"), "a syscalls list forces syscall: "
                                   "true; 'syscall: false' is ignored", "Remove syscall: false."))
        elif syscall and hook.get("args") and (lists[name].get("type") == "generated_ftrace" or not all(
                looks_like_syscall(str(v)) for v in as_list(lists[name].get("values")))):
            out.append(finding("K1", "warning", join_path(path, "call"), "list '%s' holds kernel functions but "
                               "syscall is true: their arguments are read as syscall arguments" % name,
                               "Set syscall: false for lists of kernel functions."))
    elif not looks_like_syscall(call):
        if "syscall" not in hook:
            fixable = call.startswith("security_") or "Override" not in M.action_names(hook)
            out.append(finding("K1", "error", join_path(path, "call"), "'%s' is not a syscall, but syscall "
                               "defaults to true: Tetragon looks up __x64_%s and the load fails" % (call, call),
                               "Add 'syscall: false' (rewrite rule kprobe_syscall_false does this)." if fixable
                               else "Add 'syscall: false'; Override still needs a syscall or security_ function.",
                               fixable))
        elif syscall:
            out.append(finding("K1", "error", join_path(path, "syscall"), "'%s' is not a syscall name (no sys_ "
                               "prefix) but syscall is true" % call,
                               "Set syscall: false for kernel functions, or use the sys_ name of the syscall."))
    else:
        prefixed = (M.split_syscall(call) or (None, None, None))[1] is not None
        if syscall is False and not prefixed:
            out.append(finding("K1", "warning", join_path(path, "syscall"), "'%s' looks like a syscall but "
                               "syscall is false: the unprefixed symbol does not exist on most kernels" % call,
                               "Remove syscall: false."))
        if prefixed:
            out.append(finding("K1", "warning", join_path(path, "call"), "'%s' hard-codes an architecture prefix"
                               " and is not portable" % call, "Write sys_NAME; Tetragon adds the prefix."))
        if syscall is not False:
            _check_syscall_name(out, join_path(path, "call"), call, arch, hook, version, call=True)
    if hook.get("return") and not hook.get("returnArg"):
        out.append(finding("K3", "error", path, "return: true requires returnArg",
                           "Add returnArg with an explicit type (e.g. {index: 0, type: int})."))
    if hook.get("returnArg") and not hook.get("return"):
        out.append(finding("K3", "warning", join_path(path, "returnArg"), "returnArg is ignored without return: "
                           "true", "Set return: true or drop returnArg."))
    ret_action = hook.get("returnArgAction")
    allowed = ("TrackSock", "UntrackSock") if version >= F.MAIN else ("TrackSock", "UntrackSock", "Post")
    if ret_action is not None and ret_action not in allowed:
        out.append(finding("K3", "error", join_path(path, "returnArgAction"), "returnArgAction '%s' is not one of"
                           " %s for %s" % (ret_action, ", ".join(allowed), version_str(version)),
                           "Use TrackSock or UntrackSock."))
    if hook.get("returnArg"):
        rtype = as_dict(hook.get("returnArg")).get("type", "auto")
        if rtype in ("auto", "syscall64"):
            out.append(finding("K3", "error", join_path(path, "returnArg"), "returnArg needs an explicit type",
                               "Set returnArg.type (e.g. int)."))
    if kind == "kprobe":
        _check_override(out, path, hook, call, spec, lists, arch)


def _override_symbols(call, syscall, lists):
    """(symbols, syscall flag) the loader passes to validateOverride for each symbol of the hook."""
    name = M.list_name(call)
    if name is None:
        return [call], syscall is not False
    spec_list = lists.get(name)
    if spec_list is None or spec_list.get("type") == "generated_ftrace":
        return [], True
    if M.is_syscall_list(spec_list):
        return [], True
    return [str(v) for v in as_list(spec_list.get("values"))], syscall is not False


def _check_override(out, path, hook, call, spec, lists, arch):
    macros = spec.get("selectorsMacros")
    if "Override" not in M.action_names(hook, macros):
        return
    overrides = [(j, c, k) for j, c, k, a in actions(hook) if a.get("action") == "Override"]
    apath = _action_path(path, *overrides[0]) if overrides else join_path(path, "selectors")
    symbols, syscall = _override_symbols(call, hook.get("syscall", True), lists)
    bad = [sym for sym in symbols if not sym.startswith("security_") and not syscall]
    if bad:
        out.append(finding("K4", "error", apath, "override action can be used only with syscalls and security_ "
                           "hooks, not '%s' (syscall: false)" % bad[0],
                           "Hook the syscall or a security_* function, or use an LSM hook."))
    elif any(sym.startswith("security_") for sym in symbols) and not kprobe_multi_disabled(spec) \
            and arch == "x86_64":
        out.append(finding("K4", "warning", apath, "Override on a security_ function cannot use kprobe_multi: "
                           "the load fails on kernels with kprobe_multi (5.18+) unless it is disabled",
                           "Add option disable-kprobe-multi: \"true\"."))


def _check_syscall_name(out, path, name, arch, hook=None, version=None, call=False):
    parts = M.split_syscall(name)
    if parts is None:
        return
    if call and parts[0] is not None:
        out.append(finding("K6", "error", path, "'%s': the ABI/sys_NAME form works only in syscalls lists; as a "
                           "kprobe call it becomes the symbol __x64_%s, which does not exist" % (name, name),
                           "Write sys_NAME here, or put the name in a 'syscalls' list."))
        return
    problem = M.syscall_problem(name, arch)
    if problem is None:
        return
    ignored = hook is not None and version >= F.V15 and as_dict(hook.get("ignore")).get("callNotFound") is True
    out.append(finding("K6", "warning" if ignored else "error", path, "'%s' is not a syscall on %s: %s%s" % (
        name, arch, problem, " (ignore.callNotFound: the hook is skipped)" if ignored else ""),
        "Fix the syscall name (Tetragon's tables: %s), or set tetragon_arch to the hosts' architecture."
        % M.syscall_tables_source()))


def _uses_kprobe_multi(spec, arch):
    """Whether the loader attaches the policy's kprobes with kprobe_multi (when the kernel has it)."""
    if kprobe_multi_disabled(spec):
        return False
    if arch == "arm64":
        macros = spec.get("selectorsMacros")
        override = any("Override" in M.action_names(hook, macros) for hook in as_list(spec.get("kprobes"))
                       if isinstance(hook, dict))
        return not (override or spec.get("enforcers"))
    return True


def _duplicate_symbols(out, spec, lists, arch):
    if not _uses_kprobe_multi(spec, arch):
        return
    seen = {}
    for i, probe in enumerate(as_list(spec.get("kprobes"))):
        if not isinstance(probe, dict):
            continue
        for symbol in M.kprobe_symbols(probe, lists, arch) or []:
            if symbol in seen:
                other = "also by spec.kprobes[%d]" % seen[symbol] if seen[symbol] != i else "twice in this hook"
                out.append(finding("K5", "error", join_path(join_path("spec.kprobes", i), "call"),
                                   "symbol '%s' is hooked twice (%s); kprobe_multi cannot attach the same symbol "
                                   "twice" % (symbol, other),
                                   "Merge the hooks' selectors, or set option disable-kprobe-multi: \"true\"."))
            seen.setdefault(symbol, i)


def _check_tracepoint(out, path, hook):
    args = as_list(hook.get("args"))
    for i, arg in enumerate(args):
        index = as_dict(arg).get("index")
        apath = join_path(join_path(path, "args"), i)
        if hook.get("raw") and isinstance(index, int) and index > MAX_RAW_TP_INDEX:
            out.append(finding("T1", "error", apath, "raw tracepoint argument index %d is over %d" % (
                index, MAX_RAW_TP_INDEX), "Raw tracepoints pass at most 6 arguments."))
        if (hook.get("subsystem") == "raw_syscalls" and hook.get("event") in ("sys_enter", "sys_exit")
                and not hook.get("raw") and isinstance(index, int) and index >= RAW_SYSCALLS_FIELDS):
            out.append(finding("T1", "error", apath, "raw_syscalls/%s has %d format fields; index %d does not "
                               "exist" % (hook.get("event"), RAW_SYSCALLS_FIELDS, index),
                               "Use 4 (id) or 5 (%s)." % ("args" if hook.get("event") == "sys_enter" else "ret")))


def _check_lsm(out, path, hook):
    name = hook.get("hook")
    if isinstance(name, str) and name.startswith("security_"):
        out.append(finding("L1", "error", join_path(path, "hook"), "LSM hook names have no security_ prefix "
                           "('%s' is looked up as bpf_lsm_%s)" % (name, name), "Write '%s'." % name[9:]))
    for j, kind, k, action in actions(hook):
        apath = _action_path(path, j, kind, k)
        if action.get("action") not in LSM_ACTIONS:
            out.append(finding("L1", "error", apath, "action %s is not supported on LSM hooks" % action.get("action"),
                               "Use Post, NoPost, Sigkill, Signal or Override."))
        if action.get("kernelStackTrace") or action.get("userStackTrace"):
            out.append(finding("L1", "error", apath, "stack traces are not supported on LSM hooks",
                               "Drop kernelStackTrace/userStackTrace."))
    for j, selector in enumerate(as_list(hook.get("selectors"))):
        if as_dict(selector).get("matchReturnArgs"):
            out.append(finding("L1", "error", join_path(join_path(join_path(path, "selectors"), j),
                                                        "matchReturnArgs"),
                               "matchReturnArgs is not supported on LSM hooks", "Remove it."))


def _check_actions(out, path, hook, kind, spec, version):
    for j, skind, k, action in actions(hook):
        apath = _action_path(path, j, skind, k)
        name = scalar(action.get("action"))
        if action.get("rateLimit") is not None:
            if name != "Post":
                out.append(finding("A1", "error", join_path(apath, "rateLimit"), "rate limiting can only be "
                                   "applied to the Post action", "Move rateLimit to a Post action."))
            match = RATE_RE.match(str(action.get("rateLimit")))
            if not match or int(match.group(1)) > 0xffffffff:
                out.append(finding("A1", "error", join_path(apath, "rateLimit"), "rateLimit %r is not N, Ns, Nm "
                                   "or Nh" % (action.get("rateLimit"),), "Write e.g. 90s, 5m or 1h."))
        scope = action.get("rateLimitScope")
        if scope is not None and scope not in ("thread", "process", "global"):
            out.append(finding("A1", "error", join_path(apath, "rateLimitScope"), "rateLimitScope %r is not "
                               "thread, process or global" % (scope,), "Use thread, process or global."))
        elif scope is not None and action.get("rateLimit") is None:
            out.append(finding("A1", "warning", join_path(apath, "rateLimitScope"), "rateLimitScope without "
                               "rateLimit has no effect", "Add rateLimit or drop the scope."))
        if (action.get("kernelStackTrace") or action.get("userStackTrace")) and name != "Post":
            out.append(finding("A1", "error", apath, "kernelStackTrace or userStackTrace can only be used along "
                               "Post action", "Move the stack trace flags to a Post action."))
        if action.get("imaHash") and (kind != "lsm" or hook.get("hook") not in IMA_LSM_HOOKS):
            out.append(finding("A1", "error", join_path(apath, "imaHash"), "imaHash works only on the LSM hooks "
                               "%s" % ", ".join(IMA_LSM_HOOKS), "Use an LSM hook from the list or drop imaHash."))
        if name == "NotifyEnforcer" and not spec.get("enforcers"):
            out.append(finding("A1", "error", apath, "NotifyEnforcer action specified, but spec contains no "
                               "enforcers", "Add spec.enforcers with the calls to enforce on."))
        if name == "Signal" and action.get("argSig") in (None, 0):
            out.append(finding("A1", "warning", apath, "Signal without argSig sends no signal",
                               "Set argSig (e.g. 9)."))
        if name in F.DEPRECATED_ACTIONS and version >= F.DEPRECATED_ACTIONS[name]:
            out.append(finding("A2", "warning", join_path(apath, "action"), "%s is deprecated since %s and "
                               "removed on main" % (name, version_str(F.DEPRECATED_ACTIONS[name])),
                               "Drop it: the fd type resolves paths on its own."))
        if kind == "fentry" and name in ENFORCEMENT_ACTIONS:
            out.append(finding("A3", "error", apath, "enforcement is not supported for fentry (%s)" % name,
                               "Use a kprobe for enforcement."))
        if name in ("GetUrl", "DnsLookup") and kind in ("uprobe", "usdt"):
            out.append(finding("A3", "error", apath, "%s is not supported on %s hooks" % (name, kind),
                               "Use it on kprobes or tracepoints."))
        if name == "Set" and kind != "usdt":
            out.append(finding("A3", "error", apath, "the Set action works only on USDT hooks",
                               "Remove it."))
        if name == "Override" and kind in ("tracepoint", "usdt") or (
                name == "Override" and kind == "uprobe" and version < F.V16):
            out.append(finding("A3", "error", apath, "Override is not supported on %s hooks" % kind,
                               "Override a syscall or security_ function with a kprobe, or use an LSM hook."))


def _check_enforcers(out, spec, lists, arch):
    enforcers = as_list(spec.get("enforcers"))
    if len(enforcers) > 1:
        out.append(finding("A4", "error", "spec.enforcers", "only a single enforcer is allowed, got %d"
                           % len(enforcers), "Merge the calls into one enforcer."))
    for i, enforcer in enumerate(enforcers):
        for k, call in enumerate(as_list(as_dict(enforcer).get("calls"))):
            call = str(call)
            cpath = join_path(join_path(join_path("spec.enforcers", i), "calls"), k)
            ok = (looks_like_syscall(call) or call.startswith("security_")
                  or (call.startswith("list:") and lists.get(call[5:], {}).get("type") == "syscalls"))
            if not ok:
                out.append(finding("A4", "error", cpath,
                                   "enforcer sensor requires either syscall or security_ functions, not '%s'"
                                   % call, "Use sys_* names, security_* functions or a syscalls list."))
            elif looks_like_syscall(call):
                _check_syscall_name(out, cpath, call, arch)


def _check_lists(out, spec, arch):
    names = {}
    for i, item in enumerate(as_list(spec.get("lists"))):
        item = as_dict(item)
        path = join_path("spec.lists", i)
        name = scalar(item.get("name"))
        if name in names:
            out.append(finding("LI1", "error", join_path(path, "name"), "list '%s' is defined twice" % name,
                               "Rename or merge the lists."))
        names[name] = i
        ltype = item.get("type")
        if ltype in ("generated_syscalls", "generated_ftrace") and item.get("values"):
            out.append(finding("LI1", "error", join_path(path, "values"), "a %s list must not have values" % ltype,
                               "Remove the values (the list is generated)."))
        if ltype == "generated_ftrace" and not item.get("pattern"):
            out.append(finding("LI1", "error", path, "a generated_ftrace list needs a pattern",
                               "Add pattern: a regular expression over available_filter_functions."))
        if item.get("pattern") and ltype != "generated_ftrace":
            out.append(finding("LI1", "warning", join_path(path, "pattern"), "pattern is only used by "
                               "generated_ftrace lists", "Drop pattern or set type: generated_ftrace."))
        if ltype == "syscalls":
            for k, value in enumerate(as_list(item.get("values"))):
                vpath = join_path(join_path(path, "values"), k)
                if not M.is_syscall_list_element(str(value)):
                    out.append(finding("LI1", "error", vpath, "invalid syscall list element '%s'" % value,
                                       "Write sys_NAME, ABI/sys_NAME (x64, i386, arm64, arm32) or "
                                       "__x64_sys_NAME."))
                else:
                    _check_syscall_name(out, vpath, str(value), arch)
            if not item.get("values"):
                out.append(finding("LI1", "error", path, "syscalls list '%s' has no values" % name,
                                   "List the syscalls."))


def _check_text(out, path, hook):
    message = hook.get("message")
    if isinstance(message, str) and message:
        if len(message) < MESSAGE_MIN:
            out.append(finding("M1", "error", join_path(path, "message"), "message field is too short",
                               "Write at least 2 characters or drop message."))
        elif len(message) > MESSAGE_MAX:
            out.append(finding("M1", "warning", join_path(path, "message"), "message is %d characters; Tetragon "
                               "truncates it to %d" % (len(message), MESSAGE_MAX), "Shorten the message."))
    tags = as_list(hook.get("tags"))
    if len(tags) > TAGS_MAX:
        out.append(finding("M2", "error", join_path(path, "tags"), "%d tags; at most %d" % (len(tags), TAGS_MAX),
                           "Drop tags."))
    for k, tag in enumerate(tags):
        tag = str(tag)
        if len(tag) < TAG_MIN:
            out.append(finding("M2", "error", join_path(join_path(path, "tags"), k), "tag '%s' is shorter than "
                               "%d characters" % (tag, TAG_MIN), "Use a longer tag."))
        elif len(tag) > TAG_MAX:
            out.append(finding("M2", "warning", join_path(join_path(path, "tags"), k), "tag of %d characters is "
                               "truncated to %d" % (len(tag), TAG_MAX), "Shorten the tag."))


def _check_options(out, spec, version):
    for i, item in enumerate(as_list(spec.get("options"))):
        item = as_dict(item)
        path = join_path("spec.options", i)
        name, value = scalar(item.get("name")), str(item.get("value", ""))
        expected = OPTIONS.get(name)
        if expected is None or (name == "policy-mode" and version < F.V14) or (
                name == "sleepable-preload-size" and version < F.MAIN):
            out.append(finding("O1", "warning", join_path(path, "name"), "unknown option '%s' for %s: Tetragon "
                               "silently ignores it" % (name, version_str(version)),
                               "Use one of: %s." % ", ".join(sorted(OPTIONS))))
        elif expected == "bool" and value not in GO_BOOLS:
            out.append(finding("O1", "error", join_path(path, "value"), "option %s needs a boolean, got %r"
                               % (name, value), "Write \"true\" or \"false\"."))
        elif expected == "posint" and not (value.isdigit() and int(value) > 0):
            out.append(finding("O1", "error", join_path(path, "value"), "option %s needs a positive integer"
                               % name, "Write a number such as 64."))
        elif isinstance(expected, tuple) and value not in expected:
            out.append(finding("O1", "error", join_path(path, "value"), "option %s must be one of %s, got %r"
                               % (name, ", ".join(expected), value), "Fix the value."))


def _check_uprobe(out, path, hook, version):
    methods = [key for key in ("symbols", "offsets", "addrs") if as_list(hook.get(key))]
    if len(methods) != 1 and not hook.get("symbol"):
        out.append(finding("U1", "error", path, "uprobe needs exactly one of symbols, offsets or addrs, got %s"
                           % (", ".join(methods) or "none"), "Keep one way to name the probe points."))
    refs = len(as_list(hook.get("refCtrOffsets")))
    for key in ("symbols", "offsets"):
        count = len(as_list(hook.get(key)))
        if refs and count and count != refs:
            out.append(finding("U1", "error", join_path(path, "refCtrOffsets"), "refCtrOffsets(%d) has a different "
                               "dimension than %s(%d)" % (refs, key, count), "Give one refCtrOffset per %s entry."
                               % key[:-1]))
    if hook.get("return") and not hook.get("returnArg") and version >= F.V17:
        out.append(finding("U1", "error", path, "ReturnArg not specified with Return=true",
                           "Add returnArg with an explicit type (e.g. {index: 0, type: int})."))
    for j, selector in enumerate(as_list(hook.get("selectors"))):
        new = [key for a in as_list(as_dict(selector).get("matchActions")) for key in
               ("argNewSymbol", "argNewAddr", "argNewOffset") if isinstance(a, dict) and key in a]
        if len(new) > 1:
            out.append(finding("U1", "error", join_path(join_path(path, "selectors"), j), "uprobe Override action "
                               "needs exactly one of argNewSymbol, argNewOffset or argNewAddr; %d found" % len(new),
                               "Keep one of them."))


def check(document, version, arch=M.DEFAULT_ARCH):
    out = []
    spec = document.get("spec")
    if not isinstance(spec, dict):
        return out
    arch = M.arch_name(arch) or M.DEFAULT_ARCH
    lists = M.lists_by_name(spec)
    macros = as_dict(spec.get("selectorsMacros"))
    _structure(out, document, spec, version)
    for _section, kind, _i, path, hook in hooks(spec):
        _check_args(out, path, hook, kind, version)
        if kind in ("kprobe", "fentry"):
            _check_kprobe(out, path, hook, kind, spec, lists, version, arch)
        elif kind == "tracepoint":
            _check_tracepoint(out, path, hook)
        elif kind == "lsm":
            _check_lsm(out, path, hook)
        elif kind == "uprobe":
            _check_uprobe(out, path, hook, version)
        _check_actions(out, path, hook, kind, spec, version)
        _check_text(out, path, hook)
        SEL.check_hook_selectors(out, path, hook, kind, lists, macros, version)
    SEL.check_macros(out, spec)
    _duplicate_symbols(out, spec, lists, arch)
    _check_enforcers(out, spec, lists, arch)
    _check_lists(out, spec, arch)
    _check_options(out, spec, version)
    return out
