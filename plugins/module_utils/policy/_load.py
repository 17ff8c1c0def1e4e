# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Safe loading of TracingPolicy YAML (controller side). Every problem with the input becomes an
error finding on that file (rules Y1-Y8) instead of an exception: invalid YAML, duplicate keys,
alias bombs, huge or deeply nested input, binary data, empty files, wrong top-level types.

    load_text(text, source) -> [PolicyDocument dict]
    load_path(path)         -> [PolicyDocument dict] for a file or every YAML file under a directory

A PolicyDocument is {"file", "index", "document", "findings", "lines"}: `document` is the parsed
mapping (None when unusable) and `lines` maps YAML paths to 1-based line numbers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import finding, join_path

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR = None
    try:
        _BaseLoader = yaml.CSafeLoader
    except AttributeError:
        _BaseLoader = yaml.SafeLoader
except ImportError as exc:  # pragma: no cover - PyYAML is a declared controller requirement
    HAS_YAML = False
    YAML_IMPORT_ERROR = exc
    _BaseLoader = object

MAX_BYTES = 1024 * 1024
MAX_NODES = 200000
MAX_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")


def _doc(source, index, document=None, findings=None, lines=None):
    return {"file": source, "index": index, "document": document,
            "findings": findings or [], "lines": lines or {}}


def _file_error(source, rule, message, hint, line=None):
    item = finding(rule, "error", "", message, hint)
    if line:
        item["line"] = line
    return [_doc(source, 0, findings=[item])]


def _mark_line(exc):
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _decode(data, source):
    """bytes -> str, or a Y4/Y5 error list."""
    if len(data) > MAX_BYTES:
        return None, _file_error(
            source, "Y4", "file is %d bytes, over the %d-byte limit for a policy" % (len(data), MAX_BYTES),
            "Split the file: Tetragon policies are a few KiB; a huge file is almost certainly not a policy.")
    if b"\x00" in data:
        return None, _file_error(source, "Y5", "file contains NUL bytes: binary data, not YAML",
                                 "Point the linter at the policy's YAML text, not a binary or archive.")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _file_error(source, "Y5", "file is not UTF-8 text (byte %d): %s" % (exc.start, exc.reason),
                                 "Save the policy as UTF-8 YAML.")


class _Walk(object):
    """Iterative walk over a composed node graph: duplicate keys, size after alias expansion, depth."""

    def __init__(self):
        self.lines = {}
        self.problems = []

    def expanded_size(self, root):
        sizes = {}
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if key in sizes and not done:
                continue
            children = self._children(node)
            if not done:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
                continue
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[key] = min(total, MAX_NODES + 1)
        return sizes.get(id(root), 1)

    @staticmethod
    def _children(node):
        if isinstance(node, yaml.MappingNode):
            out = []
            for key, value in node.value:
                out.append(key)
                out.append(value)
            return out
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    def paths(self, root):
        seen = set()
        stack = [(root, "", 0)]
        while stack:
            node, path, depth = stack.pop()
            self.lines.setdefault(path, node.start_mark.line + 1)
            if depth > MAX_DEPTH:
                self.problems.append(("Y4", path, "nesting deeper than %d levels" % MAX_DEPTH, node))
                return
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                keys = {}
                for key, value in node.value:
                    name = key.value if isinstance(key, yaml.ScalarNode) else None
                    if name is not None and key.tag != "tag:yaml.org,2002:merge":
                        if name in keys:
                            self.problems.append((
                                "Y2", join_path(path, name),
                                "duplicate key '%s' (first at line %d, again at line %d)"
                                % (name, keys[name], key.start_mark.line + 1), key))
                        else:
                            keys[name] = key.start_mark.line + 1
                    stack.append((value, join_path(path, name if name is not None else "?"), depth + 1))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append((item, join_path(path, index), depth + 1))


