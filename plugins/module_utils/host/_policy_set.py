# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

A policy set on a host (standard library only; the module policy_set_apply). The state directory holds:
  manifest.json       the set placed last: {"policies": [{name, namespace, file, mode, sha256}]}
  pending.json        what an unfinished change may have placed (removed when the change completes)
  previous/           the set a rollback restores: manifest.json and files/<file>, byte for byte
The kept set is replaced only when the copy of the new one is complete (previous.new, then renames), and
is not replaced while a change is pending: then it is still the last good set.

    PolicySet(tetra, policy_dir, state_dir, tmpdir=None)
      .apply(wanted, check=False, view=None) -> result dict, or raises PlacementError; with a KernelView,
                                                every policy's document is resolved on it before anything
      .rollback(wanted, check=False) -> result dict, or raises PlacementError
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._placement import (
    Placement, PlacementError, read_file, write_file)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._resolve import (
    describe_finding, on_this_host, resolve)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import TetraError, problems

ENTRY_KEYS = ("name", "namespace", "file", "mode", "sha256")
STATE_FILE_MODE = 0o600


def record(policy):
    return dict((key, policy.get(key) or "") for key in ENTRY_KEYS)


def _unique(entries):
    seen, out = set(), []
    for entry in entries:
        if entry["file"] not in seen:
            seen.add(entry["file"])
            out.append(entry)
    return out


def _json(entries):
    return json.dumps({"policies": entries}, indent=2, sort_keys=True) + "\n"


