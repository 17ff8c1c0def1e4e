#!/usr/bin/env bash
# The kprobe-capable test VM: Debian bookworm with its 6.1 kernel and the bookworm-backports 6.12 kernel
# (kprobe_multi), sshd, python3 and bpftool, built with debootstrap from the mirror apt already uses.
# Cached under $EBPFOPS_VM_CACHE (default /var/cache/ebpfops-vm)/<hash of this recipe>; a cache that has
# its `ready` marker is reused as it is. Prints the cache directory. Needs root.
#   <cache>/img.ext4  root filesystem (boot it with snapshot=on: it stays pristine)
#   <cache>/vmlinuz-<release>, <cache>/initrd.img-<release>  one pair per kernel
#   <cache>/id_ed25519  the SSH key root logs in with (generated per cache)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${EBPFOPS_VM_CACHE:-/var/cache/ebpfops-vm}
recipe=$(sha256sum "$here/build-image.sh" | cut -c1-16)
dir=$cache_root/bookworm-$recipe
if [[ -f $dir/ready ]]; then echo "$dir"; exit 0; fi

log() { printf '[vm-image] %s\n' "$*" >&2; }
mirror=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
[[ -n $mirror ]] || { echo "no Debian mirror found in apt's sources (/etc/apt/sources.list*)" >&2; exit 1; }

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
flock 9
if [[ -f $dir/ready ]]; then echo "$dir"; exit 0; fi
work=$(mktemp -d /var/tmp/ebpfops-vm.XXXXXX)
root=$work/root
cleanup() {
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
start=$SECONDS
log "debootstrap bookworm from $mirror (about 4 min; log in $work/debootstrap.log)"
debootstrap --variant=minbase \
  --include=linux-image-amd64,initramfs-tools,systemd,systemd-sysv,udev,python3,openssh-server,iproute2,ifupdown,isc-dhcp-client,bpftool,kmod,procps \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

log "bookworm-backports kernel (6.12)"
echo "deb $mirror bookworm-backports main" >"$root/etc/apt/sources.list.d/backports.list"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$work/backports.log" 2>&1 \
  && chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports linux-image-amd64 >>"$work/backports.log" 2>&1 \
  || { tail -20 "$work/backports.log" >&2; exit 1; }
for m in dev/pts dev proc sys; do umount -l "$root/$m"; done

log "configuring"
echo ebpfops-vm >"$root/etc/hostname"
cat >"$root/etc/fstab" <<'EOF'
/dev/vda / ext4 rw,relatime 0 1
bpf /sys/fs/bpf bpf defaults 0 0
tracefs /sys/kernel/tracing tracefs defaults 0 0
EOF
cat >"$root/etc/network/interfaces" <<'EOF'
auto lo
iface lo inet loopback
auto eth0
iface eth0 inet dhcp
EOF
mkdir -p "$root/etc/systemd/network"
ln -sf /dev/null "$root/etc/systemd/network/99-default.link"
for unit in systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
  fstrim.timer man-db.timer; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
tmpkey=$work/id_ed25519
ssh-keygen -q -t ed25519 -N '' -C ebpfops-vm -f "$tmpkey"
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$tmpkey.pub" "$root/root/.ssh/authorized_keys"
printf 'PermitRootLogin yes\nUseDNS no\n' >"$root/etc/ssh/sshd_config.d/ebpfops.conf"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

staging=$cache_root/.building-$recipe-$$
rm -rf "$staging"; mkdir -p "$staging"
cp "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* "$staging/"
install -m 0600 "$tmpkey" "$staging/id_ed25519"
install -m 0644 "$tmpkey.pub" "$staging/id_ed25519.pub"
log "mkfs.ext4 (2G)"
mkfs.ext4 -q -F -L root -d "$root" "$staging/img.ext4" 2G
ls "$staging"/vmlinuz-* | sed 's|.*/vmlinuz-||' >"$staging/kernels"
date -u +%FT%TZ >"$staging/ready"
rm -rf "$dir"; mv "$staging" "$dir"
log "built $dir in $((SECONDS - start)) s (kernels: $(tr '\n' ' ' <"$dir/kernels"))"
echo "$dir"
