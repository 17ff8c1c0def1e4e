"""Build release archives of the Tetragon TEST DOUBLE, laid out like Tetragon's GitHub release assets.

    build_releases.py --out DIR

writes DIR/download/v<ver>/tetragon-v<ver>-<arch>.tar.gz and .sha256sum for 1.6.0 and 1.7.0 (working)
and 1.8.0 (its daemon exits 1 at start, for rollback tests), amd64 and arm64, plus
DIR/tampered/download/v1.7.0/: a modified archive next to the genuine checksum. The archive content
follows upstream's tarball (install.sh, usr/local/bin, usr/local/lib/tetragon/{bpf,tetragon.conf.d,
systemd}, the unit); `tetragon` and `tetra` are the double's scripts. Output is byte-reproducible.
"""
import argparse
import gzip
import hashlib
import io
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VERSIONS = {"1.6.0": False, "1.7.0": False, "1.8.0": True}
ARCHES = ("amd64", "arm64")
MTIME = 1735689600

UNIT = """[Unit]
Description=Tetragon eBPF-based Security Observability and Runtime Enforcement
DefaultDependencies=no
After=network.target local-fs.target
StartLimitBurst=10
StartLimitIntervalSec=2min

[Service]
Environment="PATH=/usr/local/lib/tetragon/:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
User=root
Group=root
ExecStart=/usr/local/bin/tetragon
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
"""
DROP_INS = {"bpf-lib": "/usr/local/lib/tetragon/bpf/", "export-filename": "/var/log/tetragon/tetragon.log",
            "export-file-compress": "true", "server-address": "unix:///var/run/tetragon/tetragon.sock",
            "log-level": "info", "log-format": "text", "verbose": "0", "metrics-server": "", "gops-address": ""}
INSTALL_SH = """#!/bin/sh
# Installs Tetragon (the TEST DOUBLE's archive) like upstream's install.sh.
set -e
cd "$(dirname "$0")"
cp -r usr/local/* /usr/local/
cp usr/lib/systemd/system/tetragon.service /usr/lib/systemd/system/tetragon.service
install -d /etc/tetragon/tetragon.conf.d/
install -d /etc/tetragon/tetragon.tp.d/
cp -n -r usr/local/lib/tetragon/tetragon.conf.d/* /etc/tetragon/tetragon.conf.d/ || true
systemctl daemon-reload
systemctl enable tetragon
systemctl start tetragon
"""
UNINSTALL_SH = """#!/bin/sh
set -e
systemctl disable --now tetragon || true
rm -rf /usr/local/bin/tetragon /usr/local/bin/tetra /usr/local/lib/tetragon /usr/lib/systemd/system/tetragon.service
systemctl daemon-reload
"""


def yaml_package():
    import yaml
    folder = os.path.dirname(yaml.__file__)
    files = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as handle:
                files["yaml/" + name] = handle.read()
    return files


def read(path, **subst):
    with open(path) as handle:
        text = "#!/usr/bin/python3\n" + handle.read()
    for key, value in subst.items():
        text = text.replace("@%s@" % key, value)
    return text.encode()


# The collection's module_utils the double runs (its BPF programs, pins and LSM BTF ids), with what they import
BUNDLED_MODULE_UTILS = ("bpf/__init__.py", "bpf/_syscalls.py", "bpf/_btf.py", "host/__init__.py", "host/_files.py")


def members(version, broken):
    lib = "usr/local/lib/tetragon/"
    files = {
        "install.sh": (INSTALL_SH.encode(), 0o755),
        "uninstall.sh": (UNINSTALL_SH.encode(), 0o755),
        "usr/local/bin/tetragon": (read(os.path.join(HERE, "tetragon_double.py"), VERSION=version,
                                        BROKEN="yes" if broken else "no"), 0o755),
        "usr/local/bin/tetra": (read(os.path.join(HERE, "tetra_double.py"), VERSION=version), 0o755),
        lib + "bpftool": (b"#!/bin/sh\necho 'bpftool of the Tetragon test double: not shipped' >&2\nexit 1\n", 0o755),
        lib + "gops": (b"#!/bin/sh\nexit 0\n", 0o755),
        lib + "systemd/tetragon.service": (UNIT.encode(), 0o644),
        "usr/lib/systemd/system/tetragon.service": (UNIT.encode(), 0o644),
    }
    for obj in ("bpf_execve_event_v61.o", "bpf_generic_kprobe_v61.o", "bpf_generic_tracepoint_v61.o"):
        files[lib + "bpf/" + obj] = (("test double placeholder for %s %s\n" % (obj, version)).encode(), 0o644)
    for name, value in DROP_INS.items():
        files[lib + "tetragon.conf.d/" + name] = ((value + "\n").encode() if value else b"", 0o644)
    for name, data in yaml_package().items():
        files[lib + "double/" + name] = (data, 0o644)
    for source in BUNDLED_MODULE_UTILS:
        with open(os.path.join(ROOT, "plugins", "module_utils", source), "rb") as handle:
            files[lib + "double/ansible_collections/ebpfops/tetragon/plugins/module_utils/" + source] = \
                (handle.read(), 0o644)
    return files


def archive(top, files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        dirs = set()
        for path in sorted(files):
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        entries = [(d, None) for d in dirs] + [(p, files[p]) for p in files]
        for path, content in sorted([("", None)] + entries, key=lambda e: e[0]):
            info = tarfile.TarInfo((top + "/" + path).rstrip("/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "root", "root"
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(content[0]), content[1]
                tar.addfile(info, io.BytesIO(content[0]))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def write(folder, name, data, digest_of=None):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)
    digest = hashlib.sha256(digest_of if digest_of is not None else data).hexdigest()
    with open(os.path.join(folder, name + ".sha256sum"), "w") as handle:
        handle.write("%s  %s\n" % (digest, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    out = parser.parse_args().out
    for version, broken in sorted(VERSIONS.items()):
        for arch in ARCHES:
            name = "tetragon-v%s-%s.tar.gz" % (version, arch)
            files = members(version, broken)
            data = archive("tetragon-v%s-%s" % (version, arch), files)
            write(os.path.join(out, "download", "v" + version), name, data)
            if version == "1.7.0":
                files["usr/local/bin/tetra"] = (files["usr/local/bin/tetra"][0] + b"# tampered\n", 0o755)
                write(os.path.join(out, "tampered", "download", "v" + version), name,
                      archive("tetragon-v%s-%s" % (version, arch), files), digest_of=data)
    print("test double releases in %s: %s" % (out, ", ".join(sorted(VERSIONS))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
