# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet audit report: aggregation, ordering, hosts without data, budget edges, HTML escaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import (
    FORMAT, AuditReportError, build_report, parse_budget, render_html)

EVIL = "<script>document.title='pwned'</script>"


def program(pid, policy, overhead, run_cnt=100, run_time_ns=5000, sensor="generic_tracepoint"):
    """One program as bpf_prog_stats returns it (contract §2)."""
    return {
        "id": pid, "name": "generic_tracepoint_event", "type": "tracepoint",
        "pin": "/sys/fs/bpf/tetragon/%s/%s/sched:sched_process_exec/prog" % (policy, sensor),
        "policy": policy, "sensor": sensor, "run_cnt": run_cnt, "run_time_ns": run_time_ns,
        "avg_ns": run_time_ns / run_cnt if run_cnt else 0, "overhead_percent": overhead,
    }


def stats(*programs, **extra):
    """A bpf_prog_stats result whose policies and totals are the sums of its programs."""
    policies = {}
    for prog in programs:
        entry = policies.setdefault(prog["policy"], {"name": prog["policy"], "programs": 0, "run_cnt": 0,
                                                     "run_time_ns": 0, "overhead_percent": 0.0})
        entry["programs"] += 1
        entry["run_cnt"] += prog["run_cnt"]
        entry["run_time_ns"] += prog["run_time_ns"]
        entry["overhead_percent"] += prog["overhead_percent"]
    result = {
        "changed": False, "programs": list(programs), "policies": list(policies.values()),
        "total_run_cnt": sum(p["run_cnt"] for p in programs),
        "total_run_time_ns": sum(p["run_time_ns"] for p in programs),
        "total_overhead_percent": sum(p["overhead_percent"] for p in programs),
        "cpus": 2, "interval": 1.0, "stats_enabled_by_module": True, "over_budget": [],
    }
    result.update(extra)
    return result


def fleet():
    return {
        "web-1": stats(program(1, "__base__", 0.1), program(2, "file-monitoring", 0.4)),
        "web-2": stats(program(3, "__base__", 0.12), program(4, "raw-syscalls", 2.6, 200000, 10 ** 7),
                       program(5, "file-monitoring", 0.3)),
        "db-1": stats(program(6, "__base__", 0.05), program(7, EVIL, 0.2)),
        "gone": {"unreachable": True, "changed": False, "msg": "Failed to connect to the host via ssh"},
        "broken": {"failed": True, "msg": "no bpffs mounted: mount -t bpf bpf /sys/fs/bpf"},
    }


def host(report, name):
    return next(h for h in report["hosts"] if h["name"] == name)


def test_hosts_sorted_by_total_overhead_then_hosts_without_data():
    report = build_report(fleet(), budget_percent=1.5, generated_at="2026-11-25T01:00:00Z")
    assert report["format"] == FORMAT
    assert report["generated_at"] == "2026-11-25T01:00:00Z"
    assert [h["name"] for h in report["hosts"]] == ["web-2", "web-1", "db-1", "broken", "gone"]
    assert [h["status"] for h in report["hosts"]] == ["ok", "ok", "ok", "failed", "unreachable"]
    assert host(report, "web-2")["total_overhead_percent"] == pytest.approx(3.02)
    assert host(report, "web-2")["programs"] == 3
    assert host(report, "web-2")["total_run_cnt"] == 200200


def test_unreachable_and_failed_hosts_are_listed_with_their_message():
    report = build_report(fleet(), budget_percent=1.5)
    assert host(report, "gone")["error"] == "Failed to connect to the host via ssh"
    assert "mount -t bpf" in host(report, "broken")["error"]
    assert report["summary"]["hosts"] == 5
    assert report["summary"]["statuses"] == {"ok": 3, "failed": 1, "unreachable": 1, "skipped": 0,
                                             "missing": 0, "invalid": 0}
    assert report["summary"]["hosts_without_data"] == ["broken", "gone"]
    assert host(report, "gone")["total_overhead_percent"] is None
    assert not host(report, "gone")["over_budget"]


