# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every controller-side reproducer of the hostile-input review (issue 8), one named test each."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import resource
import subprocess
import sys

import pytest
import yaml

from ansible.plugins.action import ActionBase

from ansible_collections.ebpfops.tetragon.plugins.action import hook_probe as hook_probe_action
from ansible_collections.ebpfops.tetragon.plugins.action.tracing_policy import ActionModule as TracingPolicyAction
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as load
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _fields as F
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._source import read_policy
from ansible_collections.ebpfops.tetragon.plugins.modules import policy_lint, policy_rewrite
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz import strategies as S
from ansible_collections.ebpfops.tetragon.tests.unit.fuzz.test_fuzz_entry_points import run_cli
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

SEED = os.path.join(S.ROOT, "examples", "file-delete-sys-exit.yaml")
FIXED_CALL = yaml.safe_load(open(os.path.join(S.ROOT, "examples", "file-delete-kprobe.yaml")))["spec"]["kprobes"][0][
    "call"]
SCRIPT = os.path.join(S.ROOT, "bin", "tetragon-policy")
V17 = (1, 7, 0)
CYCLES = {
    "list": "a: &a [*a]\n",
    "map": "a: &a {map: *a}\n",
    "spec": "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: x}\nspec: &s {kprobes: [*s]}\n",
    "merge": "a: &a {<<: *a}\n",
}
LAUGHS = "".join("l%d: &l%d [%s]\n" % (i, i, ", ".join(["*l%d" % (i - 1)] * 10) if i else ", ".join(["lol"] * 10))
                 for i in range(10))
DUPLICATE_MATCHBINARIES = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: rm-only
spec:
  kprobes:
  - call: sys_unlinkat
    selectors:
    - matchBinaries:
      - operator: In
        values: [/usr/bin/rm]
      matchBinaries: []
