# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

The tuning flags of the role ebpfops.tetragon.tetragon: which role variable writes which Tetragon flag, the
profiles, how the flags written on a host are composed from tetragon_config, the profile, the variables and
tetragon_config_extra, and the value rules of those flags. Flag names, defaults, value parsing and the
version of each were read from pkg/option/flags.go (and the code each value goes to) at every tag v1.0.0 ..
v1.7.0 and v1.8.0-pre.0; docs/role-tetragon.md cites the places.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _export_filters
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy._common import parse_version

V10, V12 = (1, 0, 0), (1, 2, 0)

# (role variable, Tetragon flag, kind, first version with the flag)
KNOBS = (
    ("tetragon_rb_size", "rb-size", "rb_size", V10),
    ("tetragon_rb_size_total", "rb-size-total", "rb_size", V10),
    ("tetragon_rb_queue_size", "rb-queue-size", "queue_size", V10),
    ("tetragon_event_queue_size", "event-queue-size", "event_queue", V10),
    ("tetragon_process_cache_size", "process-cache-size", "cache_size", V10),
    ("tetragon_export_rate_limit", "export-rate-limit", "rate_limit", V10),
    ("tetragon_export_allowlist", "export-allowlist", "filters", V10),
    ("tetragon_export_denylist", "export-denylist", "filters", V10),
    ("tetragon_field_filters", "field-filters", "field_filters", V10),
    ("tetragon_cgroup_rate", "cgroup-rate", "cgroup_rate", V12),
    ("tetragon_disable_kprobe_multi", "disable-kprobe-multi", "bool", V10),
    ("tetragon_metrics_server", "metrics-server", "address", V10),
)
FLAG_OF = dict((variable, flag) for variable, flag, _kind, _since in KNOBS)
KIND_OF = dict((flag, kind) for _variable, flag, kind, _since in KNOBS)
SINCE_OF = dict((flag, since) for _variable, flag, _kind, since in KNOBS)

# The values a profile gives to flags that nothing else sets (docs/role-tetragon.md justifies each).
PROFILES = {
    "default": {"rb-size": "64K", "process-cache-size": 65536, "export-rate-limit": 10000},
    "busy_host": {"rb-size": "256K", "event-queue-size": 20000, "process-cache-size": 131072,
                  "export-rate-limit": 10000},
}
# Flags Tetragon refuses to take together (cmd/tetragon/main.go: "Can't specify --rb-size and --rb-size-total together").
PAIRS = (("rb-size", "rb-size-total"),)

KIB, MIB, GIB = 1024, 1024 * 1024, 1024 * 1024 * 1024
RB_MIN, RB_MAX = 4 * KIB, 2 * GIB
QUEUE_MAX = 1048576
CACHE_MAX = 1048576
RATE_MAX = 1000000000
CGROUP_EVENTS_MAX = 0xFFFFFFFF
LOCAL_HOSTS = ("127.0.0.1", "[::1]", "localhost")
_SIZE = re.compile(r"^([0-9]+)([KMG]?)$")
_INT = re.compile(r"^-?[0-9]+$")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_DURATION_NS = {"ns": 1, "us": 1e3, u"\u00b5s": 1e3, u"\u03bcs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[0-9.]+|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)?$")


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _vstr(version):
    return "%d.%d" % (version[0], version[1])