def test_hosts_without_a_result_are_missing_not_dropped():
    report = build_report({"a": stats(program(1, "p", 0.5)), "b": None}, hosts=["c", "a", "b"])
    assert [(h["name"], h["status"]) for h in report["hosts"]] == [("a", "ok"), ("b", "missing"), ("c", "missing")]


def test_skipped_and_foreign_results():
    bad = stats(program(1, "p", 0.5))
    bad["programs"][0]["overhead_percent"] = "lots"
    report = build_report({
        "s": {"skipped": True, "skip_reason": "Conditional result was False"},
        "x": {"changed": False, "stdout": "hello"},
        "y": "not a mapping",
        "z": bad,
    })
    status = dict((h["name"], (h["status"], h["error"])) for h in report["hosts"])
    assert status["s"] == ("skipped", "Conditional result was False")
    assert status["x"][0] == "invalid" and "not a bpf_prog_stats result" in status["x"][1]
    assert status["y"][0] == "invalid" and "str" in status["y"][1]
    assert status["z"][0] == "invalid" and "programs[0].overhead_percent" in status["z"][1]


def test_failed_result_that_still_carries_data_keeps_the_data():
    result = stats(program(1, "hot", 4.0), failed=True, msg="over budget: hot 4.0% > 1.0%", over_budget=["hot"])
    report = build_report({"h": result}, budget_percent=1.0)
    entry = host(report, "h")
    assert entry["status"] == "ok"
    assert entry["module_msg"] == "over budget: hot 4.0% > 1.0%"
    assert entry["over_budget"] and entry["over_budget_policies"] == ["hot"]


def test_per_policy_overhead_per_host_and_fleet_policy_view():
    report = build_report(fleet(), budget_percent=1.5)
    assert [p["name"] for p in host(report, "web-2")["policies"]] == ["raw-syscalls", "file-monitoring", "__base__"]
    fleet_policies = dict((p["name"], p) for p in report["policies"])
    assert [p["name"] for p in report["policies"]] == ["raw-syscalls", "file-monitoring", EVIL, "__base__"]
    base = fleet_policies["__base__"]
    assert base["host_count"] == 3
    assert [h["host"] for h in base["hosts"]] == ["web-2", "web-1", "db-1"]
    assert base["max_overhead_percent"] == pytest.approx(0.12) and base["max_host"] == "web-2"
    assert base["mean_overhead_percent"] == pytest.approx((0.1 + 0.12 + 0.05) / 3)
    assert base["run_cnt"] == 300
    assert fleet_policies["file-monitoring"]["max_host"] == "web-1"
    assert report["summary"]["policies"] == 4


def test_most_expensive_programs_fleet_wide():
    report = build_report(fleet(), top=3)
    top = report["top_programs"]
    assert [(p["host"], p["id"]) for p in top] == [("web-2", 4), ("web-1", 2), ("web-2", 5)]
    assert top[0]["policy"] == "raw-syscalls" and top[0]["run_time_ns"] == 10 ** 7
    assert report["summary"]["programs"] == 7
    assert len(build_report(fleet())["top_programs"]) == 7


def test_equal_overhead_programs_rank_by_run_time_then_host():
    report = build_report({"b": stats(program(1, "p", 1.0, run_time_ns=10)),
                           "a": stats(program(2, "p", 1.0, run_time_ns=10), program(3, "q", 1.0, run_time_ns=99))})
    assert [(p["host"], p["id"]) for p in report["top_programs"]] == [("a", 3), ("a", 2), ("b", 1)]


def test_hosts_and_policies_over_budget():
    report = build_report(fleet(), budget_percent=1.5)
    assert report["budget_percent"] == 1.5
    assert report["over_budget"]["hosts"] == ["web-2"]
    assert report["over_budget"]["policies"] == [{"host": "web-2", "policy": "raw-syscalls", "overhead_percent": 2.6}]
    assert host(report, "web-2")["over_budget_policies"] == ["raw-syscalls"]
    assert report["summary"]["hosts_over_budget"] == 1
    assert dict((p["name"], p["over_budget_hosts"]) for p in report["policies"])["raw-syscalls"] == ["web-2"]


