# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tetra CLI wrapper: list parsing, states, modes, command lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tetra import (
    Tetra, TetraError, entry_problem, parse_list, runtime_mode)


def test_parse_list_keys_by_namespace_and_name():
    text = ('{"policies":[{"id":"1","name":"a","state":"TP_STATE_ENABLED"},'
            '{"id":"2","name":"b","namespace":"team","state":"TP_STATE_LOAD_ERROR","error":"boom"}]}')
    listed = parse_list(text)
    assert set(listed) == {("", "a"), ("team", "b")}
    assert parse_list("{}") == {} and parse_list("") == {}


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"policies": 3}'])
def test_parse_list_rejects_what_is_not_a_policy_list(text):
    with pytest.raises(TetraError):
        parse_list(text)


@pytest.mark.parametrize("entry, problem", [
    (None, "the agent does not list it"),
    ({"state": "TP_STATE_ENABLED"}, None),
    ({"enabled": True}, None),  # agents before 1.1 have no state field
    ({"state": "TP_STATE_DISABLED"}, "state TP_STATE_DISABLED"),
    ({"state": "TP_STATE_LOAD_ERROR", "error": "tracepoint x not found"},
     "state TP_STATE_LOAD_ERROR: tracepoint x not found"),
    ({}, "state TP_STATE_UNKNOWN"),
])
def test_entry_problem(entry, problem):
    assert entry_problem(entry) == problem


@pytest.mark.parametrize("mode, expected", [("TP_MODE_ENFORCE", "enforce"), ("TP_MODE_MONITOR_ONLY", "monitor_only"),
                                            ("TP_MODE_UNKNOWN", None), (None, None)])
def test_runtime_mode(mode, expected):
    assert runtime_mode({"mode": mode} if mode else {}) == expected


def test_commands_and_errors():
    calls = []

    def run(argv):
        calls.append(argv)
        if argv[-1] == "missing":
            return 1, "", "Error: tracing policy missing does not exist\n"
        return 0, "CLI version: v1.7.0\nServer version: v1.7.0\n", ""

    tetra = Tetra(run, "/usr/local/bin/tetra", "unix:///run/t.sock", timeout=5)
    assert tetra.version() == "v1.7.0"
    tetra.add("/tmp/p.yaml", "monitor")
    tetra.set_mode("p", "enforce", "team")
    assert calls[1] == ["/usr/local/bin/tetra", "--server-address", "unix:///run/t.sock", "--timeout", "5s",
                        "tracingpolicy", "add", "--mode", "monitor", "--", "/tmp/p.yaml"]
    assert calls[2][-5:] == ["--namespace", "team", "--", "p", "enforce"]
    with pytest.raises(TetraError) as exc:
        tetra.delete("missing")
    assert str(exc.value) == "Error: tracing policy missing does not exist"
