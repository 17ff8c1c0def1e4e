# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard on the 6.12 VM, installed as the role ebpfops.tetragon.guard installs it (its templates, configuration
and files, rendered by ansible on the controller: the role's ~35 module runs take minutes under TCG) and run by
its systemd unit, against the Tetragon test double (systemd service) with two real kprobe policies: a file
read load pushes the security_file_permission policy over a small budget; the guard disables and quarantines
it within interval x samples + one interval and leaves the other policy alone; an agent restart does not
bring it back; the playbook ebpfops.tetragon.guard_release restores it. Prints the FIGURE guard line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
import time

import pytest
import yaml
from vm_policies import FILE_PERMISSION
from vm import REMOTE_COLLECTION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# sethostname(2): nothing in the VM calls it, so this policy stays within any budget
COLD = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: host-name
spec:
  kprobes:
  - call: sys_sethostname
    syscall: true
"""
# TCG emulates the VM's CPUs many times slower than a host runs, and the double's tetra is a Python script (the
# real one is a Go binary): the guard's unit gets more CPU and tetra more time than their defaults allow
GUARD = {"guard_interval": 5, "guard_sample_seconds": 0.5, "guard_samples": 2, "guard_policy_budget_percent": 0.2,
         "guard_action": "disable", "guard_cpu_quota": "100%", "guard_tetra_timeout": 30}
TP = "/etc/tetragon/tetragon.tp.d"
STATE = "/var/lib/ebpfops-guard"
TETRA = "tetra --server-address unix:///var/run/tetragon/tetragon.sock"
# a real file-access load: one-byte preads of a file (each one runs security_file_permission), until its stop
# file goes; it writes its start time first. Niced and busy four fifths of the time, so that sshd, the agent and
# the guard still get the emulated CPUs (under TCG on a busy machine, a full-speed loop left the VM unanswering).
LOAD = ("rm -f /tmp/guard-load-start; touch /tmp/guard-load-running; nohup nice -n 19 python3 -c '"
        "import os, time\nfd = os.open(\"/etc/os-release\", os.O_RDONLY)\n"
        "open(\"/tmp/guard-load-start\", \"w\").write(\"%.3f\" % time.time())\nend = time.time() + 90\n"
        "while time.time() < end and os.path.exists(\"/tmp/guard-load-running\"):\n"
        "    busy = time.time()\n    for _ in range(2000):\n        os.pread(fd, 1, 0)\n"
        "    time.sleep((time.time() - busy) / 4)' >/dev/null 2>&1 & echo $! > /tmp/guard-load.pid")
# the guard's CPU time in ns: its thread's run time, its waited-for children's (tetra); the wall clock; CPUs
CPU = ("pid=$(systemctl show ebpfops-guard -p MainPID --value); python3 -c 'import os, sys, time; p = sys.argv[1]; "
       "run = int(open(\"/proc/%s/schedstat\" % p).read().split()[0]); "
       "f = open(\"/proc/%s/stat\" % p).read().rsplit(\")\", 1)[1].split(); "
       "print(p, run, (int(f[13]) + int(f[14])) * 10 ** 9 // os.sysconf(\"SC_CLK_TCK\"), time.time(), "
       "os.cpu_count())' $pid")
CLEAN = ("rm -f /tmp/guard-load-running; [ -e /tmp/guard-load.pid ] && kill $(cat /tmp/guard-load.pid); "
         "rm -f /tmp/guard-load.pid; true",
         "systemctl disable --now ebpfops-guard 2>/dev/null; true",
         "systemctl stop tetragon; true",
         "rm -rf /etc/systemd/system/ebpfops-guard.service /usr/local/sbin/ebpfops-guard /usr/local/lib/ebpfops-guard "
         "/etc/ebpfops-guard %s %s; systemctl daemon-reload" % (STATE, TP))


def clean(vm, pool):
    """Stop the load, the guard and the agent and remove what the test installed, each step bounded: a VM that
    stops answering is shut down (the next test boots a fresh one) and the test fails with its console."""
    for step in CLEAN:
        try:
            vm.ssh(step, timeout=120)
        except subprocess.TimeoutExpired:
            console = vm.vm.console_tail(30)
            pool.close()
            raise AssertionError("cleaning up the VM: `%s` got no answer within 120 s; VM stopped; console:\n%s"
                                 % (step, console))


@pytest.fixture
def guarded(vm612, vm_pool, tmp_path):
    """The double as the tetragon service with both policies in its policy directory; an inventory for the VM."""
    clean(vm612, vm_pool)
    vm612.start_double({})
    vm612.stop_double()  # installed; now the systemd service, with the policies in its directory
    vm612.ssh("mkdir -p %s && cat > %s/file-permission.yaml <<'EOF'\n%sEOF\ncat > %s/host-name.yaml <<'EOF'\n%sEOF\n"
              "systemctl daemon-reload && systemctl start tetragon && for i in $(seq 1 300); do "
              "[ -d /sys/fs/bpf/tetragon/host-name ] && exit 0; sleep 0.2; done; exit 1"
              % (TP, TP, FILE_PERMISSION, TP, COLD))
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "vm ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s "
        "ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o StrictHostKeyChecking=no "
        "-o UserKnownHostsFile=/dev/null'\n" % (vm612.vm.port, os.path.join(vm612.vm.image, "id_ed25519")))
    try:
        yield inventory
    finally:
        clean(vm612, vm_pool)


# the role's three rendered files (its tasks present.yml write the same), under a staging root
RENDER = """- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [%(role)s/defaults/main.yml, %(role)s/vars/main.yml]
  tasks:
    - ansible.builtin.template:
        src: %(role)s/templates/ebpfops-guard.service.j2
        dest: "%(stage)s/etc/systemd/system/{{ guard_unit }}.service"
    - ansible.builtin.template:
        src: %(role)s/templates/ebpfops-guard.j2
        dest: "%(stage)s{{ guard_bin }}"
    - ansible.builtin.copy:
        content: "{{ _guard_config | to_nice_json(indent=2) }}\\n"
        dest: "%(stage)s{{ guard_config_dir }}/config.json"
