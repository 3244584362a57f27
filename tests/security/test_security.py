#!/usr/bin/env python3
"""Security checklist of dfdiff, one test per item, against servers on 127.0.0.1.

  A. certificate verification cannot be turned off silently: every verification failure
     fails without --insecure (and no request, so no key, reaches the server); with
     --insecure a warning goes to stderr on every run (summary, --json, watch); no
     environment variable turns it off; an empty or unreadable trust bundle is a
     configuration error, never "trust everything";
  B. the API key never reaches argv (--api-key is refused), stdout, stderr (--verbose
     too, and even when a server echoes it back), the mock's log, a proxy's log or the
     bytes a proxy carries, nor the process's memory at exit (gdb + gcore, when gdb is
     there and the binary is native); the binary does not raise its core-dump limit;
  C. TLS 1.2 minimum, AEAD suites only: TLS 1.0-only, TLS 1.1-only, CBC-only and
     static-RSA-only servers (openssl s_server, each checked to really speak what it
     should with openssl s_client) are refused; the ClientHello (captured raw, also the
     TLS 1.2 fallback one) offers only AEAD suites and TLS 1.3/1.2;
  D. the host name is checked against the URL's host, IP literals against IP SANs (extra
     leaves: DNS-only, IP-only, an IP written as a DNS name, CN only), also through a
     CONNECT proxy;
  E. redirects are never followed: a 301/302/303/307/308 to another local port (or
     scheme-relative, plain http, same host) brings no connection there;
  F. hostile sizes (megabyte strings, 10,000-digit numbers, 100 KB keys, 64-100 KB
     reason phrases, Location, Content-Type, error bodies) neither crash dfdiff nor
     overflow its fields (sanitizer output checked on an ASan build; valgrind on a
     native one);
  G. hostile text cannot reach the terminal: ESC sequences, C1 controls (U+009B and the
     raw byte 0x9B), BEL, CR, BS in JSON strings, the reason phrase, a text/plain error
     body and the Location header never reach stdout/stderr raw (get, get --json,
     --verbose, watch, watch --json, watch on a terminal apart from its own line
     control, parse, parse --json); --json escapes them.

Output: "ok - NAME" / "not ok - NAME", "#" diagnostics; exit 1 on any failure.
Environment: DFDIFF, DFDIFF_BINARY, BUILD (scratch in $BUILD/security/). Arguments:
substrings selecting cases by name.
"""

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "faults"))
sys.dont_write_bytecode = True
import faultkit as K  # noqa: E402

WORK = os.path.join(K.BUILD, "security")
KEY = "sec-KEY-9f2b6c1e8a4d7730"  # distinctive: must never show anywhere
SELECT = [a for a in sys.argv[1:] if not a.startswith("-")]
TINYPROXY = "/usr/bin/tinyproxy"

tap = K.Tap()
PKI = os.path.join(WORK, "pki")
FX = os.path.join(WORK, "fixtures")
RUNS = []  # every dfdiff run of this program, for the global key check
SANITIZED = False
ERR = None
CA = None


def pki(name):
    return os.path.join(PKI, name)


def selected(name):
    return not SELECT or any(s in name for s in SELECT)


def fixture(name):
    with open(os.path.join(K.FIXTURES, name), "rb") as f:
        return f.read()


BODY = fixture("result-different.json")       # done/different: exit 1
BODY_DONE = fixture("status-done-identical.json")  # exit 0


def dfd(args, cmd="get", key=KEY, **kw):
    r = K.run_dfdiff(args, key=key, cmd=cmd, **kw)
    RUNS.append(r)
    return r


def check(name, run, code=None, out=None, err=None, err_re=None, extra=(), notes=()):
    """code/out/err: exact; err_re: a regex stderr must match in full; extra: problems."""
    if not selected(name):
        return True
    p = list(K.crash_problems(run)) if run is not None else []
    if run is not None:
        if code is not None and run.rc != code:
            p.append("exit code %s, expected %s" % (run.rc, code))
        if out is not None and run.out != out:
            p.append("stdout differs; expected:")
            p += ["  " + ln for ln in K.show(out)] or ["  (empty)"]
        if err is not None and run.err != err:
            p.append("stderr differs; expected:")
            p += ["  " + repr(ln)[1:-1] for ln in K.show(err)] or ["  (empty)"]
        if err_re is not None and not re.fullmatch(err_re, run.err, re.S):
            p.append("stderr does not match %r" % err_re)
        if KEY.encode() in run.out_b + run.err_b:
            p.append("THE API KEY APPEARS IN THE OUTPUT")
    p += [x for x in extra if x]
    tap(not p, name, p + (run.describe() if run is not None else []), always=notes)
    return not p


BASE = {}


def baseline(body):
    """(rc, summary, json line) of `dfdiff parse` over body."""
    if body not in BASE:
        path = os.path.join(WORK, "bodies", "b%d.json" % len(BASE))
        with open(path, "wb") as f:
            f.write(body)
        BASE[body] = K.parse_baseline(path)
    return BASE[body]


def serving(leaf="ecdsa", chain=None, body=BODY, keep=True, **ckw):
    """A raw TLS server answering every request with body (keep-alive)."""
    c = K.server_ctx(PKI, leaf=leaf, chain=chain, **ckw)
    steps = [("send", K.response(body))] + ([("keep",)] if keep else [])
    return K.FaultServer(K.http_serve(c, K.script(*steps)), "serve-" + leaf)


def cert_line(cmd, ident, e, where):
    return "dfdiff: %s %d: %s for %s (use --ca-file for a private CA)\n" % (cmd, ident, ERR[e],
                                                                          where)


WARN1 = "dfdiff: warning: --insecure: the server's certificate is not verified\n"
WARN2_RE = r"dfdiff: warning: certificate problems ignored \(--insecure\): flags 0x[0-9a-f]+\n"


# ======================================================================================
# A. verification cannot be turned off silently
# ======================================================================================

BAD_CERTS = [
    # leaf, chain, URL host, error, what
    ("expired", None, "localhost", "DFD_E_TLS_CERT_EXPIRED", "expired"),
    ("future", None, "localhost", "DFD_E_TLS_CERT_FUTURE", "not yet valid"),
    ("wronghost", None, "localhost", "DFD_E_TLS_CERT_HOSTNAME", "SAN DNS:wrong.example"),
    ("otherca-leaf", None, "localhost", "DFD_E_TLS_CERT_UNKNOWN_CA", "unrelated CA"),
    ("selfsigned", None, "localhost", "DFD_E_TLS_CERT_UNKNOWN_CA", "self-signed leaf"),
    ("rsa", None, "localhost", "DFD_E_TLS_CERT_UNKNOWN_CA", "intermediate missing"),
    ("name-only", None, "127.0.0.1", "DFD_E_TLS_CERT_HOSTNAME",
     "DNS:localhost only, URL https://127.0.0.1"),
    ("ip-only", None, "localhost", "DFD_E_TLS_CERT_HOSTNAME",
     "IP:127.0.0.1 only, URL https://localhost"),
]


