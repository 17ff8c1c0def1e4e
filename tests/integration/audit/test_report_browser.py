# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open a rendered audit report in headless Chromium: what the page shows, from the DOM and the pixels.

The screenshot is kept as build/audit-report.png (the page as build/audit-report.html).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import build_report, render_html

from ansible_collections.ebpfops.tetragon.tests.integration.audit.chromium import Dom, colour_bars

EVIL_POLICY = "<script>document.title='pwned'</script>"
EVIL_HOST = "edge-9<img src=x onerror=\"document.title='img'\">"
RED, BLUE = (0xC6, 0x28, 0x28), (0x15, 0x65, 0xC0)
BUDGET = 1.5
GUARD = {"web-2": {"config": {"action": "disable"}, "quarantined": [EVIL_POLICY], "updated_iso": "2026-11-25T01:29:00Z",
                   "decisions": [{"time_iso": "2026-11-25T01:20:00Z", "policy": "raw-syscalls-killer",
                                  "action": "disable", "result": "done", "measured_percent": 2.8, "budget_percent": 1.0,
                                  "budget_kind": "policy", "samples": [{}] * 3, "detail": "disabled"},
                                 {"time_iso": "2026-11-25T01:25:00Z", "policy": "raw-syscalls-killer",
                                  "action": "release", "result": "done", "detail": "put back"},
                                 {"time_iso": "2026-11-25T01:28:00Z", "policy": EVIL_POLICY, "action": "disable",
                                  "result": "done", "measured_percent": 1.2, "budget_percent": 1.0,
                                  "budget_kind": "policy", "samples": [{}] * 3, "detail": "disabled"}]}}
OVERHEAD = {"web-2": 3.0, "web-1": 0.75, "db-1": 0.3}  # host totals below


def _program(pid, policy, overhead, runs, run_time_ns):
    return {"id": pid, "name": "generic_tracepoint_event", "type": "tracepoint", "policy": policy,
            "sensor": "generic_tracepoint", "pin": "/sys/fs/bpf/tetragon/%s/generic_tracepoint/x:y/prog" % policy,
            "run_cnt": runs, "run_time_ns": run_time_ns, "avg_ns": run_time_ns / runs, "overhead_percent": overhead}


def _result(*programs):
    policies = {}
    for prog in programs:
        entry = policies.setdefault(prog["policy"], {"name": prog["policy"], "programs": 0, "run_cnt": 0,
                                                     "run_time_ns": 0, "overhead_percent": 0.0})
        entry["programs"] += 1
        entry["run_cnt"] += prog["run_cnt"]
        entry["run_time_ns"] += prog["run_time_ns"]
        entry["overhead_percent"] += prog["overhead_percent"]
    return {"changed": False, "programs": list(programs), "policies": list(policies.values()), "cpus": 2,
            "interval": 1.0, "total_overhead_percent": sum(p["overhead_percent"] for p in programs),
            "total_run_cnt": sum(p["run_cnt"] for p in programs),
            "total_run_time_ns": sum(p["run_time_ns"] for p in programs), "over_budget": []}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    results = {
        "web-2": _result(_program(1, "__base__", 0.2, 900, 4 * 10 ** 6),
                         _program(2, "raw-syscalls-killer", 2.8, 214329, 56 * 10 ** 6)),
        "web-1": _result(_program(3, "__base__", 0.25, 800, 5 * 10 ** 6),
                         _program(4, "file-monitoring", 0.5, 2001, 10 ** 7)),
        "db-1": _result(_program(5, "__base__", 0.1, 300, 2 * 10 ** 6), _program(6, EVIL_POLICY, 0.2, 10, 4 * 10 ** 6)),
        EVIL_HOST: {"unreachable": True, "msg": "Failed to connect to the host via ssh: <b>timeout</b>"},
        "batch-3": {"failed": True, "msg": "no bpffs is mounted; mount one with: mount -t bpf bpf /sys/fs/bpf"},
    }
    report = build_report(results, budget_percent=BUDGET, generated_at="2026-11-25T01:30:00Z", guard=GUARD)
    path = str(tmp_path_factory.mktemp("audit") / "tetragon-audit.html")
    with open(path, "w") as handle:
        handle.write(render_html(report))
    return path


@pytest.fixture(scope="module")
def dom(page, chromium):
    return Dom(chromium.dump_dom(page))


@pytest.fixture(scope="module")
def screenshot(page, chromium, build_dir):
    png = os.path.join(build_dir, "audit-report.png")
    image = chromium.screenshot(page, png)
    shutil.copy(page, os.path.join(build_dir, "audit-report.html"))
    return image


