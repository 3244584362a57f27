#!/usr/bin/env bash
# `dfdiff render` and `dfdiff watch --render`: the image is a well-formed PBM of the panel's
# size, written (through FILE.tmp) in success and trouble states alike, with get's and
# parse's exit codes; usage errors write nothing. No server needed: saved bodies, and a
# port nothing listens on for "no network".
#
# Environment: DFDIFF (default build/dfdiff), BUILD (default build/). Output: one
# "ok - NAME" / "not ok - NAME" line per case; exit 1 when any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$root/build}
DFDIFF=${DFDIFF:-$BUILD/dfdiff}
fx=$root/tests/fixtures
dir=$BUILD/render-tests
rm -rf "$dir" && mkdir -p "$dir"
fail=0

# A port nothing listens on: bind one, note it, let it go.
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# check NAME WANT_EXIT IMAGE W H -- ARGS...: runs dfdiff ARGS; IMAGE must then be a P4 of
# W x H (or absent when W is 0), and no IMAGE.tmp may be left.
check() {
  local name=$1 want=$2 image=$3 w=$4 h=$5
  shift 6
  rm -f "$image" "$image.tmp"
  env -u https_proxy -u HTTPS_PROXY -u http_proxy DATAFOLD_HOST= DATAFOLD_API_KEY=render-test-key \
    "$DFDIFF" "$@" \
    >"$dir/out" 2>"$dir/err"
  local rc=$? why=""
  [ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
  if [ "$w" -eq 0 ]; then
    [ -e "$image" ] && why="$why; an image was written"
  else
    local stride=$(((w + 7) / 8))
    local expect=$((stride * h))
    local head
    head=$(head -c 20 "$image" 2>/dev/null | head -n 2 | tr '\n' ' ')
    local size
    size=$(stat -c %s "$image" 2>/dev/null || echo 0)
    local hlen=$((${#w} + ${#h} + 5)) # "P4\nW H\n"
    [ "$head" = "P4 $w $h " ] || why="$why; header is '$head'"
    [ "$size" -eq $((hlen + expect)) ] || why="$why; $size bytes, expected $((hlen + expect))"
  fi
  [ -e "$image.tmp" ] && why="$why; $image.tmp left behind"
  if [ -z "$why" ]; then
    echo "ok - $name"
  else
    echo "not ok - $name"
    echo "#   ${why#; }"
    echo "#   command: dfdiff $*"
    sed 's/^/#   stderr: /' "$dir/err" | head -5
    fail=1
  fi
}

img=$dir/screen.pbm
check "render --from a done, different diff: exit 1, 296x128" 1 "$img" 296 128 -- \
  render --panel 296x128 --out "$img" --from "$fx/result-different.json"
check "render --from identical on 128x64: exit 0" 0 "$img" 128 64 -- \
  render --panel 128x64 --out "$img" --from "$fx/status-done-identical.json"
check "render --from processing on 250x122: exit 3" 3 "$img" 250 122 -- \
  render --panel 250x122 --out "$img" --from "$fx/status-processing.json"
check "render --from failed: exit 2" 2 "$img" 250 122 -- \
  render --panel=250x122 --out="$img" --from "$fx/status-failed.json"
check "render --from an API error body: exit 6, image written" 6 "$img" 128 64 -- \
  render --panel 128x64 --out "$img" --from "$fx/error-detail-not-found.json"
check "render --from a truncated body: exit 6, 'bad response' image" 6 "$img" 128 64 -- \
  render --panel 128x64 --out "$img" --from "$fx/bad/truncated-full-body-cut.json"
check "render --from stdin (-)" 1 "$img" 296 128 -- \
  render --panel 296x128 --out "$img" --from - <"$fx/result-different.json"
check "render on a 1x1 panel" 1 "$img" 1 1 -- \
  render --panel 1x1 --out "$img" --from "$fx/result-different.json"
check "render on an odd 1023x7 panel" 1 "$img" 1023 7 -- \
  render --panel 1023x7 --out "$img" --from "$fx/result-different.json"
check "render of a live diff, no network: exit 5, image written" 5 "$img" 128 64 -- \
  render --panel 128x64 --out "$img" --url "http://127.0.0.1:$dead_port" --timeout 2 12345
check "render without an API key: exit 4, 'setup error' image" 4 "$img" 296 128 -- \
  render --panel 296x128 --out "$img" --api-key-file /dev/null 12345
check "watch --render, no network until --timeout: exit 3, image written" 3 "$img" 250 122 -- \
  watch --render "$img" --panel 250x122 --url "http://127.0.0.1:$dead_port" \
  --interval 0.2 --timeout 1 12345

# usage errors: nothing written
check "render without --panel: exit 4, no image" 4 "$img" 0 0 -- \
  render --out "$img" --from "$fx/result-different.json"
check "render without --out: exit 4" 4 "$img" 0 0 -- \
  render --panel 128x64 --from "$fx/result-different.json"
check "render --panel 0x64: exit 4, no image" 4 "$img" 0 0 -- \
  render --panel 0x64 --out "$img" --from "$fx/result-different.json"
check "render --panel 2000x10: exit 4, no image" 4 "$img" 0 0 -- \
  render --panel 2000x10 --out "$img" --from "$fx/result-different.json"
check "render with an ID and --from: exit 4, no image" 4 "$img" 0 0 -- \
  render --panel 128x64 --out "$img" --from "$fx/result-different.json" 12
check "render with a bad ID: exit 4, no image" 4 "$img" 0 0 -- \
  render --panel 128x64 --out "$img" 12x
check "render --from a missing file: exit 4, no image" 4 "$img" 0 0 -- \
  render --panel 128x64 --out "$img" --from "$dir/missing.json"
check "render into a missing directory: exit 4" 4 "$dir/no/such/dir.pbm" 0 0 -- \
  render --panel 128x64 --out "$dir/no/such/dir.pbm" --from "$fx/result-different.json"
check "watch --panel bad: exit 4, no image" 4 "$img" 0 0 -- \
  watch --render "$img" --panel 12 12345

if "$DFDIFF" render --help | grep -q -- "--panel WxH"; then
  echo "ok - render --help describes --panel"
else
  echo "not ok - render --help describes --panel"
  fail=1
fi
if "$DFDIFF" --help | grep -q "render --panel"; then
  echo "ok - dfdiff --help lists render"
else
  echo "not ok - dfdiff --help lists render"
  fail=1
fi
exit $fail
