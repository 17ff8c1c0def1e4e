# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fuzz campaign longer than CI affords: the property tests of tests/unit/fuzz with many more examples.

    .venv/bin/python benchmarks/fuzz_campaign.py [--examples 2000] [--seed N] [-k EXPR]

Runs pytest on tests/unit/fuzz/test_fuzz_*.py with the `campaign` hypothesis profile and
FUZZ_EXAMPLES examples per property, then prints the number of generated inputs (per kind and in
total), the failures, and the inputs per second against the CI profile's (60 examples) rate measured
in the same run. Exit status 1 when a property failed; hypothesis prints the failing input and a
@reproduce_failure blob to replay it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "tests", "unit", "fuzz")
SUMMARY_RE = re.compile(r"^fuzz: (\d+) generated inputs \((.*)\)$", re.MULTILINE)
RESULT_RE = re.compile(r"(\d+) (passed|failed|error)")


def run(profile, examples, seed, expr):
    env = dict(os.environ, HYPOTHESIS_PROFILE=profile, FUZZ_EXAMPLES=str(examples),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    cmd = [sys.executable, "-m", "pytest", "-c", os.path.join(ROOT, "tests", "pytest.ini"), "-q",
           "-p", "no:cacheprovider", "-o", "addopts=--import-mode=importlib"]
    if seed is not None:
        cmd.append("--hypothesis-seed=%d" % seed)
    if expr:
        cmd += ["-k", expr]
    cmd += sorted(os.path.join(FUZZ, name) for name in os.listdir(FUZZ) if name.startswith("test_fuzz_"))
    start = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    elapsed = time.time() - start
    out = proc.stdout.decode("utf-8", "replace")
    match = SUMMARY_RE.search(out)
    counts = dict((kind, int(n)) for n, kind in ((m.group(1), m.group(2)) for m in RESULT_RE.finditer(
        out.strip().splitlines()[-1] if out.strip() else "")))
    return {"inputs": int(match.group(1)) if match else 0, "kinds": match.group(2) if match else "",
            "failed": counts.get("failed", 0) + counts.get("error", 0), "passed": counts.get("passed", 0),
            "seconds": elapsed, "output": out, "code": proc.returncode}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default 2000)")
    parser.add_argument("--seed", type=int, help="hypothesis seed (default: random)")
    parser.add_argument("-k", dest="expr", help="only the properties matching this pytest -k expression")
    args = parser.parse_args()
    baseline = run("ci", 60, args.seed, args.expr)
    campaign = run("campaign", args.examples, args.seed, args.expr)
    if campaign["failed"] or campaign["code"] not in (0, 1):
        sys.stdout.write(campaign["output"][-20000:])
    print("fuzz campaign: %d generated inputs in %.1f s (%s)" % (campaign["inputs"], campaign["seconds"],
                                                                 campaign["kinds"]))
    print("fuzz campaign: %d properties passed, %d failed" % (campaign["passed"], campaign["failed"]))
    base_rate = baseline["inputs"] / baseline["seconds"] if baseline["seconds"] else 0.0
    rate = campaign["inputs"] / campaign["seconds"] if campaign["seconds"] else 0.0
    print("FIGURE fuzz_campaign inputs %d failures %d rate %.0f/s ci_profile %d inputs %.0f/s ratio %.1fx inputs"
          % (campaign["inputs"], campaign["failed"], rate, baseline["inputs"], base_rate,
             campaign["inputs"] / float(baseline["inputs"] or 1)))
    return 1 if campaign["failed"] or baseline["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
