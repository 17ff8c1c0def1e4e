# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin ctypes wrappers for bpf(2) and perf_event_open(2).

Standard library only, Python 3.6+, x86_64 and aarch64. Every function raises BpfError
with a message saying what failed, why, and what to do about it.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ctypes
import errno as _errno
import os
import platform
import struct

_SYSCALLS = {
    # machine: (bpf, perf_event_open)
    "x86_64": (321, 298),
    "amd64": (321, 298),
    "aarch64": (280, 241),
    "arm64": (280, 241),
}

BPF_PROG_LOAD = 5
BPF_OBJ_PIN = 6
BPF_OBJ_GET = 7
BPF_PROG_GET_NEXT_ID = 11
BPF_PROG_GET_FD_BY_ID = 13
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_RAW_TRACEPOINT_OPEN = 17
BPF_LINK_CREATE = 28
BPF_ENABLE_STATS = 32
BPF_STATS_RUN_TIME = 0

BPF_PROG_TYPE_KPROBE = 2
BPF_PROG_TYPE_TRACEPOINT = 5
BPF_PROG_TYPE_TRACING = 26
BPF_PROG_TYPE_LSM = 29
BPF_TRACE_FENTRY = 24
BPF_LSM_MAC = 27
BPF_TRACE_KPROBE_MULTI = 42
BPF_F_KPROBE_MULTI_RETURN = 1
PERF_TYPE_TRACEPOINT = 2
KPROBE_PMU = "/sys/bus/event_source/devices/kprobe"
PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_EVENT_IOC_ENABLE = 0x2400
PERF_EVENT_IOC_DISABLE = 0x2401
PERF_EVENT_IOC_SET_BPF = 0x40042408
PERF_ATTR_SIZE_VER5 = 112

PROG_TYPES = (
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
    "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
    "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
    "lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
    "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
    "sk_lookup", "syscall", "netfilter",
)

KPROBES_MISSING = "kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)"

_INFO_SIZE = 256
_libc = None


class BpfError(Exception):
    """A failed BPF operation; errno is the kernel's error number or None."""

    def __init__(self, msg, errno=None):
        super(BpfError, self).__init__(msg)
        self.errno = errno


def _lib():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc


def _numbers():
    machine = platform.machine()
    if machine not in _SYSCALLS:
        raise BpfError("unsupported architecture %r: only x86_64 and aarch64 are supported" % machine)
    return _SYSCALLS[machine]


def _hint(err):
    if err in (_errno.EPERM, _errno.EACCES):
        return " (run as root or with CAP_BPF and CAP_PERFMON)"
    if err == _errno.ENOSYS:
        return " (the kernel has no bpf() syscall: CONFIG_BPF_SYSCALL is off)"
    if err == _errno.E2BIG:
        return (" (the attach point already carries the kernel's limit of 64 BPF programs, "
                "BPF_TRACE_MAX_PROGS: detach some or probe fewer hooks on it at once)")
    return ""


def _bpf(cmd, attr, what):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = _lib().syscall(ctypes.c_long(_numbers()[0]), ctypes.c_long(cmd), buf,
                         ctypes.c_uint(len(attr)))
    if ret < 0:
        err = ctypes.get_errno()
        raise BpfError("%s failed: %s%s" % (what, os.strerror(err), _hint(err)), errno=err)
    return ret, buf


def close(fd):
    """Close a file descriptor returned by this module (ignores one already closed)."""
    try:
        os.close(fd)
    except OSError:
        pass


def tracefs_root():
    """Return the mounted tracefs directory that has an events/ tree."""
    for path in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(path, "events")):
            return path
    raise BpfError("tracefs is not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing "
                   "(mount it: mount -t tracefs tracefs /sys/kernel/tracing)", errno=_errno.ENOENT)


def tracepoint_id(category, event):
    """Return the perf id of tracepoint category:event."""
    path = os.path.join(tracefs_root(), "events", category, event, "id")
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except (IOError, OSError) as exc:
        err = getattr(exc, "errno", None) or _errno.ENOENT
        if err == _errno.ENOENT:
            raise BpfError("tracepoint %s:%s does not exist on this kernel (no %s)"
                           % (category, event, path), errno=_errno.ENOENT)
        raise BpfError("cannot read %s: %s%s" % (path, os.strerror(err), _hint(err)), errno=err)
    except ValueError:
        raise BpfError("unexpected content in %s" % path)


