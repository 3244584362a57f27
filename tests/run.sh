#!/usr/bin/env bash
# Runs every test program given on the command line, counts "ok"/"not ok" lines, and
# ends with one line "N passed, N failed". A program that exits non-zero without
# reporting a failed case counts as one failure.
#
# TEST_RUNNER (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu") runs compiled tests, and the
# dfdiff the scripts call, under an emulator: the Raspberry Pi builds run the same suite.
set -u
pass=0
fail=0
if [ -n "${TEST_RUNNER:-}" ] && [ -n "${DFDIFF:-}" ]; then
  wrapper="${BUILD:-/tmp}/dfdiff-under-runner"
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$TEST_RUNNER" "$DFDIFF" >"$wrapper"
  chmod +x "$wrapper"
  export DFDIFF_BINARY="$DFDIFF" DFDIFF="$wrapper"
fi
for t in "$@"; do
  out=$(mktemp)
  start=$(date +%s.%N)
  case "$t" in
  *.sh | *.py) "$t" >"$out" 2>&1 ;;
  *) ${TEST_RUNNER:-} "$t" >"$out" 2>&1 ;;
  esac
  rc=$?
  printf '== %s (%s s)\n' "$t" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
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
