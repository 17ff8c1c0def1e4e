"""Metadata of the role ebpfops.tetragon.policies: entry points, documented defaults, variable names."""
import os
import re

import yaml

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles", "policies")
FACTS = {"policies_wanted", "policies_result"}  # set by the role for its callers (documented in argument_specs)


def _load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def _texts():
    for sub in ("tasks", "vars", "defaults"):
        if not os.path.isdir(os.path.join(ROLE, sub)):
            continue
        for name in sorted(os.listdir(os.path.join(ROLE, sub))):
            with open(os.path.join(ROLE, sub, name)) as handle:
                yield "%s/%s" % (sub, name), handle.read()


def test_every_entry_point_has_its_tasks_file_and_the_same_documented_options():
    specs = _load("meta", "argument_specs.yml")["argument_specs"]
    defaults = _load("defaults", "main.yml")
    assert set(specs) == {"main", "prepare", "place", "rollback"}
    for entry, spec in specs.items():
        assert os.path.isfile(os.path.join(ROLE, "tasks", entry + ".yml")), entry
        assert sorted(spec["options"]) == sorted(defaults), entry
        for name, value in defaults.items():
            assert spec["options"][name]["default"] == value, (entry, name)


def test_every_public_variable_the_role_reads_is_a_default_or_a_fact_it_sets():
    defaults = set(_load("defaults", "main.yml"))
    used = set()
    for _path, text in _texts():
        used.update(re.findall(r"(?<![\w.])(policies_[a-z_]+)", text))
    assert sorted(used - defaults - FACTS) == []
    description = " ".join(_load("meta", "argument_specs.yml")["argument_specs"]["main"]["description"])
    assert all(fact in description for fact in FACTS)


def test_internal_variables_are_defined_in_vars_or_set_by_tasks():
    defined = set(_load("vars", "main.yml") if os.path.exists(os.path.join(ROLE, "vars", "main.yml")) else ())
    texts = dict(_texts())
    for text in texts.values():
        defined.update(re.findall(r"^\s*(?:register|set_fact|index_var):\s*(_policies_\w+)", text, re.M))
        defined.update(re.findall(r"^\s+(_policies_\w+):", text, re.M))
    for path, text in texts.items():
        for name in set(re.findall(r"(?<![\w.])(_policies_\w+)", text)):
            assert name in defined, "%s reads %s, which nothing defines" % (path, name)

