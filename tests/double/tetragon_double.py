# Tetragon TEST DOUBLE: the `tetragon` daemon of the release archives that tests/double/build_releases.py
# builds. The real agent cannot run on the test machines (no kprobes) and cannot be downloaded; this
# stand-in behaves like it where the collection depends on it:
#  - reads its configuration like the agent (conf.d drop-ins, TETRAGON_* environment, --flags);
#  - loads every file of the tracing-policy directory at start and exits 1 on any policy it cannot load
#    (unparsable, not a TracingPolicy, a tracepoint or kernel function this kernel does not have);
#  - for the hooks of the policies it loads, attaches REAL minimal BPF programs and pins them where
#    Tetragon pins them (pkg/sensors/tracing/generickprobe.go, genericlsm.go, generictracepoint.go):
#      <bpffs>/tetragon/<policy>/generic_tracepoint/<subsys>:<event>/prog
#      <bpffs>/tetragon/<policy>/generic_kprobe/multi_kprobe/prog (+ multi_retkprobe) with kprobe_multi,
#      else generic_kprobe/<func>/prog, <func>:<n> for duplicates, <func>_return/prog for return probes
#      <bpffs>/tetragon/<policy>/generic_lsm/<hook>/prog (a BPF LSM program; the policy fails without BPF LSM)
#    Kprobes are attached where the kernel has them (on a kernel without kprobes the real agent cannot run
#    at all; the double then only checks the symbols);
#  - serves `tetra` on the socket of server-address (a JSON protocol of its own, not gRPC);
#  - serves Prometheus metrics on metrics-server (GET /metrics) with Tetragon's names, labels, types and
#    units per version (docs/monitoring.md), computed from what it really runs: overhead from the kernel's
#    stats of its BPF programs, missed probes from their recursion_misses, policies by state, kernel
#    memory from the memlock of the BPF map it creates per policy. Event loss: the double has no ring
#    buffer; TEST ONLY, while the control file DOUBLE_LOSS_FILE names a policy that is enabled, it loses
#    that many events per second into the counter the file names (see docs/test-double.md).
import errno
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

VERSION = "@VERSION@"
BROKEN = "@BROKEN@" == "yes"
HERE = os.path.dirname(os.path.realpath(__file__))
SUPPORT = os.path.normpath(os.path.join(HERE, "..", "lib", "tetragon", "double"))
sys.path.insert(0, SUPPORT)
import yaml  # noqa: E402  (a pure-Python copy bundled in the archive; the host's python has none)

try:
    # the collection's BPF syscalls and BTF reader, bundled in the archive as their package (build_releases.py)
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _btf  # noqa: E402
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf  # noqa: E402
except ImportError:
    if os.path.isdir(SUPPORT):
        raise  # an archive whose bundled copy does not import would run without BPF programs
    _bpf = _btf = None

CONF_DIRS = ["/usr/lib/tetragon/tetragon.conf.d", "/usr/local/lib/tetragon/tetragon.conf.d",
             "/etc/tetragon/tetragon.conf.d"]
DEFAULTS = {"server-address": "localhost:54321", "tracing-policy-dir": "/etc/tetragon/tetragon.tp.d",
            "bpf-dir": "tetragon", "health-server-address": ":6789", "metrics-server": "",
            "release-pinned-bpf": "true"}
RUN_DIR = "/var/run/tetragon"
DOUBLE_STATE_DIR = "/var/lib/tetragon-test-double"  # the double's own; nothing of Tetragon's
DOUBLE_LOSS_FILE = os.path.join(DOUBLE_STATE_DIR, "lose-events.json")
MSG_OPS = {"generic_kprobe": "13", "generic_tracepoint": "14", "generic_uprobe": "15",
           "generic_lsm": "16"}  # pkg/api/ops/ops.go
LOSS_COUNTERS = {"bpf_missed_events": "tetragon_bpf_missed_events_total",
                 "ringbuf": "tetragon_observer_ringbuf_events_lost_total",
                 "ringbuf_queue": "tetragon_observer_ringbuf_queue_events_lost_total",
                 "notify_overflowed": "tetragon_notify_overflowed_events_total"}
