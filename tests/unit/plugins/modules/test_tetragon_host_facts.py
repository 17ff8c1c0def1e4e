from ansible_collections.ebpfops.tetragon.plugins.modules import tetragon_host_facts
from ansible_collections.ebpfops.tetragon.tests.unit.plugins.modules.utils import run_module, set_module_args


def test_real_host_facts_and_preflight():
    with set_module_args({"tetragon_version": "1.7.0"}):
        result = run_module(tetragon_host_facts.main)
    facts = result["ansible_facts"]["tetragon_host"]
    assert result["changed"] is False
    assert facts["cpus"] >= 1 and facts["kernel_version"]
    assert {r["check"] for r in facts["preflight"]} >= {"kprobes", "btf", "systemd"}


def test_bad_version_is_a_clear_error():
    with set_module_args({"tetragon_version": "latest"}):
        result = run_module(tetragon_host_facts.main, fails=True)
    assert "not a release number" in result["msg"]


def test_version_with_anything_around_the_number_is_refused():
    for bad in ("1.7.0\x00", "1.7.0 ; rm", "v1.7.0", "1.7", "9" * 100 + ".1.1", ""):
        with set_module_args({"tetragon_version": bad}):
            result = run_module(tetragon_host_facts.main, fails=True)
        assert "not a release number" in result["msg"] and len(result["msg"]) < 200, bad
