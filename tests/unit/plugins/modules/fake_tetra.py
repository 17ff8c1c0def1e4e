# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An in-memory agent behind a fake `tetra` CLI, for unit tests of the modules that call tetra.

It keeps the agent semantics the modules rely on (tetragon-facts.md section 8): a policy that fails to
load stays listed as TP_STATE_LOAD_ERROR with its error and `add` exits 1 with "Error: ..."; adding a
name that is listed (other than load_error) fails; ids grow; list -o json is protojson-shaped.
A policy whose text contains REJECT fails to load."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import yaml


class FakeAgent(object):
    def __init__(self, up=True, version="v1.7.0"):
        self.up = up
        self.version = version
        self.policies = {}
        self.next_id = 1
        self.calls = []

    def entry(self, name):
        return self.policies.get(("", name))

    def run(self, argv, **kwargs):
        args = [a for a in argv[1:]]
        while args and args[0].startswith("--"):
            args = args[2:]
        self.calls.append(args)
        if not self.up:
            return 1, "", "Error: failed to connect to server unix:///var/run/tetragon/tetragon.sock\n"
        try:
            return 0, self._handle(args), ""
        except RuntimeError as exc:
            return 1, "", "Error: %s\n" % exc

    def _handle(self, args):
        if args[:2] == ["version", "--server"]:
            return "CLI version: %s\nServer version: %s\n" % (self.version, self.version)
        sub, rest = args[1], self._positional(args[2:])
        if sub == "list":
            return json.dumps({"policies": [dict(p) for p in self.policies.values()]}) + "\n"
        if sub == "add":
            return self._add(rest)
        name = rest[0]
        if ("", name) not in self.policies:
            raise RuntimeError("tracing policy %s does not exist" % name)
        if sub == "delete":
            del self.policies[("", name)]
        elif sub == "set-mode":
            if self.policies[("", name)]["mode"] == "TP_MODE_MONITOR_ONLY":
                raise RuntimeError("cannot set policy mode on a policy that is monitor only")
            self.policies[("", name)]["mode"] = "TP_MODE_" + rest[1].upper()
        return ""

    @staticmethod
    def _positional(args):
        """Positional words of a subcommand, flags (--mode X, --namespace X) after them as [flag, value]
        pairs; `--` ends the flags, as in cobra."""
        words, flags = [], []
        while args:
            arg = args.pop(0)
            if arg == "--":
                words.extend(args)
                break
            if arg.startswith("-"):
                if arg in ("--mode", "-m"):
                    flags.append(args.pop(0))
                elif arg in ("--namespace", "-n", "--output", "-o"):
                    args.pop(0)
                else:
                    raise RuntimeError("unknown flag: %s" % arg)
            else:
                words.append(arg)
        return words + ["--mode"] + flags if flags else words

    def _add(self, rest):
        with open(rest[0]) as handle:
            text = handle.read()
        doc = yaml.safe_load(text)
        name = doc["metadata"]["name"]
        old = self.entry(name)
        if old is not None and old["state"] != "TP_STATE_LOAD_ERROR":
            raise RuntimeError("failed to add tracing policy %s: a sensor collection with the key already exists"
                               % name)
        options = {o["name"]: o["value"] for o in (doc.get("spec") or {}).get("options") or []}
        mode = rest[2] if len(rest) > 2 else options.get("policy-mode", "enforce")
        entry = {"id": str(self.next_id), "name": name, "state": "TP_STATE_ENABLED",
                 "mode": "TP_MODE_" + mode.upper(), "sensors": ["generic_kprobe"], "text": text}
        self.next_id += 1
        self.policies[("", name)] = entry
        if "REJECT" in text:
            entry["state"], entry["error"] = "TP_STATE_LOAD_ERROR", "policy handler failed: REJECT found"
            raise RuntimeError("failed to add tracing policy: sensor generic_kprobe from collection %s failed to "
                               "load: REJECT found" % name)
        return ""
