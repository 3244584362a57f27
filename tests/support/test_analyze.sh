#!/usr/bin/env bash
# GCC's -fanalyzer (make analyze) stays quiet on the files make lint checks.
cd "$(dirname "$0")/../.." || exit 1
. tests/support/host_only.sh "sources are analysed"
cc=${CC:-cc}
if ! echo 'int main(void){return 0;}' | $cc -fanalyzer -x c - -o /dev/null >/dev/null 2>&1; then
  echo "ok - $cc has no -fanalyzer (GCC 10 or later): not run # SKIP"
  exit 0
fi
if out=$(make -s analyze BUILD="${BUILD:-build}" 2>&1); then
  echo "ok - gcc -fanalyzer is quiet ($(echo "$out" | sed -n 's/.*quiet on //p'))"
else
  echo "not ok - -fanalyzer findings (make analyze)"
  echo "$out" | grep -E 'error|warning' | head -20 | sed 's/^/#   /'
  exit 1
fi
