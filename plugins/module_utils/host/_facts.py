# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

What a host offers Tetragon, read from /proc and /sys. The parsers take file contents; gather() reads them
through a reader function so tests can give it any host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import os
import re

ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
NO_KPROBES = "kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)"


def kernel_version(release):
    match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", release or "")
    if not match:
        return None
    return "%s.%s.%s" % (match.group(1), match.group(2), match.group(3) or "0")


def mounts_of_type(proc_mounts, fstype):
    points = []
    for line in (proc_mounts or "").splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == fstype:
            points.append(fields[1].replace("\\040", " "))
    return points


def bracketed(text):
    match = re.search(r"\[([a-z]+)\]", text or "")
    return match.group(1) if match else None


def kernel_config_option(config_text, option):
    """'y', 'm', None (explicitly not set) or False (config text does not mention it)."""
    for line in (config_text or "").splitlines():
        if line.startswith(option + "="):
            return line.split("=", 1)[1].strip()
        if line.strip() == "# %s is not set" % option:
            return None
    return False


def as_int(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def read_file(path):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rt") as handle:
                return handle.read()
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def gather(release, machine, read=read_file, exists=os.path.exists, cpus=None):
    mounts = read("/proc/mounts") or ""
    bpffs = mounts_of_type(mounts, "bpf")
    tracefs = mounts_of_type(mounts, "tracefs")
    config_path = None
    config = None
    for path in ("/proc/config.gz", "/boot/config-%s" % release):
        config = read(path)
        if config:
            config_path = path
            break
    kprobe_pmu = exists("/sys/bus/event_source/devices/kprobe")
    kprobe_events = any(exists(os.path.join(point, "kprobe_events")) for point in tracefs)
    kprobes_config = kernel_config_option(config, "CONFIG_KPROBES")
    kprobes = bool(kprobe_pmu or kprobe_events or kprobes_config == "y")
    if kprobes:
        reason = None
    elif kprobes_config is None:
        reason = NO_KPROBES
    else:
        reason = "no kprobe PMU (/sys/bus/event_source/devices/kprobe) and no kprobe_events in tracefs"
    lsms = (read("/sys/kernel/security/lsm") or "").strip().split(",")
    facts = {
        "kernel_release": release,
        "kernel_version": kernel_version(release),
        "arch": ARCHES.get(machine, machine),
        "systemd": exists("/run/systemd/system"),
        "btf": exists("/sys/kernel/btf/vmlinux"),
        "btf_path": "/sys/kernel/btf/vmlinux" if exists("/sys/kernel/btf/vmlinux") else None,
        "bpffs": ("/sys/fs/bpf" if "/sys/fs/bpf" in bpffs else bpffs[0]) if bpffs else None,
        "tracefs": tracefs[0] if tracefs else None,
        "kprobes": kprobes,
        "kprobes_reason": reason,
        "bpf_lsm": "bpf" in lsms,
        "lockdown": bracketed(read("/sys/kernel/security/lockdown")),
        "kptr_restrict": as_int(read("/proc/sys/kernel/kptr_restrict")),
        "bpf_stats_enabled": as_int(read("/proc/sys/kernel/bpf_stats_enabled")),
        "unprivileged_bpf_disabled": as_int(read("/proc/sys/kernel/unprivileged_bpf_disabled")),
        "cpus": cpus,
        "kernel_config": config_path,
    }
    return facts
