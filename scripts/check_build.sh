#!/usr/bin/env bash
# The collection builds into an installable tarball, installs, and every module's documentation renders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/galaxy"
rm -rf "$out" && mkdir -p "$out/install"
ansible-galaxy collection build --force --output-path "$out" "$root" >/dev/null
tarball=$(ls "$out"/ebpfops-tetragon-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
if tar -tzf "$tarball" | grep -qE '^(tests|molecule|benchmarks|\.ci|scripts)/'; then
  echo "tarball contains test or CI material:" >&2
  tar -tzf "$tarball" | grep -E '^(tests|molecule|benchmarks|\.ci|scripts)/' | head >&2
  exit 1
fi
# --force: the checkout itself is on ANSIBLE_COLLECTIONS_PATH, and galaxy would call it installed already.
ansible-galaxy collection install --offline --force -p "$out/install" "$tarball" >/dev/null 2>&1
[[ -f $out/install/ansible_collections/ebpfops/tetragon/MANIFEST.json ]] || { echo "the tarball did not install" >&2; exit 1; }
modules=$(cd "$root/plugins/modules" && ls *.py | sed 's/\.py$//')
# ansible-doc exits 0 with only a warning when a plugin is missing: require the rendered name.
render() {
  local type=$1 name=$2 text
  text=$(cd "$out" && ANSIBLE_COLLECTIONS_PATH="$out/install" ansible-doc -t "$type" "$name" 2>&1) || true
  if ! grep -q "^> .*${name}" <<<"$text" || grep -q "not found" <<<"$text"; then
    echo "ansible-doc -t $type $name did not render:" >&2; echo "$text" | head -5 >&2; return 1
  fi
  echo "ansible-doc -t $type $name: ok"
}
for f in "$root"/plugins/modules/*.py; do render module "ebpfops.tetragon.$(basename "$f" .py)"; done
if compgen -G "$root/plugins/filter/*.py" >/dev/null; then
  filters=$(cd "$out" && ANSIBLE_COLLECTIONS_PATH="$out/install" ansible-doc -t filter -l ebpfops.tetragon 2>/dev/null | awk '{print $1}')
  [[ -n $filters ]] || { echo "no filter plugin of ebpfops.tetragon is listed by ansible-doc" >&2; exit 1; }
  for name in $filters; do render filter "$name"; done
fi
for r in "$root"/roles/*/; do
  [[ -d $r ]] || continue
  render role "ebpfops.tetragon.$(basename "$r")"
done
