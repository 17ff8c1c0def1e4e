# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the policy engine and the tetragon-policy command, for pre-commit's `language: python`
hooks (.pre-commit-hooks.yaml). The Ansible collection itself is installed with ansible-galaxy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from setuptools import find_packages, setup

BASE = "ansible_collections.ebpfops.tetragon.plugins.module_utils"

with open("galaxy.yml") as handle:
    VERSION = re.search(r"^version: *(\S+)", handle.read(), re.M).group(1)

setup(
    name="ebpfops-tetragon-policy",
    version=VERSION,
    description="tetragon-policy: lint and rewrite Tetragon TracingPolicies (from the ebpfops.tetragon collection)",
    license="GPL-3.0-or-later",
    python_requires=">=3.8",
    package_dir={BASE: "plugins/module_utils"},
    packages=[BASE] + ["%s.%s" % (BASE, name) for name in find_packages("plugins/module_utils")],
    install_requires=["PyYAML", "jsonschema"],
    entry_points={"console_scripts": ["tetragon-policy=%s.policy._cli:main" % BASE]},
)
