#!/usr/bin/env bash
# Set up what ebpfops.tetragon needs on a fresh machine (Debian, root). Idempotent.
#   scripts/setup.sh controller   venv with the pinned controller dependencies
#   scripts/setup.sh test         + test tools, kernel/BPF tools, docker engine, molecule base image
set -euo pipefail
mode=${1:-controller}
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}

log() { printf '[setup] %s\n' "$*" >&2; }

pip_install() {
  local req=$1 stamp="$venv/.stamp-$(basename "$1" .txt)"
  local sum; sum=$(cat "$root/requirements/controller.txt" "$req" | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then return 0; fi
  log "installing $(basename "$req") into .venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$sum" > "$stamp"
}

if [[ ! -x $venv/bin/python ]]; then
  log "creating .venv"
  "$python" -m venv "$venv"
fi
pip_install "$root/requirements/controller.txt"

# Ansible and pytest import the collection as ansible_collections.ebpfops.tetragon.
mkdir -p "$root/.collections/ansible_collections/ebpfops"
ln -sfn ../../.. "$root/.collections/ansible_collections/ebpfops/tetragon"

[[ $mode == controller ]] && exit 0
[[ $mode == test ]] || { echo "usage: $0 controller|test" >&2; exit 2; }

pip_install "$root/requirements/test.txt"

apt_packages=(docker.io debootstrap bpftool bpftrace chromium iproute2 curl openssh-client prometheus qemu-system-x86 e2fsprogs)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Kernel interfaces the BPF tests use.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing

# Docker engine for molecule (PID 1 here is not systemd, so start dockerd directly).
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  nohup /usr/sbin/dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi

if [[ -x $root/molecule/_shared/build-base-image.sh ]]; then
  "$root/molecule/_shared/build-base-image.sh"
fi
