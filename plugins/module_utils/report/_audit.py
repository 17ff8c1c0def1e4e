# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The fleet audit report: per-host ``ebpfops.tetragon.bpf_prog_stats`` results in, a report dict out
(``build_report``), and a self-contained HTML page for people (``render_html``: inline CSS and SVG,
no script, no external asset). Standard library only.

Budget semantics: ``budget_percent`` is a share of the host's whole CPU capacity (the module's
``overhead_percent``). A host is over budget when its total overhead is strictly above the budget;
a policy is over budget on a host when its own overhead there is strictly above the budget: the rule of
``bpf/_stats.is_over``, the one the module bpf_prog_stats and the rollout gate apply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import calendar
import datetime
import json
import math

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf._stats import is_over
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics

try:
    from collections.abc import Mapping, Sequence
except ImportError:  # Python 2 (sanity import test only)
    from collections import Mapping, Sequence

try:
    from html import escape as _html_escape
except ImportError:  # Python 2 (sanity import test only)
    from cgi import escape as _html_escape

try:
    _UTC = datetime.timezone.utc
except AttributeError:  # Python 2 (sanity import test only)
    _UTC = None

FORMAT = "ebpfops.tetragon.audit/1"
DEFAULT_TOP = 10
STATUSES = ("ok", "failed", "unreachable", "skipped", "missing", "invalid")

_PROGRAM_FIELDS = ("id", "name", "type", "pin", "policy", "sensor")
_PROGRAM_NUMBERS = ("run_cnt", "run_time_ns", "avg_ns", "overhead_percent")
_POLICY_NUMBERS = ("programs", "run_cnt", "run_time_ns", "overhead_percent")


class AuditReportError(ValueError):
    """Bad input to the report (what, where, how to fix)."""


class _BadResult(Exception):
    pass


def _is_text(value):
    return isinstance(value, (type(u""), str))


