# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The ebpfops-guard program (installed by the role ebpfops.tetragon.guard, run by its systemd unit):

    ebpfops-guard run --config FILE                 sample, decide, act, record, until SIGTERM
    ebpfops-guard release --config FILE KEY [--check]   put a quarantined policy back (JSON on stdout)
    ebpfops-guard status --config FILE              the state directory's status (JSON on stdout)

Journal lines go to stderr with syslog priority prefixes (<3> error, <4> warning, <6> info).
Standard library only, Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._session import StatsUnavailable
from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard import _budget, _quarantine
from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard._sample import sample
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    ENABLED, Tetra, TetraError, entry_problem)

DECISIONS = "decisions.jsonl"
STATUS = "status.json"
RECENT = 20


def log(priority, message):
    sys.stderr.write("<%d>%s\n" % (priority, message))
    sys.stderr.flush()


def run_command(argv, timeout):
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    except OSError as exc:
        return 127, "", "cannot run %s: %s" % (argv[0], exc)
    try:
        out, err = proc.communicate(timeout=timeout + 5)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return 124, out, "%s did not answer within %d s" % (argv[0], timeout + 5)
    return proc.returncode, out, err


def policy_key(namespace, name):
    """Tetragon's policy directory name in bpffs: <name> or <namespace>:<name>, '/' as '_'."""
    name = name.replace("/", "_")
    return "%s:%s" % (namespace, name) if namespace else name


