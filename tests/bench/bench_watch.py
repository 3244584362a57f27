#!/usr/bin/env python3
"""Benchmark (not a test): a watch of 10 polls, `dfdiff watch` beside the way people script
it today, a shell loop of

    curl -s --cacert CA -H "Authorization: Key KEY" URL | jq -r .status; sleep 0.1

run 10 times. Both clients poll the mock Datafold API (tests/servers/mockapi.py) over
HTTPS on 127.0.0.1, with a fresh test PKI (tests/servers/mkcerts.sh; the server's leaf is
ECDSA P-256), and see the same 10 answers: scripted diff 9005, which goes waiting,
processing 0/5 .. 5/5 and then stays at 5/5, never finishing. dfdiff is given --json (one
line per poll) and is sent SIGTERM as soon as its 10th line is out, while it sleeps before
the 11th poll: so it makes exactly 10 polls, then closes its connection politely and exits
143. The loop makes exactly 10 requests by construction.

Measured, printed as Markdown tables on stdout:
  - connections and TLS handshakes: the mock's --stats-file (connections,
    handshakes_full, handshakes_resumed, requests), reset with GET /__reset before each run;
  - bytes on the wire: each client talks to a counting TCP relay of this script (a thread
    that accepts on 127.0.0.1, connects to the mock and counts the bytes both ways; TCP
    payload, i.e. TLS records, without TCP/IP headers);
  - instructions: valgrind --tool=callgrind (user space of the client processes). dfdiff
    as one process; in the loop every curl and every jq under its own callgrind
    (--trace-children=no), summed; the shell and sleep are not counted.

Targets, printed beside the measured values: one TLS handshake instead of ten, and at
least 10x fewer instructions per poll than curl + jq.

Environment: BUILD (build directory, default build/), DFDIFF (default $BUILD/dfdiff).
Scratch files under $BUILD/bench/watch. Needs python3, openssl, curl, jq and valgrind
(without valgrind the instruction table is skipped). Takes about 30-60 s, most of it the
ten curl and jq processes under callgrind.
"""
import ctypes
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("BUILD") or os.path.join(ROOT, "build"))
DFDIFF = os.path.abspath(os.environ.get("DFDIFF") or os.path.join(BUILD, "dfdiff"))
OUT = os.path.join(BUILD, "bench", "watch")
MOCK = os.path.join(ROOT, "tests", "servers", "mockapi.py")
MKCERTS = os.path.join(ROOT, "tests", "servers", "mkcerts.sh")

DIFF_ID = 9005        # scripted: never finishes, so any number of polls is possible
POLLS = 10
SLEEP = 0.1           # the loop's sleep between polls
INTERVAL = 0.1        # dfdiff: first delay; grows x1.5 up to MAX_INTERVAL (+-20% jitter)
MAX_INTERVAL = 0.25   # >= 0.2 s before an 11th poll: time enough for the SIGTERM
KEY = "bench-key-not-a-secret"
PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
              "ALL_PROXY")

PROCS = []

try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent():
    if _LIBC is not None:
        try:
            _LIBC.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - best effort only
            pass


def fail(msg):
    sys.stderr.write(f"bench_watch: {msg}\n")
    sys.exit(1)


def stop_all():
    for p in PROCS:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    for p in PROCS:
        try:
            p.wait(3)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
    PROCS.clear()


# --- the mock API ----------------------------------------------------------------------

