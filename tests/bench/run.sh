#!/usr/bin/env bash
# make bench: every benchmark, figures printed as Markdown (also saved under build/bench/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$BUILD/bench"
python3 "$here/bench.py" | tee "$BUILD/bench/extract.md"
python3 "$here/bench_tls.py" | tee "$BUILD/bench/tls.md"
python3 "$here/bench_watch.py" | tee "$BUILD/bench/watch.md"