"""
POLICY = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\n%sspec:\n  kprobes:\n" \
         "  - call: security_file_open\n"


def module(main, args, fails):
    with set_module_args(args):
        return run_module(main, fails=fails)


def write(path, data):
    with open(str(path), "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


def cli_process(*argv, **kwargs):
    """The real bin/tetragon-policy under a 768 MiB address-space and 60 s CPU limit (hang guard)."""
    env = dict(os.environ, TETRAGON_POLICY_PYTHON=sys.executable)
    stdout = kwargs.pop("stdout_to", subprocess.PIPE)
    return subprocess.run([SCRIPT] + list(argv), env=env, preexec_fn=limited, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=120, check=False, **kwargs)


# --- hangs and unbounded memory ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CYCLES))
def test_cyclic_alias_is_a_y4_error_everywhere(tmp_path, name):
    path = write(tmp_path / "cycle.yaml", CYCLES[name])
    (doc,) = load.load_file(path)
    assert doc["document"] is None and [f["rule"] for f in doc["findings"]] == ["Y4"]
    assert "recursive alias" in doc["findings"][0]["message"]
    assert doc["findings"][0]["line"] == CYCLES[name].count("\n")
    assert "recursive alias" in module(policy_rewrite.main, {"src": path}, True)["msg"]
    assert module(policy_lint.main, {"src": path}, True)["summary"]["errors"] == 1
    with pytest.raises(ValueError, match="recursive alias"):
        read_policy(path)
    action = TracingPolicyAction.__new__(TracingPolicyAction)
    with pytest.raises(ValueError, match="recursive alias"):
        action._policy({"content": CYCLES[name]})


@pytest.mark.parametrize("name", sorted(CYCLES))
def test_cyclic_alias_cli_in_bounded_memory(tmp_path, name):
    path = write(tmp_path / "cycle.yaml", CYCLES[name])
    lint_run = cli_process("lint", path)
    assert lint_run.returncode == 1 and b"recursive alias" in lint_run.stdout
    rewrite_run = cli_process("rewrite", path)
    assert rewrite_run.returncode == 2 and b"recursive alias" in rewrite_run.stderr


def test_expanded_size_terminates_on_a_cyclic_graph():
    node = yaml.compose(CYCLES["list"], Loader=yaml.SafeLoader)
    with pytest.raises(load._Problem):
        load._Walk.expanded_size(node)


def test_billion_laughs_cli_in_bounded_memory(tmp_path):
    run = cli_process("lint", write(tmp_path / "laughs.yaml", LAUGHS))
    assert run.returncode == 1 and b"alias bomb" in run.stdout


def test_dev_zero_and_unbounded_stdin_are_refused_in_bounded_memory():
    run = cli_process("lint", "/dev/zero")
    assert run.returncode == 2 and b"/dev/zero is a character device, not a regular file" in run.stdout
    with open("/dev/zero", "rb") as zero:
        run = cli_process("lint", "-", stdin=zero)
    assert run.returncode == 1 and b"<stdin> is more than 1048576 bytes" in run.stdout


def test_fifo_as_src_is_refused_without_blocking(tmp_path):
    fifo = str(tmp_path / "policy.yaml")
    os.mkfifo(fifo)
    assert "FIFO" in module(policy_rewrite.main, {"src": fifo}, True)["msg"]
    assert "FIFO" in module(policy_lint.main, {"src": fifo}, True)["msg"]
    code, out, _err = run_cli(["lint", fifo])
    assert code == 2 and "is a FIFO (named pipe), not a regular file" in out
    code, _out, err = run_cli(["rewrite", fifo])
    assert code == 2 and "FIFO" in err
    action = TracingPolicyAction.__new__(TracingPolicyAction)
    action._find_needle = lambda kind, name: name
    with pytest.raises(ValueError, match="FIFO"):
        action._policy({"src": fifo})


def test_fifo_inside_a_linted_directory_is_one_error(tmp_path):
    write(tmp_path / "a.yaml", open(SEED).read())
    os.mkfifo(str(tmp_path / "b.yaml"))
    result = module(policy_lint.main, {"src": str(tmp_path), "fail_on": "never"}, False)
    assert [(os.path.basename(p["file"]), [f["rule"] for f in p["findings"] if f["severity"] == "error"])
            for p in result["policies"]] == [("a.yaml", []), ("b.yaml", ["Y8"])]


def test_fifo_as_dest_is_refused_and_left_alone(tmp_path):
    fifo = str(tmp_path / "out.yaml")
    os.mkfifo(fifo)
    assert "is a FIFO" in module(policy_rewrite.main, {"src": SEED, "dest": fifo}, True)["msg"]
    code, _out, err = run_cli(["rewrite", "-o", fifo, SEED])
    assert code == 2 and "is a FIFO" in err
    assert os.listdir(str(tmp_path)) == ["out.yaml"]


def _hook_probe(monkeypatch, src):
    monkeypatch.setattr(ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    action = hook_probe_action.ActionModule.__new__(hook_probe_action.ActionModule)
    action._task = type("Task", (), {"args": {"src": src}})()
    action._find_needle = lambda kind, name: name
    action._execute_module = lambda **kwargs: pytest.fail("the module ran on a policy that cannot load")
    return action.run(task_vars={})


def test_hook_probe_action_refuses_billion_laughs(tmp_path, monkeypatch):
    result = _hook_probe(monkeypatch, write(tmp_path / "laughs.yaml", LAUGHS))
    assert result["failed"] and "alias bomb" in result["msg"] and "laughs.yaml" in result["msg"]


def test_hook_probe_action_refuses_a_recursive_alias(tmp_path, monkeypatch):
    result = _hook_probe(monkeypatch, write(tmp_path / "cycle.yaml", CYCLES["spec"]))
    assert result["failed"] and "recursive alias" in result["msg"] and "recursion depth" not in result["msg"]


# --- messages ------------------------------------------------------------------------------------------

def test_size_message_gives_the_real_size_and_the_limit(tmp_path):
    path = str(tmp_path / "big.yaml")
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (item,) = load.load_file(path)[0]["findings"]
    assert item["rule"] == "Y4"
    assert "is 52428800 bytes (50.0 MiB), over the 1048576-byte (1 MiB) limit" in item["message"]


def test_symlink_loop_says_so(tmp_path):
    os.symlink("b.yaml", str(tmp_path / "a.yaml"))
    os.symlink("a.yaml", str(tmp_path / "b.yaml"))
    (item,) = load.load_path(str(tmp_path / "a.yaml"))[0]["findings"]
    assert "symlink loop" in item["message"] and "does not exist" not in item["message"]
    assert "symlink loop" in module(policy_rewrite.main, {"src": SEED, "dest": str(tmp_path / "a.yaml")}, True)["msg"]


@pytest.mark.parametrize("key, path", [("1", 'spec."1"'), ("null", "spec.null"), ("~", "spec.null"),
                                       ("2024-01-01", 'spec."2024-01-01"'), ("true", "spec.true")])
def test_non_string_keys_get_yaml_paths(key, path):
    (policy,) = lint.lint_text("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: x}\n"
                               "spec:\n  %s: x\n" % key, "k.yaml", V17)
    assert [(f["rule"], f["path"]) for f in policy["findings"]] == [("S2", path)]
    assert policy["findings"][0]["line"] == 5


def test_findings_sort_in_natural_path_order():
    policy = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"},
              "spec": {"lists": [{"name": "l%d" % i, "bogus": 1} for i in range(1001)]}}
    paths = [f["path"] for f in lint.lint_data(policy, "n.yaml", V17)[0]["findings"]]
    assert paths.index("spec.lists[2].bogus") < paths.index("spec.lists[10].bogus") < paths.index(
        "spec.lists[1000].bogus")


# --- tracebacks ----------------------------------------------------------------------------------------

def test_date_key_rewrite_writes_valid_data(tmp_path):
    src = write(tmp_path / "in.yaml", POLICY % "  labels: {2024-01-01: x}\n")
    dest = str(tmp_path / "out.yaml")
    result = module(policy_rewrite.main, {"src": src, "dest": dest}, False)
    json.dumps(result)
    assert result["changed"] and yaml.safe_load(open(dest))["metadata"]["labels"] == {"2024-01-01": "x"}


def test_rewrite_result_is_checked_before_dest_is_written(tmp_path, monkeypatch):
    dest = str(tmp_path / "out.yaml")

    def refuse(self, data):
        raise TypeError("Key of type 'date' is not JSON serializable")
    monkeypatch.setattr(policy_rewrite.AnsibleModule, "jsonify", refuse)
    failure = module(policy_rewrite.main, {"src": SEED, "dest": dest}, True)
    assert "nothing was written" in failure["msg"] and not os.path.exists(dest)


def test_set_values_rewrite_as_json(tmp_path):
    src = write(tmp_path / "set.yaml", POLICY % "  labels: !!set {a, b}\n")
    code, out, err = run_cli(["rewrite", "--format", "json", src])
    assert code == 0, err
    assert json.loads(out)["policy"]["metadata"]["labels"] == {"a": None, "b": None}


def test_dest_in_proc_is_a_clear_error():
    failure = module(policy_rewrite.main, {"src": SEED, "dest": "/proc/x.yaml"}, True)
    assert failure["msg"].startswith("cannot write dest /proc/x.yaml: ") and "nothing was written" in failure["msg"]


@pytest.mark.parametrize("target, message", [
    ("missing/out.yaml", "does not exist; create it first"),
    (".", "is a directory"),
    ("/dev/full", "is a character device"),
])
def test_cli_output_targets_that_cannot_be_written(tmp_path, target, message):
    target = target if target.startswith("/") else str(tmp_path / target)
    before = sorted(os.listdir(str(tmp_path)))
    code, out, err = run_cli(["rewrite", "-o", target, SEED])
    assert code == 2 and message in err and err.startswith("tetragon-policy: output ") and out == ""
    assert sorted(os.listdir(str(tmp_path))) == before


def test_cli_output_onto_a_non_utf8_file_replaces_it(tmp_path):
    target = write(tmp_path / "out.yaml", b"\xff\xfe\x00 not text")
    code, _out, err = run_cli(["rewrite", "-o", target, SEED])
    assert code == 0, err
    assert yaml.safe_load(open(target))["spec"]["kprobes"][0]["call"] == FIXED_CALL


def test_cli_dash_means_stdout_and_never_a_file_named_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))
    code, out, _err = run_cli(["rewrite", "-o", "-", SEED])
    assert code == 0 and "call: " + FIXED_CALL in out
    code, _out, err = run_cli(["rewrite", "--in-place", "-"], open(SEED, "rb").read())
    assert code == 2 and "--in-place needs a file" in err
    assert os.listdir(str(tmp_path)) == []


def test_cli_in_place_writes_through_a_symlink(tmp_path):
    target = write(tmp_path / "policy.yaml", open(SEED).read())
    link = str(tmp_path / "link.yaml")
    os.symlink("policy.yaml", link)
    code, _out, err = run_cli(["rewrite", "--in-place", link])
    assert code == 0, err
    assert os.path.islink(link) and os.readlink(link) == "policy.yaml"
    assert yaml.safe_load(open(target))["spec"]["kprobes"][0]["call"] == FIXED_CALL
    assert sorted(os.listdir(str(tmp_path))) == ["link.yaml", "policy.yaml"]


def test_module_dest_symlink_is_written_through(tmp_path):
    target = write(tmp_path / "policy.yaml", "old: 1\n")
    os.symlink("policy.yaml", str(tmp_path / "link.yaml"))
    result = module(policy_rewrite.main, {"src": SEED, "dest": str(tmp_path / "link.yaml")}, False)
    assert result["changed"] and os.path.islink(str(tmp_path / "link.yaml"))
    assert yaml.safe_load(open(target))["spec"]["kprobes"][0]["call"] == FIXED_CALL


# --- wrong answers -------------------------------------------------------------------------------------

def test_duplicate_keys_are_refused_by_rewrite_and_reported_by_lint(tmp_path):
    src = write(tmp_path / "dup.yaml", DUPLICATE_MATCHBINARIES)
    dest = str(tmp_path / "out.yaml")
    failure = module(policy_rewrite.main, {"src": src, "dest": dest}, True)
    assert "duplicate key 'matchBinaries'" in failure["msg"] and "refuses" in failure["msg"]
    assert "spec.kprobes[0].selectors[0].matchBinaries" in failure["msg"] and not os.path.exists(dest)
    failure = module(policy_rewrite.main, {"content": DUPLICATE_MATCHBINARIES}, True)
    assert "duplicate key" in failure["msg"]
    code, _out, err = run_cli(["rewrite", "-o", dest, src])
    assert code == 2 and "duplicate key" in err and not os.path.exists(dest)
    (policy,) = lint.lint_text(DUPLICATE_MATCHBINARIES, "dup.yaml", V17)
    assert not policy["valid"] and [f["rule"] for f in policy["findings"] if f["severity"] == "error"] == ["Y2"]
    with pytest.raises(ValueError, match="duplicate key"):
        read_policy(src)


def test_empty_src_directory_fails_with_fail_on_error(tmp_path):
    failure = module(policy_lint.main, {"src": str(tmp_path), "fail_on": "error"}, True)
    assert "no .yaml or .yml policy file" in failure["msg"]
    code, out, _err = run_cli(["lint", str(tmp_path)])
    assert code == 2 and "no .yaml or .yml policy file" in out


def _list_slots(node, struct, path, out):
    """(path, container, key) of every field the schema types as a list, in a corpus document."""
    fields = dict((name, kind) for name, kind, _since, _removed in F.STRUCTS.get(struct, []))
    for name, value in (node.items() if isinstance(node, dict) else []):
        kind = fields.get(name, "")
        if kind.startswith("list:"):
            out.append((path + "." + name, node, name))
            inner = kind[5:]
            for item in value if isinstance(value, list) else []:
                if inner.startswith("obj:"):
                    _list_slots(item, inner[4:], path + "." + name + "[]", out)
        elif kind.startswith("obj:"):
            _list_slots(value, kind[4:], path + "." + name, out)
        elif kind.startswith("map:obj:"):
            for item in (value or {}).values():
                _list_slots(item, kind[8:], path + "." + name + "{}", out)
    return out


def test_null_in_place_of_any_list_is_an_error():
    mutations = 0
    for document in S.corpus_documents():
        for index in range(len(_list_slots(document["spec"], "Spec", "spec", []))):
            doc = copy.deepcopy(document)
            path, container, key = _list_slots(doc["spec"], "Spec", "spec", [])[index]
            container[key] = None
            mutations += 1
            findings = lint.lint_document(doc, F.MAIN)
            assert any(f["rule"] == "S2" and f["severity"] == "error" and "None is not of type 'array'"
                       in f["message"] for f in findings), (document["metadata"]["name"], path)
    assert mutations > 250


def test_cli_stdout_full_or_closed_is_a_message_not_a_traceback():
    with open("/dev/full", "wb") as full:
        run = cli_process("lint", SEED, stdout_to=full)
    assert run.returncode == 2 and run.stderr.startswith(b"tetragon-policy: cannot write the output: No space")
    corpus = S.FIXTURES
    env = dict(os.environ, TETRAGON_POLICY_PYTHON=sys.executable)
    proc = subprocess.Popen([SCRIPT, "lint", "--format", "json", corpus, corpus, corpus], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limited)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 2 and b"Traceback" not in err and err == b""


def test_a_hook_section_of_the_wrong_type_is_a_finding_not_a_traceback():
    # Found by the fuzz suite after the lint learned which hooks the rewrite can fix.
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint
    doc = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "x"},
           "spec": {"tracepoints": True}}
    findings = _lint.lint_document(doc, (1, 7, 0))
    assert any(f["severity"] == "error" and f["path"].startswith("spec.tracepoints") for f in findings)