class Guard(object):
    def __init__(self, config, run=None, clock=time.time):
        self.config = config
        self.clock = clock
        runner = run or (lambda argv: run_command(argv, config["tetra_timeout"]))
        self.tetra = Tetra(runner, config["tetra_path"], config["server_address"] or None,
                           config["tetra_timeout"])
        self.state_dir = config["state_dir"]
        self.host = socket.gethostname()
        self.recent = []

    # --- state directory
    def _read_recent(self):
        """The last decisions of decisions.jsonl (also those another process, the release, appended)."""
        path = os.path.join(self.state_dir, DECISIONS)
        try:
            stat = os.stat(path)
        except OSError:
            return []
        if getattr(self, "_seen", None) == (stat.st_size, stat.st_mtime):
            return self.recent
        self._seen = (stat.st_size, stat.st_mtime)
        with open(path, "rb") as handle:
            handle.seek(max(0, stat.st_size - 65536))
            lines = handle.read().decode("utf-8", "replace").splitlines()[1 if stat.st_size > 65536 else 0:]
        recent = []
        for line in lines[-RECENT:]:
            try:
                recent.append(json.loads(line))
            except ValueError:
                continue
        return recent

    def record(self, record):
        record = dict(record, host=self.host)
        path = os.path.join(self.state_dir, DECISIONS)
        if not os.path.isdir(self.state_dir):
            os.makedirs(self.state_dir, 0o700)
        with open(path, "a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        self._trim(path)
        level = 6 if record["action"] in ("log", "release") and record["result"] != "failed" else 4
        log(3 if record["result"] == "failed" else level, _budget.journal_line(record))
        return record

    def _trim(self, path):
        keep = self.config["keep_decisions"]
        with open(path) as handle:
            lines = handle.readlines()
        if len(lines) > keep:
            with open(path + ".tmp", "w") as handle:
                handle.writelines(lines[-keep:])
            os.rename(path + ".tmp", path)

    def write_status(self, sample_info):
        self.recent = self._read_recent()
        status = {
            "format": _budget.FORMAT,
            "host": self.host,
            "updated": round(self.clock(), 3),
            "updated_iso": _budget.iso(self.clock()),
            "config": dict((k, self.config[k]) for k in (
                "interval", "sample_seconds", "samples", "policy_budget_percent", "host_budget_percent",
                "policy_budgets", "action", "exempt")),
            "last_sample": sample_info,
            "quarantined": sorted(_quarantine.quarantined(self.state_dir)),
            "decisions": self.recent,
        }
        _quarantine.write_json(os.path.join(self.state_dir, STATUS), status)

    # --- acting on a decision
    def _agent_entry(self, key):
        for (namespace, name), entry in self.tetra.policies().items():
            if policy_key(namespace, name) == key:
                return namespace, name, entry
        return None, None, None

    def act(self, decision):
        config = self.config
        key = decision["policy"]
        action = config["action"]
        if action == "log":
            return self.record(_budget.finish(decision, self.clock(), "done", detail="logged only (action log)"))
        try:
            namespace, name, entry = self._agent_entry(key)
        except TetraError as exc:
            return self.record(_budget.finish(decision, self.clock(), "failed",
                                              detail="cannot list the agent's policies: %s" % exc))
        if entry is None:
            return self.record(_budget.finish(decision, self.clock(), "skipped",
                                              detail="the agent lists no policy for pin directory %s" % key))
        fields = {"name": name, "namespace": namespace}
        try:
            if action == "disable":
                self.tetra.disable(name, namespace)
            else:
                self.tetra.delete(name, namespace)
        except TetraError as exc:
            return self.record(_budget.finish(decision, self.clock(), "failed",
                                              detail="tetra tracingpolicy %s: %s" % (action, exc), **fields))
        acted = self.clock()
        try:
            rels = _quarantine.files_of(config["policy_dir"], namespace, name)
            record = _budget.finish(decision, acted, "done", **fields)
            record["detail"] = ("%sd in the agent; files quarantined: %s" % (action, ", ".join(rels))) if rels else \
                ("%sd in the agent; no file of it in %s (added at runtime: a restart does not load it)"
                 % (action, config["policy_dir"]))
            record = _quarantine.quarantine(config["policy_dir"], self.state_dir, key, rels, record)
        except (IOError, OSError) as exc:
            return self.record(_budget.finish(decision, acted, "failed", detail=(
                "%sd in the agent, but its file could not be quarantined (an agent restart loads it again): %s"
                % (action, exc)), **fields))
        return self.record(record)

    # --- the service loop
    def run(self, sampler=sample, sleep=time.sleep, monotonic=time.monotonic, rounds=None):
        config = self.config
        root = os.path.join(config["bpffs"], config["bpf_dir"])
        cpus = os.cpu_count() or 1
        tracker = _budget.Tracker(config)
        log(6, "guarding the policies pinned under %s: every %.1f s a %.2f s sample; budget per policy %s, "
               "host %s; %d consecutive samples over budget -> %s"
            % (root, config["interval"], config["sample_seconds"], _pct(config["policy_budget_percent"]),
               _pct(config["host_budget_percent"]), config["samples"], config["action"]))
        next_start = monotonic()
        waiting = False
        done = 0
        while rounds is None or done < rounds:
            done += 1
            info = None
            if not os.path.isdir(root):
                if not waiting:
                    log(4, "no Tetragon pins at %s (agent not running or another --bpf-dir): waiting" % root)
                waiting = True
            else:
                waiting = False
                try:
                    start, elapsed, policies = sampler(root, config["sample_seconds"], cpus)
                except _bpf.BpfError as exc:
                    if exc.errno in (errno.EPERM, errno.EACCES):
                        log(3, "cannot read BPF statistics: %s; the unit needs CAP_SYS_ADMIN" % exc)
                        return 1
                    log(4, "sample failed: %s" % exc)
                except StatsUnavailable as exc:
                    log(3, "cannot measure here: %s" % exc)
                    return 1
                else:
                    for decision in tracker.observe(policies, start, elapsed):
                        self.act(decision)
                    info = {"start": round(start, 3), "seconds": round(elapsed, 3), "cpus": cpus,
                            "total_percent": round(sum(p["overhead_percent"] for p in policies
                                                       if p["name"] != "__base__"), 6),
                            "policies": [{"name": p["name"], "percent": p["overhead_percent"],
                                          "over": len(tracker.runs.get(p["name"], []))} for p in policies]}
            self.write_status(info)
            next_start += config["interval"]
            now = monotonic()
            if next_start < now:
                next_start = now
            sleep(next_start - now)
        return 0

    # --- release
    def release(self, key, check=False):
        """Put quarantined policy key back: files in place, enabled (or added) in the agent, recorded."""
        _budget.check_key(key)
        records = _quarantine.quarantined(self.state_dir)
        record = records.get(key)
        namespace, name, entry = self._agent_entry(key)
        if record is None:
            if entry is not None and entry_problem(entry) is None:
                return {"changed": False, "policy": key, "msg": "%s is not quarantined and runs enabled" % key}
            raise GuardError("%s is not quarantined in %s (quarantined: %s) and the agent %s"
                             % (key, self.state_dir, ", ".join(sorted(records)) or "none",
                                "does not list it" if entry is None else "lists it as " + entry_problem(entry)))
        if "files" not in record:
            raise GuardError("the quarantine record of %s is unreadable: %s" % (key, record.get("error")))
        plan = _quarantine.restore_plan(self.state_dir, key, record)
        conflicts = [c for _s, _d, _m, c in plan if c]
        if conflicts:
            raise GuardError("cannot release %s: %s; move that file away first" % (key, "; ".join(conflicts)))
        name = name or record.get("name") or key.split(":")[-1]
        namespace = namespace if entry is not None else record.get("namespace", "")
        if entry is None:
            step = "add"
        elif entry_problem(entry) is None:
            step = "none"
        else:
            step = "enable"
        result = {"changed": True, "policy": key, "files": [d for _s, d, _m, _c in plan], "agent": step}
        if check:
            result["msg"] = "would put back %s and %s it in the agent" % (", ".join(result["files"]) or "no file",
                                                                        step)
            return result
        placed = []
        try:
            for src, dst, mode, _conflict in plan:
                _quarantine.copy_durably(src, dst, mode)
                placed.append(dst)
            if step == "add":
                if not placed:
                    raise GuardError("%s was removed from the agent and has no quarantined file to add" % key)
                self.tetra.add(placed[0])
            elif step == "enable":
                self.tetra.enable(name, namespace)
            problem = entry_problem(self.tetra.policies().get((namespace, name)))
            if problem:
                raise GuardError("the agent did not enable %s after release: %s" % (key, problem))
        except (TetraError, GuardError, IOError, OSError) as exc:
            for dst in placed:
                os.unlink(dst)
            if step == "add":
                try:
                    if (namespace, name) in self.tetra.policies():
                        self.tetra.delete(name, namespace)
                except TetraError:
                    pass
            self.record({"action": "release", "policy": key, "result": "failed", "detail": str(exc),
                         "time": round(self.clock(), 3), "time_iso": _budget.iso(self.clock())})
            raise GuardError("release of %s failed, it stays quarantined: %s" % (key, exc))
        _quarantine.remove_quarantine(self.state_dir, key)
        self.record({"action": "release", "policy": key, "name": name, "namespace": namespace,
                     "result": "done", "time": round(self.clock(), 3), "time_iso": _budget.iso(self.clock()),
                     "detail": "files %s back in place; %s in the agent; quarantined by decision of %s"
                     % (", ".join(result["files"]) or "none", "added" if step == "add" else "enabled",
                        record.get("time_iso", "?"))})
        result["msg"] = "released %s" % key
        return result


class GuardError(Exception):
    pass


def _pct(value):
    return "none" if value is None else "%.4f%%" % value


def _load(path):
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        raise _budget.ConfigError("cannot read the configuration %s: %s" % (path, exc))
    except ValueError as exc:
        raise _budget.ConfigError("the configuration %s is not JSON: %s" % (path, exc))
    try:
        return _budget.load_config(data)
    except _budget.ConfigError as exc:
        raise _budget.ConfigError("%s: %s" % (path, exc))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ebpfops-guard", description="Keeps each Tetragon policy's BPF cost "
                                     "within its budget (ebpfops.tetragon.guard).")
    parser.add_argument("--config", default="/etc/ebpfops-guard/config.json")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="sample and act until stopped")
    rel = sub.add_parser("release", help="put a quarantined policy back")
    rel.add_argument("key", help="<name> or <namespace>:<name>")
    rel.add_argument("--check", action="store_true", help="say what would be done, change nothing")
    sub.add_parser("status", help="print the guard's status")
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("a command is required: run, release or status")
    try:
        config = _load(args.config)
    except _budget.ConfigError as exc:
        log(3, str(exc))
        if args.command != "run":
            print(json.dumps({"failed": True, "msg": str(exc)}))
        return 2
    guard = Guard(config)
    if args.command == "run":
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        return guard.run()
    if args.command == "status":
        try:
            with open(os.path.join(config["state_dir"], STATUS)) as handle:
                status = json.load(handle)
        except (IOError, OSError, ValueError):
            status = {"format": _budget.FORMAT, "decisions": [], "last_sample": None}
        status["quarantined"] = _quarantine.quarantined(config["state_dir"])
        print(json.dumps(status, sort_keys=True))
        return 0
    try:
        result = guard.release(args.key, check=args.check)
    except (GuardError, TetraError, _budget.ConfigError) as exc:
        print(json.dumps({"failed": True, "changed": False, "policy": args.key, "msg": str(exc)}))
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0
