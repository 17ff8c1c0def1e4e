# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis profiles of the fuzz suite: `ci` (default, a bounded number of examples) and `campaign`
(benchmarks/fuzz_campaign.py; FUZZ_EXAMPLES sets the examples per property). The deadline is the
bounded-time check: one input that takes longer than it is a failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from hypothesis import HealthCheck, settings

from ansible_collections.ebpfops.tetragon.tests.unit.fuzz.strategies import GENERATED

_COMMON = dict(database=None, deadline=5000, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), **_COMMON)
settings.register_profile("campaign", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter):
    if GENERATED:
        terminalreporter.write_line("fuzz: %d generated inputs (%s)" % (
            sum(GENERATED.values()), ", ".join("%s %d" % item for item in sorted(GENERATED.items()))))
