# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Tetragon test double refuses to start on what stops the real agent's start (cmd/tetragon/main.go):
the role's rollback after a failed start is only proven if the double fails where the agent fails."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

import pytest

DOUBLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "double", "tetragon_double.py")


@pytest.fixture(scope="module")
def double():
    spec = importlib.util.spec_from_file_location("tetragon_double_unit_start", DOUBLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config(double, **flags):
    result = dict(double.DEFAULTS, **{"export-filename": "/var/log/tetragon/tetragon.log"})
    result.update((key.replace("_", "-"), value) for key, value in flags.items())
    return result


@pytest.mark.parametrize("flags", [
    {},
    {"rb_size": "256K", "rb_size_total": "0"},
    {"process_cache_size": "131072"},
    {"export_denylist": '{"health_check":true}\n{"binary_regex":["^/usr/sbin/cron"],"event_set":["PROCESS_EXIT"]}\n'},
    {"export_allowlist": '{"pid_set":[1]}', "enable_pid_set_filter": "true"},
    # without export-filename the filters are never parsed
    {"export_filename": "", "export_allowlist": '{"binary_regex":["("]}'},
])
def test_starts(double, flags):
    assert double.start_error(config(double, **flags)) is None


@pytest.mark.parametrize("flags, error", [
    ({"rb_size": "64K", "rb_size_total": "1M"}, "Can't specify --rb-size and --rb-size-total together"),
    ({"process_cache_size": "0"}, "must provide a positive size"),
    ({"process_cache_size": "lots"}, "must provide a positive size"),
    ({"export_denylist": '{"binary_regex":["(unclosed"]}'},
     "error starting JSON exporter: failed to compile regexp: error parsing regexp: missing ), "
     "unterminated subpattern: `(unclosed`"),
    ({"export_allowlist": '{"namespace_regex":["^(?!kube-)"]}'},
     "error starting JSON exporter: failed to compile regexp: error parsing regexp: invalid or unsupported Perl "
     "syntax: `(?!`"),
    ({"export_allowlist": '{"binary_regex":["(a)\\\\1"]}'}, "invalid or unsupported Perl syntax: `\\1`"),
    ({"export_allowlist": '["PROCESS_EXEC"]'}, "cannot unmarshal list into Go value of type tetragon.Filter"),
    ({"export_allowlist": '{"pid_set":[1]}'}, "pass the --enable-pid-set-filter to ignore"),
])
def test_refuses(double, flags, error):
    assert error in double.start_error(config(double, **flags))
