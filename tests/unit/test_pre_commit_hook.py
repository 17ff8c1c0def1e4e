# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself in a scratch git repository:
pre-commit builds the hook's virtualenv from setup.py with pip's configured index, nothing else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(ROOT, "tests", "unit", "fixtures", "policies", "rules")


def _pre_commit():
    path = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    assert os.path.exists(path), "pre-commit is not installed: run scripts/setup.sh test (requirements/test.txt)"
    return path


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c",
                    "commit.gpgsign=false", "-C", str(repo)] + list(args), check=True, stdout=subprocess.PIPE)


def _hook_repo(path):
    """A committed copy of what a clone of this repository gives pre-commit (the working tree may be dirty)."""
    for name in (".pre-commit-hooks.yaml", "setup.py", "galaxy.yml"):
        shutil.copy(os.path.join(ROOT, name), str(path / name))
    shutil.copytree(os.path.join(ROOT, "plugins", "module_utils"), str(path / "plugins" / "module_utils"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "hook repo")
    return str(path)


def test_pre_commit_hook_fails_a_bad_policy_and_passes_a_good_one(tmp_path):
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(os.path.join(RULES, "K1", "trigger.yaml"), str(repo / "bad.yaml"))
    shutil.copy(os.path.join(RULES, "K1", "clean.yaml"), str(repo / "good.yaml"))
    _git(repo, "add", "bad.yaml", "good.yaml")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never",
               HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")

    (tmp_path / "hook-repo").mkdir()
    hook_repo = _hook_repo(tmp_path / "hook-repo")

    def run(*files):
        return subprocess.run([_pre_commit(), "try-repo", hook_repo, "tetragon-policy-lint", "--verbose", "--files"]
                              + list(files), cwd=str(repo), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)

    good = run("good.yaml")
    assert good.returncode == 0, good.stdout
    assert "tetragon-policy lint" in good.stdout and "Passed" in good.stdout
    bad = run("bad.yaml", "good.yaml")
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout
    assert "bad.yaml:7: error K1 spec.kprobes[0].call" in bad.stdout
