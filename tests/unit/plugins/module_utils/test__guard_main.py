# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ebpfops-guard program against the Tetragon test double's agent and tetra CLI (over a unix socket):
acting on decisions, quarantine, release, records, the sampling loop (with a stand-in sampler: the real
one needs root and Tetragon's pins, see molecule/guard)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import sys
import threading

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard import _budget
from ansible_collections.ebpfops.tetragon.plugins.module_utils.guard._main import Guard, GuardError, main

TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOUBLE = os.path.join(TESTS, "double")
HOT = "kind: TracingPolicy\nmetadata:\n  name: hot\nspec:\n  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_getppid\n"
COLD = HOT.replace("name: hot", "name: cold")


def _double():
    spec = importlib.util.spec_from_file_location("tetragon_double_for_guard", os.path.join(DOUBLE, "tetragon_double.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.VERSION = "1.7.0"
    return module


@pytest.fixture
def host(tmp_path):
    double = _double()
    sock = str(tmp_path / "tetragon.sock")
    agent = double.Agent(dict(double.DEFAULTS))
    server, _path = double.listen("unix://" + sock)
    threading.Thread(target=double.serve_api, args=(agent, server), daemon=True).start()
    tetra = tmp_path / "tetra"
    tetra.write_text("#!/bin/sh\nexec %s %s \"$@\"\n" % (sys.executable, os.path.join(DOUBLE, "tetra_double.py")))
    tetra.chmod(0o755)
    pdir, state = tmp_path / "tp.d", tmp_path / "state"
    pdir.mkdir()
    for name, text in (("hot", HOT), ("cold", COLD)):
        (pdir / ("%s.yaml" % name)).write_text(text)
        agent.add(text, source="static")
    config = _budget.load_config({"samples": 2, "interval": 2, "sample_seconds": 0.5, "policy_dir": str(pdir),
                                  "state_dir": str(state), "tetra_path": str(tetra),
                                  "server_address": "unix://" + sock})
    yield {"agent": agent, "config": config, "pdir": pdir, "state": state, "tmp": tmp_path}
    server.close()


def state_of(agent, name):
    policy = agent.policies.get(("", name))
    return policy.state if policy else None


def decide(config, name="hot"):
    tracker = _budget.Tracker(config)
    rows = [{"name": name, "overhead_percent": 3.5, "run_cnt": 1, "run_time_ns": 1, "programs": 1},
            {"name": "cold", "overhead_percent": 0.01, "run_cnt": 1, "run_time_ns": 1, "programs": 1}]
    tracker.observe(rows, 100.0, 0.5)
    return tracker.observe(rows, 102.0, 0.5)


def decisions(state):
    with open(str(state / "decisions.jsonl")) as handle:
        return [json.loads(line) for line in handle]


def test_disable_quarantines_the_file_and_records_the_decision(host):
    guard = Guard(host["config"])
    [decision] = decide(host["config"])
    record = guard.act(decision)
    assert record["result"] == "done" and record["action"] == "disable" and record["name"] == "hot"
    assert state_of(host["agent"], "hot") == "TP_STATE_DISABLED"
    assert state_of(host["agent"], "cold") == "TP_STATE_ENABLED"
    assert sorted(os.listdir(str(host["pdir"]))) == ["cold.yaml"]
    assert (host["state"] / "quarantine" / "hot" / "files" / "hot.yaml").read_text() == HOT
    [written] = decisions(host["state"])
    assert written["policy"] == "hot" and written["measured_percent"] == 3.5 and written["budget_percent"] == 1.0
    assert written["detail"] == "disabled in the agent; files quarantined: hot.yaml"
    assert [s["percent"] for s in written["samples"]] == [3.5, 3.5]


def test_remove_deletes_it_from_the_agent(host):
    config = dict(host["config"], action="remove")
    Guard(config).act(decide(config)[0])
    assert state_of(host["agent"], "hot") is None and state_of(host["agent"], "cold") == "TP_STATE_ENABLED"
    assert not (host["pdir"] / "hot.yaml").exists()


def test_log_changes_nothing(host):
    config = dict(host["config"], action="log")
    record = Guard(config).act(decide(config)[0])
    assert record["result"] == "done" and "logged only" in record["detail"]
    assert state_of(host["agent"], "hot") == "TP_STATE_ENABLED" and (host["pdir"] / "hot.yaml").exists()


def test_a_pin_directory_the_agent_does_not_list_is_left_alone(host):
    record = Guard(host["config"]).act(decide(host["config"], name="stranger")[0])
    assert record["result"] == "skipped" and "lists no policy for pin directory stranger" in record["detail"]


def test_release_puts_a_disabled_policy_back_and_is_idempotent(host):
    guard = Guard(host["config"])
    guard.act(decide(host["config"])[0])
    before = sorted(os.listdir(str(host["pdir"])))
    check = guard.release("hot", check=True)
    assert check["changed"] and check["agent"] == "enable" and sorted(os.listdir(str(host["pdir"]))) == before
    result = guard.release("hot")
    assert result["changed"] and result["agent"] == "enable"
    assert (host["pdir"] / "hot.yaml").read_text() == HOT
    assert state_of(host["agent"], "hot") == "TP_STATE_ENABLED"
    assert not (host["state"] / "quarantine" / "hot").exists()
    assert decisions(host["state"])[-1]["action"] == "release" and decisions(host["state"])[-1]["result"] == "done"
    assert guard.release("hot") == {"changed": False, "policy": "hot", "msg": "hot is not quarantined and runs enabled"}


def test_release_adds_a_removed_policy_again(host):
    config = dict(host["config"], action="remove")
    guard = Guard(config)
    guard.act(decide(config)[0])
    assert guard.release("hot")["agent"] == "add"
    assert state_of(host["agent"], "hot") == "TP_STATE_ENABLED" and (host["pdir"] / "hot.yaml").exists()


def test_release_refuses_to_overwrite_and_unknown_policies(host):
    guard = Guard(host["config"])
    guard.act(decide(host["config"])[0])
    (host["pdir"] / "hot.yaml").write_text("someone else's\n")
    with pytest.raises(GuardError, match="hot.yaml exists with other content"):
        guard.release("hot")
    assert (host["pdir"] / "hot.yaml").read_text() == "someone else's\n"
    assert state_of(host["agent"], "hot") == "TP_STATE_DISABLED"
    with pytest.raises(GuardError, match="nope is not quarantined"):
        guard.release("nope")


def test_the_loop_samples_decides_and_writes_status(host, tmp_path):
    root = tmp_path / "bpffs" / "tetragon"
    root.mkdir(parents=True)
    config = dict(host["config"], bpffs=str(tmp_path / "bpffs"))
    guard = Guard(config)
    seen, slept = [], []

    def sampler(where, window, cpus):
        seen.append((where, window))
        return 100.0 + len(seen), 0.5, [{"name": "hot", "overhead_percent": 2.0, "run_cnt": 5, "run_time_ns": 9,
                                         "programs": 1}]
    assert guard.run(sampler=sampler, sleep=slept.append, monotonic=lambda: 0.0, rounds=3) == 0
    assert seen == [(str(root), 0.5)] * 3 and slept[0] == 2.0
    status = json.loads((host["state"] / "status.json").read_text())
    assert status["quarantined"] == ["hot"] and status["decisions"][-1]["policy"] == "hot"
    # the stand-in keeps reporting it: still counted, but decided on once per episode
    assert status["last_sample"]["policies"] == [{"name": "hot", "percent": 2.0, "over": 2}]
    assert state_of(host["agent"], "hot") == "TP_STATE_DISABLED"
    assert len(decisions(host["state"])) == 1


def test_cli_status_and_release(host, capsys):
    path = host["tmp"] / "config.json"
    path.write_text(json.dumps(dict((k, v) for k, v in host["config"].items())))
    Guard(host["config"]).act(decide(host["config"])[0])
    assert main(["--config", str(path), "status"]) == 0
    assert list(json.loads(capsys.readouterr().out)["quarantined"]) == ["hot"]
    assert main(["--config", str(path), "release", "hot"]) == 0
    assert json.loads(capsys.readouterr().out)["msg"] == "released hot"
    path.write_text('{"action": "explode"}')
    assert main(["--config", str(path), "release", "hot"]) == 2
    assert "action is 'explode'" in json.loads(capsys.readouterr().out)["msg"]
