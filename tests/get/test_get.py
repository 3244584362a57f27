#!/usr/bin/env python3
"""Integration tests of `dfdiff get` against real servers on 127.0.0.1.

Servers (all started here, all on 127.0.0.1 and free ports, all stopped at the end, also
on failure or interruption):
  - tests/servers/mockapi.py: the scripted mock API (TLS ECDSA, plain HTTP, a wrong key,
    TLS 1.2-only, TLS 1.3-only), for the fault scenarios and the HTTP error matrix;
  - nginx (Debian's nginx-light): TLS 1.2 / TLS 1.3 x RSA-2048 chain / ECDSA P-256, one
    server block each, plus one plain-HTTP block, serving fixture bodies;
  - openssl s_server -WWW: an independent TLS stack with HTTP/1.0 close-delimited answers,
    and the certificate-failure servers (expired, future, wrong host, other CA, RSA leaf
    without its intermediate);
  - a listening socket of this script that never answers (TLS handshake timeout).

What is expected comes from the project itself, never from the binary under test alone:
bodies are checked against `dfdiff parse` (whose exit codes are checked against a hand
table first), error texts against src/dfd_err.h, server messages against the mock's own
tables. The API key is a distinctive string that must never appear in any output.

Output: one "ok - NAME" / "not ok - NAME" line per case, "#" lines explaining failures.
Exit status 1 when any case failed. Environment: DFDIFF (default build/dfdiff under the
repository root), BUILD (default build/); everything generated goes to $BUILD/get-tests/.
Arguments: substrings selecting cases by name (default: all).
"""

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "faults"))
import faultkit as K  # noqa: E402  (reporting, processes, the mock, dfd_err.h)
from faultkit import (ServerError, can_connect, free_port, load_err_messages,  # noqa: E402
                      shlex_quote, show)

DFDIFF, BUILD = K.DFDIFF, K.BUILD
WORK = os.path.join(BUILD, "get-tests")
FIXTURES, MKCERTS = K.FIXTURES, K.MKCERTS
NGINX = "/usr/sbin/nginx"

KEY = "sekrit-KEY-123"           # must never show in any output
OTHER_KEY = "other-key-for-401"  # what the wrong-key mock wants
SELECT = [a for a in sys.argv[1:] if not a.startswith("-")]

# ======================================================================================
# Reporting
# ======================================================================================

tap = K.Tap()


def selected(name):
    return not SELECT or any(s in name for s in SELECT)


# ======================================================================================
# Processes: every server in its own process group, killed at exit whatever happens
# ======================================================================================

def spawn(name, argv, cwd=None):
    return K.spawn(name, argv, os.path.join(WORK, "logs"), cwd=cwd)


LISTENERS = []  # sockets of this script (the silent TLS server)


def close_listeners():
    while LISTENERS:
        s = LISTENERS.pop()
        try:
            s.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass


