# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Can this host run a given Tetragon release? Pure: takes the facts of _host_facts.gather().
Every check is always reported (ok or not), so callers can validate the ids they ignore.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

CHECKS = ("systemd", "arch", "kernel", "btf", "bpffs", "kprobes", "bpf_lsm", "lockdown", "kptr_restrict",
          "btf_header")
MIN_KERNEL = {"amd64": (4, 19), "arm64": (5, 10)}


def version_tuple(text):
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?", str(text or "").strip())
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


def _result(check, ok, message, severity="error"):
    return {"check": check, "ok": bool(ok), "severity": severity, "message": message}


def _kernel(facts):
    kernel = version_tuple(facts.get("kernel_version"))
    floor = MIN_KERNEL.get(facts.get("arch"), MIN_KERNEL["amd64"])
    if kernel is None:
        return _result("kernel", False, "kernel release %r cannot be parsed" % facts.get("kernel_release"))
    return _result(
        "kernel", kernel[:2] >= floor,
        "kernel %s %s the minimum %d.%d for %s" % (
            facts.get("kernel_version"), "meets" if kernel[:2] >= floor else "is older than",
            floor[0], floor[1], facts.get("arch")))


def _kptr_restrict(facts, version):
    value = facts.get("kptr_restrict")
    broken = version is not None and (1, 4, 0) <= version < (1, 6, 1)
    if value == 2 and broken:
        return _result(
            "kptr_restrict", False,
            "kernel.kptr_restrict=2 makes every kprobe policy fail on Tetragon 1.4.0-1.6.0 "
            "(\"validateKprobeSpec: ksyms.KernelSymbols: no symbols found\", cilium/tetragon#3819); "
            "use Tetragon >= 1.6.1 or set kernel.kptr_restrict to 1")
    return _result("kptr_restrict", True, "kernel.kptr_restrict=%s is fine for this release" % value)


def preflight(facts, tetragon_version, lsm_required=False, kprobes_required=True):
    """Return one result per check in CHECKS: {check, ok, severity, message}."""
    version = version_tuple(tetragon_version)
    results = [
        _result("systemd", facts.get("systemd"),
                "systemd %s is PID 1" % (facts.get("systemd_version") or "")
                if facts.get("systemd") else "systemd is not running on this host (no /run/systemd/system)"),
        _result("arch", facts.get("arch") in MIN_KERNEL,
                "architecture %s %s" % (facts.get("arch"), "has Tetragon releases" if facts.get("arch") in MIN_KERNEL
                                        else "has no Tetragon release (amd64 and arm64 only)")),
        _kernel(facts),
        _result("btf", facts.get("btf"),
                "BTF at %s" % facts.get("btf_path") if facts.get("btf")
                else "no kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): Tetragon aborts with "
                     "\"kernel autodiscovery failed\" unless a BTF file is given with --btf"),
        _result("bpffs", facts.get("bpffs"),
                "bpffs mounted at %s" % facts.get("bpffs") if facts.get("bpffs")
                else "bpffs is not mounted (Tetragon mounts /sys/fs/bpf itself at start)", severity="warning"),
    ]
    kprobes_ok = facts.get("kprobes")
    results.append(_result(
        "kprobes", kprobes_ok or not kprobes_required,
        "kprobes available" if kprobes_ok else (facts.get("kprobes_reason") or "kprobes unavailable")
        + ("; Tetragon's base sensor and every kprobe policy need them" if kprobes_required else ""),
        severity="error" if kprobes_required else "warning"))
    results.append(_result(
        "bpf_lsm", facts.get("bpf_lsm") or not lsm_required,
        "BPF LSM active" if facts.get("bpf_lsm") else
        "BPF LSM is not active ('bpf' missing from /sys/kernel/security/lsm; boot with lsm=...,bpf)"
        + ("; lsmhooks policies cannot load" if lsm_required else ""),
        severity="error" if lsm_required else "info"))
    lockdown = facts.get("lockdown")
    results.append(_result(
        "lockdown", lockdown != "confidentiality",
        "kernel lockdown is %s" % (lockdown or "not available")
        + ("; confidentiality mode makes BPF program loads fail with EPERM" if lockdown == "confidentiality" else "")))
    results.append(_kptr_restrict(facts, version))
    kernel = version_tuple(facts.get("kernel_version")) or (0, 0, 0)
    bad_header = kernel[:2] >= (7, 2) and version == (1, 7, 1)
    results.append(_result(
        "btf_header", not bad_header,
        "Tetragon 1.7.1 cannot parse the 32-byte extended BTF header of kernel 7.2+ (cilium/tetragon#5697)"
        if bad_header else "BTF header format supported"))
    return results
