#!/usr/bin/env bash
# The molecule hosts' image: Debian bookworm with systemd and python3 (no PyYAML: managed hosts need only
# the standard library). Built locally with debootstrap (no registry here) and cached by tag.
set -euo pipefail
tag=${EBPFOPS_MOLECULE_IMAGE:-ebpfops-tetragon/bookworm-systemd:1}
if docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
mirror=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
rootfs=$(mktemp -d /var/tmp/ebpfops-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "[molecule] debootstrap bookworm from $mirror into $rootfs" >&2
debootstrap --variant=minbase --include=python3,systemd,systemd-sysv,dbus,iproute2,procps \
  bookworm "$rootfs" "$mirror" >/var/tmp/ebpfops-debootstrap.log 2>&1 \
  || { tail -20 /var/tmp/ebpfops-debootstrap.log >&2; exit 1; }
# Units that make no sense in a container and slow the boot.
for unit in systemd-remount-fs.service getty.target console-getty.service systemd-firstboot.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import --change 'CMD ["/lib/systemd/systemd"]' - "$tag" >/dev/null
echo "[molecule] built image $tag" >&2