def section_a():
    rc1, sum1, json1 = baseline(BODY)
    rc0, sum0, json0 = baseline(BODY_DONE)
    for leaf, chain, host, e, what in BAD_CERTS:
        srv = serving(leaf, chain)
        where = "%s:%d" % (host, srv.port)
        url = ["--url", "https://" + where, "--ca-file", CA]
        n = "A: %s (%s) without --insecure: exit 5, '%s', no request reaches the server" % (
            leaf, what, ERR[e])
        if selected(n):
            r = dfd(url + ["102"])
            time.sleep(0.05)
            check(n, r, 5, out="", err=cert_line("get", 102, e, where),
                  extra=["the server got %d request(s)" % srv.count("request")]
                  if srv.count("request") else [])
        n = "A: %s (%s) with --insecure: the diff is shown, stderr warns (not verified + " \
            "the problem flags)" % (leaf, what)
        if selected(n):
            check(n, dfd(url + ["--insecure", "102"]), rc1, out=sum1,
                  err_re=re.escape(WARN1) + WARN2_RE)
        n = "A: %s (%s) with --insecure --json: JSON on stdout only, the warnings on stderr" % (
            leaf, what)
        if selected(n):
            check(n, dfd(url + ["--insecure", "--json", "102"]), rc1, out=json1,
                  err_re=re.escape(WARN1) + WARN2_RE)
        srv.close()

    srv = serving("expired", body=BODY_DONE)
    where = "localhost:%d" % srv.port
    url = ["--url", "https://" + where, "--ca-file", CA, "--interval", "0.1"]
    n = "A: watch, expired certificate, no --insecure: exit 5 at once, one connection, no request"
    if selected(n):
        r = dfd(url + ["101"], cmd="watch")
        time.sleep(0.05)
        check(n, r, 5, out="", err=cert_line("watch", 101, "DFD_E_TLS_CERT_EXPIRED", where),
              extra=["%d connections, %d requests" % (srv.count("connection"),
                                                      srv.count("request"))]
              if (srv.count("connection"), srv.count("request")) != (1, 0) else [])
    flags_note = ("note: unlike get, watch never prints 'certificate problems ignored "
                  "(--insecure): flags 0x..', so a --insecure watch does not say that the "
                  "certificate is actually expired")
    n = "A: watch --insecure, expired certificate: the summary, and the warning on stderr"
    if selected(n):
        r = dfd(url + ["--insecure", "101"], cmd="watch")
        check(n, r, rc0, err_re=re.escape(WARN1) + "(" + WARN2_RE + ")*",
              extra=[] if r.out.endswith(sum0) else ["stdout does not end with the summary"],
              notes=[flags_note] if "flags 0x" not in r.err else [])
    n = "A: watch --insecure --json, expired certificate: JSON lines only on stdout, the " \
        "warning on stderr"
    if selected(n):
        r = dfd(url + ["--insecure", "--json", "101"], cmd="watch")
        check(n, r, rc0, out=json0, err_re=re.escape(WARN1) + "(" + WARN2_RE + ")*")
    srv.close()

    srv = serving("ecdsa")
    url = ["--url", "https://localhost:%d" % srv.port, "--ca-file", CA]
    for extra_args, what in (([], "summary"), (["--json"], "--json")):
        n = "A: --insecure with a valid certificate still warns on every run (%s)" % what
        if selected(n):
            check(n, dfd(url + ["--insecure"] + extra_args + ["102"]), rc1,
                  out=json1 if extra_args else sum1, err=WARN1)
    srv.close()

    srv = serving("expired")
    where = "localhost:%d" % srv.port
    knobs = {"DFDIFF_INSECURE": "1", "DFDIFF_VERIFY": "0", "INSECURE": "1", "SSL_VERIFY": "0",
             "SSL_NO_VERIFY": "1", "GIT_SSL_NO_VERIFY": "1", "NODE_TLS_REJECT_UNAUTHORIZED": "0",
             "PYTHONHTTPSVERIFY": "0", "CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "",
             "MBEDTLS_SSL_VERIFY": "0", "DATAFOLD_INSECURE": "1", "DATAFOLD_VERIFY_SSL": "false"}
    n = "A: no environment variable turns verification off (%d common knobs set): still exit 5" \
        % len(knobs)
    if selected(n):
        check(n, dfd(["--url", "https://" + where, "--ca-file", CA, "102"], env=knobs), 5,
              out="", err=cert_line("get", 102, "DFD_E_TLS_CERT_EXPIRED", where))
    keyonly = os.path.join(WORK, "keys", "only-a-key.pem")
    shutil.copyfile(pki("ecdsa.key"), keyonly)
    empty = os.path.join(WORK, "keys", "empty.pem")
    open(empty, "w").close()
    for env, args, what in (({"SSL_CERT_FILE": "/dev/null"}, [], "SSL_CERT_FILE=/dev/null"),
                            ({"SSL_CERT_FILE": empty}, [], "SSL_CERT_FILE=an empty file"),
                            ({"SSL_CERT_FILE": keyonly}, [], "SSL_CERT_FILE=a file holding a key"),
                            ({}, ["--ca-file", "/dev/null"], "--ca-file /dev/null")):
        n = "A: %s: exit 4 (configuration error), no connection at all" % what
        if selected(n):
            before = srv.count("connection")
            r = dfd(["--url", "https://" + where] + args + ["102"], env=env)
            time.sleep(0.05)
            check(n, r, 4, out="", err_re=r"dfdiff: .*(CA|certificate).*\n",
                  extra=["the server saw a connection"] if srv.count("connection") > before
                  else [])
    n = "A: SSL_CERT_FILE=other-ca.pem (a real bundle without our CA): unknown CA, exit 5"
    if selected(n):
        check(n, dfd(["--url", "https://" + where, "102"],
                     env={"SSL_CERT_FILE": pki("other-ca.pem")}), 5, out="",
              err=cert_line("get", 102, "DFD_E_TLS_CERT_UNKNOWN_CA", where))
    srv.close()


# ======================================================================================
# B. the key
# ======================================================================================

CORE_LIMIT = 256 << 20  # bytes


