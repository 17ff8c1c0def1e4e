# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kprobe-capable test VM: boots the image of tests/vm/build-image.sh under qemu TCG.

    with VM("6.12") as vm:            # or "6.1" (no kprobe_multi)
        vm.ssh("uname -r").stdout
        vm.push_collection()          # the checkout, importable as ansible_collections.ebpfops.tetragon

One VM at a time on the machine: start() holds the lock /tmp/ebpfops-vm.lock (the same lock as
`flock /tmp/ebpfops-vm.lock`) until stop(). The disk is opened with snapshot=on, so every boot starts
from the pristine image. stop() kills qemu by the PID of its pidfile.
    python3 tests/vm/vm.py [6.12|6.1] [command...]   boots, runs the command over SSH (or prints how to
                                                    reach the VM and waits for Enter), stops
"""
from __future__ import absolute_import, division, print_function

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOCK = "/tmp/ebpfops-vm.lock"
BOOT_TIMEOUT = 300
REMOTE_COLLECTION = "/opt/ebpfops/ansible_collections/ebpfops/tetragon"
REMOTE_PATH = "/opt/ebpfops"


class VMError(Exception):
    pass


def build_image():
    """Build (or reuse) the cached image; return its directory."""
    proc = subprocess.run([os.path.join(HERE, "build-image.sh")], stdout=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise VMError("building the VM image failed (tests/vm/build-image.sh exited %d)" % proc.returncode)
    return proc.stdout.strip().splitlines()[-1]


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def ansible_module_utils_tar():
    """ansible's module_utils (what AnsiballZ ships with every module) as a tar.gz, from the controller's
    ansible-core, so the VM can run the collection's modules directly with python3 -m."""
    import io
    import tarfile
    import ansible
    base = os.path.dirname(os.path.dirname(ansible.__file__))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        tar.addfile(tarfile.TarInfo("ansible/__init__.py"), io.BytesIO(b""))
        tar.add(os.path.join(base, "ansible", "release.py"), "ansible/release.py")
        tar.add(os.path.join(base, "ansible", "module_utils"), "ansible/module_utils",
                filter=lambda info: None if "__pycache__" in info.name else info)
    return out.getvalue()


class VM(object):
    def __init__(self, kernel="6.12", memory_mb=1024, cpus=2):
        self.kernel_prefix = kernel
        self.memory_mb = memory_mb
        self.cpus = cpus
        self.image = None
        self.run_dir = None
        self.port = None
        self.pid = None
        self.kernel = None
        self._lock = None
        self.boot_seconds = None

    def _release(self):
        with open(os.path.join(self.image, "kernels")) as handle:
            releases = handle.read().split()
        for release in releases:
            if release.startswith(self.kernel_prefix + ".") or release.startswith(self.kernel_prefix + "-"):
                return release
        raise VMError("the VM image has no %s kernel (it has %s)" % (self.kernel_prefix, ", ".join(releases)))

    def ssh_args(self):
        return ["ssh", "-i", os.path.join(self.image, "id_ed25519"), "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", "-o", "BatchMode=yes",
                "-o", "ControlMaster=auto", "-o", "ControlPersist=600",
                "-o", "ControlPath=%s" % os.path.join(self.run_dir, "ssh.ctl"), "root@127.0.0.1"]

    def start(self):
        self.image = build_image()
        self.kernel = self._release()
        self._lock = open(LOCK, "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            self._boot()
        except BaseException:
            self.stop()
            raise
        return self

    def _boot(self):
        self.run_dir = tempfile.mkdtemp(prefix="ebpfops-vm-run.")
        self.port = free_port()
        pidfile = os.path.join(self.run_dir, "qemu.pid")
        start = time.time()
        # thread=single: under multi-threaded TCG a vCPU can run a stale int3 that text_poke_bp already removed
        # (jump labels flip when BPF stats are switched on or off), and the guest dies with "Oops: int3" in
        # kprobe_multi_link_prog_run; single-threaded TCG keeps code changes coherent between vCPUs
        cmd = [
            "qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max", "-m", str(self.memory_mb),
            "-smp", str(self.cpus),
            "-kernel", os.path.join(self.image, "vmlinuz-" + self.kernel),
            "-initrd", os.path.join(self.image, "initrd.img-" + self.kernel),
            "-append", "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet",
            "-drive", "file=%s,format=raw,if=virtio,snapshot=on" % os.path.join(self.image, "img.ext4"),
            "-nic", "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:%d-:22" % self.port,
            "-display", "none", "-serial", "file:%s" % os.path.join(self.run_dir, "console.log"),
            "-monitor", "none", "-pidfile", pidfile, "-daemonize",
        ]
        subprocess.check_call(cmd)
        with open(pidfile) as handle:
            self.pid = int(handle.read().strip())
        while time.time() - start < BOOT_TIMEOUT:
            if subprocess.call(self.ssh_args() + ["true"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) == 0:
                self.boot_seconds = time.time() - start
                return
            if not self._alive():
                break
            time.sleep(2)
        raise VMError("the VM (kernel %s) did not answer SSH on 127.0.0.1:%d within %d s; console: %s"
                      % (self.kernel, self.port, BOOT_TIMEOUT, self.console_tail()))

    def console_tail(self, lines=15):
        try:
            with open(os.path.join(self.run_dir, "console.log"), errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except (IOError, OSError, TypeError):
            return "(no console log)"

    def _alive(self):
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def ssh(self, command, input=None, check=True, timeout=600):
        proc = subprocess.run(self.ssh_args() + [command], input=input, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout,
                              universal_newlines=not isinstance(input, bytes))
        if check and proc.returncode != 0:
            raise VMError("`%s` on the VM exited %d: %s%s" % (command, proc.returncode, proc.stdout, proc.stderr))
        return proc

    def push(self, local_dir, remote_dir, excludes=(".venv", ".git", ".collections", "build", "__pycache__")):
        """Copy local_dir to remote_dir on the VM (tar over SSH)."""
        tar = ["tar", "-C", local_dir, "-cz"] + ["--exclude=%s" % e for e in excludes] + ["."]
        data = subprocess.run(tar, stdout=subprocess.PIPE, check=True).stdout
        self.ssh("rm -rf %s && mkdir -p %s && tar -C %s -xz" % (remote_dir, remote_dir, remote_dir), input=data)

    def push_collection(self):
        """The checkout on the VM as ansible_collections.ebpfops.tetragon under /opt/ebpfops, with
        ansible's module_utils beside it (python3 -m runs the modules)."""
        self.push(ROOT, REMOTE_COLLECTION)
        self.ssh("tar -C %s -xz" % REMOTE_PATH, input=ansible_module_utils_tar())
        return REMOTE_PATH

    def python(self, code, check=True, timeout=600):
        """Run Python code on the VM with the collection importable."""
        return self.ssh("PYTHONPATH=%s python3 -" % REMOTE_PATH, input=code, check=check, timeout=timeout)

    def stop(self):
        if self.run_dir and self.port:
            subprocess.call(self.ssh_args()[:-1] + ["-O", "exit", "root@127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except OSError:
                pass
            for _ in range(50):
                if not self._alive():
                    break
                time.sleep(0.1)
            else:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
            self.pid = None
        if self.run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def main(argv):
    kernel = argv[0] if argv else "6.12"
    with VM(kernel) as vm:
        sys.stderr.write("VM %s up in %.1f s: %s\n" % (vm.kernel, vm.boot_seconds, " ".join(vm.ssh_args())))
        if len(argv) > 1:
            proc = vm.ssh(" ".join(argv[1:]), check=False)
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr)
            return proc.returncode
        input("press Enter to stop the VM ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