def _number(value, where, integer=False):
    if isinstance(value, bool) or value is None:
        raise _BadResult("%s is %r, expected a number" % (where, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _BadResult("%s is %r, expected a number" % (where, value))
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise _BadResult("%s is %r, expected a finite number >= 0" % (where, value))
    return int(number) if integer else number


def parse_budget(budget_percent):
    """None/'' -> None (no budget); otherwise a finite float >= 0, or AuditReportError."""
    if budget_percent is None or (_is_text(budget_percent) and not budget_percent.strip()):
        return None
    try:
        return _number(budget_percent, "budget_percent")
    except _BadResult as exc:
        raise AuditReportError("%s; set it to a share of CPU in percent such as 1.5, or leave it "
                               "empty for no budget" % exc)


def _text(value):
    return u"" if value is None else u"%s" % (value,)


def _program(raw, host, index):
    where = "programs[%d]" % index
    if not isinstance(raw, Mapping):
        raise _BadResult("%s is not a mapping" % where)
    program = {"host": host}
    for field in _PROGRAM_FIELDS:
        value = raw.get(field)
        keep = value is None or (field == "id" and isinstance(value, int) and not isinstance(value, bool))
        program[field] = value if keep else _text(value)
    for field in _PROGRAM_NUMBERS:
        if field == "avg_ns" and raw.get(field) is None:
            runs = program["run_cnt"]
            program[field] = (program["run_time_ns"] / runs) if runs else 0.0
            continue
        program[field] = _number(raw.get(field), "%s.%s" % (where, field),
                                 integer=field in ("run_cnt", "run_time_ns"))
    return program


def _policy(raw, index, budget):
    where = "policies[%d]" % index
    if not isinstance(raw, Mapping) or not _is_text(raw.get("name")) or not raw.get("name"):
        raise _BadResult("%s is not a mapping with a name" % where)
    policy = {"name": _text(raw["name"])}
    for field in _POLICY_NUMBERS:
        policy[field] = _number(raw.get(field), "%s.%s" % (where, field),
                                integer=field != "overhead_percent")
    policy["over_budget"] = is_over(policy["overhead_percent"], budget)
    return policy


def _by_overhead(item):
    return (-item["overhead_percent"], -item.get("run_time_ns", 0), item["name"])


def _empty_host(name, status, error):
    return {
        "name": name, "status": status, "error": error, "module_msg": None,
        "total_overhead_percent": None, "total_run_cnt": None, "total_run_time_ns": None,
        "cpus": None, "interval": None, "programs": 0, "policies": [],
        "over_budget": False, "over_budget_policies": [],
    }


def _host(name, result, budget):
    """One host's entry and its programs (a list, for the fleet-wide ranking)."""
    if result is None:
        return _empty_host(name, "missing", "no bpf_prog_stats result was recorded for this host"), []
    if not isinstance(result, Mapping):
        return _empty_host(name, "invalid", "the result is a %s, not a mapping" % type(result).__name__), []
    msg = _text(result.get("msg")) or None
    if result.get("unreachable"):
        return _empty_host(name, "unreachable", msg or "host unreachable"), []
    if result.get("skipped"):
        return _empty_host(name, "skipped", _text(result.get("skip_reason")) or "the task was skipped"), []
    has_data = isinstance(result.get("programs"), Sequence) and isinstance(result.get("policies"), Sequence) \
        and not _is_text(result.get("programs")) and not _is_text(result.get("policies"))
    if result.get("failed") and not has_data:
        return _empty_host(name, "failed", msg or "bpf_prog_stats failed without a message"), []
    if not has_data:
        return _empty_host(name, "invalid", "the result has no programs/policies lists: not a "
                                           "bpf_prog_stats result (register the module's result)"), []
    try:
        programs = [_program(raw, name, i) for i, raw in enumerate(result["programs"])]
        policies = sorted((_policy(raw, i, budget) for i, raw in enumerate(result["policies"])), key=_by_overhead)
        total = result.get("total_overhead_percent")
        total = sum(p["overhead_percent"] for p in programs) if total is None else _number(
            total, "total_overhead_percent")
        runs = result.get("total_run_cnt")
        runs = sum(p["run_cnt"] for p in programs) if runs is None else _number(runs, "total_run_cnt", True)
        run_time = result.get("total_run_time_ns")
        run_time = sum(p["run_time_ns"] for p in programs) if run_time is None else _number(
            run_time, "total_run_time_ns", True)
        cpus = None if result.get("cpus") is None else _number(result["cpus"], "cpus", True)
        interval = None if result.get("interval") is None else _number(result["interval"], "interval")
    except _BadResult as exc:
        return _empty_host(name, "invalid", "bad bpf_prog_stats result: %s" % exc), []
    host = _empty_host(name, "ok", None)
    host.update({
        "module_msg": msg if result.get("failed") else None,
        "total_overhead_percent": total, "total_run_cnt": runs, "total_run_time_ns": run_time,
        "cpus": cpus, "interval": interval, "programs": len(programs), "policies": policies,
        "over_budget": is_over(total, budget),
        "over_budget_policies": [p["name"] for p in policies if p["over_budget"]],
    })
    return host, programs


def _fleet_policies(hosts):
    table = {}
    for host in hosts:
        for policy in host["policies"]:
            entry = table.setdefault(policy["name"], {"name": policy["name"], "hosts": []})
            entry["hosts"].append({
                "host": host["name"], "overhead_percent": policy["overhead_percent"],
                "programs": policy["programs"], "run_cnt": policy["run_cnt"],
                "run_time_ns": policy["run_time_ns"], "over_budget": policy["over_budget"],
            })
    fleet = []
    for entry in table.values():
        entry["hosts"].sort(key=lambda h: (-h["overhead_percent"], h["host"]))
        top = entry["hosts"][0]
        overheads = [h["overhead_percent"] for h in entry["hosts"]]
        entry.update({
            "host_count": len(entry["hosts"]),
            "max_overhead_percent": top["overhead_percent"],
            "max_host": top["host"],
            "mean_overhead_percent": sum(overheads) / len(overheads),
            "run_cnt": sum(h["run_cnt"] for h in entry["hosts"]),
            "run_time_ns": sum(h["run_time_ns"] for h in entry["hosts"]),
            "over_budget_hosts": [h["host"] for h in entry["hosts"] if h["over_budget"]],
        })
        fleet.append(entry)
    fleet.sort(key=lambda p: (-p["max_overhead_percent"], -p["run_time_ns"], p["name"]))
    return fleet


def _guard(raw):
    """A host's guard status (role ebpfops.tetragon.guard status.json, slurped or parsed); None without a guard.

    Each decision keeps its figures, ``samples`` as a count, and ``state``: ``quarantined`` (the policy is in
    the guard's quarantine and this is its latest decision), ``released`` (a later release put it back), or
    None (logged only, failed, or superseded by a later decision)."""
    if isinstance(raw, Mapping) and "content" in raw:
        try:
            raw = json.loads(base64.b64decode(raw["content"]).decode("utf-8"))
        except (TypeError, ValueError):
            return {"error": "the guard's status.json is not JSON"}
    if not isinstance(raw, Mapping) or "decisions" not in raw:
        return None
    keep = ("time_iso", "policy", "action", "result", "measured_percent", "budget_percent", "budget_kind", "detail")
    decisions = [d for d in raw.get("decisions") or [] if isinstance(d, Mapping)]
    quarantined = [_text(k) for k in raw.get("quarantined") or []]
    out = []
    for index, raw_decision in enumerate(decisions):
        decision = dict((k, raw_decision.get(k)) for k in keep)
        samples = raw_decision.get("samples")
        decision["samples"] = len(samples) if isinstance(samples, Sequence) and not _is_text(samples) else None
        decision["state"] = _guard_state(decision, decisions[index + 1:], quarantined)
        out.append(decision)
    return {"updated": raw.get("updated_iso"), "action": (raw.get("config") or {}).get("action"),
            "quarantined": quarantined, "decisions": out}


def _guard_state(decision, later, quarantined):
    if decision["action"] not in ("disable", "remove") or decision["result"] != "done":
        return None
    for other in later:
        if _text(other.get("policy")) == _text(decision["policy"]) and other.get("result") == "done":
            return "released" if other.get("action") == "release" else None
    return "quarantined" if _text(decision["policy"]) in quarantined else None


def _agent_metrics(raw):
    """A host's view of the agent's own metrics (bpf_prog_stats agent_metrics) for the report: event loss
    over the measurement, and per policy kernel memory, missed probes and whether the agent's overhead
    metrics agree with the pinned-program stats. None without metrics; {"error": ...} when unreadable."""
    if raw is None:
        return None
    try:
        if not isinstance(raw, Mapping):
            raise _BadResult("agent_metrics is not a mapping")
        by_counter = dict((_text(k), _number(v, "agent_metrics.event_loss_by_counter.%s" % k))
                          for k, v in (raw.get("event_loss_by_counter") or {}).items())
        memory = dict((_text(k), _number(v, "agent_metrics.kernel_memory_bytes.%s" % k, True))
                      for k, v in (raw.get("kernel_memory_bytes") or {}).items())
        missed = dict((_text(k), _number(v, "agent_metrics.missed_prog_probes.%s" % k, True))
                      for k, v in (raw.get("missed_prog_probes") or {}).items())
        agreement = dict((_text(row.get("name")), row) for row in raw.get("overhead") or [] if isinstance(row, Mapping))
        names = sorted(set(memory) | set(missed) | set(agreement))
        policies = [{"name": name, "kernel_memory_bytes": memory.get(name), "missed_prog_probes": missed.get(name),
                     "metrics_agree": agreement[name].get("agree") if name in agreement else None,
                     "metrics_runs": agreement[name].get("metrics_runs") if name in agreement else None,
                     "pinned_runs": agreement[name].get("pinned_runs") if name in agreement else None,
                     "reason": _text(agreement[name].get("reason")) if name in agreement else u""}
                    for name in names]
        return {"version": _text(raw.get("version")), "url": _text(raw.get("url")),
                "event_loss": _number(raw.get("event_loss"), "agent_metrics.event_loss"),
                "event_loss_by_counter": by_counter, "policies": policies,
                "policies_by_state": dict((_text(k), _number(v, "agent_metrics.policies_by_state.%s" % k, True))
                                          for k, v in (raw.get("policies_by_state") or {}).items())}
    except (_BadResult, AttributeError, TypeError) as exc:
        return {"error": u"bad agent_metrics in the bpf_prog_stats result: %s" % exc}


def _now():
    return datetime.datetime.now(_UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def build_report(results, budget_percent=None, top=DEFAULT_TOP, hosts=None, generated_at=None, title=None,
                 guard=None):
    """Fleet report from ``{host: registered bpf_prog_stats result}``.

    ``hosts`` (optional) lists every host that was audited: a host without a result there is
    reported as ``missing``. Hosts whose task failed, was skipped or could not reach the host stay
    in the report with their status and message; nothing is dropped. ``guard`` (optional) maps host
    names to the guard's status.json (slurped): each host gets ``guard`` (decisions, quarantine) or None.
    """
    if not isinstance(results, Mapping):
        raise AuditReportError("audit_report expects a mapping of host name -> bpf_prog_stats result, got %s"
                               % type(results).__name__)
    budget = parse_budget(budget_percent)
    try:
        count = -1 if isinstance(top, bool) else int(_text(top).strip())
    except ValueError:
        count = -1
    if count < 1:
        raise AuditReportError("top must be a whole number >= 1 (how many programs to rank), got %r" % (top,))
    if hosts is not None and (_is_text(hosts) or not isinstance(hosts, Sequence)):
        raise AuditReportError("hosts must be a list of host names, got %s" % type(hosts).__name__)
    names = []
    for name in hosts or []:
        if _text(name) not in names:
            names.append(_text(name))
    for name in sorted(_text(k) for k in results):
        if name not in names:
            names.append(name)
    entries, programs = [], []
    for name in names:
        entry, host_programs = _host(name, results.get(name), budget)
        entry["guard"] = _guard((guard or {}).get(name) if isinstance(guard, Mapping) else None)
        raw = results.get(name)
        entry["agent_metrics"] = _agent_metrics(raw.get("agent_metrics") if isinstance(raw, Mapping) else None)
        entries.append(entry)
        programs.extend(host_programs)
    ok = [h for h in entries if h["status"] == "ok"]
    others = [h for h in entries if h["status"] != "ok"]
    ok.sort(key=lambda h: (-h["total_overhead_percent"], h["name"]))
    others.sort(key=lambda h: (STATUSES.index(h["status"]), h["name"]))
    programs.sort(key=lambda p: (-p["overhead_percent"], -p["run_time_ns"], p["host"], _text(p["id"])))
    totals = [h["total_overhead_percent"] for h in ok]
    counts = dict((status, 0) for status in STATUSES)
    for entry in entries:
        counts[entry["status"]] += 1
    over_hosts = [h["name"] for h in ok if h["over_budget"]]
    over_policies = [{"host": h["name"], "policy": p["name"], "overhead_percent": p["overhead_percent"]}
                     for h in ok for p in h["policies"] if p["over_budget"]]
    over_policies.sort(key=lambda p: (-p["overhead_percent"], p["host"], p["policy"]))
    return {
        "format": FORMAT,
        "title": _text(title) or "Tetragon BPF overhead audit",
        "generated_at": _text(generated_at) or _now(),
        "budget_percent": budget,
        "summary": {
            "hosts": len(entries),
            "statuses": counts,
            "hosts_without_data": [h["name"] for h in others],
            "hosts_over_budget": len(over_hosts),
            "programs": len(programs),
            "policies": len(set(p["name"] for h in ok for p in h["policies"])),
            "max_total_overhead_percent": max(totals) if totals else None,
            "mean_total_overhead_percent": (sum(totals) / len(totals)) if totals else None,
            "hosts_with_agent_metrics": len([h for h in entries if (h["agent_metrics"] or {}).get("event_loss") is not None]),
            "event_loss": sum((h["agent_metrics"] or {}).get("event_loss") or 0 for h in entries),
        },
        "hosts": ok + others,
        "policies": _fleet_policies(ok),
        "top_programs": programs[:count],
        "over_budget": {"hosts": over_hosts, "policies": over_policies},
    }


# ---------------------------------------------------------------------------------------------
# HTML


def _e(value):
    return _html_escape(_text(value), True)


def _pct(value):
    if value is None:
        return u"n/a"
    if 0 < value < 0.001:
        return u"%.2g%%" % value
    return u"%.3f%%" % value if value < 100 else u"%.1f%%" % value


def _ns(value):
    if value is None:
        return u"n/a"
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if value >= size:
            return u"%.2f %s" % (value / size, unit)
    return u"%d ns" % value


def _count(value):
    return u"n/a" if value is None else u"{:,}".format(int(value))


def _short(text, limit=30):
    text = _text(text)
    return text if len(text) <= limit else text[:limit - 1] + u"…"


_CSS = u"""
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;
background:#fff;max-width:1240px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}
.meta{color:#555;margin:0}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #dde1e8;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:1.4em}
.card.bad{border-color:#c62828;background:#fdecea}
.alert{border:2px solid #c62828;background:#fdecea;border-radius:6px;padding:6px 16px}
.alert h2{color:#b71c1c;border:0}
.good{border:2px solid #2e7d32;background:#edf7ed;border-radius:6px;padding:6px 16px}
.good h2{color:#1b5e20;border:0}
.over-host{color:#b71c1c;font-weight:bold}
.nodata li{color:#6d4c00}
table{border-collapse:collapse;font-size:.9em;margin:4px 0}
th,td{border:1px solid #dde1e8;padding:3px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nw{white-space:nowrap}td.pin{word-break:break-all;font-size:.85em;min-width:16em}
td.over{background:#fdecea;color:#b71c1c;font-weight:bold}
.wide{overflow-x:auto}
svg text{font-size:12px;fill:#1d2330}
svg .bar{fill:#1565c0}svg .bar.over{fill:#c62828}
svg .label.over{fill:#b71c1c;font-weight:bold}
svg .nodata{fill:#8d6e00;font-style:italic}
svg .budget{stroke:#212121;stroke-width:2;stroke-dasharray:6 4}
svg .budget-label{fill:#212121;font-weight:bold}
svg .axis{stroke:#9aa3b2;stroke-width:1}
code{font-size:.95em}
"""

_LABEL_W = 230
_BAR_W = 480
_ROW_H = 26
_CHART_W = _LABEL_W + _BAR_W + 330


def _bar_chart(chart_id, caption, rows, budget):
    """rows: (label, value or None, over, note). Bar widths are value / scale * _BAR_W."""
    values = [r[1] for r in rows if r[1] is not None]
    scale = max(values + ([budget] if budget is not None else []) + [0.0])
    scale = scale * 1.05 if scale > 0 else 1.0
    top = 22
    height = top + _ROW_H * max(len(rows), 1) + 8
    out = [u'<svg id="%s" class="chart" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
           u'xmlns="http://www.w3.org/2000/svg" data-scale="%s"><title>%s</title>'
           % (chart_id, _CHART_W, height, _CHART_W, height, repr(scale), _e(caption))]
    out.append(u'<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>' % (_LABEL_W, top - 4, _LABEL_W, height - 6))
    if not rows:
        out.append(u'<text class="nodata" x="%d" y="%d">no data</text>' % (_LABEL_W + 8, top + 16))
    for index, (label, value, over, note) in enumerate(rows):
        y = top + index * _ROW_H
        over_cls = u" over" if over else u""
        out.append(u'<g class="row%s" data-label="%s">' % (over_cls, _e(label)))
        out.append(u'<text class="label%s" x="%d" y="%d" text-anchor="end"><title>%s</title>%s</text>'
                   % (over_cls, _LABEL_W - 8, y + 15, _e(label), _e(_short(label))))
        if value is None:
            out.append(u'<text class="nodata" x="%d" y="%d">%s</text>' % (_LABEL_W + 8, y + 15, _e(note)))
        else:
            width = value / scale * _BAR_W
            out.append(u'<rect class="bar%s" data-label="%s" data-value="%r" x="%d" y="%d" width="%.2f" '
                       u'height="18"><title>%s: %s</title></rect>'
                       % (over_cls, _e(label), value, _LABEL_W, y + 3, width, _e(label), _e(_pct(value))))
            out.append(u'<text class="value" x="%.2f" y="%d">%s%s</text>'
                       % (_LABEL_W + width + 6, y + 15, _e(_pct(value)), _e(note and u"  " + note)))
        out.append(u'</g>')
    if budget is not None:
        x = _LABEL_W + budget / scale * _BAR_W
        out.append(u'<line class="budget" data-value="%r" x1="%.2f" y1="%d" x2="%.2f" y2="%d"/>'
                   % (budget, x, top - 6, x, height - 4))
        out.append(u'<text class="budget-label" x="%.2f" y="12" text-anchor="middle">budget %s</text>'
                   % (x, _e(_pct(budget))))
    out.append(u'</svg>')
    return u"".join(out)


def _card(label, value, bad=False):
    return u'<div class="card%s"><b>%s</b>%s</div>' % (u" bad" if bad else u"", _e(value), _e(label))


def _over_budget_section(report):
    budget = report["budget_percent"]
    hosts = [h for h in report["hosts"] if h["over_budget"]]
    if budget is None:
        return (u'<section id="over-budget" class="good"><h2>Hosts over budget</h2>'
                u'<p>No budget was set: nothing is judged over budget.</p></section>')
    if not hosts:
        return (u'<section id="over-budget" class="good"><h2>Hosts over budget</h2><p>No host is over the '
                u'budget of %s of its CPU.</p></section>' % _e(_pct(budget)))
    items = []
    for host in hosts:
        policies = u", ".join(u"%s (%s)" % (_e(p["name"]), _e(_pct(p["overhead_percent"])))
                              for p in host["policies"] if p["over_budget"])
        items.append(u'<li class="over-host" data-host="%s"><span class="host">%s</span>: %s of CPU, budget %s'
                     u'%s</li>' % (_e(host["name"]), _e(host["name"]), _e(_pct(host["total_overhead_percent"])),
                                   _e(_pct(budget)), u"; policies over budget: " + policies if policies else u""))
    return (u'<section id="over-budget" class="alert"><h2>Hosts over budget (%d)</h2><ul>%s</ul></section>'
            % (len(hosts), u"".join(items)))


def _nodata_section(report):
    hosts = [h for h in report["hosts"] if h["status"] != "ok"]
    if not hosts:
        return u""
    items = u"".join(u'<li data-host="%s" data-status="%s"><b>%s</b>: %s: %s</li>'
                     % (_e(h["name"]), _e(h["status"]), _e(h["name"]), _e(h["status"]), _e(h["error"]))
                     for h in hosts)
    return (u'<section id="no-data" class="nodata"><h2>Hosts without data (%d)</h2><ul>%s</ul></section>'
            % (len(hosts), items))


def _policy_host_table(report):
    hosts = [h for h in report["hosts"] if h["status"] == "ok"]
    if not report["policies"]:
        return u"<p>No Tetragon program was found on any host.</p>"
    head = u"".join(u'<th class="num">%s</th>' % _e(h["name"]) for h in hosts)
    rows = []
    for policy in report["policies"]:
        on = dict((h["host"], h) for h in policy["hosts"])
        cells = []
        for host in hosts:
            cell = on.get(host["name"])
            if cell is None:
                cells.append(u'<td class="num">–</td>')
            else:
                cells.append(u'<td class="num%s" data-host="%s">%s</td>' % (
                    u" over" if cell["over_budget"] else u"", _e(host["name"]), _e(_pct(cell["overhead_percent"]))))
        rows.append(u'<tr data-policy="%s"><th>%s</th>%s</tr>' % (_e(policy["name"]), _e(policy["name"]),
                                                                  u"".join(cells)))
    return (u'<div class="wide"><table id="policy-host-table"><thead><tr><th>policy \\ host</th>%s</tr></thead>'
            u'<tbody>%s</tbody></table></div>' % (head, u"".join(rows)))


def _programs_table(report):
    if not report["top_programs"]:
        return u"<p>No program ran during the measurement.</p>"
    rows = []
    for rank, p in enumerate(report["top_programs"], 1):
        rows.append(
            u'<tr><td class="num">%d</td><td class="num">%s</td><td class="nw">%s</td><td>%s</td>'
            u'<td>%s<br><small>%s</small></td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
            u'<td class="num">%s</td><td class="pin"><code>%s</code></td></tr>' % (
                rank, _e(_pct(p["overhead_percent"])), _e(p["host"]), _e(p["policy"] or u"–"),
                _e(p["name"] or u"–"), _e(p["sensor"] or p["type"] or u"–"), _e(_count(p["run_cnt"])),
                _e(_ns(p["run_time_ns"])), _e(_ns(p["avg_ns"])), _e(p["id"]), _e(p["pin"] or u"–")))
    return (u'<div class="wide"><table id="top-programs-table"><thead><tr><th class="num">#</th>'
            u'<th class="num">overhead</th><th>host</th><th>policy</th><th>program / sensor</th>'
            u'<th class="num">runs</th><th class="num">run time</th><th class="num">avg</th><th class="num">id</th>'
            u'<th>pin</th></tr></thead><tbody>%s</tbody></table></div>' % u"".join(rows))


def _agent_metrics_section(report):
    """Event loss and kernel memory per policy, from the agent's own metrics (hosts with a metrics server)."""
    rows = []
    for host in report["hosts"]:
        agent = host.get("agent_metrics")
        if not agent:
            continue
        if agent.get("error"):
            rows.append(u'<tr data-host="%s"><th>%s</th><td colspan="6">%s</td></tr>'
                        % (_e(host["name"]), _e(host["name"]), _e(agent["error"])))
            continue
        counters = u", ".join(u"%s %s" % (_e(k.replace(u"tetragon_", u"").replace(u"_total", u"")), _e(_count(v)))
                              for k, v in sorted(agent["event_loss_by_counter"].items()) if v) or u"none"
        policies = agent["policies"] or [{"name": u"–", "kernel_memory_bytes": None, "missed_prog_probes": None,
                                          "metrics_agree": None, "reason": u""}]
        for index, policy in enumerate(policies):
            agree = {True: u"agree", False: u"differ", None: u"–"}[policy["metrics_agree"]]
            lead = (u'<th rowspan="%d">%s</th><td class="num%s" rowspan="%d">%s</td><td rowspan="%d">%s</td>'
                    % (len(policies), _e(host["name"]), u" over" if agent["event_loss"] else u"", len(policies),
                       _e(_count(agent["event_loss"])), len(policies), counters)) if index == 0 else u""
            rows.append(u'<tr data-host="%s" data-policy="%s">%s<td>%s</td><td class="num">%s</td><td class="num">%s</td>'
                        u'<td title="%s">%s</td></tr>' % (
                            _e(host["name"]), _e(policy["name"]), lead, _e(policy["name"]),
                            _e(_count(policy["kernel_memory_bytes"])), _e(_count(policy["missed_prog_probes"])),
                            _e(policy["reason"]), _e(agree)))
    if not rows:
        return (u'<section id="agent-metrics"><h2>Event loss and kernel memory (agent metrics)</h2><p>No host '
                u'served its agent\'s metrics (set Tetragon\'s metrics-server to 127.0.0.1:2112).</p></section>')
    return (u'<section id="agent-metrics"><h2>Event loss and kernel memory (agent metrics)</h2>'
            u'<p class="meta">From the agent\'s own Prometheus metrics, read at the start and end of the measurement. '
            u'Tetragon counts lost events per host and hook type, not per policy.</p><div class="wide">'
            u'<table id="agent-metrics-table"><thead><tr><th>host</th><th class="num">events lost</th><th>by counter</th>'
            u'<th>policy</th><th class="num">kernel memory (bytes)</th><th class="num">missed probes</th>'
            u'<th>metrics vs pinned stats</th></tr></thead><tbody>%s</tbody></table></div></section>' % u"".join(rows))


def _rendered(render, who, report, *args):
    """render(report, *args), with a report whose shape is not build_report's (a saved report edited by hand,
    another format under this format's name) refused by what is missing or of the wrong type."""
    if not isinstance(report, Mapping) or report.get("format") != FORMAT:
        raise AuditReportError("%s expects a report from the ebpfops.tetragon.audit_report filter (format %s)"
                               % (who, FORMAT))
    try:
        return render(report, *args)
    except AuditReportError:
        raise
    except KeyError as exc:
        problem = "it has no %s" % _short(repr(exc.args[0]), 80)
    except (TypeError, AttributeError, ValueError, IndexError) as exc:
        problem = "a value has the wrong type (%s)" % _short(_text(exc), 120)
    raise AuditReportError("%s: the report is not as the ebpfops.tetragon.audit_report filter writes it (format "
                           "%s): %s; render the filter's own output" % (who, FORMAT, problem))


def render_textfile(report, host):
    """One host's audit figures in the Prometheus text format, for node exporter's textfile collector
    (checked with the collection's strict parser before it is returned)."""
    return _rendered(_render_textfile, "audit_textfile", report, host)


def _render_textfile(report, host):
    entries = [h for h in report["hosts"] if h["name"] == _text(host)]
    if not entries:
        raise AuditReportError("audit_textfile: host %s is not in the report" % host)
    entry = entries[0]
    try:
        stamp = calendar.timegm(datetime.datetime.strptime(report["generated_at"], "%Y-%m-%dT%H:%M:%SZ").timetuple())
    except ValueError:
        stamp = None
    prefix = "ebpfops_tetragon_audit_"
    families = [(prefix + "status", "gauge", "1 for the status of this host in the last audit (ok when measured).",
                 [({"status": status}, 1 if entry["status"] == status else 0) for status in STATUSES])]
    if stamp is not None:
        families.append((prefix + "timestamp_seconds", "gauge", "When the last audit report was generated.",
                         [({}, stamp)]))
    if report["budget_percent"] is not None:
        families.append((prefix + "budget_percent", "gauge", "The audit's overhead budget, percent of all CPU time.",
                         [({}, report["budget_percent"])]))
    if entry["status"] == "ok":
        families.extend([
            (prefix + "overhead_percent", "gauge", "BPF overhead of Tetragon's programs, percent of all CPU time.",
             [({}, entry["total_overhead_percent"])]),
            (prefix + "policy_overhead_percent", "gauge", "BPF overhead per policy, percent of all CPU time.",
             [({"policy": p["name"]}, p["overhead_percent"]) for p in entry["policies"]]),
            (prefix + "policy_over_budget", "gauge", "1 when the policy is over the budget.",
             [({"policy": p["name"]}, 1 if p["over_budget"] else 0) for p in entry["policies"]]),
        ])
    agent = entry.get("agent_metrics") or {}
    if agent.get("event_loss") is not None:
        families.extend([
            (prefix + "events_lost", "gauge", "Events the agent lost during the audit's measurement, per loss counter.",
             [({"counter": name}, value) for name, value in sorted(agent["event_loss_by_counter"].items())]),
            (prefix + "policy_kernel_memory_bytes", "gauge", "Kernel memory of the policy's non-shared BPF maps.",
             [({"policy": p["name"]}, p["kernel_memory_bytes"]) for p in agent["policies"]
              if p["kernel_memory_bytes"] is not None]),
        ])
    try:
        return _metrics.render([family for family in families if family[3]])
    except _metrics.MetricsError as exc:
        raise AuditReportError("audit_textfile: the figures of %s are not valid metrics: %s" % (host, exc))


def _guard_section(report):
    """The guard's decisions per host (role ebpfops.tetragon.guard); nothing when no host runs a guard."""
    hosts = [h for h in report["hosts"] if h.get("guard") is not None]
    if not hosts:
        return u""
    blocks = []
    for host in hosts:
        guard = host["guard"]
        if "error" in guard:
            blocks.append(u'<p class="guard-error" data-host="%s"><b>%s</b>: %s</p>'
                          % (_e(host["name"]), _e(host["name"]), _e(guard["error"])))
            continue
        rows = []
        for d in reversed(guard["decisions"]):
            release = d["action"] == "release"
            budget = u"–" if release else u"%s (%s)" % (_guard_pct(d["budget_percent"]), d["budget_kind"] or u"?")
            rows.append(
                u'<tr data-host="%s" data-policy="%s" data-state="%s"><td class="nw">%s</td><td>%s</td>'
                u'<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
                u'<td>%s</td><td>%s</td></tr>' % (
                    _e(host["name"]), _e(d["policy"]), _e(d["state"] or u""), _e(d["time_iso"] or u"?"),
                    _e(d["policy"]), _e(u"–" if release else _guard_pct(d["measured_percent"])), _e(budget),
                    _e(u"–" if d["samples"] is None else d["samples"]), _e(d["action"]), _e(d["result"]),
                    _e(d["state"] or u"–"), _e(d["detail"] or u"")))
        table = (u'<table class="guard-decisions"><thead><tr><th>time (UTC)</th><th>policy</th>'
                 u'<th class="num">measured</th><th class="num">budget</th><th class="num">samples</th>'
                 u'<th>action</th><th>result</th><th>now</th><th>detail</th></tr></thead><tbody>%s</tbody></table>'
                 % u"".join(rows)) if rows else u"<p>No decision recorded.</p>"
        blocks.append(u'<div class="guard-host" data-host="%s"><h3>%s</h3><p class="meta">action %s; quarantined: '
                      u'%s; status of %s</p>%s</div>' % (
                          _e(host["name"]), _e(host["name"]), _e(guard["action"] or u"?"),
                          _e(u", ".join(guard["quarantined"]) or u"none"), _e(guard["updated"] or u"?"), table))
    return (u'<section id="guard"><h2>Guard decisions per host</h2><p class="meta">The guard (role '
            u'ebpfops.tetragon.guard) acts on a policy whose BPF cost stays over its budget; newest first. Release a '
            u'quarantined policy with the playbook ebpfops.tetragon.guard_release.</p>%s</section>' % u"".join(blocks))


def _guard_pct(value):
    return _pct(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else u"n/a"


def render_html(report):
    """A self-contained HTML page for a report from build_report (no script, no external asset)."""
    return _rendered(_render_html, "audit_report_html", report)


def _render_html(report):
    budget = report["budget_percent"]
    summary = report["summary"]
    host_rows = []
    for host in report["hosts"]:
        if host["status"] == "ok":
            note = u"%d program%s" % (host["programs"], u"" if host["programs"] == 1 else u"s")
            host_rows.append((host["name"], host["total_overhead_percent"], host["over_budget"], note))
        else:
            host_rows.append((host["name"], None, False, u"%s (no data)" % host["status"]))
    policy_rows = [(p["name"], p["max_overhead_percent"], bool(p["over_budget_hosts"]),
                    u"max on %s, mean %s, on %d host%s" % (_short(p["max_host"], 24), _pct(p["mean_overhead_percent"]),
                                                          p["host_count"], u"" if p["host_count"] == 1 else u"s"))
                   for p in report["policies"]]
    statuses = summary["statuses"]
    cards = u"".join([
        _card(u"hosts audited", summary["hosts"]),
        _card(u"hosts with data", statuses["ok"]),
        _card(u"hosts without data", summary["hosts"] - statuses["ok"], bool(summary["hosts"] - statuses["ok"])),
        _card(u"hosts over budget", summary["hosts_over_budget"], bool(summary["hosts_over_budget"])),
        _card(u"highest host overhead", _pct(summary["max_total_overhead_percent"])),
        _card(u"budget per host", _pct(budget) if budget is not None else u"none"),
    ])
    title = report["title"]
    parts = [
        u'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        u'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        u'<meta name="viewport" content="width=device-width, initial-scale=1">',
        u'<title>%s, %s</title><style>%s</style></head><body>' % (_e(title), _e(report["generated_at"]), _CSS),
        u'<header><h1>%s</h1><p class="meta">Generated <time>%s</time>. Overhead is BPF run time as a share of '
        u'each host\'s CPU capacity (run time / (interval × CPUs)).</p></header>' % (_e(title),
                                                                                     _e(report["generated_at"])),
        u'<div class="summary">%s</div>' % cards,
        _over_budget_section(report),
        _nodata_section(report),
        u'<section id="hosts"><h2>Overhead per host</h2>%s</section>'
        % _bar_chart(u"hosts-chart", u"BPF overhead per host", host_rows, budget),
        u'<section id="policies"><h2>Overhead per policy (highest host)</h2>%s</section>'
        % _bar_chart(u"policies-chart", u"BPF overhead per policy", policy_rows, budget),
        u'<section id="policy-host"><h2>Overhead per policy and host</h2>%s</section>' % _policy_host_table(report),
        u'<section id="top-programs"><h2>Most expensive programs</h2>%s</section>' % _programs_table(report),
        _agent_metrics_section(report),
        _guard_section(report),
        u'<footer><p class="meta">%s · ebpfops.tetragon audit</p></footer></body></html>\n' % _e(report["format"]),
    ]
    return u"".join(parts)
