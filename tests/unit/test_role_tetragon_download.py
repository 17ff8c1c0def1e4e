"""The controller side of the role ebpfops.tetragon.tetragon (tasks/download.yml), run by ansible-playbook on
localhost: archives from a mirror (HTTP on 127.0.0.1) or an air-gapped directory are verified against their
.sha256sum for every (version, arch) of the play's hosts; a mismatch or a missing checksum stops the play."""
import functools
import hashlib
import http.server
import io
import json
import os
import subprocess
import tarfile
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_PLAYBOOK = os.path.join(ROOT, ".venv", "bin", "ansible-playbook")

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Find out whether this is check mode, as the role's main.yml does
      ansible.builtin.command: "true"
      register: _tetragon_check_probe
      changed_when: false
    - name: Run the controller side of the role
      ansible.builtin.include_role:
        name: ebpfops.tetragon.tetragon
        tasks_from: download.yml
      vars:
        _tetragon_arch: "{{ test_arch }}"
    - name: Report what the host would receive
      ansible.builtin.copy:
        content: "{{ {'release': _tetragon_release, 'sums': _tetragon_sums} | to_json }}"
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
        mode: "0644"
      delegate_to: localhost
"""


def _archive(version, arch, extra=b""):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = ("double %s %s\n" % (version, arch)).encode() + extra
        info = tarfile.TarInfo("tetragon-v%s-%s/usr/local/bin/tetragon" % (version, arch))
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _release(directory, version, arch, tamper=False, sum_text=None):
    name = "tetragon-v%s-%s.tar.gz" % (version, arch)
    genuine = _archive(version, arch)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as handle:
        handle.write(_archive(version, arch, b"tampered") if tamper else genuine)
    with open(os.path.join(directory, name + ".sha256sum"), "w") as handle:
        handle.write(sum_text if sum_text is not None else "%s  %s\n" % (hashlib.sha256(genuine).hexdigest(), name))
    return hashlib.sha256(genuine).hexdigest()


def _run(tmp_path, hosts, *options, **extra):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("".join(
        "%s ansible_connection=local ansible_python_interpreter=%s test_arch=%s\n"
        % (name, os.path.join(ROOT, ".venv", "bin", "python"), arch) for name, arch in hosts))
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    for stale in out.iterdir():
        stale.unlink()
    extra.setdefault("tetragon_controller_cache_dir", str(tmp_path / "cache"))
    extra["out_dir"] = str(out)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(inventory), str(playbook), "-e", json.dumps(extra)] + list(options),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, env=env,
                          cwd=str(tmp_path), timeout=300)
    results = {path.stem: json.loads(path.read_text()) for path in out.iterdir()}
    return proc, results


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture()
def mirror(tmp_path):
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def _url(base):
    return base + "/download/v{{ tetragon_version }}/{{ _tetragon_archive_name }}"


def test_mirror_download_is_verified_per_arch_and_cached(tmp_path, mirror):
    root, base = mirror
    sums = {arch: _release(str(root / "download" / "v1.7.0"), "1.7.0", arch) for arch in ("amd64", "arm64")}
    proc, results = _run(tmp_path, [("h1", "amd64"), ("h2", "arm64"), ("h3", "amd64")],
                         tetragon_version="1.7.0", tetragon_download_url=_url(base))
    assert proc.returncode == 0, proc.stdout
    assert results["h2"]["release"]["arch"] == "arm64"
    for host, arch in (("h1", "amd64"), ("h2", "arm64"), ("h3", "amd64")):
        path = results[host]["release"]["path"]
        with open(path, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == sums[arch] == results[host]["sums"][path]
    # once per (version, arch): two downloads for three hosts
    assert proc.stdout.count("changed: [h1 -> localhost] => (item=http") == 2, proc.stdout

    proc, _results = _run(tmp_path, [("h1", "amd64"), ("h2", "arm64")],
                          tetragon_version="1.7.0", tetragon_download_url=_url(base))
    assert proc.returncode == 0, proc.stdout
    assert "changed: [h1 -> localhost] => (item=http" not in proc.stdout  # verified cache, nothing downloaded


def test_tampered_mirror_fails_before_any_host_task_and_caches_nothing(tmp_path, mirror):
    root, base = mirror
    _release(str(root / "download" / "v1.7.0"), "1.7.0", "amd64", tamper=True)
    proc, results = _run(tmp_path, [("h1", "amd64"), ("h2", "amd64")],
                         tetragon_version="1.7.0", tetragon_download_url=_url(base))
    assert proc.returncode != 0
    assert "did not match" in proc.stdout and "Nothing was changed on the hosts" in proc.stdout, proc.stdout
    assert results == {}  # no host reached the task after the role
    cache = tmp_path / "cache"
    assert not [name for _d, _s, names in os.walk(str(cache)) for name in names if name.endswith(".tar.gz")]


def test_missing_release_on_the_mirror_is_a_clear_failure(tmp_path, mirror):
    _root, base = mirror
    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="9.9.9", tetragon_download_url=_url(base))
    assert proc.returncode != 0 and results == {}
    assert "Tetragon release archive not usable" in proc.stdout
    assert "tetragon-v9.9.9-amd64.tar.gz.sha256sum" in proc.stdout and "404" in proc.stdout, proc.stdout


def test_air_gapped_directory_needs_no_network_and_is_verified(tmp_path):
    local = tmp_path / "offline"
    sha = _release(str(local), "1.6.0", "amd64")
    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.6.0",
                         tetragon_local_archive_dir=str(local), tetragon_download_url="http://127.0.0.1:9/unused")
    assert proc.returncode == 0, proc.stdout
    assert results["h1"]["release"]["path"] == str(local / "tetragon-v1.6.0-amd64.tar.gz")
    assert results["h1"]["sums"][results["h1"]["release"]["path"]] == sha


def test_air_gapped_tampered_archive_fails_naming_both_checksums(tmp_path):
    local = tmp_path / "offline"
    sha = _release(str(local), "1.6.0", "amd64", tamper=True)
    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.6.0", tetragon_local_archive_dir=str(local))
    assert proc.returncode != 0 and results == {}
    assert "publishes %s" % sha in proc.stdout and "Nothing was changed on the hosts" in proc.stdout, proc.stdout


@pytest.mark.parametrize("sum_text, ok", [
    ("%(other)s  tetragon-v1.6.0-arm64.tar.gz\n%(sha)s  tetragon-v1.6.0-amd64.tar.gz\n", True),  # combined list
    ("%(sha)s *tetragon-v1.6.0-amd64.tar.gz\n", True),  # binary mode
    ("%(sha)s\tdist/tetragon-v1.6.0-amd64.tar.gz\n", True),  # tab, path prefix
    ("%(sha)s  tetragon-v1.6.0-amd64.tar.gz.asc\n", False),  # another file whose name starts alike
    ("%(sha)s\n", True),  # bare hash
    ("%(sha)s  tetragon-v1.6.0-arm64.tar.gz\n", False),  # another file's line only
    ("", False),
])
def test_checksum_file_formats(tmp_path, sum_text, ok):
    local = tmp_path / "offline"
    sha = _release(str(local), "1.6.0", "amd64")
    _release(str(local), "1.6.0", "amd64", sum_text=sum_text % {"sha": sha, "other": "0" * 64})
    proc, _results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.6.0", tetragon_local_archive_dir=str(local))
    assert (proc.returncode == 0) == ok, proc.stdout
    if not ok:
        assert "has no SHA-256 line for tetragon-v1.6.0-amd64.tar.gz" in proc.stdout, proc.stdout


def test_pinned_digest_needs_no_checksum_file_and_a_mismatch_is_fatal(tmp_path):
    local = tmp_path / "offline"
    sha = _release(str(local), "1.6.0", "amd64")
    os.unlink(str(local / "tetragon-v1.6.0-amd64.tar.gz.sha256sum"))
    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.6.0", tetragon_local_archive_dir=str(local),
                         tetragon_checksums={"1.6.0": {"amd64": "sha256:" + sha.upper()}})
    assert proc.returncode == 0, proc.stdout
    assert results["h1"]["sums"][results["h1"]["release"]["path"]] == sha

    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.6.0", tetragon_local_archive_dir=str(local),
                         tetragon_controller_cache_dir=str(tmp_path / "cache2"),
                         tetragon_checksums={"1.6.0": {"amd64": "sha256:" + "ab" * 32}})
    assert proc.returncode != 0 and results == {}
    assert "tetragon_checksums pins %s" % ("ab" * 32) in proc.stdout, proc.stdout
    assert "Nothing was changed on the hosts" in proc.stdout


def test_first_verified_digest_is_recorded_and_a_different_archive_refused_unless_allowed(tmp_path, mirror):
    root, base = mirror
    first = _release(str(root / "download" / "v1.7.0"), "1.7.0", "amd64")
    proc, _results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.7.0", tetragon_download_url=_url(base))
    assert proc.returncode == 0, proc.stdout
    record = tmp_path / "cache" / "trust" / "tetragon-v1.7.0-amd64.json"
    assert json.loads(record.read_text())["sha256"] == first

    # the mirror now serves another archive with a matching .sha256sum: refused before any download
    with open(str(root / "download" / "v1.7.0" / "tetragon-v1.7.0-amd64.tar.gz"), "ab") as handle:
        handle.write(b"\0")
    with open(str(root / "download" / "v1.7.0" / "tetragon-v1.7.0-amd64.tar.gz"), "rb") as handle:
        second = hashlib.sha256(handle.read()).hexdigest()
    (root / "download" / "v1.7.0" / "tetragon-v1.7.0-amd64.tar.gz.sha256sum").write_text(
        "%s  tetragon-v1.7.0-amd64.tar.gz\n" % second)
    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.7.0", tetragon_download_url=_url(base))
    assert proc.returncode != 0 and results == {}
    assert "but the first verified install recorded %s" % first in proc.stdout, proc.stdout
    assert "tetragon_checksum_allow_change" in proc.stdout
    assert json.loads(record.read_text())["sha256"] == first

    proc, results = _run(tmp_path, [("h1", "amd64")], tetragon_version="1.7.0", tetragon_download_url=_url(base),
                         tetragon_checksum_allow_change=True)
    assert proc.returncode == 0, proc.stdout
    assert results["h1"]["sums"][results["h1"]["release"]["path"]] == second
    assert json.loads(record.read_text())["sha256"] == second


def test_credentials_in_the_download_url_are_never_shown(tmp_path, mirror):
    root, base = mirror
    _release(str(root / "download" / "v1.7.0"), "1.7.0", "amd64", tamper=True)
    secret_base = base.replace("http://", "http://mirroruser:s3cr3tpass@")
    proc, results = _run(tmp_path, [("h1", "amd64")], "-vv", tetragon_version="1.7.0",
                         tetragon_download_url=_url(secret_base))
    assert proc.returncode != 0 and results == {}
    assert "Nothing was changed on the hosts" in proc.stdout, proc.stdout
    assert "s3cr3tpass" not in proc.stdout and "mirroruser" not in proc.stdout
