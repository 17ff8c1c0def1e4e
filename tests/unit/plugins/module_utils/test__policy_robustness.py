# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Malformed policies (wrong types anywhere, random bytes) give findings, never an exception."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import glob
import os
import random

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as rw

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "policies")
PATHS = sorted(glob.glob(os.path.join(FIXTURES, "*", "*.yaml")) + glob.glob(os.path.join(FIXTURES, "*", "*", "*.yaml")))
VALUES = [None, 0, -1, 7, 2 ** 40, 1.5, True, "", "x", "list:nope", "security_x", [], [1], ["a", None], {},
          {"a": 1}, [[1]], [{"b": []}]]
KEYS = ["selectors", "args", "data", "matchArgs", "matchBinaries", "matchPIDs", "matchActions", "values", "lists",
        "call", "index", "type", "operator", "action", "syscall", "return", "returnArg", "rateLimit", "macros",
        "selectorsMacros", "enforcers", "calls", "options", "name", "value", "hook", "subsystem", "event", "raw",
        "tags", "message", 5]


def _slots(node, acc, parent=None, key=None):
    acc.append((parent, key))
    if isinstance(node, dict):
        for name in list(node):
            _slots(node[name], acc, node, name)
    elif isinstance(node, list):
        for index in range(len(node)):
            _slots(node[index], acc, node, index)


def _mutate(rng, doc):
    for _ in range(rng.randint(1, 4)):
        acc = []
        _slots(doc, acc)
        parent, key = rng.choice(acc)
        if parent is None:
            continue
        if isinstance(parent, dict) and rng.random() < 0.4:
            parent[rng.choice(KEYS)] = copy.deepcopy(rng.choice(VALUES))
        else:
            parent[key] = copy.deepcopy(rng.choice(VALUES))
    return doc


@pytest.mark.parametrize("seed", range(6))
def test_wrong_types_anywhere_never_raise(seed):
    rng = random.Random(seed)
    docs = [yaml.safe_load(open(p)) for p in PATHS]
    for _ in range(150):
        doc = _mutate(rng, copy.deepcopy(rng.choice(docs)))
        version = rng.choice([(1, 0, 0), (1, 4, 0), (1, 7, 0), (1, 8, 0)])
        kernel = rng.choice([None, (4, 14, 0), (5, 4, 0), (6, 1, 0)])
        findings = lint.lint_document(doc, version, kernel)
        assert all(f["severity"] in ("error", "warning", "info") for f in findings)
        new, _changes, _refused = rw.rewrite(doc, version)
        rw.render(new, None, True)


@pytest.mark.parametrize("seed", range(3))
def test_random_byte_damage_never_raises(seed):
    rng = random.Random(seed)
    texts = [open(p, "rb").read() for p in PATHS]
    for _ in range(100):
        data = bytearray(rng.choice(texts))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        for policy in lint.lint_text(bytes(data), "damaged.yaml", (1, 7, 0)):
            assert isinstance(policy["findings"], list)
