"""Which SHA-256 a Tetragon release archive must have: pins, published sums, trust on first use."""
import json

import pytest

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _release as R

SHA_A = "a" * 64
SHA_B = "b" * 64
NAME = "tetragon-v1.7.0-amd64.tar.gz"


def release(pin=""):
    return {"version": "1.7.0", "arch": "amd64", "name": NAME, "pin": pin,
            "checksum_url": "https://user:pw@mirror.example/v1.7.0/%s.sha256sum" % NAME,
            "record_path": "/cache/trust/tetragon-v1.7.0-amd64.json"}


@pytest.mark.parametrize("value", ["sha256:" + SHA_A, "SHA256:" + SHA_A.upper(), SHA_A, "  sha256:%s\n" % SHA_A])
def test_parse_digest_accepts_sha256_forms(value):
    assert R.parse_digest(value, "x") == SHA_A


@pytest.mark.parametrize("value", ["sha512:" + SHA_A, "sha256:" + SHA_A[:-1], "sha256:" + "g" * 64, "", 12, None])
def test_parse_digest_refuses_anything_else_naming_where(value):
    with pytest.raises(R.ReleaseError, match="^where"):
        R.parse_digest(value, "where")


def test_pin_errors_name_the_version_and_arch():
    assert R.checksum_pin_errors({"1.7.0": {"amd64": "sha256:" + SHA_A, "arm64": SHA_B}}) == []
    assert R.checksum_pin_errors(None) == [] and R.checksum_pin_errors({}) == []
    errors = R.checksum_pin_errors({"1.7": {"amd64": SHA_A}, "1.7.0": {"s390x": SHA_A, "amd64": "sha256:xyz"},
                                    "1.6.0": "sha256:" + SHA_A})
    assert len(errors) == 4
    assert any("tetragon_checksums['1.7']" in e and "release version" in e for e in errors)
    assert any("['s390x']: unknown arch" in e for e in errors)
    assert any("tetragon_checksums['1.7.0']['amd64'] must be" in e for e in errors)
    assert any("tetragon_checksums['1.6.0'] must be a mapping" in e for e in errors)
    assert "must be a mapping" in R.checksum_pin_errors(["x"])[0]


def test_pinned_digest_looks_up_version_and_arch():
    pins = {"1.7.0": {"amd64": "sha256:" + SHA_A.upper()}}
    assert R.pinned_digest(pins, "1.7.0", "amd64") == SHA_A
    assert R.pinned_digest(pins, "1.7.0", "arm64") == ""
    assert R.pinned_digest(pins, "1.6.0", "amd64") == ""
    assert R.pinned_digest({}, "1.7.0", "amd64") == ""


@pytest.mark.parametrize("text, expected", [
    ("%s  %s\n" % (SHA_A, NAME), SHA_A),
    ("%s  other.tar.gz\n%s *dist/%s\n" % (SHA_B, SHA_A.upper(), NAME), SHA_A),
    ("%s\n" % SHA_A, SHA_A),
    ("%s  %s.asc\n" % (SHA_A, NAME), ""),
    ("%s  x%s\n" % (SHA_A, NAME), ""),
    ("", ""), (None, ""), ("not a sum\n", ""),
])
def test_published_digest_finds_the_archive_line(text, expected):
    assert R.published_digest(text, NAME) == expected


@pytest.mark.parametrize("url, shown", [
    ("https://user:pw@host/x", "https://***@host/x"),
    ("https://token@host/x?a=b@c", "https://***@host/x?a=b@c"),
    ("https://host/x", "https://host/x"),
    ("get https://u:p@a/x and http://v:q@b/y", "get https://***@a/x and http://***@b/y"),
    ("/srv/offline/x.tar.gz", "/srv/offline/x.tar.gz"),
])
def test_redact_url_removes_credentials(url, shown):
    assert R.redact_url(url) == shown


def test_unpinned_first_install_uses_the_published_digest_and_records_it():
    out = R.expected_digest(release(), "%s  %s\n" % (SHA_A, NAME), None, False)
    assert out == {"sha256": SHA_A, "source": "published", "record": True, "error": ""}


def test_pin_wins_over_the_published_sum():
    out = R.expected_digest(release(pin=SHA_B), "%s  %s\n" % (SHA_A, NAME), None, False)
    assert out["sha256"] == SHA_B and out["source"] == "pin" and out["record"]


def test_missing_published_line_without_pin_is_an_error_without_credentials():
    out = R.expected_digest(release(), "", None, False)
    assert "no SHA-256 line for %s" % NAME in out["error"] and "pw@" not in out["error"]
    assert "https://***@mirror.example" in out["error"]


def test_recorded_digest_is_kept_and_a_different_one_refused():
    record = R.record_text("1.7.0", "amd64", SHA_A, "https://user:pw@mirror.example/x")
    assert "pw" not in record and json.loads(record)["sha256"] == SHA_A
    same = R.expected_digest(release(), "%s  %s\n" % (SHA_A, NAME), record, False)
    assert same["error"] == "" and not same["record"]
    other = R.expected_digest(release(), "%s  %s\n" % (SHA_B, NAME), record, False)
    assert "the first verified install recorded %s" % SHA_A in other["error"]
    assert "tetragon_checksum_allow_change" in other["error"] and "pw@" not in other["error"]
    pinned_other = R.expected_digest(release(pin=SHA_B), "", record, False)
    assert "(tetragon_checksums)" in pinned_other["error"]
    allowed = R.expected_digest(release(), "%s  %s\n" % (SHA_B, NAME), record, True)
    assert allowed == {"sha256": SHA_B, "source": "published", "record": True, "error": ""}


@pytest.mark.parametrize("record", ["{", "[]", json.dumps({"version": "1.6.0", "arch": "amd64", "sha256": SHA_A}),
                                    json.dumps({"version": "1.7.0", "arch": "amd64", "sha256": "x"})])
def test_unreadable_record_is_refused_not_replaced(record):
    out = R.expected_digest(release(), "%s  %s\n" % (SHA_A, NAME), record, True)
    assert "is not a record of Tetragon 1.7.0 amd64" in out["error"] and not out["record"]
