# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests on the kprobe-capable VM (tests/vm): Debian's 6.12 kernel (kprobe_multi) and 6.1 (no kprobe_multi).

One VM runs at a time: the session's VM is booted on first use and replaced when a test asks for the
other kernel (the 6.1 tests are in the last file, so each kernel boots once per run).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))

from vm import VM, REMOTE_COLLECTION, REMOTE_PATH  # noqa: E402

MODULES = "ansible_collections.ebpfops.tetragon.plugins.modules."


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/vm/" in str(item.fspath):
            item.add_marker(pytest.mark.kernel)


class Guest(object):
    """The running VM with the collection pushed to it."""

    def __init__(self, vm):
        self.vm = vm
        self.kernel = vm.kernel
        self.double_installed = False

    def ssh(self, command, **kwargs):
        return self.vm.ssh(command, **kwargs)

    def python(self, code, **kwargs):
        return self.vm.python(code, **kwargs)

    def run_module(self, name, args, fails=False, timeout=600):
        """Run a module of the collection on the VM as root; return its JSON result."""
        code = ("import json, subprocess, sys, tempfile\n"
                "with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:\n"
                "    json.dump({'ANSIBLE_MODULE_ARGS': %r}, f)\n"
                "proc = subprocess.run([sys.executable, '-m', %r, f.name], stdout=subprocess.PIPE)\n"
                "sys.stdout.write(proc.stdout.decode())\n" % (args, MODULES + name))
        out = self.vm.python(code, timeout=timeout).stdout
        result = json.loads(out[out.index("{"):])
        assert bool(result.get("failed")) == fails, result.get("msg") or result
        return result


    def probe_during_workload(self, policy, programs, files=200, ops=10, interval=15, **args):
        """hook_probe on the VM over a file workload (tests/integration/vm/workload.py); the workload must
        end within the interval (TCG is slow, and slower with kprobes attached)."""
        result = self.module_during_workload("hook_probe", dict(args, content=policy, interval=interval),
                                             programs, files, ops, delay=3)
        assert result["workload_seconds"] < interval - 1, "the workload outlasted the interval: %s" % result
        return result

    def module_during_workload(self, module, args, programs=0, files=200, ops=10, delay=0.5):
        """Run a module on the VM; the file workload starts once `programs` probes are attached + delay."""
        spec = {"module": module, "programs": programs, "files": files, "ops": ops, "args": args, "delay": delay}
        out = self.vm.ssh("cd /tmp && PYTHONPATH=%s python3 %s/tests/integration/vm/workload.py"
                          % (REMOTE_PATH, REMOTE_COLLECTION), input=json.dumps(spec)).stdout
        return json.loads(out)


    def start_double(self, policies, version="1.7.0"):
        """Install the Tetragon test double's release on the VM and start it with `policies` ({name: yaml})
        in its policy directory; return when its API socket is up. stop_double() ends it."""
        if not self.double_installed:
            out = tempfile.mkdtemp(prefix="ebpfops-double-")
            try:
                subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "double", "build_releases.py"),
                                       "--out", out], stdout=subprocess.DEVNULL)
                name = "tetragon-v%s-amd64" % version
                with open(os.path.join(out, "download", "v" + version, name + ".tar.gz"), "rb") as handle:
                    self.vm.ssh("tar -C / -xz --strip-components=1", input=handle.read())
            finally:
                shutil.rmtree(out, ignore_errors=True)
            self.double_installed = True
        script = ["rm -rf /etc/tetragon/tetragon.tp.d && mkdir -p /etc/tetragon/tetragon.tp.d"]
        for name, text in policies.items():
            script.append("cat > /etc/tetragon/tetragon.tp.d/%s.yaml <<'EOF'\n%sEOF" % (name, text))
        script.append("setsid nohup /usr/local/bin/tetragon --server-address unix:///var/run/tetragon/tetra.sock "
                      ">/var/log/tetragon-double.log 2>&1 < /dev/null & pid=$!")
        script.append("for i in $(seq 1 600); do [ -S /var/run/tetragon/tetra.sock ] && exit 0; "
                      "kill -0 $pid 2>/dev/null || break; sleep 0.2; done; cat /var/log/tetragon-double.log; exit 1")
        self.vm.ssh("\n".join(script))

    def stop_double(self):
        self.vm.ssh("pid=$(cat /var/run/tetragon/tetragon.pid) && kill -TERM $pid; for i in $(seq 1 100); do "
                    "kill -0 $pid 2>/dev/null || exit 0; sleep 0.2; done; exit 1")


class Pool(object):
    def __init__(self):
        self.guest = None

    def get(self, kernel):
        if self.guest is not None and self.guest.vm.kernel_prefix == kernel:
            return self.guest
        self.close()
        vm = VM(kernel)
        try:
            vm.start()
        except Exception as exc:  # a VM that cannot boot fails the tests that need it (never skips)
            pytest.fail("the test VM with kernel %s did not start: %s" % (kernel, exc))
        sys.stderr.write("\n[vm] kernel %s booted in %.1f s\n" % (vm.kernel, vm.boot_seconds))
        vm.push_collection()
        self.guest = Guest(vm)
        return self.guest

    def close(self):
        if self.guest is not None:
            self.guest.vm.stop()
            self.guest = None


@pytest.fixture(scope="session")
def vm_pool():
    if os.geteuid() != 0:
        pytest.fail("needs root: the VM tests build an image with debootstrap and boot it under qemu")
    pool = Pool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def vm612(vm_pool):
    return vm_pool.get("6.12")


@pytest.fixture
def vm61(vm_pool):
    return vm_pool.get("6.1")
