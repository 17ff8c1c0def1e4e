"""Metadata of the role ebpfops.tetragon.tetragon: pinned version, documented defaults, variable names."""
import os
import re

import jinja2
import yaml

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles", "tetragon")


def _load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def _role_texts():
    for sub in ("tasks", "handlers", "templates", "vars", "defaults"):
        for name in sorted(os.listdir(os.path.join(ROLE, sub))):
            with open(os.path.join(ROLE, sub, name)) as handle:
                yield "%s/%s" % (sub, name), handle.read()


def test_default_version_is_the_collection_pin():
    assert _load("defaults", "main.yml")["tetragon_version"] == DEFAULT_TETRAGON_VERSION


def test_every_statement_of_the_pinned_version_is_the_one_of_release_py():
    """plugins/module_utils/host/_release.py is the one source; these restate it for readers of the docs."""
    options = _load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert options["tetragon_version"]["default"] == DEFAULT_TETRAGON_VERSION
    docs = os.path.join(os.path.dirname(os.path.dirname(ROLE)), "docs")
    with open(os.path.join(docs, "role-tetragon.md")) as handle:
        stated = re.findall(r'tetragon_version: "([0-9.]+)"', handle.read())
    with open(os.path.join(docs, "policy-rules.md")) as handle:
        stated += re.findall(r"the collection's pinned version, `([0-9.]+)`", handle.read())
    assert len(stated) == 2 and set(stated) == {DEFAULT_TETRAGON_VERSION}, stated


def test_argument_specs_document_exactly_the_defaults_with_the_same_values():
    defaults = _load("defaults", "main.yml")
    options = _load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(options) == sorted(defaults)
    for name, value in defaults.items():
        assert options[name]["default"] == value, name
        assert options[name]["description"], name


def test_every_public_variable_the_role_reads_is_a_documented_default():
    defaults = set(_load("defaults", "main.yml"))
    used = set()
    for _path, text in _role_texts():
        text = re.sub(r"^\s*tags:.*$", "", text, flags=re.M)  # tags are not variables
        used.update(re.findall(r"(?<![\w.])(tetragon_[a-z_]+)", text))
    # tetragon_host is the fact of ebpfops.tetragon.tetragon_host_facts, not a variable of the role
    assert sorted(used - defaults - {"tetragon_host", "tetragon_host_facts"}) == []


def test_internal_variables_are_defined_in_vars_or_set_by_tasks():
    defined = set(_load("vars", "main.yml"))
    texts = dict(_role_texts())
    for text in texts.values():
        defined.update(re.findall(r"^\s*(?:register|set_fact):\s*(_tetragon_\w+)", text, re.M))
        defined.update(re.findall(r"^\s+(_tetragon_\w+):", text, re.M))
    for path, text in texts.items():
        for name in set(re.findall(r"(?<![\w.])(_tetragon_\w+)", text)):
            assert name in defined, "%s reads %s, which nothing defines" % (path, name)


def test_no_task_installs_latest_or_downloads_on_the_hosts():
    for path, text in _role_texts():
        assert "releases/latest" not in text and not re.search(r":\s*[\"']?latest", text), path
        if path.startswith("tasks/") and ("get_url" in text or "ansible.builtin.uri" in text):
            assert path == "tasks/download.yml", "%s downloads on the hosts" % path


def test_limits_drop_in_renders_every_directive_sorted_and_nothing_else():
    env = jinja2.Environment(keep_trailing_newline=True, trim_blocks=True)
    env.filters["comment"] = lambda text: "# " + text
    with open(os.path.join(ROLE, "templates", "limits.conf.j2")) as handle:
        template = env.from_string(handle.read())
    text = template.render(ansible_managed="Ansible managed",
                           _tetragon_limits={"MemoryMax": "1G", "CPUQuota": "50%", "TasksMax": 64})
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["[Service]", "CPUQuota=50%", "MemoryMax=1G", "TasksMax=64"]


def test_limits_drop_in_cannot_take_an_injected_line():
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._settings import directive_errors
    injected = {"MemoryMax": "1G\nExecStartPre=/bin/sh -c evil", "CPUQuota": "50%\\"}
    assert len(directive_errors(injected)) == 2
    assert directive_errors(_load("defaults", "main.yml")["tetragon_systemd_limits"]) == []


def test_default_config_passes_the_role_own_checks():
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._settings import flag_errors
    assert flag_errors(_load("defaults", "main.yml")["tetragon_config"]) == []


def test_default_config_keeps_servers_off_the_network():
    config = _load("defaults", "main.yml")["tetragon_config"]
    assert config["server-address"].startswith("unix://")
    assert config["health-server-address"].startswith("127.0.0.1:")
    for flag in ("metrics-server", "gops-address", "pprof-address"):
        assert config[flag] == "" or config[flag].startswith("127.0.0.1:"), flag


def test_every_tasks_file_is_included_and_every_include_exists():
    texts = dict(_role_texts())
    included = set()
    for text in texts.values():
        included.update(re.findall(r"include_tasks:\s*([\w.]+\.yml)", text))
    task_files = {path.split("/", 1)[1] for path in texts if path.startswith("tasks/")}
    assert included <= task_files, sorted(included - task_files)
    assert task_files - {"main.yml"} == included, sorted(task_files - {"main.yml"} - included)


def test_handlers_are_named_as_the_tasks_notify_them():
    handlers = {handler["name"] for handler in _load("handlers", "main.yml")}
    notified = set()
    for path, text in _role_texts():
        notified.update(re.findall(r"notify:\s*(.+)$", text, re.M))
    assert notified and notified <= handlers, sorted(notified - handlers)


def test_tuning_variables_are_the_knobs_of_tuning_py_and_default_to_null():
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tuning import FLAG_OF
    defaults = _load("defaults", "main.yml")
    knobs = re.findall(r"'(tetragon_\w+)': (tetragon_\w+)", _load("vars", "main.yml")["_tetragon_knobs"])
    assert [a for a, b in knobs if a != b] == []
    assert sorted(a for a, _b in knobs) == sorted(FLAG_OF)
    for variable, flag in FLAG_OF.items():
        assert defaults[variable] is None, variable
        assert flag not in defaults["tetragon_config"] or flag == "metrics-server", flag
    assert defaults["tetragon_config"]["metrics-server"] == "" and defaults["tetragon_metrics_server_allow_remote"] is False


def test_profiles_in_the_docs_and_argument_specs_are_those_of_tuning_py():
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._tuning import PROFILES
    with open(os.path.join(os.path.dirname(os.path.dirname(ROLE)), "docs", "role-tetragon.md")) as handle:
        text = handle.read()
    rows = re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|", text[text.index("### Profiles"):], re.M)
    assert len(rows) >= len(set(PROFILES["default"]) | set(PROFILES["busy_host"]))
    for flag, default, busy in rows:
        for profile, cell in (("default", default), ("busy_host", busy)):
            assert cell.strip() == str(PROFILES[profile].get(flag, "-")), (flag, profile, cell)
    options = _load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(options["tetragon_profile"]["choices"]) == sorted(PROFILES)
    described = " ".join(options["tetragon_profile"]["description"])
    for profile, flags in PROFILES.items():
        for flag, value in flags.items():
            assert "%s: %s" % (flag, value) in described, (profile, flag)
