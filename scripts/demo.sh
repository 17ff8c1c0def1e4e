#!/usr/bin/env bash
# `make demo` (after scripts/setup.sh controller): lint and rewrite the built-in example policy through
# the real Ansible path (playbooks/policy_check.yml), then show the same with the command-line entry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.collections"
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
src=${1:-$root/examples/file-delete-sys-exit.yaml}
out="$root/build/policy_check"
rm -f "$out/$(basename "$src")"

printf '\n=== ansible-playbook ebpfops.tetragon.policy_check (%s)\n' "$src"
ansible-playbook ebpfops.tetragon.policy_check -e "policy_check_src=$src" -e "policy_check_dest=$out/$(basename "$src")"

printf '\n=== the same without Ansible: bin/tetragon-policy lint %s\n' "${src#"$root"/}"
rc=0
bin/tetragon-policy lint "$src" || rc=$?
echo "(exit code $rc: 0 = no error-level finding)"
printf '\n=== bin/tetragon-policy rewrite --check %s (exit 1: it would change)\n' "${src#"$root"/}"
rc=0
bin/tetragon-policy rewrite --check "$src" >/dev/null || rc=$?
echo "(exit code $rc)"
printf '\nRewritten policy: %s\n' "${out#"$root"/}/$(basename "$src")"