class Mock:
    def __init__(self, pki):
        self.pki = pki
        self.port_file = os.path.join(OUT, "mock.port")
        self.stats_file = os.path.join(OUT, "mock.stats.json")
        self.log = open(os.path.join(OUT, "mock.log"), "wb")
        self.proc = subprocess.Popen(
            [sys.executable, MOCK, "--port", "0", "--port-file", self.port_file,
             "--cert", os.path.join(pki, "ecdsa.pem"), "--key", os.path.join(pki, "ecdsa.key"),
             "--key-required", KEY, "--stats-file", self.stats_file, "--max-seconds", "600",
             "--exit-with-parent"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)
        PROCS.append(self.proc)
        deadline = time.monotonic() + 20
        self.port = None
        while time.monotonic() < deadline:  # Python takes most of a second to start
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text.isdigit():
                    self.port = int(text)
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                fail(f"the mock API exited ({self.proc.returncode}); see {OUT}/mock.log")
            time.sleep(0.05)
        if self.port is None:
            fail(f"the mock API did not start within 20 s; see {OUT}/mock.log")
        self.ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))

    def control(self, path):
        """GET /__reset or /__stats, straight to the mock (not through the relay)."""
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
        try:
            c.request("GET", path, headers={"Connection": "close"})
            r = c.getresponse()
            return json.loads(r.read())
        finally:
            c.close()

    def settled_stats(self):
        """The stats once every connection has ended (its end is counted a moment after
        the client leaves)."""
        deadline = time.monotonic() + 10
        while True:
            with open(self.stats_file) as f:
                d = json.load(f)
            if d.get("active_connections") == 0 or time.monotonic() > deadline:
                return d
            time.sleep(0.05)


# --- the counting relay ----------------------------------------------------------------

