# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Kernel feature gates (KV1-KV4) for a given kernel release: what fails to load (KV2), what is
silently a no-op (KV3) and what needs kernel config the release number cannot tell (KV4).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    as_dict, as_list, finding, join_path)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._model import hooks, actions
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._selectors import arg_type, STRING_TYPES

MIN_KERNEL = (4, 19)
LARGE_PROGS = (5, 3)
GT_LT_OPS = ("GT", "LT", "GreaterThan", "LessThan")
AFFIX_OPS = ("Prefix", "NotPrefix", "Postfix", "NotPostfix")


def _kv(kernel):
    return "%d.%d" % (kernel[0], kernel[1])


def _gate(out, kernel, need, path, what):
    if tuple(kernel[:2]) < need:
        out.append(finding("KV2", "error", path, "%s needs kernel %d.%d or later; the target kernel is %s"
                           % (what, need[0], need[1], _kv(kernel)),
                           "Drop the feature for this kernel, or upgrade the kernel."))


def _string_lengths(out, kernel, path, flt, hook, hook_kind):
    _found, atype = arg_type(hook_kind, as_list(hook.get("args")), flt)
    if atype not in STRING_TYPES:
        return
    limit = 4096 if tuple(kernel[:2]) >= (5, 11) else 510 if tuple(kernel[:2]) >= (5, 4) else 144
    for value in as_list(as_dict(flt).get("values")):
        if len(str(value).encode("utf-8")) > limit:
            out.append(finding("KV2", "error", path, "string of %d bytes; kernel %s matches at most %d bytes "
                               "(4096 needs 5.11)" % (len(str(value).encode("utf-8")), _kv(kernel), limit),
                               "Shorten the value or match it with Prefix/Postfix."))


def _selectors(out, kernel, path, hook, kind_of_hook):
    for j, selector in enumerate(as_list(hook.get("selectors"))):
        selector = as_dict(selector)
        spath = join_path(join_path(path, "selectors"), j)
        filters = as_list(selector.get("matchArgs")) + as_list(selector.get("matchData"))
        if len(filters) > 1:
            _gate(out, kernel, LARGE_PROGS, spath, "more than one matchArgs/matchData filter per selector")
        for kind in ("matchArgs", "matchData", "matchReturnArgs"):
            for k, flt in enumerate(as_list(selector.get(kind))):
                fpath = join_path(join_path(spath, kind), k)
                if as_dict(flt).get("operator") in GT_LT_OPS:
                    _gate(out, kernel, LARGE_PROGS, fpath, "operator %s" % as_dict(flt).get("operator"))
                if kind == "matchArgs" and as_dict(flt).get("operator") in ("Equal", "NotEqual"):
                    _string_lengths(out, kernel, fpath, flt, hook, kind_of_hook)
        for k, entry in enumerate(as_list(selector.get("matchBinaries"))):
            if as_dict(entry).get("operator") in AFFIX_OPS:
                _gate(out, kernel, LARGE_PROGS, join_path(join_path(spath, "matchBinaries"), k),
                      "matchBinaries operator %s" % as_dict(entry).get("operator"))
        if selector.get("matchNamespaceChanges"):
            _gate(out, kernel, LARGE_PROGS, join_path(spath, "matchNamespaceChanges"), "matchNamespaceChanges")
        if len(as_list(selector.get("matchNamespaces"))) > 4:
            _gate(out, kernel, LARGE_PROGS, join_path(spath, "matchNamespaces"), "more than 4 namespace filters")


def _actions(out, kernel, path, kind, hook):
    for j, skind, k, action in actions(hook):
        apath = join_path(join_path(join_path(join_path(path, "selectors"), j), skind), k)
        name = action.get("action")
        if name in ("Sigkill", "TrackSock", "UntrackSock"):
            _gate(out, kernel, LARGE_PROGS, apath, "the %s action" % name)
        if action.get("imaHash"):
            _gate(out, kernel, (5, 11), apath, "imaHash")
            out.append(finding("KV4", "info", apath, "imaHash needs CONFIG_IMA and CONFIG_INTEGRITY",
                               "Check the kernel config on the hosts (tetra probe config)."))
        if tuple(kernel[:2]) < LARGE_PROGS:
            if action.get("rateLimit") is not None:
                out.append(finding("KV3", "warning", join_path(apath, "rateLimit"), "rateLimit is silently a no-op "
                                   "on kernel %s (needs 5.3)" % _kv(kernel), "Expect every event to be posted."))
            if name == "Signal":
                out.append(finding("KV3", "warning", apath, "the Signal action is silently a no-op on kernel %s "
                                   "(needs 5.3)" % _kv(kernel), "Use a 5.3+ kernel for enforcement."))
        if name == "Override":
            if kind == "kprobe" and str(hook.get("call", "")).startswith("security_"):
                _gate(out, kernel, (5, 7), apath, "Override on a security_ function (fmod_ret)")
            else:
                out.append(finding("KV4", "info", apath, "Override needs CONFIG_BPF_KPROBE_OVERRIDE and a "
                                   "function on the error-injection list", "Check with tetra probe."))


def check(document, kernel):
    out = []
    if tuple(kernel[:2]) < MIN_KERNEL:
        out.append(finding("KV1", "error", "", "kernel %s is older than 4.19, the oldest kernel Tetragon supports"
                           % _kv(kernel), "Run Tetragon on kernel 4.19 or later."))
    spec = document.get("spec")
    if not isinstance(spec, dict):
        return out
    if spec.get("loader"):
        _gate(out, kernel, (5, 19), "spec.loader", "loader events")
    for _section, kind, _i, path, hook in hooks(spec):
        if kind == "lsm":
            out.append(finding("KV4", "info", path, "LSM hooks need CONFIG_BPF_LSM and 'bpf' in the lsm= boot "
                               "list", "Check /sys/kernel/security/lsm on the hosts."))
        if hook.get("returnArgAction"):
            _gate(out, kernel, LARGE_PROGS, join_path(path, "returnArgAction"), "returnArgAction")
        for group in ("args", "data"):
            for i, arg in enumerate(as_list(hook.get(group))):
                arg = as_dict(arg)
                apath = join_path(join_path(path, group), i)
                if arg.get("resolve"):
                    _gate(out, kernel, (5, 7) if kind == "lsm" else (5, 4), apath, "resolve")
                if arg.get("maxData"):
                    _gate(out, kernel, (5, 4), apath, "maxData")
        _selectors(out, kernel, path, hook, kind)
        _actions(out, kernel, path, kind, hook)
    return out
