# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end on the 6.12 VM: ansible-playbook (SSH, pipelining) runs the collection's rollout of a
kprobe policy against the Tetragon test double (systemd service), whose real kprobe programs the gates
measure: a deploy within budget, a security_file_permission policy under load refused by the prediction
before anything is deployed, and a deploy over budget rolled back by the overhead gate."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
from vm_policies import FILE_PERMISSION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LOAD = ("nohup python3 -c 'import time\nend = time.time() + 300\nwhile time.time() < end:\n"
        "    open(\"/etc/os-release\").read()' >/dev/null 2>&1 & echo $! > /tmp/load.pid")


CLEAN = ("systemctl stop tetragon; [ -e /tmp/load.pid ] && kill $(cat /tmp/load.pid); "
         "rm -rf /tmp/load.pid /etc/tetragon/tetragon.tp.d /var/lib/ebpfops-tetragon; true")


@pytest.fixture
def agent(vm612, tmp_path):
    """The double as the tetragon systemd service, no policy and no rollout state (each test starts clean)."""
    vm612.ssh(CLEAN)
    vm612.start_double({})
    vm612.stop_double()  # installed; now run it as the systemd service the rollout checks
    vm612.ssh("systemctl daemon-reload && systemctl start tetragon && "
              "for i in $(seq 1 300); do [ -e /var/run/tetragon/tetragon.pid ] && exit 0; sleep 0.2; done; exit 1")
    inventory = tmp_path / "hosts.ini"
    key = os.path.join(vm612.vm.image, "id_ed25519")
    inventory.write_text(
        "vm ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s "
        "ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o StrictHostKeyChecking=no "
        "-o UserKnownHostsFile=/dev/null'\n" % (vm612.vm.port, key))
    policy = tmp_path / "file-permission.yaml"
    policy.write_text(FILE_PERMISSION)
    try:
        yield inventory, policy
    finally:
        vm612.ssh(CLEAN)


def rollout(inventory, policy, tmp_path, **extra):
    extra_vars = dict({"rollout_hosts": "all", "rollout_serial": [1], "rollout_soak_seconds": 3,
                       "policies_set": [{"src": str(policy)}]}, **extra)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), ANSIBLE_PIPELINING="True",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
                           "ebpfops.tetragon.rollout", "-e", json.dumps(extra_vars)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900,
                          universal_newlines=True)
    out = proc.stdout
    return proc.returncode, json.loads(out[out.index("{"):]), proc.stderr


def task(report, name):
    for play in report["plays"]:
        for item in play["tasks"]:
            if item["task"]["name"] == name:
                return item["hosts"]["vm"]
    raise AssertionError("no task %r ran" % name)


def deployed(vm):
    return vm.ssh("ls /etc/tetragon/tetragon.tp.d").stdout.split()


def test_rollout_of_a_kprobe_policy_gated_on_its_real_programs(vm612, agent, tmp_path):
    inventory, policy = agent
    rc, report, err = rollout(inventory, policy, tmp_path, rollout_overhead_budget_percent=50)
    assert rc == 0, json.dumps(report)[-3000:] + err[-2000:]
    stats = task(report, "Gate - measure the BPF overhead of the set over the soak")
    pins = dict((p["pin"], p) for p in stats["programs"] if p["pin"])
    prog = pins["/sys/fs/bpf/tetragon/file-permission/generic_kprobe/multi_kprobe/prog"]
    assert prog["type"] == "kprobe" and prog["policy"] == "file-permission" and prog["run_cnt"] > 0
    assert [f for f in deployed(vm612) if "file-permission" in f]


def test_hot_hook_under_load_is_refused_by_the_prediction_before_deploy(vm612, agent, tmp_path):
    inventory, policy = agent
    vm612.ssh(LOAD)
    rc, report, err = rollout(inventory, policy, tmp_path, rollout_predict=True, rollout_predict_seconds=2,
                              rollout_predict_max_events_per_second=50)
    assert rc != 0
    prediction = task(report, "Predict the cost of the set's hooks on this host")["results"][0]
    point = prediction["hooks"][0]["attach_points"][0]
    assert point["measured_on"] == "kprobe_multi:security_file_permission" and prediction["complete"] is True
    assert prediction["total_events_per_second"] > 50
    assert not [f for f in deployed(vm612) if "file-permission" in f]


def test_over_budget_kprobe_policy_is_rolled_back_by_the_overhead_gate(vm612, agent, tmp_path):
    inventory, policy = agent
    vm612.ssh(LOAD)
    rc, report, err = rollout(inventory, policy, tmp_path, rollout_overhead_budget_percent=0.0000001)
    assert rc != 0
    stats = task(report, "Gate - measure the BPF overhead of the set over the soak")
    assert any(p["pin"] and p["pin"].endswith("/multi_kprobe/prog") and p["run_cnt"] > 0 for p in stats["programs"])
    assert not [f for f in deployed(vm612) if "file-permission" in f]
