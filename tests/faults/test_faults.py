#!/usr/bin/env python3
"""Fault matrix: how `dfdiff get` (and `watch`, where retrying matters) fails.

Every fault is injected on 127.0.0.1 by a server this script starts and stops:
  - the project's mock API (tests/servers/mockapi.py) for the faults it scripts
    (/f/cut, /f/reset, /f/stall, /f/hang, /f/extra, error statuses, bad JSON bodies
    served from a fixture directory filled from tests/fixtures/bad/);
  - a raw fault server of this script (tests/faults/faultkit.py: Python sockets, TLS
    through memory BIOs, one thread per connection) for everything else: resets, stalls
    and half-closes at every stage, partial and never-finished handshakes, certificate
    failures, TLS 1.0/1.1-only and CBC-only servers, raw records, alerts, and every
    malformed HTTP form;
  - nothing at all (a closed port), and a network namespace without network
    (`unshare -n`, when it works) for the unresolvable host.

For each fault: the exit code, the exact stderr line (messages from src/dfd_err.h), the
time to give up (stalls with --timeout 2 must end within 2-4 s), no crash (exit >= 128,
a kill after the harness timeout, or sanitizer output all fail), nothing on stdout when
it fails (no status the server did not send), and the API key never in the output.
What a success looks like comes from `dfdiff parse` over the served body.

Output: TAP-style "ok - NAME" / "not ok - NAME" lines, "#" diagnostics; exit 1 on any
failure. It also writes docs/RELIABILITY.md, one row per fault, when every case ran
(no selection arguments) on a native, non-sanitizer binary (not under an emulator
wrapper, not an ASan/UBSan build); otherwise the table goes to $BUILD/faults/RELIABILITY.md
only. FAULTS_NO_DOC=1 never touches docs/.
Environment: DFDIFF, DFDIFF_BINARY, BUILD (scratch in $BUILD/faults/). Arguments:
substrings selecting cases by name.
"""

import concurrent.futures
import os
import platform
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import faultkit as K  # noqa: E402

WORK = os.path.join(K.BUILD, "faults")
DOC = os.path.join(K.ROOT, "docs", "RELIABILITY.md")
KEY = "faults-KEY-7c1d93ab55"  # must never show in any output or log
SELECT = [a for a in sys.argv[1:] if not a.startswith("-")]
WORKERS = 5

tap = K.Tap()
PKI = os.path.join(WORK, "pki")
FX = os.path.join(WORK, "fixtures")


def pki(name):
    return os.path.join(PKI, name)


def fixture(name):
    with open(os.path.join(K.FIXTURES, name), "rb") as f:
        return f.read()


BODY_DIFFERENT = fixture("result-different.json")      # exit 1
BODY_PROCESSING = fixture("status-processing.json")    # exit 3
BODY_IDENTICAL = fixture("status-done-identical.json")  # exit 0

# ======================================================================================
# Cases
# ======================================================================================


class Case:
    """One fault. server: a function () -> handler for the raw server, or None;
    mock: a scenario of the mock ("" for none) when the mock serves it; url: an explicit
    URL (with {port}). want: exit code; err: the exact stderr (with {cmd}, {id},
    {where}) or None; ok_body: the body a success must show (then stdout = parse's);
    window: (min s, max s) to give up; extra(run, srv) -> problems."""

    def __init__(self, layer, fault, how, want, err=None, server=None, mock=None, url=None,
                 cmd="get", ident=102, args=(), window=(0.0, 1.5), ok_body=None, extra=None,
                 wrap=(), scheme="https", kill_after=20, expect=None):
        self.layer, self.fault, self.how = layer, fault, how
        self.want, self.err, self.server, self.mock, self.url = want, err, server, mock, url
        self.cmd, self.ident, self.args, self.window = cmd, ident, list(args), window
        self.ok_body, self.extra, self.wrap, self.scheme = ok_body, extra, wrap, scheme
        self.kill_after = kill_after
        self.expect = expect  # what should happen, in words (for the table's FAIL verdicts)
        self.name = "%s: %s (%s)" % (layer, fault, cmd)
        # results
        self.run = None
        self.problems = []
        self.notes = []
        self.where = ""


def net(e):
    return lambda: "dfdiff: {cmd} {id}: %s ({where})\n" % ERR[e]


def cert(e):
    return lambda: "dfdiff: {cmd} {id}: %s for {where} (use --ca-file for a private CA)\n" % ERR[e]


def api(e, tail=""):
    return lambda: "dfdiff: {cmd} {id}: %s%s\n" % (ERR[e], tail)


ERR = None
BASE = {}  # body bytes -> (rc, summary)


def baseline(body):
    if body not in BASE:
        path = os.path.join(WORK, "bodies", "b%d.json" % len(BASE))
        with open(path, "wb") as f:
            f.write(body)
        rc, summary, _ = K.parse_baseline(path)
        BASE[body] = (rc, summary)
    return BASE[body]


# --- raw server handlers ------------------------------------------------------------

def ctx(**kw):
    return K.server_ctx(PKI, **kw)


def serve(data, *more, c=None, tls=True):
    """After the handshake, for every request: data (application bytes), then steps."""
    return lambda: K.http_serve((c or ctx()) if tls else None, K.script(("send", data), *more))


def steps(*st, tls=True):
    return lambda: K.http_serve(ctx() if tls else None, K.script(*st))


def h_rst_accept():
    """RST 20 ms after accept, nothing read (so the client's connect() has returned)."""
    def h(p):
        time.sleep(0.02)
        p.rst()
    return h


def h_fin_accept():
    def h(p):
        p.fin()
        p.wait_gone(10)
    return h


def h_after_hello(action):
    """Reads the ClientHello record, then action(peer)."""
    def mk():
        def h(p):
            if p.read_record() is None:
                return
            action(p)
        return h
    return mk


def h_stall():
    return lambda p: p.wait_gone()


def h_partial_flight(fraction=0.5, then="stall"):
    """TLS 1.3: the server's first flight (ServerHello .. Finished) cut short."""
    def mk():
        c = ctx()

        def h(p):
            ch = p.read_record()
            if ch is None:
                return
            p.tls_begin(c)
            p.inc.write(ch)
            try:
                p.tls_step()
            except Exception:  # noqa: BLE001
                return
            flight = p.out.read()
            p.send_raw(flight[:int(len(flight) * fraction)])
            if then == "rst":
                time.sleep(0.05)
                p.rst()
            else:
                p.wait_gone()
        return h
    return mk


