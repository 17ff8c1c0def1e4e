#!/usr/bin/env bash
# Every benchmark under benchmarks/ (figures are ratios against a baseline of the same run). Run
# `scripts/setup.sh test` first (`make bench` does both); the BPF benchmarks need root.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.collections" PYTHONPATH="$root/.collections"
rc=0
for bench in benchmarks/*.py; do
  printf '\n===== %s\n' "$bench"
  python "$bench" || rc=1
done
exit $rc
