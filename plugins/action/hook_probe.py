# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of ebpfops.tetragon.hook_probe: reads `src` on the controller, passes `content`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ebpfops.tetragon.plugins.plugin_utils._policy_src_action import PolicySrcAction


class ActionModule(PolicySrcAction):
    MODULE = "ebpfops.tetragon.hook_probe"
    _VALID_ARGS = frozenset(("src", "content", "interval", "allow_unmeasured", "kprobe_attach"))
