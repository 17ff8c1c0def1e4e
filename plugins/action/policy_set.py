# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin ebpfops.tetragon.policy_set (controller only; no module runs on a host): reads a policy set
once, through the hardened loader, lints it, optionally rewrites it, and returns it as data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.six import string_types
from ansible.parsing.yaml.dumper import AnsibleDumper
from ansible.plugins.action import ActionBase

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as _policy_lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as _policy_load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._set import LEVELS, SetError, prepare

try:
    import yaml
except ImportError:  # pragma: no cover - declared controller requirement; _load.HAS_YAML says so
    pass

ARGS = dict(
    policies=dict(type="list", elements="raw", required=True),
    mode=dict(type="str", choices=["", "enforce", "monitor"], default=""),
    lint=dict(type="bool", default=True),
    lint_fail_on=dict(type="str", choices=list(LEVELS), default="error"),
    tetragon_version=dict(type="str"),
    kernel_version=dict(type="str"),
    tetragon_arch=dict(type="str", choices=["x86_64", "arm64"], default="x86_64"),
    rewrite=dict(type="bool", default=False),
    rewrite_rules=dict(type="list", elements="str", default=[]),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _read_src(self, src):
        """A relative src is taken from the directory ansible-playbook runs in, else looked up like
        ansible.builtin.copy looks up its src."""
        path = os.path.abspath(src)
        if not os.path.lexists(path):
            try:
                path = self._find_needle("files", src)
            except AnsibleError as exc:
                raise ValueError("src %s not found on the controller: %s" % (src, to_native(exc)))
        data = _policy_load.read_bytes(path)
        try:
            return to_text(data, errors="strict"), path
        except UnicodeError as exc:
            raise ValueError("%s is not UTF-8 text: %s" % (path, to_native(exc)))

    def _source(self, item, index):
        """(text, label, mode) of one entry of the set."""
        where = "policies[%d]" % index
        if not isinstance(item, dict):
            raise ValueError("%s is %s; give a mapping with src or content" % (where, type(item).__name__))
        unknown = sorted(set(item) - set(("src", "content", "mode")))
        if unknown or ("src" in item) == ("content" in item):
            raise ValueError("%s needs exactly one of src and content (and an optional mode)%s"
                             % (where, "; unknown keys: %s" % ", ".join(unknown) if unknown else ""))
        mode = item.get("mode")
        if mode not in (None, "", "enforce", "monitor"):
            raise ValueError("%s: mode %r is not enforce or monitor" % (where, mode))
        if "src" in item:
            text, label = self._read_src(to_text(item["src"]))
            return text, to_text(item["src"]), mode
        content = item["content"]
        if isinstance(content, dict):
            return yaml.dump(content, Dumper=AnsibleDumper, sort_keys=False, default_flow_style=False), where, mode
        if not isinstance(content, string_types):
            raise ValueError("%s: content is %s; give YAML text or a mapping" % (where, type(content).__name__))
        return to_text(content), where, mode

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result.update(self.describe(self._task.args))
        return result

    def describe(self, raw_args):
        """The task's result: the set as data, or failed with a message naming the policy and the problem."""
        result = dict(changed=False)
        if not _policy_load.HAS_YAML:
            result.update(failed=True, msg="PyYAML is required on the controller to read the policy set")
            return result
        validated = ArgumentSpecValidator(ARGS).validate(raw_args)
        if validated.error_messages:
            result.update(failed=True, msg="; ".join(validated.error_messages))
            return result
        args = validated.validated_parameters
        try:
            version = _policy_lint.target_version(args["tetragon_version"])
            kernel = _policy_lint.kernel_release(args["kernel_version"])
            policies = []
            for index, item in enumerate(args["policies"]):
                text, label, mode = self._source(item, index)
                policies.append(prepare(
                    text, label, args["mode"] if mode is None else mode, version, kernel,
                    args["lint_fail_on"], (args["rewrite_rules"] if args["rewrite"] else None), args["lint"],
                    args["tetragon_arch"]))
        except SetError as exc:
            result.update(failed=True, msg=to_native(exc), findings=exc.findings)
            return result
        except ValueError as exc:
            result.update(failed=True, msg="%s; no host was touched" % to_native(exc))
            return result
        files = [p["file"] for p in policies]
        twice = sorted(set(f for f in files if files.count(f) > 1))
        if twice:
            result.update(failed=True, msg="The policy set names a policy twice (%s): Tetragon keys policies by "
                                           "name, so one would replace the other. No host was touched."
                          % ", ".join(twice))
            return result
        result.update(policies=policies, names=[p["name"] for p in policies], files=files,
                      pin_dirs=[p["pin_dir"] for p in policies])
        return result
