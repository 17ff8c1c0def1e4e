# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The JSON export filters of the Tetragon agent: the flags export-allowlist, export-denylist and
field-filters. Tetragon reads each as a stream of JSON objects (pkg/filters/filters.go ParseFilterList,
pkg/fieldfilters/fields.go ParseFieldFilterList: a json.Decoder loop) and decodes every object with
protojson into the messages Filter and FieldFilter of api/v1/tetragon/events.proto, so an unknown field,
a scalar where a list is expected or an unknown event type stops the agent at start. The fields and event
types below, and the version that introduced each, were read from events.proto at every tag v1.0.0 ..
v1.7.0 and v1.8.0-pre.0. Regular expressions (RE2) and CEL expressions are compiled by the agent only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

V10, V11, V12, V13, V14, V16, V17 = (1, 0, 0), (1, 1, 0), (1, 2, 0), (1, 3, 0), (1, 4, 0), (1, 6, 0), (1, 7, 0)

# message Filter: field -> (kind, since)
FILTER_FIELDS = {
    "binary_regex": ("strings", V10),
    "namespace": ("strings", V10),
    "health_check": ("bool", V10),
    "pid": ("pids", V10),
    "pid_set": ("pids", V10),
    "event_set": ("events", V10),
    "pod_regex": ("strings", V10),
    "arguments_regex": ("strings", V10),
    "labels": ("strings", V10),
    "policy_names": ("strings", V11),
    "capabilities": ("capabilities", V11),
    "parent_binary_regex": ("strings", V12),
    "cel_expression": ("strings", V13),
    "parent_arguments_regex": ("strings", V13),
    "container_id": ("strings", V13),
    "in_init_tree": ("bool", V13),
    "ancestor_binary_regex": ("strings", V14),
    "container_name_regex": ("strings", V16),
    "namespace_regex": ("strings", V17),
}
# message FieldFilter
FIELD_FILTER_FIELDS = {
    "event_set": ("events", V10),
    "fields": ("paths", V10),
    "action": ("action", V10),
    "invert_event_set": ("bool", V10),
}
# enum EventType
EVENT_TYPES = {
    "UNDEF": V10, "PROCESS_EXEC": V10, "PROCESS_EXIT": V10, "PROCESS_KPROBE": V10, "PROCESS_TRACEPOINT": V10,
    "PROCESS_LOADER": V10, "PROCESS_UPROBE": V10, "PROCESS_THROTTLE": V12, "PROCESS_LSM": V12,
    "PROCESS_USDT": V16, "TEST": V10, "RATE_LIMIT_INFO": V10,
}
CAP_SETS = ("permitted", "effective", "inheritable")
CAP_MATCHES = ("any", "all", "exactly", "none")
_CAP_NAME = re.compile(r"^CAP_[A-Z_]+$")
_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_UINT32 = 0xFFFFFFFF