def gdb_memory_case(name, args, key_mode, cmd="get", positive=False):
    """Runs dfdiff under gdb, stops at exit() (or at dfd_get for the positive control),
    dumps the process (gcore) and looks for the key in it."""
    core = os.path.join(WORK, "cores", re.sub(r"\W+", "-", name)[:60] + ".core")
    keyfile = os.path.join(WORK, "keys", "key")
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("DATAFOLD_") or k.lower().endswith("_proxy"):
            del env[k]
    env["LC_ALL"] = "C"
    if key_mode == "env":
        env["DATAFOLD_API_KEY"] = KEY
        kargs = []
    else:
        kargs = ["--api-key-file", keyfile]
    stop = "dfd_get" if positive else "exit"
    # the core is written with a size limit (ulimit -f, in 512-byte blocks): a normal
    # dfdiff dumps a few MB; never let a surprise fill the disk
    gdb = ["gdb", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
           "-ex", "set startup-with-shell off", "-ex", "break " + stop, "-ex", "run",
           "-ex", "info proc mappings", "-ex", "gcore " + core, "-ex", "kill",
           "--args", K.DFDIFF_BINARY, cmd] + kargs + args
    gdb = ["prlimit", "--fsize=%d" % CORE_LIMIT, "--"] + gdb if shutil.which("prlimit") else gdb
    t0 = time.monotonic()
    try:
        p = subprocess.run(K.pdeath_prefix() + gdb, env=env, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ["gdb did not finish in 60 s"], [], None
    secs = time.monotonic() - t0
    if not os.path.isfile(core):
        return ["gdb wrote no core: " + (p.stdout + p.stderr)[-600:]], [], None
    if os.path.getsize(core) >= CORE_LIMIT:
        os.unlink(core)
        return ["the core reached the %d MB limit (not searched)" % (CORE_LIMIT >> 20)], [], None
    maps = K.parse_gdb_mappings(p.stdout)
    hits = K.find_in_core(core, KEY.encode())
    places = ["0x%x (%s)" % (a, K.where_is(a, maps)) for a in hits]
    try:
        if hits:
            q = subprocess.run(["gdb", "-nx", "-batch", K.DFDIFF_BINARY, core] +
                               [x for a in hits[:6] for x in ("-ex", "info symbol 0x%x" % a)],
                               capture_output=True, text=True, timeout=60)
            syms = [ln for ln in q.stdout.splitlines()
                    if " in section " in ln or "No symbol" in ln]
            places = ["%s %s" % (pl, "[" + s + "]") for pl, s in zip(places, syms + [""] * 6)]
    except subprocess.TimeoutExpired:
        pass
    finally:
        try:
            os.unlink(core)  # it holds the key
        except OSError:
            pass
    return [], places, secs


def section_b(mock, mock_plain, other_mock, tinyproxy_port):
    rc1, sum1, json1 = baseline(BODY)
    M = mock.port
    refused = ("dfdiff: %s: the key is never taken from the command line (it would show in "
               "the process list): set DATAFOLD_API_KEY or use --api-key-file PATH\n")
    srv = serving("ecdsa")
    for cmd in ("get", "watch"):
        for form in (["--api-key", KEY], ["--api-key=" + KEY]):
            n = "B: %s %s on the command line is refused: exit 4, the key not echoed, no " \
                "connection" % (cmd, "--api-key=KEY" if "=" in form[0] else "--api-key KEY")
            if selected(n):
                before = srv.count("connection")
                r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA] + form +
                        ["102"], cmd=cmd, key=None)
                time.sleep(0.05)
                check(n, r, 4, out="", err=refused % cmd,
                      extra=["a connection was made"] if srv.count("connection") > before else [])
    srv.close()

    # --verbose in every situation: the key is shown redacted, never in clear
    verbose_runs = [
        ("success", ["--url", mock.url(), "--ca-file", CA, "--verbose", "102"], "get", {}),
        ("--json success", ["--url", mock.url(), "--ca-file", CA, "--verbose", "--json", "102"],
         "get", {}),
        ("401 (the server wants another key)", ["--url", other_mock.url(), "--ca-file", CA,
                                                "--verbose", "102"], "get", {}),
        ("500", ["--url", mock.url("status-500"), "--ca-file", CA, "--verbose", "7"], "get", {}),
        ("redirect", ["--url", mock.url("redirect"), "--ca-file", CA, "--verbose", "7"], "get",
         {}),
        ("certificate failure", ["--url", mock.url(), "--ca-file", pki("other-ca.pem"),
                                 "--verbose", "102"], "get", {}),
        ("plain http", ["--url", mock_plain.url(), "--verbose", "102"], "get", {}),
        ("watch of a scripted diff (9 polls)", ["--url", mock.url(), "--ca-file", CA, "--verbose",
                                                "--interval", "0.05", "9001"], "watch", {}),
        ("watch through 503s", ["--url", mock.url("flaky-1"), "--ca-file", CA, "--verbose",
                                "--interval", "0.05", "101"], "watch", {}),
    ]
    for what, args, cmd, env in verbose_runs:
        n = "B: %s --verbose, %s: the key appears nowhere, the Authorization header shows " \
            "as '[redacted]'" % (cmd, what)
        if selected(n):
            r = dfd(args, cmd=cmd, env=env)
            check(n, r, extra=[] if "Authorization: Key [redacted]" in r.err else [
                "no 'Authorization: Key [redacted]' in the --verbose output"])

    # a server that echoes the key back in its error message
    def echo(peer, head, n):
        auth = re.search(rb"(?im)^authorization:[ \t]*([^\r\n]*)", head)
        val = auth.group(1) if auth else b"(none)"
        body = b'{"detail":"invalid credentials: ' + val + b'"}'
        peer.send(K.response(body, status=401, reason="Unauthorized"))
        return True
    srv = K.FaultServer(K.http_serve(K.server_ctx(PKI), echo), "echo")
    for ctype, what in (("json", "a JSON detail"),):
        n = "B: a server echoing the Authorization header in its 401 message (%s): the key " \
            "is not printed (defence in depth: dfdiff prints the server's message)" % what
        if selected(n):
            r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA, "102"])
            r.echo = True  # counted here, not again in the all-runs check
            check(n, r, 6)
    srv.close()

    # the key file's contents
    keyfile = os.path.join(WORK, "keys", "key")
    with open(keyfile, "w") as f:
        f.write(KEY + "\n")
    os.chmod(keyfile, 0o600)

    # proxies: the key never in their logs, never in clear on the wire
    record = []
    prox = K.FaultServer(K.connect_proxy_handler(record), "connect-proxy")
    n = "B: through a CONNECT proxy (HTTPS_PROXY): the diff is read, the proxy carried no " \
        "byte of the key in clear (TLS end to end)"
    if selected(n):
        r = dfd(["--url", "https://localhost:%d" % M, "--ca-file", CA, "102"],
                env={"HTTPS_PROXY": "http://127.0.0.1:%d" % prox.port})
        time.sleep(0.1)
        carried = b"".join(b"".join(e["c2s"]) + b"".join(e["s2c"]) for e in record)
        heads = b"".join(e["head"] for e in record)
        check(n, r, rc1, out=sum1, extra=(["the proxy saw no CONNECT"] if not record else []) +
              (["THE KEY CROSSED THE PROXY IN CLEAR"] if KEY.encode() in carried + heads else []),
              notes=["proxy: %s, %d bytes tunnelled" % (record[0]["connect"] if record else "-",
                                                        len(carried))])
    prox.close()
    if tinyproxy_port:
        for url, var, what in (("https://localhost:%d" % M, "HTTPS_PROXY", "https URL"),
                               ("http://localhost:%d" % mock_plain.port, "http_proxy",
                                "http URL (tunnelled too)")):
            n = "B: tinyproxy, %s via %s: works, the key is not in tinyproxy's log" % (what, var)
            if selected(n):
                r = dfd(["--url", url, "--ca-file", CA, "102"],
                        env={var: "http://127.0.0.1:%d" % tinyproxy_port})
                time.sleep(0.2)
                log = proxy_log()
                check(n, r, rc1, out=sum1, extra=(["THE KEY IS IN TINYPROXY'S LOG"]
                                                  if KEY in log else []) +
                      ([] if re.search(r"CONNECT localhost:%d" % int(url.rsplit(":", 1)[1]), log)
                       else ["tinyproxy logged no CONNECT for it"]))
    else:
        tap(True, "B: tinyproxy log check # SKIP tinyproxy is not installed")

    # memory and core files
    n = "B: the binary never raises its core-dump limit or marks itself dumpable (no " \
        "setrlimit/prctl/madvise import)"
    if selected(n):
        if not shutil.which("nm"):
            tap(True, n + " # SKIP nm missing")
        else:
            p = subprocess.run(["nm", "-D", "--undefined-only", K.DFDIFF_BINARY],
                               capture_output=True, text=True)
            q = subprocess.run(["nm", K.DFDIFF_BINARY], capture_output=True, text=True)
            names = set(re.findall(r"\b(setrlimit|setrlimit64|prlimit|prlimit64|prctl|madvise)\b",
                                   p.stdout + q.stdout))
            tap(not names, n, ["the binary references: " + ", ".join(sorted(names))])
    # not on sanitizer builds: ASan reserves terabytes of shadow memory, which gcore
    # would try to write out
    gdb_ok = shutil.which("gdb") and not K.EMULATED and not SANITIZED
    mem_cases = [
        ("B: memory at exit, get --api-key-file: the key is nowhere in the process (gcore at "
         "exit())", ["--url", "https://localhost:%d" % M, "--ca-file", CA, "102"], "file", "get"),
        ("B: memory at exit, watch --api-key-file (9 polls): the key is nowhere in the process",
         ["--url", "https://localhost:%d" % M, "--ca-file", CA, "--interval", "0.05", "9002"],
         "file", "watch"),
    ]
    for name, args, mode, cmd in mem_cases:
        if not selected(name):
            continue
        if not gdb_ok:
            tap(True, name + " # SKIP %s" % ("gdb missing" if not shutil.which("gdb")
                                            else "emulated binary" if K.EMULATED
                                            else "sanitizer build"))
            continue
        problems, places, secs = gdb_memory_case(name, args, mode, cmd)
        if places:
            problems.append("the key is still in memory at exit: " + ", ".join(places))
        tap(not problems, name, problems, always=["gdb run %.1f s" % secs] if secs else [])
    n = "B: memory check control: at dfd_get (key in use) gcore does find the key"
    if selected(n) and gdb_ok:
        problems, places, _ = gdb_memory_case(n, ["--url", "https://localhost:%d" % M,
                                                  "--ca-file", CA, "102"], "file", positive=True)
        if not problems and not places:
            problems.append("the key was not found while in use: the memory search is broken")
        tap(not problems, n, problems, always=["found at " + ", ".join(places)] if places else [])
    n = "B: memory at exit with DATAFOLD_API_KEY: only the environment block still holds " \
        "the key (note)"
    if selected(n) and gdb_ok:
        problems, places, _ = gdb_memory_case(n, ["--url", "https://localhost:%d" % M,
                                                  "--ca-file", CA, "102"], "env")
        outside = [pl for pl in places if "[stack]" not in pl]
        if outside:
            problems.append("the key is in memory outside the environment: " + ", ".join(outside))
        tap(not problems, n, problems, always=[
            "DATAFOLD_API_KEY's own copy (the environment, top of the stack) is never wiped: "
            "found at " + (", ".join(places) or "nowhere") +
            "; --api-key-file leaves no copy"])


