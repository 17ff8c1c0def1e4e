from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._facts import (
    NO_KPROBES, bracketed, gather, kernel_config_option, kernel_version, mounts_of_type)

MOUNTS = """sysfs /sys sysfs rw 0 0
bpf /sys/fs/bpf bpf rw,relatime 0 0
tracefs /sys/kernel/tracing tracefs rw 0 0
"""


def fake_host(files, paths=()):
    return (lambda path: files.get(path)), (lambda path: path in paths or path in files)


def test_parsers():
    assert kernel_version("6.18.44-fc-v657") == "6.18.44"
    assert kernel_version("5.4-rc1") == "5.4.0"
    assert kernel_version("weird") is None
    assert mounts_of_type(MOUNTS, "bpf") == ["/sys/fs/bpf"]
    assert bracketed("none [integrity] confidentiality") == "integrity"
    assert kernel_config_option("# CONFIG_KPROBES is not set\n", "CONFIG_KPROBES") is None
    assert kernel_config_option("CONFIG_KPROBES=y\n", "CONFIG_KPROBES") == "y"
    assert kernel_config_option("", "CONFIG_KPROBES") is False


def test_a_kernel_without_config_kprobes_says_so():
    read, exists = fake_host({"/proc/mounts": MOUNTS, "/proc/config.gz": "# CONFIG_KPROBES is not set\n",
                              "/proc/sys/kernel/kptr_restrict": "2\n"}, ["/run/systemd/system", "/sys/kernel/btf/vmlinux"])
    facts = gather("6.18.44", "x86_64", read, exists, cpus=2)
    assert facts["kprobes"] is False and facts["kprobes_reason"] == NO_KPROBES
    assert facts["arch"] == "amd64" and facts["systemd"] and facts["btf"] and facts["kptr_restrict"] == 2
    assert facts["bpffs"] == "/sys/fs/bpf" and facts["tracefs"] == "/sys/kernel/tracing"
    assert facts["kernel_config"] == "/proc/config.gz"


def test_kprobe_pmu_means_kprobes_and_lsm_lockdown_are_read():
    read, exists = fake_host({"/proc/mounts": "", "/sys/kernel/security/lsm": "lockdown,capability,bpf\n",
                              "/sys/kernel/security/lockdown": "none integrity [confidentiality]\n"},
                             ["/sys/bus/event_source/devices/kprobe"])
    facts = gather("6.1.0-18-arm64", "aarch64", read, exists)
    assert facts["kprobes"] and facts["kprobes_reason"] is None
    assert facts["bpf_lsm"] and facts["lockdown"] == "confidentiality" and facts["arch"] == "arm64"
    assert facts["bpffs"] is None and not facts["systemd"] and facts["kernel_config"] is None


def test_unknown_config_without_pmu_is_still_explained():
    read, exists = fake_host({"/proc/mounts": MOUNTS})
    facts = gather("6.1.0", "x86_64", read, exists)
    assert not facts["kprobes"] and "no kprobe PMU" in facts["kprobes_reason"]
