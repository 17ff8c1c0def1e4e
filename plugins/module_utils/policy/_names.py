# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The one rule for a policy's name, namespace, file name and BPF pin directory (standard library only; used
on the controller by the action plugins and on hosts by the modules that place policies).

    name_problem(name) / namespace_problem(namespace) -> None or why it is not a valid Kubernetes name
    policy_file_name(name, namespace="") -> "<name>.yaml" or "<namespace>.<name>.yaml"
    pin_dir(name, namespace="")          -> the policy's directory under Tetragon's bpffs directory
    confined_path(directory, file_name)  -> the file's path inside directory, or ValueError
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

# metadata.name of a TracingPolicy is a DNS-1123 subdomain, a namespace a DNS-1123 label (the CRD schema).
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_RE = re.compile(r"^%s(\.%s)*\Z" % (_LABEL, _LABEL))
_LABEL_RE = re.compile(r"^%s\Z" % _LABEL)
MAX_NAME = 253
MAX_NAMESPACE = 63


def _problem(value, what, pattern, limit, example):
    if not isinstance(value, str):
        return "%s must be a string, got %s" % (what, type(value).__name__)
    if not value:
        return "%s is empty" % what
    if len(value) > limit:
        return "%s is %d characters long, over the limit of %d" % (what, len(value), limit)
    if not pattern.match(value):
        return ("%s %r is not a DNS-1123 %s: lower-case letters, digits and '-'%s, starting and ending with a "
                "letter or digit (for example %s)"
                % (what, value, "subdomain" if limit == MAX_NAME else "label",
                   ", '.' between parts" if limit == MAX_NAME else "", example))
    return None


def name_problem(name):
    return _problem(name, "policy name", _SUBDOMAIN_RE, MAX_NAME, "file-monitoring")


def namespace_problem(namespace):
    if namespace in (None, ""):
        return None
    return _problem(namespace, "namespace", _LABEL_RE, MAX_NAMESPACE, "kube-system")


def policy_file_name(name, namespace=""):
    return ("%s.%s.yaml" % (namespace, name)) if namespace else "%s.yaml" % name


def pin_dir(name, namespace=""):
    """The policy's directory under the BPF pin root (pkg/tracingpolicy/utils.go): '/' becomes '_',
    a namespaced policy is NAMESPACE:NAME."""
    name = name.replace("/", "_")
    return ("%s:%s" % (namespace, name)) if namespace else name


def file_name_problem(file_name):
    if not isinstance(file_name, str) or not file_name:
        return "file name must be a non-empty string"
    if "\x00" in file_name or "/" in file_name or file_name.startswith(".") or file_name != file_name.strip():
        return "file name %r must be a plain file name inside the policy directory (no '/', NUL or leading '.')" % (
            file_name,)
    if len(file_name) > 255:
        return "file name is %d characters long, over the limit of 255" % len(file_name)
    return None


def confined_path(directory, file_name):
    """The path of `file_name` in `directory`; ValueError when it is not a plain name or would resolve
    (through a symbolic link) outside the directory."""
    problem = file_name_problem(file_name)
    if problem:
        raise ValueError(problem)
    if "\x00" in directory:
        raise ValueError("policy directory %r holds a NUL character" % directory)
    path = os.path.join(directory, file_name)
    real_dir = os.path.realpath(directory)
    if os.path.dirname(os.path.realpath(path)) != real_dir:
        raise ValueError("%s resolves to %s, outside the policy directory %s (a symbolic link?); remove the link"
                         % (path, os.path.realpath(path), real_dir))
    return path