PROXY_DIR = None


def proxy_log():
    text = ""
    for path in [os.path.join(PROXY_DIR, "tinyproxy.log")] + [
            os.path.join(WORK, "logs", f) for f in os.listdir(os.path.join(WORK, "logs"))
            if f.startswith("tinyproxy")]:
        try:
            with open(path, "rb") as f:
                text += f.read().decode("utf-8", "replace")
        except OSError:
            pass
    return text


def start_tinyproxy():
    global PROXY_DIR
    if not (os.path.isfile(TINYPROXY) and os.access(TINYPROXY, os.X_OK)):
        return None
    d = os.path.join(WORK, "proxy")
    PROXY_DIR = d
    user, group = ("root", "root") if os.geteuid() == 0 else ("nobody", "nogroup")
    for attempt in range(3):
        port = K.free_port()
        conf = os.path.join(d, "tinyproxy.conf")
        with open(conf, "w") as f:
            f.write("\n".join(["User %s" % user, "Group %s" % group, "Port %d" % port,
                               "Listen 127.0.0.1", "Timeout 30",
                               'LogFile "%s"' % os.path.join(d, "tinyproxy.log"),
                               'PidFile "%s"' % os.path.join(d, "tinyproxy.pid"),
                               "LogLevel Info", "MaxClients 20", "Allow 127.0.0.1",
                               "DisableViaHeader Yes", ""]))
        proc = K.spawn("tinyproxy-%d" % attempt, [TINYPROXY, "-d", "-c", conf],
                       os.path.join(WORK, "logs"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if K.can_connect(port):
                return port
            time.sleep(0.05)
        K.stop_proc(proc)
    return None


# ======================================================================================
# C. TLS versions and suites
# ======================================================================================

class SServer:
    def __init__(self, name, args):
        self.name, self.args = name, args
        self.port = None
        self.log = os.path.join(WORK, "logs", name + ".log")

    def start(self):
        self.proc = K.spawn(self.name, ["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW",
                                        "-naccept", "100"] + self.args,
                            os.path.join(WORK, "logs"), cwd=os.path.join(WORK, "www"))
        return self

    def wait(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log, "rb") as f:
                m = re.search(rb"ACCEPT 127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise K.ServerError("s_server %s did not start: %s" % (self.name, open(self.log).read()[-500:]))


def s_client_ok(port, args):
    """Positive control: openssl s_client can make that handshake with the server."""
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", CA,
                        "-servername", "localhost"] + args, input=b"", capture_output=True,
                       timeout=20)
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    m = re.search(r"Protocol\s*:\s*(\S+)", text)
    c = re.search(r"Cipher is (\S+)", text)
    ok = p.returncode == 0 and c and c.group(1) != "(NONE)"
    return ok, "%s %s" % (m.group(1) if m else "?", c.group(1) if c else "?")


def capture_hellos(url_host, extra_env=None):
    """The ClientHello dfdiff sends to https://url_host:PORT (the server answers with a
    handshake_failure alert)."""
    def h(p):
        rec = p.read_record()
        if rec is not None:
            p.srv.note(p, "hello", rec)
            p.send_raw(b"\x15\x03\x03\x00\x02\x02\x28")
        p.wait_gone(5)
    srv = K.FaultServer(h, "hello")
    r = dfd(["--url", "https://%s:%d" % (url_host, srv.port), "--ca-file", CA, "102"],
            env=extra_env)
    time.sleep(0.05)
    hellos = [e[3] for e in srv.of_kind("hello")]
    srv.close()
    return r, hellos


def hello_problems(info, sni_expected):
    p = []
    if info["legacy_version"] != 0x0303:
        p.append("legacy_version 0x%04x, expected 0x0303" % info["legacy_version"])
    sv = info["supported_versions"]
    if sv is not None:
        bad = [v for v in sv if v not in (0x0303, 0x0304)]
        if bad:
            p.append("supported_versions offers %s" % ", ".join("0x%04x" % v for v in bad))
    for code in info["suites"]:
        if code in K.SIGNALLING:
            continue
        aead = K.suite_is_aead(code)
        if aead is None:
            p.append("suite 0x%04X is not known to this test (add it to SUITE_NAMES)" % code)
        elif not aead:
            p.append("non-AEAD suite offered: %s" % K.suite_name(code))
    if info["compression"] != [0]:
        p.append("compression methods %s (only null expected)" % info["compression"])
    if sni_expected is None and info["sni"] is not None:
        p.append("SNI %r sent for an IP literal (RFC 6066 3: literal IPv4 and IPv6 addresses "
                 "are not permitted in HostName)" % info["sni"])
    elif sni_expected is not None and info["sni"] != sni_expected:
        p.append("SNI %r, expected %r" % (info["sni"], sni_expected))
    return p


def hello_note(info):
    sv = info["supported_versions"]
    return "offered: versions %s; suites %s; SNI %r" % (
        ", ".join("0x%04x" % v for v in sv) if sv else "(no supported_versions)",
        ", ".join(K.suite_name(c) for c in info["suites"]), info["sni"])


def section_c():
    s = [
        ("TLS 1.0 only", SServer("s_server-tls1.0", ["-cert", pki("rsa.pem"), "-cert_chain",
                                                     pki("int.pem"), "-key", pki("rsa.key"),
                                                     "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]),
         ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]),
        ("TLS 1.1 only", SServer("s_server-tls1.1", ["-cert", pki("rsa.pem"), "-cert_chain",
                                                     pki("int.pem"), "-key", pki("rsa.key"),
                                                     "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]),
         ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]),
        ("TLS 1.2, CBC suite only (ECDHE-RSA-AES128-SHA256)",
         SServer("s_server-tls1.2-cbc", ["-cert", pki("rsa.pem"), "-cert_chain", pki("int.pem"),
                                         "-key", pki("rsa.key"), "-tls1_2",
                                         "-cipher", "ECDHE-RSA-AES128-SHA256"]),
         ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"]),
        ("TLS 1.2, CBC-SHA1 suite only (ECDHE-ECDSA-AES128-SHA)",
         SServer("s_server-tls1.2-cbc-sha1", ["-cert", pki("ecdsa.pem"), "-key", pki("ecdsa.key"),
                                              "-tls1_2", "-cipher",
                                              "ECDHE-ECDSA-AES128-SHA"]),
         ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"]),
        ("TLS 1.2, static RSA key exchange only (AES128-GCM-SHA256, no forward secrecy)",
         SServer("s_server-tls1.2-rsa-kx", ["-cert", pki("rsa.pem"), "-cert_chain", pki("int.pem"),
                                            "-key", pki("rsa.key"), "-tls1_2",
                                            "-cipher", "AES128-GCM-SHA256"]),
         ["-tls1_2", "-cipher", "AES128-GCM-SHA256"]),
    ]
    good = SServer("s_server-tls1.2-gcm", ["-cert", pki("ecdsa.pem"), "-key", pki("ecdsa.key"),
                                           "-tls1_2", "-cipher",
                                           "ECDHE-ECDSA-AES128-GCM-SHA256"])
    rsa12 = SServer("s_server-tls1.2-rsa", ["-cert", pki("rsa.pem"), "-cert_chain", pki("int.pem"),
                                            "-key", pki("rsa.key"), "-tls1_2"])
    if not shutil.which("openssl"):
        tap(False, "C: openssl missing", ["the openssl command is needed for s_server"])
        return
    for _, srv, _ in s:
        srv.start()
    good.start()
    rsa12.start()
    tls_fail = "(%s|%s)" % (re.escape(ERR["DFD_E_TLS_VERSION"]), re.escape(ERR["DFD_E_TLS_ALERT"]))
    for what, srv, client_args in s:
        n = "C: openssl s_server %s is refused: exit 5, a TLS version/suite failure, nothing " \
            "on stdout" % what
        if not selected(n):
            continue
        try:
            srv.wait()
        except K.ServerError as x:
            tap(False, n, [str(x)])
            continue
        ctl, got = s_client_ok(srv.port, client_args)
        r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA, "--verbose", "102"])
        check(n, r, 5, out="", err_re=r"(.*\n)*dfdiff: get 102: %s \(localhost:%d\)\n" % (
            tls_fail, srv.port), notes=["control: openssl s_client %s negotiates %s" % (
                " ".join(client_args), got) if ctl else "control: openssl s_client %s could "
                "not connect either (not reproducible here): %s" % (" ".join(client_args), got)])
    n = "C: control: openssl s_server TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 works, --verbose " \
        "names TLSv1.2 and a GCM suite"
    if selected(n):
        good.wait()
        rc1, sum1, _ = baseline(BODY)
        r = dfd(["--url", "https://localhost:%d" % good.port, "--ca-file", CA, "--verbose", "102"])
        check(n, r, rc1, out=sum1, extra=[] if re.search(r"\* TLSv1\.2 \S*GCM\S*, handshake",
                                                         r.err) else ["no TLSv1.2 GCM line"])

    for host, sni in (("localhost", "localhost"), ("127.0.0.1", None)):
        n1 = "C: ClientHello to https://%s: legacy_version 1.2, only TLS 1.3/1.2 offered, " \
             "only AEAD suites, null compression" % host
        n2 = "C: ClientHello to https://%s: SNI %s" % (
            host, repr(sni) if sni else "absent (an IP literal; RFC 6066 section 3)")
        if selected(n1) or selected(n2):
            r, hellos = capture_hellos(host)
            if not hellos:
                check(n1, r, extra=["no ClientHello captured"])
                continue
            info = K.parse_client_hello(hellos[0])
            p = hello_problems(info, sni)
            sni_p = [x for x in p if x.startswith("SNI")]
            check(n1, r, 5, extra=[x for x in p if x not in sni_p], notes=[hello_note(info)])
            check(n2, r, 5, extra=sni_p, notes=["SNI sent: %r" % info["sni"]])

    n = "C: the TLS 1.2 fallback ClientHello (after a server picked RSA-PSS in TLS 1.2) also " \
        "offers only AEAD suites and no TLS below 1.2"
    if selected(n):
        rsa12.wait()
        record = []
        relay = K.FaultServer(K.relay_handler(rsa12.port, record), "relay")
        rc1, sum1, _ = baseline(BODY)
        r = dfd(["--url", "https://localhost:%d" % relay.port, "--ca-file", CA, "102"])
        time.sleep(0.1)
        relay.close()
        p, notes = [], []
        for i, e in enumerate(record):
            data = b"".join(e["c2s"])
            if len(data) < 5:
                continue
            info = K.parse_client_hello(data[:5 + int.from_bytes(data[3:5], "big")])
            p += ["hello %d: %s" % (i + 1, x) for x in hello_problems(info, "localhost")]
            notes.append("hello %d: %s" % (i + 1, hello_note(info)))
        if len(record) < 2:
            notes.append("only %d connection: the fallback did not happen (fine, but not "
                         "checked)" % len(record))
        check(n, r, rc1, out=sum1, extra=p, notes=notes)


# ======================================================================================
# D. host names
# ======================================================================================

def section_d():
    rc1, sum1, _ = baseline(BODY)
    grid = [
        ("name-only", "localhost", True, "SAN DNS:localhost"),
        ("name-only", "127.0.0.1", False, "SAN DNS:localhost"),
        ("ip-only", "127.0.0.1", True, "SAN IP:127.0.0.1"),
        ("ip-only", "localhost", False, "SAN IP:127.0.0.1"),
        ("ecdsa", "localhost", True, "SAN DNS:localhost, IP:127.0.0.1"),
        ("ecdsa", "127.0.0.1", True, "SAN DNS:localhost, IP:127.0.0.1"),
        ("dns-ip", "127.0.0.1", False, "SAN DNS:127.0.0.1 (an IP written as a DNS name; "
                                       "RFC 9525 6.2: an IP reference matches iPAddress SANs "
                                       "only)"),
        ("wronghost", "localhost", False, "SAN DNS:wrong.example"),
    ]
    for leaf, host, accept, what in grid:
        n = "D: certificate with %s, URL https://%s: %s" % (
            what, host, "accepted" if accept else "hostname mismatch, exit 5")
        if not selected(n):
            continue
        srv = serving(leaf)
        where = "%s:%d" % (host, srv.port)
        r = dfd(["--url", "https://" + where, "--ca-file", CA, "102"])
        if accept:
            check(n, r, rc1, out=sum1, err="")
        else:
            check(n, r, 5, out="", err=cert_line("get", 102, "DFD_E_TLS_CERT_HOSTNAME", where))
        srv.close()
    n = "D: certificate with CN=localhost and no SAN at all, URL https://localhost (note: " \
        "legacy CN fallback)"
    if selected(n):
        srv = serving("cn-only")
        r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA, "102"])
        srv.close()
        check(n, r, extra=[] if r.rc in (rc1, 5) else ["exit %s" % r.rc],
              notes=["accepted: mbedTLS falls back to the subject CN when there is no SAN "
                     "(RFC 9525 6.3 says clients MUST NOT; public CAs always include SANs)"
                     if r.rc == rc1 else "refused"])

    # through a CONNECT proxy: the name checked is the URL's host, not the proxy's
    record = []
    prox = K.FaultServer(K.connect_proxy_handler(record), "connect-proxy-d")
    env = {"HTTPS_PROXY": "http://127.0.0.1:%d" % prox.port}
    for host, accept in (("localhost", True), ("127.0.0.1", False)):
        n = "D: through a CONNECT proxy at 127.0.0.1, certificate SAN DNS:localhost, URL " \
            "https://%s: %s" % (host, "accepted" if accept else "hostname mismatch")
        if not selected(n):
            continue
        srv = serving("name-only")
        where = "%s:%d" % (host, srv.port)
        r = dfd(["--url", "https://" + where, "--ca-file", CA, "102"], env=env)
        if accept:
            check(n, r, rc1, out=sum1, err="")
        else:
            check(n, r, 5, out="", err=cert_line("get", 102, "DFD_E_TLS_CERT_HOSTNAME", where))
        srv.close()
    prox.close()


# ======================================================================================
# E. redirects
# ======================================================================================

def section_e():
    l_tls = K.Listener("target")
    l_plain = K.Listener("target-plain")
    targets = [
        (301, "https://127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (302, "https://127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (303, "https://127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (307, "https://127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (308, "https://127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (302, "http://127.0.0.1:%d/api/v1/datadiffs/102" % l_plain.port),
        (302, "//127.0.0.1:%d/api/v1/datadiffs/102" % l_tls.port),
        (307, "https://localhost:%d/api/v1/datadiffs/102" % l_tls.port),
        (302, "/api/v1/datadiffs/103"),
    ]
    reasons = {301: "Moved Permanently", 302: "Found", 303: "See Other",
               307: "Temporary Redirect", 308: "Permanent Redirect"}
    for code, loc in targets:
        for cmd in ("get", "watch"):
            if cmd == "watch" and code not in (307,):
                continue
            n = "E: %s, %d to %s: not followed (exit 6, one request, no connection to the " \
                "target)" % (cmd, code, loc.replace(str(l_tls.port), "L").replace(
                    str(l_plain.port), "L2"))
            if not selected(n):
                continue
            srv = K.FaultServer(K.http_serve(K.server_ctx(PKI), K.script(("send", K.response(
                b"<html>moved</html>", status=code, reason=reasons[code], ctype="text/html",
                extra=[("Location", loc)])), ("keep",))), "redirect")
            before = l_tls.count("connection") + l_plain.count("connection")
            r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA] +
                    (["--interval", "0.1"] if cmd == "watch" else []) + ["102"], cmd=cmd)
            time.sleep(0.3)
            after = l_tls.count("connection") + l_plain.count("connection")
            check(n, r, 6, out="", err="dfdiff: %s 102: HTTP %d %s to %s\n" % (
                cmd, code, ERR["DFD_E_API_REDIRECT"], loc),
                extra=(["%d connection(s) reached the redirect target" % (after - before)]
                       if after > before else []) +
                (["the redirecting server got %d requests" % srv.count("request")]
                 if srv.count("request") != 1 else []))
            srv.close()
    l_tls.close()
    l_plain.close()


