"""What README.md and docs/*.md point users to exists: collection content by FQCN, repository paths, make
targets, and the two quick-start commands."""
import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
# Where content names itself by FQCN for users: the docs, the playbooks' headers, role and plugin documentation.
FQCN_SOURCES = DOCS + sorted(
    os.path.relpath(p, ROOT) for pattern in ("playbooks/*.yml", "roles/*/meta/*.yml", "plugins/modules/*.py",
                                             "plugins/filter/*.yml", "plugins/doc_fragments/*.py")
    for p in glob.glob(os.path.join(ROOT, pattern)))
# Paths the docs quote from Tetragon's own repository, not from this one.
UPSTREAM_PATHS = {"examples/tracingpolicy"}
TOP_DIRS = ("benchmarks", "bin", "changelogs", "docs", "examples", "meta", "molecule", "monitoring", "playbooks",
            "plugins", "requirements", "roles", "scripts", "tests")


def _read(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


def _content_names():
    names = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))}
    names |= {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(ROOT, "plugins", "filter", "*.yml"))}
    names |= {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "doc_fragments", "*.py"))}
    names |= {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))}
    names |= {name for name in os.listdir(os.path.join(ROOT, "roles"))
              if os.path.isdir(os.path.join(ROOT, "roles", name))}
    return names


def _fqcns(text):
    # A Python import path (ebpfops.tetragon.plugins.module_utils...) is not a content name.
    return set(re.findall(r"(?<![\w/])ebpfops\.tetragon\.([A-Za-z_]\w*)\b(?!\.\w)", text))


@pytest.mark.parametrize("path", FQCN_SOURCES)
def test_every_fqcn_names_collection_content(path):
    text = _read(path)
    groups = set(yaml.safe_load(_read("meta/runtime.yml")).get("action_groups", {}))
    groups_used = set(re.findall(r"group/ebpfops\.tetragon\.(\w+)", text))
    assert groups_used <= groups, "%s: unknown action groups %s" % (path, sorted(groups_used - groups))
    text = re.sub(r"group/ebpfops\.tetragon\.\w+", "", text)
    unknown = sorted(_fqcns(text) - _content_names())
    assert not unknown, "%s names ebpfops.tetragon.%s, which is no module, filter, role or playbook" % (
        path, ", ebpfops.tetragon.".join(unknown))


def test_the_fqcn_check_catches_a_stale_name():
    assert _fqcns("see `ebpfops.tetragon.policy_lnt`, not ebpfops.tetragon.plugins.module_utils.x") == {
        "policy_lnt"}
    assert "policy_lnt" not in _content_names() and "policy_lint" in _content_names()


@pytest.mark.parametrize("path", DOCS)
def test_repository_paths_in_the_docs_exist(path):
    text = _read(path)
    missing = []
    for found in re.findall(r"(?<![\w/.<>-])((?:%s)/[\w./-]*\w)" % "|".join(TOP_DIRS), text):
        in_a_role = glob.glob(os.path.join(ROOT, "roles", "*", found))  # e.g. meta/argument_specs.yml
        if not (os.path.exists(os.path.join(ROOT, found)) or in_a_role or found in UPSTREAM_PATHS):
            missing.append(found)
    assert not missing, "%s mentions paths that do not exist: %s" % (path, sorted(set(missing)))


def _make_targets():
    return set(re.findall(r"^([\w-]+):", _read("Makefile"), re.M))


@pytest.mark.parametrize("path", DOCS)
def test_make_targets_in_the_docs_exist(path):
    used = set(re.findall(r"`make ([\w-]+)", _read(path)))
    used |= set(re.findall(r"^make ([\w-]+)", _read(path), re.M))
    assert used <= _make_targets(), "%s: no make target %s" % (path, sorted(used - _make_targets()))


def test_the_makefile_declares_only_real_targets_phony():
    phony = set(re.findall(r"^\.PHONY:(.*)$", _read("Makefile"), re.M)[0].split())
    assert phony <= _make_targets(), "Makefile .PHONY names targets it does not define: %s" % sorted(
        phony - _make_targets())


def _recipe(target):
    match = re.search(r"^%s:[^\n]*\n((?:\t[^\n]*\n)+)" % re.escape(target), _read("Makefile"), re.M)
    assert match, "Makefile has no recipe for %s" % target
    return [line.strip() for line in match.group(1).splitlines()]


def test_the_readme_quick_start_is_two_commands_that_set_up_and_run():
    readme = _read("README.md")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]
    assert commands == ["make demo", "make test"]
    # one sets up and runs the main job on the built-in example, one sets up and runs every test
    assert _recipe("demo") == ["scripts/setup.sh controller", "scripts/demo.sh"]
    assert _recipe("test") == ["scripts/setup.sh test", "scripts/test.sh"]
    assert "examples/file-delete-sys-exit.yaml" in _read("scripts/demo.sh")
    assert "ansible-playbook ebpfops.tetragon.policy_check" in _read("scripts/demo.sh")
    stages = re.search(r'only=\$\{TEST_STAGES:-"([^"]+)"\}', _read("scripts/test.sh")).group(1).split()
    for stage in ("unit", "integration", "vm", "lint", "sanity", "build", "molecule"):
        assert stage in stages, "scripts/test.sh does not run the %s stage by default" % stage


def _playbook_knobs(text):
    """The variables a user sets on a playbook: play vars with a literal default, and variables read with
    default() (hosts patterns, serial, old names)."""
    names = set()
    for play in yaml.safe_load(text):
        for name, value in (play.get("vars") or {}).items():
            if not (isinstance(value, str) and "{{" in value):
                names.add(name)
    names |= set(re.findall(r"(?<![\w.])([a-z]\w*)\s*\|\s*default\(", text))
    return {name for name in names if not name.startswith("ansible_")}


PLAYBOOKS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yml")))


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_variables_are_documented(playbook):
    text = _read(os.path.join("playbooks", playbook))
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    docs = header + "".join(_read(path) for path in DOCS)
    undocumented = sorted(name for name in _playbook_knobs(text) if not re.search(r"\b%s\b" % name, docs))
    assert not undocumented, "playbooks/%s: variables neither in its header nor in README/docs: %s" % (
        playbook, undocumented)


def test_the_playbook_variable_check_sees_knobs_but_not_attributes():
    text = "- hosts: \"{{ x_hosts | default('all') }}\"\n  vars:\n    x_soak: 10\n    x_url: \"{{ y }}\"\n" \
           "  tasks:\n    - debug: {msg: \"{{ r.would_change | default(true) }} {{ x_old | default(1) }}\"}\n"
    assert _playbook_knobs(text) == {"x_hosts", "x_soak", "x_old"}


def test_the_readme_content_table_lists_every_module_filter_role_and_playbook():
    section = _read("README.md").split("## What is in the collection", 1)[1].split("\n## ", 1)[0]
    content = _content_names() - {os.path.basename(p)[:-3]
                                  for p in glob.glob(os.path.join(ROOT, "plugins", "doc_fragments", "*.py"))}
    missing = sorted(name for name in content if not re.search(r"`(ebpfops\.tetragon\.)?%s`" % name, section))
    assert not missing, "README's content table does not list %s" % missing
