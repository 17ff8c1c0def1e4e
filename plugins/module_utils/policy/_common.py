# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Findings, YAML paths and version parsing shared by the policy engine (controller side).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")
_KERNEL_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def finding(rule, severity, path, message, hint="", fixable=False):
    """One lint result: what rule, how bad, where (YAML path), what and how to fix."""
    return {
        "rule": rule,
        "severity": severity,
        "path": path,
        "message": message,
        "hint": hint,
        "fixable": bool(fixable),
    }


def join_path(base, key):
    """spec + kprobes -> spec.kprobes; spec.kprobes + 0 -> spec.kprobes[0]."""
    if isinstance(key, int):
        return "%s[%d]" % (base, key)
    key = str(key)
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", key):
        key = '"%s"' % key.replace('"', '\\"')
    return key if not base else "%s.%s" % (base, key)


_NUMBER_RE = re.compile(r"(\d+)")


def path_sort_key(path):
    """Natural order of YAML paths: spec.kprobes[2] before spec.kprobes[10]."""
    return tuple(int(part) if i % 2 else part for i, part in enumerate(_NUMBER_RE.split(path or "")))


def path_of(parts):
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path


def parse_version(text):
    """'1.7.0', 'v1.7', '1.8.0-pre.0' -> (1, 7, 0); None when not a version."""
    match = _VERSION_RE.match(str(text).strip())
    if not match:
        return None
    return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def parse_kernel(text):
    """'6.8.12', '5.4.0-150-generic' -> (6, 8, 12); None when not a kernel release."""
    match = _KERNEL_RE.match(str(text).strip())
    if not match:
        return None
    return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def version_str(version):
    return "v%d.%d" % (version[0], version[1]) if version else "?"


def as_list(value):
    return value if isinstance(value, list) else []


def as_dict(value):
    return value if isinstance(value, dict) else {}


def scalar(value):
    """The value when it is a plain scalar (usable as a key or in a set), else None."""
    return value if isinstance(value, (str, int, float, bool)) else None


def lists_by_name(spec):
    """spec.lists as {name: list dict}, skipping malformed entries."""
    out = {}
    for item in as_list(as_dict(spec).get("lists")):
        name = scalar(as_dict(item).get("name"))
        if name is not None:
            out.setdefault(name, as_dict(item))
    return out


def count(findings):
    """Counts per severity."""
    result = dict((sev, 0) for sev in SEVERITIES)
    for item in findings:
        result[item["severity"]] = result.get(item["severity"], 0) + 1
    return result


def at_or_above(findings, level):
    """Findings at severity `level` or worse; level 'never' matches nothing."""
    if level not in SEVERITY_RANK:
        return []
    rank = SEVERITY_RANK[level]
    return [f for f in findings if SEVERITY_RANK[f["severity"]] >= rank]
