# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit_report / audit_report_html filters, directly and through Ansible's templar."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ebpfops.tetragon.plugins.filter.audit_report import FilterModule

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

RESULT = {
    "changed": False, "cpus": 2, "interval": 1.0, "total_run_cnt": 10, "total_run_time_ns": 1000,
    "total_overhead_percent": 2.0, "stats_enabled_by_module": True, "over_budget": [],
    "programs": [{"id": 7, "name": "generic_tracepoint_event", "type": "tracepoint", "policy": "p",
                  "sensor": "generic_tracepoint", "pin": "/sys/fs/bpf/tetragon/p/generic_tracepoint/a:b/prog",
                  "run_cnt": 10, "run_time_ns": 1000, "avg_ns": 100.0, "overhead_percent": 2.0}],
    "policies": [{"name": "p", "programs": 1, "run_cnt": 10, "run_time_ns": 1000, "overhead_percent": 2.0}],
}


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"audit_report", "audit_report_html", "audit_textfile"}


def test_filter_builds_and_renders():
    filters = FilterModule().filters()
    report = filters["audit_report"]({"h1": RESULT}, budget_percent="1", hosts=["h1", "h2"], top=5)
    assert report["over_budget"]["hosts"] == ["h1"]
    assert [h["status"] for h in report["hosts"]] == ["ok", "missing"]
    page = filters["audit_report_html"](report)
    assert 'data-label="h1"' in page


def test_filter_errors_are_ansible_filter_errors():
    filters = FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match="ebpfops.tetragon.audit_report: budget_percent"):
        filters["audit_report"]({}, budget_percent="a lot")
    with pytest.raises(AnsibleFilterError, match="ebpfops.tetragon.audit_report_html: .*audit_report filter"):
        filters["audit_report_html"]("not a report")


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    results:
      web-1: %s
      gone: {unreachable: true, msg: "Failed to connect"}
  tasks:
    - name: Report through the templar
      ansible.builtin.set_fact:
        report: "{{ results | ebpfops.tetragon.audit_report(budget_percent=1.5, hosts=['web-1', 'gone', 'late']) }}"
    - name: Check it
      ansible.builtin.assert:
        that:
          - report.over_budget.hosts == ['web-1']
          - report.hosts | map(attribute='status') | list == ['ok', 'unreachable', 'missing']
          - "'<svg id=\\"hosts-chart\\"' in (report | ebpfops.tetragon.audit_report_html)"
    - name: A bad budget fails with the filter's message
      ansible.builtin.debug:
        msg: "{{ results | ebpfops.tetragon.audit_report(budget_percent='a lot') }}"
      register: bad
      ignore_errors: true
    - name: Check the message
      ansible.builtin.assert:
        that:
          - bad is failed
          - "'set it to a share of CPU in percent' in bad.msg"
"""


def test_filters_through_ansible_playbook(tmp_path):
    import json
    (tmp_path / "play.yml").write_text(PLAYBOOK % json.dumps(RESULT))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_HOME=str(tmp_path / "home"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(tmp_path / "play.yml")],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out[-4000:]
    assert "ok=4" in out and "failed=0" in out and "ignored=1" in out


def test_textfile_filter_renders_one_host_and_names_itself_on_error():
    filters = FilterModule().filters()
    report = filters["audit_report"]({"h1": RESULT}, budget_percent="1", hosts=["h1"])
    assert 'ebpfops_tetragon_audit_policy_over_budget{policy="p"} 1\n' in filters["audit_textfile"](report, "h1")
    with pytest.raises(AnsibleFilterError) as exc:
        filters["audit_textfile"](report, "h9")
    assert "ebpfops.tetragon.audit_textfile: " in str(exc.value)


def test_metrics_url_filter():
    from ansible_collections.ebpfops.tetragon.plugins.filter.tetragon_metrics import FilterModule as Metrics
    assert Metrics().filters()["tetragon_metrics_url"](":2112") == "http://127.0.0.1:2112/metrics"
    assert Metrics().filters()["tetragon_metrics_url"]("") == ""
