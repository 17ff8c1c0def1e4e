# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE doc fragment of ebpfops.tetragon: the options of the modules that talk to the agent through tetra."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  tetra_path:
    description:
      - The agent's CLI on the host.
    type: path
    default: /usr/local/bin/tetra
  server_address:
    description:
      - The agent's gRPC address, for example C(unix:///var/run/tetragon/tetragon.sock). Omitted, C(tetra)
        finds it in C(/var/run/tetragon/tetragon-info.json) as it does by default.
    type: str
  timeout:
    description:
      - Seconds each C(tetra) call may take.
    type: int
    default: 30
notes:
  - These options can be set once for both modules with C(module_defaults) and the action group
    C(group/ebpfops.tetragon.tetra).
"""
