# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Policy lint throughput against plain JSON-Schema validation of the same corpus, same run.

    .venv/bin/python benchmarks/lint_throughput.py [--min-policies 200] [--rounds 5] [DIR ...]

Corpus: every .yaml policy under the given directories (default: the project's own fixtures under
tests/unit/fixtures/policies), repeated with renamed copies until there are --min-policies texts.
Baseline: yaml.load (C loader when available) + jsonschema Draft7 validation with the engine's own schema.
Measured: the full lint (safe loader with duplicate-key/alias checks, schema, loader rules, overhead rules).
Each mode runs --rounds times; the best round counts. Target: full lint <= 3x the baseline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".collections"))

import jsonschema  # noqa: E402
import yaml  # noqa: E402

from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _lint as lint  # noqa: E402
from ansible_collections.ebpfops.tetragon.plugins.module_utils.policy import _schema as schema  # noqa: E402

TARGET_RATIO = 3.0
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def corpus(dirs, minimum):
    texts = []
    for directory in dirs:
        for path in sorted(glob.glob(os.path.join(directory, "**", "*.yaml"), recursive=True)):
            with open(path) as handle:
                texts.append(handle.read())
    if not texts:
        raise SystemExit("no .yaml policies under %s" % ", ".join(dirs))
    out, copy = list(texts), 0
    while len(out) < minimum:
        copy += 1
        out.extend(t.replace("  name: ", "  name: copy%d-" % copy, 1) for t in texts)
    return out


def schema_only(texts, version):
    validator = jsonschema.Draft7Validator(schema.build_schema(version))
    errors = 0
    for text in texts:
        for document in yaml.load_all(text, Loader=LOADER):
            errors += sum(1 for _e in validator.iter_errors(document))
    return errors


def full_lint(texts, version):
    errors = 0
    for text in texts:
        for policy in lint.lint_text(text, "bench.yaml", version):
            errors += sum(1 for f in policy["findings"] if f["severity"] == "error")
    return errors


def best_of(func, texts, version, rounds):
    best, result = None, None
    for _ in range(rounds):
        start = time.perf_counter()
        result = func(texts, version)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=[os.path.join(ROOT, "tests", "unit", "fixtures", "policies")])
    parser.add_argument("--min-policies", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    version = lint.target_version(None)
    texts = corpus(args.dirs, args.min_policies)
    schema.validator(version)  # build and cache outside the timed part, as the baseline does
    full_lint(texts[:5], version)
    base_time, base_errors = best_of(schema_only, texts, version, args.rounds)
    lint_time, lint_errors = best_of(full_lint, texts, version, args.rounds)
    ratio = lint_time / base_time
    print("corpus: %d policies (%s), best of %d rounds, PyYAML %s loader" % (
        len(texts), ", ".join(os.path.relpath(d, ROOT) for d in args.dirs), args.rounds, LOADER.__name__))
    print("baseline  yaml + jsonschema : %8.1f policies/s  (%.3f s, %d schema errors)" % (
        len(texts) / base_time, base_time, base_errors))
    print("full lint                   : %8.1f policies/s  (%.3f s, %d error findings)" % (
        len(texts) / lint_time, lint_time, lint_errors))
    print("ratio full/baseline         : %.2fx (target <= %.1fx) %s" % (
        ratio, TARGET_RATIO, "OK" if ratio <= TARGET_RATIO else "OVER TARGET"))
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
