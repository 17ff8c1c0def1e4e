# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The hardened loader: the only way a policy text becomes data on the controller (modules, action
plugins, CLI). Every problem with the input becomes an error finding on that file (rules Y1-Y8)
instead of an exception: invalid YAML, duplicate keys, alias bombs, recursive aliases, huge or deeply
nested input, binary data, empty files, wrong top-level types, paths that are not regular files.
Time and memory are bounded: only regular files are opened, their size is checked before reading,
streams are read up to the limit, and the node graph is measured (and checked for cycles) before
anything is constructed.

    read_bytes(path)            -> bytes of a regular file, or PolicyLoadError
    read_stream(stream, label)  -> bytes of a stream (stdin), read up to the limit, or PolicyLoadError
    load_text(text, source)     -> [PolicyDocument dict]
    load_file(path)             -> [PolicyDocument dict] for one file
    load_path(path)             -> [PolicyDocument dict] for a file or every YAML file under a directory

A PolicyDocument is {"file", "index", "document", "findings", "lines", "text"}: `document` is the
parsed mapping (None when unusable) with string keys and JSON types only, `lines` maps YAML paths to
1-based line numbers and `text` is the decoded text of the whole file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import os
import stat

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
MAX_FILES = 1000
MAX_TREE_BYTES = 32 * 1024 * 1024
MAX_ENTRIES = 100000
YAML_SUFFIXES = (".yaml", ".yml")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_READ_CHUNK = 65536


class PolicyLoadError(ValueError):
    """A policy source that cannot be read: what, where and the limit, in `str(exc)`."""

    def __init__(self, message, rule="Y8", hint="Check that the path names a readable regular file."):
        ValueError.__init__(self, message)
        self.message = message
        self.rule = rule
        self.hint = hint


def _doc(source, index, document=None, findings=None, lines=None, text=None):
    return {"file": source, "index": index, "document": document,
            "findings": findings or [], "lines": lines or {}, "text": text}


def _file_error(source, rule, message, hint, line=None):
    item = finding(rule, "error", "", message, hint)
    if line:
        item["line"] = line
    return [_doc(source, 0, findings=[item])]


def _mark_line(exc):
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


