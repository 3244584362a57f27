#!/usr/bin/env bash
# cppcheck and clang-tidy (.clang-tidy) stay quiet on src/, port/ (posix and lwip),
# boards/posix/ and boards/common/.
cd "$(dirname "$0")/../.." || exit 1
. tests/support/host_only.sh "sources are checked"
if ! command -v cppcheck >/dev/null || ! command -v clang-tidy >/dev/null; then
  echo "ok - cppcheck or clang-tidy not installed: lint not run # SKIP"
  exit 0
fi
if out=$(make -s lint 2>&1); then
  echo "ok - cppcheck and clang-tidy are quiet"
else
  echo "not ok - lint findings (make lint)"
  echo "$out" | head -40 | sed 's/^/#   /'
  exit 1
fi
