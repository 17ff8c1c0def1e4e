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
#  - serves `tetra` on the socket of server-address (a JSON protocol of its own, not gRPC).
import errno
import json
import os
import re
import shutil
import signal
import socket
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
    import _bpf  # noqa: E402  (a copy of the collection's plugins/module_utils/bpf/_syscalls.py)
    import _btf  # noqa: E402  (a copy of plugins/module_utils/bpf/_btf.py)
except ImportError:
    _bpf = _btf = None

CONF_DIRS = ["/usr/lib/tetragon/tetragon.conf.d", "/usr/local/lib/tetragon/tetragon.conf.d",
             "/etc/tetragon/tetragon.conf.d"]
DEFAULTS = {"server-address": "localhost:54321", "tracing-policy-dir": "/etc/tetragon/tetragon.tp.d",
            "bpf-dir": "tetragon", "health-server-address": ":6789", "metrics-server": "",
            "release-pinned-bpf": "true"}
RUN_DIR = "/var/run/tetragon"
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
        self.fds = []
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
    link = _bpf.attach_tracepoint(prog, subsys, event)
    os.makedirs(pin_dir, exist_ok=True)
    _bpf.pin(prog, os.path.join(pin_dir, "prog"))
    owner.fds.extend([prog, link])


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


class Agent(object):
    def __init__(self, config):
        self.config = config
        self.policies = {}
        self.bpf_root = None
        self.base = Policy({"kind": "TracingPolicy", "metadata": {"name": "__base__"}})

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

    def handle(self, request):
        op = request.get("op")
        with LOCK:
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


def serve_http(address, body):
    server, dummy = listen(address)
    server.listen(8)

    def loop():
        while True:
            conn, dummy_addr = server.accept()
            conn.recv(4096)
            conn.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n" % body).encode())
            conn.close()
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
    agent = Agent(config)
    agent.socket_path = None
    signal.signal(signal.SIGTERM, agent.shutdown)
    signal.signal(signal.SIGINT, agent.shutdown)
    agent.setup_bpf()
    agent.load_directory()
    server, agent.socket_path = listen(config["server-address"])
    for key, body in (("health-server-address", "SERVING"), ("metrics-server", "# metrics of the test double")):
        if config.get(key):
            serve_http(config[key], body)
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
