# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side policy reading and the policy-mode option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rules import has_enforcement
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import load_policy, with_mode

TEXT = """# header comment
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: demo
spec:
  kprobes:
  - call: sys_unlinkat
"""


def test_several_documents_are_refused_when_one_is_placed():
    with pytest.raises(ValueError) as exc:
        load_policy(TEXT + "---\n" + TEXT, "p.yaml", single=True)
    assert "p.yaml holds 2 YAML documents" in str(exc.value)
    assert load_policy(TEXT + "---\n" + TEXT, "p.yaml")["metadata"]["name"] == "demo"


def test_the_mode_is_added_with_key_order_and_header_kept():
    text = with_mode(yaml.safe_load(TEXT), TEXT, "monitor")
    assert text.startswith("# header comment\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n")
    assert yaml.safe_load(text)["spec"]["options"] == [{"name": "policy-mode", "value": "monitor"}]
    assert yaml.safe_load(text)["spec"]["kprobes"] == [{"call": "sys_unlinkat"}]


def test_a_text_that_has_the_mode_stays_byte_for_byte():
    text = with_mode(yaml.safe_load(TEXT), TEXT, "monitor")
    assert with_mode(yaml.safe_load(text), text, "monitor") == text


def test_the_mode_replaces_another_and_keeps_other_options():
    doc = yaml.safe_load(TEXT)
    doc["spec"]["options"] = [{"name": "disable-kprobe-multi", "value": "true"},
                              {"name": "policy-mode", "value": "enforce"}]
    assert yaml.safe_load(with_mode(doc, TEXT, "monitor"))["spec"]["options"] == [
        {"name": "disable-kprobe-multi", "value": "true"}, {"name": "policy-mode", "value": "monitor"}]


def _policy(action, section="kprobes", where="matchActions"):
    return {"spec": {section: [{"selectors": [{where: [{"action": action}]}]}]}}


@pytest.mark.parametrize("document, enforcing", [
    (_policy("Sigkill"), True), (_policy("override"), True), (_policy("Signal", "lsmhooks"), True),
    (_policy("NotifyEnforcer", "tracepoints"), True), (_policy("Sigkill", where="matchReturnActions"), True),
    (_policy("Post"), False), (_policy("NoPost"), False),
    ({"spec": {"enforcers": [{"calls": ["sys_x"]}]}}, True), ({"spec": None}, False), ("text", False),
])
def test_only_policies_with_enforcement_have_a_mode_to_set(document, enforcing):
    assert has_enforcement(document) is enforcing
