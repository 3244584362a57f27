#!/usr/bin/env bash
# Runs each libFuzzer harness for a while (make fuzz), FUZZ_JOBS of them at a time
# (default 1; one core each).
#   tests/fuzz/run.sh FUZZ_OUT SECONDS TARGET...
# Corpora grow in FUZZ_OUT/corpus/<target>/ (seeded by seeds.py), logs go to
# FUZZ_OUT/logs/<target>.log, crashes to FUZZ_OUT/crashes/<target>/. Exits 1 when any
# target crashed, naming each crash file and how to replay and keep it.
set -u
out=$1
seconds=$2
shift 2
jobs=${FUZZ_JOBS:-1}
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

# One target: its summary goes to FUZZ_OUT/logs/<target>.result, its exit to .rc.
fuzz_one() {
  local t=$1 bin="$out/fuzz_$1" corpus="$out/corpus/$1" crashes="$out/crashes/$1"
  local log="$out/logs/$1.log" res="$out/logs/$1.result"
  mkdir -p "$corpus" "$crashes"
  local dict=()
  [ -f "$here/dict/${t%_small}.dict" ] && dict=("-dict=$here/dict/${t%_small}.dict")
  local before after execs cov crash rc
  before=$(find "$corpus" -type f | wc -l)
  "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
  after=$(find "$corpus" -type f | wc -l)
  {
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
    else
      echo "fuzz $t: ok, ${seconds}s, ${execs:-?} runs, ${cov:-cov ?}, corpus $before -> $after inputs"
    fi
  } >"$res"
  echo "$rc" >"$out/logs/$t.rc"
}

mkdir -p "$out/logs"
echo "== fuzz: $# targets, ${seconds}s each, $jobs at a time: $*"
running=0
for t in "$@"; do
  rm -f "$out/logs/$t.rc" "$out/logs/$t.result"
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

fail=0
for t in "$@"; do
  cat "$out/logs/$t.result" 2>/dev/null || echo "fuzz $t: no result (see $out/logs/$t.log)"
  [ "$(cat "$out/logs/$t.rc" 2>/dev/null)" = 0 ] || fail=1
done
exit $fail
