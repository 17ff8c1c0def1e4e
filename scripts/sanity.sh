#!/usr/bin/env bash
# ansible-test sanity, the tests that run offline, on a copy of the tracked tree laid out as
# ansible_collections/ebpfops/tetragon (ansible-test needs that path).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/build/sanity/ansible_collections/ebpfops/tetragon"
rm -rf "$root/build/sanity"
mkdir -p "$dest"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest" 2>/dev/null || true)
cd "$dest"
pip_version=$(grep -oP "pip='\K[0-9.]+" "$("$root/.venv/bin/python" -c 'import ansible_test,os;print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -n 1)
mkdir -p ~/.ansible/test/cache
cp "$root/scripts/offline_get_pip.py" ~/.ansible/test/cache/"get_pip_${pip_version//./_}.py"
git init -q . && git add -A >/dev/null
tests=(ansible-doc compile validate-modules yamllint shebang line-endings no-smart-quotes
       action-plugin-docs empty-init symlinks runtime-metadata import no-assert)
args=()
for t in "${tests[@]}"; do args+=(--test "$t"); done
exec "$root/.venv/bin/ansible-test" sanity --python "$("$root/.venv/bin/python" -c 'import sys;print("%d.%d"%sys.version_info[:2])')" "${args[@]}" "$@"
