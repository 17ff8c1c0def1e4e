# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The running agent's policies through its own CLI (`tetra tracingpolicy ...`), on the managed host.
Standard library only. `run(argv) -> (rc, stdout, stderr)` is injected (AnsibleModule.run_command on a
host, a fake agent in unit tests).

    Tetra(run, tetra_path, server_address=None)
      .policies()            -> {(namespace, name): entry}   (tetra tp list -o json)
      .add(path, mode=None)  -> None or raises TetraError with the agent's error text
      .delete(name, namespace="") / .set_mode(name, mode, namespace="")
      .disable(name, namespace="") / .enable(name, namespace="")   (ConfigureTracingPolicy from tetra 1.4)
Positional arguments follow `--`, so a name or path starting with '-' is never read as a flag.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

ENABLED = "TP_STATE_ENABLED"
LOAD_ERROR = "TP_STATE_LOAD_ERROR"
MONITOR_ONLY = "TP_MODE_MONITOR_ONLY"
# The options of every module that talks to the agent (doc fragment ebpfops.tetragon._tetra; action group tetra).
TETRA_ARGUMENT_SPEC = dict(
    tetra_path=dict(type="path", default="/usr/local/bin/tetra"),
    server_address=dict(type="str"),
    timeout=dict(type="int", default=30),
)


def cli_problem(tetra_path):
    """Why the modules cannot call the agent's CLI at tetra_path, or None."""
    if os.path.exists(tetra_path):
        return None
    return ("the Tetragon CLI %s is not on this host; install Tetragon first (role ebpfops.tetragon.tetragon) or "
            "set tetra_path" % tetra_path)


class TetraError(Exception):
    """The agent or the CLI said no; the message is their text."""


def _message(rc, out, err):
    text = (err or "").strip() or (out or "").strip()
    return text or "tetra exited with %d and printed nothing" % rc


def parse_list(text):
    """`tetra tp list -o json` output -> {(namespace, name): entry} (protojson omits zero values)."""
    try:
        data = json.loads(text or "{}")
    except ValueError as exc:
        raise TetraError("tetra tracingpolicy list -o json printed something that is not JSON (%s): %.200s"
                         % (exc, text))
    if not isinstance(data, dict) or not isinstance(data.get("policies", []), list):
        raise TetraError("tetra tracingpolicy list -o json printed no {\"policies\": [...]}: %.200s" % text)
    out = {}
    for entry in data.get("policies") or []:
        if isinstance(entry, dict) and entry.get("name"):
            out[(entry.get("namespace", ""), entry["name"])] = entry
    return out


def entry_problem(entry):
    """Why a listed policy is not usable, or None when it is enabled with no error."""
    if entry is None:
        return "the agent does not list it"
    state = entry.get("state") or ("TP_STATE_ENABLED" if entry.get("enabled") else "TP_STATE_UNKNOWN")
    if entry.get("error"):
        return "state %s: %s" % (state, entry["error"])
    if state != ENABLED:
        return "state %s" % state
    return None


def problems(listed, keys):
    """[{name, problem}] for each (namespace, name) of `keys` the agent does not run enabled with no error."""
    found = []
    for key in keys:
        problem = entry_problem(listed.get(tuple(key)))
        if problem:
            found.append(dict(name=("%s/%s" % tuple(key)) if key[0] else key[1], problem=problem))
    return found


def runtime_mode(entry):
    """enforce, monitor, monitor_only or None (agents before 1.4 have no modes)."""
    mode = (entry or {}).get("mode") or ""
    return mode[len("TP_MODE_"):].lower() if mode.startswith("TP_MODE_") and mode != "TP_MODE_UNKNOWN" else None


class Tetra(object):
    def __init__(self, run, tetra_path, server_address=None, timeout=30):
        self._run = run
        self.base = [tetra_path]
        if server_address:
            self.base += ["--server-address", server_address]
        self.base += ["--timeout", "%ds" % int(timeout)]

    def _call(self, *args):
        rc, out, err = self._run(self.base + list(args))
        if rc != 0:
            raise TetraError(_message(rc, out, err))
        return out

    def version(self):
        for line in self._call("version", "--server").splitlines():
            if line.startswith("Server version:"):
                return line.split(":", 1)[1].strip()
        raise TetraError("tetra version --server printed no server version")

    def policies(self):
        return parse_list(self._call("tracingpolicy", "list", "-o", "json"))

    def add(self, path, mode=None):
        args = ["tracingpolicy", "add"]
        if mode:
            args += ["--mode", mode]
        self._call(*(args + ["--", path]))

    def delete(self, name, namespace=""):
        args = ["tracingpolicy", "delete"]
        if namespace:
            args += ["--namespace", namespace]
        self._call(*(args + ["--", name]))

    def set_mode(self, name, mode, namespace=""):
        args = ["tracingpolicy", "set-mode"]
        if namespace:
            args += ["--namespace", namespace]
        self._call(*(args + ["--", name, mode]))

    def disable(self, name, namespace=""):
        self._switch("disable", name, namespace)

    def enable(self, name, namespace=""):
        self._switch("enable", name, namespace)

    def _switch(self, verb, name, namespace):
        args = ["tracingpolicy", verb]
        if namespace:
            args += ["--namespace", namespace]
        self._call(*(args + ["--", name]))