def _plain(value):
    """Make constructed YAML JSON-friendly (dates become strings) without recursion limits."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _normalise(root):
    if not isinstance(root, (dict, list)):
        return _plain(root)
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item.keys()):
                value = _plain(item[key])
                item[key] = value
                if isinstance(value, (dict, list)):
                    stack.append(value)
        else:
            for index, value in enumerate(item):
                value = _plain(value)
                item[index] = value
                if isinstance(value, (dict, list)):
                    stack.append(value)
    return root


def _type_name(value):
    if value is None:
        return "null"
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__)


def load_text(text, source="<content>"):
    """Parse policy text (str or bytes) into PolicyDocuments; never raises on bad input."""
    if not HAS_YAML:
        raise RuntimeError("PyYAML is required: %s" % YAML_IMPORT_ERROR)
    if isinstance(text, bytes):
        text, errors = _decode(text, source)
        if errors:
            return errors
    elif len(text.encode("utf-8", "replace")) > MAX_BYTES:
        return _decode(text.encode("utf-8", "replace"), source)[1]
    elif "\x00" in text:
        return _decode(b"\x00", source)[1]
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return _file_error(source, "Y6", "file is empty (no YAML document)",
                           "Write a TracingPolicy document, or remove the empty file: Tetragon loads every "
                           "file in its policy directory.")
    loader = _BaseLoader(text)
    nodes = []
    try:
        try:
            while loader.check_node():
                nodes.append(loader.get_node())
        except yaml.YAMLError as exc:
            line, col = _mark_line(exc)
            where = " at line %s column %s" % (line, col) if line else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            rule = "Y5" if "unacceptable character" in str(exc) else "Y1"
            return _file_error(source, rule, "invalid YAML%s: %s" % (where, problem),
                               "Fix the YAML syntax (indentation, quoting, unclosed brackets).", line)
        except RecursionError:
            return _file_error(source, "Y4", "YAML nested too deeply to parse",
                               "A policy is a few levels deep; this input is not a policy.")
        docs = []
        multi = len(nodes) > 1
        for index, node in enumerate(nodes):
            docs.append(_load_node(loader, node, source, index, multi))
        return docs or _file_error(source, "Y6", "file has no YAML document", "Write a TracingPolicy document.")
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()


def _load_node(loader, node, source, index, multi):
    walk = _Walk()
    findings = []
    if multi and index == 0:
        findings.append(finding(
            "Y3", "warning", "", "first document of a multi-document file: Tetragon loads it and silently "
            "ignores the documents after it", "Put each policy in its own file."))
    elif multi:
        findings.append(finding(
            "Y3", "error", "", "document %d of a multi-document file: Tetragon loads one policy per file "
            "and never loads this document" % (index + 1), "Put each policy in its own file."))
    size = walk.expanded_size(node)
    if size > MAX_NODES:
        findings.append(finding("Y4", "error", "",
                                "document expands to more than %d YAML nodes (alias bomb?)" % MAX_NODES,
                                "Remove the anchors/aliases that multiply the document; policies need none."))
        return _doc(source, index, findings=findings)
    walk.paths(node)
    for rule, path, message, _node in walk.problems:
        hint = ("Keep one of the keys: Tetragon's strict loader rejects duplicate keys."
                if rule == "Y2" else "A policy is a few levels deep; this input is not a policy.")
        item = finding(rule, "error", path, message, hint)
        item["line"] = _node.start_mark.line + 1
        findings.append(item)
    if any(f["rule"] == "Y4" for f in findings):
        return _doc(source, index, findings=findings, lines=walk.lines)
    try:
        document = _normalise(loader.construct_document(node))
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
        line, col = _mark_line(exc)
        item = finding("Y1", "error", "", "YAML document cannot be constructed: %s"
                       % (getattr(exc, "problem", None) or exc), "Use plain YAML: strings, numbers, lists, maps.")
        if line:
            item["line"] = line
        findings.append(item)
        return _doc(source, index, findings=findings, lines=walk.lines)
    if document is None:
        findings.append(finding("Y6", "error", "", "document %d is empty" % (index + 1),
                                "Remove the empty document (a stray '---')."))
        return _doc(source, index, findings=findings, lines=walk.lines)
    if not isinstance(document, dict):
        findings.append(finding("Y7", "error", "",
                                "top level is %s, a policy must be a mapping with apiVersion, kind, metadata "
                                "and spec" % _type_name(document),
                                "Start the file with 'apiVersion: cilium.io/v1alpha1' and 'kind: TracingPolicy'."))
        return _doc(source, index, findings=findings, lines=walk.lines)
    return _doc(source, index, document=document, findings=findings, lines=walk.lines)


def load_file(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (IOError, OSError) as exc:
        return _file_error(path, "Y8", "cannot read file: %s" % (exc.strerror or exc),
                           "Check that the path exists and is readable.")
    return load_text(data, path)


def policy_files(path):
    """Sorted YAML files under a directory (recursively), or the path itself."""
    if not os.path.isdir(path):
        return [path]
    found = []
    for base, dirs, files in os.walk(path):
        dirs.sort()
        for name in files:
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                found.append(os.path.join(base, name))
    return sorted(found)


def load_path(path):
    """Load a file, or every YAML file in a directory; a bad file never hides the others."""
    if not os.path.exists(path):
        return _file_error(path, "Y8", "path does not exist", "Give an existing policy file or directory.")
    docs = []
    for name in policy_files(path):
        docs.extend(load_file(name))
    return docs
