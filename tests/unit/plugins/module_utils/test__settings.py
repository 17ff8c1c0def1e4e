"""Daemon flags (conf.d file names) and systemd directives (drop-in lines) are checked before writing."""
import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _settings as S


def test_good_flags_pass():
    assert S.flag_errors({"export-rate-limit": 10000, "rb-size": "64K", "enable-process-cred": False,
                          "metrics-server": "", "log-level": None, "k8s-kubeconfig-path": "/x",
                          "export-allowlist": '{"event_set":["PROCESS_EXEC"]}\n{"pid":[1]}'}) == []


@pytest.mark.parametrize("key", ["", "/", "..", "../../etc/passwd", "a/b", "a\0b", "Log-Level", "log_level",
                                 "-x", "x-", "a--b", ".hidden", "a b", "x" * 101, 7])
def test_flag_names_that_are_not_tetragon_flags_are_refused(key):
    errors = S.flag_errors({key: "v"})
    assert len(errors) == 1 and "not a Tetragon flag name" in errors[0] and "tetragon_config[" in errors[0]


@pytest.mark.parametrize("value", ["a\0b", "a\rb", "\x1b[31m", {"a": 1}, ["x"], "x" * 70000])
def test_flag_values_with_control_characters_or_structure_are_refused(value):
    errors = S.flag_errors({"log-level": value})
    assert len(errors) == 1 and "tetragon_config['log-level']" in errors[0]


def test_flags_must_be_a_mapping():
    assert "must be a mapping" in S.flag_errors(["x"])[0]


def test_good_directives_pass():
    assert S.directive_errors({"CPUQuota": "150%", "CPUWeight": 100, "MemoryHigh": "768M", "MemoryMax": "1G",
                               "TasksMax": 512, "MemorySwapMax": "infinity", "IOWeight": "50",
                               "Nice": -5, "LimitNOFILE": "65536", "OOMScoreAdjust": None}) == []


@pytest.mark.parametrize("limits, fragment", [
    ({"MemoryMax": "1G\nExecStartPre=/bin/evil"}, "must be one line"),
    ({"CPUQuota": "50%\r\nUser=nobody"}, "must be one line"),
    ({"Nice": "5\\"}, "trailing backslash"),
    ({"Nice": " 5"}, "surrounding blanks"),
    ({"Nice": "a\0"}, "control characters"),
    ({"CPUQuota": "50"}, "is not a percentage"),
    ({"MemoryMax": "1 GB"}, "is not bytes"),
    ({"TasksMax": "lots"}, "is not a number"),
    ({"CPUWeight": "heavy"}, "is not a number from 1 to 10000"),
    ({"cpuquota": "50%"}, "not a systemd directive name"),
    ({"CPUQuota=50%\nExecStart": "x"}, "not a systemd directive name"),
    ({"Nice": ["1"]}, "string, number or boolean"),
])
def test_bad_directives_are_refused_naming_the_key(limits, fragment):
    errors = S.directive_errors(limits)
    assert len(errors) == 1 and fragment in errors[0] and "tetragon_systemd_limits[" in errors[0]
