# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Meaning-preserving rewrites of a TracingPolicy document. Each rewrite either applies (a change
with its explanation) or refuses with the reason; it never guesses.

    rewrite(document, version, rules=None) -> (new_document, changes, refused)
    render(document, original_text, changed) -> YAML text (key order kept; see notes on comments)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import difflib
import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, join_path, version_str)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as F
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._model import lists_by_name, looks_like_syscall

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - declared controller requirement
    HAS_YAML = False

REWRITES = ("raw_syscalls_to_kprobe", "kprobe_syscall_false", "renamed_fields")
HOOK_SECTIONS = ("kprobes", "tracepoints", "lsmhooks", "uprobes", "usdts", "fentries")
RAW_SYSCALLS = "raw_syscalls"
SYSCALL_ID_FIELD = 4
PROCESS_FILTERS = ("matchPIDs", "matchBinaries", "matchParentBinaries", "matchNamespaces",
                   "matchNamespaceChanges", "matchCapabilities", "matchCapabilityChanges", "matchWorkloads")


class _Refused(Exception):
    def __init__(self, path, reason):
        Exception.__init__(self, reason)
        self.path = path
        self.reason = reason


def _replace_key(mapping, old, new, value):
    """Same mapping with `old` replaced by `new` at the same position (key order kept)."""
    out = {}
    for key, item in mapping.items():
        if key == old:
            out[new] = value
        else:
            out[key] = item
    mapping.clear()
    mapping.update(out)


def _insert_after(mapping, after, key, value):
    out = {}
    for name, item in mapping.items():
        out[name] = item
        if name == after:
            out[key] = value
    if key not in out:
        out[key] = value
    mapping.clear()
    mapping.update(out)


# --- raw_syscalls sys_enter/sys_exit + InMap list -> kprobe on the list ------------------------------

def _id_filters(selector, id_pos, path):
    keep, lists = [], []
    for k, flt in enumerate(as_list(selector.get("matchArgs"))):
        fpath = join_path(join_path(path, "matchArgs"), k)
        flt = as_dict(flt)
        on = flt.get("args") if "args" in flt else [flt.get("index", 0)]
        if on != [id_pos] and not ("args" not in flt and on == [SYSCALL_ID_FIELD]):
            raise _Refused(fpath, "filters an argument other than the syscall id; the kprobe on the list "
                                  "would not have that argument")
        values = [str(v) for v in as_list(flt.get("values"))]
        if flt.get("operator") != "InMap" or not values or not all(v.startswith("list:") for v in values):
            raise _Refused(fpath, "filters the syscall id with %s %s, not 'InMap list:NAME'; only a "
                                  "list of syscalls maps to a kprobe on that list"
                           % (flt.get("operator"), values))
        lists.extend(v[5:] for v in values)
    if not lists:
        raise _Refused(path, "this selector has no InMap filter on the syscall id, so it matches every "
                             "syscall; a kprobe on a syscall list cannot observe every syscall")
    return keep, lists


