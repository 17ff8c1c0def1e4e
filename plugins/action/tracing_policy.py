# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of ebpfops.tetragon.tracing_policy: reads and checks the policy on the controller and
passes the host its exact text, name and namespace (hosts have no PyYAML)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.parsing.yaml.dumper import AnsibleDumper
from ansible.plugins.action import ActionBase

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import HAS_YAML, load_policy, read_policy
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._set import describe

try:
    import yaml
except ImportError:  # pragma: no cover - declared controller requirement; HAS_YAML says so
    pass

class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _policy(self, args):
        """(text, document, source) of the policy given as src or content."""
        if args.get("src") is not None:
            src = args.pop("src")
            try:
                path = self._find_needle("files", src)
            except AnsibleError as exc:
                raise ValueError("src %s not found on the controller: %s" % (src, to_native(exc)))
            text, document = read_policy(path, single=True)
            return text, document, path
        elif isinstance(args.get("content"), dict):
            text = yaml.dump(args["content"], Dumper=AnsibleDumper, sort_keys=False, default_flow_style=False)
            source = "content"
        else:
            text, source = to_text(args["content"]), "content"
        return text, load_policy(text, source, single=True), source

    def _prepare(self, args):
        text, document, source = self._policy(args)
        entry = describe(document, text, source, args.get("mode"))
        if args.get("name") and args["name"] != entry["name"]:
            raise ValueError("%s: name %r does not match the policy's metadata.name %r"
                             % (source, args["name"], entry["name"]))
        args["name"] = entry["name"]
        if entry["kind"] == "TracingPolicyNamespaced":
            args["namespace"] = entry["namespace"]
        if args.get("mode") and not entry["mode"]:
            args.pop("mode")
            self._display.vvv("%s: no enforcement action, so no policy mode to set" % entry["name"])
        elif args.get("mode"):
            args["mode"] = entry["mode"]
        args["content"] = entry["text"]
        args["document"] = document

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if args.get("src") is not None and args.get("content") is not None:
            result.update(failed=True, msg="parameters are mutually exclusive: src|content")
            return result
        if args.get("src") is not None or args.get("content") is not None:
            if not HAS_YAML:
                result.update(failed=True, msg="PyYAML is required on the controller to read the policy")
                return result
            try:
                self._prepare(args)
            except ValueError as exc:
                result.update(failed=True, msg=to_native(exc))
                return result
        result.update(self._execute_module(module_name="ebpfops.tetragon.tracing_policy", module_args=args,
                                           task_vars=task_vars))
        return result
