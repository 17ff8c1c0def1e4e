# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Placing one policy on a host: the one implementation behind the modules tracing_policy and
policy_set_apply. Standard library only.

A file in the policy directory that the agent cannot load stops the agent from starting, so a policy is
added to the running agent and must be listed enabled before its file is written. Tetragon keys a policy
by the metadata.name inside its YAML (tetragon-facts.md section 8: a second add of a listed name fails),
so a new version cannot be proven beside the running one: the running version is deleted, the new one
added, and when the agent rejects it (or stops answering) the previous text, read from the policy file
before anything was touched, is added back, retrying. A running policy with no file to restore from is
refused before anything is touched.

    Placement(tetra, policy_dir, name, namespace="", file_name=None, tmpdir=None)
      .present(content, mode=None, check=False, entries=None) -> result dict, or raises PlacementError
      .absent(check=False, entries=None, warn=None)           -> result dict, or raises PlacementError
    write_file(path, text, mode)  explicit mode, root-owned when run as root, atomic rename
    exit_placed(module, result)   exit_json, with the diff only in diff mode
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import tempfile
import time

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._names import (
    confined_path, name_problem, namespace_problem, policy_file_name)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    TetraError, entry_problem, runtime_mode)

POLICY_FILE_MODE = 0o644
RESTORE_ATTEMPTS = 3


class PlacementError(Exception):
    def __init__(self, msg, result):
        super(PlacementError, self).__init__(msg)
        self.msg = msg
        self.result = result


def _text(data):
    return data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data


def _bytes(text):
    return text.encode("utf-8", "surrogateescape") if not isinstance(text, bytes) else text


def read_file(path):
    """A regular file's text, or None when there is none."""
    try:
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            return _text(handle.read())
    except (IOError, OSError):
        return None


def _own(fd, mode):
    os.fchmod(fd, mode)
    if os.geteuid() == 0:
        os.fchown(fd, 0, 0)


def write_file(path, text, mode=POLICY_FILE_MODE):
    """Write `text` to `path` atomically with `mode` (never the umask's), root-owned when run as root. The
    temporary file is made beside the directory (Tetragon loads every file in its policy directory)."""
    directory = os.path.dirname(path)
    for where in (os.path.dirname(directory) or directory, directory):
        try:
            fd, tmp = tempfile.mkstemp(prefix=".ebpfops-", suffix=".tmp", dir=where)
        except (IOError, OSError):
            continue
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_bytes(text))
                out.flush()
                _own(out.fileno(), mode)
                os.fsync(out.fileno())
            os.rename(tmp, path)
            return
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if exc.errno != errno.EXDEV:
                raise
    raise OSError(errno.EACCES, "cannot create a temporary file beside %s" % path)


def exit_placed(module, result):
    """End a module with `result`; its diff (the policy files' texts) only in diff mode."""
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