def test_a_host_can_be_over_budget_without_any_single_policy_over():
    report = build_report({"h": stats(program(1, "a", 0.6), program(2, "b", 0.6))}, budget_percent=1.0)
    assert report["over_budget"]["hosts"] == ["h"]
    assert report["over_budget"]["policies"] == []


@pytest.mark.parametrize("overhead, budget, over", [
    (0.5000001, 0.5, True),   # strictly above
    (0.5, 0.5000001, False),
    (0.6, "0.5", True),       # strings from extra vars
    (0.4, "0.5", False),
    (0.5, 0, True),
    (0.5, None, False),       # no budget: nothing is judged
    (0.5, "", False),
    (0.5, " ", False),
])
def test_budget_edges(overhead, budget, over):
    report = build_report({"h": stats(program(1, "p", overhead))}, budget_percent=budget)
    assert host(report, "h")["over_budget"] is over
    assert report["over_budget"]["hosts"] == (["h"] if over else [])


def test_overhead_equal_to_the_budget_is_within_it():
    report = build_report({"h": stats(program(1, "p", 0.5))}, budget_percent=0.5)
    assert not host(report, "h")["over_budget"] and report["over_budget"]["hosts"] == []


def test_zero_budget_flags_any_overhead_but_not_idle_hosts():
    report = build_report({"busy": stats(program(1, "p", 0.001)), "idle": stats(program(2, "p", 0.0)),
                           "empty": stats()}, budget_percent=0)
    assert report["over_budget"]["hosts"] == ["busy"]
    assert host(report, "empty")["total_overhead_percent"] == 0 and host(report, "empty")["programs"] == 0


@pytest.mark.parametrize("budget", [-1, "-0.1", "lots", True, float("nan"), float("inf"), [1]])
def test_bad_budget_is_a_clear_error(budget):
    with pytest.raises(AuditReportError, match="budget_percent .* expected a"):
        build_report({}, budget_percent=budget)


def test_parse_budget():
    assert parse_budget("2.5") == 2.5 and parse_budget(None) is None and parse_budget(3) == 3.0


@pytest.mark.parametrize("top", [0, -3, "x", True, 2.5])
def test_bad_top_is_a_clear_error(top):
    with pytest.raises(AuditReportError, match="top must be a whole number"):
        build_report({}, top=top)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(AuditReportError, match="mapping of host name"):
        build_report([1, 2])
    with pytest.raises(AuditReportError, match="hosts must be a list"):
        build_report({}, hosts="web-1")
    with pytest.raises(AuditReportError, match="format"):
        render_html({"hosts": []})


def test_totals_are_derived_from_programs_when_the_result_has_none():
    result = stats(program(1, "p", 0.25, 10, 100), program(2, "p", 0.5, 20, 200))
    for key in ("total_overhead_percent", "total_run_cnt", "total_run_time_ns"):
        del result[key]
    entry = host(build_report({"h": result}), "h")
    assert (entry["total_overhead_percent"], entry["total_run_cnt"], entry["total_run_time_ns"]) == (0.75, 30, 300)


def test_empty_fleet_and_generation_time_default():
    report = build_report({})
    assert report["hosts"] == [] and report["summary"]["max_total_overhead_percent"] is None
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", report["generated_at"])
    assert "no data" in render_html(report)


def test_report_is_plain_json():
    report = build_report(fleet(), budget_percent=1.5)
    assert json.loads(json.dumps(report)) == report


# --- HTML -------------------------------------------------------------------------------------

def html_of(**kwargs):
    return render_html(build_report(fleet(), generated_at="2026-11-25T01:00:00Z", **kwargs))


def test_html_is_self_contained():
    page = html_of(budget_percent=1.5)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert not re.search(r"""(src|href)\s*=|url\(|@import""", page), "external asset reference"
    assert "default-src 'none'" in page


def test_html_escapes_everything_from_hosts():
    evil_host = '"><img src=x onerror=alert(1)>'
    results = fleet()
    results[evil_host] = {"failed": True, "msg": "<b>bold</b> & more"}
    page = render_html(build_report(results, budget_percent=1.5))
    assert EVIL not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert evil_host not in page and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in page


