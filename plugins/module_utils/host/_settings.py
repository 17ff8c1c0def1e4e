# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Checks of the settings the role ebpfops.tetragon.tetragon writes on hosts, before anything is written:
daemon flags become file names in /etc/tetragon/tetragon.conf.d (name = flag, content = value) and
systemd directives become lines of the unit's drop-in. Each problem names the variable and the key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Tetragon's flag names (pkg/option/flags.go): lower-case words joined by single dashes.
FLAG_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FLAG_NAME_MAX = 100
# A systemd directive name, such as CPUQuota or MemoryMax.
DIRECTIVE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
VALUE_MAX = 65536
_SIZE = r"[0-9]+(\.[0-9]+)?[KMGTPE]?"
_PERCENT = r"[0-9]+(\.[0-9]+)?%"
# systemd.resource-control(5) syntax of the directives the role documents and checks on the running unit.
DIRECTIVE_SYNTAX = {
    "CPUQuota": (r"^(%s)?$" % _PERCENT, "a percentage such as 50% or 200% (empty removes the quota)"),
    "CPUWeight": (r"^([0-9]+|idle)?$", "a number from 1 to 10000, or idle"),
    "StartupCPUWeight": (r"^([0-9]+|idle)?$", "a number from 1 to 10000, or idle"),
    "IOWeight": (r"^[0-9]*$", "a number from 1 to 10000"),
    "TasksMax": (r"^([0-9]+|%s|infinity)?$" % _PERCENT, "a number, a percentage or infinity"),
}
for _name in ("MemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "MemorySwapMax", "MemoryZSwapMax"):
    DIRECTIVE_SYNTAX[_name] = (r"^(%s|%s|infinity)?$" % (_SIZE, _PERCENT),
                               "bytes with an optional K, M, G, T suffix, a percentage, or infinity")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _entries(mapping, name, what, name_error, errors, sources=None):
    """Yield (key, where, value as text) of the mapping's set entries, in key order; the problems of its shape,
    its key names (name_error(where) for a key name_ok refuses) and non-scalar values go to errors."""
    if not isinstance(mapping, dict):
        errors.append("%s must be a mapping of %s to value, got %s" % (name, what, type(mapping).__name__))
        return
    name_ok, message = name_error
    for key in sorted(mapping, key=str):
        value = mapping[key]
        where = (sources or {}).get(key) or "%s[%r]" % (name, key)
        if not isinstance(key, str) or not name_ok(key):
            errors.append("%s: %s" % (where, message))
        elif isinstance(value, (dict, list)):
            errors.append("%s: the value must be a string, number or boolean, got %s" % (where, type(value).__name__))
        elif value is not None:
            yield key, where, _text(value)


_FLAG_NAME = (lambda key: len(key) <= FLAG_NAME_MAX and FLAG_NAME.match(key),
              "not a Tetragon flag name (lower-case letters, digits and single dashes, such as export-rate-limit, "
              "at most %d characters); the name becomes a file name in /etc/tetragon/tetragon.conf.d" % FLAG_NAME_MAX)
_DIRECTIVE_NAME = (DIRECTIVE_NAME.match, "not a systemd directive name (such as CPUQuota or MemoryMax)")


def flag_errors(config, name="tetragon_config", sources=None):
    """Problems of the daemon flags {flag: value}; None values (flag left out) are fine.

    sources, {flag: where it was set}, names the variable in the messages (default: name[flag]).
    """
    errors = []
    for _key, where, text in _entries(config, name, "flag name", _FLAG_NAME, errors, sources):
        if len(text) > VALUE_MAX:
            errors.append("%s: the value has %d characters, over the limit of %d" % (where, len(text), VALUE_MAX))
        elif _CONTROL.search(text):
            errors.append("%s: the value holds a control character (NUL, escape, carriage return, ...); only "
                          "newlines and tabs are allowed (newline-separated lists such as export-allowlist)" % where)
    return errors


def directive_errors(limits, name="tetragon_systemd_limits"):
    """Problems of the systemd directives {Directive: value} of the unit's drop-in."""
    errors = []
    for key, where, text in _entries(limits, name, "systemd directive", _DIRECTIVE_NAME, errors):
        if _LINE_CONTROL.search(text) or text.endswith("\\") or text != text.strip() or len(text) > 4096:
            errors.append("%s: the value must be one line of at most 4096 characters without control characters, "
                          "surrounding blanks or a trailing backslash (it becomes the line %s=<value> of the "
                          "drop-in)" % (where, key))
            continue
        syntax = DIRECTIVE_SYNTAX.get(key)
        if syntax and not re.match(syntax[0], text):
            errors.append("%s: %r is not %s (systemd.resource-control(5))" % (where, text, syntax[1]))
    return errors