# --- reading: regular files only, size first ----------------------------------------------------------

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode):
    """'a FIFO (named pipe)' etc. for anything that is not a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def size_text(size):
    return "%d bytes (%.1f MiB)" % (size, size / 1048576.0) if size >= 1048576 else "%d bytes" % size


def _too_big(label, size, exact=True):
    """`exact` False: a stream, of which only the first MAX_BYTES + 1 bytes were read."""
    return PolicyLoadError(
        "%s is %s, over the %d-byte (1 MiB) limit for a policy"
        % (label, size_text(size) if exact else "more than %d bytes (reading stopped there)" % MAX_BYTES,
           MAX_BYTES), "Y4",
        "Split the file: Tetragon policies are a few KiB; a huge file is almost certainly not a policy.")


def os_error(path, exc):
    """PolicyLoadError for an OSError on `path`: a symlink loop and a dangling link are named as such."""
    code = getattr(exc, "errno", None)
    if code == errno.ELOOP:
        return PolicyLoadError("%s: symlink loop (too many levels of symbolic links)" % path,
                               hint="Point the symlink at a real file or directory.")
    if code == errno.ENOENT:
        if os.path.islink(path):
            return PolicyLoadError("%s is a symlink to a missing target (%s)" % (path, os.readlink(path)),
                                   hint="Point the symlink at an existing policy file.")
        return PolicyLoadError("%s does not exist" % path, hint="Give an existing policy file or directory.")
    return PolicyLoadError("%s cannot be read: %s" % (path, exc.strerror or exc),
                           hint="Check that the path exists and is readable.")


def _read_fd(fd, label):
    chunks, total = [], 0
    while total <= MAX_BYTES:
        chunk = os.read(fd, min(_READ_CHUNK, MAX_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > MAX_BYTES:
        raise _too_big(label, total, exact=False)
    return b"".join(chunks)


def read_bytes(path):
    """The bytes of a regular file; anything else (FIFO, device, directory, over MAX_BYTES) is refused
    before a byte is read, so a FIFO or /dev/zero never blocks or fills memory."""
    try:
        info = os.stat(path)
    except (IOError, OSError) as exc:
        raise os_error(path, exc)
    kind = file_kind(info.st_mode)
    if kind:
        raise PolicyLoadError("%s is %s, not a regular file; only regular files are read as policies" % (path, kind))
    if info.st_size > MAX_BYTES:
        raise _too_big(path, info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (IOError, OSError) as exc:
        raise os_error(path, exc)
    try:
        info = os.fstat(fd)
        kind = file_kind(info.st_mode)
        if kind:  # replaced between stat and open
            raise PolicyLoadError("%s is %s, not a regular file" % (path, kind))
        if info.st_size > MAX_BYTES:
            raise _too_big(path, info.st_size)
        return _read_fd(fd, path)
    except (IOError, OSError) as exc:
        raise os_error(path, exc)
    finally:
        os.close(fd)


def read_stream(stream, label="<stdin>"):
    """The bytes of a stream (stdin), never more than MAX_BYTES + 1 of them; a redirected regular file
    is size-checked first."""
    raw = getattr(stream, "buffer", stream)
    try:
        info = os.fstat(raw.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
            raise _too_big(label, info.st_size)
    except (AttributeError, ValueError, IOError, OSError):
        pass  # not a real file descriptor (tests, wrappers): the bounded read below still applies
    chunks, total = [], 0
    try:
        while total <= MAX_BYTES:
            chunk = raw.read(min(_READ_CHUNK, MAX_BYTES + 1 - total))
            if not chunk:
                break
            if not isinstance(chunk, bytes):
                chunk = chunk.encode("utf-8", "surrogateescape")
            chunks.append(chunk)
            total += len(chunk)
    except (IOError, OSError) as exc:
        raise PolicyLoadError("%s cannot be read: %s" % (label, exc.strerror or exc))
    if total > MAX_BYTES:
        raise _too_big(label, total, exact=False)
    return b"".join(chunks)


def write_target(path, what, need_directory=True):
    """(real path, current bytes or None) of a file a policy will be written to, checked before anything is
    written: a symlink is written through to its target; anything but a regular file, or a missing
    directory (unless need_directory is false), is a PolicyLoadError naming `what` (e.g. "dest")."""
    real = os.path.realpath(path)
    info = None
    for name in (path, real):
        try:
            info = os.stat(name)
        except (IOError, OSError) as exc:
            if exc.errno != errno.ENOENT:
                raise PolicyLoadError("%s %s" % (what, os_error(name, exc).message))
    if info is not None and file_kind(info.st_mode):
        raise PolicyLoadError("%s %s is %s; give the path of a regular file" % (what, path, file_kind(info.st_mode)))
    directory = os.path.dirname(real)
    if need_directory and not os.path.isdir(directory):
        raise PolicyLoadError("%s %s: directory %s does not exist; create it first" % (what, path, directory))
    if info is None:
        return real, None
    try:
        return real, read_bytes(real)
    except PolicyLoadError:
        return real, b""  # unreadable or over the limit: replaced when the new text differs


def _decode(data, source):
    """bytes -> str, or a Y4/Y5 error list."""
    if len(data) > MAX_BYTES:
        exc = _too_big("file", len(data))
        return None, _file_error(source, exc.rule, exc.message, exc.hint)
    if b"\x00" in data:
        return None, _file_error(source, "Y5", "file contains NUL bytes: binary data, not YAML",
                                 "Point the linter at the policy's YAML text, not a binary or archive.")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _file_error(source, "Y5", "file is not UTF-8 text (byte %d): %s" % (exc.start, exc.reason),
                                 "Save the policy as UTF-8 YAML.")


# --- the node graph: size after alias expansion, cycles, depth, keys, duplicates -----------------------

class _Problem(Exception):
    def __init__(self, rule, path, message, node):
        Exception.__init__(self, message)
        self.rule, self.path, self.message, self.node = rule, path, message, node


def key_text(value):
    """The text a constructed mapping key stands for (Kubernetes reads every key as a string)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


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


