# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE plugin_utils of ebpfops.tetragon; may change at any time.

The controller half of the host modules that take a policy as data (hook_probe, policy_resolve): `src` is
read on the controller through the collection's hardened loader and passed to the module as `content`,
so hosts need no YAML parser.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import HAS_YAML, read_policy


class PolicySrcAction(ActionBase):
    TRANSFERS_FILES = False
    MODULE = None

    def run(self, tmp=None, task_vars=None):
        result = super(PolicySrcAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if args.get("src") is not None:
            if args.get("content") is not None:
                result.update(failed=True, msg="parameters are mutually exclusive: src|content")
                return result
            if not HAS_YAML:
                result.update(failed=True, msg="PyYAML is required on the controller to read src")
                return result
            src = args.pop("src")
            try:
                path = self._find_needle("files", src)
                args["content"] = read_policy(path)[1]
            except AnsibleError as exc:
                result.update(failed=True, msg="src %s not found on the controller: %s" % (src, to_native(exc)))
                return result
            except ValueError as exc:
                result.update(failed=True, msg=to_native(exc))
                return result
        result.update(self._execute_module(module_name=self.MODULE, module_args=args, task_vars=task_vars))
        return result
