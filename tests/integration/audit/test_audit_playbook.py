# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ebpfops.tetragon.audit end to end, on the real kernel, as root.

bpftrace loads and attaches two real tracepoint programs; bpftool pins them where Tetragon pins its
programs (<bpffs>/<bpf_dir>/<policy>/generic_tracepoint/<subsys>:<event>/prog) under a bpf_dir of
this test's own. "hot" sits on raw_syscalls:sys_enter (every syscall, with a syscall loop running),
"cold" on syscalls:sys_enter_acct (never called). The inventory also has a host whose module cannot
run and one that cannot be reached: the report must list both.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics
from ansible_collections.ebpfops.tetragon.tests.integration.audit.chromium import Dom, colour_bars

pytestmark = pytest.mark.kernel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BPFFS = "/sys/fs/bpf"
PROBES = (("hot", "raw_syscalls", "sys_enter"), ("cold", "syscalls", "sys_enter_acct"))
INVENTORY = """[fleet]
localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3
broken.example ansible_connection=local ansible_python_interpreter=/nonexistent/python3
gone.example ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh ansible_ssh_common_args='-o ConnectTimeout=3 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
"""


def _prog_ids_of(pid):
    """BPF program ids held open by a process (from /proc/<pid>/fdinfo)."""
    ids = []
    for fd in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as handle:
                match = re.search(r"^prog_id:\s+(\d+)$", handle.read(), re.M)
        except (IOError, OSError):
            continue
        if match:
            ids.append(int(match.group(1)))
    return ids


def _prog_name(prog_id):
    out = subprocess.run(["bpftool", "prog", "show", "id", str(prog_id), "--json"], stdout=subprocess.PIPE,
                         check=True).stdout
    return json.loads(out.decode())["name"]


@pytest.fixture(scope="module")
def pinned_programs():
    """Two running tracepoint programs pinned like Tetragon's; yields (bpf_dir, {policy: pin path})."""
    if os.geteuid() != 0:
        pytest.fail("tests/integration needs root (BPF, bpffs)")
    for tool in ("bpftrace", "bpftool"):
        if not shutil.which(tool):
            pytest.fail("%s is missing: run scripts/setup.sh test" % tool)
    if not os.path.ismount(BPFFS):
        subprocess.run(["mount", "-t", "bpf", "bpf", BPFFS], check=True)
    bpf_dir = "ebpfops-audit-test-%d" % os.getpid()
    script = " ".join("tracepoint:%s:%s { @%s = count(); }" % (cat, event, policy) for policy, cat, event in PROBES)
    tracer = subprocess.Popen(["bpftrace", "-e", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=os.setsid)
    load = subprocess.Popen([sys.executable, "-c", "import os\nwhile True: os.getppid()"])
    pins = {}
    try:
        deadline, seen = time.time() + 30, b""
        while b"Attaching" not in seen and time.time() < deadline and tracer.poll() is None:
            if select.select([tracer.stdout], [], [], 0.5)[0]:
                seen += os.read(tracer.stdout.fileno(), 4096)
        assert b"Attaching 2 probes" in seen, "bpftrace did not attach: %r" % seen
        ids = _prog_ids_of(tracer.pid)
        while len(ids) < 2 and time.time() < deadline:
            time.sleep(0.1)
            ids = _prog_ids_of(tracer.pid)
        names = dict((_prog_name(i), i) for i in ids)
        assert set(names) == set(event for _, _, event in PROBES), names
        for policy, category, event in PROBES:
            pin_dir = os.path.join(BPFFS, bpf_dir, policy, "generic_tracepoint", "%s:%s" % (category, event))
            os.makedirs(pin_dir)
            pins[policy] = os.path.join(pin_dir, "prog")
            subprocess.run(["bpftool", "prog", "pin", "id", str(names[event]), pins[policy]], check=True)
        yield bpf_dir, pins
    finally:
        load.kill()
        load.wait()
        os.killpg(tracer.pid, signal.SIGINT)
        try:
            tracer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(tracer.pid, signal.SIGKILL)
            tracer.wait()
        shutil.rmtree(os.path.join(BPFFS, bpf_dir), ignore_errors=True)


def _audit(tmp_path, bpf_dir, *extra):
    (tmp_path / "inventory.ini").write_text(INVENTORY)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_HOST_KEY_CHECKING="false",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_HOME=str(tmp_path / "home"))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(ROOT, "playbooks", "audit.yml"),
           "-i", str(tmp_path / "inventory.ini"), "-e", "audit_hosts=fleet", "-e", "audit_interval=0.5",
           "-e", "audit_bpf_dir=%s" % bpf_dir, "-e", "audit_report_dir=%s" % (tmp_path / "report")] + list(extra)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, timeout=120)
    out = proc.stdout.decode()
    try:
        run = json.loads(out)
    except ValueError:
        raise AssertionError("ansible-playbook printed no JSON:\n%s\n%s" % (out[-3000:], proc.stderr.decode()[-2000:]))
    return proc.returncode, run


