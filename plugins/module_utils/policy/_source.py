# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Controller side (PyYAML): a policy given to an action plugin as `src` or `content`, read into the
document the host module gets (hosts have no PyYAML), and the policy-mode option set in its text.

    load_policy(text, source, single=False) -> document, or ValueError with what and where
    with_mode(document, text, mode) -> text whose spec.options say policy-mode: mode
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - declared controller requirement
    HAS_YAML = False

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rewrite import render


def load_policy(text, source, single=False):
    """The first YAML document of `text` (Tetragon loads one policy per file); with `single`, a file of
    several documents is an error, since only the first would be loaded."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = " at line %d column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        raise ValueError("%s is not valid YAML%s: %s; fix the YAML syntax"
                         % (source, where, getattr(exc, "problem", None) or exc))
    if not documents:
        raise ValueError("%s has no YAML document; write a TracingPolicy document" % source)
    if not isinstance(documents[0], dict):
        raise ValueError("%s: the document is a %s, not a TracingPolicy mapping (apiVersion, kind, metadata, "
                         "spec)" % (source, type(documents[0]).__name__))
    if single and len(documents) > 1:
        raise ValueError("%s holds %d YAML documents; Tetragon loads only the first of a file: put one policy "
                         "in each file" % (source, len(documents)))
    return documents[0]


def with_mode(document, text, mode):
    """`text` unchanged when its spec.options already say policy-mode: `mode`; else the document
    re-rendered with that option (key order and the leading comments kept)."""
    spec = document.get("spec")
    options = spec.get("options") if isinstance(spec, dict) else None
    options = options if isinstance(options, list) else []
    current = [o for o in options if isinstance(o, dict) and o.get("name") == "policy-mode"]
    if len(current) == 1 and str(current[0].get("value")) == mode:
        return text
    doc = copy.deepcopy(document)
    if not isinstance(doc.get("spec"), dict):
        doc["spec"] = {}
    kept = [o for o in options if not (isinstance(o, dict) and o.get("name") == "policy-mode")]
    doc["spec"]["options"] = copy.deepcopy(kept) + [{"name": "policy-mode", "value": mode}]
    return render(doc, text, changed=True)
