# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The project's own JSON Schema for TracingPolicy / TracingPolicyNamespaced, built per Tetragon
version from _policy_fields (strict like Tetragon's file loader: unknown fields are errors, enums
are case-sensitive), and the translation of schema errors into findings (rules S2, S5, A2).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import (
    finding, path_of, version_str)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as F

try:
    import jsonschema
    HAS_JSONSCHEMA = True
    JSONSCHEMA_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - declared controller requirement
    HAS_JSONSCHEMA = False
    JSONSCHEMA_IMPORT_ERROR = exc

API_VERSION = "cilium.io/v1alpha1"
KINDS = ("TracingPolicy", "TracingPolicyNamespaced")
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
OBJECT_META = ("name", "namespace", "labels", "annotations", "generateName", "uid", "resourceVersion",
               "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
               "ownerReferences", "finalizers", "managedFields", "selfLink")
_SCALAR = {"type": ["string", "number", "boolean"]}
_LABEL_SELECTOR = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {
        "matchLabels": {"type": ["object", "null"], "additionalProperties": _SCALAR},
        "matchExpressions": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["key", "operator"],
            "properties": {"key": {"type": "string"},
                           "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                           "values": {"type": "array", "items": _SCALAR}}}},
    },
}
_CACHE = {}


def as_list_of(value):
    return value if isinstance(value, list) else [value]


def _kind_schema(kind, version, struct=None, name=None):
    if kind.startswith("list:"):
        # no list in Tetragon's CRD is nullable or has a default, so its validator rejects null there
        return {"type": "array", "items": _kind_schema(kind[5:], version)}
    if kind.startswith("map:"):
        return {"type": ["object", "null"], "additionalProperties": _kind_schema(kind[4:], version)}
    if kind.startswith("obj:"):
        return {"$ref": "#/definitions/%s" % kind[4:]}
    if kind.startswith("enum:"):
        return {"enum": F.enum_values(kind[5:], version), "x-enum": kind[5:]}
    return {
        "str": {"type": "string"},
        "bool": {"type": "boolean"},
        "int": {"type": "integer"},
        "uint": {"type": "integer", "minimum": 0},
        "labelselector": _LABEL_SELECTOR,
        "any": {},
        "scalar": _SCALAR,
    }[kind]


def build_schema(version):
    """JSON Schema (draft 7) of a policy document for one Tetragon version tuple."""
    key = tuple(version[:2])
    if key in _CACHE:
        return _CACHE[key]
    definitions = {}
    for struct in F.STRUCTS:
        props = {}
        for name, kind, since, removed in F.STRUCTS[struct]:
            if F.available(since, removed, version):
                props[name] = _kind_schema(kind, version, struct, name)
        definition = {"title": struct, "type": "object", "additionalProperties": False, "properties": props}
        required = [r for r in F.REQUIRED.get(struct, []) if r in props] + [
            name for (owner, name), (since, until) in sorted(F.REQUIRED_BY_VERSION.items())
            if owner == struct and since <= version < until]
        if required:
            definition["required"] = required
        definitions[struct] = definition
    for struct, names in (("Tracepoint", ("subsystem", "event")), ("KProbe", ("call",)),
                          ("LsmHook", ("hook",)), ("List", ("name",))):
        for name in names:
            definitions[struct]["properties"][name] = {"type": "string", "minLength": 1}
    metadata = {"title": "Metadata", "type": "object", "additionalProperties": False, "required": ["name"],
                "properties": dict((name, {}) for name in OBJECT_META)}
    metadata["properties"]["name"] = {"type": "string", "maxLength": 253, "pattern": DNS_SUBDOMAIN}
    metadata["properties"]["namespace"] = {"type": "string", "maxLength": 63, "pattern": DNS_LABEL}
    metadata["properties"]["labels"] = {"type": ["object", "null"], "additionalProperties": {"type": "string"}}
    metadata["properties"]["annotations"] = {"type": ["object", "null"],
                                             "additionalProperties": {"type": "string"}}
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Document",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"enum": [API_VERSION]},
            "kind": {"enum": list(KINDS)},
            "metadata": {"$ref": "#/definitions/Metadata"},
            "spec": {"$ref": "#/definitions/Spec"},
        },
        "definitions": dict(definitions, Metadata=metadata),
    }
    _CACHE[key] = schema
    return schema


_VALIDATORS = {}


