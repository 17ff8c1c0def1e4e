"""Tuning flags of the tetragon role: composition, precedence, value rules per flag, version gating."""
import pytest

from ansible_collections.ebpfops.tetragon.plugins.filter.tetragon_release import tetragon_flags, tetragon_settings_errors
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _tuning as T

BASE = {"server-address": "unix:///var/run/tetragon/tetragon.sock", "metrics-server": ""}


def errors_of(knobs=None, extra=None, config=None, profile="default", version="1.7.0", allow_remote=False):
    return tetragon_settings_errors(dict(BASE, **(config or {})), limits={}, checksums={}, extra=extra or {},
                                    knobs=knobs or {}, profile=profile, version=version,
                                    metrics_allow_remote=allow_remote)


@pytest.mark.parametrize("variable, value", [
    ("tetragon_rb_size", "64K"), ("tetragon_rb_size", "4K"), ("tetragon_rb_size", "2G"), ("tetragon_rb_size", 0),
    ("tetragon_rb_size", 1048576), ("tetragon_rb_size_total", "16M"),
    ("tetragon_rb_queue_size", "64K"), ("tetragon_rb_queue_size", 131072), ("tetragon_rb_queue_size", "1M"),
    ("tetragon_event_queue_size", 20000), ("tetragon_event_queue_size", "0"),
    ("tetragon_process_cache_size", 1), ("tetragon_process_cache_size", "131072"),
    ("tetragon_export_rate_limit", -1), ("tetragon_export_rate_limit", 0), ("tetragon_export_rate_limit", "500"),
    ("tetragon_cgroup_rate", "1000,1s"), ("tetragon_cgroup_rate", "50,1m30s"), ("tetragon_cgroup_rate", "10,500ms"),
    ("tetragon_cgroup_rate", ""),
    ("tetragon_disable_kprobe_multi", True), ("tetragon_disable_kprobe_multi", "false"),
    ("tetragon_metrics_server", "127.0.0.1:2112"), ("tetragon_metrics_server", "[::1]:9090"),
    ("tetragon_metrics_server", "localhost:2112"), ("tetragon_metrics_server", ""),
])
def test_good_values_pass(variable, value):
    assert errors_of({variable: value}) == []


@pytest.mark.parametrize("variable, value, rule", [
    ("tetragon_rb_size", "", "or a size from 4K to 2G"),
    ("tetragon_rb_size", "64k", "upper case"),
    ("tetragon_rb_size", "64KB", "upper case"),
    ("tetragon_rb_size", "-1K", "4K to 2G"),
    ("tetragon_rb_size", "1K", "4K to 2G"),
    ("tetragon_rb_size", "4G", "4K to 2G"),
    ("tetragon_rb_size", True, "4K to 2G"),
    ("tetragon_rb_size_total", "lots", "4K to 2G"),
    ("tetragon_rb_queue_size", "2M", "to 1048576"),
    ("tetragon_rb_queue_size", "", "to 1048576"),
    ("tetragon_event_queue_size", "20K", "without a suffix"),
    ("tetragon_event_queue_size", -1, "from 0"),
    ("tetragon_process_cache_size", 0, "cannot have size 0"),
    ("tetragon_process_cache_size", "", "from 1 to"),
    ("tetragon_process_cache_size", 2000000, "from 1 to 1048576"),
    ("tetragon_export_rate_limit", "", "drops the whole JSON export"),
    ("tetragon_export_rate_limit", -2, "-1 (no limit)"),
    ("tetragon_export_rate_limit", "10/s", "events per minute"),
    ("tetragon_export_rate_limit", 1.5, "events per minute"),
    ("tetragon_cgroup_rate", "1000/1s", "<events>,<interval>"),
    ("tetragon_cgroup_rate", "1000,1", "positive Go duration"),
    ("tetragon_cgroup_rate", "1000,0s", "positive Go duration"),
    ("tetragon_cgroup_rate", ",1s", "positive number of events"),
    ("tetragon_cgroup_rate", "0,1s", "positive number of events"),
    ("tetragon_cgroup_rate", "1000,1s,2", "<events>,<interval>"),
    ("tetragon_disable_kprobe_multi", "yes", "true or false"),
    ("tetragon_disable_kprobe_multi", 1, "true or false"),
    ("tetragon_metrics_server", ":2112", "every interface"),
    ("tetragon_metrics_server", "0.0.0.0:2112", "127.0.0.1, [::1] or localhost"),
    ("tetragon_metrics_server", "10.0.0.5:2112", "tetragon_metrics_server_allow_remote"),
    ("tetragon_metrics_server", "127.0.0.1", "<host>:<port>"),
    ("tetragon_metrics_server", "127.0.0.1:0", "port from 1 to 65535"),
    ("tetragon_metrics_server", "127.0.0.1:99999", "port from 1 to 65535"),
    ("tetragon_metrics_server", "http://127.0.0.1:2112", "<host>:<port>"),
])
def test_bad_values_are_refused_naming_the_variable_and_the_rule(variable, value, rule):
    errors = errors_of({variable: value})
    assert len(errors) == 1, errors
    assert errors[0].startswith(variable + ":") and rule in errors[0], errors[0]