def _insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def load_probe_program(name="ebpfops_probe", prog_type=BPF_PROG_TYPE_TRACEPOINT, attach_type=0, btf_id=0):
    """Load a minimal GPL program ("r0 = 0; exit") and return its fd.

    prog_type is a BPF_PROG_TYPE_*; attach_type the expected attach type (BPF_TRACE_KPROBE_MULTI,
    BPF_LSM_MAC, BPF_TRACE_FENTRY) and btf_id the vmlinux BTF id of the function for LSM and tracing
    programs. Returning 0 means "no event" for kprobes and tracepoints and "allow" for LSM hooks.
    """
    insns = _insn(0xb7) + _insn(0x95)  # mov64 r0, 0 ; exit
    insn_buf = ctypes.create_string_buffer(insns, len(insns))
    license_buf = ctypes.create_string_buffer(b"GPL")
    log_buf = ctypes.create_string_buffer(4096)
    raw_name = name.encode("ascii", "replace")[:15]
    attr = struct.pack(
        "<IIQQIIQII16s",
        prog_type, len(insns) // 8, ctypes.addressof(insn_buf),
        ctypes.addressof(license_buf), 1, len(log_buf), ctypes.addressof(log_buf), 0, 0, raw_name,
    )
    attr += struct.pack("<II", 0, attach_type)  # prog_ifindex, expected_attach_type
    attr += b"\0" * (108 - len(attr)) + struct.pack("<I", btf_id)  # attach_btf_id
    attr += b"\0" * (128 - len(attr))
    kind = PROG_TYPES[prog_type] if prog_type < len(PROG_TYPES) else str(prog_type)
    try:
        fd, _buf = _bpf(BPF_PROG_LOAD, attr, "loading BPF %s program %r" % (kind, name))
    except BpfError as exc:
        log = log_buf.value.decode("utf-8", "replace").strip()
        if log:
            raise BpfError("%s; verifier log: %s" % (exc, log), errno=exc.errno)
        raise
    return fd


def _perf_event_open(attr, pid, cpu, group_fd, flags):
    buf = ctypes.create_string_buffer(attr, len(attr))
    ret = _lib().syscall(ctypes.c_long(_numbers()[1]), buf, ctypes.c_int(pid), ctypes.c_int(cpu),
                         ctypes.c_int(group_fd), ctypes.c_ulong(flags))
    if ret < 0:
        return -ctypes.get_errno()
    return ret


def _ioctl(fd, request, arg):
    ret = _lib().ioctl(ctypes.c_int(fd), ctypes.c_ulong(request), ctypes.c_ulong(arg))
    if ret < 0:
        return ctypes.get_errno()
    return 0


def attach_tracepoint(prog_fd, category, event):
    """Attach prog_fd to tracepoint category:event; return the perf event fd (close it to detach).

    The program hangs off the tracepoint itself, so it runs for hits on every CPU although the
    perf event is opened for CPU 0.
    """
    tp_id = tracepoint_id(category, event)
    attr = struct.pack("<IIQQQQQ", PERF_TYPE_TRACEPOINT, PERF_ATTR_SIZE_VER5, tp_id, 1, 0, 0, 0)
    attr += b"\0" * (PERF_ATTR_SIZE_VER5 - len(attr))
    attr = attr[:40] + struct.pack("<I", 1) + attr[44:]  # wakeup_events = 1
    fd = _perf_event_open(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)
    if fd < 0:
        err = -fd
        raise BpfError("perf_event_open on tracepoint %s:%s failed: %s%s"
                       % (category, event, os.strerror(err), _hint(err)), errno=err)
    for request, arg, what in ((PERF_EVENT_IOC_SET_BPF, prog_fd, "attaching the program"),
                               (PERF_EVENT_IOC_ENABLE, 0, "enabling the perf event")):
        err = _ioctl(fd, request, arg)
        if err:
            close(fd)
            raise BpfError("%s to tracepoint %s:%s failed: %s%s"
                           % (what, category, event, os.strerror(err), _hint(err)), errno=err)
    return fd


