import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._preflight import CHECKS, preflight

GOOD = {"kernel_release": "6.1.0-18-amd64", "kernel_version": "6.1.0", "arch": "amd64", "systemd": True,
        "systemd_version": "252", "btf": True, "btf_path": "/sys/kernel/btf/vmlinux", "bpffs": "/sys/fs/bpf",
        "kprobes": True, "kprobes_reason": None, "bpf_lsm": False, "lockdown": "none", "kptr_restrict": 1}


def failed(facts, version="1.7.0", **kwargs):
    return {r["check"]: r for r in preflight(facts, version, **kwargs) if not r["ok"]}


def test_a_good_host_passes_and_every_check_is_reported():
    results = preflight(GOOD, "1.7.0")
    assert [r["check"] for r in results] == list(CHECKS)
    assert all(r["ok"] for r in results)


@pytest.mark.parametrize("version,refused", [("1.3.0", False), ("1.4.0", True), ("1.6.0", True),
                                             ("v1.5.2", True), ("1.6.1", False), ("1.7.0", False)])
def test_kptr_restrict_2_breaks_kprobes_on_1_4_to_1_6_0(version, refused):
    result = failed(dict(GOOD, kptr_restrict=2), version)
    assert ("kptr_restrict" in result) == refused
    if refused:
        assert "1.6.1" in result["kptr_restrict"]["message"] and result["kptr_restrict"]["severity"] == "error"


def test_missing_kprobes_is_an_error_with_the_kernel_reason_unless_not_required():
    facts = dict(GOOD, kprobes=False, kprobes_reason="kernel built without CONFIG_KPROBES (no kprobe PMU, no kprobe_events)")
    result = failed(facts)["kprobes"]
    assert result["severity"] == "error" and "CONFIG_KPROBES" in result["message"]
    assert "kprobes" not in failed(facts, kprobes_required=False)


def test_bpf_lsm_only_matters_when_wanted():
    assert "bpf_lsm" not in failed(GOOD)
    assert failed(GOOD, lsm_required=True)["bpf_lsm"]["severity"] == "error"
    assert "bpf_lsm" not in failed(dict(GOOD, bpf_lsm=True), lsm_required=True)


@pytest.mark.parametrize("change,check", [
    ({"systemd": False}, "systemd"), ({"arch": "s390x"}, "arch"), ({"kernel_version": "4.14.0"}, "kernel"),
    ({"arch": "arm64", "kernel_version": "5.4.0"}, "kernel"), ({"btf": False, "btf_path": None}, "btf"),
    ({"lockdown": "confidentiality"}, "lockdown"), ({"kernel_version": None}, "kernel"),
])
def test_each_refusal(change, check):
    result = failed(dict(GOOD, **change))
    assert list(result) == [check]
    assert result[check]["severity"] == "error"


def test_missing_bpffs_is_only_a_warning_because_tetragon_mounts_it():
    assert failed(dict(GOOD, bpffs=None))["bpffs"]["severity"] == "warning"


def test_extended_btf_header_of_kernel_7_2_breaks_1_7_1_only():
    assert "btf_header" in failed(dict(GOOD, kernel_version="7.2.0"), "1.7.1")
    assert "btf_header" not in failed(dict(GOOD, kernel_version="7.2.0"), "1.7.0")