def h_withhold_finished():
    """TLS 1.2: the first flight goes out, the client's Finished is read, the server's
    ChangeCipherSpec + Finished never do."""
    def mk():
        c = ctx(tls_max="1.2")

        def h(p):
            p.tls_begin(c)
            while True:
                d = p.recv_raw(10)
                if not d:
                    return
                p.inc.write(d)
                try:
                    done = p.tls_step()
                except Exception:  # noqa: BLE001
                    return
                if done:
                    break
                p.tls_flush()
            p.out.read()  # withheld
            p.wait_gone()
        return h
    return mk


def h_tls_then(action, **ckw):
    def mk():
        c = ctx(**ckw)

        def h(p):
            if p.tls_accept(c):
                action(p)
        return h
    return mk


def raw_server_hello(version, suite):
    import struct
    body = struct.pack(">H", version) + os.urandom(32) + b"\x00" + struct.pack(">H", suite) + b"\x00"
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


def h_answer_hello(data, then="wait"):
    def action(p):
        p.send_raw(data)
        if then == "fin":
            p.fin()
        p.wait_gone(10)
    return h_after_hello(action)


def with_client_cert_required():
    import ssl

    def mk():
        c = ctx()
        c.verify_mode = ssl.CERT_REQUIRED
        c.load_verify_locations(pki("ca.pem"))
        return K.http_serve(c, K.script(("send", K.response(BODY_DIFFERENT))))
    return mk


def resp(body=BODY_DIFFERENT, **kw):
    return K.response(body, **kw)


def status_line(line, body=b"{}"):
    return line + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def with_header(h, body=BODY_DIFFERENT):
    return b"HTTP/1.1 200 OK\r\n" + h + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def chunk_head():
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


# --- watch handlers -------------------------------------------------------------------

def h_reset_first(n, body):
    """The first n connections are reset at once, then keep-alive answers."""
    def mk():
        c = ctx()

        def h(p):
            if p.index < n:
                time.sleep(0.02)
                p.rst()
                return
            K.http_serve(c, K.script(("send", K.response(body)), ("keep",)))(p)
        return h
    return mk


def h_unsolicited(separate_record=True):
    """Keep-alive; the first answer (processing) is followed by a second, unasked-for
    answer (done/identical): 50 ms later, or in the same TLS record. Every real request
    gets 'processing'."""
    def mk():
        c = ctx()

        def h(p):
            if not p.tls_accept(c):
                return
            n = 0
            while True:
                if p.read_request() is None:
                    return
                if n == 0 and separate_record:
                    p.send(K.response(BODY_PROCESSING))
                    time.sleep(0.05)
                    p.send(K.response(BODY_IDENTICAL))
                elif n == 0:
                    p.send(K.response(BODY_PROCESSING) + K.response(BODY_IDENTICAL))
                else:
                    p.send(K.response(BODY_PROCESSING))
                n += 1
        return h
    return mk


