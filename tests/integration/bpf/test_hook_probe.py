# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hook_probe on the seed policy and its rewrite, under the same workload, on the real kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile
import threading
import time

import pytest
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._rewrite import rewrite
from ansible_collections.ebpfops.tetragon.plugins.modules import hook_probe
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(ROOT, "examples", "file-delete-sys-exit.yaml")
UNLINKS = 1500
OTHER_CALLS = 30000


def _own_bpf_fds():
    """The BPF objects (programs, links, stats) this process holds; the module runs in-process, so when
    it has released everything this is what it was before (other processes may load programs meanwhile)."""
    found = []
    for name in sorted(os.listdir("/proc/self/fdinfo"), key=int):
        try:
            target = os.readlink("/proc/self/fd/%s" % name)
        except OSError:
            continue
        if target.startswith("anon_inode:bpf") or target.startswith("anon_inode:[perf_event]"):
            found.append((int(name), target))
    return found


def workload():
    """UNLINKS create+unlink pairs and OTHER_CALLS getppid() calls."""
    directory = tempfile.mkdtemp(prefix="ebpfops-hook-")
    try:
        for index in range(UNLINKS):
            path = os.path.join(directory, "f%d" % index)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.unlink(path)
        for _ in range(OTHER_CALLS):
            os.getppid()
    finally:
        os.rmdir(directory)


def probe(content, interval=1.5):
    worker = threading.Thread(target=lambda: (time.sleep(0.2), workload()))
    with set_module_args({"content": content, "interval": interval}):
        worker.start()
        try:
            return run_module(hook_probe.main)
        finally:
            worker.join()


@pytest.fixture
def seed():
    with open(SEED) as handle:
        return yaml.safe_load(handle)


def test_original_fires_on_every_syscall_rewrite_once_per_unlink(needs_root, seed):
    rewritten = rewrite(seed, (1, 7, 0))[0]
    programs_before = _own_bpf_fds()
    original = probe(seed)
    programs_between = _own_bpf_fds()
    result = probe(rewritten)
    programs_after = _own_bpf_fds()
    assert programs_before == programs_between == programs_after

    [hook] = original["hooks"]
    [point] = hook["attach_points"]
    assert point["measured_on"] == "tracepoint:raw_syscalls:sys_exit"
    # every syscall of the workload (and of the rest of the host) hits raw_syscalls:sys_exit
    assert original["total_events"] >= OTHER_CALLS + 3 * UNLINKS

    [hook] = result["hooks"]
    points = dict((p["target"], p) for p in hook["attach_points"])
    assert sorted(points) == ["sys_renameat", "sys_unlink", "sys_unlinkat"]
    for name, item in points.items():
        assert item["measurable"] is True
        assert item["measured_on"] == "tracepoint:syscalls:sys_enter_" + name[len("sys_"):]
        assert "measured on the syscalls:sys_enter_" in item["note"]
    # the workload's unlinks plus whatever else deletes files on the host meanwhile
    assert UNLINKS <= result["total_events"] <= UNLINKS * 1.2 + 300
    assert original["total_events"] >= 15 * result["total_events"]