def test_the_same_rules_apply_to_a_flag_set_in_tetragon_config_or_extra():
    assert errors_of(extra={"rb-size": ""}) and "tetragon_config_extra['rb-size']" in errors_of(extra={"rb-size": ""})[0]
    assert "tetragon_config['export-rate-limit']" in errors_of(config={"export-rate-limit": "x"})[0]
    assert "every interface" in errors_of(extra={"metrics-server": ":2112"})[0]


def test_the_metrics_helper_form_keeps_working():
    assert errors_of(extra={"metrics-server": "127.0.0.1:2112"}) == []
    assert tetragon_flags(BASE, {"metrics-server": "127.0.0.1:2112"}, {}, "default")["metrics-server"] == "127.0.0.1:2112"


def test_remote_metrics_need_the_explicit_allowance():
    assert errors_of({"tetragon_metrics_server": ":2112"}, allow_remote=True) == []
    assert errors_of({"tetragon_metrics_server": "10.0.0.5:2112"}, allow_remote=True) == []
    assert errors_of({"tetragon_metrics_server": "10.0.0.5"}, allow_remote=True) != []


def test_rb_size_and_rb_size_total_are_one_setting():
    errors = errors_of({"tetragon_rb_size": "1M", "tetragon_rb_size_total": "8M"})
    assert len(errors) == 1 and "rb-size and rb-size-total" in errors[0] and "tetragon_rb_size_total" in errors[0]
    assert errors_of({"tetragon_rb_size": 0, "tetragon_rb_size_total": "8M"}) == []
    # an explicit total drops the profile's per-CPU size, whatever the profile
    for profile in T.PROFILES:
        flags = tetragon_flags(BASE, {}, {"tetragon_rb_size_total": "8M"}, profile)
        assert flags["rb-size-total"] == "8M" and "rb-size" not in flags
        assert errors_of({"tetragon_rb_size_total": "8M"}, profile=profile) == []


def test_precedence_profile_config_variable_extra():
    flags = tetragon_flags(BASE, {}, {}, "busy_host")
    assert flags["rb-size"] == "256K" and flags["process-cache-size"] == 131072
    flags = tetragon_flags(dict(BASE, **{"rb-size": "128K"}), {}, {}, "busy_host")
    assert flags["rb-size"] == "128K"
    flags = tetragon_flags(dict(BASE, **{"rb-size": "128K"}), {}, {"tetragon_rb_size": "512K"}, "busy_host")
    assert flags["rb-size"] == "512K"
    flags = tetragon_flags(BASE, {"rb-size": "1M", "log-level": "debug"}, {"tetragon_rb_size": None}, "busy_host")
    assert flags["rb-size"] == "1M" and flags["log-level"] == "debug"
    flags = tetragon_flags(BASE, {"export-rate-limit": None}, {}, "default")
    assert "export-rate-limit" not in flags


def test_a_variable_and_extra_setting_one_flag_is_an_error():
    errors = errors_of({"tetragon_process_cache_size": 1000}, extra={"process-cache-size": 2000})
    assert len(errors) == 1 and "tetragon_process_cache_size and tetragon_config_extra['process-cache-size']" in errors[0]


def test_defaults_write_exactly_what_the_role_wrote_before_the_variables():
    flags = tetragon_flags(BASE, {}, dict((v, None) for v in T.FLAG_OF), "default")
    assert flags == dict(BASE, **{"rb-size": "64K", "process-cache-size": 65536, "export-rate-limit": 10000})


def test_every_profile_passes_for_every_supported_version():
    for profile in T.PROFILES:
        for version in ("1.3.0", "1.4.1", "1.5.0", "1.6.1", "1.7.0", "1.8.0", "1.8.0-pre.0"):
            assert errors_of(profile=profile, version=version) == [], (profile, version)


def test_unknown_profile_is_refused():
    errors = errors_of(profile="turbo")
    assert errors and "tetragon_profile: 'turbo' is not a profile (busy_host, default)" in errors[0]


@pytest.mark.parametrize("version, ok", [("1.1.2", False), ("1.2.0", True), ("1.3.0", True), ("1.8.0", True)])
def test_cgroup_rate_needs_tetragon_1_2(version, ok):
    errors = errors_of({"tetragon_cgroup_rate": "1000,1s"}, version=version)
    assert (errors == []) == ok
    if not ok:
        assert "has no flag cgroup-rate (it came in 1.2)" in errors[0]


def test_every_variable_maps_to_a_distinct_flag():
    assert len(set(T.FLAG_OF.values())) == len(T.KNOBS)
    assert all(variable == "tetragon_" + flag.replace("-", "_") for variable, flag in T.FLAG_OF.items())


def test_go_durations():
    assert T.duration_ns("1s") == 1e9 and T.duration_ns("1m30s") == 90e9 and T.duration_ns("1.5h") == 5400e9
    for bad in ("", "1", "s", "1x", "-1s", "1s ", "."):
        assert T.duration_ns(bad) is None, bad


def test_sizes_as_tetragon_parses_them():
    assert T.size_bytes("64K") == 65536 and T.size_bytes("2G") == 2 * 1024 ** 3 and T.size_bytes(7) == 7
    for bad in ("", "K", "64k", "64KB", "1.5M", "+1", True, None):
        assert T.size_bytes(bad) is None, bad