"""


def install_guard(vm, inventory, tmp_path):
    """Install the guard on the VM as the role does (same program, unit, configuration and module_utils) and
    start its unit."""
    stage = tmp_path / "stage"
    for folder in ("etc/systemd/system", "etc/ebpfops-guard", "usr/local/sbin"):
        (stage / folder).mkdir(parents=True)
    render = tmp_path / "render.yml"
    render.write_text(RENDER % {"role": os.path.join(ROOT, "roles", "guard"), "stage": stage})
    playbook(inventory, tmp_path, str(render), GUARD)
    with open(os.path.join(ROOT, "roles", "guard", "vars", "main.yml")) as handle:
        files = yaml.safe_load(handle)["_guard_lib_files"]
    lib = "/usr/local/lib/ebpfops-guard/ansible_collections/ebpfops/tetragon/plugins/module_utils"
    tar = subprocess.run(["tar", "-C", str(stage), "-cz", "."], stdout=subprocess.PIPE, check=True).stdout
    vm.ssh("tar -C / -xz --no-same-owner --no-overwrite-dir", input=tar)
    vm.ssh("set -e; mkdir -m 0700 -p %s; for f in %s; do install -D -m 0644 %s/plugins/module_utils/$f %s/$f; done; "
           "chmod 0644 /usr/local/sbin/ebpfops-guard /etc/ebpfops-guard/config.json; "
           "python3 -I /usr/local/sbin/ebpfops-guard --config /etc/ebpfops-guard/config.json status >/dev/null; "
           "systemctl daemon-reload; systemctl enable --now ebpfops-guard"
           % (STATE, " ".join(files), REMOTE_COLLECTION, lib))


def playbook(inventory, tmp_path, name, extra_vars):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), ANSIBLE_PIPELINING="True",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "home"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
                           name, "-e", json.dumps(extra_vars)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600, universal_newlines=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc.stdout


def wait_for(vm, command, what, timeout):
    """Run command on the VM every second until it exits 0; return its output."""
    deadline = time.time() + timeout
    while True:
        try:
            proc = vm.ssh(command, check=False, timeout=max(deadline - time.time(), 5))
        except subprocess.TimeoutExpired:
            raise AssertionError("%s: the VM did not answer within %d s" % (what, timeout))
        if proc.returncode == 0:
            return proc.stdout
        if time.time() > deadline:
            raise AssertionError("%s: not within %d s (%s)" % (what, timeout, proc.stdout + proc.stderr))
        time.sleep(1)


def agent_policies(vm):
    return dict((p["name"], p) for p in json.loads(vm.ssh(TETRA + " tracingpolicy list -o json").stdout)["policies"])


def pins(vm):
    return vm.ssh("ls /sys/fs/bpf/tetragon").stdout.split()


def test_guard_disables_quarantines_and_releases_a_kprobe_policy_over_budget(vm612, guarded, tmp_path, capsys):
    inventory = guarded
    began = time.time()
    install_guard(vm612, inventory, tmp_path)
    assert vm612.ssh("systemctl is-active ebpfops-guard").stdout.strip() == "active"
    sys.stderr.write("[guard] role applied after %.1f s\n" % (time.time() - began))

    # both policies sampled, neither over budget before the load
    status = json.loads(wait_for(vm612, "python3 -c 'import json, sys; s = json.load(open(\"%s/status.json\")); "
                                 "names = [p[\"name\"] for p in (s[\"last_sample\"] or {}).get(\"policies\", [])]; "
                                 "sys.exit(not {\"file-permission\", \"host-name\"} <= set(names)); ' && "
                                 "cat %s/status.json" % (STATE, STATE), "the guard's first sample", 60))
    quiet = dict((p["name"], p) for p in status["last_sample"]["policies"])
    assert quiet["file-permission"]["over"] == 0 and quiet["host-name"]["over"] == 0, status["last_sample"]
    cold_sum = vm612.ssh("sha256sum %s/host-name.yaml" % TP).stdout
    before = vm612.ssh(CPU).stdout.split()

    sys.stderr.write("[guard] first samples after %.1f s\n" % (time.time() - began))
    vm612.ssh(LOAD)
    bound = GUARD["guard_interval"] * GUARD["guard_samples"] + GUARD["guard_interval"]
    decision = json.loads(wait_for(vm612, "grep -h '\"policy\": \"file-permission\"' %s/decisions.jsonl" % STATE,
                                   "the guard's decision on file-permission", bound + 30).splitlines()[0])
    after = vm612.ssh(CPU).stdout.split()
    vm612.ssh("rm -f /tmp/guard-load-running")
    started = float(vm612.ssh("cat /tmp/guard-load-start").stdout)
    # Under TCG the load's rate, so its cost, follows how much CPU the emulator gets from a busy machine: the
    # policy went over budget when the guard first measured it over (the start of its first sample over
    # budget), which may come some samples after the load started; the bound's extra interval covers the time
    # between the previous sample, still within budget, and that one.
    seconds = decision["time"] - decision["over_since"]
    assert decision["action"] == "disable" and decision["result"] == "done", decision
    assert decision["budget_kind"] == "policy" and decision["budget_percent"] == GUARD["guard_policy_budget_percent"]
    assert decision["measured_percent"] > GUARD["guard_policy_budget_percent"]
    assert len(decision["samples"]) == GUARD["guard_samples"]
    assert started < decision["over_since"] and 0 < seconds <= bound, "%.1f s > %d s: load %.3f: %s" % (
        seconds, bound, started, decision)

    # disabled and quarantined; the other policy untouched: enabled, loaded, its file unchanged, no decision
    agent = agent_policies(vm612)
    assert agent["file-permission"]["state"] == "TP_STATE_DISABLED"
    assert agent["host-name"]["state"] == "TP_STATE_ENABLED"
    assert vm612.ssh("ls %s" % TP).stdout.split() == ["host-name.yaml"]
    assert vm612.ssh("ls %s/quarantine/file-permission/files" % STATE).stdout.split() == ["file-permission.yaml"]
    assert vm612.ssh("sha256sum %s/host-name.yaml" % TP).stdout == cold_sum
    assert "host-name" in pins(vm612) and "file-permission" not in pins(vm612)
    decided = vm612.ssh("cat %s/decisions.jsonl" % STATE).stdout
    untouched = [name for name, entry in agent.items() if name != "file-permission"
                 and entry["state"] == "TP_STATE_ENABLED" and '"policy": "%s"' % name not in decided]
    assert untouched == ["host-name"]
    journal = vm612.ssh("journalctl -u ebpfops-guard --no-pager -o cat | grep 'policy file-permission over'").stdout
    assert "action disable: done" in journal, journal

    sys.stderr.write("[guard] decision checked after %.1f s\n" % (time.time() - began))
    # an agent restart does not bring it back
    vm612.ssh("systemctl restart tetragon")
    wait_for(vm612, "[ -d /sys/fs/bpf/tetragon/host-name ] && %s tracingpolicy list" % TETRA, "the agent's restart", 60)
    assert sorted(agent_policies(vm612)) == ["host-name"]
    assert "file-permission" not in pins(vm612)

    sys.stderr.write("[guard] agent restarted after %.1f s\n" % (time.time() - began))
    # the release playbook puts it back: file in place, enabled and loaded again (its kprobe_multi pinned)
    out = playbook(inventory, tmp_path, "ebpfops.tetragon.guard_release",
                   {"guard_release_hosts": "all", "guard_release_policy": "file-permission"})
    assert "released file-permission" in out, out[-2000:]
    agent = agent_policies(vm612)
    assert agent["file-permission"]["state"] == "TP_STATE_ENABLED" and agent["host-name"]["state"] == "TP_STATE_ENABLED"
    assert vm612.ssh("ls %s" % TP).stdout.split() == ["file-permission.yaml", "host-name.yaml"]
    assert vm612.ssh("ls /sys/fs/bpf/tetragon/file-permission/generic_kprobe").stdout.split() == ["multi_kprobe"]
    assert vm612.ssh("ls %s/quarantine" % STATE).stdout.split() == []
    assert json.loads(vm612.ssh("tail -1 %s/decisions.jsonl" % STATE).stdout)["action"] == "release"

    sys.stderr.write("[guard] released after %.1f s\n" % (time.time() - began))
    # the guard's CPU over the load window: its sampling, and with its action (tetra, a Python program in the
    # double, twice), as a share of the VM's CPU time; TCG emulates the CPUs, so both are far above a host's
    capacity = (float(after[3]) - float(before[3])) * int(after[4]) * 1e9
    sampling = (int(after[1]) - int(before[1])) / capacity * 100
    cost = (int(after[1]) + int(after[2]) - int(before[1]) - int(before[2])) / capacity * 100
    assert before[0] == after[0] and 0 < sampling <= cost
    with capsys.disabled():
        sys.stdout.write("\nFIGURE guard: file-permission disabled %.1f s after it went over budget (%.2f%% > %s%%); "
                         "%d other policies untouched; guard cost %.4f%% CPU (kprobe VM, kernel %s under TCG, "
                         "%s s interval; %.4f%% without its tetra calls; over budget %.1f s after the load started)\n"
                         % (seconds, decision["measured_percent"], GUARD["guard_policy_budget_percent"], len(untouched),
                            cost, vm612.kernel, GUARD["guard_interval"], sampling, decision["over_since"] - started))
