# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests of the hardened loader, lint and rewrite on generated input: no exception, findings
with a rule, a message and a YAML path, JSON data only, and a rewrite that renders back to itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from hypothesis import given, strategies as st

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _rewrite as rw
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import load_policy
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz import strategies as S

VERSIONS = st.sampled_from([(1, 0, 0), (1, 4, 0), (1, 7, 0), (1, 8, 0)])


def _lint_and_rewrite(docs, version):
    for policy in lint.lint_loaded(docs, version):
        for item in policy["findings"]:
            S.check_finding(item)
        json.dumps(policy)
    for doc in docs:
        if doc["document"] is None:
            continue
        new, _changes, _refused = rw.rewrite(doc["document"], version)
        json.dumps(new)
        rendered = rw.render(new, doc["text"], bool(_changes))
        again = load.load_text(rendered, "rendered.yaml")
        if _changes:
            assert again[-1]["document"] == new


@given(st.binary(max_size=3000))
def test_any_bytes(data):
    S.generated("bytes")
    S.check_documents(load.load_text(data, "fuzz.bin"))


@given(S.damaged_bytes(), VERSIONS)
def test_damaged_policies(data, version):
    S.generated("damaged policy")
    docs = load.load_text(data, "damaged.yaml")
    S.check_documents(docs)
    _lint_and_rewrite(docs, version)


@given(S.yaml_texts, VERSIONS)
def test_hostile_yaml_anchors_tags_and_keys(text, version):
    S.generated("hostile yaml")
    docs = load.load_text(text, "hostile.yaml")
    S.check_documents(docs)
    _lint_and_rewrite(docs, version)
    try:
        document = load_policy(text, "hostile.yaml")
    except ValueError as exc:
        assert str(exc).startswith("hostile.yaml ")
    else:
        assert isinstance(document, dict)


@given(S.alias_bombs)
def test_alias_expansion_is_measured_before_construction(text):
    S.generated("alias bomb")
    (doc,) = load.load_text(text, "bomb.yaml")
    S.check_documents([doc])
    width, depth = text.splitlines()[0].count("lol"), len(text.splitlines()) - 1
    expanded = sum(width ** level for level in range(depth + 2))
    if expanded > load.MAX_NODES * 2:
        assert [f["rule"] for f in doc["findings"]] == ["Y4"] and doc["document"] is None


@given(S.mutated_documents(), VERSIONS, st.sampled_from([None, (4, 19, 0), (5, 4, 0), (6, 8, 0)]))
def test_wrong_types_anywhere(document, version, kernel):
    S.generated("mutated document")
    text = rw.dump(document)
    docs = load.load_text(text, "mutated.yaml")
    S.check_documents(docs)
    for policy in lint.lint_loaded(docs, version, kernel):
        for item in policy["findings"]:
            S.check_finding(item)
    _lint_and_rewrite(docs, version)