ENFORCING = {"sigkill", "signal", "override", "notifyenforcer", "set"}
LOCK = threading.Lock()


def log(level, msg, **fields):
    extra = "".join(' %s="%s"' % (key, value) for key, value in fields.items())
    sys.stderr.write('time="%s" level=%s msg="%s"%s\n' % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                          level, msg, extra))
    sys.stderr.flush()


def fatal(error):
    log("fatal", "Failed to start tetragon", error=error)
    sys.exit(1)


def read_config(argv):
    config = dict(DEFAULTS)
    for folder in CONF_DIRS:
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    with open(path) as handle:
                        config[name] = handle.read().strip()
    for key, value in os.environ.items():
        if key.startswith("TETRAGON_"):
            config[key[len("TETRAGON_"):].lower().replace("_", "-")] = value
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("--"):
            fatal("unknown argument %s" % arg)
        if "=" in arg:
            key, value = arg[2:].split("=", 1)
        else:
            key, value = arg[2:], (args.pop(0) if args and not args[0].startswith("--") else "true")
        config[key] = value
    return config


# Start-time refusals of the agent that the collection's rollback depends on (cmd/tetragon/main.go at v1.6.0 to
# v1.7.0): rb-size with rb-size-total; a process cache of size 0 (pkg/process/cache.go, golang-lru); with
# export-filename set, export filters that do not decode (pkg/filters/filters.go ParseFilterList) or whose
# regular expressions RE2 does not compile (pkg/filters/binary_regex.go, ...: the exporter's start fails).
RE2_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\\[1-9]")


def _size(text):
    match = re.match(r"^\s*([0-9]+)\s*([KMG]?)I?B?\s*$", text or "0", re.I)
    return int(match.group(1)) if match else 0


def _go_regexp_error(pattern):
    unsupported = RE2_UNSUPPORTED.search(pattern)
    if unsupported:
        return "error parsing regexp: invalid or unsupported Perl syntax: `%s`" % unsupported.group(0)
    try:
        re.compile(pattern)
    except re.error as exc:
        return "error parsing regexp: %s: `%s`" % (exc.msg, pattern)
    return None


def _filter_objects(text):
    decoder, objects, index = json.JSONDecoder(), [], 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            break
        value, index = decoder.raw_decode(text, index)
        if not isinstance(value, dict):
            raise ValueError("json: cannot unmarshal %s into Go value of type tetragon.Filter" % type(value).__name__)
        objects.append(value)
    return objects


def start_error(config):
    """What the agent stops its start with for this configuration, or None."""
    if _size(config.get("rb-size")) and _size(config.get("rb-size-total")):
        return "Can't specify --rb-size and --rb-size-total together"
    try:
        cache = int(config.get("process-cache-size", "65536") or 0)
    except ValueError:
        cache = 0
    if cache <= 0:
        return "must provide a positive size"
    if not config.get("export-filename"):
        return None
    pid_set = str(config.get("enable-pid-set-filter", "")).lower() in ("true", "1")
    for flag in ("export-allowlist", "export-denylist"):
        try:
            objects = _filter_objects(config.get(flag, ""))
        except ValueError as exc:
            return "failed to fetch json exporter: %s" % exc
        for obj in objects:
            if obj.get("pid_set") and not pid_set:
                return ("failed to fetch json exporter: pidSet filters use a best-effort approach for tracking PIDs "
                        "and are intended for testing/development, not for production (pass the "
                        "--enable-pid-set-filter to ignore)")
            for key in sorted(obj):
                for pattern in (obj[key] if key.endswith("_regex") and isinstance(obj[key], list) else []):
                    error = _go_regexp_error(str(pattern))
                    if error:
                        return "error starting JSON exporter: failed to compile regexp: %s" % error
    return None


def ensure_mount(path, fstype):
    with open("/proc/mounts") as handle:
        if any(line.split()[1] == path and line.split()[2] == fstype for line in handle):
            return True
    os.makedirs(path, exist_ok=True)
    return subprocess.call(["mount", "-t", fstype, fstype, path], stderr=subprocess.DEVNULL) == 0


