#!/usr/bin/env bash
# Branch coverage of src/ after a --coverage test run (make coverage):
#   tests/support/coverage.sh BUILD_DIR
# Prints line and branch coverage per file of src/, then the HTTP parser and the
# extractor against the 95 % branch target, with every branch they never took.
# Uses gcovr when installed (Debian: gcovr), else gcc's own gcov (JSON output, gcc >= 9).
# Exits 1 when no coverage data was found, or, with COVERAGE_STRICT=1 (CI), when the HTTP
# parser or the extractor is below the target; otherwise 0.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build/coverage}" && pwd) || exit 1
target=${COVERAGE_TARGET:-95}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! find "$build" -name '*.gcda' | grep -q .; then
  echo "coverage: no .gcda files under $build (run make coverage)" >&2
  exit 1
fi

if command -v gcovr >/dev/null; then
  tool="gcovr $(gcovr --version | head -1 | awk '{print $2}')"
  (cd "$root" && gcovr -r "$root" -f "$root/src/" --json "$tmp/cov.json" "$build") || exit 1
  format=gcovr
else
  tool="gcov $(gcov --version | head -1 | awk '{print $NF}')"
  # gcov's JSON for every object of a src/ file (the unit tests, the lwIP host build and
  # the fuzz replay each compile some of them), merged below.
  mkdir -p "$tmp/gcov"
  find "$build" -name '*.gcda' | while read -r gcda; do
    (cd "$tmp/gcov" && gcov --json-format --branch-probabilities --object-directory \
      "$(dirname "$gcda")" "$gcda" >/dev/null 2>&1
    for f in *.gcov.json.gz; do [ -e "$f" ] && mv "$f" "$(mktemp -p . XXXXXX.json.gz)"; done)
  done
  format=gcov
fi

python3 - "$format" "$tmp" "$root" "$target" "$tool" <<'PY'
import glob, gzip, json, os, sys

fmt, tmp, root, target, tool = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
files = {}  # path -> {line: [line count, [branch counts]]}

def add(path, line, count, branches):
    path = os.path.relpath(os.path.join(root, path), root) if not os.path.isabs(path) \
        else os.path.relpath(path, root)
    if not path.startswith("src/"):
        return
    lines = files.setdefault(path, {})
    cur = lines.setdefault(line, [0, []])
    cur[0] += count
    if len(cur[1]) < len(branches):
        cur[1] += [0] * (len(branches) - len(cur[1]))
    for i, b in enumerate(branches):
        cur[1][i] += b

if fmt == "gcovr":
    data = json.load(open(os.path.join(tmp, "cov.json")))
    for f in data["files"]:
        for l in f["lines"]:
            if l.get("gcovr/noncode"):
                continue
            add(f["file"], l["line_number"], l["count"], [b["count"] for b in l["branches"]])
else:
    for p in glob.glob(os.path.join(tmp, "gcov", "*.json.gz")):
        data = json.load(gzip.open(p))
        cwd = data.get("current_working_directory", root)
        for f in data["files"]:
            path = f["file"] if os.path.isabs(f["file"]) else os.path.join(cwd, f["file"])
            for l in f["lines"]:
                add(path, l["line_number"], l["count"], [b["count"] for b in l["branches"]])

def pct(a, b):
    return 100.0 * a / b if b else 100.0

rows, tot = [], [0, 0, 0, 0]
for path in sorted(files):
    lines = files[path]
    lt = len(lines)
    lc = sum(1 for c, _ in lines.values() if c > 0)
    bt = sum(len(b) for _, b in lines.values())
    bc = sum(sum(1 for x in b if x > 0) for _, b in lines.values())
    rows.append((path, lc, lt, bc, bt))
    for i, v in enumerate((lc, lt, bc, bt)):
        tot[i] += v

focus = ("src/http.c", "src/extract.c")
below = []
print(f"Coverage of src/ ({tool}; {os.environ.get('COVERAGE_OF', 'every test program and script of make test')})")
print(f"{'file':<28} {'lines':>16} {'branches':>18}")
for path, lc, lt, bc, bt in rows:
    mark = "  <==" if path in focus else ""
    print(f"{path:<28} {lc:>5}/{lt:<5} {pct(lc, lt):5.1f}% {bc:>6}/{bt:<5} {pct(bc, bt):5.1f}%{mark}")
print(f"{'total':<28} {tot[0]:>5}/{tot[1]:<5} {pct(tot[0], tot[1]):5.1f}% "
      f"{tot[2]:>6}/{tot[3]:<5} {pct(tot[2], tot[3]):5.1f}%")

for path in focus:
    row = next((r for r in rows if r[0] == path), None)
    if not row:
        print(f"\n{path}: no coverage data")
        continue
    _, lc, lt, bc, bt = row
    verdict = "met" if pct(bc, bt) >= target else "NOT met"
    if pct(bc, bt) < target:
        below.append(path)
    print(f"\n{path}: branches {bc}/{bt} = {pct(bc, bt):.1f}% (target {target:g}%: {verdict})")
    try:
        src = open(os.path.join(root, path), encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        src = []
    for line in sorted(files[path]):
        count, br = files[path][line]
        missed = [i for i, x in enumerate(br) if x == 0]
        if not missed:
            continue
        text = src[line - 1].strip() if line - 1 < len(src) else ""
        how = "line never run" if count == 0 else f"branch {','.join(map(str, missed))} of {len(br)} never taken"
        print(f"  {path}:{line}: {how}: {text[:90]}")
if below and os.environ.get("COVERAGE_STRICT") == "1":
    print(f"\ncoverage: {', '.join(below)} below the {target:g}% branch target")
    sys.exit(1)
PY
