#!/usr/bin/env python3
"""Soak: one long `dfdiff watch` through a fault-injecting TLS relay in front of the mock.

    python3 tests/soak/soak.py --polls 10000      # 1-2 minutes on 2 cores
    python3 tests/soak/soak.py --polls 300        # what tests/soak/test_soak_short.py runs

Setup (all on 127.0.0.1, started and stopped here):
  mockapi.py (plain HTTP, keep-alive, --fixtures) <- relay (this script: TLS with the test
  PKI, session tickets on) <- dfdiff watch ID --interval 0.001 --max-interval 0.01
  --request-timeout 2 --timeout 0.

The relay terminates TLS (so it counts full and resumed handshakes itself) and forwards
every request to the mock over a kept-alive plain connection, injecting at random (seeded,
--seed): at accept, RST, a bare FIN, or a slow handshake; per request, 503/429 with
Retry-After 0 (rarely 1), 500 and 502 without it, a dropped request (close_notify+FIN or
RST, no answer), a body cut by a bare FIN or an RST, a slow drip of the response, a delay,
a stall until the client's request timeout, `Connection: close` after the answer, and a
silent close (keep-alive answer, then the connection closes: a stale connection for the
next poll). The diff's fixture says `processing`; once the relay has seen --polls requests
it swaps the fixture for a `done/different` one and stops injecting, so the watch must end
right there with that state (exit 1, the change lines, the summary of `dfdiff parse` over
the final body).

While it runs, every --sample seconds: the dfdiff process's VmRSS/VmHWM (/proc/PID/status)
and open descriptors (/proc/PID/fd); every --pool-every seconds, when gdb is there and the
binary is native, the mbedTLS pool figures (bytes in use, peak, allocations, frees) read
from the static `heap` of memory_buffer_alloc.c by attaching gdb for a moment (dfdiff has
no option to report them). Checks at the end: the final state, stderr holding only
transient failures and "retrying" lines (never "TLS memory pool exhausted"), no more
failure lines than injected faults, RSS and descriptors not creeping, the pool's in-use
figure not creeping. Report on stdout ("ok -"/"not ok -" lines and "#" lines), and as JSON
in $BUILD/soak/report.json (samples in $BUILD/soak/samples.csv). Exit 1 on any failure.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "faults"))
sys.dont_write_bytecode = True
import faultkit as K  # noqa: E402

KEY = "soak-KEY-31d7a9e04c"
DIFF_ID = 4242

# fault -> weight in per mille of requests (the rest is forwarded untouched)
REQUEST_FAULTS = {
    "503-retry-0": 30, "429-retry-0": 20, "503-retry-1": 1, "500": 10, "502-html": 10,
    "drop-notify": 10, "drop-rst": 8, "cut-fin": 12, "cut-rst": 8, "drip": 30,
    "delay": 20, "stall": 1, "close": 30, "silent-close": 20,
}
# at accept, per mille of connections
CONN_FAULTS = {"accept-rst": 15, "accept-fin": 8, "slow-handshake": 10}
STATUS_FAULTS = ("503-retry-0", "429-retry-0", "503-retry-1", "500", "502-html")


def pick(rng, table):
    x = rng.randrange(1000)
    for name, w in table.items():
        if x < w:
            return name
        x -= w
    return None


class Relay:
    def __init__(self, pki, mock_port, fixture_path, final_body, polls, seed, request_timeout,
                 tls_max="1.3"):
        self.ctx = K.server_ctx(pki, tls_max=tls_max)  # ECDSA leaf, tickets on
        self.mock_port = mock_port
        self.fixture_path = fixture_path
        self.final_body = final_body
        self.polls = polls
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.lock = threading.Lock()
        self.requests = 0
        self.swapped_at = None
        self.faults = {}
        self.handshakes = {"full": 0, "resumed": 0, "failed": 0}
        self.versions = {}
        self.connections = 0
        self.request_timeout = request_timeout
        self.errors = []
        self.server = K.FaultServer(self.handle, "relay")
        self.port = self.server.port

    def count(self, name):
        with self.lock:
            self.faults[name] = self.faults.get(name, 0) + 1

    def choose(self, table):
        with self.rng_lock:
            return pick(self.rng, table), self.rng.random()

    def handle(self, peer):
        with self.lock:
            self.connections += 1
            done = self.requests >= self.polls
        fault, r = (None, 0.0) if done else self.choose(CONN_FAULTS)
        if fault:
            self.count(fault)
        if fault == "accept-rst":
            time.sleep(0.002)
            peer.rst()
            return
        if fault == "accept-fin":
            peer.fin()
            peer.wait_gone(5)
            return
        if fault == "slow-handshake":
            time.sleep(0.02 + 0.08 * r)
        if not peer.tls_accept(self.ctx, timeout=10):
            with self.lock:
                self.handshakes["failed"] += 1
            return
        with self.lock:
            self.handshakes["resumed" if peer.obj.session_reused else "full"] += 1
            v = peer.obj.version()
            self.versions[v] = self.versions.get(v, 0) + 1
        up = http.client.HTTPConnection("127.0.0.1", self.mock_port, timeout=10)
        try:
            while self.serve_one(peer, up):
                pass
        finally:
            up.close()

    def serve_one(self, peer, up):
        head = peer.read_request(timeout=60)
        if head is None:
            return False
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"GET (\S+) HTTP/1\.1\Z", lines[0])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        with self.lock:
            n = self.requests
            self.requests += 1
            last = n >= self.polls - 1
            if last and self.swapped_at is None:
                tmp = self.fixture_path + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(self.final_body)
                os.replace(tmp, self.fixture_path)
                self.swapped_at = n + 1
        fault, r = (None, 0.0) if last else self.choose(REQUEST_FAULTS)
        if fault:
            self.count(fault)
        if not m:
            peer.send(K.response(b'{"detail":"relay: bad request"}', 400, "Bad Request",
                                 close=True))
            return False
        if fault in STATUS_FAULTS:
            code = int(fault[:3])
            extra = []
            if "retry" in fault:
                extra.append(("Retry-After", fault.rsplit("-", 1)[1]))
            if fault == "502-html":
                body, ctype = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n", "text/html"
            else:
                body = json.dumps({"detail": "relay fault %s" % fault}).encode()
                ctype = "application/json"
            reason = {503: "Service Unavailable", 429: "Too Many Requests",
                      500: "Internal Server Error", 502: "Bad Gateway"}[code]
            peer.send(K.response(body, code, reason, ctype, extra))
            return True
        if fault == "drop-notify":
            peer.notify()
            peer.fin()
            peer.wait_gone(3)
            return False
        if fault == "drop-rst":
            peer.rst()
            return False
        # forward to the mock
        try:
            up.request("GET", m.group(1), headers={"Host": hdrs.get("host", "x"),
                                                   "Authorization": hdrs.get("authorization", ""),
                                                   "Accept": "application/json"})
            resp = up.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as x:
            with self.lock:
                self.errors.append("upstream: %s" % x)
            peer.rst()
            return False
        extra = [(k, v) for k, v in resp.getheaders() if k.lower() == "retry-after"]
        data = K.response(body, resp.status, resp.reason, resp.getheader("Content-Type"), extra,
                          close=fault == "close")
        if fault in ("cut-fin", "cut-rst", "stall"):
            cut = len(data) - len(body) + max(1, int(len(body) * (0.1 + 0.8 * r)))
            peer.send(data[:cut])
            if fault == "cut-fin":
                peer.fin()
                peer.wait_gone(3)
            elif fault == "cut-rst":
                time.sleep(0.002)
                peer.rst()
            else:
                peer.wait_gone(self.request_timeout + 2)
            return False
        if fault == "drip":
            step = 16 + int(48 * r)
            for k in range(0, len(data), step):
                if not peer.send(data[k:k + step]):
                    return False
                if k // step % 8 == 0:
                    time.sleep(0.001)
            return True
        if fault == "delay":
            time.sleep(0.01 + 0.05 * r)
        if not peer.send(data):
            return False
        if fault in ("close", "silent-close"):
            peer.notify()
            peer.close()
            return False
        return True

    def close(self):
        self.server.close()


# ======================================================================================
# Sampling the dfdiff process
# ======================================================================================

def proc_sample(pid):
    rss = hwm = None
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    rss = int(ln.split()[1])
                elif ln.startswith("VmHWM:"):
                    hwm = int(ln.split()[1])
        fds = len(os.listdir("/proc/%d/fd" % pid))
    except (OSError, ValueError):
        return None
    if rss is None or hwm is None:  # a zombie: the process has ended
        return None
    return rss, hwm, fds


POOL_FIELDS = ("total_used", "maximum_used", "alloc_count", "free_count", "header_count",
               "maximum_header_count", "len")


def pool_sample(pid):
    """The mbedTLS pool figures of a running dfdiff (gdb attaches for a moment)."""
    cmd = ["gdb", "-nx", "-batch", "-p", str(pid)]
    for f in POOL_FIELDS:
        cmd += ["-ex", "print 'memory_buffer_alloc.c'::heap.%s" % f]
    cmd += ["-ex", "detach"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    vals = re.findall(r"^\$\d+ = (\d+)", p.stdout, re.M)
    if len(vals) != len(POOL_FIELDS):
        return None
    return dict(zip(POOL_FIELDS, map(int, vals)))


class Sampler:
    def __init__(self, every, pool_every):
        self.every, self.pool_every = every, pool_every
        self.samples = []  # (t, requests, rss, hwm, fds)
        self.pool = []     # (t, requests, dict)
        self.stop = threading.Event()
        self.pool_ok = pool_every > 0 and shutil.which("gdb") and not K.EMULATED
        self.pool_error = None

    def start(self, pid, relay, t0):
        def loop():
            next_pool = time.monotonic() + min(2.0, self.pool_every)
            while not self.stop.wait(self.every):
                s = proc_sample(pid)
                if s is None:
                    return
                self.samples.append((time.monotonic() - t0, relay.requests) + s)
                if self.pool_ok and time.monotonic() >= next_pool:
                    ps = pool_sample(pid)
                    if ps is None:
                        if not self.pool:
                            self.pool_error = "gdb could not read the pool"
                            self.pool_ok = False
                    else:
                        self.pool.append((time.monotonic() - t0, relay.requests, ps))
                    next_pool = time.monotonic() + self.pool_every
        threading.Thread(target=loop, daemon=True).start()


# ======================================================================================
# The run
# ======================================================================================

TRANSIENT = ("DFD_E_DNS", "DFD_E_CONNECT_REFUSED", "DFD_E_CONNECT", "DFD_E_TIMEOUT",
             "DFD_E_TIMEOUT_CONNECT", "DFD_E_TIMEOUT_TLS", "DFD_E_TIMEOUT_SEND",
             "DFD_E_TIMEOUT_RESPONSE", "DFD_E_TIMEOUT_BODY", "DFD_E_RESET", "DFD_E_CLOSED",
             "DFD_E_IO", "DFD_E_HTTP_TRUNCATED", "DFD_E_JSON_TRUNCATED", "DFD_E_TLS_HANDSHAKE",
             "DFD_E_TLS_PROTOCOL", "DFD_E_TLS_ALERT", "DFD_E_API_RATE_LIMITED",
             "DFD_E_API_SERVER")


def median(xs):
    return statistics.median(xs) if xs else None


def run_soak(polls, seed, sample_every, pool_every, work, tap, log=print, interval="0.001",
             max_interval="0.01", request_timeout=2, kill_after=None, tls_max="1.3"):
    """Everything; returns the report dict. tap(ok, name, diags, always) reports."""
    t_start = time.monotonic()
    K.prepare_dirs(work, ("logs", "run", "pki", "fixtures", "bodies"))
    err_tab = K.load_err_messages()
    pki = os.path.join(work, "pki")
    e = K.make_pki(pki)
    if e:
        tap(False, "test PKI", K.show(e))
        return None
    fx = os.path.join(work, "fixtures")
    with open(os.path.join(K.FIXTURES, "status-processing.json"), "rb") as f:
        first = f.read()
    with open(os.path.join(K.FIXTURES, "result-different.json"), "rb") as f:
        final = f.read()
    fixture = os.path.join(fx, "%d.json" % DIFF_ID)
    with open(fixture, "wb") as f:
        f.write(first)
    final_path = os.path.join(work, "bodies", "final.json")
    first_path = os.path.join(work, "bodies", "first.json")
    for p, b in ((final_path, final), (first_path, first)):
        with open(p, "wb") as f:
            f.write(b)
    want_rc, want_summary, _ = K.parse_baseline(final_path)
    _, _, first_json = K.parse_baseline(first_path)
    _, _, final_json = K.parse_baseline(final_path)
    mock = K.Mock("mock-plain", work, "--key-required", KEY, "--fixtures", fx, "--quiet",
                  "--idle-timeout", "120").start(max_seconds=3600)
    try:
        mock.wait()
    except K.ServerError as x:
        tap(False, "mock started", [str(x)])
        return None
    relay = Relay(pki, mock.port, fixture, final, polls, seed, request_timeout, tls_max)
    sampler = Sampler(sample_every, pool_every)
    url = "https://localhost:%d" % relay.port
    args = ["--url", url, "--ca-file", os.path.join(pki, "ca.pem"), "--interval", interval,
            "--max-interval", max_interval, "--request-timeout", str(request_timeout),
            "--timeout", "0", str(DIFF_ID)]
    log("# soak: %d polls, seed %d, relay %s (TLS up to %s) -> mock 127.0.0.1:%d" % (
        polls, seed, url, tls_max, mock.port))
    progress_stop = threading.Event()

    def progress():
        last = 0
        while not progress_stop.wait(30):
            n = relay.requests
            log("# %.0f s: %d requests (%.0f/s)" % (time.monotonic() - t0, n, (n - last) / 30.0))
            last = n
    t0 = time.monotonic()
    if polls >= 2000:
        threading.Thread(target=progress, daemon=True).start()
    limit = kill_after or max(120, polls * 0.25)
    run = K.run_dfdiff(args, key=KEY, cmd="watch", timeout=limit,
                       on_start=lambda r, p: sampler.start(p.pid, relay, t0))
    sampler.stop.set()
    progress_stop.set()
    time.sleep(0.2)
    relay.close()
    try:
        st = mock.settle(3)
    except (OSError, ValueError):
        st = {}

    # ---------------------------------------------------------------- checks
    report = {"polls_wanted": polls, "seed": seed, "tls_max": tls_max, "seconds": round(run.secs, 1),
              "exit": run.rc, "relay_requests": relay.requests, "swapped_at": relay.swapped_at,
              "connections": relay.connections, "handshakes": relay.handshakes,
              "tls_versions": relay.versions, "faults_injected": dict(sorted(relay.faults.items())),
              "mock": {k: st.get(k) for k in ("connections", "requests", "responses_per_status")},
              "samples": len(sampler.samples), "pool_samples": len(sampler.pool)}
    p = K.crash_problems(run)
    if run.rc != want_rc:
        p.append("exit code %s, expected %s (the final state's)" % (run.rc, want_rc))
    if relay.requests < polls:
        p.append("the relay saw %d requests, fewer than %d" % (relay.requests, polls))
    if relay.swapped_at is not None and relay.requests != relay.swapped_at:
        p.append("%d request(s) after the final state was served" % (relay.requests -
                                                                    relay.swapped_at))
    out = run.out
    change_re = r"\[\d+:\d\d\] diff %d: " % DIFF_ID
    first_o, final_o = json.loads(first_json), json.loads(final_json)
    want_lines = "%s%s %d/%d steps\n%sdone %d/%d steps, result different\n" % (
        change_re, first_o["status"], first_o["progress"]["completed_steps"],
        first_o["progress"]["total_steps"], change_re, final_o["progress"]["completed_steps"],
        final_o["progress"]["total_steps"])
    if not out.endswith(want_summary):
        p.append("stdout does not end with the summary of the final body")
    elif not re.fullmatch(want_lines.replace("(", r"\(").replace(")", r"\)"),
                          out[:len(out) - len(want_summary)]):
        p.append("the change lines are not exactly 'processing', then 'done'")
    tag = "soak TLS %s" % tls_max
    tap(not p, "%s: watch of %d polls through random faults ends with the final state "
        "(exit %s, change lines, summary)" % (tag, polls, want_rc), p + run.describe()[:2] +
        ["stdout: " + ln for ln in K.show(out, 6)])

    lines = run.err.splitlines()
    retry_re = re.compile(r"dfdiff: watch %d: retrying in \d+\.\d s\Z" % DIFF_ID)
    fail_lines = [ln for ln in lines if not retry_re.match(ln)]
    allowed = [err_tab[n] for n in TRANSIENT]
    unexpected = [ln for ln in fail_lines
                  if not ln.startswith("dfdiff: watch %d: " % DIFF_ID)
                  or not any(a in ln for a in allowed)]
    kinds = {}
    for ln in fail_lines:
        k = re.sub(r"\s*\(.*$|:.*$", "", ln[len("dfdiff: watch %d: " % DIFF_ID):])
        kinds[k] = kinds.get(k, 0) + 1
    report["stderr_failures"] = dict(sorted(kinds.items(), key=lambda kv: -kv[1]))
    injected = sum(relay.faults.values())
    status_faults = sum(relay.faults.get(f, 0) for f in STATUS_FAULTS)
    p = []
    if unexpected:
        p.append("%d stderr line(s) that are not transient failures or 'retrying':" % len(unexpected))
        p += ["  " + ln for ln in unexpected[:10]]
    if err_tab["DFD_E_TLS_MEMORY"] in run.err:
        p.append("the TLS pool ran out ('%s')" % err_tab["DFD_E_TLS_MEMORY"])
    if len(fail_lines) > injected:
        p.append("%d failure lines for %d injected faults" % (len(fail_lines), injected))
    if len(fail_lines) < status_faults:
        p.append("%d failure lines, but %d error statuses were injected (each must show)" % (
            len(fail_lines), status_faults))
    retries = len(lines) - len(fail_lines)
    if retries != len(fail_lines):
        p.append("%d 'retrying' lines for %d failures" % (retries, len(fail_lines)))
    tap(not p, tag + ": stderr holds only transient failures, each followed by 'retrying' "
        "(%d failures for %d injected faults)" % (len(fail_lines), injected), p,
        always=["failures shown: " + ", ".join("%s x%d" % kv for kv in
                                                report["stderr_failures"].items())])

    # RSS and descriptors
    s = sampler.samples
    report["rss_kb"] = report["fds"] = None
    if len(s) >= 6:
        q = max(2, len(s) // 4)
        early, late = s[1:1 + q], s[-q:]
        rss_e, rss_l = median([x[2] for x in early]), median([x[2] for x in late])
        fd_min, fd_max = min(x[4] for x in s), max(x[4] for x in s)
        report["rss_kb"] = {"first": s[0][2], "early_median": rss_e, "late_median": rss_l,
                            "max": max(x[2] for x in s), "hwm": max(x[3] for x in s)}
        report["fds"] = {"min": fd_min, "max": fd_max,
                         "early_max": max(x[4] for x in early), "late_max": max(x[4] for x in late)}
        p = []
        # Under AddressSanitizer freed memory stays in its quarantine (glibc's resolver
        # allocates per lookup), and under qemu-user the RSS is the emulator's, whose
        # translated-code cache grows as later faults reach new code: only a plain native
        # build's RSS counts.
        sanitized = K.binary_is_sanitized()
        if rss_l - rss_e > 128 and not sanitized and not K.EMULATED:
            p.append("RSS grew from %d KB (early median) to %d KB (late median)" % (rss_e, rss_l))
        if report["fds"]["late_max"] > report["fds"]["early_max"] or (
                fd_max > 6 and not K.EMULATED):
            p.append("descriptors: %s" % report["fds"])
        tap(not p, tag + ": RSS and open descriptors do not creep (%d samples)" % len(s), p,
            always=["RSS KB: first %d, early median %d, late median %d, max %d, VmHWM %d; "
                    "fds %d-%d" % (s[0][2], rss_e, rss_l, report["rss_kb"]["max"],
                                   report["rss_kb"]["hwm"], fd_min, fd_max)] +
            (["ASan build: RSS growth not judged (quarantine)"] if sanitized else []) +
            (["emulated: RSS growth not judged (the emulator's code cache)"] if K.EMULATED
             else []))
    else:
        tap(len(s) >= 2 or run.secs < 3, tag + ": RSS and descriptors sampled",
            ["only %d samples" % len(s)], always=["%d samples (run too short for a trend)"
                                                  % len(s)])

    # the TLS pool
    pool = sampler.pool
    report["pool"] = [{"t": round(t, 1), "requests": n, **d} for t, n, d in pool]
    if pool:
        third = max(1, len(pool) // 3)
        e_use = median([d["total_used"] for _, _, d in pool[:third]])
        l_use = median([d["total_used"] for _, _, d in pool[-third:]])
        peak = max(d["maximum_used"] for _, _, d in pool)
        allocs = pool[-1][2]["alloc_count"] - pool[-1][2]["free_count"]
        p = []
        if len(pool) >= 3 and l_use - e_use > 2048:
            p.append("pool in use grew from %d to %d bytes" % (e_use, l_use))
        if peak > pool[-1][2]["len"]:
            p.append("peak above the pool size")
        tap(not p, tag + ": TLS pool in use does not creep (%d gdb samples)" % len(pool), p,
            always=["pool %d B: in use %s B; peak %d B; live allocations at the last sample %d" % (
                pool[-1][2]["len"], " ".join(str(d["total_used"]) for _, _, d in pool), peak,
                allocs)])
    else:
        why = sampler.pool_error or ("gdb missing" if not shutil.which("gdb") else
                                     "emulated binary" if K.EMULATED else "no sample taken")
        tap(True, tag + ": TLS pool figures # SKIP %s (dfdiff has no option to report them)" % why)

    report["wall_seconds"] = round(time.monotonic() - t_start, 1)
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    with open(os.path.join(work, "samples.csv"), "w") as f:
        f.write("seconds,requests,rss_kb,hwm_kb,fds\n")
        for row in sampler.samples:
            f.write("%.2f,%d,%d,%d,%d\n" % row)
    hs = relay.handshakes
    log("# %d requests in %.1f s (%.0f/s); %d connections, handshakes %d full + %d resumed "
        "(%d failed); TLS %s" % (relay.requests, run.secs, relay.requests / max(run.secs, 0.001),
                                 relay.connections, hs["full"], hs["resumed"], hs["failed"],
                                 relay.versions))
    log("# faults injected: %s" % ", ".join("%s %d" % kv for kv in sorted(relay.faults.items())))
    log("# mock: %s" % json.dumps(report["mock"], sort_keys=True))
    log("# report: %s" % os.path.join(work, "report.json"))
    if relay.errors:
        log("# relay errors: %s" % " | ".join(relay.errors[:5]))
    return report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--polls", type=int, default=10000, help="requests before the final state")
    ap.add_argument("--seed", type=int, default=None, help="fault schedule seed (random)")
    ap.add_argument("--sample", type=float, default=None, help="seconds between /proc samples")
    ap.add_argument("--pool-every", type=float, default=None,
                    help="seconds between gdb reads of the TLS pool (0: never)")
    ap.add_argument("--tls-max", choices=("1.2", "1.3"), default="1.3",
                    help="the relay's highest TLS version (1.2: session-ID/ticket resumption "
                         "of TLS 1.2)")
    ap.add_argument("--work", default=os.path.join(K.BUILD, "soak"))
    a = ap.parse_args(argv)
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    sample = a.sample or (0.5 if a.polls < 2000 else 1.0)
    pool_every = a.pool_every if a.pool_every is not None else (3.0 if a.polls < 2000 else 20.0)
    tap = K.Tap()
    K.install_cleanup()

    def go():
        if not (os.path.isfile(K.DFDIFF) and os.access(K.DFDIFF, os.X_OK)):
            tap(False, "dfdiff binary present", ["%s is missing (run make)" % K.DFDIFF])
            return 1
        if not K.lock_work_dir(a.work):
            tap(False, "exclusive use of %s" % a.work, ["another run held its lock"])
            return 1
        run_soak(a.polls, seed, sample, pool_every, a.work, tap, tls_max=a.tls_max)
        return 1 if tap.failures else 0
    return K.main_wrapper(go, tap)


if __name__ == "__main__":
    sys.exit(main())