def tracefs():
    for path in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(path, "events")):
            return path
    ensure_mount("/sys/kernel/tracing", "tracefs")
    return "/sys/kernel/tracing"


def kernel_symbols():
    try:
        with open("/proc/kallsyms") as handle:
            return {line.split()[2] for line in handle if len(line.split()) >= 3}
    except OSError:
        return set()


def syscall_symbols(name, symbols):
    bare = re.sub(r"^(__x64_|__arm64_|__ia32_)?sys_", "", name)
    return [c for c in (name, "sys_" + bare, "__x64_sys_" + bare, "__arm64_sys_" + bare) if c in symbols]


class Policy(object):
    next_id = 1

    def __init__(self, doc, mode=None):
        if not isinstance(doc, dict) or doc.get("kind") not in ("TracingPolicy", "TracingPolicyNamespaced"):
            raise ValueError("unknown kind %r: expected TracingPolicy or TracingPolicyNamespaced"
                             % (doc.get("kind") if isinstance(doc, dict) else None))
        meta = doc.get("metadata") or {}
        if not meta.get("name"):
            raise ValueError("metadata.name is missing")
        self.name = meta["name"]
        self.namespace = meta.get("namespace", "") if doc["kind"] == "TracingPolicyNamespaced" else ""
        self.spec = doc.get("spec") or {}
        self.id = Policy.next_id
        Policy.next_id += 1
        self.state, self.error, self.fds, self.sensors = "TP_STATE_ENABLED", "", [], []
        self.progs, self.maps = [], []  # [(fd, sensor, attach, section)] as Tetragon labels them; [map fd]
        self.pin_dir = None
        actions = {str(a.get("action", "")).lower() for hook in self.hooks() for s in hook[1].get("selectors") or []
                   for a in s.get("matchActions") or []}
        if not actions & ENFORCING and tuple(int(x) for x in VERSION.split(".")[:2]) >= (1, 7):
            self.mode = "TP_MODE_MONITOR_ONLY"
        else:
            option = {o.get("name"): o.get("value") for o in self.spec.get("options") or []}.get("policy-mode")
            self.mode = "TP_MODE_" + (mode or option or "enforce").upper()

    def hooks(self):
        for section in ("kprobes", "tracepoints", "lsmhooks", "uprobes"):
            for hook in self.spec.get(section) or []:
                yield section, hook

    def lists(self):
        return {item.get("name"): item for item in self.spec.get("lists") or []}

    def load(self, bpffs):
        symbols = None
        for section, hook in self.hooks():
            if section == "tracepoints":
                subsys, event = hook.get("subsystem"), hook.get("event")
                self.sensors.append("generic_tracepoint")
                if not os.path.isdir(os.path.join(tracefs(), "events", str(subsys), str(event))):
                    raise ValueError("tracepoint %s/%s not found: failed to load sensor generic_tracepoint"
                                     % (subsys, event))
            elif section == "kprobes":
                symbols = symbols if symbols is not None else kernel_symbols()
                call = str(hook.get("call", ""))
                self.sensors.append("generic_kprobe")
                calls = self.lists().get(call[5:], {}).get("values", []) if call.startswith("list:") else [call]
                for name in calls:
                    found = syscall_symbols(name, symbols) if hook.get("syscall", True) else [name]
                    if not found or (not hook.get("syscall", True) and name not in symbols):
                        raise ValueError("validateKprobeSpec: kprobe %s: symbol not found in /proc/kallsyms" % name)
            else:
                self.sensors.append("generic_" + section[:-1])
        self.sensors = sorted(set(self.sensors))
        if bpffs:
            self.attach(bpffs)

    def kprobe_functions(self):
        """[(function, is_return)] of the kprobe hooks, syscalls with the arch prefix, as the agent attaches."""
        symbols = kernel_symbols()
        out = []
        for section, hook in self.hooks():
            if section != "kprobes":
                continue
            call = str(hook.get("call", ""))
            calls = self.lists().get(call[5:], {}).get("values", []) if call.startswith("list:") else [call]
            for name in calls:
                found = syscall_symbols(name, symbols) if hook.get("syscall", True) else [name]
                arch = [f for f in found if f.startswith(("__x64_", "__arm64_"))]
                function = (arch or found or [name])[0]
                out.append((function, False))
                if hook.get("return"):
                    out.append((function, True))
        return out

    def attach(self, root):
        self.pin_dir = os.path.join(root, self.name if not self.namespace else "%s:%s" % (self.namespace, self.name))
        for section, hook in self.hooks():
            if section == "tracepoints":
                pin_tracepoint(self, os.path.join(self.pin_dir, "generic_tracepoint",
                                                  "%s:%s" % (hook["subsystem"], hook["event"])),
                               hook["subsystem"], hook["event"])
            elif section == "lsmhooks":
                pin_lsm(self, os.path.join(self.pin_dir, "generic_lsm", str(hook.get("hook"))), str(hook.get("hook")))
        functions = self.kprobe_functions()
        if functions and _bpf is not None and _bpf.kprobes_available()[0]:
            options = {o.get("name"): str(o.get("value")) for o in self.spec.get("options") or []}
            pin_kprobes(self, os.path.join(self.pin_dir, "generic_kprobe"), functions,
                        options.get("disable-kprobe-multi") != "true")

    def release(self):
        for fd in self.fds:
            os.close(fd)
        self.fds, self.progs, self.maps = [], [], []
        if self.pin_dir:
            shutil.rmtree(self.pin_dir, ignore_errors=True)

    def as_json(self):
        data = {"id": str(self.id), "name": self.name, "namespace": self.namespace, "info": "",
                "sensors": self.sensors, "enabled": self.state == "TP_STATE_ENABLED", "state": self.state,
                "error": self.error, "mode": self.mode}
        return {key: value for key, value in data.items() if value not in ("", [], False, None)}