def bars(page, chart):
    svg = re.search(r'<svg id="%s".*?</svg>' % chart, page, re.S).group(0)
    return dict((label, float(width)) for label, width in re.findall(
        r'<rect class="bar[^"]*" data-label="([^"]*)" data-value="[^"]*" x="\d+" y="\d+" width="([0-9.]+)"', svg))


def test_bar_widths_are_proportional_to_overhead():
    page = html_of(budget_percent=1.5)
    host_bars = bars(page, "hosts-chart")
    assert set(host_bars) == {"web-2", "web-1", "db-1"}
    assert host_bars["web-1"] / host_bars["web-2"] == pytest.approx(0.5 / 3.02, rel=1e-3)
    assert host_bars["db-1"] / host_bars["web-2"] == pytest.approx(0.25 / 3.02, rel=1e-3)
    policy_bars = bars(page, "policies-chart")
    assert policy_bars["__base__"] / policy_bars["raw-syscalls"] == pytest.approx(0.12 / 2.6, rel=1e-3)


def test_budget_line_sits_at_the_budget_on_the_same_scale():
    page = html_of(budget_percent=1.5)
    svg = re.search(r'<svg id="hosts-chart".*?</svg>', page, re.S).group(0)
    x = float(re.search(r'<line class="budget" data-value="1.5" x1="([0-9.]+)"', svg).group(1))
    x0 = float(re.search(r'<rect class="bar[^"]*" data-label="web-2" data-value="[^"]*" x="(\d+)"', svg).group(1))
    assert (x - x0) / bars(page, "hosts-chart")["web-2"] == pytest.approx(1.5 / 3.02, rel=1e-3)
    assert 'class="budget"' not in html_of(budget_percent=None)


def test_budget_above_every_host_keeps_the_line_inside_the_chart():
    page = html_of(budget_percent=50)
    x = float(re.search(r'<line class="budget" data-value="50.0" x1="([0-9.]+)"', page).group(1))
    width = int(re.search(r'<svg id="hosts-chart"[^>]* width="(\d+)"', page).group(1))
    assert x < width
    assert "No host is over the budget of 50.000%" in page


def test_over_budget_hosts_are_highlighted_and_listed():
    page = html_of(budget_percent=1.5)
    assert re.search(r'<rect class="bar over" data-label="web-2"', page)
    assert not re.search(r'<rect class="bar over" data-label="web-1"', page)
    section = re.search(r'<section id="over-budget" class="alert">.*?</section>', page, re.S).group(0)
    assert 'data-host="web-2"' in section and "raw-syscalls (2.600%)" in section
    assert "web-1" not in section
    assert '<td class="num over" data-host="web-2">2.600%</td>' in page


def test_hosts_without_data_appear_in_page_and_chart():
    page = html_of(budget_percent=1.5)
    section = re.search(r'<section id="no-data".*?</section>', page, re.S).group(0)
    assert 'data-host="gone" data-status="unreachable"' in section
    assert "Failed to connect to the host via ssh" in section
    chart = re.search(r'<svg id="hosts-chart".*?</svg>', page, re.S).group(0)
    assert 'data-label="gone"' in chart and "unreachable (no data)" in chart


def test_no_budget_is_said_plainly():
    assert "No budget was set" in html_of()


def test_all_zero_overhead_renders_zero_width_bars():
    page = render_html(build_report({"a": stats(program(1, "p", 0.0)), "b": stats(program(2, "p", 0.0))}))
    assert bars(page, "hosts-chart") == {"a": 0.0, "b": 0.0}


def test_most_expensive_programs_table():
    page = html_of(top=2)
    table = re.search(r'<table id="top-programs-table">.*?</table>', page, re.S).group(0)
    assert table.count("<tr>") == 3  # header + 2
    assert "raw-syscalls" in table and "200,000" in table and "10.00 ms" in table


def test_tiny_budgets_are_shown_with_their_digits():
    page = render_html(build_report({"h": stats(program(1, "p", 0.5))}, budget_percent=0.000001))
    assert "budget 1e-06%" in page and "0.000%" not in page
