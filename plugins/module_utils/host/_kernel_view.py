# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

What a kernel offers the hooks of a policy, read lazily from files: BTF functions (with a per-boot
cache), kallsyms, tracefs, the kernel config, the active LSMs, the error-injection list and the
kprobe PMU. Standard library only (runs on managed hosts).

    KernelView.host(cache_dir=...)                     this host's kernel
    KernelView.files(btf=..., tracefs=..., kallsyms=...)  only the given files (CI; features unknown)

A feature is (True | False | None, how it was decided); None means it could not be decided.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import json
import os
import platform
import re
import stat
import tempfile

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._btf import BtfError, func_arg_counts, read_btf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._files import open_regular
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._kernel_symbols import parse_kallsyms
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tracefs import Tracefs

BTF_PATH = "/sys/kernel/btf/vmlinux"
KALLSYMS_PATH = "/proc/kallsyms"
TRACEFS_ROOTS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")
LSM_PATH = "/sys/kernel/security/lsm"
CMDLINE_PATH = "/proc/cmdline"
ERROR_INJECTION_PATH = "/sys/kernel/debug/error_injection/list"
BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id"
KPROBE_PMU = "/sys/bus/event_source/devices/kprobe"
DEFAULT_CACHE_DIR = "/run/ebpfops-tetragon"
CACHE_FORMAT = 1
MAX_TEXT_BYTES = 64 * 1024 * 1024
ARCH_PREFIXES = {"x86_64": "__x64_", "amd64": "__x64_", "aarch64": "__arm64_", "arm64": "__arm64_"}
_CONFIG_RE = re.compile(r"^(CONFIG_\w+)=(.*)$")


def _read_text(path, limit=MAX_TEXT_BYTES):
    """File text, or None when it cannot be read."""
    if not path:
        return None
    try:
        with open_regular(path) as handle:
            if path.endswith(".gz"):
                with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                    data = unzipped.read(limit)
            else:
                data = handle.read(limit)
    except (IOError, OSError, EOFError, ValueError):
        return None
    return data.decode("utf-8", "replace")


def parse_config(text):
    """{CONFIG_X: value} of a kernel .config text (unset options are absent)."""
    out = {}
    for line in (text or "").splitlines():
        match = _CONFIG_RE.match(line.strip())
        if match:
            out[match.group(1)] = match.group(2).strip('"')
    return out


def _read_cache(cache, key):
    """{function: parameter count} of a cache file written for `key`, or None when it is missing, stale
    or not what _write_cache writes (the BTF is parsed again then)."""
    try:
        with open_regular(cache) as handle:
            text = handle.read(MAX_TEXT_BYTES + 1)
        cached = json.loads(text.decode("utf-8"))
    except (IOError, OSError, ValueError, RuntimeError):  # RuntimeError: RecursionError of deep nesting
        return None
    funcs = cached.get("funcs") if isinstance(cached, dict) and cached.get("key") == key else None
    if not isinstance(funcs, dict) or len(text) > MAX_TEXT_BYTES:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in funcs.values()):
        return None
    return funcs


