# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input generators of the fuzz suite, the count of generated inputs, and the checks every entry
point must pass on any input (no traceback, a clear error, JSON-safe data)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import glob
import json
import os

import yaml
from hypothesis import strategies as st

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies")
CORPUS = sorted(glob.glob(os.path.join(FIXTURES, "corpus", "*.yaml")))
RULE_IDS = None
GENERATED = collections.Counter()


def generated(kind):
    """Count one generated input (the session summary prints the totals)."""
    GENERATED[kind] += 1


_CACHE = {}


def corpus_texts():
    if "texts" not in _CACHE:
        out = []
        for path in CORPUS:
            with open(path, "rb") as handle:
                out.append(handle.read())
        _CACHE["texts"] = out
    return _CACHE["texts"]


def corpus_documents():
    if "documents" not in _CACHE:
        _CACHE["documents"] = [yaml.safe_load(text) for text in corpus_texts()]
    return _CACHE["documents"]


# --- YAML text built from hostile fragments ------------------------------------------------------------

SCALARS = ["x", "sys_write", "list:x", "security_file_open", "1", "-1", "0x1f", "1.5", ".inf", ".nan", "true",
           "null", "~", "''", "2024-01-01", "2024-01-01T10:00:00Z", "!!binary aGVsbG8=", "!!str 1", "\"a\\u00e9\"",
           "\"\\x01\"", "'it''s'", "!!float 1", "[]", "{}", "kprobes", "Post", "InMap"]
KEYS = ["a", "b", "spec", "kprobes", "call", "selectors", "matchArgs", "values", "metadata", "name", "1", "0x1",
        "2024-01-01", "null", "true", "~", "'1'", "!!int 2", "1.0"]
ANCHORS = ["a0", "a1", "a2"]


def _wrap(node):
    return st.one_of(
        st.lists(node, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(KEYS), node), max_size=4).map(
            lambda pairs: "{" + ", ".join("%s: %s" % p for p in pairs) + "}"),
        st.tuples(st.sampled_from(ANCHORS), node).map(lambda p: "&%s %s" % p),
        st.tuples(st.sampled_from(ANCHORS), node).map(lambda p: "{<<: *%s, k: %s}" % p),
        st.lists(st.sampled_from(KEYS), max_size=3).map(lambda keys: "!!set {" + ", ".join(keys) + "}"),
        st.lists(st.tuples(st.sampled_from(KEYS), node), max_size=3).map(
            lambda pairs: "!!omap [" + ", ".join("{%s: %s}" % p for p in pairs) + "]"),
        node.map(lambda n: "!!seq %s" % n if n.startswith("[") else n),
    )


yaml_nodes = st.recursive(
    st.one_of(st.sampled_from(SCALARS), st.sampled_from(ANCHORS).map(lambda a: "*" + a)), _wrap, max_leaves=24)

_HEADER = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: fuzz\n"
_DEFS = "defs: [&a0 {call: sys_write, k: [1, 2]}, &a1 [x, y], &a2 sys_write]\n"


def _document(parts):
    shape, node, key, defs = parts
    head = _DEFS if defs else ""
    if shape == 0:
        return node + "\n"
    if shape == 1:
        return _HEADER + head + "spec: " + node + "\n"
    if shape == 2:
        return _HEADER + head + "spec:\n  %s: %s\n  %s: %s\n" % (key, node, key, node)
    return head + "%s: %s\n" % (key, node)


yaml_documents = st.tuples(st.integers(0, 3), yaml_nodes, st.sampled_from(KEYS), st.booleans()).map(_document)
yaml_texts = st.lists(yaml_documents, min_size=1, max_size=3).map(lambda docs: "---\n".join(docs))


def _laughs(parts):
    width, depth = parts
    lines = ["l0: &l0 [%s]" % ", ".join(["lol"] * width)]
    for level in range(1, depth + 1):
        lines.append("l%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * width)))
    return "\n".join(lines) + "\n"


alias_bombs = st.tuples(st.integers(1, 12), st.integers(1, 9)).map(_laughs)


@st.composite
def damaged_bytes(draw):
    """A corpus policy with bytes replaced, inserted or cut."""
    data = bytearray(draw(st.sampled_from(corpus_texts())))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.integers(0, 2))
        if action == 0 and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == 1:
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[position:position + draw(st.integers(1, 40))]
    return bytes(data)


# --- documents with values of the wrong type anywhere -------------------------------------------------

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 64, 2 ** 64), st.floats(allow_nan=True),
                   st.text(max_size=12), st.just([]), st.just({}), st.lists(st.integers(), max_size=3),
                   st.just([{"b": []}]), st.just("list:nope"), st.just("sys_write"), st.just("2024-01-01"))


def _slots(node, acc, parent=None, key=None):
    acc.append((parent, key))
    if isinstance(node, dict):
        for name in list(node):
            _slots(node[name], acc, node, name)
    elif isinstance(node, list):
        for index in range(len(node)):
            _slots(node[index], acc, node, index)


@st.composite
def mutated_documents(draw):
    import copy
    doc = copy.deepcopy(draw(st.sampled_from(corpus_documents())))
    for _ in range(draw(st.integers(1, 4))):
        acc = []
        _slots(doc, acc)
        parent, key = draw(st.sampled_from(acc))
        if parent is None:
            continue
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(st.sampled_from(["selectors", "args", "values", "matchArgs", "call", "index", "type",
                                          "operator", "action", "lists", "name", "raw", "syscall"]))] = copy.deepcopy(
                draw(VALUES))
        else:
            parent[key] = copy.deepcopy(draw(VALUES))
    return doc


# --- what every result must satisfy -------------------------------------------------------------------

def rule_ids():
    global RULE_IDS
    if RULE_IDS is None:
        from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._catalog import RULES
        RULE_IDS = set(RULES)
    return RULE_IDS


def check_finding(item):
    assert item["severity"] in ("error", "warning", "info"), item
    assert item["rule"] in rule_ids(), item
    assert isinstance(item["path"], str) and "None" not in item["path"].split("."), item
    assert item["message"] and isinstance(item["message"], str), item


def check_documents(docs):
    """PolicyDocuments from the loader: findings well formed, documents JSON data with string keys."""
    assert docs, "the loader returned nothing"
    for doc in docs:
        for item in doc["findings"]:
            check_finding(item)
        if doc["document"] is None:
            assert any(f["severity"] == "error" for f in doc["findings"]), doc
        else:
            assert isinstance(doc["document"], dict)
            json.dumps(doc["document"])
            assert_string_keys(doc["document"])


def assert_string_keys(root):
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            assert all(isinstance(k, str) for k in item), list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