def h_retry_after(value):
    return steps(("send", b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: " + value +
                  b"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
                 ("keep",))


# --- watch checks ----------------------------------------------------------------------

RETRY_RE = re.compile(r"dfdiff: watch \d+: retrying in \d+\.\d s\Z")


def watch_transient(err_name, min_failures=2, timeout_s=2, where_kind="net", last=None):
    """stderr: failure lines naming err_name, each but the last followed by 'retrying',
    then 'gave up after N s (--timeout): ...'."""
    def f(case, run, srv):
        p = []
        lines = run.err.splitlines()
        msg = ERR[err_name]
        fails = [ln for ln in lines if msg in ln]
        retries = [ln for ln in lines if RETRY_RE.match(ln)]
        want_last = last or ("dfdiff: watch %d: gave up after %d s (--timeout): the diff is in "
                             "an unknown state" % (case.ident, timeout_s))
        if len(fails) < min_failures:
            p.append("%d failure line(s) naming %r, expected at least %d (retried)" % (
                len(fails), msg, min_failures))
        if not lines or lines[-1] != want_last:
            p.append("the last stderr line is not %r" % want_last)
        if len(fails) + len(retries) + 1 != len(lines):
            p.append("other lines on stderr")
        if len(retries) not in (len(fails), len(fails) - 1):
            p.append("%d 'retrying' lines for %d failures" % (len(retries), len(fails)))
        return p
    return f


def requests_at_most(n):
    def f(case, run, srv):
        got = srv.count("request") if srv else None
        return [] if got is None or got <= n else ["the server saw %d requests, expected at "
                                                   "most %d" % (got, n)]
    return f


def connections_exactly(n):
    def f(case, run, srv):
        got = srv.count("connection")
        return [] if got == n else ["the server saw %d connection(s), expected %d" % (got, n)]
    return f


def both(*fs):
    def f(case, run, srv):
        out = []
        for g in fs:
            out += g(case, run, srv)
        return out
    return f


def build_cases(mockapi, netns):
    R = mockapi.REASONS
    M = mockapi.MESSAGES
    cases = []
    add = cases.append
    ok = resp()
    head_only = ok[:ok.index(b"\r\n\r\n") + 4]
    half = ok[:len(ok) - len(BODY_DIFFERENT) // 2]
    T2 = ["--timeout", "2"]
    STALL = (1.9, 4.0)
    FAST = ["--interval", "0.1", "--max-interval", "0.2"]

    # ---------------------------------------------------------------- DNS
    add(Case("DNS", "unresolvable host name", "--url https://no-such-host.invalid%s" % (
        " in `unshare -n` (no network)" if netns else ""), 5,
        lambda: "dfdiff: {cmd} {id}: %s (no-such-host.invalid:443)\n" % ERR["DFD_E_DNS"],
        url="https://no-such-host.invalid", wrap=netns, window=(0, 10)))

    # ---------------------------------------------------------------- TCP
    add(Case("TCP", "connection refused", "a port with nothing listening", 5,
             net("DFD_E_CONNECT_REFUSED"), url="https://127.0.0.1:{dead}"))
    add(Case("TCP", "reset right after accept", "raw server: accept, 20 ms, RST (SO_LINGER 0)", 5,
             net("DFD_E_RESET"), server=h_rst_accept))
    add(Case("TCP", "FIN right after accept", "raw server: accept, shutdown(SHUT_WR)", 5,
             net("DFD_E_TLS_HANDSHAKE"), server=h_fin_accept))
    add(Case("TCP", "reset during the TLS handshake (after the ClientHello)",
             "raw server: read the ClientHello, RST", 5, net("DFD_E_RESET"),
             server=h_after_hello(lambda p: p.rst())))
    add(Case("TCP", "reset during the TLS handshake (half the server's flight sent)",
             "raw server: TLS 1.3, half of ServerHello..Finished, RST", 5, net("DFD_E_RESET"),
             server=h_partial_flight(0.5, "rst")))
    add(Case("TCP", "reset after the request is read", "raw server: TLS, read the request, RST",
             5, net("DFD_E_RESET"), server=steps(("rst",))))
    add(Case("TCP", "reset mid-headers", "raw server: TLS, 'HTTP/1.1 200 OK\\r\\nContent-Le', RST",
             5, net("DFD_E_RESET"),
             server=steps(("send", b"HTTP/1.1 200 OK\r\nContent-Le"), ("sleep", 0.05), ("rst",))))
    add(Case("TCP", "reset mid-body", "mock /f/reset: half the body, then RST", 5,
             net("DFD_E_RESET"), mock="reset", ident=7))
    add(Case("TCP", "reset mid-body (raw)", "raw server: TLS, headers + half the body, RST", 5,
             net("DFD_E_RESET"), server=steps(("send", half), ("sleep", 0.05), ("rst",))))
    add(Case("TCP", "stall right after accept", "raw server: accept, send nothing; --timeout 2",
             5, net("DFD_E_TIMEOUT_TLS"), server=h_stall, args=T2, window=STALL))
    add(Case("TCP", "stall mid-handshake", "raw server: TLS 1.3, half the server's first "
             "flight, then silence; --timeout 2", 5, net("DFD_E_TIMEOUT_TLS"),
             server=h_partial_flight(0.5), args=T2, window=STALL))
    add(Case("TCP", "stall after the request", "mock /f/hang: reads the request, says nothing; "
             "--timeout 2", 5, net("DFD_E_TIMEOUT_RESPONSE"), mock="hang", ident=7, args=T2,
             window=STALL))
    add(Case("TCP", "stall mid-headers", "raw server: TLS, 'HTTP/1.1 200 OK\\r\\nContent-Le', "
             "silence; --timeout 2", 5, net("DFD_E_TIMEOUT_RESPONSE"),
             server=steps(("send", b"HTTP/1.1 200 OK\r\nContent-Le"), ("stall",)), args=T2,
             window=STALL))
    add(Case("TCP", "headers dripped forever (1 byte / 100 ms)", "raw server: TLS, an endless "
             "header line, one byte every 100 ms; --timeout 2", 5, net("DFD_E_TIMEOUT_RESPONSE"),
             server=steps(("send", b"HTTP/1.1 200 OK\r\nX-Slow: "),
                          *[x for _ in range(60) for x in (("send", b"a"), ("sleep", 0.1))],
                          ("stall",)), args=T2, window=STALL))
    add(Case("TCP", "endless header stream at full speed", "raw server: TLS, 'X-Junk: ...' "
             "lines without end (about 40 MB); --timeout 2", 5, net("DFD_E_TIMEOUT_RESPONSE"),
             server=steps(("send", b"HTTP/1.1 200 OK\r\n"),
                          *[("send", b"X-Junk: " + b"j" * 1000 + b"\r\n") for _ in range(40000)],
                          ("stall",)), args=T2, window=STALL))
    add(Case("TCP", "stall mid-body", "mock /f/stall: headers, then silence; --timeout 2", 5,
             net("DFD_E_TIMEOUT_BODY"), mock="stall", ident=7, args=T2, window=STALL))
    add(Case("TCP", "stall mid-body (raw)", "raw server: TLS, headers + half the body, silence; "
             "--timeout 2", 5, net("DFD_E_TIMEOUT_BODY"), server=steps(("send", half), ("stall",)),
             args=T2, window=STALL))
    add(Case("TCP", "body dripped slower than the deadline", "mock /f/drip-20-64: 64 bytes "
             "every 20 ms; --timeout 1", 5, net("DFD_E_TIMEOUT_BODY"), mock="drip-20-64",
             ident=7, args=["--timeout", "1"], window=(0.9, 3.0)))
    add(Case("TCP", "half-close after the headers", "raw server: TLS, headers (Content-Length "
             "%d), FIN without close_notify" % len(BODY_DIFFERENT), 5, net("DFD_E_HTTP_TRUNCATED"),
             server=steps(("send", head_only), ("fin",))))
    add(Case("TCP", "half-close mid-body", "raw server: TLS, headers + half the body, FIN "
             "without close_notify", 5, net("DFD_E_HTTP_TRUNCATED"),
             server=steps(("send", half), ("fin",))))
    add(Case("TCP", "clean close mid-body", "mock /f/cut: half the body, close_notify + FIN", 5,
             net("DFD_E_HTTP_TRUNCATED"), mock="cut", ident=7))
    add(Case("TCP", "half-close after the request", "raw server: TLS, read the request, FIN",
             5, net("DFD_E_CLOSED"), server=steps(("fin",))))
    add(Case("TCP", "close_notify after the request", "raw server: TLS, read the request, "
             "close_notify + FIN", 5, net("DFD_E_CLOSED"), server=steps(("notify",), ("fin",))))

    # ---------------------------------------------------------------- TLS
    for leaf, what, e in (("otherca-leaf", "unknown CA (leaf of an unrelated CA)",
                           "DFD_E_TLS_CERT_UNKNOWN_CA"),
                          ("expired", "certificate expired", "DFD_E_TLS_CERT_EXPIRED"),
                          ("future", "certificate not yet valid", "DFD_E_TLS_CERT_FUTURE"),
                          ("wronghost", "hostname mismatch (SAN DNS:wrong.example)",
                           "DFD_E_TLS_CERT_HOSTNAME"),
                          ("selfsigned", "self-signed leaf", "DFD_E_TLS_CERT_UNKNOWN_CA")):
        add(Case("TLS", what, "raw server: %s.pem (mkcerts.sh / openssl)" % leaf, 5, cert(e),
                 server=lambda leaf=leaf: K.http_serve(ctx(leaf=leaf), K.script(("send", resp()))),
                 url="https://localhost:{port}"))
    add(Case("TLS", "missing intermediate", "raw server: rsa.pem without int.pem", 5,
             cert("DFD_E_TLS_CERT_UNKNOWN_CA"), url="https://localhost:{port}",
             server=lambda: K.http_serve(ctx(leaf="rsa"), K.script(("send", resp())))))
    for v in ("1.0", "1.1"):
        add(Case("TLS", "downgrade: TLS %s-only server" % v, "raw server: Python ssl, TLS %s "
                 "only, DEFAULT@SECLEVEL=0 (it answers the ClientHello with an alert)" % v, 5,
                 net("DFD_E_TLS_VERSION"),
                 server=lambda v=v: K.http_serve(ctx(leaf="rsa", chain="rsa-chain.pem",
                                                     tls_min=v, tls_max=v),
                                                 K.script(("send", resp())))))
    add(Case("TLS", "downgrade: TLS 1.2 with only a CBC suite", "raw server: TLS 1.2, ciphers "
             "ECDHE-RSA-AES128-SHA256 only (handshake_failure alert)", 5, net("DFD_E_TLS_VERSION"),
             server=lambda: K.http_serve(ctx(leaf="rsa", chain="rsa-chain.pem", tls_max="1.2",
                                             ciphers="ECDHE-RSA-AES128-SHA256"),
                                         K.script(("send", resp())))))
    add(Case("TLS", "downgrade: ServerHello picks TLS 1.0", "raw server: a crafted ServerHello "
             "with version 0x0301", 5, net("DFD_E_TLS_VERSION"),
             server=h_answer_hello(raw_server_hello(0x0301, 0xC013))))
    add(Case("TLS", "ServerHello picks a CBC suite the client did not offer", "raw server: a "
             "crafted TLS 1.2 ServerHello with ECDHE-ECDSA-AES128-CBC-SHA256", 5,
             net("DFD_E_TLS_PROTOCOL"), server=h_answer_hello(raw_server_hello(0x0303, 0xC023))))
    add(Case("TLS", "server never finishes the handshake", "raw server: TLS 1.2, withholds its "
             "ChangeCipherSpec + Finished; --timeout 2", 5, net("DFD_E_TIMEOUT_TLS"),
             server=h_withhold_finished(), args=T2, window=STALL))
    add(Case("TLS", "garbage: HTTP/1.1 400 in clear", "raw server: answers the ClientHello with "
             "a plain-text 400, FIN", 5, net("DFD_E_TLS_PROTOCOL"),
             server=h_answer_hello(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                   b"Connection: close\r\n\r\n", then="fin")))
    add(Case("TLS", "garbage: random bytes", "raw server: 3000 random bytes after the "
             "ClientHello", 5, net("DFD_E_TLS_PROTOCOL"),
             server=h_answer_hello(b"\x42\x13\x37" + bytes(range(256)) * 11)))
    add(Case("TLS", "record larger than 16 KB in the handshake", "raw server: 16 03 03 + length "
             "18000 + junk", 5, net("DFD_E_TLS_PROTOCOL"),
             server=h_answer_hello(b"\x16\x03\x03" + (18000).to_bytes(2, "big") + b"\x02" * 18000)))
    add(Case("TLS", "record larger than 16 KB after the handshake", "raw server: TLS 1.3, "
             "then 17 03 03 + length 18000 + junk instead of the response", 5,
             net("DFD_E_TLS_PROTOCOL"),
             server=h_tls_then(lambda p: (p.read_request(), p.send_raw(
                 b"\x17\x03\x03" + (18000).to_bytes(2, "big") + b"\x00" * 18000),
                 p.wait_gone(10)))))
    # handshake_failure answering a ClientHello: no parameters in common (RFC 8446 6.2)
    add(Case("TLS", "fatal alert instead of a ServerHello", "raw server: alert "
             "handshake_failure(40) after the ClientHello", 5, net("DFD_E_TLS_VERSION"),
             server=h_answer_hello(b"\x15\x03\x03\x00\x02\x02\x28")))
    add(Case("TLS", "server requires a client certificate", "raw server: TLS 1.3, "
             "CERT_REQUIRED (the client has none; certificate_required alert)", 5,
             net("DFD_E_TLS_ALERT"), server=with_client_cert_required()))

    # ---------------------------------------------------------------- HTTP
    for line, what, e in (
            (b"HTTP/2.0 200 OK", "HTTP/2.0", "DFD_E_HTTP_VERSION"),
            (b"HTTP/1.1 20 OK", "two-digit status code", "DFD_E_HTTP_STATUS_LINE"),
            (b"200 OK", "no version", "DFD_E_HTTP_STATUS_LINE"),
            (b"XYZZY PLUGH", "garbage", "DFD_E_HTTP_STATUS_LINE"),
            (b"HTTP/1.1 200OK", "'HTTP/1.1 200OK' (no space)", "DFD_E_HTTP_STATUS_LINE"),
            (b"", "empty line", "DFD_E_HTTP_STATUS_LINE"),
            (b"http/1.1 200 OK", "lower-case 'http/1.1'", "DFD_E_HTTP_STATUS_LINE"),
            (b"HTTP/1.1 101 Switching Protocols", "101 Switching Protocols (never asked for)",
             "DFD_E_HTTP_STATUS_LINE")):
        add(Case("HTTP", "status line: %s" % what, "raw server: %r" % line.decode(), 6,
                 api(e), server=serve(status_line(line))))
    add(Case("HTTP", "status 600", "raw server: 'HTTP/1.1 600 Odd', body '{}'", 6,
             api("DFD_E_API_STATUS", " (HTTP 600 Odd): {}"),
             server=serve(status_line(b"HTTP/1.1 600 Odd"))))
    for h, what, e in ((b"X-Foo bar", "header without a colon", "DFD_E_HTTP_HEADER"),
                       (b"Content-Length : 2", "space before the colon", "DFD_E_HTTP_HEADER"),
                       (b"X-Foo: a\x00b", "NUL in a header value", "DFD_E_HTTP_HEADER"),
                       (b"X-Foo: a\x01b", "control character (0x01) in a header value",
                        "DFD_E_HTTP_HEADER"),
                       (b"X-Foo: a\rb", "bare CR in a header value", "DFD_E_HTTP_HEADER"),
                       (b" X-Foo: a", "obs-fold before any header", "DFD_E_HTTP_HEADER")):
        add(Case("HTTP", what, "raw server: header line %r" % h.decode("latin-1"), 6, api(e),
                 server=serve(with_header(h))))
    add(Case("HTTP", "obs-fold continuation line", "raw server: 'X-Foo: a' + CRLF + ' b' "
             "(RFC 9112 5.2: replaced by a space)", 1, "", server=serve(with_header(
                 b"X-Foo: a\r\n b")), ok_body=BODY_DIFFERENT))
    add(Case("HTTP", "100 KB header value", "raw server: 'X-Big: ' + 100000 bytes", 1, "",
             server=serve(with_header(b"X-Big: " + b"a" * 100000)), ok_body=BODY_DIFFERENT))
    add(Case("HTTP", "100 KB Content-Length value", "raw server: 'Content-Length: 000...0N' "
             "(100000 zeros)", 6, api("DFD_E_HTTP_HEADER"),
             server=serve(b"HTTP/1.1 200 OK\r\nContent-Length: " + b"0" * 100000 + b"2\r\n\r\n{}")))
    for body, what, e in ((b"zz\r\n{}\r\n0\r\n\r\n", "bad hex size 'zz'", "DFD_E_HTTP_CHUNK"),
                          (b"2\r\n{}0\r\n\r\n", "no CRLF after the chunk data", "DFD_E_HTTP_CHUNK"),
                          (b"-2\r\n{}\r\n0\r\n\r\n", "negative size '-2'", "DFD_E_HTTP_CHUNK"),
                          (b"FFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n", "size overflowing 64 bits",
                           "DFD_E_HTTP_CHUNK"),
                          (b"8000000000000000\r\n{}\r\n0\r\n\r\n", "size 2^63", "DFD_E_HTTP_CHUNK"),
                          (b"2\r\n{}}\r\n0\r\n\r\n", "chunk longer than its size",
                           "DFD_E_HTTP_CHUNK")):
        add(Case("HTTP", "chunked: %s" % what, "raw server: chunked body %r" % body.decode(), 6,
                 api(e), server=serve(chunk_head() + body)))
    add(Case("HTTP", "chunked: last chunk missing, then close", "raw server: chunked body "
             "without '0\\r\\n\\r\\n', close_notify + FIN", 5, net("DFD_E_HTTP_TRUNCATED"),
             server=serve(chunk_head() + K.chunked(BODY_DIFFERENT)[:-5], ("notify",), ("fin",))))
    add(Case("HTTP", "body shorter than Content-Length, then close", "raw server: 100 bytes "
             "short, close_notify + FIN", 5, net("DFD_E_HTTP_TRUNCATED"),
             server=serve(ok[:-100], ("notify",), ("fin",))))
    add(Case("HTTP", "body longer than Content-Length", "mock /f/extra: 58 bytes after the "
             "body (ignored; the connection is not reused)", None, "", mock="extra", ident=101,
             ok_body=mockapi.generated_body(101)))
    add(Case("HTTP", "Content-Length shorter than the body", "mock /f/extra-short: the JSON is "
             "cut where Content-Length ends", 6, api("DFD_E_JSON_TRUNCATED"), mock="extra-short",
             ident=7))
    add(Case("HTTP", "conflicting Content-Length headers", "raw server: 'Content-Length: 5' and "
             "'Content-Length: 6'", 6, api("DFD_E_HTTP_LENGTH"),
             server=serve(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}")))
    add(Case("HTTP", "conflicting Content-Length list", "raw server: 'Content-Length: 5, 6'", 6,
             api("DFD_E_HTTP_LENGTH"),
             server=serve(b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n{}")))
    add(Case("HTTP", "negative Content-Length", "raw server: 'Content-Length: -1'", 6,
             api("DFD_E_HTTP_LENGTH"),
             server=serve(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}")))
    add(Case("HTTP", "Content-Length and chunked together", "raw server: 'Content-Length: 5' + "
             "'Transfer-Encoding: chunked' (chunked wins, connection closed after)", 1, "",
             server=serve(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked"
                          b"\r\n\r\n" + K.chunked(BODY_DIFFERENT)), ok_body=BODY_DIFFERENT))
    add(Case("HTTP", "two responses in one packet", "raw server: the response twice in one "
             "TLS record (the first is used)", 1, "", server=serve(ok + ok),
             ok_body=BODY_DIFFERENT))
    add(Case("HTTP", "response sent before the request arrives", "raw server: TLS, the "
             "response at once, then reads the request (indistinguishable from a fast "
             "server on a fresh connection)", 1, "", ok_body=BODY_DIFFERENT,
             server=h_tls_then(lambda p: (p.send(ok), p.read_request(), p.wait_gone(5)))))
    add(Case("HTTP", "1xx flood", "raw server: 100 x '100 Continue' before the answer", 6,
             api("DFD_E_HTTP_TOO_MANY_1XX"),
             server=serve(b"HTTP/1.1 100 Continue\r\n\r\n" * 100 + ok)))
    add(Case("HTTP", "interim responses", "mock /f/interim: 100 Continue + 103 Early Hints",
             None, "", mock="interim", ident=101, ok_body=mockapi.generated_body(101)))
    for code, shape in ((500, "detail"), (502, "html"), (503, "problem"), (429, "text")):
        e = "DFD_E_API_RATE_LIMITED" if code == 429 else "DFD_E_API_SERVER"
        msg = {"detail": M[code], "problem": "%s: %s" % (R[code], M[code]),
               "html": "<html><body><h1>%d %s</h1>" % (code, R[code]),
               "text": "%d %s: %s" % (code, R[code], M[code])}[shape]
        tail = ": " + msg if code == 429 else " (HTTP %d %s): %s" % (code, R[code], msg)
        add(Case("HTTP", "%d with a %s body" % (code, shape), "mock /f/status-%d-body-%s" % (
            code, shape), 6, api(e, tail), mock="status-%d-body-%s" % (code, shape), ident=7))
    add(Case("HTTP", "redirect", "mock /f/redirect: 302 to https://elsewhere.example/...", 6,
             lambda: "dfdiff: {cmd} {id}: HTTP 302 %s to https://elsewhere.example/api/v1/"
                     "datadiffs/7\n" % ERR["DFD_E_API_REDIRECT"], mock="redirect", ident=7))

    # ---------------------------------------------------------------- JSON
    for kind, fname, e in (
            ("truncated", "truncated-full-body-cut.json", "DFD_E_JSON_TRUNCATED"),
            ("not JSON (HTML proxy page)", "notjson-html-proxy-error.json", "DFD_E_JSON_NOT_JSON"),
            ("empty body", "notjson-empty.json", "DFD_E_JSON_NOT_JSON"),
            ("not an object (array)", "notobject-array.json", "DFD_E_JSON_NOT_OBJECT"),
            ("too deep (1000 unclosed arrays)", "toodeep-1000-unclosed.json",
             "DFD_E_JSON_TOO_DEEP"),
            ("bad escape deep in SQL", "escape-deep-in-sql.json", "DFD_E_JSON_BAD_ESCAPE"),
            ("bad number (leading zero)", "number-leading-zero.json", "DFD_E_JSON_BAD_NUMBER"),
            ("raw control character (NUL) in a string", "string-raw-nul.json",
             "DFD_E_JSON_BAD_STRING"),
            ("invalid UTF-8 (0xFF) in a string", "string-invalid-byte-ff.json",
             "DFD_E_JSON_BAD_STRING"),
            ("syntax error (missing comma)", "syntax-missing-comma.json", "DFD_E_JSON_SYNTAX"),
            ("trailing garbage (a second object)", "trailing-two-objects.json",
             "DFD_E_JSON_TRAILING")):
        ident = 1100 + len([c for c in cases if c.layer == "JSON"])
        JSON_FIXTURES[ident] = fname
        add(Case("JSON", "200 with a body that is %s" % kind, "mock --fixtures: "
                 "tests/fixtures/bad/%s" % fname, 6, api(e), mock="", ident=ident))
    add(Case("JSON", "200 with half the JSON", "mock /f/json-trunc", 6,
             api("DFD_E_JSON_TRUNCATED"), mock="json-trunc", ident=7))
    add(Case("JSON", "200 with an HTML page", "mock /f/json-garbage", 6,
             api("DFD_E_JSON_NOT_JSON"), mock="json-garbage", ident=7))

    # ---------------------------------------------------------------- watch (retries)
    W = "watch"
    gave_up = "dfdiff: watch {id}: gave up after %d s (--timeout): the diff is %s\n"
    add(Case("TCP", "reset mid-body on every poll", "mock /f/reset; --timeout 2: transient, "
             "retried until the deadline", 3, None, cmd=W, mock="reset", ident=8,
             args=FAST + ["--timeout", "2"], window=(2.0, 3.5),
             extra=watch_transient("DFD_E_RESET")))
    add(Case("TCP", "first two connections reset, then answers", "raw server: RST on "
             "connections 1-2, then keep-alive answers", 0, None, cmd=W,
             server=h_reset_first(2, BODY_IDENTICAL), args=FAST, window=(0.0, 3.0),
             ok_body=BODY_IDENTICAL, extra=lambda case, run, srv: (
                 [] if run.err.count(ERR["DFD_E_RESET"]) == 2 and run.err.count("retrying") == 2
                 else ["stderr does not name 2 resets and 2 retries"]) +
             connections_exactly(3)(case, run, srv)))
    add(Case("TCP", "connection refused on every poll", "nothing listening; --timeout 1: "
             "retried", 3, None, cmd=W, url="https://127.0.0.1:{dead}",
             args=FAST + ["--timeout", "1"], window=(1.0, 2.0),
             extra=watch_transient("DFD_E_CONNECT_REFUSED", timeout_s=1)))
    if netns:
        add(Case("DNS", "unresolvable host on every poll", "--url https://no-such-host.invalid "
                 "in `unshare -n`; --timeout 1: retried", 3, None, cmd=W,
                 url="https://no-such-host.invalid", wrap=netns, args=FAST + ["--timeout", "1"],
                 window=(1.0, 3.0), extra=watch_transient("DFD_E_DNS", timeout_s=1)))
    add(Case("TCP", "stall mid-body on every poll", "mock /f/stall; --request-timeout 1 "
             "--timeout 2.5: each poll times out, retried", 3, None, cmd=W, mock="stall", ident=9,
             args=FAST + ["--request-timeout", "1", "--timeout", "2.5"], window=(2.4, 4.0),
             extra=watch_transient("DFD_E_TIMEOUT_BODY", timeout_s=2,
                                   last="dfdiff: watch 9: gave up after 2 s (--timeout): the "
                                        "diff is in an unknown state")))
    add(Case("TLS", "certificate failure during a watch", "raw server: expired.pem; "
             "permanent: one connection, exit at once", 5, cert("DFD_E_TLS_CERT_EXPIRED"),
             cmd=W, url="https://localhost:{port}", args=FAST,
             server=lambda: K.http_serve(ctx(leaf="expired"), K.script(("send", resp()))),
             extra=connections_exactly(1)))
    add(Case("HTTP", "malformed status line during a watch", "raw server: 'HTTP/1.1 20 OK'; "
             "permanent: one request, exit at once", 6, api("DFD_E_HTTP_STATUS_LINE"), cmd=W,
             args=FAST, server=serve(status_line(b"HTTP/1.1 20 OK"), ("keep",)),
             extra=requests_at_most(1)))
    add(Case("HTTP", "503 twice, then answers", "mock /f/flaky-2 (Retry-After: 1)", None, None,
             cmd=W, mock="flaky-2", ident=101, args=FAST, window=(2.0, 3.5),
             ok_body=mockapi.generated_body(101),
             extra=lambda case, run, srv: [] if run.err.count("retrying in 1.0 s") == 2 else [
                 "stderr does not show two 'retrying in 1.0 s'"]))
    add(Case("JSON", "half the JSON on every poll", "mock /f/json-trunc; --timeout 1: "
             "transient, retried", 3, None, cmd=W, mock="json-trunc", ident=10,
             args=FAST + ["--timeout", "1"], window=(1.0, 2.0),
             extra=watch_transient("DFD_E_JSON_TRUNCATED", timeout_s=1)))
    for value, what in ((b"18446744073709552", "2^64/1000 s, about 585 million years"),
                        (b"9223372036854775807", "INT64_MAX s")):
        add(Case("HTTP", "429 with Retry-After: %s (%s)" % (value.decode(), what), "raw server: "
                 "429 + that Retry-After; --timeout 3: the wait is beyond the deadline, so "
                 "give up at once after 1 request", 3, None, cmd=W,
                 server=h_retry_after(value), args=FAST + ["--timeout", "3"], window=(0, 1.0),
                 expect="exit 3 at once after 1 request (the wait is past --timeout); the "
                        "value overflows 'retry_after_s * 1000' in src/client.c",
                 extra=both(requests_at_most(1), lambda case, run, srv: [] if run.err.endswith(
                     "gave up after 3 s (--timeout): the diff is in an unknown state\n")
                     and "retrying" not in run.err else ["stderr does not give up at once"])))
    add(Case("HTTP", "unsolicited response on an idle kept-alive connection", "raw server: "
             "answers poll 1 'processing', 50 ms later sends an unasked-for 'done/identical' "
             "response; every real answer is 'processing'; --timeout 2", 3, None, cmd=W,
             server=h_unsolicited(True), args=["--interval", "0.3", "--timeout", "2"],
             window=(2.0, 3.5),
             expect="the unasked-for response is never taken as an answer: exit 3 after "
                    "--timeout, still 'processing' (dfdiff took it as poll 2's answer)",
             extra=lambda case, run, srv: [] if (
                 run.err.endswith(gave_up.format(id=case.ident) % (2, "processing")) and
                 "done" not in run.out) else ["the watch did not stay at 'processing' (it "
                                              "reported a response the server sent to no "
                                              "request)"]))
    add(Case("HTTP", "two responses in one TLS record during a watch", "raw server: poll 1 "
             "gets 'processing' + an extra 'done/identical' response in the same record; "
             "--timeout 2", 3, None, cmd=W, server=h_unsolicited(False),
             args=["--interval", "0.3", "--timeout", "2"], window=(2.0, 3.5),
             extra=lambda case, run, srv: ([] if run.err.endswith(
                 gave_up.format(id=case.ident) % (2, "processing")) and "done" not in run.out
                 else ["the watch used the extra response"]) +
             ([] if srv.count("connection") >= 2 else [
                 "the connection with the extra bytes was reused"])))
    add(Case("HTTP", "1xx flood during a watch", "raw server: 100 x '100 Continue'; "
             "permanent", 6, api("DFD_E_HTTP_TOO_MANY_1XX"), cmd=W, args=FAST,
             server=serve(b"HTTP/1.1 100 Continue\r\n\r\n" * 100 + ok, ("keep",)),
             extra=requests_at_most(1)))
    return cases


JSON_FIXTURES = {}  # id -> tests/fixtures/bad/ file

# ======================================================================================
# Running a case
# ======================================================================================

MOCKS = {}
CA = None


def execute(case):
    srv = None
    try:
        if case.server is not None:
            srv = K.FaultServer(case.server(), case.name)
        if case.url:
            url = case.url.format(port=srv.port if srv else 0, dead=K.free_port())
        elif case.mock is not None:
            url = MOCKS["tls"].url(case.mock or None)
        else:
            url = "%s://127.0.0.1:%d" % (case.scheme, srv.port)
        m = re.match(r"https?://([^/]+)", url)
        host = m.group(1)
        case.where = host if ":" in host else host + ":443"
        run = K.run_dfdiff(["--url", url, "--ca-file", CA] + case.args + [str(case.ident)],
                           key=KEY, cmd=case.cmd, wrap=case.wrap, timeout=case.kill_after)
        case.run = run
        if srv:
            time.sleep(0.05)  # let the server's threads note the last events
        case.problems = judge(case, run, srv)
        if srv and srv.errors:
            case.notes.append("raw server errors: " + " | ".join(srv.errors[:6]))
    except Exception:  # noqa: BLE001 - a broken case is a failed case
        import traceback
        case.problems = ["the case raised:"] + traceback.format_exc().splitlines()
    finally:
        if srv:
            srv.close()
    return case


def expected_err(case):
    want = case.err() if callable(case.err) else case.err
    return (want.replace("{cmd}", case.cmd).replace("{id}", str(case.ident))
            .replace("{where}", case.where))


def judge(case, run, srv):
    p = K.crash_problems(run)
    want_rc, want_out = case.want, None
    if case.ok_body is not None:
        body = case.ok_body
        if isinstance(body, str) and body.startswith("fixture:"):
            body = fixture(body[len("fixture:"):])
        rc, summary = baseline(body)
        want_rc = rc if want_rc is None else want_rc
        if rc != want_rc:
            p.append("parse exits %s over the served body, the case expects %s" % (rc, want_rc))
        want_out = summary
    if run.rc != want_rc:
        p.append("exit code %s, expected %s" % (run.rc, want_rc))
    if want_out is not None:
        out = run.out
        if case.cmd == "watch":  # change lines first, the summary last
            if not out.endswith(want_out):
                p.append("stdout does not end with the summary of the served body")
        elif out != want_out:
            p.append("stdout is not the summary of the served body")
    elif run.out_b:
        # a failed get prints nothing; a failed watch only the change lines of the polls
        # that did get an answer
        if case.cmd == "get" or not re.match(r"(\[\d+:\d\d\] diff \d+: [^\n]*\n)+\Z", run.out):
            p.append("stdout is not empty although dfdiff failed (%d bytes)" % len(run.out_b))
    if case.err is not None:
        want_err = expected_err(case)
        if run.err != want_err:
            p.append("stderr is not %r" % want_err)
    lo, hi = case.window
    if K.EMULATED:  # qemu-user: handshakes take longer
        hi = hi * 3 + 1.0
    if run.secs < lo:
        p.append("gave up after %.2f s, sooner than %.1f s" % (run.secs, lo))
    if run.secs > hi:
        p.append("gave up after %.2f s, later than %.1f s" % (run.secs, hi))
    if KEY in run.out or KEY in run.err:
        p.append("THE API KEY APPEARS IN THE OUTPUT")
    if case.extra:
        try:
            p += case.extra(case, run, srv)
        except Exception as x:  # noqa: BLE001
            p.append("check raised %s: %s" % (type(x).__name__, x))
    return p


# ======================================================================================
# docs/RELIABILITY.md
# ======================================================================================

def md(text):
    return text.replace("|", "\\|").replace("\n", " ")


def stderr_cell(case):
    if case.run is None:
        return "(not run)"
    lines = case.run.err.splitlines()
    if not lines:
        return "(none)"
    text = []
    for ln in lines:
        ln = re.sub(r"retrying in \d+\.\d s", "retrying in N s", ln)
        if ln not in text:
            text.append(ln)
    if len(text) > 3:
        text = text[:2] + ["...", text[-1]]
    s = " / ".join(text)
    s = s.replace("%s %d:" % (case.cmd, case.ident), "%s ID:" % case.cmd)
    s = re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:PORT", s)
    s = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", s)
    if len(s) > 200:
        s = s[:197] + "..."
    return "`%s`" % md(s).replace("`", "'")


def secs_cell(case):
    """Rounded to 0.5 s, so that the committed table does not change from run to run."""
    if case.run is None:
        return ""
    s = case.run.secs
    return "< 0.5 s" if s < 0.5 else "%.1f s" % (round(s * 2) / 2)


def sanitize(case, text):
    text = text.replace("%s %d:" % (case.cmd, case.ident), "%s ID:" % case.cmd)
    text = re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:PORT", text)
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", text.rstrip("\n"))


def verdict_cell(case):
    if not case.problems:
        return "pass"
    if case.expect:
        want = case.expect
    elif case.err is not None:
        want = "`%s`" % sanitize(case, expected_err(case))
    else:
        want = sanitize(case, case.problems[0])
    return "**FAIL**: expected %s" % md(want)


def write_doc(cases, path, binary_note):
    npass = sum(1 for c in cases if not c.problems)
    rows = ["| layer | fault | how it was produced | exit | stderr | gave up after | verdict |",
            "|---|---|---|---|---|---|---|"]
    for c in cases:
        verdict = verdict_cell(c)
        rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            c.layer, md(c.fault) + (" (watch)" if c.cmd == "watch" else ""), md(c.how),
            c.run.rc if c.run else "", stderr_cell(c), secs_cell(c), verdict))
    text = """# Reliability: how dfdiff fails

<!-- Generated by tests/faults/test_faults.py: do not edit by hand. -->

This file is generated. `make test` regenerates it (it runs `tests/faults/test_faults.py`),
or run `python3 tests/faults/test_faults.py` (with `DFDIFF` and `BUILD` set when the
build is not in `build/`), so the committed table follows the code.

Each row is one fault injected on 127.0.0.1 against `dfdiff get` (or `dfdiff watch`,
where retrying matters) by the project's mock API (`tests/servers/mockapi.py`), by the
raw fault server of the test (Python sockets, TLS through memory BIOs, so partial
handshakes, bare FINs, resets and raw records are exact), or by nothing at all (a closed
port, a network namespace without network). Messages are those of `src/dfd_err.h`;
`ID` is the diff id, `PORT` the server's port. "Gave up after" is the wall time from
start to exit, rounded to 0.5 s; stalls run with `--timeout 2` and must end within 2-4 s. A case fails on
a wrong exit code or message, a crash (exit >= 128 or sanitizer output), output on stdout
when it fails, a hang past its window, or the API key in any output.

%d faults, %d pass, %d fail (%s).

%s
""" % (len(cases), npass, len(cases) - npass, binary_note, "\n".join(rows))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ======================================================================================
# Main
# ======================================================================================

def selected(name):
    return not SELECT or any(s in name for s in SELECT)


def main():
    global ERR, CA
    t_start = time.monotonic()
    K.install_cleanup()
    if not (os.path.isfile(K.DFDIFF) and os.access(K.DFDIFF, os.X_OK)):
        tap(False, "dfdiff binary present", ["%s is missing or not executable (run make)" % K.DFDIFF])
        return 1
    if not K.lock_work_dir(WORK):
        tap(False, "exclusive use of %s" % WORK, ["another run held its lock for 150 s"])
        return 1
    K.prepare_dirs(WORK, ("logs", "run", "pki", "fixtures", "bodies"))
    ERR = K.load_err_messages()
    mockapi = K.load_mockapi("faults")
    err = K.make_pki(PKI)
    if err:
        tap(False, "test PKI (mkcerts.sh + extra leaves)", K.show(err))
        return 1
    CA = pki("ca.pem")

    netns = ()
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"],
                                                  capture_output=True).returncode == 0:
        netns = ("unshare", "-n")
    cases = build_cases(mockapi, netns)
    for ident, fname in JSON_FIXTURES.items():
        shutil.copyfile(os.path.join(K.FIXTURES, "bad", fname), os.path.join(FX, "%d.json" % ident))
    mock = K.Mock("mock-tls", WORK, "--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key"),
                  "--key-required", KEY, "--fixtures", FX).start()
    MOCKS["tls"] = mock
    for c in cases:  # expected bodies, while the mock starts
        if c.ok_body is not None:
            b = c.ok_body
            baseline(fixture(b[len("fixture:"):]) if isinstance(b, str) and
                     b.startswith("fixture:") else b)
    try:
        mock.wait()
    except K.ServerError as x:
        tap(False, "mock API started", [str(x)] + mock.log_tail())
        return 1

    chosen = [c for c in cases if selected(c.name)]
    names = [c.name for c in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        tap(False, "case names are unique", dup)
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(execute, c) for c in chosen]
        for fut in futures:
            c = fut.result()
            diags = c.problems + (c.run.describe() if c.run else []) + c.notes
            always = ["gave up after %.2f s" % c.run.secs] if c.run and not c.problems else []
            tap(not c.problems, c.name, diags, always=always)

    n = "the key never appears in the mock's log"
    if selected(n):
        tap(KEY not in mock.log_text(), n, ["the key was found in %s" % mock.log_path])
    n = "no mock request used an unknown scenario token"
    if selected(n):
        tap("UNKNOWN SCENARIO" not in mock.log_text(), n,
            [ln for ln in mock.log_text().splitlines() if "UNKNOWN SCENARIO" in ln])
    n = "every dfd_err.h message these cases expect exists in src/dfd_err.h"
    tap(not ERR.missing, n, ["missing: " + ", ".join(sorted(ERR.missing))])
    n = "at least 40 fault cases against get, and some against watch"
    tap(len([c for c in cases if c.cmd == "get"]) >= 40 and
        any(c.cmd == "watch" for c in cases), n,
        ["%d get cases" % len([c for c in cases if c.cmd == "get"])])

    # the table: the committed one only from a full, native run
    version = ""
    try:
        version = subprocess.run([K.DFDIFF, "--version"], capture_output=True, text=True,
                                 timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    note = "%s, %s %s" % (version or "dfdiff", platform.system(), platform.machine())
    if K.EMULATED:
        note += ", under %s" % os.path.basename(K.DFDIFF)
    local = os.path.join(WORK, "RELIABILITY.md")
    write_doc(chosen, local, note)
    full = len(chosen) == len(cases)
    sanitized = K.binary_is_sanitized()
    if full and not K.EMULATED and not sanitized and os.environ.get("FAULTS_NO_DOC") != "1":
        try:
            write_doc(chosen, DOC, note)
            print("# wrote %s (%d rows)" % (os.path.relpath(DOC, K.ROOT), len(chosen)))
        except OSError as x:
            tap(False, "docs/RELIABILITY.md written", [str(x)])
    else:
        print("# docs/RELIABILITY.md not touched (%s); table in %s" % (
            "a selection ran" if not full else "emulated binary" if K.EMULATED
            else "sanitizer build" if sanitized else "FAULTS_NO_DOC=1", local))
    print("# %d cases, %d failed, %.1f s" % (tap.cases, tap.failures, time.monotonic() - t_start))
    return 1 if tap.failures else 0


if __name__ == "__main__":
    sys.exit(K.main_wrapper(main, tap))
