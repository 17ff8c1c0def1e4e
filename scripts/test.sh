#!/usr/bin/env bash
# Every test of ebpfops.tetragon, in order; exits non-zero if any stage failed.
# Run `scripts/setup.sh test` first (`make test` does both).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.collections"

only=${TEST_STAGES:-"unit integration vm lint sanity build molecule"}
failed=()
stage() {
  local name=$1; shift
  [[ " $only " == *" $name "* ]] || return 0
  printf '\n===== %s: %s\n' "$name" "$*"
  local start=$SECONDS
  if "$@"; then
    printf '===== %s passed (%ss)\n' "$name" $((SECONDS - start))
  else
    printf '===== %s FAILED (%ss)\n' "$name" $((SECONDS - start))
    failed+=("$name")
  fi
}

stage unit        pytest -c tests/pytest.ini tests/unit
stage integration pytest -c tests/pytest.ini tests/integration --ignore=tests/integration/vm
# kprobes, kprobe_multi and BPF LSM on Debian kernels 6.12 and 6.1 under qemu (tests/vm; builds the image once)
stage vm          pytest -c tests/pytest.ini tests/integration/vm
stage lint        ansible-lint
stage sanity      scripts/sanity.sh
stage build       scripts/check_build.sh
stage molecule    molecule/_shared/run.sh

if ((${#failed[@]})); then
  printf '\nFAILED stages: %s\n' "${failed[*]}"
  exit 1
fi
printf '\nall stages passed: %s\n' "$only"