# ======================================================================================
# F. hostile sizes
# ======================================================================================

LIMITS = {}


def load_limits():
    text = ""
    for p in ("src/dfd_config.h", "src/http.h"):
        with open(os.path.join(K.ROOT, p)) as f:
            text += f.read()
    for name, v in re.findall(r"#define (DFD_\w+) (\d+)", text):
        LIMITS.setdefault(name, int(v))


def json_field_problems(line):
    """Every string of the --json line within its field's buffer (bytes, NUL excluded)."""
    p = []
    try:
        o = json.loads(line)
    except ValueError as x:
        return ["stdout is not one JSON line: %s" % x]
    caps = {"status": LIMITS["DFD_ENUM_TEXT_MAX"], "result": LIMITS["DFD_ENUM_TEXT_MAX"],
            "kind": LIMITS["DFD_KIND_MAX"], "created_at": LIMITS["DFD_TIME_MAX"],
            "finished_at": LIMITS["DFD_TIME_MAX"], "table1": LIMITS["DFD_TABLE_MAX"],
            "table2": LIMITS["DFD_TABLE_MAX"]}
    for k, cap in caps.items():
        v = o.get(k)
        if isinstance(v, str) and len(v.encode()) > cap - 1 + 3:  # "..." allowed
            p.append("%s is %d bytes, its buffer holds %d" % (k, len(v.encode()), cap - 1))
    e = o.get("error")
    if isinstance(e, dict):
        for k, cap in (("type", LIMITS["DFD_ERROR_TYPE_MAX"]), ("value", LIMITS["DFD_ERROR_TEXT_MAX"])):
            v = e.get(k)
            if isinstance(v, str) and len(v.encode()) > cap - 1 + 3:
                p.append("error.%s is %d bytes, its buffer holds %d" % (k, len(v.encode()), cap - 1))
    return p


