# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The guard's quarantine: which files of Tetragon's policy directory hold a policy (Tetragon loads every
regular file there and one level of sub-directories, and only the first YAML document of each), moving
them to <state_dir>/quarantine/<key>/ so that an agent restart does not load them again, and putting
them back. The policy directory and the state directory may be different mounts (the guard's unit
bind-mounts both writable), so a move is copy, fsync, rename, then unlink of the source: a crash leaves
the file in both places, never in neither. Standard library only, Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

MAX_POLICY_BYTES = 4 * 1024 * 1024
RECORD = "record.json"
FILES = "files"

_TOP = re.compile(r"^([A-Za-z_][\w-]*):\s*(.*?)\s*$")
_CHILD = re.compile(r"^(\s+)([A-Za-z_][\w-]*):\s*(.*?)\s*$")


def _scalar(text):
    text = re.sub(r"\s+#.*$", "", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _flow(text, key):
    match = re.search(r"(?:^|[{,\s])%s\s*:\s*([^,}]+)" % key, text)
    return _scalar(match.group(1)) if match else ""


def policy_identity(text):
    """(kind, namespace, name) of the first YAML document of a policy file, or None.

    A line scanner for the block and flow styles policies are written in (the host has no YAML
    library): top-level `kind:` and the `name:`/`namespace:` keys directly under `metadata:`.
    """
    kind, meta, started, in_meta, child_indent = None, {}, False, False, None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith("---") or line.startswith("..."):
            if started:
                break
            continue
        started = True
        top = _TOP.match(line)
        if top:
            in_meta = top.group(1) == "metadata"
            value = _scalar(top.group(2))
            if top.group(1) == "kind":
                kind = value
            elif in_meta and value.startswith("{"):
                meta = {"name": _flow(value, "name"), "namespace": _flow(value, "namespace")}
                in_meta = False
            continue
        child = _CHILD.match(line)
        if in_meta and child:
            indent = len(child.group(1))
            child_indent = indent if child_indent is None else child_indent
            if indent == child_indent and child.group(2) in ("name", "namespace"):
                meta[child.group(2)] = _scalar(child.group(3))
    if kind not in ("TracingPolicy", "TracingPolicyNamespaced") or not meta.get("name"):
        return None
    return kind, meta.get("namespace", "") if kind == "TracingPolicyNamespaced" else "", meta["name"]


def policy_files(policy_dir):
    """Relative paths of the files Tetragon loads from policy_dir: regular files and one level below."""
    found = []
    try:
        names = sorted(os.listdir(policy_dir))
    except OSError:
        return found
    for name in names:
        path = os.path.join(policy_dir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            found.extend(os.path.join(name, sub) for sub in sorted(os.listdir(path))
                         if os.path.isfile(os.path.join(path, sub)))
        elif os.path.isfile(path):
            found.append(name)
    return found


def files_of(policy_dir, namespace, name):
    """Relative paths in policy_dir whose policy is (namespace, name)."""
    matches = []
    for rel in policy_files(policy_dir):
        try:
            with open(os.path.join(policy_dir, rel), "rb") as handle:
                text = handle.read(MAX_POLICY_BYTES).decode("utf-8", "replace")
        except (IOError, OSError):
            continue
        identity = policy_identity(text)
        if identity and identity[1:] == (namespace, name):
            matches.append(rel)
    return matches


def quarantine_dir(state_dir, key):
    return os.path.join(state_dir, "quarantine", key)


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_durably(src, dst, mode=None):
    """Copy src to dst through a temporary file in dst's directory, fsynced, then renamed."""
    folder = os.path.dirname(dst)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o700)
    tmp = os.path.join(folder, ".%s.ebpfops-guard.tmp" % os.path.basename(dst))
    with open(src, "rb") as source:
        data = source.read()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(tmp, mode)
    os.rename(tmp, dst)
    _fsync_dir(folder)
    return data


def write_json(path, data):
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o700)
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(tmp, path)


def quarantine(policy_dir, state_dir, key, rels, record):
    """Move the policy files rels out of policy_dir into the quarantine of key; write its record."""
    target = quarantine_dir(state_dir, key)
    moved = []
    for rel in rels:
        src = os.path.join(policy_dir, rel)
        mode = os.stat(src).st_mode & 0o7777
        copy_durably(src, os.path.join(target, FILES, rel))
        moved.append({"path": rel, "mode": mode})
    record = dict(record)
    record["policy_dir"] = policy_dir
    record["files"] = moved
    write_json(os.path.join(target, RECORD), record)
    for rel in rels:
        os.unlink(os.path.join(policy_dir, rel))
    if rels:
        _fsync_dir(policy_dir)
    return record


def quarantined(state_dir):
    """{key: record} of every quarantined policy."""
    root = os.path.join(state_dir, "quarantine")
    found = {}
    try:
        keys = sorted(os.listdir(root))
    except OSError:
        return found
    for key in keys:
        try:
            with open(os.path.join(root, key, RECORD)) as handle:
                found[key] = json.load(handle)
        except (IOError, OSError, ValueError):
            found[key] = {"policy": key, "error": "no readable %s in %s" % (RECORD, os.path.join(root, key))}
    return found


def restore_plan(state_dir, key, record):
    """[(quarantined path, destination path, mode, conflict)] to put the files of key back."""
    plan = []
    source_dir = os.path.join(quarantine_dir(state_dir, key), FILES)
    for entry in record.get("files", []):
        src = os.path.join(source_dir, entry["path"])
        dst = os.path.join(record["policy_dir"], entry["path"])
        conflict = None
        if os.path.exists(dst):
            with open(src, "rb") as one, open(dst, "rb") as two:
                if one.read() != two.read():
                    conflict = "%s exists with other content" % dst
        plan.append((src, dst, entry.get("mode", 0o644), conflict))
    return plan


def remove_quarantine(state_dir, key):
    target = quarantine_dir(state_dir, key)
    for dirpath, dirnames, filenames in os.walk(target, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            os.rmdir(os.path.join(dirpath, name))
    if os.path.isdir(target):
        os.rmdir(target)