def test_page_loads_with_its_title_and_no_script_ran(dom):
    titles = dom.find("title")
    assert titles[0][2] == "Tetragon BPF overhead audit, 2026-11-25T01:30:00Z"
    assert not dom.find("script"), "a <script> element made it into the DOM"
    assert not dom.find("img"), "an <img> element made it into the DOM"


def test_hostile_names_are_shown_as_text(dom):
    policy_rows = dom.find("tr", **{"data-policy": EVIL_POLICY})
    assert policy_rows and EVIL_POLICY in policy_rows[0][2]
    listed = dom.find("li", **{"data-host": EVIL_HOST})
    assert listed and EVIL_HOST in listed[0][2] and "<b>timeout</b>" in listed[0][2]


def test_guard_decisions_are_shown_per_host_with_their_state(dom):
    rows = dom.find("tr", **{"data-host": "web-2"})
    states = [(a["data-policy"], a["data-state"]) for _, a, _ in rows if "data-state" in a]
    assert states == [(EVIL_POLICY, "quarantined"), ("raw-syscalls-killer", ""), ("raw-syscalls-killer", "released")]
    assert EVIL_POLICY in rows[0][2] and "1.200%" in rows[0][2] and "1.000% (policy)" in rows[0][2]
    assert [a["data-host"] for _, a, _ in dom.find("div", class_="guard-host")] == ["web-2"]


def test_every_host_is_shown_with_its_status(dom):
    chart_rows = [a["data-label"] for t, a, _ in dom.find("g") if "data-label" in a]
    assert chart_rows[:5] == ["web-2", "web-1", "db-1", "batch-3", EVIL_HOST]
    statuses = dict((a["data-host"], a["data-status"]) for _, a, _ in dom.find("li") if "data-status" in a)
    assert statuses == {"batch-3": "failed", EVIL_HOST: "unreachable"}


def test_the_over_budget_host_is_highlighted(dom):
    over = dom.find("li", class_="over-host")
    assert [a["data-host"] for _, a, _ in over] == ["web-2"]
    assert "3.000% of CPU, budget 1.500%" in over[0][2] and "raw-syscalls-killer (2.800%)" in over[0][2]
    rects = dict((a["data-label"], a["class"]) for _, a, _ in dom.find("rect"))
    assert rects["web-2"] == "bar over"
    assert rects["web-1"] == rects["db-1"] == "bar"
    labels = [a["class"] for _, a, text in dom.find("text") if text.startswith("web-2")]
    assert "label over" in labels


def test_bars_have_widths_proportional_to_overhead(dom):
    chart_rects = []
    in_hosts_chart = False
    for tag, attrs, _ in dom.elements:
        if tag == "svg":
            in_hosts_chart = attrs.get("id") == "hosts-chart"
        elif tag == "rect" and in_hosts_chart:
            chart_rects.append((attrs["data-label"], float(attrs["width"])))
    widths = dict(chart_rects)
    assert sorted(widths) == ["db-1", "web-1", "web-2"]
    for host, overhead in OVERHEAD.items():
        assert widths[host] / widths["web-2"] == pytest.approx(overhead / OVERHEAD["web-2"], rel=1e-3)
    budget = [a for t, a, _ in dom.find("line", class_="budget")][0]
    assert float(budget["x1"]) > float(dict((a["data-label"], a["x"]) for _, a, _ in dom.find("rect"))["web-2"])


def test_the_screenshot_shows_a_red_bar_for_the_host_over_budget_and_blue_ones_scaled(screenshot):
    width, height, _ = screenshot
    assert (width, height) == (1280, 1800)
    red = colour_bars(screenshot, RED, min_length=20)
    blue = colour_bars(screenshot, BLUE, min_length=1)
    assert red and blue, "no solid bars in the screenshot"
    # the first red bar and the first blue bars below it belong to the host chart (web-2, web-1, db-1)
    top, left, red_len, red_h = red[0]
    host_blue = [b for b in blue if b[0] > top and b[1] == left][:2]
    assert len(host_blue) == 2, blue
    assert 14 <= red_h <= 22
    for (_, _, length, _), host in zip(host_blue, ("web-1", "db-1")):
        assert abs(length - red_len * OVERHEAD[host] / OVERHEAD["web-2"]) <= 2, (length, red_len, host)
    assert red_len > 300, "the biggest bar should span most of the chart"
