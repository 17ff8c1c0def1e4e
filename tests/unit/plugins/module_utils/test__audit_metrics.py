# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit report's agent metrics (event loss, kernel memory per policy) in JSON and HTML, and the
node exporter textfile: parsed back by the collection's parser and checked by promtool."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import shutil
import subprocess

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics
from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import (
    AuditReportError, build_report, render_html, render_textfile)
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.module_utils.test__audit_report import (
    EVIL, program, stats)

AGENT = {"url": "http://127.0.0.1:2112/metrics", "version": "v1.7.0", "event_loss": 1012.0,
         "event_loss_by_counter": {"tetragon_bpf_missed_events_total": 1012.0,
                                   "tetragon_notify_overflowed_events_total": 0.0},
         "kernel_memory_bytes": {"hot": 16696.0, EVIL: 4096.0}, "policies_by_state": {"enabled": 2.0, "error": 0.0},
         "missed_prog_probes": {"hot": 0.0, "__base__": 3.0},
         "overhead": [{"name": "hot", "metrics_runs": 700, "metrics_run_time_ns": 7000, "pinned_runs": 700,
                       "pinned_run_time_ns": 7000, "agree": True, "reason": ""}]}


def report():
    results = {"a": stats(program(1, "hot", 0.4), program(2, EVIL, 2.5), agent_metrics=AGENT),
               "b": stats(program(3, "hot", 0.1), agent_metrics=None),
               "c": stats(program(4, "hot", 0.1), agent_metrics={"event_loss": "lots"}),
               "gone": {"unreachable": True, "msg": "ssh"}}
    return build_report(results, budget_percent=1.0, generated_at="2026-12-03T17:00:00Z")


def test_the_report_keeps_loss_and_kernel_memory_per_policy():
    data = json.loads(json.dumps(report()))
    a = next(h for h in data["hosts"] if h["name"] == "a")
    assert a["agent_metrics"]["event_loss"] == 1012
    assert [(p["name"], p["kernel_memory_bytes"], p["missed_prog_probes"], p["metrics_agree"])
            for p in a["agent_metrics"]["policies"]] == [
        (EVIL, 4096, None, None), ("__base__", None, 3, None), ("hot", 16696, 0, True)]
    b = next(h for h in data["hosts"] if h["name"] == "b")
    c = next(h for h in data["hosts"] if h["name"] == "c")
    assert b["agent_metrics"] is None and "event_loss" in c["agent_metrics"]["error"]
    assert data["summary"]["hosts_with_agent_metrics"] == 1 and data["summary"]["event_loss"] == 1012


def test_the_page_shows_them_escaped():
    page = render_html(report())
    section = page[page.index('<section id="agent-metrics">'):]
    section = section[:section.index("</section>")]
    assert 'data-host="a" data-policy="hot"' in section and "16,696" in section and "1,012" in section
    assert "bpf_missed_events 1,012" in section and "agree" in section
    assert EVIL not in page and "&lt;script&gt;" in section
    assert "bad agent_metrics" in section
    empty = render_html(build_report({"b": stats(program(3, "hot", 0.1))}, generated_at="2026-12-03T17:00:00Z"))
    assert "No host served its agent" in empty


def test_the_textfile_is_valid_exposition_text():
    text = render_textfile(report(), "a")
    parsed = _metrics.parse(text)
    samples = dict(((name, tuple(sorted(labels.items()))), value) for name, labels, value in parsed["samples"])
    assert samples[("ebpfops_tetragon_audit_status", (("status", "ok"),))] == 1
    assert samples[("ebpfops_tetragon_audit_timestamp_seconds", ())] == 1796317200
    assert samples[("ebpfops_tetragon_audit_policy_over_budget", (("policy", EVIL),))] == 1
    assert samples[("ebpfops_tetragon_audit_events_lost", (("counter", "tetragon_bpf_missed_events_total"),))] == 1012
    assert samples[("ebpfops_tetragon_audit_policy_kernel_memory_bytes", (("policy", "hot"),))] == 16696
    gone = _metrics.parse(render_textfile(report(), "gone"))
    assert ("ebpfops_tetragon_audit_status", {"status": "unreachable"}, 1.0) in gone["samples"]
    assert not any(name.endswith("overhead_percent") for name, _l, _v in gone["samples"])
    with pytest.raises(AuditReportError):
        render_textfile(report(), "nobody")
    with pytest.raises(AuditReportError):
        render_textfile({"format": "other"}, "a")


def test_promtool_accepts_the_textfile(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed (Debian's prometheus package; scripts/setup.sh test installs it)")
    for name in ("a", "b", "gone"):
        path = tmp_path / ("%s.prom" % name)
        path.write_text(render_textfile(report(), name))
        with open(str(path)) as handle:
            run = subprocess.run([promtool, "check", "metrics"], stdin=handle, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, universal_newlines=True)
        assert run.returncode == 0, run.stdout


@pytest.mark.parametrize("mangle, problem, textfile_reads_it", [
    (lambda r: r.pop("hosts"), "it has no 'hosts'", True),
    (lambda r: r["hosts"][0].pop("name"), "it has no 'name'", True),
    (lambda r: r.update(hosts="abc"), "a value has the wrong type", True),
    (lambda r: r.pop("budget_percent"), "it has no 'budget_percent'", True),
    (lambda r: r.update(summary=[]), "a value has the wrong type", False),
])
def test_a_report_edited_by_hand_is_a_clear_error(mangle, problem, textfile_reads_it):
    data = json.loads(json.dumps(report()))
    mangle(data)
    renders = [render_html] + ([lambda r: render_textfile(r, "a")] if textfile_reads_it else [])
    for render in renders:
        with pytest.raises(AuditReportError) as exc:
            render(data)
        assert "is not as the ebpfops.tetragon.audit_report filter writes it" in str(exc.value)
        assert problem in str(exc.value)
    if not textfile_reads_it:
        assert "ebpfops_tetragon_audit_status" in render_textfile(data, "a")
    with pytest.raises(AuditReportError) as exc:
        render_textfile(report(), "nobody")
    assert str(exc.value) == "audit_textfile: host nobody is not in the report"