def pin_tracepoint(owner, pin_dir, subsys, event):
    if _bpf is None:
        return
    prog = _bpf.load_probe_program("generic_tracepoint_event"[:15])
    owner.fds.append(prog)
    owner.fds.append(_bpf.attach_tracepoint(prog, subsys, event))
    os.makedirs(pin_dir, exist_ok=True)
    _bpf.pin(prog, os.path.join(pin_dir, "prog"))
    owner.progs.append((prog, "generic_tracepoint", "%s/%s" % (subsys, event), "tracepoint/generic_tracepoint"))
    policy_map(owner)


def policy_map(owner):
    """One BPF array map per policy, as Tetragon's per-policy maps (policy_conf): its memlock is the
    policy's kernel memory."""
    if owner.maps or _bpf is None:
        return
    attr = struct.pack("<IIIIIII16s", 2, 4, 64, 256, 0, 0, 0, b"policy_conf")  # BPF_MAP_TYPE_ARRAY
    fd, dummy = _bpf._bpf(0, attr + b"\0" * (72 - len(attr)), "creating the policy's BPF map")  # BPF_MAP_CREATE
    owner.fds.append(fd)
    owner.maps.append(fd)


def memlock(fd):
    try:
        with open("/proc/self/fdinfo/%d" % fd) as handle:
            for line in handle:
                if line.startswith("memlock:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def pin_kprobes(owner, sensor_dir, functions, multi):
    """kprobe_multi: one program for every entry probe (multi_kprobe), one for the return probes
    (multi_retkprobe); without it, one program per function (<func>, <func>:<n>, <func>_return)."""
    if multi:
        try:
            for is_return, pin_name in ((False, "multi_kprobe"), (True, "multi_retkprobe")):
                names = [f for f, ret in functions if ret is is_return]
                if not names:
                    continue
                prog = _bpf.load_probe_program("generic_kprobe_event"[:15], _bpf.BPF_PROG_TYPE_KPROBE,
                                               _bpf.BPF_TRACE_KPROBE_MULTI)
                owner.fds.append(prog)
                owner.fds.append(_bpf.attach_kprobe_multi(prog, sorted(set(names)), is_return))
                os.makedirs(os.path.join(sensor_dir, pin_name), exist_ok=True)
                _bpf.pin(prog, os.path.join(sensor_dir, pin_name, "prog"))
                owner.progs.append((prog, "generic_kprobe", ("%d retkprobes" if is_return else
                                                             "kprobe_multi (%d functions)") % len(names),
                                    "kprobe.multi/generic_retkprobe" if is_return else "kprobe.multi/generic_kprobe"))
            policy_map(owner)
            return
        except _bpf.BpfError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            log("info", "kprobe_multi is not available, attaching one program per function", error=exc)
            shutil.rmtree(sensor_dir, ignore_errors=True)
    seen = {}
    for function, is_return in functions:
        base = function + ("_return" if is_return else "")
        count = seen.get(base, 0)
        seen[base] = count + 1
        pin_name = base if not count else "%s:%d" % (base, count)
        prog = _bpf.load_probe_program("generic_kprobe_event"[:15], _bpf.BPF_PROG_TYPE_KPROBE)
        owner.fds.append(prog)
        owner.fds.append(_bpf.attach_kprobe(prog, function, is_return))
        os.makedirs(os.path.join(sensor_dir, pin_name), exist_ok=True)
        _bpf.pin(prog, os.path.join(sensor_dir, pin_name, "prog"))
        owner.progs.append((prog, "generic_kprobe", function,
                            "kprobe/generic_retkprobe" if is_return else "kprobe/generic_kprobe"))
    policy_map(owner)


def pin_lsm(owner, pin_dir, hook):
    if _bpf is None:
        return
    lsms = _bpf.active_lsms()
    if lsms is not None and "bpf" not in lsms:
        raise ValueError("lsm hook %s: BPF LSM is not enabled (active LSMs: %s)" % (hook, ",".join(lsms)))
    btf_id = _btf.function_ids(["bpf_lsm_" + hook]).get("bpf_lsm_" + hook)
    if btf_id is None:
        raise ValueError("lsm hook %s: no bpf_lsm_%s in the kernel's BTF" % (hook, hook))
    prog = _bpf.load_probe_program("generic_lsm_event"[:15], _bpf.BPF_PROG_TYPE_LSM, _bpf.BPF_LSM_MAC, btf_id)
    owner.fds.append(prog)
    owner.fds.append(_bpf.attach_btf_program(prog))
    os.makedirs(pin_dir, exist_ok=True)
    _bpf.pin(prog, os.path.join(pin_dir, "prog"))
    owner.progs.append((prog, "generic_lsm", hook, "lsm/generic_lsm_core"))
    policy_map(owner)


class Agent(object):
    def __init__(self, config):
        self.config = config
        self.policies = {}
        self.bpf_root = None
        self.base = Policy({"kind": "TracingPolicy", "metadata": {"name": "__base__"}})
        self.lost = {}  # {(metric, (label pairs)): events}
        self.loss_tick = time.time()

    def setup_bpf(self):
        if _bpf is None or not ensure_mount("/sys/fs/bpf", "bpf"):
            log("warning", "BPF programs are not attached (no _bpf support or no bpffs)")
            return
        tracefs()
        self.bpf_root = os.path.join("/sys/fs/bpf", self.config["bpf-dir"])
        os.makedirs(self.bpf_root, exist_ok=True)
        try:
            self.base.pin_dir = os.path.join(self.bpf_root, "__base__")
            pin_tracepoint(self.base, os.path.join(self.base.pin_dir, "event_execve"), "sched", "sched_process_exec")
            # pkg/sensors/base/base.go: the base sensor is the collection __base__ (policy and sensor name)
            self.base.progs = [(self.base.progs[0][0], "__base__", "sched/sched_process_exec", "tracepoint/sys_execve")]
        except Exception as exc:  # a kernel without BPF still runs the double, without programs
            log("warning", "base sensor not attached", error=exc)
            self.bpf_root = None

    def add(self, text, mode=None, source="grpc"):
        try:
            doc = yaml.safe_load(text)
            policy = Policy(doc, mode)
        except (yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
            raise RuntimeError("failed to parse tracing policy: %s" % exc)
        key = (policy.namespace, policy.name)
        old = self.policies.get(key)
        if old is not None and old.state != "TP_STATE_LOAD_ERROR":
            raise RuntimeError("failed to add tracing policy %s: a sensor collection with the key already exists"
                               % policy.name)
        self.policies[key] = policy
        try:
            policy.load(self.bpf_root)
        except (ValueError, OSError, Exception) as exc:
            policy.release()
            policy.state, policy.error = "TP_STATE_LOAD_ERROR", "policy handler failed: %s" % exc
            raise RuntimeError("failed to add tracing policy: sensor %s from collection %s failed to load: %s"
                               % ((policy.sensors or ["generic"])[0], policy.name, exc))
        log("info", "Added TracingPolicy with success", metadata_name=policy.name, source=source)

    def delete(self, name, namespace=""):
        policy = self.policies.pop((namespace, name), None)
        if policy is None:
            raise RuntimeError("failed to delete tracing policy %s: tracing policy %s does not exist" % (name, name))
        policy.release()

    def set_mode(self, name, mode, namespace=""):
        policy = self.policies.get((namespace, name))
        if policy is None:
            raise RuntimeError("tracing policy %s does not exist" % name)
        if policy.mode == "TP_MODE_MONITOR_ONLY":
            raise RuntimeError("cannot set policy mode on a policy that is monitor only")
        policy.mode = "TP_MODE_" + mode.upper()

    def enable(self, name, enabled, namespace=""):
        # ConfigureTracingPolicy (tetra >= 1.4): disabling unloads the policy's sensors (programs detached,
        # pins gone), enabling loads them again; the policy stays listed either way.
        policy = self.policies.get((namespace, name))
        if policy is None:
            raise RuntimeError("tracing policy %s does not exist" % name)
        if policy.state == "TP_STATE_LOAD_ERROR":
            raise RuntimeError("tracing policy %s is in state %s" % (name, policy.state))
        if enabled and policy.state != "TP_STATE_ENABLED":
            if self.bpf_root:
                policy.attach(self.bpf_root)
        elif not enabled and policy.state == "TP_STATE_ENABLED":
            policy.release()
        policy.state = "TP_STATE_ENABLED" if enabled else "TP_STATE_DISABLED"

    def lose_events(self):
        """TEST ONLY (the double has no ring buffer): while DOUBLE_LOSS_FILE names a policy that is enabled,
        add its per_second events lost since the last call to the counter it names. Called under LOCK."""
        now, since = time.time(), self.loss_tick
        self.loss_tick = now
        try:
            with open(DOUBLE_LOSS_FILE) as handle:
                control = json.load(handle)
            policy = self.policies.get((control.get("namespace", ""), control["policy"]))
            rate = float(control["per_second"])
            metric = LOSS_COUNTERS[control.get("counter", "bpf_missed_events")]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        if policy is None or policy.state != "TP_STATE_ENABLED" or rate <= 0:
            return
        labels = ()
        if metric == "tetragon_bpf_missed_events_total":
            labels = (("error", "ENOSPC"), ("msg_op", MSG_OPS.get((policy.sensors or ["generic_kprobe"])[0], "13")))
        self.lost[(metric, labels)] = self.lost.get((metric, labels), 0.0) + rate * (now - since)

    def metrics(self):
        """The exposition text of the metrics the collection reads, as this version of Tetragon serves them."""
        with LOCK:
            self.lose_events()
            policies = sorted(self.policies.values(), key=lambda p: p.id)
            runs, times, missed = {}, {}, {}
            for policy in [self.base] + [p for p in policies if p.state == "TP_STATE_ENABLED"]:
                for fd, sensor, attach, section in policy.progs:
                    info = _bpf.prog_info(fd)
                    key = (policy.namespace, policy.name, sensor, attach, section)
                    runs[key] = runs.get(key, 0) + info["run_cnt"]
                    times[key] = times.get(key, 0) + info["run_time_ns"]
                    missed[(policy.name, attach)] = missed.get((policy.name, attach), 0) + info["recursion_misses"]
            states = {}
            for policy in policies:
                states[policy.state] = states.get(policy.state, 0) + 1
            memory = [((p.name, p.namespace), sum(memlock(fd) for fd in p.maps)) for p in policies]
            lost = dict(self.lost)
        version = tuple(int(x) for x in VERSION.split(".")[:3])
        seconds = 1e9 if version >= (1, 7, 0) else 1.0  # the unit fix of commit 43a0219e1 (v1.7.0)
        out = ['# HELP tetragon_build_info Build information about tetragon', '# TYPE tetragon_build_info gauge',
               'tetragon_build_info{commit="test-double",go_version="none",modified="",time="",version="v%s"} 1'
               % VERSION]
        overhead = ("policy_namespace", "policy", "sensor", "attach", "section")
        families = [
            ("tetragon_overhead_program_seconds_total", "counter", "The total time of BPF program running.",
             [(dict(zip(overhead, key)), value / seconds) for key, value in sorted(times.items())]),
            ("tetragon_overhead_program_runs_total", "counter", "The total number of times BPF program was executed.",
             [(dict(zip(overhead, key)), value) for key, value in sorted(runs.items())]),
            ("tetragon_tracingpolicy_loaded", "gauge", "The number of loaded tracing policy by state.",
             [({"state": state}, states.get("TP_STATE_" + state.upper(), 0))
              for state in ("load_error", "error", "disabled", "enabled")]),
            ("tetragon_tracingpolicy_kernel_memory_bytes", "gauge",
             "The amount of kernel memory in bytes used by policy's sensors non-shared BPF maps (memlock).",
             [({"policy": name, "policy_namespace": namespace}, value) for (name, namespace), value in memory]),
            ("tetragon_missed_prog_probes_total", "counter", "The total number of Tetragon probe missed by program.",
             [({"policy": policy, "attach": attach}, value) for (policy, attach), value in sorted(missed.items())]),
            ("tetragon_bpf_missed_events_total", "counter",
             "Number of Tetragon perf events that are failed to be sent from the kernel.",
             [(dict(labels), int(value)) for (metric, labels), value in sorted(lost.items())
              if metric == "tetragon_bpf_missed_events_total" and int(value) > 0]),
        ]
        for metric, text in (("tetragon_observer_ringbuf_events_lost_total", "Number of perf events Tetragon ring buffer lost."),
                             ("tetragon_observer_ringbuf_queue_events_lost_total",
                              "Number of perf events Tetragon ring buffer events queue lost."),
                             ("tetragon_notify_overflowed_events_total",
                              "The total number of events dropped because listener buffer was full")):
            families.append((metric, "counter", text, [({}, int(lost.get((metric, ()), 0)))]))
        for name, kind, text, samples in families:
            out.extend(["# HELP %s %s" % (name, text), "# TYPE %s %s" % (name, kind)])
            for labels, value in samples:
                pairs = ",".join('%s="%s"' % (k, str(v).replace("\\", "\\\\").replace('"', '\\"'))
                                 for k, v in sorted(labels.items()))
                out.append("%s%s %s" % (name, "{%s}" % pairs if pairs else "", repr(float(value)) if
                                        isinstance(value, float) and not value.is_integer() else int(value)))
        return "\n".join(out) + "\n"

    def handle(self, request):
        op = request.get("op")
        with LOCK:
            self.lose_events()
            if op == "version":
                return {"version": "v" + VERSION}
            if op == "add":
                self.add(request["yaml"], request.get("mode"))
            elif op == "delete":
                self.delete(request["name"], request.get("namespace", ""))
            elif op == "set-mode":
                self.set_mode(request["name"], request["mode"], request.get("namespace", ""))
            elif op in ("enable", "disable"):
                self.enable(request["name"], op == "enable", request.get("namespace", ""))
            elif op == "list":
                return {"policies": [p.as_json() for p in sorted(self.policies.values(), key=lambda p: p.id)]}
            else:
                raise RuntimeError("unknown request %r" % op)
        return {}

    def load_directory(self):
        folder = self.config["tracing-policy-dir"]
        if not os.path.isdir(folder):
            if folder != DEFAULTS["tracing-policy-dir"]:
                fatal("failed to load tracing policies from directory %s: no such directory" % folder)
            return
        paths = []
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                paths.extend(os.path.join(path, n) for n in sorted(os.listdir(path))
                             if os.path.isfile(os.path.join(path, n)))
            elif os.path.isfile(path):
                paths.append(path)
        for path in paths:
            with open(path) as handle:
                text = handle.read()
            try:
                self.add(text, source="static")
            except RuntimeError as exc:
                fatal("failed to load tracing policy from %s: %s" % (path, exc))

    def shutdown(self, *dummy):
        for policy in list(self.policies.values()) + [self.base]:
            policy.release()
        for path in (self.socket_path, os.path.join(RUN_DIR, "tetragon.pid")):
            if path and os.path.exists(path):
                os.unlink(path)
        log("info", "Exiting tetragon")
        os._exit(0)


def listen(address):
    if address.startswith("unix://"):
        path = address[len("unix://"):]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.unlink(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        return server, path
    host, port = address.rsplit(":", 1)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host or "0.0.0.0", int(port)))
    return server, None


def serve_http(address, body, path=None):
    """A minimal HTTP/1.0 server; body is a string or a function returning one; with path, other paths are 404."""
    server, dummy = listen(address)
    server.listen(8)

    def answer(conn):
        try:
            conn.settimeout(5)
            request = conn.recv(4096).decode("latin-1").split("\r\n", 1)[0].split()
            if path and (len(request) < 2 or request[0] != "GET" or request[1].split("?")[0] != path):
                conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\n404 page not found\n")
                return
            text = body() if callable(body) else body + "\n"
            conn.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                          "Content-Length: %d\r\n\r\n%s" % (len(text.encode()), text)).encode())
        except Exception as exc:  # one bad client must not stop the server
            log("warning", "metrics request failed", error=exc)
        finally:
            conn.close()

    def loop():
        while True:
            conn, dummy_addr = server.accept()
            answer(conn)
    threading.Thread(target=loop, daemon=True).start()