def validator(version):
    if not HAS_JSONSCHEMA:
        raise RuntimeError("jsonschema is required: %s" % JSONSCHEMA_IMPORT_ERROR)
    key = tuple(version[:2])
    if key not in _VALIDATORS:
        _VALIDATORS[key] = jsonschema.Draft7Validator(build_schema(version))
    return _VALIDATORS[key]


def _extra_field(struct, name, path, version):
    info = F.field_info(struct, name)
    renamed = F.RENAMED_FIELDS.get((struct, name))
    if info is None:
        return finding("S2", "error", path, "unknown field '%s'" % name,
                       "Remove it or fix its spelling: Tetragon's file loader is strict and rejects the whole "
                       "policy on an unknown field.")
    _n, _k, since, removed = info
    if version < since:
        return finding("S5", "error", path,
                       "field '%s' needs Tetragon %s or later; the target is %s" % (
                           name, version_str(since) if since != F.MAIN else "main (unreleased)",
                           version_str(version)),
                       "Upgrade the agent, or drop the field for this target: an older agent rejects the "
                       "policy.")
    if renamed:
        return finding("A2", "error", path, "field '%s' was renamed to '%s' in %s" % (
            name, renamed, version_str(removed)), "Rename it (rewrite rule renamed_fields does this).", True)
    return finding("A2", "error", path, "field '%s' was removed in %s" % (name, version_str(removed)),
                   "Remove the field; see Tetragon's upgrade notes for its replacement.")


def _enum_value(enum, value, path, version):
    info = F.enum_info(enum, value) if isinstance(value, str) else None
    if info is not None:
        _v, since, removed = info
        if version < since:
            return finding("S5", "error", path, "'%s' needs Tetragon %s or later; the target is %s" % (
                value, version_str(since), version_str(version)),
                "Upgrade the agent or use an alternative available in the target version.")
        if value in F.RENAMED_ACTIONS:
            return finding("A2", "error", path, "action '%s' was renamed to '%s' in %s" % (
                value, F.RENAMED_ACTIONS[value], version_str(removed)),
                "Rename it (rewrite rule renamed_fields does this).", True)
        return finding("A2", "error", path, "'%s' was removed in %s" % (value, version_str(removed)),
                       "Remove it; see Tetragon's upgrade notes for its replacement.")
    allowed = F.enum_values(enum, version)
    close = [a for a in allowed if isinstance(value, str) and a.lower() == value.lower()]
    if close:
        return finding("S2", "error", path, "'%s' has the wrong case: enums are case-sensitive" % value,
                       "Write '%s'." % close[0])
    return finding("S2", "error", path, "'%s' is not one of: %s" % (value, ", ".join(allowed)),
                   "Use one of the allowed values (exact spelling).")


def schema_findings(document, version):
    """Findings for every schema violation of one document."""
    out = []
    for error in validator(version).iter_errors(document):
        parts = list(error.absolute_path)
        path = path_of(parts)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            struct = error.schema.get("title", "")
            known = error.schema.get("properties", {})
            for name in error.instance:
                if name not in known:
                    out.append(_extra_field(struct, name, path_of(parts + [name]), version))
            continue
        if error.validator == "enum" and "x-enum" in error.schema:
            out.append(_enum_value(error.schema["x-enum"], error.instance, path, version))
            continue
        if error.validator == "pattern" and parts[:1] == ["metadata"]:
            out.append(finding("S2", "error", path, "'%s' is not a valid Kubernetes name" % (error.instance,),
                               "Use lower-case letters, digits, '-' and '.' (DNS subdomain; no '_', no upper "
                               "case)."))
            continue
        if error.validator == "enum" and parts in (["apiVersion"], ["kind"]):
            out.append(finding("S2", "error", path, "%s is %r, expected one of %s" % (
                parts[0], error.instance, ", ".join(error.validator_value)),
                "A Tetragon policy has apiVersion cilium.io/v1alpha1 and kind TracingPolicy or "
                "TracingPolicyNamespaced."))
            continue
        if error.validator == "type" and "string" in as_list_of(error.validator_value) and isinstance(
                error.instance, (int, float, bool)):
            out.append(finding("S2", "error", path, "%r is a %s, the field takes a string" % (
                error.instance, "boolean" if isinstance(error.instance, bool) else "number"),
                "Quote it (\"%s\"): Tetragon checks the YAML types against its CRD schema before loading."
                % (str(error.instance).lower() if isinstance(error.instance, bool) else error.instance)))
            continue
        out.append(finding("S2", "error", path, error.message,
                           "Fix the value to match the TracingPolicy schema of the target version."))
    return out
