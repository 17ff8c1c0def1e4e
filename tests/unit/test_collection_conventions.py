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


_SPEC_TYPES = {"str": str, "path": str, "int": int, "float": (float, int), "bool": bool, "list": list, "dict": dict}


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
    for entry, spec_of_entry in sorted(specs.items()):
        for name, spec in spec_of_entry.get("options", {}).items():
            where = "%s (entry point %s): option %s" % (role, entry, name)
            assert name.startswith(role + "_"), "%s is not prefixed with %s_" % (where, role)
            assert spec.get("description"), "%s has no description" % where
            if name not in defaults:
                assert spec.get("required") or "default" in spec, (
                    "%s has no value in defaults/main.yml and is neither required nor given a default" % where)
                continue
            assert spec.get("default") == defaults[name], (
                "%s: argument_specs default %r differs from defaults/main.yml %r"
                % (where, spec.get("default"), defaults[name]))
            wanted = _SPEC_TYPES.get(spec.get("type", "str"))
            if wanted and defaults[name] is not None:
                assert isinstance(defaults[name], wanted) and not (
                    wanted in (int, (float, int)) and isinstance(defaults[name], bool)), (
                    "%s: default %r is not of type %s" % (where, defaults[name], spec.get("type", "str")))
            if "choices" in spec and defaults[name] is not None:
                assert defaults[name] in spec["choices"], "%s: default not in its choices" % where


@pytest.mark.parametrize("role", _roles())
def test_role_internal_vars_are_prefixed(role):
    path = os.path.join(ROOT, "roles", role, "vars", "main.yml")
    internal = (_load(path) or {}) if os.path.exists(path) else {}
    wrong = sorted(name for name in internal if not name.startswith("_%s_" % role))
    assert not wrong, "%s: vars/main.yml names without the _%s_ prefix: %s" % (role, role, wrong)


def _role_text(base, subs):
    text = []
    for sub in subs:
        for folder, _dirs, files in os.walk(os.path.join(base, sub)):
            for name in sorted(files):
                with open(os.path.join(folder, name)) as handle:
                    text.append(handle.read())
    return "\n".join(text)


@pytest.mark.parametrize("role", _roles())
def test_role_variables_read_are_defaulted_or_documented(role):
    base = os.path.join(ROOT, "roles", role)
    text = _role_text(base, ("tasks", "handlers", "templates", "vars"))
    filters = {name[:-4] for name in os.listdir(os.path.join(ROOT, "plugins", "filter")) if name.endswith(".yml")}
    defaults = _load(os.path.join(base, "defaults", "main.yml")) or {}
    specs = _load(os.path.join(base, "meta", "argument_specs.yml"))["argument_specs"]
    known = set(defaults).union(*(set(spec.get("options", {})) for spec in specs.values()))
    vars_file = os.path.join(base, "vars", "main.yml")
    known |= set((_load(vars_file) or {}) if os.path.exists(vars_file) else {})
    known |= set(re.findall(r"^\s*register:\s*(\w+)", text, re.M))
    known |= set(re.findall(r"^\s*loop_var:\s*(\w+)", text, re.M))
    known |= set(re.findall(r"^\s+(_?%s_\w+):" % role, text, re.M))  # set_fact, vars: and module keys
    tags = set(re.findall(r"\w+", " ".join(re.findall(r"^\s*tags:\s*(.*)$", text, re.M))))
    read = set(re.findall(r"(?<![\w.|:/-])(_?%s_\w+)" % role, text))
    read -= set(re.findall(r"\|\s*(%s_\w+)" % role, text))  # filter calls, e.g. tetragon_flags
    unknown = sorted(read - known - tags - filters)
    assert not unknown, "%s: variables read but neither defaulted, documented nor set in the role: %s" % (
        role, unknown)


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