def size_bytes(value):
    """Bytes of a size as Tetragon's strutils.ParseSize reads it (digits, then K, M or G); None if it cannot."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    match = _SIZE.match(_text(value))
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "K": KIB, "M": MIB, "G": GIB}[match.group(2)]


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not _INT.match(_text(value)):
        return None
    return int(_text(value))


def duration_ns(text):
    """Nanoseconds of a Go duration (time.ParseDuration: 1s, 500ms, 1m30s); None if it is not one."""
    if not isinstance(text, str) or not text:
        return None
    total, index = 0.0, 0
    while index < len(text):
        match = _DURATION_PART.match(text, index)
        if not match or match.group(1) in ("", "."):
            return None
        total += float(match.group(1)) * _DURATION_NS[match.group(2)]
        index = match.end()
    return total


def _check(kind, value, version, config, allow_remote):
    """The rule a value breaks, or None."""
    if kind == "rb_size":
        size = size_bytes(value)
        if size is None or (size != 0 and not RB_MIN <= size <= RB_MAX):
            return ("must be 0 (Tetragon's default, 64K per CPU) or a size from 4K to 2G: digits with an optional "
                    "K, M or G suffix (upper case, no B), such as 256K")
    elif kind == "queue_size":
        size = size_bytes(value)
        if size is None or size > QUEUE_MAX:
            return ("must be a number of events from 0 (Tetragon's default, 65535) to %d, digits with an optional "
                    "K or M suffix (Tetragon reads it as a size: 64K = 65536)" % QUEUE_MAX)
    elif kind == "event_queue":
        number = _integer(value)
        if number is None or not 0 <= number <= QUEUE_MAX:
            return ("must be a whole number of events from 0 (Tetragon's default, 10000) to %d, without a suffix "
                    "(Tetragon reads it as an unsigned integer and silently uses 10000 for anything else)" % QUEUE_MAX)
    elif kind == "cache_size":
        number = _integer(value)
        if number is None or not 1 <= number <= CACHE_MAX:
            return ("must be a whole number of processes from 1 to %d (Tetragon's default is 65536; 0 or a non-number "
                    "stops the agent: the cache cannot have size 0)" % CACHE_MAX)
    elif kind == "rate_limit":
        number = _integer(value)
        if number is None or not -1 <= number <= RATE_MAX:
            return ("must be -1 (no limit), 0 or a whole number of events per minute up to %d (Tetragon reads "
                    "anything else, an empty value included, as 0, which drops the whole JSON export)" % RATE_MAX)
    elif kind == "cgroup_rate":
        text = _text(value)
        if text == "":
            return None
        parts = text.split(",")
        events = _integer(parts[0]) if len(parts) == 2 else None
        interval = duration_ns(parts[1].strip()) if len(parts) == 2 else None
        if events is None or not 1 <= events <= CGROUP_EVENTS_MAX or not interval or interval <= 0:
            return ("must be \"<events>,<interval>\" with a positive number of events and a positive Go duration, "
                    "such as \"1000,1s\" (or \"\" for off); Tetragon only logs a warning for anything else and "
                    "leaves the rate off")
    elif kind == "bool":
        if not isinstance(value, bool) and _text(value) not in ("true", "false"):
            return "must be true or false"
    elif kind == "address":
        return _address_rule(_text(value), allow_remote)
    return None


def _address_rule(text, allow_remote):
    if text == "":
        return None
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535 or not _HOST.match(host):
        return ("must be \"\" (off) or <host>:<port> with a port from 1 to 65535, such as 127.0.0.1:2112 "
                "(Tetragon ignores the error of an address it cannot listen on and serves no metrics)")
    if not allow_remote and host not in LOCAL_HOSTS:
        return ("must listen on 127.0.0.1, [::1] or localhost (%r listens on %s); set "
                "tetragon_metrics_server_allow_remote: true to expose the metrics beyond this host"
                % (text, "every interface" if host == "" else host))
    return None


def _render(kind, value):
    if kind in ("filters", "field_filters"):
        try:
            return _export_filters.render(_export_filters.as_objects(value)) if isinstance(value, list) else value
        except (TypeError, ValueError):
            return value
    return value


def compose(config, extra=None, knobs=None, profile="default"):
    """The flags written on a host, where each comes from, and the conflicts.

    Lowest to highest: the profile, tetragon_config, the tetragon_<knob> variables that are not null,
    tetragon_config_extra. A profile value is dropped when its flag, or the other flag of its pair, is set
    explicitly. A variable and tetragon_config_extra setting the same flag is an error; None removes a flag.
    """
    config = config if isinstance(config, dict) else {}
    extra = extra if isinstance(extra, dict) else {}
    knobs = dict((k, v) for k, v in (knobs or {}).items() if v is not None)
    errors = []
    if profile not in PROFILES:
        errors.append("tetragon_profile: %r is not a profile (%s)" % (profile, ", ".join(sorted(PROFILES))))
    explicit = set(k for k, v in config.items() if v is not None)
    explicit.update(FLAG_OF[k] for k in knobs if k in FLAG_OF)
    explicit.update(k for k, v in extra.items() if v is not None)
    partner = dict(PAIRS + tuple((b, a) for a, b in PAIRS))
    flags, sources = {}, {}
    for flag, value in PROFILES.get(profile, {}).items():
        if flag not in explicit and partner.get(flag) not in explicit:
            flags[flag], sources[flag] = value, "tetragon_profile %s (%s)" % (profile, flag)
    for flag, value in config.items():
        flags[flag], sources[flag] = value, "tetragon_config[%r]" % (flag,)
    for variable in sorted(knobs):
        if variable not in FLAG_OF:
            errors.append("%s is not a tuning variable of the role" % variable)
            continue
        flag = FLAG_OF[variable]
        if flag in extra:
            errors.append("%s and tetragon_config_extra[%r] both set the flag %s: set it in one place"
                          % (variable, flag, flag))
        flags[flag], sources[flag] = knobs[variable], variable
    for flag, value in extra.items():
        flags[flag], sources[flag] = value, "tetragon_config_extra[%r]" % (flag,)
    flags = dict((k, _render(KIND_OF.get(k), v)) for k, v in flags.items() if v is not None)
    sources = dict((k, v) for k, v in sources.items() if k in flags)
    return flags, sources, errors


def value_errors(flags, sources, version, allow_remote=False):
    """Problems of the tuning flags of the composed configuration for the target Tetragon version."""
    target = parse_version(version) if version is not None else None
    errors = []
    for flag in sorted(flags, key=str):
        if flag not in KIND_OF:
            continue
        where, value, kind = sources.get(flag, flag), flags[flag], KIND_OF[flag]
        if target is not None and target < SINCE_OF[flag]:
            errors.append("%s: Tetragon %s has no flag %s (it came in %s)" % (where, version, flag, _vstr(SINCE_OF[flag])))
            continue
        if kind in ("filters", "field_filters"):
            if isinstance(value, (str, list)):
                errors.extend(_export_filters.errors(value, target or (99, 0, 0), where,
                                                     field_filters=kind == "field_filters", config=flags))
            else:
                errors.append("%s: must be a list of filters (mappings) or a string of JSON objects" % where)
            continue
        if isinstance(value, (dict, list)):
            continue  # _settings.flag_errors names the type
        rule = _check(kind, value, target, flags, allow_remote)
        if rule:
            errors.append("%s: %r %s" % (where, _text(value), rule) if kind != "address" else "%s: %s" % (where, rule))
    for first, second in PAIRS:
        if size_bytes(flags.get(first, 0)) and size_bytes(flags.get(second, 0)):
            errors.append("%s and %s: Tetragon refuses to start with both %s and %s non-zero; set one"
                          % (sources[first], sources[second], first, second))
    return errors
