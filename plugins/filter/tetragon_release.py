# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _release, _settings, _tuning


def tetragon_settings_errors(config, limits=None, checksums=None, extra=None, knobs=None, profile="default",
                             version=None, metrics_allow_remote=False):
    flags, sources, errors = _tuning.compose(config, extra, knobs, profile)
    for value, name in ((config, "tetragon_config"), (extra, "tetragon_config_extra")):
        if value is not None and not isinstance(value, dict):
            errors.append("%s must be a mapping of flag name to value, got %s" % (name, type(value).__name__))
    return (errors + _settings.flag_errors(flags, sources=sources)
            + _tuning.value_errors(flags, sources, version, bool(metrics_allow_remote))
            + _settings.directive_errors(limits if limits is not None else {}) + _release.checksum_pin_errors(checksums))


def tetragon_flags(config, extra=None, knobs=None, profile="default"):
    return _tuning.compose(config, extra, knobs, profile)[0]


def tetragon_pinned_digest(checksums, version, arch):
    try:
        return _release.pinned_digest(checksums, version, arch)
    except _release.ReleaseError as exc:
        raise AnsibleFilterError("ebpfops.tetragon.tetragon_pinned_digest: %s" % exc)


def tetragon_release_digest(release, published_text="", record=None, allow_change=False):
    try:
        return _release.expected_digest(release, published_text, record, bool(allow_change))
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("ebpfops.tetragon.tetragon_release_digest: not a release: %s" % exc)


def tetragon_trust_record(release, sha256):
    return _release.record_text(release["version"], release["arch"], sha256, release.get("url") or
                                release.get("path", ""))


def tetragon_redact_url(url):
    return _release.redact_url(url)


class FilterModule(object):
    def filters(self):
        return {
            "tetragon_settings_errors": tetragon_settings_errors,
            "tetragon_flags": tetragon_flags,
            "tetragon_pinned_digest": tetragon_pinned_digest,
            "tetragon_release_digest": tetragon_release_digest,
            "tetragon_trust_record": tetragon_trust_record,
            "tetragon_redact_url": tetragon_redact_url,
        }