def hostile_bodies():
    base = json.loads(BODY)
    big = "x" * 1000000
    out = {}
    o = dict(base, status=big, result=big, kind=big, created_at=big, finished_at=big,
             table1=["t" * 100] * 10000, table2=[big],
             monitor_error={"error_type": big, "error_value": big})
    out["megabyte strings in every text field (8 MB body)"] = json.dumps(o).encode()
    o = dict(base, id=0)
    txt = json.dumps(o)
    txt = txt.replace('"id": 0', '"id": ' + "9" * 10000, 1)
    txt = txt.replace('"rows_added": ', '"rows_added": ' + "1" * 10000 + ', "x_": ', 1)
    txt = txt.replace('"runtime": ', '"runtime": 1e999999, "y_": ', 1)
    txt = txt.replace('"match_ratio": ', '"match_ratio": 0.' + "3" * 10000 + ', "z_": ', 1)
    out["10,000-digit numbers, 1e999999"] = txt.encode()
    o = dict(base)
    o["k" * 100000] = "v"
    ds = dict(base.get("diff_stats") or {})
    ds["q" * 100000] = 1
    o["diff_stats"] = ds
    txt = json.dumps(o)
    txt = "{" + '"status": "waiting", ' * 10000 + txt[1:]
    out["100 KB keys, 10,000 repeated keys"] = txt.encode()
    o = dict(base, status="\U0001F600" * 50000, table1=["\u00e9" * 100000, "\U0001F600" * 1000],
             kind="\u2603" * 1000)
    out["100 KB of surrogate-pair escapes and multi-byte characters"] = json.dumps(o).encode()
    return out


