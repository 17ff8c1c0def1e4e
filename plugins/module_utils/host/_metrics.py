# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Tetragon's Prometheus metrics on a host (standard library only, Python 3.6 syntax): a strict parser of
the text exposition format 0.0.4, a bounded fetch from the agent's metrics server on localhost, and
the normalisation of the metrics the collection reads per agent version (docs/monitoring.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
import time

try:
    from urllib.request import HTTPRedirectHandler, Request, build_opener, ProxyHandler
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlsplit
except ImportError:  # Python 2 is not supported on hosts, but the import must not fail there
    Request = build_opener = ProxyHandler = HTTPError = URLError = urlsplit = None
    HTTPRedirectHandler = object

MAX_BYTES = 8 * 1024 * 1024
MAX_LINE = 64 * 1024
MAX_SERIES = 200000
TIMEOUT = 5.0
CHUNK = 64 * 1024
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")

# name: (labels, unit, first release that serves it, Tetragon source at that release and at v1.7.0).
# Units are those of the normalised value. Checked per release tag in docs/monitoring.md.
METRICS = {
    "tetragon_overhead_program_runs_total": (
        ("policy_namespace", "policy", "sensor", "attach", "section"), "runs", (1, 3, 0),
        "pkg/metrics/overhead/overhead.go, collected in pkg/metrics/overhead/collector.go"),
    "tetragon_overhead_program_seconds_total": (
        ("policy_namespace", "policy", "sensor", "attach", "section"), "seconds", (1, 3, 0),
        "pkg/metrics/overhead/overhead.go; held nanoseconds before v1.7.0 (commit 43a0219e1)"),
    "tetragon_tracingpolicy_loaded": (
        ("state",), "policies", (1, 1, 0),
        "pkg/metrics/policymetrics/policymetrics.go (v1.1-v1.2: pkg/metrics/policystatemetrics/)"),
    "tetragon_tracingpolicy_kernel_memory_bytes": (
        ("policy", "policy_namespace"), "bytes", (1, 3, 0), "pkg/metrics/policymetrics/policymetrics.go"),
    "tetragon_missed_prog_probes_total": (
        ("policy", "attach"), "probes", (1, 2, 0),
        "pkg/metrics/kprobemetrics/missed.go (MissedProg), collected in kprobemetrics/collector.go"),
    "tetragon_bpf_missed_events_total": (
        ("msg_op", "error"), "events", (1, 1, 0),
        "pkg/metrics/eventmetrics/eventmetrics.go (MissedEvents), from tg_stats_map in eventmetrics/bpfcollector.go"),
    "tetragon_observer_ringbuf_events_lost_total": (
        (), "events", (1, 2, 0), "pkg/observer/metrics.go (RingbufLost, subsystem observer)"),
    "tetragon_observer_ringbuf_queue_events_lost_total": (
        (), "events", (1, 2, 0), "pkg/observer/metrics.go (queueLost), incremented in observer_linux.go"),
    "tetragon_notify_overflowed_events_total": (
        (), "events", (1, 0, 0), "pkg/metrics/eventmetrics/eventmetrics.go (NotifyOverflowedEvents)"),
}
# v1.1.x names the BPF loss counter without the bpf subsystem and without the error label
# (pkg/metrics/eventmetrics/eventmetrics.go@v1.1.0); read as the new name.
ALIASES = {"tetragon_missed_events_total": "tetragon_bpf_missed_events_total"}
NANOSECONDS_UNTIL = (1, 7, 0)  # tetragon_overhead_program_seconds_total held ns before this version
LOSS_METRICS = ("tetragon_bpf_missed_events_total", "tetragon_observer_ringbuf_events_lost_total",
                "tetragon_observer_ringbuf_queue_events_lost_total", "tetragon_notify_overflowed_events_total")
BUILD_INFO = "tetragon_build_info"  # label version (pkg/version/metrics.go, since v1.2.0)

_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


_HELP_ESCAPE_RE = re.compile(r"\\(.)")


def _unescape_help(match):
    return "\n" if match.group(1) == "n" else match.group(1) if match.group(1) == "\\" else match.group(0)


class MetricsError(Exception):
    """A problem with the metrics text or endpoint; the message says what and where."""


def _value(text, lineno):
    lowered = text.lower()
    if lowered in ("+inf", "inf"):
        return float("inf")
    if lowered == "-inf":
        return float("-inf")
    if lowered == "nan":
        return float("nan")
    try:
        if not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
            raise ValueError(text)
        return float(text)
    except ValueError:
        raise MetricsError("line %d: %r is not a sample value (a float, +Inf, -Inf or NaN)" % (lineno, text[:40]))


def _labels(text, pos, lineno):
    """(dict, position after '}') of the label set starting after '{'."""
    labels = {}
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        match = _LABEL_RE.match(text, pos)
        if not match:
            raise MetricsError("line %d column %d: expected a label name or '}'" % (lineno, pos + 1))
        name = match.group(0)
        pos = match.end()
        if text[pos:pos + 2] != '="':
            raise MetricsError("line %d column %d: expected '=\"' after label %s" % (lineno, pos + 1, name))
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise MetricsError("line %d: unterminated value of label %s" % (lineno, name))
            char = text[pos]
            if char == "\\":
                escaped = text[pos + 1:pos + 2]
                if escaped not in ("\\", '"', "n"):
                    raise MetricsError("line %d column %d: invalid escape \\%s in label %s"
                                       % (lineno, pos + 1, escaped, name))
                value.append("\n" if escaped == "n" else escaped)
                pos += 2
                continue
            if char == '"':
                pos += 1
                break
            value.append(char)
            pos += 1
        if name in labels:
            raise MetricsError("line %d: label %s given twice" % (lineno, name))
        labels[name] = "".join(value)
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        raise MetricsError("line %d column %d: expected ',' or '}' in the label set" % (lineno, pos + 1))


def _family(name, types):
    if name in types:
        return name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name[:-len(suffix)] in types:
            return name[:-len(suffix)]
    return name


def parse(text):
    """{"types": {family: type}, "help": {family: text}, "samples": [(name, labels, value)]} of the text
    exposition format; MetricsError (with the line) on anything that is not in it."""
    if not isinstance(text, str):
        raise MetricsError("metrics text is %s, not text" % type(text).__name__)
    types, helps, samples, seen = {}, {}, [], set()
    for lineno, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE:
            raise MetricsError("line %d is over %d characters" % (lineno, MAX_LINE))
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                if not _NAME_RE.match(parts[2]) or _NAME_RE.match(parts[2]).end() != len(parts[2]):
                    raise MetricsError("line %d: invalid metric name %r" % (lineno, parts[2][:80]))
                if parts[1] == "TYPE":
                    kind = parts[3].strip() if len(parts) == 4 else ""
                    if kind not in _TYPES:
                        raise MetricsError("line %d: unknown metric type %r for %s" % (lineno, kind, parts[2]))
                    if parts[2] in types:
                        raise MetricsError("line %d: second TYPE line for %s" % (lineno, parts[2]))
                    types[parts[2]] = kind
                else:
                    helps[parts[2]] = _HELP_ESCAPE_RE.sub(_unescape_help, parts[3] if len(parts) == 4 else "")
            continue
        match = _NAME_RE.match(line)
        if not match:
            raise MetricsError("line %d: expected a metric name, got %r" % (lineno, line[:80]))
        name, pos, labels = match.group(0), match.end(), {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = _labels(line, pos + 1, lineno)
        rest = line[pos:].split()
        if not rest or len(rest) > 2 or (pos < len(line) and line[pos] not in " \t"):
            raise MetricsError("line %d: expected '<name>{labels} <value> [timestamp]'" % lineno)
        value = _value(rest[0], lineno)
        if len(rest) == 2 and not re.match(r"^-?\d+$", rest[1]):
            raise MetricsError("line %d: timestamp %r is not an integer" % (lineno, rest[1][:40]))
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise MetricsError("line %d: duplicate series %s%s" % (lineno, name, _render(labels)))
        seen.add(key)
        if len(samples) >= MAX_SERIES:
            raise MetricsError("more than %d series" % MAX_SERIES)
        samples.append((name, labels, value))
    for name, labels, value in samples:
        family = _family(name, types)
        if types.get(family) == "counter" and (value < 0 or math.isnan(value)) and name != family + "_created":
            raise MetricsError("counter %s%s is %r; counters are >= 0" % (name, _render(labels), value))
    return {"types": types, "help": helps, "samples": samples}


def _render(labels):
    return "{%s}" % ",".join('%s="%s"' % item for item in sorted(labels.items())) if labels else ""


def check_url(url):
    """MetricsError unless url is http:// on this host's loopback."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except (ValueError, TypeError, AttributeError):
        scheme = host = None
    if scheme != "http" or host not in LOCAL_HOSTS:
        raise MetricsError("metrics URL %s: only http:// on localhost, 127.0.0.1 or [::1] is read" % url)


def url_from_flag(flag):
    """The URL on this host's loopback of an agent whose metrics-server flag is `flag` (":2112",
    "127.0.0.1:2112", "localhost:2112", "0.0.0.0:2112", "[::1]:2112", "[::]:2112"), or "" when the flag is
    empty (no metrics server) or names another address (not read: the collection reads loopback only)."""
    match = re.match(r"^(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\])?:([0-9]{1,5})$", str(flag or "").strip())
    if not match or not 0 < int(match.group(2)) < 65536:
        return ""
    host = "[::1]" if (match.group(1) or "").startswith("[") else "127.0.0.1"
    return "http://%s:%d/metrics" % (host, int(match.group(2)))


class _NoRedirect(HTTPRedirectHandler):
    """A redirect is answered as the HTTP error it is: following it could leave the loopback."""

    def redirect_request(self, *args, **kwargs):
        return None


def _body(response, url, timeout, max_bytes):
    """The body, read chunk by chunk so that a server sending it slowly is cut at `timeout` in total (the
    socket's timeout bounds only each wait) and one sending too much at max_bytes."""
    deadline = time.monotonic() + timeout
    read = getattr(response, "read1", response.read)
    chunks, size = [], 0
    while True:
        chunk = read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise MetricsError("metrics URL %s sent over %d bytes" % (url, max_bytes))
        if time.monotonic() > deadline:
            raise MetricsError("metrics URL %s did not send its text within %s s" % (url, timeout))


def fetch(url, timeout=TIMEOUT, max_bytes=MAX_BYTES):
    """The text of a metrics endpoint on this host (http only, loopback only, no proxy, no redirect), read
    within about timeout seconds and max_bytes; MetricsError otherwise."""
    check_url(url)
    opener = build_opener(ProxyHandler({}), _NoRedirect())
    request = Request(url, headers={"Accept": "text/plain;version=0.0.4"})
    try:
        response = opener.open(request, timeout=timeout)
        try:
            status = getattr(response, "status", 200)
            if status != 200:
                raise MetricsError("metrics URL %s answered HTTP %s" % (url, status))
            body = _body(response, url, timeout, max_bytes)
        finally:
            response.close()
    except MetricsError:
        raise
    except HTTPError as exc:
        raise MetricsError("metrics URL %s answered HTTP %s%s" % (
            url, exc.code, " (a redirect, which is not followed)" if 300 <= exc.code < 400 else ""))
    except URLError as exc:
        raise MetricsError("metrics URL %s cannot be read: %s" % (url, getattr(exc, "reason", exc)))
    except (IOError, OSError, ValueError) as exc:  # timeouts, resets, bad status lines
        raise MetricsError("metrics URL %s cannot be read: %s" % (url, exc))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetricsError("metrics URL %s sent text that is not UTF-8 (byte %d)" % (url, exc.start))


def _version(text):
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?", str(text or ""))
    if not match:
        raise MetricsError("Tetragon version %r is not MAJOR.MINOR[.PATCH]" % (text,))
    return tuple(int(part or 0) for part in match.groups())


def normalise(parsed, version):
    """The metrics of METRICS that the agent of this version serves, in their normalised units:
    {name: [{"labels": {...}, "value": float}]}; names it does not serve yet are left out. The overhead
    seconds counter is converted from nanoseconds for agents before v1.7.0."""
    target = _version(version)
    out = {}
    served = set(sample[0] for sample in parsed["samples"])
    for name, labels, value in parsed["samples"]:
        if name in ALIASES and ALIASES[name] not in served:
            name = ALIASES[name]
        spec = METRICS.get(name)
        if spec is None or target < spec[2]:
            continue
        if name == "tetragon_overhead_program_seconds_total" and target < NANOSECONDS_UNTIL:
            value = value / 1e9
        out.setdefault(name, []).append({"labels": dict((k, labels.get(k, "")) for k in spec[0]), "value": value})
    return out


def by_policy(normalised, name):
    """{(policy_namespace, policy): summed value} of a per-policy metric."""
    totals = {}
    for sample in normalised.get(name, []):
        key = (sample["labels"].get("policy_namespace", ""), sample["labels"].get("policy", ""))
        totals[key] = totals.get(key, 0.0) + sample["value"]
    return totals


def event_loss(normalised):
    """Total events lost, summed over the loss counters (docs/monitoring.md)."""
    return sum(sample["value"] for name in LOSS_METRICS for sample in normalised.get(name, []))


def agent_version(parsed):
    """The version label of tetragon_build_info in parsed metrics, or None when it is not there."""
    for name, labels, dummy in parsed["samples"]:
        if name == BUILD_INFO and labels.get("version"):
            return labels["version"]
    return None


def loss_by_counter(normalised):
    """{metric name: events lost} of each loss counter the agent serves."""
    return dict((name, sum(sample["value"] for sample in normalised[name]))
                for name in LOSS_METRICS if name in normalised)


def read(url, version=None, timeout=TIMEOUT):
    """(version, normalised) of the agent's metrics at url; the version is tetragon_build_info's unless
    given. MetricsError when the endpoint, the text or the version cannot be read."""
    parsed = parse(fetch(url, timeout=timeout))
    found = version or agent_version(parsed)
    if not found:
        raise MetricsError("metrics URL %s serves no %s{version} and no agent version was given"
                           % (url, BUILD_INFO))
    return found, normalise(parsed, found)


def _escape_label(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return "%d" % value if value.is_integer() and abs(value) < 1e15 else repr(value)


def render(families):
    """Text exposition format of [(name, type, help, [(labels dict, value)])], in the order given; the
    result is checked with parse() so nothing invalid is ever written (MetricsError otherwise)."""
    lines = []
    for name, kind, text, samples in families:
        lines.append("# HELP %s %s" % (name, text.replace("\\", "\\\\").replace("\n", "\\n")))
        lines.append("# TYPE %s %s" % (name, kind))
        for labels, value in samples:
            label_text = ",".join('%s="%s"' % (key, _escape_label(str(labels[key]))) for key in sorted(labels))
            lines.append("%s%s %s" % (name, "{%s}" % label_text if label_text else "", _number(value)))
    text = "\n".join(lines) + "\n"
    parse(text)
    return text


AGREE_PERCENT = 5.0  # metrics and pinned stats agree within this share of the pinned figure
AGREE_RUNS = 50  # or within this many runs (the two reads are microseconds apart, not at the same instant)


def _increase(before, after):
    """Prometheus' increase of a counter between two reads: a counter that went down was reset (the agent
    restarted), so its increase is the value after."""
    return after if after < before else after - before


def _per_key(normalised, name, key):
    totals = {}
    for sample in normalised.get(name, []):
        k = key(sample["labels"])
        totals[k] = totals.get(k, 0.0) + sample["value"]
    return totals


def policy_dir(namespace, name):
    """The directory of a policy under Tetragon's bpffs directory (pkg/sensors/tracing policy pins)."""
    return "%s:%s" % (namespace, name) if namespace else name


def window(before, after):
    """What grew between two normalised reads of one agent: {"event_loss", "event_loss_by_counter",
    "overhead": {policy dir: {"runs", "seconds"}}, "missed_prog_probes": {policy: n}}, plus the gauges
    of the second read: {"kernel_memory_bytes": {policy dir: bytes}, "policies_by_state": {state: n}}."""
    loss_before, loss_after = loss_by_counter(before), loss_by_counter(after)
    by_counter = dict((name, _increase(loss_before.get(name, 0.0), value)) for name, value in loss_after.items())
    overhead = {}
    for metric, field in (("tetragon_overhead_program_runs_total", "runs"),
                          ("tetragon_overhead_program_seconds_total", "seconds")):
        start = _per_key(before, metric, lambda labels: tuple(labels[k] for k in METRICS[metric][0]))
        for key, value in _per_key(after, metric, lambda labels: tuple(labels[k] for k in METRICS[metric][0])).items():
            entry = overhead.setdefault(policy_dir(key[0], key[1]), {"runs": 0.0, "seconds": 0.0})
            entry[field] += _increase(start.get(key, 0.0), value)
    missed_key = lambda labels: (labels["policy"], labels["attach"])  # noqa: E731
    missed_start = _per_key(before, "tetragon_missed_prog_probes_total", missed_key)
    missed = {}
    for key, value in _per_key(after, "tetragon_missed_prog_probes_total", missed_key).items():
        missed[key[0]] = missed.get(key[0], 0.0) + _increase(missed_start.get(key, 0.0), value)
    memory = dict((policy_dir(ns, name), value) for (ns, name), value in
                  by_policy(after, "tetragon_tracingpolicy_kernel_memory_bytes").items())
    states = dict((s["labels"]["state"], s["value"]) for s in after.get("tetragon_tracingpolicy_loaded", []))
    return {"event_loss": sum(by_counter.values()), "event_loss_by_counter": by_counter,
            "overhead": overhead, "missed_prog_probes": missed, "kernel_memory_bytes": memory,
            "policies_by_state": states}


def _agree(metric, pinned, tolerance):
    return abs(metric - pinned) <= max(tolerance, pinned * AGREE_PERCENT / 100.0)


def compare(overhead, pinned):
    """Per policy: the agent's overhead metrics over a window against the pinned-program stats of the same
    window (pinned: [{"name", "run_cnt", "run_time_ns"}], the policies of bpf_prog_stats). Each row says
    whether they agree (within AGREE_PERCENT or AGREE_RUNS / 1 µs) and, when not, why that is expected."""
    measured = dict((p["name"], p) for p in pinned)
    rows = []
    for name in sorted(set(overhead) | set(measured)):
        metric, pin = overhead.get(name), measured.get(name)
        row = {"name": name, "metrics_runs": None, "metrics_run_time_ns": None, "pinned_runs": None,
               "pinned_run_time_ns": None, "agree": False, "reason": ""}
        if metric is not None:
            row["metrics_runs"], row["metrics_run_time_ns"] = int(metric["runs"]), int(round(metric["seconds"] * 1e9))
        if pin is not None:
            row["pinned_runs"], row["pinned_run_time_ns"] = pin["run_cnt"], pin["run_time_ns"]
        if metric is None:
            row["reason"] = ("no overhead metrics for this policy: the agent serves them from v1.3.0, and only for "
                             "the policies it lists (programs pinned by something else are not its)")
        elif pin is None:
            row["reason"] = ("no pinned programs under the measured directory: the agent's programs are not pinned "
                             "there (another --bpf-dir, or the policy was added after the first sample)")
        else:
            row["agree"] = (_agree(row["metrics_runs"], row["pinned_runs"], AGREE_RUNS)
                            and _agree(row["metrics_run_time_ns"], row["pinned_run_time_ns"], 1000))
            if not row["agree"]:
                row["reason"] = ("the figures differ beyond %s%%: the agent sums every program of the policy's "
                                 "sensors, pinned or not, and reads them at its scrape, microseconds off the "
                                 "pinned samples; check --bpf-dir and the agent version's unit" % AGREE_PERCENT)
        rows.append(row)
    return rows
