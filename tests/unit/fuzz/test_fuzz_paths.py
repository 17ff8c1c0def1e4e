# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests over what a source or target path is (regular file, missing, directory, FIFO,
device, symlink to each, dangling symlink, symlink loop): the CLI and the modules never block, never
raise, and leave every file as it was when they fail."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

from hypothesis import given, settings, strategies as st

from ansible_collections.ebpfops.tetragon.plugins.modules import policy_lint, policy_rewrite
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz import strategies as S
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz.test_fuzz_entry_points import run_cli
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import module_outcome

SEED = os.path.join(S.ROOT, "examples", "file-delete-sys-exit.yaml")
KINDS = ["regular", "missing", "directory", "fifo", "device", "link-regular", "link-fifo", "link-directory",
         "dangling", "loop", "missing-parent"]


def make(tmp, name, kind):
    """Create `name` in tmp as `kind`; return its path."""
    path = os.path.join(tmp, name)
    if kind == "regular":
        with open(SEED, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
    elif kind == "directory":
        os.mkdir(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        return "/dev/null"
    elif kind.startswith("link-"):
        make(tmp, name + ".target", kind[5:])
        os.symlink(name + ".target", path)
    elif kind == "dangling":
        os.symlink(name + ".nowhere", path)
    elif kind == "loop":
        os.symlink(name + ".loop", path)
        os.symlink(name, path + ".loop")
    elif kind == "missing-parent":
        return os.path.join(tmp, "no-such-dir", name)
    return path


def state(tmp):
    out = {}
    for name in sorted(os.listdir(tmp)):
        path = os.path.join(tmp, name)
        if os.path.islink(path):
            out[name] = ("link", os.readlink(path))
        elif os.path.isfile(path):
            with open(path, "rb") as handle:
                out[name] = ("file", handle.read())
        else:
            out[name] = ("other", os.stat(path).st_mode)
    return out


@settings(max_examples=len(KINDS) ** 2 * 2 + 10)  # the whole space (242 cases) is small: cover all of it
@given(st.sampled_from(KINDS), st.sampled_from(KINDS), st.sampled_from(["cli", "module"]))
def test_source_and_target_kinds(src_kind, dest_kind, entry):
    S.generated("path kinds")
    with tempfile.TemporaryDirectory() as tmp:
        src = make(tmp, "src.yaml", src_kind)
        dest = make(tmp, "dest.yaml", dest_kind)
        before = state(tmp)
        if entry == "cli":
            code, out, err = run_cli(["rewrite", "-o", dest, src])
            assert code in (0, 2) and "Traceback" not in err
            failed = code == 2
            if failed:
                assert err.startswith("tetragon-policy: ")
            lint_code, lint_out, _lint_err = run_cli(["lint", src])
            assert lint_code in (0, 1, 2) and "for Tetragon" in lint_out
        else:
            failed, result = module_outcome(policy_rewrite.main, {"src": src, "dest": dest})
            assert not failed or result["msg"]
            lint_failed, lint_result = module_outcome(policy_lint.main, {"src": src, "fail_on": "never"})
            assert not lint_failed and lint_result["policies"]
        after = state(tmp)
    readable = src_kind in ("regular", "link-regular")
    writable = dest_kind in ("regular", "missing", "link-regular", "dangling")
    assert failed == (not (readable and writable)), (src_kind, dest_kind)
    if failed:
        assert after == before
    else:
        changed = [name for name in after if after[name] != before.get(name)]
        assert changed and all(name.startswith("dest.yaml") for name in changed), changed
