#!/usr/bin/env bash
# Accuracy of the lint on Tetragon's own policies, labelled from Tetragon's Go code
# (benchmarks/upstream_corpus.tsv): agreement per class (valid / schema / loader / kernel).
#   benchmarks/upstream_corpus.sh SNAPSHOT [--resolve] [lint options, e.g. --tetragon-version 1.8]
# SNAPSHOT is a local cilium/tetragon checkout or bare git directory; the policies are read from it at
# run time and nothing is copied into this repository. Without it the benchmark is skipped.
# --resolve also runs `tetragon-policy resolve` on this host (the kernel class needs it).
# The previous unlabelled sweep (every TracingPolicy file under DIR, with its error findings):
#   benchmarks/upstream_corpus.sh --sweep DIR [lint options]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=$root/.venv/bin/python
[ -x "$py" ] || py=python3
if [ "${1:-}" != "--sweep" ]; then
  exec "$py" "$root/benchmarks/upstream_corpus.py" run "${1:?usage: $0 SNAPSHOT [--resolve] [lint options]}" "${@:2}"
fi
shift
dir=${1:?usage: $0 --sweep DIR [lint options]}
shift
mapfile -t files < <(grep -rlE --include='*.yaml' --include='*.yml' '^kind: *"?TracingPolicy(Namespaced)?"? *$' "$dir" | sort)
if ((${#files[@]} == 0)); then
  echo "no TracingPolicy files under $dir" >&2
  exit 2
fi
"$root/bin/tetragon-policy" lint --format json "$@" "${files[@]}" > "${TMPDIR:-/tmp}/upstream_corpus.$$.json"
rc=$?
"$py" - "${TMPDIR:-/tmp}/upstream_corpus.$$.json" "$dir" <<'PY'
import collections, json, os, sys
data = json.load(open(sys.argv[1]))
base = sys.argv[2]
bad = collections.OrderedDict()
for policy in data["policies"]:
    for f in policy["findings"]:
        if f["severity"] == "error":
            bad.setdefault(os.path.relpath(policy["file"], base), []).append(f)
for name, findings in bad.items():
    print(name)
    for f in findings:
        print("  %s %s: %s" % (f["rule"], f["path"] or "(file)", f["message"]))
s = data["summary"]
print("%d files, %d policies: %d without errors, %d with errors (%d error findings), %d warnings, %d info"
      % (s["files"], s["policies"], s["valid"], s["invalid"], s["errors"], s["warnings"], s["info"]))
PY
rm -f "${TMPDIR:-/tmp}/upstream_corpus.$$.json"
exit $rc
