# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The Tetragon release this collection is pinned to (the one statement of it: the role's default, its
argument spec and the docs are checked against it by tests/unit/test_role_tetragon.py), and which SHA-256
a release archive must have: a digest pinned in the inventory, else the one its .sha256sum publishes,
and never one other than the digest recorded at the first verified install (trust on first use).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

DEFAULT_TETRAGON_VERSION = "1.7.0"

ARCHES = ("amd64", "arm64")
RECORD_FORMAT = 1
_HEX = re.compile(r"^[0-9a-f]{64}$")
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")
_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64})(?:[ \t]+\*?(.*))?$")
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")


class ReleaseError(Exception):
    pass


def is_release_version(text):
    """A Tetragon release number such as 1.7.0 or 1.8.0-rc.1 (no leading v, nothing around it)."""
    return isinstance(text, str) and len(text) <= 64 and _VERSION.match(text) is not None


def parse_digest(value, where):
    """A pinned digest, `sha256:<64 hex>` or bare `<64 hex>`, as lower-case hex."""
    if not isinstance(value, str):
        raise ReleaseError("%s must be a string \"sha256:<64 hex digits>\", got %s" % (where, type(value).__name__))
    text = value.strip()
    if text.lower().startswith("sha256:"):
        text = text[len("sha256:"):]
    elif ":" in text:
        raise ReleaseError("%s: only sha256 digests are supported (\"sha256:<64 hex digits>\"), got %r"
                           % (where, value[:80]))
    text = text.lower()
    if not _HEX.match(text):
        raise ReleaseError("%s must be \"sha256:<64 hex digits>\", got %r" % (where, value[:80]))
    return text


def checksum_pin_errors(checksums, name="tetragon_checksums"):
    """Problems of the pins mapping {version: {arch: digest}}, each naming where it is."""
    if checksums is None:
        return []
    if not isinstance(checksums, dict):
        return ["%s must be a mapping of release version to {arch: \"sha256:<hex>\"}, got %s"
                % (name, type(checksums).__name__)]
    errors = []
    for version in sorted(checksums, key=str):
        where = "%s[%r]" % (name, version)
        if not isinstance(version, str) or not _VERSION.match(version):
            errors.append("%s: the key must be a release version such as \"1.7.0\" (quote it in YAML)" % where)
            continue
        per_arch = checksums[version]
        if not isinstance(per_arch, dict):
            errors.append("%s must be a mapping of arch (%s) to \"sha256:<hex>\", got %s"
                          % (where, ", ".join(ARCHES), type(per_arch).__name__))
            continue
        for arch in sorted(per_arch, key=str):
            if arch not in ARCHES:
                errors.append("%s[%r]: unknown arch; Tetragon publishes %s" % (where, arch, ", ".join(ARCHES)))
                continue
            try:
                parse_digest(per_arch[arch], "%s[%r]" % (where, arch))
            except ReleaseError as exc:
                errors.append(str(exc))
    return errors


def pinned_digest(checksums, version, arch):
    """The pinned hex digest of (version, arch), or "" when none is pinned."""
    if not isinstance(checksums, dict):
        return ""
    per_arch = checksums.get(version)
    if not isinstance(per_arch, dict) or per_arch.get(arch) in (None, ""):
        return ""
    return parse_digest(per_arch[arch], "tetragon_checksums[%r][%r]" % (version, arch))


def published_digest(text, archive_name):
    """The digest of `archive_name` in a sha256sum-format text (a line for it, or a bare digest), or ""."""
    for line in (text or "").splitlines():
        match = _SUM_LINE.match(line.strip())
        if not match:
            continue
        listed = match.group(2)
        if listed is None or listed.rsplit("/", 1)[-1] == archive_name:
            return match.group(1).lower()
    return ""


def redact_url(url):
    """The URL (or a text holding URLs) without user:password@ parts, fit for labels and messages."""
    return _USERINFO.sub(r"\1***@", str(url or ""))


def record_text(version, arch, sha256, source):
    return json.dumps({"format": RECORD_FORMAT, "version": version, "arch": arch, "sha256": sha256,
                       "source": redact_url(source)}, sort_keys=True, indent=2) + "\n"


def recorded_digest(text, version, arch, where):
    """The digest a trust record holds, "" when there is no record; ReleaseError when it is unreadable."""
    if text is None or not str(text).strip():
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if (not isinstance(data, dict) or data.get("version") != version or data.get("arch") != arch
            or not isinstance(data.get("sha256"), str) or not _HEX.match(data["sha256"])):
        raise ReleaseError("the trust record %s is not a record of Tetragon %s %s; restore it from a backup, or "
                           "remove it to trust the next verified archive again" % (where, version, arch))
    return data["sha256"]


def expected_digest(release, published_text, record, allow_change):
    """Which SHA-256 the archive of `release` must have.

    release: {version, arch, name, pin ("" or hex), checksum_url, record_path}; published_text: its
    .sha256sum (unused when pinned); record: text of the trust record or None.
    Returns {sha256, source (pin|published), record (bool: write the record), error}.
    """
    out = {"sha256": "", "source": "pin" if release.get("pin") else "published", "record": False, "error": ""}
    label = "Tetragon %s %s" % (release["version"], release["arch"])
    if release.get("pin"):
        out["sha256"] = release["pin"]
    else:
        out["sha256"] = published_digest(published_text, release["name"])
        if not out["sha256"]:
            out["error"] = ("%s is missing or has no SHA-256 line for %s (expected \"<sha256>  %s\", as in "
                            "Tetragon's release assets), and tetragon_checksums pins no digest for %s"
                            % (redact_url(release["checksum_url"]), release["name"], release["name"], label))
            return out
    try:
        recorded = recorded_digest(record, release["version"], release["arch"], release["record_path"])
    except ReleaseError as exc:
        out["error"] = str(exc)
        return out
    if recorded and recorded != out["sha256"] and not allow_change:
        out["error"] = (
            "%s: the archive should have SHA-256 %s (%s), but the first verified install recorded %s in %s. "
            "A published release archive does not change; refusing a different one. If you know why it changed "
            "(a re-published asset, a rebuilt mirror), set tetragon_checksum_allow_change: true for one run; "
            "the new digest is then recorded"
            % (label, out["sha256"], "tetragon_checksums" if release.get("pin") else
               redact_url(release["checksum_url"]), recorded, release["record_path"]))
        return out
    out["record"] = recorded != out["sha256"]
    return out