class Relay:
    """127.0.0.1:port -> the mock; counts TCP payload bytes in each direction."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.reset()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.up = self.down = self.conns = 0
            self.active = 0

    def _accept(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            try:
                s = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                c.close()
                continue
            s.settimeout(None)
            for x in (c, s):
                x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.conns += 1
                self.active += 1
            done = threading.Barrier(2, action=lambda c=c, s=s: self._end(c, s))
            threading.Thread(target=self._pump, args=(c, s, "up", done), daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, "down", done), daemon=True).start()

    def _end(self, c, s):
        c.close()
        s.close()
        with self.lock:
            self.active -= 1

    def _pump(self, src, dst, direction, done):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    setattr(self, direction, getattr(self, direction) + len(data))
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)  # pass the half-close on
        except OSError:
            for x in (src, dst):  # a reset: end both directions
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        done.wait()

    def settled(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.lock:
                if self.active == 0:
                    break
            time.sleep(0.02)
        with self.lock:
            return {"up": self.up, "down": self.down, "conns": self.conns}


# --- the clients -----------------------------------------------------------------------

def client_env():
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["DATAFOLD_API_KEY"] = KEY
    return env


def run_dfdiff(url, ca, polls, callgrind_out=None):
    """dfdiff watch --json, SIGTERM once `polls` lines are out. Returns (exit code, lines)."""
    cmd = [DFDIFF, "watch", "--json", "--url", url, "--ca-file", ca, "--interval",
           str(INTERVAL), "--max-interval", str(MAX_INTERVAL), "--timeout", "120",
           str(DIFF_ID)]
    if callgrind_out:
        cmd = ["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=" + callgrind_out] + cmd
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=open(os.path.join(OUT, "dfdiff.stderr"), "ab"),
                         env=client_env(), preexec_fn=_die_with_parent)
    PROCS.append(p)
    timer = threading.Timer(120, p.kill)  # a watchdog, never expected to fire
    timer.start()
    lines = []
    try:
        for raw in p.stdout:
            lines.append(raw.decode(errors="replace").rstrip("\n"))
            if len(lines) == polls:
                p.send_signal(signal.SIGTERM)  # while it sleeps before the next poll
        rc = p.wait()
    finally:
        timer.cancel()
        PROCS.remove(p)
    return rc, lines


def loop_script(url, ca, callgrind_dir=None):
    """The shell loop, exactly as run; with callgrind_dir, curl and jq each under callgrind."""
    vg = ""
    if callgrind_dir:
        vg = ("valgrind --tool=callgrind -q --trace-children=no --callgrind-out-file="
              + shlex.quote(os.path.join(callgrind_dir, "cg.%p")) + " ")
    # curl -q: ignore any ~/.curlrc (must come first); otherwise the usual command
    return (f"for i in $(seq {POLLS}); do\n"
            f"  {vg}curl -q -s --cacert {shlex.quote(ca)} "
            f"-H \"Authorization: Key $DATAFOLD_API_KEY\" {shlex.quote(url)} "
            f"| {vg}jq -r .status\n"
            f"  sleep {SLEEP}\n"
            f"done\n")


def run_loop(url, ca, callgrind_dir=None):
    r = subprocess.run(["bash", "-c", loop_script(url, ca, callgrind_dir)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       env=client_env(), timeout=300)
    if r.stderr.strip():
        with open(os.path.join(OUT, "loop.stderr"), "a") as f:
            f.write(r.stderr)
    return r.returncode, r.stdout.split()


def callgrind_total(path):
    """(command line, instruction total) of one callgrind output file."""
    cmd, total = "", None
    with open(path) as f:
        for line in f:
            if line.startswith("cmd:"):
                cmd = line[4:].strip()
            elif line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
    if total is None:
        raise RuntimeError(f"no total in {path}")
    return cmd, total


# --- measuring -------------------------------------------------------------------------

class Run:
    """One client run through the relay, with the mock's stats and the relay's bytes."""

    def __init__(self, mock, relay, fn):
        mock.control("/__reset")
        relay.reset()
        self.rc, self.lines = fn()
        self.bytes = relay.settled()
        self.stats = mock.settled_stats()

    @property
    def requests(self):
        return self.stats["requests"]


def fmt(n):
    return f"{n:,}".replace(",", " ")


def ratio(a, b):
    return f"{a / b:.1f}x" if b else "-"


def main():
    for tool, why in (("openssl", "to make the test certificates"),
                      ("curl", "for the curl | jq loop"), ("jq", "for the curl | jq loop")):
        if not shutil.which(tool):
            fail(f"{tool} not found ({why}); Debian: apt-get install {tool}")
    if not os.access(DFDIFF, os.X_OK):
        fail(f"{DFDIFF} not found: run make first")
    have_vg = shutil.which("valgrind") is not None

    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    pki = os.path.join(OUT, "pki")
    r = subprocess.run(["bash", MKCERTS, pki], capture_output=True, text=True)
    if r.returncode != 0:
        fail("mkcerts.sh failed:\n" + r.stderr)
    ca = os.path.join(pki, "ca.pem")

    mock = Mock(pki)
    relay = Relay(mock.port)
    base = f"https://127.0.0.1:{relay.port}"  # the leaf has IP:127.0.0.1 in its SANs
    url = f"{base}/api/v1/datadiffs/{DIFF_ID}"
    t0 = time.monotonic()

    dfd = Run(mock, relay, lambda: run_dfdiff(base, ca, POLLS))
    loop = Run(mock, relay, lambda: run_loop(url, ca))
    tls = dfd.stats.get("last_tls") or {}

    problems = []
    for name, run in (("dfdiff watch", dfd), ("curl | jq loop", loop)):
        if run.requests != POLLS:
            problems.append(f"{name} made {run.requests} requests, not {POLLS}")
    if dfd.rc != 143:
        problems.append(f"dfdiff watch exited {dfd.rc}, expected 143 (SIGTERM after "
                        f"{POLLS} polls); see {OUT}/dfdiff.stderr")
    if len(loop.lines) != POLLS or loop.lines[:2] != ["waiting", "waiting"]:
        problems.append(f"the loop printed {loop.lines!r}")

    cg = None
    if have_vg:
        cgdir = os.path.join(OUT, "callgrind")
        os.makedirs(os.path.join(cgdir, "loop"))
        dfd_cg = Run(mock, relay, lambda: run_dfdiff(
            base, ca, POLLS, os.path.join(cgdir, "dfdiff-10.out")))
        dfd1_cg = Run(mock, relay, lambda: run_dfdiff(
            base, ca, 1, os.path.join(cgdir, "dfdiff-1.out")))
        loop_cg = Run(mock, relay, lambda: run_loop(url, ca, os.path.join(cgdir, "loop")))
        for name, run, want in (("dfdiff watch under callgrind", dfd_cg, POLLS),
                                ("dfdiff watch (1 poll) under callgrind", dfd1_cg, 1),
                                ("curl | jq loop under callgrind", loop_cg, POLLS)):
            if run.requests != want:
                problems.append(f"{name} made {run.requests} requests, not {want}")
        curl = jq = 0
        ncurl = njq = 0
        for name in sorted(os.listdir(os.path.join(cgdir, "loop"))):
            cmd, total = callgrind_total(os.path.join(cgdir, "loop", name))
            prog = os.path.basename(cmd.split()[0]) if cmd else ""
            if prog == "curl":
                curl, ncurl = curl + total, ncurl + 1
            elif prog == "jq":
                jq, njq = jq + total, njq + 1
            else:
                problems.append(f"unexpected callgrind output {name} ({cmd})")
        if ncurl != POLLS or njq != POLLS:
            problems.append(f"callgrind saw {ncurl} curl and {njq} jq runs, not {POLLS} each")
        cg = {"dfd": callgrind_total(os.path.join(cgdir, "dfdiff-10.out"))[1],
              "dfd1": callgrind_total(os.path.join(cgdir, "dfdiff-1.out"))[1],
              "curl": curl, "jq": jq, "dfd_polls": dfd_cg.requests,
              "dfd1_polls": dfd1_cg.requests, "loop_polls": loop_cg.requests}
    elapsed = time.monotonic() - t0

    # --- report ---
    print(f"## Watch of {POLLS} polls: `dfdiff watch` vs a `curl | jq` loop\n")
    print(f"Mock Datafold API on 127.0.0.1 over {tls.get('version', '?')} "
          f"({tls.get('cipher', '?')}), ECDSA P-256 leaf from a fresh test CA; scripted diff "
          f"{DIFF_ID} (waiting, processing 0/5 .. 5/5, then stays at 5/5). Both clients get "
          f"the same {POLLS} answers through a counting relay.\n")
    print(f"- dfdiff: `dfdiff watch --json --interval {INTERVAL} --max-interval "
          f"{MAX_INTERVAL} {DIFF_ID}`, sent SIGTERM after its {POLLS}th line (it closes "
          f"politely and exits 143)")
    print(f"- loop: `for i in $(seq {POLLS}); do curl -q -s --cacert CA -H \"Authorization: "
          f"Key $KEY\" URL | jq -r .status; sleep {SLEEP}; done` "
          f"(curl {curl_version()}, {tool_version(['jq', '--version'])})\n")

    print("### Connections and TLS handshakes (the mock's stats)\n")
    print("| client | polls | connections | full handshakes | resumed | target |")
    print("|---|---|---|---|---|---|")
    for name, run in (("dfdiff watch", dfd), ("curl \\| jq loop", loop)):
        s = run.stats
        target = ""
        if run is dfd:
            hs = s["handshakes_full"] + s["handshakes_resumed"]
            target = (f"one handshake instead of {POLLS}: "
                      f"{'met' if hs == 1 else 'NOT met'} ({hs})")
        print(f"| {name} | {run.requests} | {s['connections']} | {s['handshakes_full']} | "
              f"{s['handshakes_resumed']} | {target} |")
    print()

    print("### Bytes on the wire (TCP payload through the relay: TLS records, no TCP/IP "
          "headers)\n")
    print("| client | client to server | server to client | total | per poll | ratio |")
    print("|---|---|---|---|---|---|")
    dtot = dfd.bytes["up"] + dfd.bytes["down"]
    for name, run in (("dfdiff watch", dfd), ("curl \\| jq loop", loop)):
        b = run.bytes
        tot = b["up"] + b["down"]
        per = tot / max(1, run.requests)
        print(f"| {name} | {fmt(b['up'])} B | {fmt(b['down'])} B | {fmt(tot)} B | "
              f"{fmt(round(per))} B | {ratio(tot * dfd.requests, dtot * max(1, run.requests))} |")
    print("\nThe responses are the same for both; the difference is the handshakes "
          "(certificate, key shares) and the request headers.\n")

    print("### CPU instructions (callgrind, user space of the client processes)\n")
    if cg is None:
        print("valgrind not found: skipped (Debian: apt-get install valgrind).\n")
    else:
        dfd_per = cg["dfd"] / cg["dfd_polls"]
        loop_tot = cg["curl"] + cg["jq"]
        loop_per = loop_tot / cg["loop_polls"]
        further = (cg["dfd"] - cg["dfd1"]) / max(1, cg["dfd_polls"] - cg["dfd1_polls"])
        print("| client | polls | instructions | per poll | per poll vs dfdiff |")
        print("|---|---|---|---|---|")
        print(f"| dfdiff watch | {cg['dfd_polls']} | {fmt(cg['dfd'])} | {fmt(round(dfd_per))} "
              f"| 1.0x |")
        print(f"| dfdiff watch, first poll only (start, handshake, one request) | "
              f"{cg['dfd1_polls']} | {fmt(cg['dfd1'])} | {fmt(cg['dfd1'])} | "
              f"{ratio(cg['dfd1'], dfd_per)} |")
        print(f"| dfdiff watch, each further poll ((10-poll run - 1-poll run) / "
              f"{cg['dfd_polls'] - cg['dfd1_polls']}) | - | - | {fmt(round(further))} | "
              f"{ratio(further, dfd_per)} |")
        print(f"| curl | {cg['loop_polls']} | {fmt(cg['curl'])} | "
              f"{fmt(round(cg['curl'] / cg['loop_polls']))} | "
              f"{ratio(cg['curl'] / cg['loop_polls'], dfd_per)} |")
        print(f"| jq | {cg['loop_polls']} | {fmt(cg['jq'])} | "
              f"{fmt(round(cg['jq'] / cg['loop_polls']))} | "
              f"{ratio(cg['jq'] / cg['loop_polls'], dfd_per)} |")
        print(f"| curl \\| jq loop | {cg['loop_polls']} | {fmt(loop_tot)} | "
              f"{fmt(round(loop_per))} | {ratio(loop_per, dfd_per)} |")
        print()

    print("### Targets\n")
    print("| target | measured | |")
    print("|---|---|---|")
    hs = dfd.stats["handshakes_full"] + dfd.stats["handshakes_resumed"]
    lhs = loop.stats["handshakes_full"] + loop.stats["handshakes_resumed"]
    print(f"| one TLS handshake instead of {POLLS} | dfdiff {hs}, curl \\| jq {lhs} | "
          f"{'met' if hs == 1 and lhs == POLLS else 'NOT met'} |")
    if cg is None:
        print("| >= 10x fewer instructions per poll than curl + jq | not measured (no "
              "valgrind) | - |")
    else:
        x = loop_per / dfd_per
        print(f"| >= 10x fewer instructions per poll than curl + jq | {x:.1f}x "
              f"({fmt(round(dfd_per))} vs {fmt(round(loop_per))}) | "
              f"{'met' if x >= 10 else 'NOT met'} |")
        xc = (cg["curl"] / cg["loop_polls"]) / dfd_per
        print(f"| (for reference, not a target) the same against curl alone | {xc:.1f}x | "
              f"jq's start-up is most of the loop's cost |")
    print(f"\n(measured in {elapsed:.0f} s; scratch files in {OUT})")
    if problems:
        print("\n**Problems** (the figures above may not compare like with like):\n")
        for p in problems:
            print(f"- {p}")
    return 1 if problems else 0


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def curl_version():
    v = tool_version(["curl", "--version"]).split()
    tls = [w for w in v[:12] if w.lower().startswith(("openssl/", "gnutls/", "wolfssl/"))]
    return f"{v[1]} with {tls[0]}" if len(v) > 1 and tls else (v[1] if len(v) > 1 else "?")


if __name__ == "__main__":
    try:
        code = main()
    finally:
        stop_all()
    sys.exit(code)