def start_raw_server(answer):
    """A non-TLS server of this script on 127.0.0.1: reads what the client sends (its
    ClientHello), then sends `answer` in clear (may be b""), closes its side with a FIN and
    drains until the client leaves. Returns the port."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    LISTENERS.append(ls)

    def serve():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            try:
                c.settimeout(5)
                c.recv(65536)
                if answer:
                    c.sendall(answer)
                c.shutdown(socket.SHUT_WR)
                while c.recv(65536):
                    pass
            except OSError:
                pass
            finally:
                c.close()

    threading.Thread(target=serve, daemon=True).start()
    return ls.getsockname()[1]


def log_tail(name, n=15):
    try:
        with open(os.path.join(WORK, "logs", name + ".log"), "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return ["%s log: %s" % (name, line) for line in lines[-n:]]
    except OSError:
        return []


def Mock(name, *args):
    """tests/servers/mockapi.py with its files under $WORK (faultkit.Mock)."""
    return K.Mock(name, WORK, *args)


class SServer:
    """openssl s_server -WWW in the web root; the port comes from its ACCEPT line."""

    def __init__(self, name, *args):
        self.name = name
        self.args = list(args)
        self.port = None
        self.proc = None

    def start(self):
        argv = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW"] + self.args
        self.proc = spawn(self.name, argv, cwd=WEBROOT)
        return self

    def wait(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        path = os.path.join(WORK, "logs", self.name + ".log")
        while time.monotonic() < deadline:
            with open(path, "rb") as f:
                m = re.search(rb"ACCEPT 127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise ServerError("s_server %s exited with %s" % (self.name, self.proc.returncode))
            time.sleep(0.02)
        raise ServerError("s_server %s: no ACCEPT line after %.0f s" % (self.name, timeout))


# ======================================================================================
# Running dfdiff
# ======================================================================================

class Run:
    def __init__(self, argv, shown_env, rc, out, err, secs):
        self.argv, self.shown_env, self.rc, self.out, self.err, self.secs = (
            argv, shown_env, rc, out, err, secs)

    def describe(self):
        cmd = " ".join(shlex_quote(a) for a in self.argv)
        d = ["command: %s%s" % ("".join(e + " " for e in self.shown_env), cmd.replace(KEY, "$KEY")),
             "exit code: %s (%.2f s)" % (self.rc, self.secs)]
        d += ["stdout: " + line for line in show(self.out)] or ["stdout: (empty)"]
        d += ["stderr: " + line for line in show(self.err)] or ["stderr: (empty)"]
        return d


def dfdiff(args, key=KEY, env=None, timeout=45, wrap=(), cmd="get"):
    # nothing from the caller's environment that could change where dfdiff connects or
    # what it trusts: DATAFOLD_*, SSL_CERT_FILE, and every *_proxy variable
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DATAFOLD_") and k != "SSL_CERT_FILE"
         and not k.lower().endswith("_proxy")}
    e["LC_ALL"] = "C"
    shown = []
    if key is not None:
        e["DATAFOLD_API_KEY"] = key
        shown.append("DATAFOLD_API_KEY=" + ("$KEY" if key == KEY else shlex_quote(key)))
    for k, v in (env or {}).items():
        e[k] = v
        shown.append("%s=%s" % (k, shlex_quote(v)))
    argv = list(wrap) + [DFDIFF, cmd] + list(args)
    t0 = time.monotonic()
    try:
        cp = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=timeout)
        rc, out, err = cp.returncode, cp.stdout, cp.stderr
    except subprocess.TimeoutExpired as x:
        rc, out, err = "killed after %d s" % timeout, x.stdout or b"", x.stderr or b""
    secs = time.monotonic() - t0
    return Run(argv, shown, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               secs)


def check(name, run, code, out=None, json_obj=None, err=None, err_has=(), extra=None,
          max_secs=None, min_secs=None):
    """One case. code: exact exit code; out: exact stdout; json_obj: stdout must be exactly
    one JSON line equal to it; err: exact stderr; err_has: substrings of stderr; extra:
    a function returning a list of further problems."""
    problems = []
    if run.rc != code:
        problems.append("exit code %s, expected %s" % (run.rc, code))
    if out is not None and run.out != out:
        problems.append("stdout differs; expected:")
        problems += ["  " + line for line in show(out)] or ["  (empty)"]
    if json_obj is not None:
        lines = run.out.split("\n")
        if len(lines) != 2 or lines[1] != "":
            problems.append("stdout is not exactly one line (%d newline(s))" % run.out.count("\n"))
        else:
            try:
                got = json.loads(lines[0])
            except ValueError as x:
                problems.append("stdout is not JSON: %s" % x)
            else:
                if got != json_obj:
                    keys = sorted(set(got) | set(json_obj))
                    for k in keys:
                        if got.get(k, "<absent>") != json_obj.get(k, "<absent>"):
                            problems.append("field %s: got %s, expected %s" % (
                                k, json.dumps(got.get(k, "<absent>")),
                                json.dumps(json_obj.get(k, "<absent>"))))
    if err is not None and run.err != err:
        problems.append("stderr differs; expected:")
        problems += ["  " + line for line in show(err)] or ["  (empty)"]
    for s in err_has:
        if s not in run.err:
            problems.append("stderr lacks %r" % s)
    if KEY in run.out or KEY in run.err:
        problems.append("THE API KEY APPEARS IN THE OUTPUT")
    if max_secs is not None and run.secs > max_secs:
        problems.append("took %.2f s, limit %.1f s" % (run.secs, max_secs))
    if min_secs is not None and run.secs < min_secs:
        problems.append("took %.2f s, expected at least %.1f s" % (run.secs, min_secs))
    if extra:
        problems += extra(run)
    tap(not problems, name, problems + run.describe())
    return not problems


# ======================================================================================
# Expected values: dfd_err.h messages, mock tables, parse baselines
# ======================================================================================

def load_mockapi():
    return K.load_mockapi("get_tests")


# diff ids served by every server: id -> fixture file (bodies served as they are)
FIXTURE_IDS = {
    101: "status-done-identical.json",
    102: "result-different.json",
    103: "status-failed.json",
    104: "status-processing.json",
    105: "realistic-big-counts.json",
    106: "unicode-table-names.json",
    107: "decoys-sql-strings.json",
    108: "whitespace-crlf.json",
    109: "result-missing-pks.json",
    110: "status-cancelled.json",
    111: "result-empty.json",
}
ERROR_BODY_ID = 120  # error-problem-json.json answered with 200
HAND_EXIT = {101: 0, 102: 1, 103: 2, 104: 3, 109: 1, 110: 2, 111: 0, ERROR_BODY_ID: 6}
GENERATED_IDS = (7, 10, 999)  # the mock generates these (7 is also in the web root)

EXPECT = {}  # id -> dict(rc, summary, json, size)


def compute_expected(ids_to_files):
    problems = []
    for i, path in sorted(ids_to_files.items()):
        s = dfdiff([path], key=None, cmd="parse")
        j = dfdiff(["--json", path], key=None, cmd="parse")
        obj = None
        if j.rc != 6:
            try:
                obj = json.loads(j.out)
            except ValueError:
                problems.append("id %d: parse --json printed no JSON: %r" % (i, j.out[:200]))
        if s.rc != j.rc:
            problems.append("id %d: parse exits %s, parse --json %s" % (i, s.rc, j.rc))
        EXPECT[i] = {"rc": s.rc, "summary": s.out, "json": obj, "size": os.path.getsize(path)}
        want = HAND_EXIT.get(i)
        if want is not None and s.rc != want:
            problems.append("id %d (%s): parse exits %s, the hand table says %s" % (
                i, os.path.basename(path), s.rc, want))
        if not isinstance(s.rc, int) or not 0 <= s.rc <= 3 and i != ERROR_BODY_ID:
            problems.append("id %d: parse exit %s is not a diff state" % (i, s.rc))
    return problems


def ok_summary(name, run, i):
    e = EXPECT[i]
    return check(name, run, e["rc"], out=e["summary"], err="")


def ok_json(name, run, i):
    e = EXPECT[i]
    return check(name, run, e["rc"], json_obj=e["json"], err="")


def verbose_problems(i, host, tls_version, reason="OK"):
    def f(run):
        p = []
        lines = run.err.splitlines()
        first = "> GET /api/v1/datadiffs/%d (Host: %s, Authorization: Key [redacted])" % (i, host)
        if not lines or lines[0] != first:
            p.append("first stderr line is not %r" % first)
        if tls_version:
            if not any(re.match(r"\* %s \S+, handshake \d+ ms\Z" % re.escape(tls_version), line)
                       for line in lines):
                p.append("no '* %s <suite>, handshake N ms' line" % tls_version)
            other = "TLSv1.3" if tls_version == "TLSv1.2" else "TLSv1.2"
            if other in run.err:
                p.append("stderr names %s" % other)
        elif "TLSv1." in run.err:
            p.append("a plain-HTTP exchange shows a TLS version")
        if "< HTTP 200 %s" % reason not in lines:
            p.append("no '< HTTP 200 %s' line" % reason)
        body = "body %d bytes" % EXPECT[i]["size"]
        if not lines or not lines[-1].endswith(body):
            p.append("last line does not end with %r" % body)
        if "[redacted]" not in run.err:
            p.append("the Authorization header is not shown as redacted")
        return p
    return f


def verbose_case(name, run, i, host, tls_version, reason="OK"):
    e = EXPECT[i]
    return check(name, run, e["rc"], out=e["summary"],
                 extra=verbose_problems(i, host, tls_version, reason))


# ======================================================================================
# Setup
# ======================================================================================

WEBROOT = os.path.join(WORK, "www")
PKI = os.path.join(WORK, "pki")


def pki(name):
    return os.path.join(PKI, name)


def prepare_dirs():
    K.prepare_dirs(WORK, ("logs", "run", "bodies", "fixtures", "www/api/v1/datadiffs", "pki",
                          "nginx/tmp", "keys"))


def write_bodies(mockapi):
    """Bodies in $WORK/bodies (for parse), the mock's fixture dir and the web root."""
    paths = {}
    for i, name in list(FIXTURE_IDS.items()) + [(ERROR_BODY_ID, "error-problem-json.json")]:
        with open(os.path.join(FIXTURES, name), "rb") as f:
            body = f.read()
        for d, fname in ((os.path.join(WORK, "bodies"), "%d.json" % i),
                         (os.path.join(WORK, "fixtures"), "%d.json" % i),
                         (os.path.join(WEBROOT, "api/v1/datadiffs"), str(i))):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(body)
        paths[i] = os.path.join(WORK, "bodies", "%d.json" % i)
    for i in GENERATED_IDS:
        body = mockapi.generated_body(i)
        p = os.path.join(WORK, "bodies", "%d.json" % i)
        with open(p, "wb") as f:
            f.write(body)
        paths[i] = p
        if i == 7:
            with open(os.path.join(WEBROOT, "api/v1/datadiffs", "7"), "wb") as f:
                f.write(body)
    return paths


NGINX_BLOCKS = [
    # name, TLS version, certificate (chain), key
    ("tls12-rsa", "TLSv1.2", "rsa-chain.pem", "rsa.key"),
    ("tls13-ecdsa", "TLSv1.3", "ecdsa.pem", "ecdsa.key"),
    ("tls12-ecdsa", "TLSv1.2", "ecdsa.pem", "ecdsa.key"),
    ("tls13-rsa", "TLSv1.3", "rsa-chain.pem", "rsa.key"),
    ("plain", None, None, None),
]


