# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Attaches a minimal probe program ("r0 = 0; exit") to each attach point of a probe plan (_probe_plan),
counts its runs in a StatsSession and releases everything. Standard library only (runs on hosts).

    measure(hooks, interval, kprobe_attach="auto", during=None) -> (total_events, elapsed_seconds)

Every attach point ends with `events` (None when not measured), `measured_on` and, when it could not be
measured, `measurable: false` and a `reason`. A point is never counted as zero because it failed.
Identical probes (the same function or tracepoint twice) share one program, so a policy never puts more
programs on one attach point than it has distinct hooks there.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _btf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsSession

KPROBE_ATTACH = ("auto", "kprobe", "kprobe_multi")


class Unmeasurable(Exception):
    pass


class Attacher(object):
    """Attaches probe programs inside a StatsSession; one per distinct probe."""

    def __init__(self, session, kprobe_attach="auto"):
        self.session = session
        self.kprobe_attach = kprobe_attach
        self.multi_reason = None if kprobe_attach != "kprobe" else "kprobe_attach is kprobe"
        self._lsm_ids = None

    def _attach_new(self, attach, *load_args):
        """Load a probe program, attach it with attach(prog_fd) -> fd; keep both only on success."""
        prog = _bpf.load_probe_program("ebpfops_probe", *load_args)
        try:
            link = attach(prog)
        except BaseException:
            _bpf.close(prog)
            raise
        self.session.keep(prog)
        self.session.keep(link)
        return prog

    def attach(self, probe):
        """Attach `probe`; return (program fd, measured_on, note)."""
        kind = probe[0]
        if kind == "tracepoint":
            prog = self._attach_new(lambda fd: _bpf.attach_tracepoint(fd, probe[1], probe[2]))
            return prog, "tracepoint:%s:%s" % (probe[1], probe[2]), None
        if kind == "kprobe":
            return self._kprobe(probe[1], probe[2])
        if kind == "lsm":
            return self._lsm(probe[1])
        raise Unmeasurable("unknown probe %r" % (probe,))

    def _kprobe(self, function, is_return):
        if self.multi_reason is None:
            try:
                prog = self._attach_new(lambda fd: _bpf.attach_kprobe_multi(fd, [function], is_return),
                                        _bpf.BPF_PROG_TYPE_KPROBE, _bpf.BPF_TRACE_KPROBE_MULTI)
                return prog, "kprobe_multi%s:%s" % ("_return" if is_return else "", function), None
            except _bpf.BpfError as exc:
                if exc.errno in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL) or "loading" in str(exc):
                    self.multi_reason = str(exc)
                if self.kprobe_attach == "kprobe_multi":
                    raise
        elif self.kprobe_attach == "kprobe_multi":
            raise Unmeasurable("kprobe_attach is kprobe_multi, which this kernel does not offer: %s"
                               % self.multi_reason)
        prog = self._attach_new(lambda fd: _bpf.attach_kprobe(fd, function, is_return), _bpf.BPF_PROG_TYPE_KPROBE)
        note = None
        if self.kprobe_attach == "auto" and self.multi_reason:
            note = "attached through the kprobe PMU: kprobe_multi is not available (%s)" % self.multi_reason
        return prog, "%s:%s" % ("kretprobe" if is_return else "kprobe", function), note

    def _lsm(self, hook):
        lsms = _bpf.active_lsms()
        if lsms is not None and "bpf" not in lsms:
            raise Unmeasurable("BPF LSM is not active on this kernel (active LSMs: %s; boot with lsm=...,bpf): "
                               "Tetragon cannot attach LSM hooks here either" % ",".join(lsms))
        symbol = "bpf_lsm_" + hook
        try:
            btf_id = _btf.function_ids([symbol]).get(symbol)
        except _btf.BtfError as exc:
            raise Unmeasurable(str(exc))
        if btf_id is None:
            raise Unmeasurable("no LSM hook %s on this kernel (no %s in its BTF)" % (hook, symbol))
        prog = self._attach_new(_bpf.attach_btf_program, _bpf.BPF_PROG_TYPE_LSM, _bpf.BPF_LSM_MAC, btf_id)
        return prog, "lsm:%s" % hook, None


def measure(hooks, interval, kprobe_attach="auto", during=None):
    """Probe every measurable attach point of `hooks` for `interval` seconds (or while the callable
    `during` runs, when given); return (total, elapsed)."""
    programs = {}
    with StatsSession() as session:
        attacher = Attacher(session, kprobe_attach)
        for hook in hooks:
            for point in hook["attach_points"]:
                point["events"] = point["run_time_ns"] = point["events_per_second"] = None
                probe = point.pop("probe", None)
                if not point["measurable"]:
                    continue
                key = tuple(probe)
                if key not in programs:
                    try:
                        programs[key] = attacher.attach(key)
                    except _bpf.BpfError as exc:
                        if exc.errno in (errno.EPERM, errno.EACCES):
                            if os.geteuid() != 0:
                                raise
                            exc = Unmeasurable("%s: this kernel refuses it even to root (kernel lockdown, or no "
                                               "support for this program type)" % str(exc).split(" (run as")[0])
                        programs[key] = exc
                    except Unmeasurable as exc:
                        programs[key] = exc
                outcome = programs[key]
                if isinstance(outcome, Exception):
                    point["measurable"], point["reason"] = False, str(outcome)
                    continue
                point["measured_on"] = outcome[1]
                point["note"] = "; ".join(n for n in (point["note"], outcome[2]) if n) or None
                point["_key"] = key
        fds = dict((key, value[0]) for key, value in programs.items() if not isinstance(value, Exception))
        first = session.sample(fds)
        start = time.time()
        if during is None:
            time.sleep(interval)
        else:
            during()
        second = session.sample(fds)
        elapsed = time.time() - start
    total = 0
    for hook in hooks:
        for point in hook["attach_points"]:
            key = point.pop("_key", None)
            if key is None:
                continue
            point["events"] = second[key]["run_cnt"] - first[key]["run_cnt"]
            point["run_time_ns"] = second[key]["run_time_ns"] - first[key]["run_time_ns"]
            point["events_per_second"] = round(point["events"] / elapsed, 3)
            total += point["events"]
    return total, elapsed


def unmeasured(hooks):
    """[{hook, target, kind, reason}] of every attach point that was not measured."""
    return [{"hook": hook["hook"], "target": point["target"], "kind": point["kind"], "reason": point["reason"]}
            for hook in hooks for point in hook["attach_points"] if not point["measurable"]]
