#!/usr/bin/env bash
# make demo: `dfdiff watch` following a diff live, against the mock Datafold API.
#
# Makes a throw-away test CA and server certificate (mkcerts.sh) in $BUILD/demo/pki,
# starts tests/servers/mockapi.py over HTTPS on 127.0.0.1 (a free port), and watches its
# scripted diff 9002 (waiting -> processing 0/5 .. 5/5 -> done, result different; one step
# per poll) with `--interval 0.5 --max-interval 1.5`: about 10 s. On a terminal dfdiff
# draws one live line; otherwise it prints one line per change. The server is stopped on
# every way out (its whole process group; it also exits by itself if this script dies).
#
# Environment: BUILD (build directory, default build/ under the repository root),
# DFDIFF (the binary, default $BUILD/dfdiff). Needs bash, python3 (standard library
# only) and the openssl CLI. Exit status: 0 when dfdiff ended as expected (exit 1: done,
# data differs), 1 otherwise; 130/143 when interrupted.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$root/build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
DFDIFF=${DFDIFF:-$BUILD/dfdiff}
case $DFDIFF in /*) ;; *) DFDIFF=$PWD/$DFDIFF ;; esac

DIFF_ID=9002
EXPECTED=1 # done, result different
KEY=demo-key-not-a-secret
dir=$BUILD/demo

die() {
  echo "demo: $*" >&2
  exit 1
}

# A path as the user would type it from here (relative when under the current directory).
show() {
  case $1 in "$PWD"/*) echo "./${1#"$PWD"/}" ;; *) echo "$1" ;; esac
}

command -v python3 >/dev/null 2>&1 ||
  die "python3 is needed for the mock API (Debian: apt-get install python3)"
command -v openssl >/dev/null 2>&1 ||
  die "the openssl command is needed to make the test certificates (Debian: apt-get install openssl)"
[ -x "$DFDIFF" ] || die "$(show "$DFDIFF") not found or not executable: run 'make' first"

srv= # the mock's pid (and process group)
stop_server() {
  [ -n "$srv" ] || return 0
  local pid=$srv
  srv=
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do # it exits within 0.2 s of SIGTERM; give it 5 s
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
watch= # dfdiff's pid while it runs
# INT/TERM: pass the signal on to dfdiff (it says "interrupted" and closes politely),
# then leave; the EXIT trap stops the server.
# shellcheck disable=SC2317 # called from the traps below
on_signal() {
  if [ -n "$watch" ]; then
    kill "-$2" "$watch" 2>/dev/null || true
    wait "$watch" 2>/dev/null || true
  fi
  echo "demo: interrupted" >&2
  exit "$1"
}
trap stop_server EXIT
trap 'on_signal 130 INT' INT
trap 'on_signal 143 TERM' TERM

rm -rf "$dir"
mkdir -p "$dir" || die "cannot create $dir"
echo "Making a throw-away test CA and server certificate in $(show "$dir/pki") ..."
bash "$here/mkcerts.sh" "$dir/pki" || die "making the test certificates failed (see above)"

# The mock gets its own session and process group (setsid), so the EXIT trap can end the
# group, and a Ctrl-C on the terminal reaches dfdiff but not the server. --exit-with-parent
# and --max-seconds: it also goes away if this script is killed outright. (setsid only
# forks when it leads a process group, which a background job here does not; if it ever
# does, --wait keeps it as the parent, and stop_server's fallback ends it.)
launch=()
if command -v setsid >/dev/null 2>&1; then
  launch=(setsid)
  setsid --help 2>&1 | grep -q -- --wait && launch=(setsid --wait)
fi
"${launch[@]}" python3 "$here/mockapi.py" --port 0 --port-file "$dir/port" \
  --cert "$dir/pki/ecdsa.pem" --key "$dir/pki/ecdsa.key" --key-required "$KEY" \
  --stats-file "$dir/stats.json" --exit-with-parent --max-seconds 300 \
  </dev/null >"$dir/mockapi.out" 2>"$dir/mockapi.log" &
srv=$!

for _ in $(seq 150); do # Python takes most of a second to start; allow 15 s
  [ -s "$dir/port" ] && break
  if ! kill -0 "$srv" 2>/dev/null; then
    srv=
    sed 's/^/  | /' "$dir/mockapi.log" >&2
    die "the mock API did not start (its log is above)"
  fi
  sleep 0.1
done
[ -s "$dir/port" ] || die "the mock API did not report its port within 15 s (log: $dir/mockapi.log)"
port=$(cat "$dir/port")
url=https://127.0.0.1:$port
ca=$dir/pki/ca.pem

dfd=$(show "$DFDIFF")
cat <<EOF
Starting a mock Datafold API on $url (tests/servers/mockapi.py,
certificate from a test CA made just now: $(show "$ca")).
Its diff $DIFF_ID moves one step per poll: waiting, processing 0/5 .. 5/5, then done
with result 'different'. dfdiff polls it over one kept-alive TLS connection, every
0.5 s at first, backing off to 1.5 s: about 10 s in all.

  DATAFOLD_API_KEY=$KEY \\
    $dfd watch --url $url \\
      --ca-file $(show "$ca") --interval 0.5 --max-interval 1.5 $DIFF_ID

EOF

rc=0
# The environment is the demo's own: no proxy for 127.0.0.1, the mock's key (never a real
# one that may be set in this shell). dfdiff runs in the background with `wait`, so a
# SIGTERM to this script is handled at once (a foreground child would delay the trap).
# On a terminal its stdout is still the terminal: the live line shows.
env -u https_proxy -u HTTPS_PROXY -u http_proxy DATAFOLD_API_KEY="$KEY" \
  "$DFDIFF" watch --url "$url" --ca-file "$ca" --interval 0.5 --max-interval 1.5 \
  --timeout 60 --request-timeout 10 "$DIFF_ID" &
watch=$!
wait "$watch" || rc=$?
watch=

# What the server saw (requests, connections, handshakes), before it stops.
seen=$(python3 - "$dir/stats.json" <<'PY' 2>/dev/null || true
import json, sys, time
for _ in range(20):  # connection-end counters land a moment after the client exits
    try:
        d = json.load(open(sys.argv[1]))
    except (OSError, ValueError):
        d = None
    if d and d.get("active_connections") == 0:
        break
    time.sleep(0.1)
if d:
    print(f"{d['requests']} requests over {d['connections']} connection(s), "
          f"{d['handshakes_full']} full TLS handshake(s)")
PY
)
stop_server

echo
if [ "$rc" -eq "$EXPECTED" ]; then
  echo "dfdiff exited $rc, as expected: 1 means done and the data differs."
else
  echo "demo: dfdiff exited $rc, expected $EXPECTED (done, different); the server's log is $(show "$dir/mockapi.log")" >&2
fi
[ -n "$seen" ] && echo "The mock saw $seen."
cat <<EOF
Exit codes: 0 identical or empty, 1 different, 2 failed or cancelled, 3 not finished,
4 usage, 5 network or TLS, 6 API error ('$dfd --help'). The mock API is stopped.

With the real API (the key is only ever read from the environment or a file):
  export DATAFOLD_API_KEY=...
  $dfd watch ID
and in CI, where the exit code says how the diff ended:
  $dfd watch "\$ID" || exit \$?
A dedicated deployment: --url https://datafold.example.com (or DATAFOLD_HOST),
with --ca-file PATH when it uses a private CA.
EOF
[ "$rc" -eq "$EXPECTED" ] || exit 1
exit 0
