# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Controller side (PyYAML): a policy given to an action plugin as `src` or `content`, read through the
hardened loader (_load) into the document the host module gets (hosts have no PyYAML), and the
policy-mode option set in its text.

    read_policy(path, single=False) -> (text, document), or PolicyLoadError (a ValueError) with what and where
    load_policy(text, source, single=False) -> document, or PolicyLoadError
    with_mode(document, text, mode) -> text whose spec.options say policy-mode: mode
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._load import (
    HAS_YAML, PolicyLoadError, load_text, read_bytes)
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rewrite import render

__all__ = ["HAS_YAML", "PolicyLoadError", "load_policy", "read_policy", "with_mode"]


def _error(source, item):
    where = " at %s" % item["path"] if item["path"] else ""
    line = " (line %d)" % item["line"] if item.get("line") and "line" not in item["message"] else ""
    return PolicyLoadError("%s is not a usable policy%s%s: %s [%s]; %s"
                           % (source, where, line, item["message"], item["rule"], item["hint"]),
                           item["rule"], item["hint"])


def _counts(doc):
    """An empty document (a trailing '---') is not a policy of its own."""
    return doc["document"] is not None or any(f["rule"] not in ("Y3", "Y6") for f in doc["findings"])


def load_policy(text, source, single=False):
    """The first YAML document of `text` (Tetragon loads one policy per file); with `single`, a file of
    several documents is an error, since only the first would be loaded. Loader errors (invalid YAML,
    duplicate keys, alias bombs, recursive aliases, over the size limit) are refused."""
    docs = [d for d in load_text(text, source) if _counts(d)]
    if not docs:
        raise PolicyLoadError("%s has no YAML document; write a TracingPolicy document" % source, "Y6")
    if single and len(docs) > 1:
        raise PolicyLoadError("%s holds %d YAML documents; Tetragon loads only the first of a file: put one "
                              "policy in each file" % (source, len(docs)), "Y3")
    for item in docs[0]["findings"]:
        if item["severity"] == "error" and item["rule"] != "Y3":
            raise _error(source, item)
    return docs[0]["document"]


def read_policy(path, single=False):
    """(text, document) of a policy file, read as a regular file with the size checked first."""
    data = read_bytes(path)
    document = load_policy(data, path, single)
    return data.decode("utf-8"), document


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