class PolicySet(object):
    def __init__(self, tetra, policy_dir, state_dir, tmpdir=None):
        self.tetra = tetra
        self.policy_dir = policy_dir
        self.state_dir = state_dir
        self.tmpdir = tmpdir
        self.manifest = os.path.join(state_dir, "manifest.json")
        self.pending = os.path.join(state_dir, "pending.json")
        self.previous = os.path.join(state_dir, "previous")
        self.result = dict(changed=False, changing=False, placed=[], changed_policies=[], removed=[], diff=[])
        inside = os.path.join(os.path.normpath(policy_dir), "")
        if os.path.join(os.path.normpath(state_dir), "").startswith(inside):
            self.fail("state_dir %s is inside policy_dir %s: Tetragon loads every file there (and one level of "
                      "sub-directories) at start. Put it elsewhere. Nothing was changed." % (state_dir, policy_dir))

    def fail(self, msg):
        raise PlacementError(msg, dict(self.result))

    def _read_records(self, path):
        text = read_file(path)
        if text is None:
            return []
        try:
            return [record(p) for p in json.loads(text)["policies"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.fail("the record %s is not what this module writes (%s); remove it only if you know which "
                      "policies it placed" % (path, exc))

    def _write(self, path, entries):
        text = _json(entries)
        if read_file(path) != text:
            write_file(path, text, STATE_FILE_MODE)
            return True
        return False

    def _listed(self, when):
        try:
            return self.tetra.policies()
        except TetraError as exc:
            self.fail("the Tetragon agent did not answer %s (%s): start the agent, or check tetra_path and "
                      "server_address. Nothing was changed." % (when, exc))

    def _place(self, policy, listed, check):
        placement = Placement(self.tetra, self.policy_dir, policy["name"], policy.get("namespace") or "",
                              policy.get("file"), tmpdir=self.tmpdir)
        try:
            done = placement.present(policy["text"], policy.get("mode") or None, check, entries=listed)
        except PlacementError as exc:
            self.result["failed_policy"] = policy["name"]
            self.fail(exc.msg)
        self._note(done, policy["name"], "changed_policies")

    def _remove(self, entry, listed, check):
        placement = Placement(self.tetra, self.policy_dir, entry["name"], entry.get("namespace") or "",
                              entry.get("file"), tmpdir=self.tmpdir)
        try:
            done = placement.absent(check, entries=listed)
        except PlacementError as exc:
            self.fail(exc.msg)
        self._note(done, entry["name"], "removed")

    def _note(self, done, name, bucket):
        if done["changed"]:
            self.result["changed"] = True
            self.result[bucket].append(name)
            self.result["diff"].append(done["diff"])

    def _keep(self, current):
        """Copy the placed set to previous.new, complete, then swap it in for the kept one."""
        fresh = self.previous + ".new"
        if os.path.isdir(fresh):
            shutil.rmtree(fresh)
        os.makedirs(os.path.join(fresh, "files"), 0o700)
        for entry in current:
            text = read_file(os.path.join(self.policy_dir, entry["file"]))
            if text is None:
                self.fail("%s, placed by the last change, is missing from %s, so the placed set cannot be kept "
                          "for a rollback; nothing was changed" % (entry["file"], self.policy_dir))
            write_file(os.path.join(fresh, "files", entry["file"]), text, STATE_FILE_MODE)
        write_file(os.path.join(fresh, "manifest.json"), _json(current), STATE_FILE_MODE)
        old = self.previous + ".old"
        if os.path.isdir(old):
            shutil.rmtree(old)
        if os.path.isdir(self.previous):
            os.rename(self.previous, old)
        os.rename(fresh, self.previous)
        if os.path.isdir(old):
            shutil.rmtree(old)

    def _prepare_state_dir(self, check):
        if not check and not os.path.isdir(self.state_dir):
            os.makedirs(self.state_dir, 0o700)
            os.chmod(self.state_dir, 0o700)

    def resolve(self, wanted, view):
        """Resolve every policy's document on `view`; fails, before anything is read or touched, naming each
        policy with a resolve error."""
        refused, findings = [], {}
        for index, policy in enumerate(wanted):
            document = policy.get("document")
            if not isinstance(document, dict):
                self.fail("policies[%d] (%s) has no document to resolve on %s; give the policies of "
                          "ebpfops.tetragon.policy_set, or set resolve: false. Nothing was placed."
                          % (index, policy["name"], on_this_host()))
            try:
                found = resolve(document, view)["findings"]
            except ValueError as exc:
                self.fail("policies[%d] (%s): document: %s. Nothing was placed." % (index, policy["name"], exc))
            findings[policy["name"]] = found
            errors = [f for f in found if f["severity"] == "error"]
            if errors:
                label = policy.get("label")
                refused.append((policy["name"], "policy %s (file %s%s): %s" % (
                    policy["name"], policy["file"], (", from %s" % label) if label else "",
                    "; ".join(describe_finding(f) for f in errors))))
        self.result["resolve_findings"] = findings
        if refused:
            self.result["failed_policy"] = refused[0][0]
            self.fail("the policy set does not resolve on %s, so nothing was placed there: %s. Fix the policy, or "
                      "set resolve: false where you know this kernel better"
                      % (on_this_host(), " | ".join(text for dummy, text in refused)))

    def apply(self, wanted, check=False, view=None):
        if view is not None:
            self.resolve(wanted, view)
        current, pending = self._read_records(self.manifest), self._read_records(self.pending)
        entries = [record(p) for p in wanted]
        changing = current != entries
        self.result.update(changing=changing, placed=[p["name"] for p in wanted])
        listed = self._listed("before the change")
        self._prepare_state_dir(check)
        if changing and not check:
            if not pending:
                self._keep(current)
            self._write(self.pending, _unique(pending + entries))
        for policy in wanted:
            self._place(policy, listed, check)
        files = set(e["file"] for e in entries)
        for entry in _unique(current + pending):
            if entry["file"] not in files:
                self._remove(entry, listed, check)
        if not check:
            self.result["changed"] = self._write(self.manifest, entries) or self.result["changed"]
            if os.path.exists(self.pending):
                os.unlink(self.pending)
        return self.result

    def verify(self, wanted):
        """Problems of the set on the agent (one `tetra tracingpolicy list`)."""
        listed = self._listed("after the change")
        return problems(listed, [(p.get("namespace") or "", p["name"]) for p in wanted])

    def rollback(self, wanted, check=False):
        kept_path = os.path.join(self.previous, "manifest.json")
        if read_file(kept_path) is None:
            self.result.update(rolled_back=False, msg="no earlier policy set is recorded in %s; nothing to roll "
                                                      "back" % self.previous)
            return self.result
        kept = self._read_records(kept_path)
        current, pending = self._read_records(self.manifest), self._read_records(self.pending)
        listed = self._listed("before the rollback")
        files = set(e["file"] for e in kept)
        for entry in _unique(current + pending + [record(p) for p in wanted]):
            if entry["file"] not in files:
                self._remove(entry, listed, check)
        for entry in kept:
            text = read_file(os.path.join(self.previous, "files", entry["file"]))
            if text is None:
                self.fail("the kept file %s is missing from %s; the rollback cannot restore %s"
                          % (entry["file"], os.path.join(self.previous, "files"), entry["name"]))
            self._place(dict(entry, text=text, mode=""), listed, check)
        if not check:
            self._write(self.manifest, kept)
            if os.path.exists(self.pending):
                os.unlink(self.pending)
        self.result.update(rolled_back=True, placed=[e["name"] for e in kept])
        return self.result