class KernelView(object):
    def __init__(self, btf=None, tracefs=None, kallsyms=None, config=None, lsm=None, cmdline=None,
                 error_injection=None, kprobe_pmu=None, boot_id=None, cache_dir=None, machine=None,
                 module_btf_dir=None, source="host"):
        self.btf_path = btf
        self.tracefs = Tracefs(tracefs) if tracefs else None
        self.kallsyms_path = kallsyms
        self.config_path = config
        self.lsm_path = lsm
        self.cmdline_path = cmdline
        self.error_injection_path = error_injection
        self.kprobe_pmu = kprobe_pmu
        self.boot_id_path = boot_id
        self.cache_dir = cache_dir
        self.machine = machine
        self.module_btf_dir = module_btf_dir
        self.source = source
        self.btf_from_cache = False
        self._memo = {}

    @classmethod
    def host(cls, cache_dir=DEFAULT_CACHE_DIR):
        tracefs = next((r for r in TRACEFS_ROOTS if os.path.isdir(os.path.join(r, "events"))), None)
        config = "/proc/config.gz" if os.path.exists("/proc/config.gz") else "/boot/config-%s" % platform.release()
        return cls(btf=BTF_PATH, tracefs=tracefs, kallsyms=KALLSYMS_PATH, config=config, lsm=LSM_PATH,
                   cmdline=CMDLINE_PATH, error_injection=ERROR_INJECTION_PATH, kprobe_pmu=KPROBE_PMU,
                   boot_id=BOOT_ID_PATH, cache_dir=cache_dir, machine=platform.machine(),
                   module_btf_dir=os.path.dirname(BTF_PATH), source="host")

    @classmethod
    def files(cls, btf=None, tracefs=None, kallsyms=None):
        return cls(btf=btf, tracefs=tracefs, kallsyms=kallsyms, source="files")

    def _once(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # --- symbols -----------------------------------------------------------------------------
    def btf_funcs(self):
        """{function: parameter count} from BTF, or None when there is no usable BTF."""
        return self._once("btf", self._load_btf)

    def btf_error(self):
        self.btf_funcs()
        return self._memo.get("btf_error")

    def _cache_file(self, size, mtime):
        if not self.cache_dir or not self.boot_id_path:
            return None, None
        boot_id = (_read_text(self.boot_id_path, 64) or "").strip()
        if not re.match(r"^[0-9a-fA-F-]{8,64}$", boot_id):
            return None, None
        key = "%d:%s:%s:%d:%d" % (CACHE_FORMAT, boot_id, self.btf_path, size, mtime)
        return os.path.join(self.cache_dir, "btf-funcs-%s.json" % boot_id), key

    def _private_dir(self):
        """The cache directory, created 0700; None unless it is ours and private."""
        try:
            os.mkdir(self.cache_dir, 0o700)
        except OSError:
            pass
        try:
            info = os.lstat(self.cache_dir)
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return None
        return self.cache_dir

    def _load_btf(self):
        if not self.btf_path:
            self._memo["btf_error"] = "no BTF file given"
            return None
        try:
            info = os.stat(self.btf_path)
        except OSError as exc:
            self._memo["btf_error"] = "%s: %s" % (self.btf_path, exc.strerror)
            return None
        cache, key = self._cache_file(info.st_size, int(getattr(info, "st_mtime_ns", info.st_mtime * 1e9)))
        if cache and self._private_dir():
            funcs = _read_cache(cache, key)
            if funcs is not None:
                self.btf_from_cache = True
                return funcs
        try:
            data = read_btf(self.btf_path)
        except BtfError as exc:
            self._memo["btf_error"] = str(exc)
            return None
        try:
            funcs = func_arg_counts(data)
        except BtfError as exc:
            self._memo["btf_error"] = "%s is not usable BTF: %s" % (self.btf_path, exc)
            return None
        if cache and self._private_dir():
            self._write_cache(cache, key, funcs)
        return funcs

    def _write_cache(self, cache, key, funcs):
        """Best effort: a cache that cannot be written is left out (no partial file is left behind)."""
        tmp = None
        try:
            for name in os.listdir(self.cache_dir):
                if name.startswith(("btf-funcs-", ".btf-")) and os.path.join(self.cache_dir, name) != cache:
                    os.unlink(os.path.join(self.cache_dir, name))
            fd, tmp = tempfile.mkstemp(prefix=".btf-", dir=self.cache_dir)
            with os.fdopen(fd, "w") as handle:
                json.dump({"key": key, "funcs": funcs}, handle, separators=(",", ":"))
            os.rename(tmp, cache)
        except (IOError, OSError):
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def kallsyms(self):
        """{symbol: module or ""} of kernel text symbols, or None when unreadable."""
        def compute():
            text = _read_text(self.kallsyms_path)
            return parse_kallsyms(text) if text is not None else None
        return self._once("kallsyms", compute)

    def module_has_btf(self, module):
        return bool(self.module_btf_dir and module and re.match(r"^[\w-]+$", module)
                    and os.path.exists(os.path.join(self.module_btf_dir, module)))

    def syscall_prefix(self):
        """The host ABI's syscall symbol prefix ("__x64_"), from the symbols, else the machine."""
        def compute():
            names = self.btf_funcs() or self.kallsyms() or {}
            for prefix in ("__x64_", "__arm64_"):
                if prefix + "sys_read" in names:
                    return prefix
            return ARCH_PREFIXES.get(self.machine or "")
        return self._once("prefix", compute)

    # --- features ----------------------------------------------------------------------------
    def config(self):
        def compute():
            text = _read_text(self.config_path)
            return parse_config(text) if text is not None else None
        return self._once("config", compute)

    def _config_says(self, option):
        config = self.config()
        if config is None:
            return None
        return config.get(option) in ("y", "m")

    def kprobes(self):
        if self.source != "host":
            return None, "kernel features are not checked when resolving against files"
        if self.kprobe_pmu and os.path.isdir(self.kprobe_pmu):
            return True, "kprobe PMU %s" % self.kprobe_pmu
        if self.tracefs and os.path.exists(os.path.join(self.tracefs.root, "kprobe_events")):
            return True, "%s/kprobe_events" % self.tracefs.root
        configured = self._config_says("CONFIG_KPROBES")
        if configured is False:
            return False, "the kernel is built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)"
        if configured:
            return False, "CONFIG_KPROBES is set but neither the kprobe PMU nor kprobe_events is available"
        return False, "neither the kprobe PMU nor kprobe_events is available"

    def _config_feature(self, option, what):
        if self.source != "host":
            return None, "kernel features are not checked when resolving against files"
        value = self._config_says(option)
        if value is None:
            return None, "the kernel config is not readable, so %s is not known" % what
        return value, "%s %s in the kernel config" % (option, "is set" if value else "is not set")

    def kprobe_multi(self):
        return self._config_feature("CONFIG_FPROBE", "kprobe_multi support")

    def override_helper(self):
        return self._config_feature("CONFIG_BPF_KPROBE_OVERRIDE", "bpf_override_return")

    def fmod_ret(self):
        value, how = self._config_feature("CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "fmod_ret (BPF trampolines)")
        if value and self.btf_funcs() is None:
            return False, "fmod_ret needs kernel BTF: %s" % self.btf_error()
        return value, how

    def error_injection(self):
        """Set of functions on the error-injection list, or None when it cannot be read."""
        def compute():
            text = _read_text(self.error_injection_path) if self.source == "host" else None
            if text is None:
                return None
            return set(line.split()[0] for line in text.splitlines() if line.split())
        return self._once("ei", compute)

    def bpf_lsm(self):
        if self.source != "host":
            return None, "kernel features are not checked when resolving against files"
        active = _read_text(self.lsm_path, 4096)
        if active is not None:
            names = active.strip().split(",")
            return "bpf" in names, "active LSMs (%s): %s" % (self.lsm_path, active.strip())
        if self._config_says("CONFIG_BPF_LSM") is False:
            return False, "the kernel is built without CONFIG_BPF_LSM"
        cmdline = _read_text(self.cmdline_path, 65536) or ""
        match = re.search(r"(?:^|\s)lsm=(\S*)", cmdline)
        if match:
            return "bpf" in match.group(1).split(","), "lsm= on the kernel command line: %s" % match.group(1)
        config = self.config()
        if config and "CONFIG_LSM" in config and self._config_says("CONFIG_BPF_LSM"):
            return ("bpf" in config["CONFIG_LSM"].split(","),
                    "default CONFIG_LSM (%s; %s not readable)" % (config["CONFIG_LSM"], self.lsm_path))
        return None, "%s is not readable (mount securityfs) and the kernel config does not tell" % self.lsm_path