def nginx_conf(ports):
    d = os.path.join(WORK, "nginx")
    tmp = os.path.join(d, "tmp")
    lines = []
    if os.geteuid() == 0:
        lines.append("user root;")
    lines += [
        "daemon off;",
        "master_process off;",
        "worker_processes 1;",
        "pid %s;" % os.path.join(d, "nginx.pid"),
        "error_log %s info;" % os.path.join(d, "error.log"),
        "events { worker_connections 64; }",
        "http {",
        "  access_log %s;" % os.path.join(d, "access.log"),
        "  client_body_temp_path %s;" % os.path.join(tmp, "client_body"),
        "  proxy_temp_path %s;" % os.path.join(tmp, "proxy"),
        "  fastcgi_temp_path %s;" % os.path.join(tmp, "fastcgi"),
        "  uwsgi_temp_path %s;" % os.path.join(tmp, "uwsgi"),
        "  scgi_temp_path %s;" % os.path.join(tmp, "scgi"),
        "  types { }",
        "  default_type application/json;",
        "  server_tokens off;",
        "  keepalive_timeout 5s;",
    ]
    for (name, version, cert, key), port in zip(NGINX_BLOCKS, ports):
        lines += ["  server {  # %s" % name,
                  "    listen 127.0.0.1:%d%s;" % (port, " ssl" if version else ""),
                  "    server_name localhost;",
                  "    root %s;" % WEBROOT]
        if version:
            lines += ["    ssl_protocols %s;" % version,
                      "    ssl_certificate %s;" % pki(cert),
                      "    ssl_certificate_key %s;" % pki(key)]
        lines += ["    location / { try_files $uri =404; }", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def start_nginx():
    """Returns {block name: port}; retries with other ports if one was taken meanwhile."""
    conf = os.path.join(WORK, "nginx", "nginx.conf")
    last = ""
    for attempt in range(3):
        ports = []
        while len(ports) < len(NGINX_BLOCKS):
            p = free_port()
            if p not in ports:
                ports.append(p)
        with open(conf, "w") as f:
            f.write(nginx_conf(ports))
        name = "nginx-%d" % attempt
        proc = spawn(name, [NGINX, "-p", os.path.join(WORK, "nginx"), "-c", conf,
                            "-e", os.path.join(WORK, "nginx", "error.log")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if all(can_connect(p) for p in ports):
                return {b[0]: p for b, p in zip(NGINX_BLOCKS, ports)}
            time.sleep(0.05)
        last = "\n".join(log_tail(name))
        try:
            with open(os.path.join(WORK, "nginx", "error.log"), "rb") as f:
                last += "\n" + "\n".join(f.read().decode("utf-8", "replace").splitlines()[-10:])
        except OSError:
            pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    raise ServerError("nginx did not start:\n" + last)


# ======================================================================================
# The cases
# ======================================================================================

def main():
    t_start = time.monotonic()
    K.install_cleanup()
    atexit.register(close_listeners)

    if not (os.path.isfile(DFDIFF) and os.access(DFDIFF, os.X_OK)):
        tap(False, "dfdiff binary present", ["%s is missing or not executable (run make)" % DFDIFF])
        return 1
    if not K.lock_work_dir(WORK, wait=120):
        tap(False, "exclusive use of %s" % WORK, ["another run held its lock for 120 s"])
        return 1
    prepare_dirs()
    ERR = load_err_messages()
    mockapi = load_mockapi()

    # --- servers that take a while start first (Python startup), in parallel ----------
    mk = subprocess.run(["bash", MKCERTS, PKI], capture_output=True)
    if mk.returncode != 0:
        tap(False, "test PKI (mkcerts.sh)", show((mk.stdout + mk.stderr).decode("utf-8", "replace")))
        return 1
    paths = write_bodies(mockapi)
    fx = os.path.join(WORK, "fixtures")
    mocks = {
        "main": Mock("mock-main", "--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key"),
                     "--key-required", KEY, "--fixtures", fx),
        "plain": Mock("mock-plain", "--key-required", KEY, "--fixtures", fx),
        "otherkey": Mock("mock-otherkey", "--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key"),
                         "--key-required", OTHER_KEY, "--fixtures", fx),
        "tls12": Mock("mock-tls12-ecdsa", "--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key"),
                      "--tls-min", "1.2", "--tls-max", "1.2", "--key-required", KEY,
                      "--fixtures", fx),
        "tls12rsa": Mock("mock-tls12-rsa", "--cert", pki("rsa-chain.pem"), "--key",
                         pki("rsa.key"), "--tls-min", "1.2", "--tls-max", "1.2",
                         "--key-required", KEY, "--fixtures", fx),
        "tls13": Mock("mock-tls13-rsa", "--cert", pki("rsa-chain.pem"), "--key", pki("rsa.key"),
                      "--tls-min", "1.3", "--tls-max", "1.3", "--key-required", KEY,
                      "--fixtures", fx),
    }
    sservers = {
        "ecdsa": SServer("s_server-ecdsa", "-cert", pki("ecdsa.pem"), "-key", pki("ecdsa.key")),
        "rsa13": SServer("s_server-tls13-rsa", "-cert", pki("rsa.pem"), "-cert_chain",
                         pki("int.pem"), "-key", pki("rsa.key"), "-tls1_3"),
        "rsa12": SServer("s_server-tls12-rsa", "-cert", pki("rsa.pem"), "-cert_chain",
                         pki("int.pem"), "-key", pki("rsa.key"), "-tls1_2"),
        "rsa12pkcs1": SServer("s_server-tls12-rsa-pkcs1", "-cert", pki("rsa.pem"), "-cert_chain",
                              pki("int.pem"), "-key", pki("rsa.key"), "-tls1_2",
                              "-sigalgs", "RSA+SHA256:RSA+SHA384"),
        "expired": SServer("s_server-expired", "-cert", pki("expired.pem"), "-key", pki("expired.key")),
        "future": SServer("s_server-future", "-cert", pki("future.pem"), "-key", pki("future.key")),
        "wronghost": SServer("s_server-wronghost", "-cert", pki("wronghost.pem"), "-key",
                             pki("wronghost.key")),
        "otherca": SServer("s_server-otherca-leaf", "-cert", pki("otherca-leaf.pem"), "-key",
                           pki("otherca-leaf.key")),
        "nochain": SServer("s_server-rsa-no-intermediate", "-cert", pki("rsa.pem"), "-key",
                           pki("rsa.key")),
    }
    for m in mocks.values():
        m.start()
    have_openssl = shutil.which("openssl") is not None
    if have_openssl:
        for s in sservers.values():
            s.start()
    have_nginx = os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)
    nginx_ports = None
    nginx_error = None
    if have_nginx:
        try:
            nginx_ports = start_nginx()
        except ServerError as x:
            nginx_error = str(x)

    # silent server: accepts TCP (kernel backlog) and never says a word
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    LISTENERS.append(silent)
    silent_port = silent.getsockname()[1]
    eof_port = start_raw_server(b"")
    clear400_port = start_raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                     b"Connection: close\r\n\r\n")

    # --- expected values (while the mocks start) --------------------------------------
    problems = compute_expected(paths)
    tap(not problems, "baseline: dfdiff parse over the served bodies agrees with the hand table",
        problems)

    try:
        for m in mocks.values():
            m.wait()
        if have_openssl:
            for s in sservers.values():
                s.wait()
    except ServerError as x:
        diags = [str(x)]
        for name, _ in K.PROCS:
            diags += log_tail(name, 5)
        tap(False, "test servers started", diags)
        return 1
    tap(True, "test servers started", always=["%d mocks, %d s_servers, nginx %s, ready after %.1f s"
                                              % (len(mocks), len(sservers) if have_openssl else 0,
                                                 "yes" if nginx_ports else "no",
                                                 time.monotonic() - t_start)])

    M = mocks["main"].port
    PL = mocks["plain"].port
    ca = pki("ca.pem")

    def tls(port, path=""):
        return ["--url", "https://localhost:%d%s" % (port, path), "--ca-file", ca]

    def where(port, host="localhost"):
        return "(%s:%d)" % (host, port)

    def line(i, text):
        return "dfdiff: get %d: %s\n" % (i, text)

    def cert_line(i, err, port):
        return line(i, "%s for localhost:%d (use --ca-file for a private CA)" % (ERR[err], port))

    # ==================================================================================
    # 1. nginx: the four handshake kinds, plain HTTP
    # ==================================================================================
    if not have_nginx:
        tap(False, "nginx missing", ["%s not found: apt-get install -y nginx-light" % NGINX])
    elif nginx_ports is None:
        tap(False, "nginx started", nginx_error.splitlines())
    else:
        for block, version, cert, _ in NGINX_BLOCKS:
            if not version:
                continue
            port = nginx_ports[block]
            what = "nginx %s %s" % (version.replace("v", " "), "RSA-2048 + intermediate"
                                    if cert.startswith("rsa") else "ECDSA P-256")
            n = "%s: summary (id 102, done/different)" % what
            if selected(n):
                ok_summary(n, dfdiff(tls(port) + ["102"]), 102)
            n = "%s: --json (id 105) matches parse --json" % what
            if selected(n):
                ok_json(n, dfdiff(tls(port) + ["--json", "105"]), 105)
            n = "%s: --verbose (id 101) shows %s, never the key" % (what, version)
            if selected(n):
                verbose_case(n, dfdiff(tls(port) + ["--verbose", "101"]), 101,
                             "localhost:%d" % port, version)
        port = nginx_ports["tls13-ecdsa"]
        for i in sorted(FIXTURE_IDS):
            n = "nginx TLS 1.3 ECDSA: --json id %d (%s)" % (i, FIXTURE_IDS[i])
            if selected(n):
                ok_json(n, dfdiff(tls(port) + ["--json", str(i)]), i)
        n = "nginx TLS 1.3 ECDSA: generated 7 KB body (id 7) via https://127.0.0.1 (IP SAN)"
        if selected(n):
            ok_json(n, dfdiff(["--url", "https://127.0.0.1:%d" % port, "--ca-file", ca,
                               "--json", "7"]), 7)
        n = "nginx TLS 1.3 ECDSA: unknown id -> nginx's 404 page, exit 6"
        if selected(n):
            check(n, dfdiff(tls(port) + ["4242"]), 6, out="",
                  err=line(4242, ERR["DFD_E_API_NOT_FOUND"] + ": <html>"))
        pl = nginx_ports["plain"]
        n = "nginx plain HTTP: http:// URL, summary (id 102)"
        if selected(n):
            ok_summary(n, dfdiff(["--url", "http://localhost:%d" % pl, "102"]), 102)
        n = "nginx plain HTTP: --verbose shows no TLS line"
        if selected(n):
            verbose_case(n, dfdiff(["--url", "http://localhost:%d" % pl, "--verbose", "101"]),
                         101, "localhost:%d" % pl, None)
        n = "nginx plain HTTP port on an https:// URL: exit 5 (%s)" % ERR["DFD_E_TLS_PROTOCOL"]
        if selected(n):
            check(n, dfdiff(tls(pl) + ["102"]), 5, out="",
                  err=line(102, "%s %s" % (ERR["DFD_E_TLS_PROTOCOL"], where(pl))))

    # ==================================================================================
    # 2. openssl s_server -WWW: HTTP/1.0, close-delimited, another TLS stack
    # ==================================================================================
    if not have_openssl:
        tap(False, "openssl missing", ["the openssl command is needed for s_server"])
    else:
        sp = sservers["ecdsa"].port
        n = "s_server -WWW (HTTP/1.0 close-delimited) ECDSA: --json id 102"
        if selected(n):
            ok_json(n, dfdiff(tls(sp) + ["--json", "102"]), 102)
        n = "s_server -WWW ECDSA: summary id 106 (UTF-8 table names)"
        if selected(n):
            ok_summary(n, dfdiff(tls(sp) + ["106"]), 106)
        n = "s_server -WWW ECDSA: --json generated id 7 (7 KB)"
        if selected(n):
            ok_json(n, dfdiff(tls(sp) + ["--json", "7"]), 7)
        n = "s_server -WWW ECDSA: --verbose shows TLSv1.3 and '< HTTP 200 ok'"
        if selected(n):
            verbose_case(n, dfdiff(tls(sp) + ["--verbose", "101"]), 101, "localhost:%d" % sp,
                         "TLSv1.3", reason="ok")
        sp = sservers["rsa13"].port
        n = "s_server -WWW TLS 1.3 RSA chain: --json id 105"
        if selected(n):
            ok_json(n, dfdiff(tls(sp) + ["--json", "105"]), 105)
        sp = sservers["rsa12"].port
        n = "s_server -WWW TLS 1.2 RSA chain, OpenSSL's default signature (rsa_pss_rsae): --json id 105"
        if selected(n):
            ok_json(n, dfdiff(tls(sp) + ["--json", "105"]), 105)
        sp = sservers["rsa12pkcs1"].port
        n = "s_server -WWW TLS 1.2 RSA chain, PKCS#1 v1.5 signatures only: --verbose id 101"
        if selected(n):
            verbose_case(n, dfdiff(tls(sp) + ["--verbose", "101"]), 101, "localhost:%d" % sp,
                         "TLSv1.2", reason="ok")

    # ==================================================================================
    # 3. mock API: normal answers and fault scenarios
    # ==================================================================================
    for i in (7, 10, 999):
        n = "mock TLS: generated id %d --json matches parse --json" % i
        if selected(n):
            ok_json(n, dfdiff(tls(M) + ["--json", str(i)]), i)
    n = "mock TLS: fixture id 104 (processing) summary, exit 3"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["104"]), 104)
    n = "mock TLS: fixture id 103 (failed) --json, exit 2"
    if selected(n):
        ok_json(n, dfdiff(tls(M) + ["--json", "103"]), 103)
    n = "mock TLS: fixture id 101 (identical) summary, exit 0"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["101"]), 101)
    n = "mock TLS: --verbose shows TLSv1.3, '[redacted]', body size"
    if selected(n):
        verbose_case(n, dfdiff(tls(M) + ["-v", "102"]), 102, "localhost:%d" % M, "TLSv1.3")
    n = "mock TLS: a 200 whose body is an API error (RFC 7807) -> exit 6"
    if selected(n):
        check(n, dfdiff(tls(M) + ["--json", str(ERROR_BODY_ID)]), 6, out="",
              err=line(ERROR_BODY_ID, "the server answered 200 with an error body"))

    ok_scenarios = [
        ("chunked", 999, "chunked coding with extensions and a trailer, 60 KB"),
        ("chunked", 7, "chunked coding, 7 KB"),
        ("big-headers", 7, "8 KB Set-Cookie + 16 KB CSP headers"),
        ("no-reason", 7, "status line without a reason phrase"),
        ("no-reason-sp", 7, "status line with an empty reason phrase"),
        ("lower-headers", 7, "lower-case header names"),
        ("close-delimited", 7, "close-delimited body"),
        ("close-delimited", 999, "close-delimited body, 60 KB"),
        ("interim", 7, "100 Continue and 103 Early Hints first"),
        ("drip-10-32", 101, "32 bytes every 10 ms"),
        ("chunked+drip-1-200", 7, "chunked, 200 bytes every 1 ms"),
        ("pad-64", 7, "64 KiB leading padding member"),
        ("close", 7, "Connection: close"),
        ("no-close-notify", 7, "bare FIN instead of close_notify"),
        ("extra", 7, "junk after a complete response"),
    ]
    for scen, i, what in ok_scenarios:
        n = "mock TLS /f/%s: %s (id %d) works" % (scen, what, i)
        if selected(n):
            ok_json(n, dfdiff(tls(M, "/f/" + scen) + ["--json", str(i)]), i)
    n = "mock plain HTTP: http:// URL works (id 102 summary)"
    if selected(n):
        ok_summary(n, dfdiff(["--url", "http://localhost:%d" % PL, "102"]), 102)
    for scen, i in (("chunked", 999), ("close-delimited", 7), ("interim", 7)):
        n = "mock plain HTTP /f/%s (id %d) works" % (scen, i)
        if selected(n):
            ok_json(n, dfdiff(["--url", "http://localhost:%d/f/%s" % (PL, scen), "--json",
                               str(i)]), i)

    # failures of the exchange
    for scen, err, proto in (("cut", "DFD_E_HTTP_TRUNCATED", "https"),
                             ("cut+no-close-notify", "DFD_E_HTTP_TRUNCATED", "https"),
                             ("cut", "DFD_E_HTTP_TRUNCATED", "http"),
                             ("reset", "DFD_E_RESET", "https"),
                             ("reset", "DFD_E_RESET", "http")):
        port = M if proto == "https" else PL
        n = "mock %s /f/%s: exit 5, '%s'" % (proto, scen, ERR[err])
        if selected(n):
            args = (tls(M, "/f/" + scen) if proto == "https"
                    else ["--url", "http://localhost:%d/f/%s" % (PL, scen)])
            check(n, dfdiff(args + ["7"]), 5, out="",
                  err=line(7, "%s %s" % (ERR[err], where(port))))
    n = "mock TLS /f/extra-short: Content-Length short of the body -> exit 6 truncated JSON"
    if selected(n):
        check(n, dfdiff(tls(M, "/f/extra-short") + ["7"]), 6, out="",
              err=line(7, ERR["DFD_E_JSON_TRUNCATED"]))
    for scen, err, proto in (("stall", "DFD_E_TIMEOUT_BODY", "https"),
                             ("hang", "DFD_E_TIMEOUT_RESPONSE", "https"),
                             ("stall", "DFD_E_TIMEOUT_BODY", "http"),
                             ("hang", "DFD_E_TIMEOUT_RESPONSE", "http")):
        port = M if proto == "https" else PL
        n = "mock %s /f/%s --timeout 2: exit 5, '%s' within 2-5 s" % (proto, scen, ERR[err])
        if selected(n):
            args = (tls(M, "/f/" + scen) if proto == "https"
                    else ["--url", "http://localhost:%d/f/%s" % (PL, scen)])
            check(n, dfdiff(args + ["--timeout", "2", "7"], timeout=15), 5, out="",
                  err=line(7, "%s %s" % (ERR[err], where(port))), min_secs=1.8, max_secs=5.0)
    n = ("mock TLS /f/drip-20-64 --timeout 1: the whole-request limit ends a dripping body "
         "(exit 5, '%s')" % ERR["DFD_E_TIMEOUT_BODY"])
    if selected(n):
        check(n, dfdiff(tls(M, "/f/drip-20-64") + ["--timeout", "1", "7"], timeout=15), 5,
              out="", err=line(7, "%s %s" % (ERR["DFD_E_TIMEOUT_BODY"], where(M))),
              min_secs=0.8, max_secs=2.5)
    n = "silent TCP server --timeout 1: exit 5, '%s'" % ERR["DFD_E_TIMEOUT_TLS"]
    if selected(n):
        check(n, dfdiff(tls(silent_port) + ["--timeout", "1", "7"], timeout=15), 5, out="",
              err=line(7, "%s %s" % (ERR["DFD_E_TIMEOUT_TLS"], where(silent_port))),
              min_secs=0.8, max_secs=3.0)

    # HTTP errors: every status x every body shape
    reasons, messages = mockapi.REASONS, mockapi.MESSAGES
    fixed = {401: "DFD_E_API_UNAUTHORIZED", 403: "DFD_E_API_FORBIDDEN",
             404: "DFD_E_API_NOT_FOUND", 422: "DFD_E_API_INVALID"}

    def server_message(code, shape):
        r, m = reasons[code], messages[code]
        return {"fastapi": m, "detail": m, "problem": "%s: %s" % (r, m),
                "html": "<html><body><h1>%d %s</h1>" % (code, r),
                "text": "%d %s: %s" % (code, r, m), "empty": ""}[shape]

    def http_error_check(name, run, i, code, err_name, msg):
        """exit 6, nothing on stdout, one stderr line "dfdiff: get ID: ..." holding the
        dfd_err.h message of the code and "HTTP CODE", ending with ": <server message>"
        (or, for a body without one, not ending in a colon)."""
        table = ERR[err_name]

        def f(r):
            p = []
            lines = r.err.splitlines()
            if len(lines) != 1 or not r.err.endswith("\n"):
                return ["stderr is not exactly one line"]
            ln = lines[0]
            if not ln.startswith("dfdiff: get %d: " % i):
                p.append("stderr does not start with 'dfdiff: get %d: '" % i)
            if table not in ln:
                p.append("stderr lacks the dfd_err.h message %r (%s)" % (table, err_name))
            if "HTTP %d" % code not in ln:
                p.append("stderr lacks 'HTTP %d'" % code)
            if msg and not ln.endswith(": " + msg):
                p.append("stderr does not end with the server's message %r" % (": " + msg))
            if not msg and ln.rstrip().endswith(":"):
                p.append("stderr ends with a colon although the body has no message")
            return p
        return check(name, run, 6, out="", extra=f)

    for code in (401, 403, 404, 422, 429, 500, 502, 503):
        err_name = fixed.get(code) or ("DFD_E_API_RATE_LIMITED" if code == 429
                                       else "DFD_E_API_SERVER")
        for shape in mockapi.SHAPES:
            scen = "status-%d-body-%s" % (code, shape)
            msg = server_message(code, shape)
            n = "mock TLS /f/%s: exit 6, '%s'%s" % (
                scen, ERR[err_name], " + %r" % msg if msg else ", no server message")
            if selected(n):
                http_error_check(n, dfdiff(tls(M, "/f/" + scen) + ["7"]), 7, code, err_name, msg)
    n = "mock TLS /f/status-400-body-detail: other 4xx -> exit 6, '%s' + message" % (
        ERR["DFD_E_API_STATUS"])
    if selected(n):
        http_error_check(n, dfdiff(tls(M, "/f/status-400-body-detail") + ["7"]), 7, 400,
                         "DFD_E_API_STATUS", messages.get(400, reasons[400]))
    n = "mock TLS /f/retry-date: 503 with an HTTP-date Retry-After -> exit 6"
    if selected(n):
        http_error_check(n, dfdiff(tls(M, "/f/retry-date") + ["7"]), 7, 503, "DFD_E_API_SERVER",
                         messages[503])
    for r in ("redirect", "redirect-301", "redirect-307", "redirect-308"):
        code = int(r[-3:]) if r[-1].isdigit() else 302
        loc = "https://elsewhere.example/api/v1/datadiffs/7"
        n = "mock TLS /f/%s: exit 6, HTTP %d %s to the Location" % (r, code,
                                                                    ERR["DFD_E_API_REDIRECT"])
        if selected(n):
            check(n, dfdiff(tls(M, "/f/" + r) + ["7"]), 6, out="",
                  err=line(7, "HTTP %d %s to %s" % (code, ERR["DFD_E_API_REDIRECT"], loc)))
    n = "mock TLS /f/json-trunc: exit 6, '%s'" % ERR["DFD_E_JSON_TRUNCATED"]
    if selected(n):
        check(n, dfdiff(tls(M, "/f/json-trunc") + ["--json", "7"]), 6, out="",
              err=line(7, ERR["DFD_E_JSON_TRUNCATED"]))
    n = "mock TLS /f/json-garbage: exit 6, '%s'" % ERR["DFD_E_JSON_NOT_JSON"]
    if selected(n):
        check(n, dfdiff(tls(M, "/f/json-garbage") + ["--json", "7"]), 6, out="",
              err=line(7, ERR["DFD_E_JSON_NOT_JSON"]))
    n = "mock TLS wanting another key: exit 6, HTTP 401 with the server's message"
    if selected(n):
        check(n, dfdiff(tls(mocks["otherkey"].port) + ["102"]), 6, out="",
              err=line(102, "%s: %s" % (ERR["DFD_E_API_UNAUTHORIZED"], messages[401])))
    n = "mock TLS wanting another key, --verbose: '< HTTP 401', key still redacted"
    if selected(n):
        check(n, dfdiff(tls(mocks["otherkey"].port) + ["--verbose", "102"]), 6, out="",
              err_has=("Authorization: Key [redacted]", "< HTTP 401 Unauthorized",
                       line(102, "%s: %s" % (ERR["DFD_E_API_UNAUTHORIZED"], messages[401]))))
    n = "mock TLS: --poll 'a b&c' is sent as ?poll=a%20b%26c"
    if selected(n):
        def poll_problems(run):
            try:
                lr = mocks["main"].stats().get("last_request") or {}
            except (OSError, ValueError) as x:
                return ["mock stats unreadable: %s" % x]
            want = "/api/v1/datadiffs/102?poll=a%20b%26c"
            return [] if lr.get("target") == want else [
                "the mock saw target %r, expected %r" % (lr.get("target"), want)]
        e = EXPECT[102]
        check(n, dfdiff(tls(M) + ["--poll", "a b&c", "102"]), e["rc"], out=e["summary"],
              err="", extra=poll_problems)

    # ==================================================================================
    # 4. TLS failures
    # ==================================================================================
    n = "wrong CA (--ca-file other-ca.pem): exit 5, unknown CA"
    if selected(n):
        check(n, dfdiff(["--url", "https://localhost:%d" % M, "--ca-file", pki("other-ca.pem"),
                         "102"]), 5, out="", err=cert_line(102, "DFD_E_TLS_CERT_UNKNOWN_CA", M))
    n = "wrong CA with --insecure: the diff is read (exit 1), stderr warns about --insecure"
    if selected(n):
        e = EXPECT[102]
        check(n, dfdiff(["--url", "https://localhost:%d" % M, "--ca-file", pki("other-ca.pem"),
                         "--insecure", "102"]), e["rc"], out=e["summary"],
              err="dfdiff: warning: --insecure: the server's certificate is not verified\n"
                  "dfdiff: warning: certificate problems ignored (--insecure): flags 0x8\n")
    if have_openssl:
        for srv, err in (("expired", "DFD_E_TLS_CERT_EXPIRED"),
                         ("future", "DFD_E_TLS_CERT_FUTURE"),
                         ("wronghost", "DFD_E_TLS_CERT_HOSTNAME"),
                         ("otherca", "DFD_E_TLS_CERT_UNKNOWN_CA"),
                         ("nochain", "DFD_E_TLS_CERT_UNKNOWN_CA")):
            s = sservers[srv]
            n = "s_server %s: exit 5, '%s'" % (s.name.split("-", 1)[1], ERR[err])
            if selected(n):
                check(n, dfdiff(tls(s.port) + ["102"]), 5, out="",
                      err=cert_line(102, err, s.port))
        s = sservers["expired"]
        n = "s_server expired with -k: works (exit 1), warns with the verify flags"
        if selected(n):
            e = EXPECT[102]
            check(n, dfdiff(tls(s.port) + ["-k", "102"]), e["rc"], out=e["summary"],
                  err="dfdiff: warning: --insecure: the server's certificate is not verified\n"
                      "dfdiff: warning: certificate problems ignored (--insecure): flags 0x1\n")
    n = ("non-TLS server answering an https:// ClientHello with HTTP 400 in clear: exit 5, "
         "'%s'" % ERR["DFD_E_TLS_PROTOCOL"])
    if selected(n):
        check(n, dfdiff(tls(clear400_port) + ["102"]), 5, out="",
              err=line(102, "%s %s" % (ERR["DFD_E_TLS_PROTOCOL"], where(clear400_port))))
    n = ("non-TLS server closing after the ClientHello (FIN): exit 5, '%s'"
         % ERR["DFD_E_TLS_HANDSHAKE"])
    if selected(n):
        check(n, dfdiff(tls(eof_port) + ["102"]), 5, out="",
              err=line(102, "%s %s" % (ERR["DFD_E_TLS_HANDSHAKE"], where(eof_port))))
    n = ("plain-HTTP mock on an https:// URL (it waits for a request head) --timeout 2: "
         "exit 5, '%s'" % ERR["DFD_E_TIMEOUT_TLS"])
    if selected(n):
        # the mock answers only at a blank line, which a ClientHello holds by chance only
        # (about 1 in 400): then a 400 in clear, 'TLS protocol error'. Both are exit 5.
        run = dfdiff(tls(PL) + ["--timeout", "2", "102"], timeout=15)
        alt = line(102, "%s %s" % (ERR["DFD_E_TLS_PROTOCOL"], where(PL)))
        check(n, run, 5, out="", max_secs=5.0,
              err=alt if run.err == alt else
              line(102, "%s %s" % (ERR["DFD_E_TIMEOUT_TLS"], where(PL))))
    for key, version, what in (("tls12", "TLSv1.2", "ECDSA"),
                               ("tls12rsa", "TLSv1.2", "RSA chain, server picks rsa_pss_rsae"),
                               ("tls13", "TLSv1.3", "RSA chain")):
        port = mocks[key].port
        n = "mock %s-only (%s): --verbose works and names %s" % (version, what, version)
        if selected(n):
            verbose_case(n, dfdiff(tls(port) + ["--verbose", "101"]), 101,
                         "localhost:%d" % port, version)
        n = "mock %s-only (%s): --json id 105" % (version, what)
        if selected(n):
            ok_json(n, dfdiff(tls(port) + ["--json", "105"]), 105)

    # ==================================================================================
    # 5. network
    # ==================================================================================
    dead = free_port()
    n = "connection refused (127.0.0.1, nothing listening): exit 5"
    if selected(n):
        check(n, dfdiff(["--url", "https://127.0.0.1:%d" % dead, "--ca-file", ca, "102"]), 5,
              out="", err=line(102, "%s %s" % (ERR["DFD_E_CONNECT_REFUSED"],
                                               where(dead, "127.0.0.1"))))
    n = "connection refused on every address of localhost: exit 5"
    if selected(n):
        check(n, dfdiff(tls(dead) + ["102"]), 5, out="",
              err=line(102, "%s %s" % (ERR["DFD_E_CONNECT_REFUSED"], where(dead))))
    n = "unresolvable host (no-such-host.invalid): exit 5, '%s'" % ERR["DFD_E_DNS"]
    if selected(n):
        # in a network namespace of its own when possible: the lookup never leaves the host
        wrap = ()
        if shutil.which("unshare") and subprocess.run(
                ["unshare", "-n", "true"], capture_output=True).returncode == 0:
            wrap = ("unshare", "-n")
        check(n, dfdiff(["--url", "https://no-such-host.invalid", "--ca-file", ca, "102"],
                        wrap=wrap, timeout=20), 5, out="",
              err=line(102, "%s (no-such-host.invalid:443)" % ERR["DFD_E_DNS"]))

    # ==================================================================================
    # 6. usage and configuration
    # ==================================================================================
    no_key = "dfdiff: no API key: set DATAFOLD_API_KEY or use --api-key-file PATH\n"
    n = "no key (DATAFOLD_API_KEY unset, no file): exit 4 naming DATAFOLD_API_KEY"
    if selected(n):
        check(n, dfdiff(tls(M) + ["102"], key=None), 4, out="", err=no_key)
    n = "empty DATAFOLD_API_KEY: exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["102"], key=""), 4, out="", err=no_key)
    n = "blank DATAFOLD_API_KEY (spaces): exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["102"], key="   "), 4, out="", err=no_key)
    n = "DATAFOLD_API_KEY with trailing blanks is trimmed: works"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["102"], key=KEY + " \t"), 102)
    keyfile = os.path.join(WORK, "keys", "key")
    with open(keyfile, "w") as f:
        f.write(KEY + "\n")
    os.chmod(keyfile, 0o600)
    n = "--api-key-file (mode 600) with the key: works, nothing on stderr"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["--api-key-file", keyfile, "102"], key=None), 102)
    n = "--api-key-file=PATH beats a wrong DATAFOLD_API_KEY"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["--api-key-file=" + keyfile, "102"], key="wrong"), 102)
    crlf = os.path.join(WORK, "keys", "key-crlf")
    with open(crlf, "wb") as f:
        f.write(KEY.encode() + b"\r\n")
    os.chmod(crlf, 0o600)
    n = "--api-key-file with a CRLF line end: works"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["--api-key-file", crlf, "102"], key=None), 102)
    open_file = os.path.join(WORK, "keys", "key-644")
    with open(open_file, "w") as f:
        f.write(KEY + "\n")
    os.chmod(open_file, 0o644)
    n = "--api-key-file readable by others: works and warns"
    if selected(n):
        e = EXPECT[102]
        check(n, dfdiff(tls(M) + ["--api-key-file", open_file, "102"], key=None), e["rc"],
              out=e["summary"],
              err="dfdiff: warning: key file '%s' is readable by others (chmod 600 it)\n"
                  % open_file)
    missing = os.path.join(WORK, "keys", "nope")
    n = "--api-key-file missing: exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["--api-key-file", missing, "102"]), 4, out="",
              err="dfdiff: --api-key-file: cannot open '%s': No such file or directory\n" % missing)
    refused = ("dfdiff: get: the key is never taken from the command line (it would show in the "
               "process list): set DATAFOLD_API_KEY or use --api-key-file PATH\n")
    for form in (["--api-key", KEY], ["--api-key=" + KEY]):
        n = "%s on the command line is refused: exit 4, the key not echoed" % (
            "--api-key=KEY" if "=" in form[0] else "--api-key KEY")
        if selected(n):
            check(n, dfdiff(tls(M) + form + ["102"]), 4, out="", err=refused)
    for bad in ("abc", "1.5", "+5", "12abc", "9223372036854775808", ""):
        n = "bad id %r: exit 4" % bad
        if selected(n):
            check(n, dfdiff(tls(M) + [bad]), 4, out="",
                  err="dfdiff: '%s' is not a diff id (a non-negative integer)\n" % bad)
    n = "bad id '-1': exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["-1"]), 4, out="", err_has=("'-1'",))
    n = "missing id: exit 4"
    if selected(n):
        check(n, dfdiff(tls(M)), 4, out="",
              err="dfdiff: get: missing ID (try 'dfdiff get --help')\n")
    n = "two ids: exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["101", "102"]), 4, out="",
              err="dfdiff: get: more than one ID given ('101' and '102')\n")
    n = "unknown option --frobnicate: exit 4"
    if selected(n):
        check(n, dfdiff(tls(M) + ["--frobnicate", "102"]), 4, out="",
              err="dfdiff: get: unknown option '--frobnicate' (try 'dfdiff get --help')\n")
    n = "--ca-file /nonexistent: exit 4"
    if selected(n):
        check(n, dfdiff(["--url", "https://localhost:%d" % M, "--ca-file", "/nonexistent", "102"]),
              4, out="", err="dfdiff: --ca-file: '/nonexistent' cannot be read or holds no PEM "
                             "certificate\n")
    n = "--ca-file holding no certificate (a key file): exit 4"
    if selected(n):
        check(n, dfdiff(["--url", "https://localhost:%d" % M, "--ca-file", keyfile, "102"]),
              4, out="", err="dfdiff: --ca-file: '%s' cannot be read or holds no PEM "
                             "certificate\n" % keyfile)
    for url in ("ftp://x", "localhost", "https://", "https://h:0", "https://h:99999",
                "https://user@h"):
        n = "bad URL %r: exit 4, '%s'" % (url, ERR["DFD_E_URL"])
        if selected(n):
            check(n, dfdiff(["--url", url, "--ca-file", ca, "102"]), 4, out="",
                  err="dfdiff: get: %s: '%s'\n" % (ERR["DFD_E_URL"], url))
    for t, msg in (("0", "dfdiff: --timeout must be more than 0\n"),
                   ("x", "dfdiff: --timeout: 'x' is not a number of seconds\n"),
                   ("-1", "dfdiff: --timeout: '-1' is not a number of seconds\n")):
        n = "--timeout %s: exit 4" % t
        if selected(n):
            check(n, dfdiff(tls(M) + ["--timeout", t, "102"]), 4, out="", err=msg)
    n = "--timeout without a value: exit 4"
    if selected(n):
        check(n, dfdiff(["102", "--timeout"]), 4, out="",
              err="dfdiff: option --timeout needs a value\n")
    n = "dfdiff get --help: exit 0, usage on stdout"
    if selected(n):
        check(n, dfdiff(["--help"], key=None), 0, err="",
              extra=lambda r: [] if r.out.startswith("usage: dfdiff get [OPTIONS] ID\n") and
              "--api-key-file" in r.out else ["stdout is not the get usage text"])
    n = "--url=VALUE form works"
    if selected(n):
        ok_summary(n, dfdiff(["--url=https://localhost:%d" % M, "--ca-file=" + ca, "102"]), 102)
    n = "--url with a trailing slash works"
    if selected(n):
        ok_summary(n, dfdiff(["--url", "https://localhost:%d/" % M, "--ca-file", ca, "102"]), 102)
    n = "--url with an upper-case scheme and host (HTTPS://LOCALHOST) works"
    if selected(n):
        ok_summary(n, dfdiff(["--url", "HTTPS://LOCALHOST:%d" % M, "--ca-file", ca, "102"]), 102)
    n = "--url with a mixed-case scheme (Https://) works like https://"
    if selected(n):
        ok_summary(n, dfdiff(["--url", "Https://localhost:%d" % M, "--ca-file", ca, "102"]), 102)

    # ==================================================================================
    # 7. DATAFOLD_HOST
    # ==================================================================================
    n = "DATAFOLD_HOST=https://localhost:PORT without --url: works"
    if selected(n):
        ok_summary(n, dfdiff(["--ca-file", ca, "102"],
                             env={"DATAFOLD_HOST": "https://localhost:%d" % M}), 102)
    n = "DATAFOLD_HOST=localhost:PORT (bare host, https assumed): --verbose shows TLS"
    if selected(n):
        verbose_case(n, dfdiff(["--ca-file", ca, "--verbose", "101"],
                               env={"DATAFOLD_HOST": "localhost:%d" % M}), 101,
                     "localhost:%d" % M, "TLSv1.3")
    n = "DATAFOLD_HOST=http://localhost:PORT: plain HTTP works"
    if selected(n):
        ok_json(n, dfdiff(["--json", "105"], env={"DATAFOLD_HOST": "http://localhost:%d" % PL}),
                105)
    n = "DATAFOLD_HOST with a base path (scenario prefix) is honoured"
    if selected(n):
        ok_json(n, dfdiff(["--ca-file", ca, "--json", "999"],
                          env={"DATAFOLD_HOST": "https://localhost:%d/f/chunked" % M}), 999)
    n = "--url wins over DATAFOLD_HOST"
    if selected(n):
        ok_summary(n, dfdiff(tls(M) + ["102"],
                             env={"DATAFOLD_HOST": "https://no-such-host.invalid"}), 102)
    n = "DATAFOLD_HOST naming a host with nothing listening is used (connection refused)"
    if selected(n):
        check(n, dfdiff(["--ca-file", ca, "102"],
                        env={"DATAFOLD_HOST": "https://127.0.0.1:%d" % dead}), 5, out="",
              err=line(102, "%s %s" % (ERR["DFD_E_CONNECT_REFUSED"], where(dead, "127.0.0.1"))))

    # ==================================================================================
    # 8. zero-malloc: allocator references in the archives, and calls in the binary
    # ==================================================================================
    n = "zero-malloc: no project object references an allocator; mbedTLS only platform.o"
    if selected(n):
        zero_malloc_case(n)
    n = "zero-malloc: the linked dfdiff never calls an allocator directly"
    if selected(n):
        binary_calls_case(n)

    n = "every dfd_err.h message these cases expect exists in src/dfd_err.h"
    tap(not ERR.missing, n, ["missing: " + ", ".join(sorted(ERR.missing))])
    print("# %d cases, %d failed, %.1f s" % (tap.cases, tap.failures, time.monotonic() - t_start))
    return 1 if tap.failures else 0


