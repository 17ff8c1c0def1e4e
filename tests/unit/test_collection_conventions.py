"""Conventions every role, playbook and module of the collection keeps (they break silently otherwise)."""
import ast
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def _roles():
    roles_dir = os.path.join(ROOT, "roles")
    if not os.path.isdir(roles_dir):
        return []
    return sorted(name for name in os.listdir(roles_dir) if os.path.isdir(os.path.join(roles_dir, name)))


def _playbooks():
    return sorted(
        name for name in os.listdir(os.path.join(ROOT, "playbooks")) if name.endswith((".yml", ".yaml"))
    )


def _modules():
    return sorted(
        name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
        if name.endswith(".py") and not name.startswith("_")
    )


def test_the_collection_has_the_pieces_the_readme_promises():
    assert _playbooks(), "playbooks/ is empty"
    assert _modules(), "plugins/modules/ is empty"


@pytest.mark.parametrize("role", _roles())
def test_role_defaults_are_prefixed_and_documented(role):
    base = os.path.join(ROOT, "roles", role)
    defaults = _load(os.path.join(base, "defaults", "main.yml")) or {}
    specs = _load(os.path.join(base, "meta", "argument_specs.yml"))["argument_specs"]
    documented = set(specs["main"].get("options", {}))
    for name in defaults:
        assert name.startswith(role + "_"), "%s: default %s is not prefixed with %s_" % (role, name, role)
    undocumented = sorted(set(defaults) - documented)
    assert not undocumented, "%s: defaults missing from meta/argument_specs.yml: %s" % (role, undocumented)
    for name, spec in specs["main"]["options"].items():
        assert spec.get("description"), "%s: option %s has no description" % (role, name)
        if name in defaults and "default" in spec and defaults[name] is not None:
            assert spec["default"] == defaults[name], (
                "%s: argument_specs default of %s differs from defaults/main.yml" % (role, name))


@pytest.mark.parametrize("role", _roles())
def test_role_handlers_and_tasks_use_fqcn(role):
    base = os.path.join(ROOT, "roles", role)
    bare = re.compile(r"^\s*-?\s*(command|shell|copy|template|file|service|systemd|systemd_service|stat|"
                      r"get_url|unarchive|assert|fail|debug|set_fact|include_tasks|import_tasks):\s", re.M)
    for sub in ("tasks", "handlers"):
        folder = os.path.join(base, sub)
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            with open(os.path.join(folder, name)) as handle:
                text = handle.read()
            assert not bare.search(text), "%s/%s/%s uses a module without its FQCN" % (role, sub, name)


@pytest.mark.parametrize("playbook", _playbooks())
def test_playbook_hosts_come_from_a_variable(playbook):
    plays = _load(os.path.join(ROOT, "playbooks", playbook))
    for play in plays:
        if "import_playbook" in play:
            continue
        assert "{{" in str(play["hosts"]), "%s: play %r targets fixed hosts" % (playbook, play.get("name"))


@pytest.mark.parametrize("module", _modules())
def test_module_has_documentation_examples_and_return(module):
    with open(os.path.join(ROOT, "plugins", "modules", module + ".py")) as handle:
        tree = ast.parse(handle.read())
    names = {target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    assert {"DOCUMENTATION", "EXAMPLES", "RETURN"} <= names
    docs = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("DOCUMENTATION", "EXAMPLES"):
            docs[node.targets[0].id] = yaml.safe_load(node.value.value)
    assert docs["DOCUMENTATION"]["module"] == module
    assert "check_mode" in docs["DOCUMENTATION"].get("attributes", {}), "%s: no check_mode attribute" % module
    called = [key for example in docs["EXAMPLES"] for key in example]
    assert "ebpfops.tetragon." + module in called, "%s: no example calls the module by its FQCN" % module
    assert module not in called, "%s: an example calls the module without its FQCN" % module


def test_pinned_version_is_the_same_everywhere():
    from ansible_collections.ebpfops.tetragon.plugins.module_utils.host._release import DEFAULT_TETRAGON_VERSION

    defaults_file = os.path.join(ROOT, "roles", "tetragon", "defaults", "main.yml")
    if not os.path.exists(defaults_file):
        pytest.fail("roles/tetragon/defaults/main.yml is missing")
    assert _load(defaults_file)["tetragon_version"] == DEFAULT_TETRAGON_VERSION


def test_runtime_requires_the_ansible_core_versions_we_test():
    runtime = _load(os.path.join(ROOT, "meta", "runtime.yml"))
    spec = runtime["requires_ansible"]
    assert ">=2.16" in spec and "<2.20" in spec


def test_the_tetra_action_group_holds_exactly_the_modules_with_the_tetra_options():
    runtime = _load(os.path.join(ROOT, "meta", "runtime.yml"))
    group = set(runtime["action_groups"]["tetra"])
    users = set()
    for module in _modules():
        with open(os.path.join(ROOT, "plugins", "modules", module + ".py")) as handle:
            source = handle.read()
        if "TETRA_ARGUMENT_SPEC" in source:
            users.add(module)
            assert "ebpfops.tetragon._tetra" in source, "%s: options not documented by the fragment" % module
    assert group == users
