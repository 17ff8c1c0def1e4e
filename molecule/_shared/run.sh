#!/usr/bin/env bash
# Every molecule scenario of the collection (molecule/*), or those in MOLECULE_SCENARIOS.
# Builds the Tetragon test double's release archives, serves them over HTTP on 127.0.0.1 (the role
# downloads and verifies them on the controller like the real GitHub assets), runs each scenario with
# `molecule test` over the shared base configuration (molecule/_shared/base.yml), prints the wall time
# of each, and exits non-zero if any failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared="$root/molecule/_shared"
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.collections"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 ANSIBLE_NOCOLOR=1

"$shared/build-base-image.sh" || { echo "base image build failed" >&2; exit 1; }
mkdir -p "$root/build"
releases=$(mktemp -d "$root/build/double-releases.XXXXXX")
python tests/double/build_releases.py --out "$releases" || exit 1

port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python -m http.server --bind 127.0.0.1 --directory "$releases" "$port" >"$releases.http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$releases" "$releases.http.log" "$releases.cache"' EXIT
export EBPFOPS_RELEASES_URL="http://127.0.0.1:$port"
# The role's controller cache (downloads, trust-on-first-use digests) for this run's archives only: the double's
# archives change with its code, and a digest recorded by an earlier run would be refused as a changed release.
export EBPFOPS_CONTROLLER_CACHE="$releases.cache"
for _ in $(seq 1 50); do curl -fsS -o /dev/null "$EBPFOPS_RELEASES_URL/" 2>/dev/null && break; sleep 0.1; done

scenarios=${MOLECULE_SCENARIOS:-$(cd molecule && for d in */; do d=${d%/}; [[ $d == _* || ! -f $d/molecule.yml ]] || echo "$d"; done)}
failed=()
mkdir -p build/molecule-logs
for s in $scenarios; do
  start=$SECONDS
  echo "----- molecule test -s $s (log: build/molecule-logs/$s.log)"
  if molecule --base-config "$shared/base.yml" test -s "$s" >"build/molecule-logs/$s.log" 2>&1; then
    echo "----- $s passed in $((SECONDS - start))s"
  else
    echo "----- $s FAILED in $((SECONDS - start))s; end of its log:"
    tail -60 "build/molecule-logs/$s.log"
    failed+=("$s")
  fi
  grep -E "Playbook run took|FIGURE" "build/molecule-logs/$s.log" | sed "s/^/      [$s] /" | tail -12
done
if ((${#failed[@]})); then echo "molecule scenarios FAILED: ${failed[*]}"; exit 1; fi
echo "molecule scenarios passed: $(echo $scenarios)"