def serve_api(agent, server):
    server.listen(16)
    while True:
        conn, dummy = server.accept()
        try:
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            try:
                reply = agent.handle(json.loads(data.decode()))
                reply["ok"] = True
            except (RuntimeError, KeyError, ValueError) as exc:
                reply = {"ok": False, "error": str(exc)}
            conn.sendall((json.dumps(reply) + "\n").encode())
        finally:
            conn.close()


def main():
    config = read_config(sys.argv[1:])
    log("info", "Starting tetragon version=v%s" % VERSION)
    if BROKEN:
        fatal("this release of the test double is built broken, for rollback tests")
    refused = start_error(config)
    if refused:
        fatal(refused)
    agent = Agent(config)
    agent.socket_path = None
    signal.signal(signal.SIGTERM, agent.shutdown)
    signal.signal(signal.SIGINT, agent.shutdown)
    agent.setup_bpf()
    agent.load_directory()
    server, agent.socket_path = listen(config["server-address"])
    if config.get("health-server-address"):
        serve_http(config["health-server-address"], "SERVING")
    if config.get("metrics-server"):
        serve_http(config["metrics-server"], agent.metrics, "/metrics")
    os.makedirs(RUN_DIR, exist_ok=True)
    with open(os.path.join(RUN_DIR, "tetragon-info.json"), "w") as handle:
        json.dump({"server_address": config["server-address"], "pid": os.getpid(), "version": "v" + VERSION,
                   "bpf_dir": agent.bpf_root or ""}, handle)
    with open(os.path.join(RUN_DIR, "tetragon.pid"), "w") as handle:
        handle.write(str(os.getpid()))
    log("info", "Listening for events...", server_address=config["server-address"])
    serve_api(agent, server)


if __name__ == "__main__":
    main()
