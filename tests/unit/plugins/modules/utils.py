# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers to run a whole module in-process (community.general style).

    from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import (
        run_module, set_module_args)

    with set_module_args({"content": policy}):
        result = run_module(policy_lint.main)            # exit_json result
        failure = run_module(policy_lint.main, fails=True)  # fail_json result
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None


class AnsibleExitJson(Exception):
    """Raised by the patched exit_json; carries the module result."""


class AnsibleFailJson(Exception):
    """Raised by the patched fail_json; carries the module result."""


@contextlib.contextmanager
def set_module_args(args):
    """Expose `args` to AnsibleModule instances created inside the block."""
    args = dict(args)
    args.setdefault("_ansible_remote_tmp", "/tmp")
    args.setdefault("_ansible_keep_remote_files", False)
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    serialized = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(basic, "_ANSIBLE_ARGS", serialized)
        yield


def _exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def _fail_json(self, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


def run_module(main, fails=False):
    """Run `main()` with exit_json/fail_json patched; return the result dict.

    With fails=False a fail_json is a test failure (and vice versa)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(basic.AnsibleModule, "exit_json", _exit_json)
        mp.setattr(basic.AnsibleModule, "fail_json", _fail_json)
        try:
            main()
        except AnsibleExitJson as exc:
            if fails:
                pytest.fail("module succeeded but was expected to fail: %r" % (exc.args[0],))
            return exc.args[0]
        except AnsibleFailJson as exc:
            if not fails:
                pytest.fail("module failed: %s" % exc.args[0].get("msg"))
            return exc.args[0]
    pytest.fail("module returned without calling exit_json or fail_json")


def module_outcome(main, args):
    """(failed, result) of `main()` run with `args`: either outcome is fine for the caller to judge; a
    return without exit_json or fail_json (or any other exception) is a test failure."""
    with set_module_args(args):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(basic.AnsibleModule, "exit_json", _exit_json)
            mp.setattr(basic.AnsibleModule, "fail_json", _fail_json)
            try:
                main()
            except AnsibleExitJson as exc:
                return False, exc.args[0]
            except AnsibleFailJson as exc:
                return True, exc.args[0]
    raise AssertionError("the module returned without exit_json or fail_json")