class _Walk(object):
    """Iterative walks over a composed node graph (which aliases can make cyclic)."""

    def __init__(self, loader):
        self.loader = loader
        self.lines = {}
        self.problems = []

    @staticmethod
    def _tree_size(root):
        """Node count when no node is reached twice (no alias: the common case), else None."""
        seen = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                return None
            seen.add(id(node))
            if len(seen) > MAX_NODES:
                return MAX_NODES + 1
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    stack.append(key)
                    stack.append(value)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
        return len(seen)

    @classmethod
    def expanded_size(cls, root):
        """Node count with every alias expanded, capped at MAX_NODES + 1; _Problem on a cycle."""
        size = cls._tree_size(root)
        if size is not None:
            return size
        sizes = {}
        open_nodes = set()
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                open_nodes.discard(key)
                sizes[key] = min(1 + sum(sizes[id(c)] for c in _children(node)), MAX_NODES + 1)
                continue
            if key in sizes:
                continue
            open_nodes.add(key)
            stack.append((node, True))
            for child in _children(node):
                if id(child) in open_nodes:
                    raise _Problem("Y4", "", "recursive alias: the anchored node at line %d contains an alias to "
                                             "itself, so the document never ends" % (child.start_mark.line + 1),
                                   child)
                if id(child) not in sizes:
                    stack.append((child, False))
        return sizes.get(id(root), 1)

    def _key(self, key):
        if not isinstance(key, yaml.ScalarNode):
            raise _Problem("Y1", "", "a mapping key at line %d is a %s; policy keys are plain strings"
                           % (key.start_mark.line + 1, "list" if isinstance(key, yaml.SequenceNode) else "mapping"),
                           key)
        return key_text(self.loader.construct_object(key))

    def paths(self, root):
        seen = set()
        stack = [(root, "", 0)]
        while stack:
            node, path, depth = stack.pop()
            self.lines.setdefault(path, node.start_mark.line + 1)
            if depth > MAX_DEPTH:
                raise _Problem("Y4", path, "nesting deeper than %d levels" % MAX_DEPTH, node)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                keys = {}
                for key, value in node.value:
                    if key.tag == _MERGE_TAG:
                        stack.append((value, path, depth + 1))
                        continue
                    name = self._key(key)
                    if name in keys:
                        self.problems.append((
                            "Y2", join_path(path, name),
                            "duplicate key '%s' (first at line %d, again at line %d)"
                            % (name, keys[name], key.start_mark.line + 1), key))
                    else:
                        keys[name] = key.start_mark.line + 1
                    stack.append((value, join_path(path, name), depth + 1))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append((item, join_path(path, index), depth + 1))


# --- construction: JSON types only --------------------------------------------------------------------

