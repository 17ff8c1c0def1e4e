#!/usr/bin/env bash
# The collection builds into an installable tarball, installs, and every module's documentation renders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/galaxy"
rm -rf "$out" && mkdir -p "$out/install"
ansible-galaxy collection build --force --output-path "$out" "$root" >/dev/null
tarball=$(ls "$out"/ebpfops-tetragon-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
if tar -tzf "$tarball" | grep -qE '^(tests|extensions|benchmarks|\.ci|scripts)/'; then
  echo "tarball contains test or CI material:" >&2
  tar -tzf "$tarball" | grep -E '^(tests|extensions|benchmarks|\.ci|scripts)/' | head >&2
  exit 1
fi
ansible-galaxy collection install --offline -p "$out/install" "$tarball" >/dev/null
modules=$(cd "$root/plugins/modules" && ls *.py | sed 's/\.py$//')
for m in $modules; do
  ANSIBLE_COLLECTIONS_PATH="$out/install" ansible-doc "ebpfops.tetragon.$m" >/dev/null \
    || { echo "ansible-doc ebpfops.tetragon.$m failed" >&2; exit 1; }
  echo "ansible-doc ebpfops.tetragon.$m: ok"
done
for r in "$root"/roles/*/; do
  r=$(basename "$r")
  ANSIBLE_COLLECTIONS_PATH="$out/install" ansible-doc -t role "ebpfops.tetragon.$r" >/dev/null \
    || { echo "ansible-doc -t role ebpfops.tetragon.$r failed" >&2; exit 1; }
  echo "ansible-doc -t role ebpfops.tetragon.$r: ok"
done