def _convert_tracepoint(tp, path, lists_by_name):
    if tp.get("raw"):
        raise _Refused(join_path(path, "raw"), "raw tracepoint arguments are not the syscall id field")
    args = as_list(tp.get("args"))
    id_args = [i for i, arg in enumerate(args) if as_dict(arg).get("index") == SYSCALL_ID_FIELD]
    others = [i for i, arg in enumerate(args) if as_dict(arg).get("index") != SYSCALL_ID_FIELD]
    event = tp.get("event")
    if others:
        what = ("the syscall return value (field 5, 'ret')" if event == "sys_exit"
                else "the raw syscall arguments array (field 5, 'args')")
        raise _Refused(join_path(join_path(path, "args"), others[0]),
                       "captures %s; a kprobe on the syscall list does not see it in the same form (a "
                       "return value needs a return probe and changes when and how events are emitted), so "
                       "rewrite this hook by hand" % what)
    if len(id_args) != 1:
        raise _Refused(join_path(path, "args"), "does not declare the syscall id (field index 4) exactly once")
    id_pos = id_args[0]
    if as_dict(args[id_pos]).get("type") != "syscall64":
        raise _Refused(join_path(join_path(path, "args"), id_pos),
                       "the syscall id argument is not of type syscall64, so 'InMap list:' cannot load "
                       "(Tetragon >= v1.1); the policy never worked as written, so its meaning is unknown")
    selectors = as_list(tp.get("selectors"))
    if not selectors:
        raise _Refused(path, "has no selectors, so it observes every syscall; there is no list to hook")
    used = []
    new_selectors = []
    for j, selector in enumerate(selectors):
        spath = join_path(join_path(path, "selectors"), j)
        selector = as_dict(selector)
        if selector.get("macros"):
            raise _Refused(join_path(spath, "macros"), "uses selector macros; expand them by hand first")
        for kind in ("matchActions", "matchReturnActions"):
            for k, action in enumerate(as_list(selector.get(kind))):
                if as_dict(action).get("action") == "Override":
                    raise _Refused(join_path(join_path(spath, kind), k), (
                        "Override is not supported on tracepoints, so this policy never loaded as written; "
                        "turning it into a kprobe would start overriding syscalls, which it never did"))
        _keep, names = _id_filters(selector, id_pos, spath)
        used.extend(names)
        new = {}
        for key, value in selector.items():
            if key != "matchArgs":
                new[key] = copy.deepcopy(value)
        new_selectors.append(new)
    names = sorted(set(used))
    if len(names) != 1:
        raise _Refused(join_path(path, "selectors"), "selectors use different syscall lists (%s); one kprobe "
                                                     "hooks one list" % ", ".join(names))
    name = names[0]
    spec_list = lists_by_name.get(name)
    if spec_list is None:
        raise _Refused(join_path(path, "selectors"), "list '%s' is not defined in spec.lists" % name)
    if spec_list.get("type") != "syscalls":
        raise _Refused(join_path(path, "selectors"), "list '%s' is of type %r, not 'syscalls'; a "
                       "generated list covers every syscall and one kprobe per syscall costs more than one "
                       "tracepoint" % (name, spec_list.get("type")))
    kprobe = {}
    for key, value in tp.items():
        if key == "subsystem":
            kprobe["call"] = "list:%s" % name
        elif key in ("event", "args", "raw"):
            continue
        elif key == "selectors":
            kprobe["selectors"] = new_selectors
        else:
            kprobe[key] = copy.deepcopy(value)
    kept = sorted(set(k for s in new_selectors for k in s if k in PROCESS_FILTERS))
    actions = [a.get("action") for s in new_selectors for a in as_list(s.get("matchActions")) if isinstance(a, dict)]
    rate = [a.get("rateLimit") for s in new_selectors for a in as_list(s.get("matchActions"))
            if isinstance(a, dict) and a.get("rateLimit") is not None]
    values = [str(v) for v in as_list(spec_list.get("values"))]
    explanation = (
        "raw_syscalls/%s runs its BPF program on every syscall of every task and only then filters the "
        "syscall id with 'InMap list:%s'; a kprobe on 'call: list:%s' attaches to the %d listed syscalls (%s) "
        "only, so the program runs only for those calls. Kept: %s; actions %s%s. Dropped: the syscall64 id "
        "argument and its InMap filter (the kprobe event names the syscall function instead)."
        % (event, name, name, len(values), ", ".join(values),
           "process filters " + ", ".join(kept) if kept else "no process filters (there were none)",
           ", ".join(str(a) for a in actions) or "Post (default)",
           " with rateLimit %s" % ", ".join(str(r) for r in rate) if rate else ""))
    if "NotifyEnforcer" in actions:
        explanation += (" NotifyEnforcer works from kprobes as well; the raw_syscalls form is Tetragon's fallback "
                        "for kernels without kprobe_multi, where the list kprobe attaches one kprobe per listed "
                        "syscall instead.")
    if event == "sys_exit":
        explanation += (" The original hook fired at syscall exit but captured no return value (only the id), "
                        "so the same calls are reported; they are reported at entry instead of exit.")
    return kprobe, name, explanation


