# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Safe loading: every bad input becomes a finding on its file, never an exception."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _load as load

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "policies")
GOOD = os.path.join(FIXTURES, "corpus", "list-syscalls.yaml")


def rules(docs):
    return [f["rule"] for d in docs for f in d["findings"]]


def test_valid_policy_loads_with_lines():
    docs = load.load_file(GOOD)
    assert len(docs) == 1
    assert docs[0]["findings"] == []
    assert docs[0]["document"]["metadata"]["name"] == "file-delete-syscalls"
    assert docs[0]["lines"]["spec.kprobes[0]"] == 15


@pytest.mark.parametrize("text, rule", [
    ("a: [1\n", "Y1"),
    ("? [a, b]\n: 1\n", "Y1"),
    ("a: 1\na: 2\n", "Y2"),
    ("", "Y6"),
    ("# nothing but a comment\n\n", "Y6"),
    ("---\n...\n", "Y6"),
    ("- one\n- two\n", "Y7"),
    ("just a string\n", "Y7"),
    ("42\n", "Y7"),
    ("a: \x07\n", "Y5"),
])
def test_bad_text_becomes_one_error_finding(text, rule):
    docs = load.load_text(text, "bad.yaml")
    assert rule in rules(docs)
    # a duplicate key still yields the document (last value wins) so the rest gets linted
    assert all((d["document"] is None) == (rule != "Y2") for d in docs)
    assert all(f["severity"] == "error" for f in docs[0]["findings"])


def test_duplicate_key_reports_yaml_path_and_both_lines():
    docs = load.load_text("spec:\n  kprobes:\n  - call: a\n    call: b\n", "dup.yaml")
    (item,) = docs[0]["findings"]
    assert (item["rule"], item["path"], item["line"]) == ("Y2", "spec.kprobes[0].call", 4)
    assert "line 3" in item["message"] and "line 4" in item["message"]


def test_syntax_error_names_line_and_column():
    (item,) = load.load_text("a:\n  b: [1\nc: 2\n", "x.yaml")[0]["findings"]
    assert item["rule"] == "Y1" and item["line"] == 3 and "line 3" in item["message"]


def test_alias_bomb_is_refused_before_expansion():
    with open(os.path.join(FIXTURES, "rules", "Y4", "trigger.txt")) as handle:
        docs = load.load_text(handle.read(), "bomb.yaml")
    assert rules(docs) == ["Y4"]
    assert docs[0]["document"] is None


def test_aliases_in_a_small_document_are_fine():
    docs = load.load_text("a: &x [1, 2]\nb: *x\n", "ok.yaml")
    assert docs[0]["findings"] == [] and docs[0]["document"]["b"] == [1, 2]


def test_huge_input_is_refused_without_parsing():
    text = "a: '%s'\n" % ("x" * (load.MAX_BYTES + 1))
    assert rules(load.load_text(text, "huge.yaml")) == ["Y4"]
    assert rules(load.load_text(text.encode(), "huge.yaml")) == ["Y4"]


def test_deep_nesting_is_refused():
    assert rules(load.load_text("[" * 5000 + "]" * 5000, "deep.yaml")) in (["Y1"], ["Y4"])
    nested = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 100))
    assert rules(load.load_text(nested, "deep.yaml")) == ["Y4"]


@pytest.mark.parametrize("data", [b"\x7fELF\x02\x01\x01\x00\x00", b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xfe\xfa"])
def test_binary_data_is_y5(data):
    assert rules(load.load_text(data, "blob.bin")) == ["Y5"]


def test_multi_document_file_flags_every_document():
    docs = load.load_text("a: 1\n---\nb: 2\n", "multi.yaml")
    assert [(f["rule"], f["severity"]) for d in docs for f in d["findings"]] == [
        ("Y3", "warning"), ("Y3", "error")]
    assert [d["index"] for d in docs] == [0, 1]


def test_dates_become_strings():
    assert load.load_text("x: 2024-01-01\n", "d.yaml")[0]["document"] == {"x": "2024-01-01"}


def test_missing_path_is_y8():
    assert rules(load.load_path("/nonexistent/policy.yaml")) == ["Y8"]


def test_unreadable_file_is_y8(tmp_path):
    assert rules(load.load_file(str(tmp_path))) == ["Y8"]


def test_one_bad_file_never_hides_the_others(tmp_path):
    (tmp_path / "a-good.yaml").write_bytes(open(GOOD, "rb").read())
    (tmp_path / "b-binary.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "c-broken.yml").write_text("a: [\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "d-good.yaml").write_bytes(open(GOOD, "rb").read())
    (tmp_path / "notes.txt").write_text("not a policy")
    docs = load.load_path(str(tmp_path))
    assert [os.path.basename(d["file"]) for d in docs] == ["a-good.yaml", "b-binary.yaml", "c-broken.yml",
                                                           "d-good.yaml"]
    assert [rules([d]) for d in docs] == [[], ["Y5"], ["Y1"], []]


def test_a_stream_is_read_up_to_the_limit_and_no_further():
    import io

    class Endless(io.RawIOBase):
        def __init__(self):
            self.served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"a" * len(buffer)
            self.served += len(buffer)
            return len(buffer)
    stream = Endless()
    with pytest.raises(load.PolicyLoadError) as exc:
        load.read_stream(stream, "<stdin>")
    assert exc.value.rule == "Y4" and "more than 1048576 bytes" in str(exc.value)
    assert stream.served == load.MAX_BYTES + 1
    assert load.read_stream(io.BytesIO(b"a: 1\n")) == b"a: 1\n"


def test_keys_keep_their_text_and_stay_distinct():
    (doc,) = load.load_text("1: a\ntrue: b\nnull: c\n2024-01-01: d\n0x1: e\n", "k.yaml")
    assert doc["document"] == {"1": "e", "true": "b", "null": "c", "2024-01-01": "d"}
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [("Y2", '"1"', 5)]


def test_directory_limits(tmp_path, monkeypatch):
    for name in ("a.yaml", "b.yaml", "c.yml", "notes.txt"):
        (tmp_path / name).write_bytes(open(GOOD, "rb").read())
    monkeypatch.setattr(load, "MAX_FILES", 2)
    assert [f["message"] for d in load.load_path(str(tmp_path)) for f in d["findings"]] == [
        "directory holds more than 2 policy files"]
    monkeypatch.setattr(load, "MAX_FILES", 10)
    monkeypatch.setattr(load, "MAX_ENTRIES", 3)
    assert [f["message"] for d in load.load_path(str(tmp_path)) for f in d["findings"]] == [
        "the tree under this directory holds more than 3 entries"]
    monkeypatch.setattr(load, "MAX_ENTRIES", 100)
    monkeypatch.setattr(load, "MAX_TREE_BYTES", os.path.getsize(GOOD) * 2 + 1)
    docs = load.load_path(str(tmp_path))
    assert [os.path.basename(d["file"]) for d in docs] == ["a.yaml", "b.yaml", str(tmp_path.name)]
    assert "the limit for one run" in docs[-1]["findings"][0]["message"]