ALLOC = ("malloc", "calloc", "realloc", "free", "reallocarray", "aligned_alloc",
         "posix_memalign", "memalign", "valloc", "pvalloc", "strdup", "strndup")


def zero_malloc_case(name):
    if not shutil.which("nm"):
        tap(False, name, ["nm (binutils) is missing"])
        return
    libs = [("libdfd.a", True), ("libdfd_posix.a", True), ("libmbedtls_dfd.a", False)]
    found, problems, notes = [], [], []
    for lib, project in libs:
        path = os.path.join(BUILD, lib)
        if not os.path.isfile(path):
            problems.append("%s is missing (run make)" % path)
            continue
        p = subprocess.run(["nm", "-A", "-u", path], capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("nm %s failed: %s" % (lib, p.stderr.strip()))
            continue
        nobj = 0
        for ln in p.stdout.splitlines():
            m = re.match(r"^(.*?):(.*?):\s+U\s+(\S+)$", ln)
            if not m:
                continue
            sym = m.group(3).split("@")[0]
            if sym in ALLOC:
                nobj += 1
                obj = m.group(2)
                found.append("%s(%s) references %s" % (lib, obj, sym))
                if project:
                    problems.append("project object %s(%s) references %s" % (lib, obj, sym))
                elif not (obj == "platform.o" and sym in ("calloc", "free")):
                    problems.append("mbedTLS object %s references %s (only platform.o's "
                                    "calloc/free defaults are expected)" % (obj, sym))
        notes.append("%s: %d allocator reference(s)" % (lib, nobj))
    cli = os.path.join(BUILD, "obj", "boards", "posix")
    if os.path.isdir(cli):
        for o in sorted(os.listdir(cli)):
            if o.endswith(".o"):
                p = subprocess.run(["nm", "-u", os.path.join(cli, o)], capture_output=True,
                                   text=True)
                for ln in p.stdout.split():
                    if ln.split("@")[0] in ALLOC:
                        found.append("CLI object %s references %s" % (o, ln))
                        problems.append("CLI object %s references %s" % (o, ln))
    if not any("platform.o" in f for f in found) and not problems:
        notes.append("(platform.o's default calloc/free references are absent: fine)")
    tap(not problems, name, problems, always=notes + found)


def binary_calls_case(name):
    objdump = os.environ.get("OBJDUMP") or "objdump"  # a cross objdump for foreign builds
    binary = os.environ.get("DFDIFF_BINARY", DFDIFF)  # DFDIFF may be an emulator wrapper
    if not shutil.which(objdump):
        print("ok - %s # SKIP objdump missing" % name)
        return
    p = subprocess.run([objdump, "-d", "--no-show-raw-insn", binary], capture_output=True,
                       text=True)
    if p.returncode != 0:
        tap(False, name, ["objdump -d failed: " + p.stderr.strip()])
        return
    calls, fn = [], "?"
    # A coverage build (make coverage) links libgcov, which writes its .gcda files at exit
    # with malloc: its own functions are not ours. Only those the archive defines.
    libgcov = set()
    if "__gcov_init" in p.stdout or "<__gcov_" in p.stdout:
        cc = os.environ.get("CC") or "cc"
        a = subprocess.run([cc, "-print-file-name=libgcov.a"], capture_output=True, text=True)
        path = a.stdout.strip()
        if a.returncode == 0 and os.path.isfile(path):
            n = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True)
            libgcov = {ln.split()[-1] for ln in n.stdout.splitlines()
                       if len(ln.split()) == 3 and ln.split()[1] in "TtWw"}
    skipped = set()
    pat = re.compile(r"\b(?:call|jmp)\w*\s+[0-9a-f]+ <(%s)(?:@plt)?>" % "|".join(ALLOC))
    for ln in p.stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", ln)
        if m:
            fn = m.group(1)
            continue
        m = pat.search(ln)
        if m and not fn.endswith("@plt"):
            if fn.split(".")[0] in libgcov:
                skipped.add(fn)
                continue
            calls.append("%s calls %s" % (fn, m.group(1)))
    r = subprocess.run([objdump, "-R", binary], capture_output=True, text=True)
    relocs = [" ".join(ln.split()[1:]) for ln in r.stdout.splitlines()
              if re.search(r"\b(%s)@" % "|".join(ALLOC), ln)]
    notes = ["dynamic relocations naming an allocator: " + (", ".join(relocs) or "none")]
    if skipped:
        notes.append("coverage build: libgcov's own calls not counted (%s)" %
                     ", ".join(sorted(skipped)))
    tap(not calls, name, calls, always=notes)


if __name__ == "__main__":
    try:
        code = K.main_wrapper(main, tap)
    finally:
        close_listeners()
    sys.exit(code)
