#!/usr/bin/env bash
# Runs each libFuzzer harness for a while, one after the other (make fuzz).
#   tests/fuzz/run.sh FUZZ_OUT SECONDS TARGET...
# Corpora grow in FUZZ_OUT/corpus/<target>/ (seeded by seeds.py), logs go to
# FUZZ_OUT/logs/<target>.log, crashes to FUZZ_OUT/crashes/<target>/. Stops at the first
# crash with exit 1, naming the crash file and how to replay and keep it.
set -u
out=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

max_len() {
  case "$1" in
  number) echo 1200 ;;
  extract_small) echo 2048 ;;
  extract) echo 8192 ;;
  trust) echo 6144 ;;
  *) echo 4096 ;;
  esac
}

mkdir -p "$out/logs"
for t in "$@"; do
  bin="$out/fuzz_$t"
  corpus="$out/corpus/$t"
  crashes="$out/crashes/$t"
  log="$out/logs/$t.log"
  mkdir -p "$corpus" "$crashes"
  dict=()
  [ -f "$here/dict/${t%_small}.dict" ] && dict=("-dict=$here/dict/${t%_small}.dict")
  before=$(find "$corpus" -type f | wc -l)
  echo "== fuzz $t: ${seconds}s, max_len $(max_len "$t"), corpus $before inputs"
  "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
  after=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "-- last lines of $log:"
    grep -v '^#[0-9]' "$log" | tail -40
    echo "fuzz $t: CRASH (exit $rc) after ${execs:-?} runs"
    echo "  crash file: ${crash:-see $log}"
    if [ -n "$crash" ]; then
      echo "  replay:     $bin $crash"
      echo "  keep it:    cp $crash tests/fuzz/regressions/$t/  (make test then replays it)"
    fi
    exit 1
  fi
  echo "fuzz $t: ok, ${execs:-?} runs, ${cov:-cov ?}, corpus $before -> $after inputs"
done