def _raw_syscalls_to_kprobe(doc, version, changes, refused):
    spec = as_dict(doc.get("spec"))
    tps = as_list(spec.get("tracepoints"))
    raw = [i for i, tp in enumerate(tps) if as_dict(tp).get("subsystem") == RAW_SYSCALLS
           and as_dict(tp).get("event") in ("sys_enter", "sys_exit")]
    if not raw:
        return
    rule = "raw_syscalls_to_kprobe"
    if len(raw) != len(tps):
        refused.append({"rule": rule, "path": "spec.tracepoints", "reason": (
            "the policy also has other tracepoints; a policy holds one hook section, so the raw_syscalls "
            "hooks must move to their own policy first")})
        return
    other = [s for s in HOOK_SECTIONS if s != "tracepoints" and spec.get(s)]
    if other:
        refused.append({"rule": rule, "path": "spec", "reason": "the policy already has a %s section" % other[0]})
        return
    spec_lists = lists_by_name(spec)
    kprobes, used, notes = [], [], []
    try:
        for i, tp in enumerate(tps):
            path = join_path("spec.tracepoints", i)
            kprobe, name, explanation = _convert_tracepoint(as_dict(tp), path, spec_lists)
            if name in used:
                raise _Refused(path, "two hooks on the same list '%s' would attach the same symbols twice" % name)
            used.append(name)
            kprobes.append(kprobe)
            notes.append((path, explanation))
    except _Refused as exc:
        refused.append({"rule": rule, "path": exc.path, "reason": exc.reason})
        return
    _replace_key(spec, "tracepoints", "kprobes", kprobes)
    for path, explanation in notes:
        changes.append({"rule": rule, "path": path, "explanation": explanation})


# --- non-syscall kprobe missing syscall: false --------------------------------------------------------

def _kprobe_syscall_false(doc, version, changes, refused):
    spec = as_dict(doc.get("spec"))
    for section in ("kprobes", "fentries"):
        for i, probe in enumerate(as_list(spec.get(section))):
            if not isinstance(probe, dict):
                continue
            call = probe.get("call")
            if not isinstance(call, str) or call.startswith("list:") or "syscall" in probe:
                continue
            if looks_like_syscall(call):
                continue
            path = join_path(join_path("spec", section), i)
            overrides = [a for s in as_list(probe.get("selectors")) for a in as_list(as_dict(s).get("matchActions"))
                         if as_dict(a).get("action") == "Override"]
            if overrides and not call.startswith("security_"):
                refused.append({"rule": "kprobe_syscall_false", "path": path, "reason": (
                    "'%s' is not a syscall and uses Override, which needs a syscall or a security_ function; "
                    "adding syscall: false would not make it loadable" % call)})
                continue
            _insert_after(probe, "call", "syscall", False)
            changes.append({"rule": "kprobe_syscall_false", "path": join_path(path, "syscall"), "explanation": (
                "'%s' is not a syscall but 'syscall' defaults to true, so Tetragon would look up the "
                "arch-prefixed symbol (e.g. __x64_%s) and fail to load the policy; 'syscall: false' hooks the "
                "function itself, which is what the policy names." % (call, call))})


# --- renamed fields by target version ----------------------------------------------------------------

def _actions(spec):
    """(path, action dict) for every action in every selector, macros included."""
    for section in HOOK_SECTIONS:
        for i, hook in enumerate(as_list(spec.get(section))):
            for j, selector in enumerate(as_list(as_dict(hook).get("selectors"))):
                spath = join_path(join_path(join_path(join_path("spec", section), i), "selectors"), j)
                for kind in ("matchActions", "matchReturnActions"):
                    for k, action in enumerate(as_list(as_dict(selector).get(kind))):
                        if isinstance(action, dict):
                            yield join_path(join_path(spath, kind), k), action
    for name, selector in as_dict(spec.get("selectorsMacros")).items():
        for kind in ("matchActions", "matchReturnActions"):
            for k, action in enumerate(as_list(as_dict(selector).get(kind))):
                if isinstance(action, dict):
                    yield join_path(join_path(join_path("spec.selectorsMacros", name), kind), k), action


