# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests of the entry points on generated files: the CLI (in process, through main(argv)), the
policy_lint and policy_rewrite modules and the action plugins' reader. Only the documented exit codes or
fail_json, a message that says what and where, and nothing written on failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
import os
import sys
import tempfile

from hypothesis import given, strategies as st

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _cli as cli
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import PolicyLoadError, read_policy
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_lint, policy_rewrite
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz import strategies as S
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import module_outcome

inputs = st.one_of(S.yaml_texts.map(lambda t: t.encode("utf-8")), S.damaged_bytes(),
                   st.sampled_from(S.corpus_texts()), S.mutated_documents().map(
                       lambda d: json.dumps(d).encode("utf-8")))
EXISTING = st.sampled_from([None, b"old: content\n", b"\xff\xfe not utf-8\n"])


def run_cli(argv, stdin=b""):
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def snapshot(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        with open(path, "rb") as handle:
            out[name] = handle.read()
    return out


@given(inputs, st.sampled_from(["human", "json"]), st.sampled_from(["error", "warning", "never"]), st.booleans())
def test_cli_lint(data, fmt, fail_on, stdin):
    S.generated("cli lint")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.yaml")
        with open(path, "wb") as handle:
            handle.write(data)
        before = snapshot(tmp)
        code, out, err = run_cli(["lint", "--format", fmt, "--fail-on", fail_on, "-" if stdin else path], data)
        assert code in (0, 1, 2), (code, err)
        assert snapshot(tmp) == before
    assert "Traceback" not in err
    if fmt == "json":
        report = json.loads(out)
        for policy in report["policies"]:
            for item in policy["findings"]:
                S.check_finding(item)
        assert (code == 1) == bool(report["summary"]["failing"]) or code == 2
    else:
        assert "for Tetragon" in out


@given(inputs, st.sampled_from(["human", "json"]), EXISTING, st.sampled_from(["-o", "--in-place", "--check", None]))
def test_cli_rewrite(data, fmt, existing, mode):
    S.generated("cli rewrite")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "p.yaml")
        dest = os.path.join(tmp, "out.yaml")
        with open(src, "wb") as handle:
            handle.write(data)
        if existing is not None:
            with open(dest, "wb") as handle:
                handle.write(existing)
        before = snapshot(tmp)
        argv = ["rewrite", "--format", fmt, src] + {"-o": ["-o", dest], "--in-place": ["--in-place"],
                                                     "--check": ["--check"], None: []}[mode]
        code, out, err = run_cli(argv)
        after = snapshot(tmp)
        assert code in (0, 1, 2), (code, err)
        assert "Traceback" not in err
        if code == 2 or mode in ("--check", None):
            assert after == before, "a failed or read-only rewrite wrote a file"
            if code == 2:
                assert err.startswith("tetragon-policy: ") and len(err) > 30
        else:
            assert set(after) == set(before) | ({"out.yaml"} if mode == "-o" else set()), "temporary file left"
        if code != 2 and fmt == "json":
            report = json.loads(out)
            written = after.get("out.yaml" if mode == "-o" else "p.yaml")
            if mode in ("-o", "--in-place"):
                assert written == report["policy_yaml"].encode("utf-8")


@given(inputs, st.sampled_from(["error", "never"]), st.booleans())
def test_policy_lint_module(data, fail_on, as_file):
    S.generated("policy_lint module")
    with tempfile.TemporaryDirectory() as tmp:
        args = {"fail_on": fail_on}
        if as_file:
            args["src"] = os.path.join(tmp, "p.yaml")
            with open(args["src"], "wb") as handle:
                handle.write(data)
        else:
            args["content"] = data.decode("utf-8", "replace")
        failed, result = module_outcome(policy_lint.main, args)
    json.dumps(result)
    assert failed == bool(result["summary"]["failing"])
    if failed:
        assert result["msg"].split(" ")[1:4] == ["finding(s)", "at", "or"]
    for policy in result["policies"]:
        for item in policy["findings"]:
            S.check_finding(item)


@given(inputs, EXISTING, st.booleans())
def test_policy_rewrite_module(data, existing, check_mode):
    S.generated("policy_rewrite module")
    with tempfile.TemporaryDirectory() as tmp:
        src, dest = os.path.join(tmp, "p.yaml"), os.path.join(tmp, "out.yaml")
        with open(src, "wb") as handle:
            handle.write(data)
        if existing is not None:
            with open(dest, "wb") as handle:
                handle.write(existing)
        before = snapshot(tmp)
        failed, result = module_outcome(policy_rewrite.main,
                                        {"src": src, "dest": dest, "_ansible_check_mode": check_mode})
        after = snapshot(tmp)
    json.dumps(result)
    if failed or check_mode or not result["changed"]:
        assert after == before
    if failed:
        assert result["msg"].startswith(src) and len(result["msg"]) > len(src) + 10
    elif not check_mode:
        assert set(after) == set(before) | {"out.yaml"}, "temporary file left"
        assert after["out.yaml"] == result["policy_yaml"].encode("utf-8")


@given(inputs, st.booleans())
def test_action_plugin_reader(data, single):
    S.generated("action plugin reader")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.yaml")
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            text, document = read_policy(path, single)
        except PolicyLoadError as exc:
            assert str(exc).startswith(path) and exc.rule
        else:
            assert isinstance(document, dict) and text == data.decode("utf-8")
            json.dumps(document)
