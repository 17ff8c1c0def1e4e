# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The BPF stats session (bpf/_session.py) and the BTF function lookup (bpf/_btf.py), without a kernel."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import struct

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _btf, _session
from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _syscalls as _bpf


class FakeBpf(object):
    BpfError = _bpf.BpfError

    def __init__(self, stats_errno=None):
        self.stats_errno = stats_errno
        self.open = set()

    def enable_stats(self):
        if self.stats_errno:
            raise _bpf.BpfError("BPF_ENABLE_STATS failed", errno=self.stats_errno)
        self.open.add("stats")
        return "stats"

    def prog_info(self, fd):
        return {"run_cnt": len(fd), "run_time_ns": 1}

    def close(self, fd):
        self.open.discard(fd)


@pytest.fixture
def fake(monkeypatch):
    def install(stats_errno=None, sysctl=0):
        bpf = FakeBpf(stats_errno)
        monkeypatch.setattr(_session, "_bpf", bpf)
        monkeypatch.setattr(_session, "read_sysctl", lambda path: sysctl)
        return bpf
    return install


def test_session_closes_everything_also_on_error(fake):
    bpf = fake()
    with pytest.raises(RuntimeError):
        with _session.StatsSession() as session:
            bpf.open.update(["prog", "link"])
            session.keep("prog")
            session.keep("link")
            assert session.sample({"p": "prog"}) == {"p": {"run_cnt": 4, "run_time_ns": 1}}
            raise RuntimeError("boom")
    assert bpf.open == set()
    assert session.enabled_by_session is True


def test_session_reports_stats_already_on(fake):
    bpf = fake(sysctl=1)
    with _session.StatsSession() as session:
        assert "stats" in bpf.open
    assert session.enabled_by_session is False and bpf.open == set()


def test_old_kernel_without_enable_stats(fake):
    fake(stats_errno=errno.EINVAL, sysctl=0)
    with pytest.raises(_session.StatsUnavailable, match="5.8"):
        with _session.StatsSession():
            pass
    fake(stats_errno=errno.EINVAL, sysctl=1)
    with _session.StatsSession() as session:
        pass
    assert session.enabled_by_session is False


def test_permission_error_is_raised(fake):
    fake(stats_errno=errno.EPERM)
    with pytest.raises(_bpf.BpfError):
        with _session.StatsSession():
            pass


def _btf_blob(types, strings):
    type_data = b"".join(types)
    header = struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(type_data), len(type_data), len(strings))
    return header + type_data + strings


def test_btf_function_ids(tmp_path):
    strings = b"\0int\0bpf_lsm_file_open\0vfs_write\0"
    types = [
        struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", 32),      # 1: INT int (+4 bytes)
        struct.pack("<III", 0, (13 << 24) | 2, 1) + b"\0" * 16,          # 2: FUNC_PROTO with 2 params
        struct.pack("<III", 5, 12 << 24, 2),                             # 3: FUNC bpf_lsm_file_open
        struct.pack("<III", 23, 4 << 24 | 1, 8) + b"\0" * 12,            # 4: STRUCT vfs_write (not a FUNC)
        struct.pack("<III", 23, 12 << 24, 2),                            # 5: FUNC vfs_write
    ]
    path = tmp_path / "vmlinux"
    path.write_bytes(_btf_blob(types, strings))
    assert _btf.function_ids(["bpf_lsm_file_open", "vfs_write", "missing"], str(path)) == {
        "bpf_lsm_file_open": 3, "vfs_write": 5}


def test_btf_errors(tmp_path):
    path = tmp_path / "vmlinux"
    path.write_bytes(b"\0" * 64)
    with pytest.raises(_btf.BtfError, match="is not BTF"):
        _btf.function_ids(["x"], str(path))
    with pytest.raises(_btf.BtfError, match="CONFIG_DEBUG_INFO_BTF"):
        _btf.function_ids(["x"], str(tmp_path / "missing"))


class NoMultiBpf(FakeBpf):
    """A kernel with the kprobe PMU but without kprobe_multi (like Debian's 6.1)."""
    BPF_PROG_TYPE_KPROBE = _bpf.BPF_PROG_TYPE_KPROBE
    BPF_TRACE_KPROBE_MULTI = _bpf.BPF_TRACE_KPROBE_MULTI

    def __init__(self):
        super(NoMultiBpf, self).__init__()
        self.next = 10

    def load_probe_program(self, name, *args):
        self.next += 1
        self.open.add(self.next)
        return self.next

    def attach_kprobe_multi(self, prog, functions, is_return):
        raise _bpf.BpfError("creating a kprobe_multi link failed: Operation not supported", errno=errno.EOPNOTSUPP)

    def attach_kprobe(self, prog, function, is_return):
        self.next += 1
        self.open.add(self.next)
        return self.next


@pytest.mark.parametrize("mode, measured", [("auto", "kprobe:vfs_read"), ("kprobe", "kprobe:vfs_read")])
def test_kprobe_falls_back_to_the_pmu_and_keeps_only_attached_programs(monkeypatch, mode, measured):
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _probe
    bpf = NoMultiBpf()
    monkeypatch.setattr(_probe, "_bpf", bpf)
    session = _session.StatsSession()
    monkeypatch.setattr(_session, "_bpf", bpf)
    attacher = _probe.Attacher(session, mode)
    first = attacher.attach(("kprobe", "vfs_read", False))
    second = attacher.attach(("kprobe", "vfs_read", True))
    assert first[1] == measured and second[1] == "kretprobe:vfs_read"
    assert (first[2] is not None) == (mode == "auto")
    assert len(session.fds) == 4 and bpf.open == set(session.fds)  # the failed kprobe_multi program was closed
    session.close()
    assert bpf.open == set()


def test_forced_kprobe_multi_fails_every_kprobe_without_it(monkeypatch):
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.bpf import _probe
    bpf = NoMultiBpf()
    monkeypatch.setattr(_probe, "_bpf", bpf)
    attacher = _probe.Attacher(_session.StatsSession(), "kprobe_multi")
    with pytest.raises(_bpf.BpfError, match="kprobe_multi"):
        attacher.attach(("kprobe", "vfs_read", False))
    with pytest.raises(_probe.Unmeasurable, match="kprobe_multi"):
        attacher.attach(("kprobe", "vfs_read", True))
    assert bpf.open == set()