def _task(run, name, host):
    for play in run["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == name:
                return task["hosts"][host]
    raise AssertionError("no task %r" % name)


def _report(tmp_path):
    with open(str(tmp_path / "report" / "tetragon-audit.json")) as handle:
        return json.load(handle)


def test_check_mode_measures_but_writes_nothing(tmp_path, pinned_programs):
    bpf_dir, _ = pinned_programs
    rc, run = _audit(tmp_path, bpf_dir, "--check")
    assert rc == 0, json.dumps(run["stats"])
    assert not (tmp_path / "report").exists()
    assert _task(run, "Write the report as JSON on the controller", "localhost")["changed"] is True
    summary = _task(run, "Summarise the audit", "localhost")["msg"]
    assert summary[0] == "3 host(s) audited: 1 measured, 1 failed, 1 unreachable"


def test_audit_reports_every_host_and_the_policy_over_budget(tmp_path, pinned_programs, chromium, build_dir):
    bpf_dir, pins = pinned_programs
    rc, run = _audit(tmp_path, bpf_dir, "-e", "audit_budget_percent=0.000001")
    assert rc == 0, json.dumps(run["stats"])
    report = _report(tmp_path)
    hosts = dict((h["name"], h) for h in report["hosts"])
    assert [h["name"] for h in report["hosts"]] == ["localhost", "broken.example", "gone.example"]
    assert hosts["broken.example"]["status"] == "failed" and "interpreter" in hosts["broken.example"]["error"]
    assert hosts["gone.example"]["status"] == "unreachable" and hosts["gone.example"]["error"]

    local = hosts["localhost"]
    assert local["status"] == "ok" and local["cpus"] == os.cpu_count()
    policies = dict((p["name"], p) for p in local["policies"])
    assert set(policies) == {"hot", "cold"}
    assert policies["hot"]["run_cnt"] > 100 and policies["hot"]["overhead_percent"] > 0
    assert policies["cold"]["run_cnt"] == 0 and policies["cold"]["overhead_percent"] == 0
    assert local["total_overhead_percent"] == pytest.approx(policies["hot"]["overhead_percent"])

    assert report["budget_percent"] == 0.000001
    assert report["over_budget"]["hosts"] == ["localhost"]
    assert [p["policy"] for p in report["over_budget"]["policies"]] == ["hot"]
    top = report["top_programs"][0]
    assert (top["host"], top["policy"], top["sensor"], top["pin"]) == ("localhost", "hot", "generic_tracepoint",
                                                                      pins["hot"])
    assert [p["policy"] for p in report["top_programs"]] == ["hot", "cold"]

    summary = _task(run, "Summarise the audit", "localhost")["msg"]
    assert "OVER BUDGET: localhost" in summary
    assert _task(run, "Fail when a host is over budget (audit_fail_over_budget)", "localhost")["skipped"]

    dom = Dom(chromium.dump_dom(str(tmp_path / "report" / "tetragon-audit.html")))
    assert [a["data-host"] for _, a, _ in dom.find("li", class_="over-host")] == ["localhost"]
    assert dict((a["data-label"], a["class"]) for _, a, _ in dom.find("rect"))["localhost"] == "bar over"
    assert set(a["data-host"] for _, a, _ in dom.find("li") if "data-status" in a) == {"broken.example",
                                                                                       "gone.example"}
    image = chromium.screenshot(str(tmp_path / "report" / "tetragon-audit.html"),
                                os.path.join(build_dir, "audit-playbook-report.png"), height=1200)
    assert colour_bars(image, (0xC6, 0x28, 0x28), min_length=20), "no red over-budget bar on the page"


def test_audit_fails_at_the_end_when_asked_and_still_writes_the_report(tmp_path, pinned_programs):
    bpf_dir, _ = pinned_programs
    rc, run = _audit(tmp_path, bpf_dir, "-e", "audit_budget_percent=0.000001", "-e", "audit_fail_over_budget=true")
    assert rc != 0
    failure = _task(run, "Fail when a host is over budget (audit_fail_over_budget)", "localhost")
    assert failure["failed"] and "1 host(s) over the budget" in failure["msg"] and "localhost at" in failure["msg"]
    assert "policies over budget: hot." in failure["msg"]
    assert _report(tmp_path)["over_budget"]["hosts"] == ["localhost"]
    assert (tmp_path / "report" / "tetragon-audit.html").exists()


def test_generous_budget_means_nobody_is_over(tmp_path, pinned_programs):
    bpf_dir, _ = pinned_programs
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    rc, run = _audit(tmp_path, bpf_dir, "-e", "audit_budget_percent=90", "-e", "audit_fail_over_budget=true",
                     "-e", "audit_textfile_dir=%s" % textfiles)
    assert rc == 0, json.dumps(run["stats"])
    assert sorted(os.listdir(str(textfiles))) == ["ebpfops_tetragon_audit.prom"]
    text = (textfiles / "ebpfops_tetragon_audit.prom").read_text()
    samples = _metrics.parse(text)["samples"]
    assert ("ebpfops_tetragon_audit_policy_over_budget", {"policy": "hot"}, 0.0) in samples
    assert ("ebpfops_tetragon_audit_status", {"status": "ok"}, 1.0) in samples
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, check=False)
    assert check.returncode == 0, check.stdout.decode()
    assert "agent metrics not read" in " ".join(_task(run, "Summarise the audit", "localhost")["msg"])
    assert _report(tmp_path)["over_budget"] == {"hosts": [], "policies": []}
    assert "no host is over budget" in _task(run, "Summarise the audit", "localhost")["msg"]
