"""Export allow/deny lists and field filters: Tetragon's JSON syntax and fields, per version."""
import json

import pytest

from ansible_collections.ebpfops.tetragon.plugins.filter.tetragon_release import tetragon_flags, tetragon_settings_errors
from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _export_filters as X

V17 = (1, 7, 0)


def role_errors(knobs, version="1.7.0", extra=None):
    return tetragon_settings_errors({}, limits={}, checksums={}, extra=extra or {}, knobs=knobs, version=version)


@pytest.mark.parametrize("filters", [
    [{"event_set": ["PROCESS_EXEC", "PROCESS_EXIT"]}],
    [{"binary_regex": ["^/usr/bin/"], "namespace": [""]}, {"health_check": False}],
    [{"eventSet": ["PROCESS_KPROBE"], "policyNames": ["file-monitoring"]}],
    [{"pid": [1, 4294967295]}, {"in_init_tree": True}, {"cel_expression": ["process_exec.process.pid > 1"]}],
    [{"capabilities": {"effective": {"any": ["CAP_SYS_ADMIN"], "none": ["CAP_BPF"]}}}],
    '{"event_set":["PROCESS_EXEC"]}\n{"binary_regex":["sh$"]}',
    '{"event_set":["PROCESS_EXEC"]} {"pid":[1]}',
    "",
    [],
])
def test_good_filters_pass(filters):
    assert X.errors(filters, V17, "tetragon_export_allowlist") == []


@pytest.mark.parametrize("filters, fragment", [
    ([{"binary_regexp": ["x"]}], ".binary_regexp: unknown field"),
    ([{"binary_regex": "x"}], "rejects a single string"),
    ([{"binary_regex": []}], "non-empty list"),
    ([{"event_set": ["PROCESS_EXECVE"]}], "'PROCESS_EXECVE' is not an event type"),
    ([{"event_set": "PROCESS_EXEC"}], "non-empty list of event type names"),
    ([{"pid": [-1]}], "process ids"),
    ([{"pid": ["1"]}], "process ids"),
    ([{"health_check": "false"}], "true or false"),
    ([{"pid_set": [1]}], "enable-pid-set-filter"),
    ([{"capabilities": {"effective": {"some": ["CAP_BPF"]}}}], "unknown match"),
    ([{"capabilities": {"effective": {"any": ["sys_admin"]}}}], "capability names"),
    ([{"capabilities": {"bounding": {"any": ["CAP_BPF"]}}}], "unknown capability set"),
    ([{"event_set": ["PROCESS_EXEC"], "eventSet": ["PROCESS_EXIT"]}], "also given as"),
    ([{}], "matches every event"),
    (["PROCESS_EXEC"], "must be a JSON object"),
    ('{"event_set":["PROCESS_EXEC"]', "not JSON"),
    ('{"pid":[1],"pid":[2]}', "appears twice"),
    ('["x"]', "must be a JSON object"),
    (7, "must be a list of filters"),
])
def test_bad_filters_are_refused_with_the_path(filters, fragment):
    errors = X.errors(filters, V17, "tetragon_export_denylist")
    assert len(errors) == 1 and errors[0].startswith("tetragon_export_denylist") and fragment in errors[0], errors


def test_pid_set_is_accepted_when_the_agent_allows_it():
    config = {"enable-pid-set-filter": "true"}
    assert X.errors([{"pid_set": [1]}], V17, "x", config=config) == []


@pytest.mark.parametrize("field, since", [("namespace_regex", (1, 7, 0)), ("container_name_regex", (1, 6, 0)),
                                          ("ancestor_binary_regex", (1, 4, 0)), ("cel_expression", (1, 3, 0))])
def test_filter_fields_are_gated_by_the_version_that_has_them(field, since):
    filters = [{field: ["x"]}]
    assert X.errors(filters, since, "f") == []
    older = (since[0], since[1] - 1, 0)
    errors = X.errors(filters, older, "f")
    assert len(errors) == 1 and "needs Tetragon %d.%d or later" % since[:2] in errors[0]


def test_event_types_are_gated_by_version():
    assert X.errors([{"event_set": ["PROCESS_USDT"]}], (1, 6, 0), "f") == []
    assert "PROCESS_USDT needs Tetragon 1.6" in X.errors([{"event_set": ["PROCESS_USDT"]}], (1, 5, 0), "f")[0]


@pytest.mark.parametrize("filters, fragment", [
    ([{"fields": "process.binary,process.arguments", "action": "INCLUDE"}], None),
    ([{"event_set": ["PROCESS_EXEC"], "fields": "process.pod", "action": "EXCLUDE", "invert_event_set": True}], None),
    ([{"fields": "process.binary", "action": "include"}], "INCLUDE or EXCLUDE"),
    ([{"fields": ["process.binary"]}], "comma-separated field paths"),
    ([{"fields": "process..binary"}], "comma-separated field paths"),
    ([{"action": "INCLUDE"}], "needs \"fields\""),
    ([{"fields": "process.binary", "binary_regex": ["x"]}], "unknown field"),
])
def test_field_filters(filters, fragment):
    errors = X.errors(filters, V17, "tetragon_field_filters", field_filters=True)
    assert (errors == []) if fragment is None else (len(errors) == 1 and fragment in errors[0]), errors


def test_the_role_writes_lists_as_one_json_object_a_line_that_reads_back_the_same():
    allow = [{"event_set": ["PROCESS_EXEC"], "binary_regex": ["^/usr/"]}, {"policy_names": ["p"]}]
    flags = tetragon_flags({}, {}, {"tetragon_export_allowlist": allow}, "default")
    text = flags["export-allowlist"]
    assert text == '{"binary_regex":["^/usr/"],"event_set":["PROCESS_EXEC"]}\n{"policy_names":["p"]}'
    assert X.parse_stream(text) == allow and [json.loads(line) for line in text.splitlines()] == allow
    assert role_errors({"tetragon_export_allowlist": allow}) == []


def test_role_errors_name_the_variable_and_the_filter_index():
    errors = role_errors({"tetragon_export_denylist": [{"pid": [1]}, {"binary_regex": "sh"}]})
    assert errors == ["tetragon_export_denylist[1].binary_regex must be a non-empty list of strings "
                      "(Tetragon rejects a single string)"]


def test_a_list_in_extra_is_written_like_the_variable():
    flags = tetragon_flags({}, {"export-denylist": [{"health_check": True}]}, {}, "default")
    assert flags["export-denylist"] == '{"health_check":true}'
    assert role_errors({}, extra={"export-denylist": [{"health_check": True}]}) == []
