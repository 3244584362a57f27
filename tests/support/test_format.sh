#!/usr/bin/env bash
# Every C file is formatted as .clang-format says (skipped, and said so, without clang-format).
cd "$(dirname "$0")/../.." || exit 1
if [ -n "${TEST_RUNNER:-}" ]; then
  echo "ok - sources are checked by the host run, not again under emulation # SKIP"
  exit 0
fi
if ! command -v clang-format >/dev/null; then
  echo "ok - clang-format not installed: format not checked # SKIP"
  exit 0
fi
bad=$(clang-format --dry-run src/*.[ch] port/*.h port/*/*.[ch] boards/posix/*.[ch] tests/*.[ch] \
  tests/*/*.c 2>&1 | grep -c 'warning:')
if [ "$bad" -eq 0 ]; then
  echo "ok - sources are clang-formatted"
else
  echo "not ok - $bad formatting differences (run 'make format')"
  exit 1
fi