def _renamed_fields(doc, version, changes, refused):
    if version < F.V11:
        return
    rule = "renamed_fields"
    spec = as_dict(doc.get("spec"))
    since = version_str(F.V11)
    if "killers" in spec:
        if "enforcers" in spec:
            refused.append({"rule": rule, "path": "spec.killers",
                            "reason": "both 'killers' and 'enforcers' are set; merge them by hand"})
        else:
            killers = copy.deepcopy(spec["killers"])
            for killer in as_list(killers):
                if isinstance(killer, dict) and "syscalls" in killer and "calls" not in killer:
                    _replace_key(killer, "syscalls", "calls", killer["syscalls"])
            _replace_key(spec, "killers", "enforcers", killers)
            changes.append({"rule": rule, "path": "spec.killers", "explanation": (
                "'killers' (with 'syscalls') was renamed to 'enforcers' (with 'calls') in %s; same meaning."
                % since)})
    for path, action in _actions(spec):
        if isinstance(action.get("action"), str) and action["action"] in F.RENAMED_ACTIONS:
            old = action["action"]
            action["action"] = F.RENAMED_ACTIONS[old]
            changes.append({"rule": rule, "path": join_path(path, "action"), "explanation": (
                "action '%s' was renamed to '%s' in %s; same meaning." % (old, action["action"], since))})
        if "stackTrace" in action:
            if "kernelStackTrace" in action:
                refused.append({"rule": rule, "path": join_path(path, "stackTrace"),
                                "reason": "both 'stackTrace' and 'kernelStackTrace' are set"})
            else:
                _replace_key(action, "stackTrace", "kernelStackTrace", action["stackTrace"])
                changes.append({"rule": rule, "path": join_path(path, "stackTrace"), "explanation": (
                    "'stackTrace' was renamed to 'kernelStackTrace' in %s; same meaning." % since)})
    for i, uprobe in enumerate(as_list(spec.get("uprobes"))):
        if isinstance(uprobe, dict) and "symbol" in uprobe:
            path = join_path(join_path("spec.uprobes", i), "symbol")
            if "symbols" in uprobe:
                refused.append({"rule": rule, "path": path, "reason": "both 'symbol' and 'symbols' are set"})
                continue
            _replace_key(uprobe, "symbol", "symbols", [uprobe["symbol"]])
            changes.append({"rule": rule, "path": path, "explanation": (
                "'symbol' was replaced by the list 'symbols' in %s; a one-element list hooks the same "
                "symbol." % since)})


_APPLY = {
    "renamed_fields": _renamed_fields,
    "raw_syscalls_to_kprobe": _raw_syscalls_to_kprobe,
    "kprobe_syscall_false": _kprobe_syscall_false,
}
_ORDER = ("renamed_fields", "raw_syscalls_to_kprobe", "kprobe_syscall_false")


def rewrite(document, version, rules=None):
    """Apply the selected rewrites to a copy of `document`; returns (document, changes, refused)."""
    selected = list(REWRITES) if rules is None else list(rules)
    unknown = [r for r in selected if r not in _APPLY]
    if unknown:
        raise ValueError("unknown rewrite rule(s) %s; known: %s" % (", ".join(unknown), ", ".join(REWRITES)))
    doc = copy.deepcopy(document)
    changes, refused = [], []
    if isinstance(doc, dict) and isinstance(doc.get("spec"), dict):
        for name in _ORDER:
            if name in selected:
                _APPLY[name](doc, version, changes, refused)
    return doc, changes, refused


def _header_comments(text):
    lines = []
    for line in (text or "").splitlines():
        if line.startswith("#") or (lines and not line.strip()):
            lines.append(line)
            continue
        break
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


_INDENTED_SEQUENCE_RE = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n\1  +- ", re.MULTILINE)
_INDENTLESS_SEQUENCE_RE = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n\1- ", re.MULTILINE)

if HAS_YAML:
    class _IndentedDumper(yaml.SafeDumper):
        """Emits block sequences indented under their key (the yamllint/ansible-lint style)."""

        def increase_indent(self, flow=False, indentless=False):
            return super(_IndentedDumper, self).increase_indent(flow, False)


def indented_sequences(text):
    """Whether the text indents block sequences under their key (else Tetragon's indentless style)."""
    text = text or ""
    return bool(_INDENTED_SEQUENCE_RE.search(text)) and not _INDENTLESS_SEQUENCE_RE.search(text)


def dump(document, indented=False):
    return yaml.dump(document, Dumper=_IndentedDumper if indented else yaml.SafeDumper, sort_keys=False,
                     default_flow_style=False, allow_unicode=True, width=1000)


def render(document, original_text=None, changed=True):
    """YAML for the rewritten document. Unchanged input is returned byte for byte (comments and all);
    changed input is re-emitted with its key order and its leading comment block; comments inside
    the document are lost (PyYAML does not keep them). Block sequences keep the input's indentation style."""
    if not changed and original_text is not None:
        return original_text
    header = _header_comments(original_text)
    body = dump(document, indented_sequences(original_text))
    if original_text is not None and original_text.lstrip().startswith("---") or (
            original_text and "\n---" in original_text.split("apiVersion", 1)[0]):
        body = "---\n" + body
    return ("\n".join(header) + "\n" if header else "") + body


def unified_diff(before, after, before_name="before", after_name="after"):
    return "".join(difflib.unified_diff((before or "").splitlines(True), (after or "").splitlines(True),
                                        before_name, after_name))