def section_f(mock, asan):
    bodies = hostile_bodies()
    ids = {}
    for k, (what, body) in enumerate(bodies.items()):
        ident = 3100 + k
        ids[what] = ident
        with open(os.path.join(FX, "%d.json" % ident), "wb") as f:
            f.write(body)
    vg = shutil.which("valgrind") and not asan and not K.EMULATED
    for what, ident in ids.items():
        path = os.path.join(FX, "%d.json" % ident)
        pj = dfd(["--json", path], cmd="parse", key=None)
        ps = dfd([path], cmd="parse", key=None)
        n = "F: parse, %s: no crash, fields within their buffers" % what
        check(n, pj, extra=([] if pj.rc in (0, 1, 2, 3, 6) else ["exit %s" % pj.rc]) +
              (json_field_problems(pj.out) if pj.rc != 6 else []) + K.crash_problems(ps))
        n = "F: get --json and get, %s (mock): no crash, same as parse" % what
        if selected(n):
            gj = dfd(["--url", mock.url(), "--ca-file", CA, "--json", str(ident)])
            gs = dfd(["--url", mock.url(), "--ca-file", CA, str(ident)])
            check(n, gj, pj.rc, out=pj.out, extra=K.crash_problems(gs) + (
                [] if gs.out == ps.out else ["get's summary differs from parse's"]))
        n = "F: watch --timeout 1, %s: no crash" % what
        if selected(n):
            w = dfd(["--url", mock.url(), "--ca-file", CA, "--interval", "0.2", "--timeout", "1",
                     str(ident)], cmd="watch")
            check(n, w, extra=[] if w.rc in (0, 1, 2, 3, 6) else ["exit %s" % w.rc])
        if vg:
            n = "F: valgrind memcheck, parse, %s: no error" % what
            if selected(n):
                p = subprocess.run(["valgrind", "-q", "--error-exitcode=99", K.DFDIFF_BINARY,
                                    "parse", "--json", path], capture_output=True, timeout=120)
                tap(p.returncode != 99 and p.returncode < 128, n,
                    [p.stderr.decode("utf-8", "replace")[-2000:]])
    head_cases = [
        ("64 KB reason phrase on a 503", b"HTTP/1.1 503 " + b"R" * 65536 +
         b"\r\nContent-Length: 0\r\n\r\n", 6),
        ("100 KB Location on a 302", b"HTTP/1.1 302 Found\r\nLocation: https://x.example/" +
         b"a" * 100000 + b"\r\nContent-Length: 0\r\n\r\n", 6),
        ("100 KB Content-Type on a 200", b"HTTP/1.1 200 OK\r\nContent-Type: application/json; " +
         b"x=" + b"c" * 100000 + b"\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY, 1),
        ("100 KB Retry-After on a 503", b"HTTP/1.1 503 Busy\r\nRetry-After: " + b"7" * 100000 +
         b"\r\nContent-Length: 0\r\n\r\n", 6),
        ("100 KB first line of a text/plain 500 body", b"HTTP/1.1 500 Oops\r\nContent-Type: "
         b"text/plain\r\nContent-Length: 100000\r\n\r\n" + b"e" * 100000, 6),
        ("100 KB JSON detail in a 404", b"HTTP/1.1 404 Not Found\r\nContent-Type: "
         b"application/json\r\nContent-Length: 100014\r\n\r\n" + b'{"detail":"' + b"d" * 100000 +
         b'"}\n', 6),
    ]
    for what, data, code in head_cases:
        n = "F: get --verbose, %s: no crash, exit %d, one bounded stderr line" % (what, code)
        if not selected(n):
            continue
        srv = K.FaultServer(K.http_serve(K.server_ctx(PKI), K.script(("send", data))), "big")
        r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA, "--verbose", "102"])
        srv.close()
        longest = max([len(ln) for ln in r.err_b.split(b"\n")] or [0])
        check(n, r, code, extra=["a stderr line of %d bytes" % longest] if longest > 600 else [])
    if vg:
        n = "F: valgrind memcheck, get (TLS) of the megabyte-strings body: no error"
        if selected(n):
            ident = list(ids.values())[0]
            e, _ = K.clean_env(KEY, {})
            p = subprocess.run(["valgrind", "-q", "--error-exitcode=99", K.DFDIFF_BINARY, "get",
                                "--url", mock.url(), "--ca-file", CA, str(ident)],
                               capture_output=True, timeout=120, env=e)
            tap(p.returncode != 99 and p.returncode < 128, n,
                [p.stderr.decode("utf-8", "replace")[-2000:]])
    elif asan:
        tap(True, "F: sanitizer build: every run above was checked for sanitizer reports")
    else:
        tap(True, "F: valgrind checks # SKIP %s" % ("emulated binary" if K.EMULATED
                                                    else "valgrind missing"))


# ======================================================================================
# G. terminal escapes
# ======================================================================================

ESC_TEXT = {
    "status": "\x1b[31m\u009b1m\x07\r\x08s",
    "result": "r\x1b]0;t\x07\u009b2J\r",
    "kind": "\x1b[1m\x07\r\x08k",
    "created_at": "2024\x1b[2J\u009bH\x07\r\x08",
    "finished_at": "2024\x1b[?25l\u0085\r",
    "table": ["DB\x1b[31m", "S\u009b31m\x07", "T\r\x08\x1b[0m"],
    "error_type": "E\x1b[41m\u009b\x07",
    "error_value": "boom\x1b[2J\x1b[H\u009b6n\x07\r\x08\x1b]52;c;Zm9v\x07",
}


def escape_bodies():
    base = json.loads(BODY)
    pending = dict(base, status=ESC_TEXT["status"], result=None, done=False,
                   kind=ESC_TEXT["kind"], created_at=ESC_TEXT["created_at"],
                   finished_at=ESC_TEXT["finished_at"], table1=ESC_TEXT["table"],
                   table2=ESC_TEXT["table"],
                   monitor_error={"error_type": ESC_TEXT["error_type"],
                                  "error_value": ESC_TEXT["error_value"]})
    final = dict(pending, status="done", done=True, result=ESC_TEXT["result"])
    return {
        "pending, \\u escapes": json.dumps(pending).encode(),
        "final, \\u escapes": json.dumps(final).encode(),
        "final, raw UTF-8 C1 (C2 9B)": json.dumps(final, ensure_ascii=False).encode("utf-8"),
    }


FORBIDDEN = [(b"\x1b", "ESC"), (b"\x9b", "byte 0x9B (8-bit CSI)"), (b"\x07", "BEL"),
             (b"\x08", "BS"), (b"\r", "CR"), (b"\x00", "NUL"), (b"\x7f", "DEL")]


def escape_problems(data, where, tty=False):
    p = []
    if tty:
        data = re.sub(rb"\r\x1b\[K|\x1b\[3[0-7]m|\x1b\[0m", b"", data)
    for b, what in FORBIDDEN:
        if b in data:
            i = data.index(b)
            p.append("%s holds %s at byte %d: %r" % (where, what, i, data[max(0, i - 20):i + 20]))
    text = data.decode("utf-8", "replace")
    c1 = [c for c in text if 0x80 <= ord(c) <= 0x9F]
    if c1:
        p.append("%s holds C1 control U+%04X" % (where, ord(c1[0])))
    other = [c for c in text if ord(c) < 0x20 and c not in "\n"]
    if other:
        p.append("%s holds control U+%04X" % (where, ord(other[0])))
    return p


def json_escape_problems(run):
    """--json lines: valid JSON whose strings keep the hostile characters, escaped."""
    p = []
    for ln in run.out.splitlines():
        try:
            o = json.loads(ln)
        except ValueError as x:
            p.append("not JSON: %s" % x)
            continue
        st = o.get("status") or ""
        if st and st != "done" and not ESC_TEXT["status"].startswith(st):
            p.append("status %r is not (a prefix of) what the server sent" % st)
    if run.out and "\\u001b" not in run.out:
        p.append("--json does not show ESC as \\u001b")
    if run.out and "\\u009b" not in run.out:
        p.append("--json does not show U+009B as \\u009b")
    return p