class Placement(object):
    def __init__(self, tetra, policy_dir, name, namespace="", file_name=None, tmpdir=None, sleep=None):
        problem = name_problem(name) or namespace_problem(namespace)
        if problem:
            raise PlacementError(problem, dict(changed=False, name=name))
        self.tetra = tetra
        self.name, self.namespace = name, namespace or ""
        self.key = (self.namespace, self.name)
        self.directory = policy_dir
        self.tmpdir = tmpdir
        self.sleep = sleep or time.sleep
        try:
            self.path = confined_path(policy_dir, file_name or policy_file_name(self.name, self.namespace))
        except ValueError as exc:
            raise PlacementError(str(exc), dict(changed=False, name=name))
        self.before = read_file(self.path)
        self.content = None
        self.result = dict(changed=False, name=self.name, path=self.path, agent_state=None, agent_mode=None,
                           replaced=False)

    def fail(self, msg):
        raise PlacementError(msg, dict(self.result))

    def finish(self, entry, after):
        self.result["agent_state"] = (entry or {}).get("state")
        self.result["agent_mode"] = runtime_mode(entry)
        self.result["diff"] = dict(before=self.before or "", after=after or "", before_header=self.path,
                                   after_header=self.path)
        return dict(self.result)

    def listed(self, when):
        try:
            return self.tetra.policies()
        except TetraError as exc:
            self.fail("the Tetragon agent did not answer %s (%s); a policy is written to %s only after the "
                      "running agent has loaded it: start the agent, or check tetra_path and server_address"
                      % (when, exc, self.directory))

    def add_text(self, text, mode):
        handle, tmp = tempfile.mkstemp(prefix=".ebpfops-policy-", suffix=".yaml", dir=self.tmpdir)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_bytes(text))
                _own(out.fileno(), 0o600)
            self.tetra.add(tmp, mode)
        finally:
            os.unlink(tmp)

    def loaded(self, text, mode):
        """Add `text`; (None, entry) when the agent lists it enabled, else (why, None) with the rejected entry
        deleted again. Raises TetraError when the agent does not answer."""
        error = None
        try:
            self.add_text(text, mode)
        except TetraError as exc:
            error = str(exc)
        entry = self.tetra.policies().get(self.key)
        problem = entry_problem(entry)
        if error is None and problem is None:
            return None, entry
        if entry is not None:
            self.tetra.delete(self.name, self.namespace)
        return error or problem, None

    def present(self, content, mode=None, check=False, entries=None):
        if not os.path.isdir(self.directory):
            self.fail("policy directory %s does not exist; install Tetragon (role ebpfops.tetragon.tetragon) "
                      "or set policy_dir to the agent's tracing-policy-dir" % self.directory)
        self.content = content
        entry = (entries if entries is not None else self.listed("before the change")).get(self.key)
        file_ok = self.before == content
        agent_ok = entry_problem(entry) is None
        mode_ok = mode is None or runtime_mode(entry) in (None, mode, "monitor_only")
        if file_ok and agent_ok and mode_ok:
            return self.finish(entry, content)
        if entry is not None and agent_ok and not file_ok and self.before is None:
            self.fail("policy %s runs on the agent but has no file %s to put it back from if the agent rejects "
                      "the new version, so nothing was changed: delete it from the agent first (tetra "
                      "tracingpolicy delete %s) or place its current text there" % (self.name, self.path, self.name))
        self.result["changed"] = True
        if check:
            return self.finish(entry, content)
        if file_ok and agent_ok:
            try:
                self.tetra.set_mode(self.name, mode, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to set policy %s to %s mode: %s" % (self.name, mode, exc))
            return self.finish(self.listed("after set-mode").get(self.key), content)
        if entry is not None:
            try:
                self.tetra.delete(self.name, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to delete the running policy %s before replacing it: %s"
                          % (self.name, exc))
            self.result["replaced"] = agent_ok
        try:
            error, new_entry = self.loaded(content, mode)
        except TetraError as exc:
            error, new_entry = "the agent stopped answering (%s)" % exc, None
        if error is not None:
            self.fail("Tetragon rejected policy %s: %s. %s" % (self.name, error, self.restore(entry, agent_ok)))
        if not file_ok:
            try:
                write_file(self.path, content)
            except (IOError, OSError) as exc:
                self.fail("policy %s runs on the agent, but writing %s failed: %s" % (self.name, self.path, exc))
        return self.finish(new_entry, content)

    def restore(self, entry, was_ok):
        """Put the version that ran before back on the agent (retrying); a sentence saying what happened."""
        kept = "%s was not changed" % self.path if self.before is not None else "no file was written to %s" % (
            self.directory)
        if self.before is not None and self.before == self.content:
            kept += (", and it holds this very policy, which the agent will refuse at its next start: fix the "
                     "policy or remove the file")
        if entry is None or not was_ok:
            return self._cleanup(kept)
        mode = runtime_mode(entry) if runtime_mode(entry) in ("enforce", "monitor") else None
        error = None
        for attempt in range(RESTORE_ATTEMPTS):
            if attempt:
                self.sleep(attempt)
            try:
                listed = self.tetra.policies().get(self.key)
                if listed is not None and entry_problem(listed) is None:
                    return "The previous version runs again; %s." % kept
                if listed is not None:
                    self.tetra.delete(self.name, self.namespace)
                error, dummy = self.loaded(self.before, mode)
            except TetraError as exc:
                error = "the agent did not answer (%s)" % exc
            if error is None:
                return "The previous version runs again; %s." % kept
        return ("Putting the previous version back failed %d times too (last: %s); %s, so the agent loads the "
                "previous version at its next start." % (RESTORE_ATTEMPTS, error, kept))

    def _cleanup(self, kept):
        try:
            if self.tetra.policies().get(self.key) is not None:
                self.tetra.delete(self.name, self.namespace)
        except TetraError as exc:
            return "Removing the rejected policy from the agent failed: %s; %s." % (exc, kept)
        return "The policy was removed from the agent again; %s." % kept

    def absent(self, check=False, entries=None, warn=None):
        try:
            entry = (entries if entries is not None else self.tetra.policies()).get(self.key)
        except TetraError as exc:
            entry = None
            if self.before is not None and warn is not None:
                warn("the Tetragon agent did not answer (%s): %s is removed from the policy directory and is "
                     "gone from the agent at its next start" % (exc, self.name))
        if entry is None and self.before is None:
            return self.finish(None, None)
        self.result["changed"] = True
        if check:
            return self.finish(entry, None)
        if entry is not None:
            try:
                self.tetra.delete(self.name, self.namespace)
            except TetraError as exc:
                self.fail("the agent refused to delete policy %s: %s" % (self.name, exc))
        if self.before is not None:
            try:
                os.unlink(self.path)
            except OSError as exc:
                self.fail("cannot remove %s: %s" % (self.path, exc))
        return self.finish(None, None)