def test_unmeasurable_hooks_fail_closed_with_their_reasons(needs_root):
    """This machine's kernel has no kprobes and refuses BPF LSM programs: those hooks are reported, never zero."""
    policy = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy", "metadata": {"name": "mixed"},
              "spec": {"kprobes": [{"call": "security_file_open", "syscall": False},
                                   {"call": "__x64_sys_getppid"}],
                       "tracepoints": [{"subsystem": "syscalls", "event": "sys_enter_no_such_call"}],
                       "lsmhooks": [{"hook": "file_open"}]}}
    available, reason = _bpf.kprobes_available()
    assert not available, "this test asserts the fallback of a kernel without kprobes (the VM tests cover kprobes)"
    before = _own_bpf_fds()
    with set_module_args({"content": policy, "interval": 0.3}):
        failure = run_module(hook_probe.main, fails=True)
    assert _own_bpf_fds() == before
    assert failure["complete"] is False and "could not be measured" in failure["msg"]
    assert sorted(m["target"] for m in failure["unmeasured"]) == [
        "file_open", "security_file_open", "syscalls:sys_enter_no_such_call"]
    with set_module_args({"content": policy, "interval": 0.3, "allow_unmeasured": True}):
        result = run_module(hook_probe.main)
    assert _own_bpf_fds() == before
    by_target = dict((p["target"], p) for h in result["hooks"] for p in h["attach_points"])
    kprobe = by_target["security_file_open"]
    assert kprobe["measurable"] is False and kprobe["events"] is None
    assert kprobe["reason"] == reason and "CONFIG_KPROBES" in reason and result["kprobes"] is False
    syscall = by_target["__x64_sys_getppid"]
    assert syscall["measurable"] is True
    assert syscall["measured_on"] == "tracepoint:syscalls:sys_enter_getppid"
    assert syscall["note"].startswith("fallback: this kernel cannot attach kprobes")
    missing = by_target["syscalls:sys_enter_no_such_call"]
    assert missing["measurable"] is False and "does not exist" in missing["reason"]
    lsm = by_target["file_open"]
    assert lsm["measurable"] is False and lsm["events"] is None and "lsm" in lsm["reason"]
    assert result["total_events"] == syscall["events"] and result["complete"] is False


def test_more_probes_than_the_kernel_allows_on_one_tracepoint_share_one_program(needs_root):
    """65 hooks on one tracepoint (the kernel allows 64 programs there) are measured with one program."""
    policy = {"metadata": {"name": "many"},
              "spec": {"tracepoints": [{"subsystem": "syscalls", "event": "sys_enter_getppid"}] * 65}}
    with set_module_args({"content": policy, "interval": 0.3}):
        result = run_module(hook_probe.main)
    events = set(p["events"] for h in result["hooks"] for p in h["attach_points"])
    assert result["complete"] is True and len(result["hooks"]) == 65 and len(events) == 1


def test_playbook_reads_src_on_the_controller(needs_root, tmp_path):
    import json
    import subprocess
    import sys
    playbook = tmp_path / "probe.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ebpfops.tetragon.hook_probe:\n        src: %s\n        interval: 0.3\n"
        "      register: probe\n" % SEED)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
         str(playbook)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out[-3000:] + proc.stderr.decode()[-2000:]
    task = json.loads(out[out.index("{"):])["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert task["policy"] == "file-delete-monitor"
    assert task["hooks"][0]["attach_points"][0]["measured_on"] == "tracepoint:raw_syscalls:sys_exit"
    assert task["total_events"] > 0 and task["changed"] is False


def test_killed_probe_leaves_no_program_behind(needs_root, seed, tmp_path):
    import json
    import signal
    import subprocess
    import sys
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"content": rewrite(seed, (1, 7, 0))[0], "interval": 60}}))
    before = set(_bpf.prog_ids())
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".collections"))
    proc = subprocess.Popen([sys.executable, "-m", "ansible_collections.ebpfops.tetragon.plugins.modules.hook_probe",
                             str(args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        probes = set()
        while time.time() < deadline and len(probes) < 3:
            probes = set(i for i in _bpf.prog_ids() if i not in before
                         and _name(i) == "ebpfops_probe")
            time.sleep(0.05)
        assert len(probes) == 3, "the module did not attach its 3 probes"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    deadline = time.time() + 5
    while time.time() < deadline and probes & set(_bpf.prog_ids()):
        time.sleep(0.05)
    assert not probes & set(_bpf.prog_ids())



def _name(prog_id):
    try:
        fd = _bpf.prog_fd_by_id(prog_id)
    except _bpf.BpfError:
        return None
    try:
        return _bpf.prog_info(fd)["name"]
    finally:
        _bpf.close(fd)
