#!/usr/bin/env bash
# Lint every file under DIR that declares a TracingPolicy (e.g. a checkout of cilium/tetragon) and
# print each error-level finding, then a summary. Nothing is copied into this repository.
#   benchmarks/upstream_corpus.sh DIR [extra tetragon-policy lint options, e.g. --tetragon-version 1.7.0]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: $0 DIR [lint options]}
shift
mapfile -t files < <(grep -rlE --include='*.yaml' --include='*.yml' '^kind: *"?TracingPolicy(Namespaced)?"? *$' "$dir" | sort)
if ((${#files[@]} == 0)); then
  echo "no TracingPolicy files under $dir" >&2
  exit 2
fi
"$root/bin/tetragon-policy" lint --format json "$@" "${files[@]}" > "${TMPDIR:-/tmp}/upstream_corpus.$$.json"
rc=$?
"$root/.venv/bin/python" - "${TMPDIR:-/tmp}/upstream_corpus.$$.json" "$dir" <<'PY'
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