def section_g(mock):
    bodies = escape_bodies()
    ids = {}
    for k, (what, body) in enumerate(bodies.items()):
        ident = 3200 + k
        ids[what] = ident
        with open(os.path.join(FX, "%d.json" % ident), "wb") as f:
            f.write(body)
    url = ["--url", mock.url(), "--ca-file", CA]
    for what, ident in ids.items():
        path = os.path.join(FX, "%d.json" % ident)
        pending = what.startswith("pending")
        runs = [
            ("get", dfd(url + [str(ident)])),
            ("get --verbose", dfd(url + ["--verbose", str(ident)])),
            ("get --json", dfd(url + ["--json", str(ident)])),
            ("parse", dfd([path], cmd="parse", key=None)),
            ("parse --json", dfd(["--json", path], cmd="parse", key=None)),
            ("watch", dfd(url + ["--interval", "0.2", "--timeout", "1", str(ident)], cmd="watch")),
            ("watch --json", dfd(url + ["--interval", "0.2", "--timeout", "1", "--json",
                                        str(ident)], cmd="watch")),
        ]
        for cmdline, r in runs:
            n = "G: %s, body %s: no ESC, C1, BEL, CR, BS on stdout or stderr%s" % (
                cmdline, what, ", JSON escapes them" if "--json" in cmdline else "")
            if not selected(n):
                continue
            p = escape_problems(r.out_b, "stdout") + escape_problems(r.err_b, "stderr")
            if "--json" in cmdline:
                p += json_escape_problems(r)
            check(n, r, extra=p + ([] if r.rc in (0, 1, 2, 3) else ["exit %s" % r.rc]))
        n = "G: watch on a terminal, body %s: only the live line's own \\r\\e[K and colours" % what
        if selected(n):
            r = dfd(url + ["--interval", "0.2", "--timeout", "1", str(ident)], cmd="watch",
                    tty=True)
            check(n, r, extra=escape_problems(r.out_b, "the terminal", tty=True) +
                  escape_problems(r.err_b, "stderr") +
                  ([] if b"\r\x1b[K" in r.out_b else ["no live line at all"]))

    # the HTTP side: reason phrase, text/plain error body, Location, JSON error detail
    http_cases = [
        ("reason phrase with a raw 0x9B byte (8-bit CSI)",
         b"HTTP/1.1 503 Busy\x9b31m now\r\nContent-Length: 0\r\n\r\n"),
        ("reason phrase with UTF-8 C1 (C2 9B)",
         b"HTTP/1.1 503 Busy\xc2\x9b31m now\r\nContent-Length: 0\r\n\r\n"),
        ("reason phrase with ESC (must be a malformed status line)",
         b"HTTP/1.1 503 Busy\x1b[31m\r\nContent-Length: 0\r\n\r\n"),
        ("text/plain 500 body with ESC, BEL, BS, UTF-8 C1",
         K.response(b"oops \x1b[2J\x1b[31mred\x07\x08 \xc2\x9b31m end\n", status=500,
                    reason="Internal Server Error", ctype="text/plain")),
        ("text/plain 500 body with a raw 0x9B byte",
         K.response(b"oops \x9b31m red\n", status=500, reason="Internal Server Error",
                    ctype="text/plain")),
        ("JSON 404 detail with \\u001b, \\u009b, BEL, CR",
         K.response(b'{"detail":"no \\u001b[31m \\u009b1m \\u0007 \\r diff"}', status=404,
                    reason="Not Found")),
        ("Location with a raw 0x9B byte",
         K.response(b"", status=302, reason="Found",
                    extra=[("Location", "https://x.example/a\x9b2Jb")])),
        ("Location with UTF-8 C1 (C2 9B)",
         K.response(b"", status=302, reason="Found",
                    extra=[("Location", "https://x.example/a\xc2\x9b2Jb")])),
        ("200 JSON error body with escapes (API error in a 200)",
         K.response(b'{"title":"T\\u001b[1m","detail":"D\\u009b2J\\u0007"}')),
    ]
    for what, data in http_cases:
        for extra_args in ([], ["--verbose"], ["--json"]):
            n = "G: get %s, %s: no ESC, C1, BEL, CR, BS on stdout or stderr" % (
                " ".join(extra_args) or "(summary)", what)
            if not selected(n):
                continue
            srv = K.FaultServer(K.http_serve(K.server_ctx(PKI), K.script(("send", data),
                                                                         ("keep",))), "esc")
            r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA] + extra_args +
                    ["102"])
            srv.close()
            check(n, r, extra=escape_problems(r.out_b, "stdout") +
                  escape_problems(r.err_b, "stderr"))
    n = "G: watch, 503 whose reason phrase holds a raw 0x9B byte (retry lines): nothing raw"
    if selected(n):
        srv = K.FaultServer(K.http_serve(K.server_ctx(PKI), K.script(("send", http_cases[0][1]),
                                                                     ("keep",))), "esc-watch")
        r = dfd(["--url", "https://localhost:%d" % srv.port, "--ca-file", CA, "--interval", "0.2",
                 "--timeout", "1", "102"], cmd="watch")
        srv.close()
        check(n, r, extra=escape_problems(r.err_b, "stderr"))


# ======================================================================================
# Main
# ======================================================================================

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
    K.prepare_dirs(WORK, ("logs", "run", "pki", "fixtures", "bodies", "keys", "cores", "proxy",
                          "www/api/v1/datadiffs"))
    os.chmod(os.path.join(WORK, "keys"), 0o700)
    ERR = K.load_err_messages()
    load_limits()
    err = K.make_pki(PKI)
    if err:
        tap(False, "test PKI (mkcerts.sh + extra leaves)", K.show(err))
        return 1
    CA = pki("ca.pem")
    with open(os.path.join(WORK, "www", "api", "v1", "datadiffs", "102"), "wb") as f:
        f.write(BODY)
    with open(os.path.join(FX, "102.json"), "wb") as f:
        f.write(BODY)
    cert = ["--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key")]
    mock = K.Mock("mock-tls", WORK, *cert, "--key-required", KEY, "--fixtures", FX).start()
    mock_plain = K.Mock("mock-plain", WORK, "--key-required", KEY, "--fixtures", FX).start()
    other = K.Mock("mock-otherkey", WORK, *cert, "--key-required", "the-other-key-0000",
                   "--fixtures", FX).start()
    proxy_port = start_tinyproxy()
    try:
        for m in (mock, mock_plain, other):
            m.wait()
    except K.ServerError as x:
        tap(False, "mock servers started", [str(x)])
        return 1
    global SANITIZED
    asan = SANITIZED = K.binary_is_sanitized()
    print("# binary: %s%s%s" % (K.DFDIFF_BINARY, " (ASan)" if asan else "",
                                " (emulated)" if K.EMULATED else ""))
    section_a()
    section_b(mock, mock_plain, other, proxy_port)
    section_c()
    section_d()
    section_e()
    section_f(mock, asan)
    section_g(mock)

    logs = mock.log_text() + mock_plain.log_text() + other.log_text()
    n = "B: the key never appears in the mocks' logs"
    if selected(n):
        tap(KEY not in logs, n, ["the key was found in a mock's log"])
    n = "B: the key never appears in the stdout or stderr of any run (%d runs)" % len(RUNS)
    if selected(n):
        bad = [" ".join(r.argv[1:3]) for r in RUNS if KEY.encode() in r.out_b + r.err_b
               and not getattr(r, "echo", False)]
        tap(not bad, n, ["found in: " + "; ".join(bad[:10])])
    n = "every dfd_err.h message these cases expect exists in src/dfd_err.h"
    tap(not ERR.missing, n, ["missing: " + ", ".join(sorted(ERR.missing))])
    print("# %d cases, %d failed, %.1f s" % (tap.cases, tap.failures, time.monotonic() - t_start))
    return 1 if tap.failures else 0


if __name__ == "__main__":
    sys.exit(K.main_wrapper(main, tap))