def _kprobe_pmu():
    """(type, retprobe bit) of the kernel's kprobe PMU."""
    try:
        with open(os.path.join(KPROBE_PMU, "type")) as handle:
            pmu_type = int(handle.read().strip())
        with open(os.path.join(KPROBE_PMU, "format", "retprobe")) as handle:
            bit = int(handle.read().strip().split(":", 1)[1])
    except (IOError, OSError, ValueError, IndexError):
        raise BpfError("the kprobe PMU (%s) is not available: %s" % (KPROBE_PMU, KPROBES_MISSING),
                       errno=_errno.ENOENT)
    return pmu_type, bit


def attach_kprobe(prog_fd, function, retprobe=False):
    """Attach a kprobe program to kernel function `function` through the kprobe PMU (perf_event_open
    with PERF_EVENT_IOC_SET_BPF); return the perf event fd (close it to detach)."""
    pmu_type, bit = _kprobe_pmu()
    what = "kretprobe" if retprobe else "kprobe"
    name = ctypes.create_string_buffer(function.encode("ascii", "replace"))
    attr = struct.pack("<IIQQQQQ", pmu_type, PERF_ATTR_SIZE_VER5, (1 << bit) if retprobe else 0, 1, 0, 0, 1)
    attr += struct.pack("<IIQQ", 0, 0, ctypes.addressof(name), 0)  # wakeup, bp_type, kprobe_func, probe_offset
    attr += b"\0" * (PERF_ATTR_SIZE_VER5 - len(attr))
    fd = _perf_event_open(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)
    del name
    if fd < 0:
        err = -fd
        hint = " (no such kernel function, or it cannot be probed: see /sys/kernel/tracing/" \
               "available_filter_functions)" if err in (_errno.ENOENT, _errno.EINVAL) else _hint(err)
        raise BpfError("perf_event_open on %s %s failed: %s%s" % (what, function, os.strerror(err), hint),
                       errno=err)
    for request, arg, step in ((PERF_EVENT_IOC_SET_BPF, prog_fd, "attaching the program"),
                               (PERF_EVENT_IOC_ENABLE, 0, "enabling the perf event")):
        err = _ioctl(fd, request, arg)
        if err:
            close(fd)
            raise BpfError("%s to %s %s failed: %s%s" % (step, what, function, os.strerror(err), _hint(err)),
                           errno=err)
    return fd


def attach_kprobe_multi(prog_fd, functions, retprobe=False):
    """Attach a program loaded with BPF_TRACE_KPROBE_MULTI to every function in `functions` with one
    BPF_LINK_CREATE; return the link fd. EOPNOTSUPP means the kernel has no kprobe_multi (CONFIG_FPROBE)."""
    names = [ctypes.create_string_buffer(f.encode("ascii", "replace")) for f in functions]
    array = (ctypes.c_char_p * len(names))(*[ctypes.addressof(n) for n in names])
    attr = struct.pack("<IIIIIIQQQ", prog_fd, 0, BPF_TRACE_KPROBE_MULTI, 0,
                       BPF_F_KPROBE_MULTI_RETURN if retprobe else 0, len(names), ctypes.addressof(array), 0, 0)
    attr += b"\0" * (64 - len(attr))
    what = "kprobe_multi%s link on %s" % (" return" if retprobe else "", ", ".join(functions))
    fd, _buf = _bpf(BPF_LINK_CREATE, attr, "creating a " + what)
    del names, array
    return fd


def attach_btf_program(prog_fd):
    """Attach a loaded LSM or fentry program to the function it was loaded for; return the link fd."""
    fd, _buf = _bpf(BPF_RAW_TRACEPOINT_OPEN, struct.pack("<QI", 0, prog_fd) + b"\0" * 4,
                    "attaching the BPF trampoline program")
    return fd


def active_lsms():
    """The kernel's active LSMs (/sys/kernel/security/lsm), or None when it cannot be read."""
    try:
        with open("/sys/kernel/security/lsm") as handle:
            return [name for name in handle.read().strip().split(",") if name]
    except (IOError, OSError):
        return None


def _kernel_config_has(option):
    """True/False when the kernel config says, None when it cannot be read."""
    candidates = ["/boot/config-%s" % platform.release(), "/proc/config.gz"]
    for path in candidates:
        try:
            if path.endswith(".gz"):
                import gzip
                with gzip.open(path, "rt") as handle:
                    text = handle.read()
            else:
                with open(path) as handle:
                    text = handle.read()
        except (IOError, OSError):
            continue
        return ("\n%s=y" % option) in ("\n" + text)
    return None


