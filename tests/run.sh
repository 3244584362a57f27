#!/usr/bin/env bash
# Runs every test program given on the command line, counts "ok"/"not ok" lines, and
# ends with one line "N passed, N failed". A program that exits non-zero without
# reporting a failed case counts as one failure.
set -u
pass=0
fail=0
for t in "$@"; do
  out=$(mktemp)
  echo "== $t"
  "$t" >"$out" 2>&1
  rc=$?
  cat "$out"
  p=$(grep -c '^ok ' "$out")
  f=$(grep -c '^not ok ' "$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $t exited with status $rc"
    f=1
  fi
  pass=$((pass + p))
  fail=$((fail + f))
  rm -f "$out"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