def _camel(name):
    head, _sep, rest = name.partition("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest.split("_")) if rest else head


def _vstr(version):
    return "%d.%d" % (version[0], version[1])


class _Duplicate(ValueError):
    pass


def _pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate("the key %r appears twice in one object" % key)
        out[key] = value
    return out


def parse_stream(text):
    """The JSON values of a whitespace-separated stream, as Go's json.Decoder reads them; ValueError if not."""
    decoder = json.JSONDecoder(object_pairs_hook=_pairs)
    values, index = [], 0
    space = re.compile(r"\s*")
    while True:
        index = space.match(text, index).end()
        if index >= len(text):
            return values
        try:
            value, index = decoder.raw_decode(text, index)
        except _Duplicate as exc:
            raise ValueError(str(exc))
        except ValueError as exc:
            raise ValueError("not JSON at character %d: %s" % (index, str(exc).split(":")[0]))
        values.append(value)


def _events(value, version, where):
    if not isinstance(value, list) or not value:
        return ["%s must be a non-empty list of event type names such as PROCESS_EXEC" % where]
    errors = []
    for item in value:
        since = EVENT_TYPES.get(item) if isinstance(item, str) else None
        if since is None:
            errors.append("%s: %r is not an event type (%s)" % (where, item, ", ".join(
                sorted(name for name, when in EVENT_TYPES.items() if when <= version))))
        elif since > version:
            errors.append("%s: event type %s needs Tetragon %s or later" % (where, item, _vstr(since)))
    return errors


def _capabilities(value, where):
    if not isinstance(value, dict):
        return ["%s must be a mapping of %s to a capability set" % (where, "/".join(CAP_SETS))]
    errors = []
    for key, cap_set in value.items():
        here = "%s.%s" % (where, key)
        if key not in CAP_SETS:
            errors.append("%s: unknown capability set (%s)" % (here, ", ".join(CAP_SETS)))
        elif not isinstance(cap_set, dict) or not cap_set:
            errors.append("%s must be a mapping of %s to lists of CAP_* names" % (here, "/".join(CAP_MATCHES)))
        else:
            for match, names in cap_set.items():
                if match not in CAP_MATCHES:
                    errors.append("%s.%s: unknown match (%s)" % (here, match, ", ".join(CAP_MATCHES)))
                elif not isinstance(names, list) or not all(isinstance(n, str) and _CAP_NAME.match(n) for n in names):
                    errors.append("%s.%s must be a list of capability names such as CAP_SYS_ADMIN" % (here, match))
    return errors


def _field(kind, value, version, where):
    if kind == "strings":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return ["%s must be a non-empty list of strings (Tetragon rejects a single string)" % where]
    elif kind == "pids":
        if not isinstance(value, list) or not value or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _UINT32 for v in value):
            return ["%s must be a non-empty list of process ids (0 .. 4294967295)" % where]
    elif kind == "bool":
        if not isinstance(value, bool):
            return ["%s must be true or false" % where]
    elif kind == "events":
        return _events(value, version, where)
    elif kind == "capabilities":
        return _capabilities(value, where)
    elif kind == "paths":
        if not isinstance(value, str) or not all(_PATH.match(p.strip()) for p in value.split(",")):
            return ["%s must be a string of comma-separated field paths such as \"process.binary,process.pod\"" % where]
    elif kind == "action":
        if value not in ("INCLUDE", "EXCLUDE"):
            return ["%s must be INCLUDE or EXCLUDE" % where]
    return []


def _object_errors(obj, fields, version, where, config):
    if not isinstance(obj, dict):
        return ["%s must be a JSON object (mapping), got %s" % (where, type(obj).__name__)]
    if not obj:
        return ["%s is empty: an empty filter matches every event" % where]
    names = dict((_camel(name), name) for name in fields)
    names.update((name, name) for name in fields)
    errors, seen = [], {}
    for key, value in obj.items():
        here = "%s.%s" % (where, key)
        name = names.get(key) if isinstance(key, str) else None
        if name is None:
            errors.append("%s: unknown field (the fields are %s)" % (here, ", ".join(
                sorted(n for n, (_k, since) in fields.items() if since <= version))))
            continue
        if name in seen:
            errors.append("%s: the field is also given as %s" % (here, seen[name]))
            continue
        seen[name] = key
        kind, since = fields[name]
        if since > version:
            errors.append("%s: the field needs Tetragon %s or later" % (here, _vstr(since)))
            continue
        if name == "pid_set" and str(config.get("enable-pid-set-filter", "")).lower() not in ("true", "1"):
            errors.append("%s: Tetragon refuses pid_set filters unless enable-pid-set-filter is true (they are "
                          "best-effort and meant for testing)" % here)
            continue
        errors.extend(_field(kind, value, version, here))
    if fields is FIELD_FILTER_FIELDS and "fields" not in seen:
        errors.append("%s: a field filter needs \"fields\"" % where)
    return errors


def as_objects(value):
    """The filter objects of a role value: a list of mappings, or Tetragon's own text (JSON objects, one a line)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return parse_stream(value)
    raise ValueError("must be a list of filters (mappings) or a string of JSON objects, got %s" % type(value).__name__)


def render(objects):
    """Tetragon's text for a list of filters: one compact JSON object a line, keys sorted."""
    return "\n".join(json.dumps(obj, sort_keys=True, separators=(",", ":")) for obj in objects)


def errors(value, version, where, field_filters=False, config=None):
    """Problems of an export-allowlist / export-denylist (or field-filters) value for a Tetragon version."""
    try:
        objects = as_objects(value)
    except ValueError as exc:
        return ["%s: %s" % (where, exc)]
    fields = FIELD_FILTER_FIELDS if field_filters else FILTER_FIELDS
    problems = []
    for index, obj in enumerate(objects):
        problems.extend(_object_errors(obj, fields, version, "%s[%d]" % (where, index), config or {}))
    return problems