def kprobes_available():
    """Return (True, "") when kprobes can be attached, else (False, reason)."""
    if os.path.isdir("/sys/bus/event_source/devices/kprobe"):
        return True, ""
    for root in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.exists(os.path.join(root, "kprobe_events")):
            return True, ""
    configured = _kernel_config_has("CONFIG_KPROBES")
    if configured:
        return False, ("CONFIG_KPROBES is set but neither the kprobe PMU nor kprobe_events is "
                       "available (mount tracefs and check that kprobes are not disabled)")
    return False, KPROBES_MISSING


def _path_attr(path, fd=0):
    raw = ctypes.create_string_buffer(path.encode("utf-8"))
    return raw, struct.pack("<QII", ctypes.addressof(raw), fd, 0)


def pin(fd, path):
    """Pin a BPF object at path in a bpffs (the parent directory must exist)."""
    raw, attr = _path_attr(path, fd)
    _bpf(BPF_OBJ_PIN, attr, "pinning BPF object at %s" % path)
    del raw


def get_pinned(path):
    """Open the BPF object pinned at path and return an fd."""
    raw, attr = _path_attr(path)
    fd, _buf = _bpf(BPF_OBJ_GET, attr, "opening pinned BPF object %s" % path)
    del raw
    return fd


def enable_stats():
    """Switch on run-time stats while the returned fd is open (BPF_ENABLE_STATS)."""
    fd, _buf = _bpf(BPF_ENABLE_STATS, struct.pack("<I", BPF_STATS_RUN_TIME) + b"\0" * 4,
                    "enabling BPF run-time statistics (BPF_ENABLE_STATS)")
    return fd


def prog_ids():
    """Yield the id of every BPF program on the host."""
    start = 0
    while True:
        try:
            _ret, buf = _bpf(BPF_PROG_GET_NEXT_ID, struct.pack("<III", start, 0, 0),
                             "listing BPF programs")
        except BpfError as exc:
            if exc.errno == _errno.ENOENT:
                return
            raise
        start = struct.unpack_from("<I", buf.raw, 4)[0]
        yield start


def prog_fd_by_id(prog_id):
    """Open BPF program prog_id and return an fd."""
    fd, _buf = _bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("<III", prog_id, 0, 0),
                    "opening BPF program id %d" % prog_id)
    return fd


def prog_info(fd):
    """Return a dict describing the BPF program behind fd (bpf_prog_info)."""
    info = ctypes.create_string_buffer(_INFO_SIZE)
    attr = struct.pack("<IIQ", fd, _INFO_SIZE, ctypes.addressof(info))
    _ret, buf = _bpf(BPF_OBJ_GET_INFO_BY_FD, attr, "reading BPF program info")
    raw = info.raw
    size = struct.unpack_from("<I", buf.raw, 4)[0]
    ptype, pid = struct.unpack_from("<II", raw, 0)
    result = {
        "id": pid,
        "type": PROG_TYPES[ptype] if ptype < len(PROG_TYPES) else "type%d" % ptype,
        "type_id": ptype,
        "tag": raw[8:16].hex() if hasattr(raw, "hex") else "",
        "load_time": struct.unpack_from("<Q", raw, 40)[0],
        "created_by_uid": struct.unpack_from("<I", raw, 48)[0],
        "name": raw[64:80].split(b"\0", 1)[0].decode("utf-8", "replace"),
        "run_time_ns": 0,
        "run_cnt": 0,
        "stats_supported": size >= 208,
        "recursion_misses": 0,
    }
    if size >= 208:
        result["run_time_ns"], result["run_cnt"] = struct.unpack_from("<QQ", raw, 192)
    if size >= 216:  # Linux 5.12+: runs skipped because the program was already running on the CPU
        result["recursion_misses"] = struct.unpack_from("<Q", raw, 208)[0]
    return result


def bpffs_mounts():
    """Return the mount points of every bpf filesystem (from /proc/mounts)."""
    points = []
    try:
        with open("/proc/mounts") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) >= 3 and fields[2] == "bpf":
                    points.append(fields[1].replace("\\040", " "))
    except (IOError, OSError):
        pass
    return points