def _plain(value):
    """Constructed YAML as JSON types: dates become strings, sets mappings of null, pairs lists."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset)):
        return dict((key_text(item), None) for item in sorted(value, key=key_text))
    if isinstance(value, tuple):
        return list(value)
    return value


def _normalise(root):
    root = _plain(root)
    if not isinstance(root, (dict, list)):
        return root
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(not isinstance(key, str) for key in item):
                pairs = [(key_text(key), value) for key, value in item.items()]
                item.clear()
                item.update(pairs)
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


if HAS_YAML:
    class _Loader(_BaseLoader):
        """The safe loader, with every mapping key stored as its text (so 1 and true stay two keys)."""

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                raise yaml.constructor.ConstructorError(None, None, "expected a mapping, found %s" % node.id,
                                                        node.start_mark)
            self.flatten_mapping(node)
            mapping = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a scalar",
                                                            key_node.start_mark)
                key = key_text(self.construct_object(key_node, deep=deep))
                mapping[key] = self.construct_object(value_node, deep=deep)
            return mapping
else:  # pragma: no cover
    _Loader = _BaseLoader


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
    elif len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        return _decode(text.encode("utf-8", "replace"), source)[1]
    elif "\x00" in text:
        return _decode(b"\x00", source)[1]
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return _file_error(source, "Y6", "file is empty (no YAML document)",
                           "Write a TracingPolicy document, or remove the empty file: Tetragon loads every "
                           "file in its policy directory.")
    loader = _Loader(text)
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
        for doc in docs:
            doc["text"] = text
        return docs or _file_error(source, "Y6", "file has no YAML document", "Write a TracingPolicy document.")
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()


_HINTS = {
    "Y1": "Use plain YAML mappings with string keys, lists and scalars.",
    "Y2": "Keep one of the keys: Tetragon's strict loader rejects duplicate keys.",
    "Y4": "A policy is a few levels deep and needs no anchors or aliases; this input is not a policy.",
}


def _problem_finding(rule, path, message, node):
    item = finding(rule, "error", path, message, _HINTS[rule])
    item["line"] = node.start_mark.line + 1
    return item


def _load_node(loader, node, source, index, multi):
    walk = _Walk(loader)
    findings = []
    if multi and index == 0:
        findings.append(finding(
            "Y3", "warning", "", "first document of a multi-document file: Tetragon loads it and silently "
            "ignores the documents after it", "Put each policy in its own file."))
    elif multi:
        findings.append(finding(
            "Y3", "error", "", "document %d of a multi-document file: Tetragon loads one policy per file "
            "and never loads this document" % (index + 1), "Put each policy in its own file."))
    try:
        size = walk.expanded_size(node)
        if size > MAX_NODES:
            findings.append(finding("Y4", "error", "",
                                    "document expands to more than %d YAML nodes (alias bomb?)" % MAX_NODES,
                                    "Remove the anchors/aliases that multiply the document; policies need none."))
            return _doc(source, index, findings=findings)
        walk.paths(node)
    except _Problem as exc:
        findings.append(_problem_finding(exc.rule, exc.path, exc.message, exc.node))
        return _doc(source, index, findings=findings, lines=walk.lines)
    except (yaml.YAMLError, TypeError, ValueError) as exc:
        return _construct_error(source, index, findings, walk, exc)
    for rule, path, message, _node in walk.problems:
        findings.append(_problem_finding(rule, path, message, _node))
    try:
        document = _normalise(loader.construct_document(node))
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
        return _construct_error(source, index, findings, walk, exc)
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


def _construct_error(source, index, findings, walk, exc):
    line, _col = _mark_line(exc)
    item = finding("Y1", "error", "", "YAML document cannot be constructed: %s"
                   % (getattr(exc, "problem", None) or exc), _HINTS["Y1"])
    if line:
        item["line"] = line
    findings.append(item)
    return _doc(source, index, findings=findings, lines=walk.lines)


# --- files and directories ----------------------------------------------------------------------------

def load_file(path):
    """PolicyDocuments of one file; a path that is not a readable regular file is one Y8 (Y4: too big)."""
    try:
        data = read_bytes(path)
    except PolicyLoadError as exc:
        return _file_error(path, exc.rule, exc.message, exc.hint)
    return load_text(data, path)


def policy_files(path):
    """(files, errors, complete): the sorted YAML files under a directory (recursively, symlinked
    directories not followed) or the path itself, at most MAX_FILES + 1 of them; the (directory, OSError)
    pairs that could not be read; False when the walk stopped at MAX_ENTRIES directory entries."""
    if not os.path.isdir(path):
        return [path], [], True
    found, errors, entries = [], [], 0
    for base, dirs, files in os.walk(path, onerror=lambda exc: errors.append((exc.filename, exc))):
        dirs.sort()
        entries += len(dirs) + len(files)
        for name in files:
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                found.append(os.path.join(base, name))
        if len(found) > MAX_FILES:
            break
        if entries > MAX_ENTRIES:
            return sorted(found), errors, False
    return sorted(found), errors, True


def load_path(path):
    """Load a file, or every YAML file in a directory; a bad file never hides the others. A directory
    without a policy file is an error (Y8), and a tree over MAX_FILES files or MAX_TREE_BYTES is refused."""
    try:
        os.stat(path)
    except (IOError, OSError) as exc:
        error = os_error(path, exc)
        return _file_error(path, error.rule, error.message, error.hint)
    names, errors, complete = policy_files(path)
    docs = []
    for directory, exc in errors:
        error = os_error(directory or path, exc)
        docs.extend(_file_error(directory or path, error.rule, error.message, error.hint))
    if not complete:
        return docs + _file_error(path, "Y4", "the tree under this directory holds more than %d entries"
                                  % MAX_ENTRIES, "Point src at the policy directory itself, not a whole file system.")
    if len(names) > MAX_FILES:
        return docs + _file_error(path, "Y4", "directory holds more than %d policy files" % MAX_FILES,
                                  "Lint a smaller directory: Tetragon policy sets are a few dozen files.")
    total = 0
    for name in names:
        try:
            total += os.stat(name).st_size
        except (IOError, OSError):
            pass
        if total > MAX_TREE_BYTES:
            return docs + _file_error(path, "Y4", "the policy files under this directory hold more than %s, "
                                      "the limit for one run" % size_text(MAX_TREE_BYTES),
                                      "Lint a smaller directory: Tetragon policies are a few KiB each.")
        docs.extend(load_file(name))
    if not names and not docs:
        return _file_error(path, "Y8", "directory holds no .yaml or .yml policy file",
                           "Point src at the policy directory or file, or add the policies.")
    return docs
