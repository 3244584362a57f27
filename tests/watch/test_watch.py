#!/usr/bin/env python3
"""Integration tests of `dfdiff watch` against real servers on 127.0.0.1.

Servers (all started here, all on 127.0.0.1 and free ports, all stopped at the end, also
on failure or interruption):
  - tests/servers/mockapi.py: keep-alive TLS 1.3 (the main one, also serving a fixture
    directory), and three that close after every response (TLS 1.3, TLS 1.2, TLS 1.2
    without tickets) for the session-resumption cases. Their per-request log lines are
    read through a pipe and time-stamped here, so the spacing of requests is measured on
    the server's side;
  - Debian's tinyproxy, in the foreground, for the HTTPS_PROXY / NO_PROXY cases.

What is expected comes from the project itself, never from the binary under test alone:
the bodies of the scripted diffs come from the mock's own code (loaded as a module), the
expected summaries and JSON lines from `dfdiff parse` over those bodies (whose exit codes
are checked against a hand table first), error texts from src/dfd_err.h, server messages
from the mock's tables. The API key is a distinctive string that must never appear in any
output, in the mock's log or in the proxy's log.

Output: one "ok - NAME" / "not ok - NAME" line per case, "#" lines explaining failures.
Exit status 1 when any case failed. Environment: DFDIFF (default build/dfdiff under the
repository root), BUILD (default build/); everything generated goes to
$BUILD/watch-tests/. Arguments: substrings selecting cases by name (default: all).
"""

import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "faults"))
import faultkit as K  # noqa: E402  (reporting, processes, dfd_err.h)
from faultkit import (ServerError, can_connect, free_port, load_err_messages,  # noqa: E402
                      shlex_quote, show)

DFDIFF, BUILD = K.DFDIFF, K.BUILD
WORK = os.path.join(BUILD, "watch-tests")
FIXTURES, MOCK, MKCERTS = K.FIXTURES, K.MOCK, K.MKCERTS
TINYPROXY = "/usr/bin/tinyproxy"

KEY = "watch-KEY-5e1f0c93d7"  # must never show in any output or log
SELECT = [a for a in sys.argv[1:] if not a.startswith("-")]
FAST = ["--interval", "0.1", "--max-interval", "0.2"]  # quick polls for most cases
PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY")

# ======================================================================================
# Reporting
# ======================================================================================

tap = K.Tap()


def selected(name):
    return not SELECT or any(s in name for s in SELECT)


# ======================================================================================
# Processes: every server and every dfdiff in its own process group, killed at exit
# ======================================================================================

def track(name, p):
    with K.PROCS_LOCK:
        K.PROCS.append((name, p))
    return p


def untrack(name, p):
    with K.PROCS_LOCK:
        if (name, p) in K.PROCS:
            K.PROCS.remove((name, p))


def spawn(name, argv):
    return K.spawn(name, argv, os.path.join(WORK, "logs"))


REQ_RE = re.compile(r"^mockapi: #(\d+)\.(\d+) (\S+) (\S+) -> (\d+)")


class Mock:
    """mockapi.py with its log read through a pipe: every line is time-stamped here (the
    mock logs a request after counting it and before answering it)."""

    def __init__(self, name, *args):
        self.name = name
        self.args = list(args)
        self.port_file = os.path.join(WORK, "run", name + ".port")
        self.stats_file = os.path.join(WORK, "run", name + ".stats.json")
        self.log_path = os.path.join(WORK, "logs", name + ".log")
        self.port = None
        self.proc = None
        self.lines = []  # (monotonic time, text)
        self.lock = threading.Lock()

    def start(self):
        argv = [sys.executable, "-u", MOCK, "--port", "0", "--port-file", self.port_file,
                "--stats-file", self.stats_file, "--max-seconds", "300",
                "--exit-with-parent"] + self.args
        self.proc = track(self.name, subprocess.Popen(
            K.pdeath_prefix() + argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True))
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        with open(self.log_path, "wb") as log:
            for raw in iter(self.proc.stdout.readline, b""):
                t = time.monotonic()
                with self.lock:
                    self.lines.append((t, raw.decode("utf-8", "replace").rstrip("\n")))
                log.write(raw)
                log.flush()

    def wait(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text.isdigit():
                    self.port = int(text)
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise ServerError("mock %s exited with %s: %s" % (
                    self.name, self.proc.returncode, " | ".join(self.tail())))
            time.sleep(0.05)
        raise ServerError("mock %s: no port file after %.0f s" % (self.name, timeout))

    def url(self, scenario=None):
        return "https://localhost:%d%s" % (self.port, "/f/" + scenario if scenario else "")

    def stats(self):
        with open(self.stats_file) as f:
            return json.load(f)

    def settle(self, timeout=6.0):
        """Stats once every connection has ended on the server's side."""
        deadline = time.monotonic() + timeout
        st = self.stats()
        while st.get("active_connections") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            st = self.stats()
        return st

    def mark(self):
        with self.lock:
            return len(self.lines)

    def requests_since(self, mark, want=None, timeout=2.0):
        """[(time, method, target, status)] logged since mark; waits (up to timeout) for
        `want` of them when given (the reader thread may lag a little)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                lines = self.lines[mark:]
            reqs = []
            for t, text in lines:
                m = REQ_RE.match(text)
                if m and "(control)" not in text:
                    reqs.append((t, m.group(3), m.group(4), int(m.group(5))))
            if want is None or len(reqs) >= want or time.monotonic() > deadline:
                return reqs
            time.sleep(0.02)

    def reset(self, ca):
        """Waits for the connections of the last case to end, then GET /__reset."""
        self.settle()
        ctx = ssl.create_default_context(cafile=ca)
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=5)
        try:
            c.request("GET", "/__reset")
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise ServerError("%s: /__reset answered %d" % (self.name, r.status))
        finally:
            c.close()

    def tail(self, n=15):
        with self.lock:
            return ["%s log: %s" % (self.name, text) for _, text in self.lines[-n:]]

    def log_text(self):
        with self.lock:
            return "\n".join(text for _, text in self.lines)


# ======================================================================================
# Running dfdiff: stdout/stderr read line by line (or from a pseudo-terminal) with times
# ======================================================================================

class Run:
    def __init__(self):
        self.argv, self.shown_env, self.rc = [], [], None
        self.out = self.err = ""
        self.secs = 0.0
        self.t0 = self.t_end = self.t_signal = None
        self.events = []  # (time, "out"|"err"|"tty", text)

    def describe(self):
        cmd = " ".join(shlex_quote(a) for a in self.argv)
        d = ["command: %s%s" % ("".join(e + " " for e in self.shown_env),
                                cmd.replace(KEY, "$KEY")),
             "exit code: %s (%.2f s)" % (self.rc, self.secs)]
        if self.t_signal is not None:
            d.append("signal sent at %.2f s, exit at %.2f s" % (self.t_signal - self.t0,
                                                              self.t_end - self.t0))
        d += ["stdout: " + repr(line)[1:-1] if "\x1b" in line or "\r" in line else
              "stdout: " + line for line in show(self.out)] or ["stdout: (empty)"]
        d += ["stderr: " + line for line in show(self.err)] or ["stderr: (empty)"]
        return d


def clean_env(key, env):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DATAFOLD_") and k not in PROXY_VARS
         and k not in ("SSL_CERT_FILE", "NO_COLOR")}
    e["LC_ALL"] = "C"
    shown = []
    if key is not None:
        e["DATAFOLD_API_KEY"] = key
        shown.append("DATAFOLD_API_KEY=" + ("$KEY" if key == KEY else shlex_quote(key)))
    for k, v in (env or {}).items():
        e[k] = v
        shown.append("%s=%s" % (k, shlex_quote(v)))
    return e, shown


def dfdiff(args, key=KEY, env=None, timeout=30, cmd="watch", signal_at=None, tty=False,
           on_start=None):
    """Runs dfdiff. signal_at=(SIG, seconds): sends SIG that long after the start.
    tty=True: stdout is a pseudo-terminal (output post-processing off, so the bytes are
    the program's own), stderr a pipe."""
    r = Run()
    e, r.shown_env = clean_env(key, env)
    r.argv = [DFDIFF, cmd] + list(args)
    lock = threading.Lock()
    master = slave = None
    if tty:
        master, slave = os.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.OPOST
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    r.t0 = time.monotonic()
    p = track("dfdiff", subprocess.Popen(
        K.pdeath_prefix() + r.argv, env=e, stdin=subprocess.DEVNULL,
        stdout=slave if tty else subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True))
    if tty:
        os.close(slave)

    def read_lines(f, tag):
        for raw in iter(f.readline, b""):
            t = time.monotonic()
            with lock:
                r.events.append((t, tag, raw.decode("utf-8", "replace")))

    def read_tty():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the last holder of the slave side is gone
                break
            if not chunk:
                break
            t = time.monotonic()
            with lock:
                r.events.append((t, "tty", chunk.decode("utf-8", "replace")))

    readers = [threading.Thread(target=read_lines, args=(p.stderr, "err"), daemon=True)]
    if tty:
        readers.append(threading.Thread(target=read_tty, daemon=True))
    else:
        readers.append(threading.Thread(target=read_lines, args=(p.stdout, "out"), daemon=True))
    for t in readers:
        t.start()
    if on_start:
        on_start(r)
    try:
        if signal_at:
            sig, after = signal_at
            try:
                p.wait(after)
            except subprocess.TimeoutExpired:
                r.t_signal = time.monotonic()
                p.send_signal(sig)
        p.wait(timeout)
        r.rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        r.rc = "killed after %d s" % timeout
    r.t_end = time.monotonic()
    r.secs = r.t_end - r.t0
    for t in readers:
        t.join(5)
    if master is not None:
        os.close(master)
    with lock:
        r.out = "".join(x for _, tag, x in r.events if tag in ("out", "tty"))
        r.err = "".join(x for _, tag, x in r.events if tag == "err")
    untrack("dfdiff", p)
    return r


def check(name, run, code, out=None, err=None, err_has=(), extra=None, max_secs=None,
          min_secs=None, notes=()):
    """One case. code: exact exit code; out/err: exact stdout/stderr; err_has: substrings
    of stderr; extra: a function returning a list of further problems."""
    problems = []
    if run.rc != code:
        problems.append("exit code %s, expected %s" % (run.rc, code))
    if out is not None and run.out != out:
        problems.append("stdout differs; expected:")
        problems += ["  " + line for line in show(out)] or ["  (empty)"]
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
        try:
            problems += extra(run)
        except Exception as x:  # noqa: BLE001 - a broken check is a failed case
            problems.append("check raised %s: %s" % (type(x).__name__, x))
    tap(not problems, name, problems + run.describe(), always=notes)
    return not problems


# ======================================================================================
# Expected values: dfd_err.h messages, the mock's bodies and tables, parse baselines
# ======================================================================================

def load_mockapi():
    return K.load_mockapi("watch_tests")


# Exit codes of the scripted diffs' final states (README exit-code table).
HAND_EXIT = {9001: 0, 9002: 1, 9003: 2, 9004: 2, 9006: 2, 9007: 1, 9008: 1, 9009: 0,
             9010: 0}
SCRIPT_IDS = sorted(HAND_EXIT) + [9005]
TERMINAL_STEP = 8   # steps 0,1 waiting; 2..7 processing 0/5..5/5; 8 final
POLLS_TO_END = TERMINAL_STEP + 1


class Script:
    """What the mock answers to the k-th poll of a scripted diff, through `dfdiff parse`."""

    def __init__(self, i):
        self.id = i
        self.json = []      # parse --json line (with its newline) per step
        self.obj = []       # the same, decoded
        self.summary = None  # parse's summary of the final step
        self.rc = None       # parse's exit code for the final step

    def step(self, k):
        return min(k, len(self.json) - 1)

    def change_text(self, k):
        """The state of poll k as the non-TTY line shows it (without the time prefix)."""
        o = self.obj[self.step(k)]
        s = "diff %d: %s" % (self.id, o["status"] if o["status"] is not None else "no status")
        total = o["progress"]["total_steps"]
        done = o["progress"]["completed_steps"]
        if total is not None:
            s += " %d/%d steps" % (done if done is not None else 0, total)
        if o["result"] is not None:
            s += ", result " + o["result"]
        return s

    def changes(self, polls):
        out = []
        for k in range(polls):
            t = self.change_text(k)
            if not out or out[-1] != t:
                out.append(t)
        return out

    def state(self, k):
        o = self.obj[self.step(k)]
        return (o["status"], o["progress"]["completed_steps"], o["progress"]["total_steps"])


SCRIPTS = {}


def compute_scripts(mockapi):
    problems = []
    d = os.path.join(WORK, "bodies")
    for i in SCRIPT_IDS:
        sc = Script(i)
        last = 7 if i == 9005 else TERMINAL_STEP  # 9005 stays at step 7 (5/5) for ever
        if i == 9005 and mockapi.serialize(i, mockapi.scripted_object(i, 7)) != \
                mockapi.serialize(i, mockapi.scripted_object(i, 30)):
            problems.append("9005: the mock's body changes after step 7")
        for k in range(last + 1):
            path = os.path.join(d, "%d-%d.json" % (i, k))
            with open(path, "wb") as f:
                f.write(mockapi.serialize(i, mockapi.scripted_object(i, k)))
            j = dfdiff([path], key=None, cmd="parse")
            jj = dfdiff(["--json", path], key=None, cmd="parse")
            try:
                sc.obj.append(json.loads(jj.out))
                sc.json.append(jj.out)
            except ValueError:
                problems.append("%d step %d: parse --json printed no JSON: %r" % (i, k, jj.out))
                sc.obj.append({"status": None, "progress": {"completed_steps": None,
                                                            "total_steps": None},
                               "result": None})
                sc.json.append("")
            if j.rc != jj.rc:
                problems.append("%d step %d: parse exits %s, parse --json %s" % (
                    i, k, j.rc, jj.rc))
            if k < last and j.rc != 3:
                problems.append("%d step %d: parse exits %s, expected 3 (not finished)" % (
                    i, k, j.rc))
            if k == last:
                sc.summary, sc.rc = j.out, j.rc
        if i in HAND_EXIT and sc.rc != HAND_EXIT[i]:
            problems.append("%d final: parse exits %s, the hand table says %s" % (
                i, sc.rc, HAND_EXIT[i]))
        if i in HAND_EXIT and not sc.obj[-1].get("done"):
            problems.append("%d final: not done" % i)
        SCRIPTS[i] = sc
    return problems


# ======================================================================================
# Output checks
# ======================================================================================

LINE_RE = re.compile(r"\[(\d+):(\d\d)\] (.*)\Z")


def change_lines_problems(out, expected, summary, run_secs):
    """Non-TTY stdout: one '[M:SS] TEXT' line per change of state, then the summary."""
    p = []
    if summary is not None:
        if not out.endswith(summary):
            p.append("stdout does not end with the summary")
            return p
        out = out[:len(out) - len(summary)]
    if out and not out.endswith("\n"):
        p.append("the change lines do not end with a newline")
    lines = out.split("\n")[:-1] if out else []
    texts, times = [], []
    for ln in lines:
        m = LINE_RE.match(ln)
        if not m:
            p.append("not a change line: %r" % ln)
            continue
        times.append(int(m.group(1)) * 60 + int(m.group(2)))
        texts.append(m.group(3))
    for a, b in zip(texts, texts[1:]):
        if a == b:
            p.append("two consecutive lines say the same: %r" % a)
    if times != sorted(times):
        p.append("elapsed times go backwards: %s" % times)
    if times and times[-1] > run_secs + 1:
        p.append("elapsed time %d s exceeds the run (%.1f s)" % (times[-1], run_secs))
    if texts != expected:
        p.append("change lines (without the time) differ; expected:")
        p += ["  " + t for t in expected]
    return p


def stats_problems(st, **want):
    p = []
    for k, v in want.items():
        if st.get(k) != v:
            p.append("mock stats: %s = %s, expected %s" % (k, json.dumps(st.get(k)),
                                                           json.dumps(v)))
    return p


def stats_note(st):
    keys = ("connections", "handshakes_full", "handshakes_resumed", "handshakes_failed",
            "requests", "close_notify_received", "active_connections", "responses_per_status",
            "tls_versions", "last_handshake_error")
    return "mock stats: " + ", ".join("%s=%s" % (k, json.dumps(st.get(k))) for k in keys)


# The request times are taken by this script as it reads the mock's log lines (written just
# before each answer): two readings can be off by a scheduling delay. TOLERANCE covers that
# (it is far below any difference a wrong delay would make: the polls here are 0.1-0.3 s).
TOLERANCE = 0.005


def gaps(reqs):
    return [b[0] - a[0] for a, b in zip(reqs, reqs[1:])]


def fmt_gaps(reqs):
    return "request spacing (s): " + ", ".join("%.3f" % g for g in gaps(reqs))


# ======================================================================================
# Setup
# ======================================================================================

PKI = os.path.join(WORK, "pki")


def pki(name):
    return os.path.join(PKI, name)


def prepare_dirs():
    K.prepare_dirs(WORK, ("logs", "run", "bodies", "fixtures", "pki", "proxy"))


def tinyproxy_conf(port, d):
    if os.geteuid() == 0:
        user, group = "root", "root"
    else:
        # tinyproxy only changes its user when started as root; as another user it runs
        # as that user and needs to write its log and pid files: check that it can
        user, group = "nobody", "nogroup"
        if not os.access(d, os.W_OK | os.X_OK):
            raise ServerError("tinyproxy cannot write to %s" % d)
    return "\n".join([
        "# generated by tests/watch/test_watch.py: CONNECT to any port (no ConnectPort)",
        "User %s" % user,
        "Group %s" % group,
        "Port %d" % port,
        "Listen 127.0.0.1",
        "Timeout 30",
        'LogFile "%s"' % os.path.join(d, "tinyproxy.log"),
        'PidFile "%s"' % os.path.join(d, "tinyproxy.pid"),
        "LogLevel Info",
        "MaxClients 20",
        "Allow 127.0.0.1",
        "DisableViaHeader Yes",
        ""])


def start_tinyproxy():
    d = os.path.join(WORK, "proxy")
    conf = os.path.join(d, "tinyproxy.conf")
    last = ""
    for attempt in range(3):
        port = free_port()
        with open(conf, "w") as f:
            f.write(tinyproxy_conf(port, d))
        name = "tinyproxy-%d" % attempt
        proc = spawn(name, [TINYPROXY, "-d", "-c", conf])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if can_connect(port):
                # the probe is a client connection too: let its log line be written first,
                # so the cases count only their own connections
                while time.monotonic() < deadline and proxy_connects(0)[1] < 1:
                    time.sleep(0.02)
                time.sleep(0.1)
                return port
            time.sleep(0.05)
        try:
            with open(os.path.join(WORK, "logs", name + ".log"), "rb") as f:
                last = f.read().decode("utf-8", "replace")[-2000:]
        except OSError:
            pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    raise ServerError("tinyproxy did not start:\n" + last)


def proxy_log(with_console=False):
    """tinyproxy's log file (and, with_console, what it printed: logs/tinyproxy-N.log)."""
    paths = [os.path.join(WORK, "proxy", "tinyproxy.log")]
    if with_console:
        paths += [os.path.join(WORK, "logs", f) for f in sorted(os.listdir(
            os.path.join(WORK, "logs"))) if f.startswith("tinyproxy-")]
    text = ""
    for path in paths:
        try:
            with open(path, "rb") as f:
                text += f.read().decode("utf-8", "replace")
        except OSError:
            pass
    return text


def proxy_connects(mock_port):
    """CONNECT request lines for the mock's port, and all accepted client connections."""
    text = proxy_log()
    tunnels = re.findall(r"Request \(file descriptor \d+\): CONNECT localhost:%d HTTP/1\.1"
                         % mock_port, text)
    accepted = re.findall(r"Connect \(file descriptor \d+\): ", text)
    return len(tunnels), len(accepted)


# ======================================================================================
# The cases
# ======================================================================================

def main():
    t_start = time.monotonic()
    K.install_cleanup()

    if not (os.path.isfile(DFDIFF) and os.access(DFDIFF, os.X_OK)):
        tap(False, "dfdiff binary present", ["%s is missing or not executable (run make)" % DFDIFF])
        return 1
    if not K.lock_work_dir(WORK, wait=120):
        tap(False, "exclusive use of %s" % WORK, ["another run held its lock for 120 s"])
        return 1
    prepare_dirs()
    ERR = load_err_messages()
    mockapi = load_mockapi()
    mk = subprocess.run([MKCERTS, PKI], capture_output=True)
    if mk.returncode != 0:
        tap(False, "test PKI (mkcerts.sh)", show((mk.stdout + mk.stderr).decode("utf-8", "replace")))
        return 1
    ca = pki("ca.pem")
    fx = os.path.join(WORK, "fixtures")
    cert = ["--cert", pki("ecdsa.pem"), "--key", pki("ecdsa.key"), "--key-required", KEY]
    mocks = {
        "ka": Mock("mock-keepalive", *cert, "--fixtures", fx),
        "close13": Mock("mock-close-tls13", *cert, "--close-after-response"),
        "close12": Mock("mock-close-tls12", *cert, "--close-after-response", "--tls-max", "1.2"),
        "close12nt": Mock("mock-close-tls12-no-tickets", *cert, "--close-after-response",
                          "--tls-max", "1.2", "--no-tickets"),
    }
    for m in mocks.values():
        m.start()

    # --- expected values (while the mocks start) --------------------------------------
    problems = compute_scripts(mockapi)
    tap(not problems, "baseline: dfdiff parse over the scripted bodies agrees with the hand "
        "table", problems)
    try:
        for m in mocks.values():
            m.wait()
    except ServerError as x:
        tap(False, "mock servers started", [str(x)])
        return 1
    M = mocks["ka"]
    MSG, REASON = mockapi.MESSAGES, mockapi.REASONS

    def tls(mock, scenario=None):
        return ["--url", mock.url(scenario), "--ca-file", ca]

    def watch_case(name, i, mock=M, scenario=None, args=FAST, code=None, err="", polls=None,
                   want_stats=None, extra=None, env=None, max_secs=15):
        """A watch of scripted diff i that runs to its end: exact exit code, change lines +
        summary, stderr; mock stats. Returns (run, stats)."""
        sc = SCRIPTS[i]
        polls = POLLS_TO_END if polls is None else polls
        mock.reset(ca)
        r = dfdiff(tls(mock, scenario) + list(args) + [str(i)], env=env, timeout=30)
        st = mock.settle()

        def more(run):
            p = change_lines_problems(run.out, sc.changes(POLLS_TO_END), sc.summary, run.secs)
            p += stats_problems(st, **(want_stats or {}))
            p += stats_problems({"per_path": st["requests_per_path"].get(
                "%s/api/v1/datadiffs/%d" % ("/f/" + scenario if scenario else "", i))},
                per_path=polls)
            if extra:
                p += extra(run, st)
            return p
        check(name, r, sc.rc if code is None else code, err=err, extra=more,
              max_secs=max_secs, notes=[stats_note(st)] if want_stats else ())
        return r, st

    # ==================================================================================
    # 1. keep-alive: one connection, one handshake, one line per change of state
    # ==================================================================================
    n = "keep-alive server: watch 9001 (9 polls) uses 1 connection, 1 full handshake, " \
        "requests == polls, one line per change, summary, exit 0"
    if selected(n):
        watch_case(n, 9001, want_stats=dict(connections=1, handshakes_full=1,
                                            handshakes_resumed=0, handshakes_failed=0,
                                            requests=POLLS_TO_END,
                                            responses_per_status={"200": POLLS_TO_END},
                                            close_notify_received=1, active_connections=0))

    # ==================================================================================
    # 2. a server closing after every response: resumed handshakes
    # ==================================================================================
    for key, what, version in (("close13", "TLS 1.3", "TLSv1.3"),
                               ("close12", "TLS 1.2", "TLSv1.2"),
                               ("close12nt", "TLS 1.2 without tickets (session IDs)",
                                "TLSv1.2")):
        n = "server closing after each response, %s: watch 9002, every connection after " \
            "the first resumes the session, exit 1" % what
        if selected(n):
            watch_case(n, 9002, mock=mocks[key],
                       want_stats=dict(connections=POLLS_TO_END, handshakes_full=1,
                                       handshakes_resumed=POLLS_TO_END - 1, handshakes_failed=0,
                                       requests=POLLS_TO_END, tls_versions={version: POLLS_TO_END},
                                       active_connections=0))
    n = "keep-alive answers, then the server closes anyway (silent-close): watch 9002 " \
        "reconnects with resumed sessions, no error shown, exit 1"
    if selected(n):
        watch_case(n, 9002, scenario="silent-close",
                   want_stats=dict(connections=POLLS_TO_END, handshakes_full=1,
                                   handshakes_resumed=POLLS_TO_END - 1, requests=POLLS_TO_END,
                                   responses_per_status={"200": POLLS_TO_END}))

    # ==================================================================================
    # 3-4. Retry-After: 503 (flaky-2) and 429
    # ==================================================================================
    n3 = "flaky-2 (503 + Retry-After: 1 twice): each next request comes >= 1 s after the " \
         "503, not much later (< 1.6 s), though --max-interval is 0.2"
    n4 = "flaky-2: 503 twice then success: watch 9002 exits 1, stderr names both retries, " \
         "one connection"
    if selected(n3) or selected(n4):
        sc = SCRIPTS[9002]
        M.reset(ca)
        mark = M.mark()
        r = dfdiff(tls(M, "flaky-2") + FAST + ["9002"])
        st = M.settle()
        reqs = M.requests_since(mark, want=POLLS_TO_END + 2)
        retry = ("dfdiff: watch 9002: %s (HTTP 503 %s): %s\n"
                 "dfdiff: watch 9002: retrying in 1.0 s\n") % (ERR["DFD_E_API_SERVER"],
                                                               REASON[503], MSG[503])

        def timing(run):
            p = []
            if [q[3] for q in reqs[:3]] != [503, 503, 200]:
                p.append("the first three requests answered %s, expected 503, 503, 200"
                         % [q[3] for q in reqs[:3]])
                return p
            for k, g in enumerate(gaps(reqs)[:2]):
                if g < 1.0 - TOLERANCE:
                    p.append("request %d came %.3f s after the 503 (Retry-After: 1)" % (k + 2, g))
                elif g >= 1.6:
                    p.append("request %d came %.3f s after the 503: much later than "
                             "Retry-After: 1" % (k + 2, g))
            return p
        if selected(n3):
            check(n3, r, sc.rc, extra=timing, notes=[fmt_gaps(reqs)] if reqs else ())
        if selected(n4):
            check(n4, r, sc.rc, err=retry * 2, extra=lambda run: change_lines_problems(
                run.out, sc.changes(POLLS_TO_END), sc.summary, run.secs) + stats_problems(
                st, requests=POLLS_TO_END + 2, connections=1,
                responses_per_status={"503": 2, "200": POLLS_TO_END}))

    for scen, what in (("status-429", "Retry-After: 2"),
                       ("status-429-retry-date", "Retry-After as an HTTP-date 2 s after Date")):
        n = "%s (%s) with --timeout 3: exactly 2 requests >= 2 s apart, gives up at once " \
            "(exit 3, ~2 s)" % (scen, what)
        if selected(n):
            M.reset(ca)
            mark = M.mark()
            r = dfdiff(tls(M, scen) + FAST + ["--timeout", "3", "9002"])
            st = M.settle()
            reqs = M.requests_since(mark, want=2)
            line429 = "dfdiff: watch 9002: %s: %s\n" % (ERR["DFD_E_API_RATE_LIMITED"], MSG[429])
            want_err = (line429 + "dfdiff: watch 9002: retrying in 2.0 s\n" + line429 +
                        "dfdiff: watch 9002: gave up after 3 s (--timeout): the diff is in an "
                        "unknown state\n")

            def spacing(run, reqs=reqs, st=st):
                p = stats_problems(st, requests=2, responses_per_status={"429": 2},
                                   connections=1)
                g = gaps(reqs)
                if len(g) != 1:
                    p.append("%d request(s) in the mock's log, expected 2" % len(reqs))
                elif not 2.0 - TOLERANCE <= g[0] < 2.5:
                    p.append("the second request came %.3f s after the first 429, expected "
                             "2.0-2.5 s" % g[0])
                return p
            check(n, r, 3, out="", err=want_err, extra=spacing, min_secs=2.0, max_secs=3.0,
                  notes=[fmt_gaps(reqs)])

    # ==================================================================================
    # 5. permanent errors stop at once
    # ==================================================================================
    for scen, code_name, status in (("status-401", "DFD_E_API_UNAUTHORIZED", 401),
                                    ("status-403", "DFD_E_API_FORBIDDEN", 403),
                                    ("status-422", "DFD_E_API_INVALID", 422)):
        n = "%s on the first poll: exit 6 at once, exactly 1 request" % scen
        if selected(n):
            M.reset(ca)
            r = dfdiff(tls(M, scen) + FAST + ["9002"])
            st = M.settle()
            check(n, r, 6, out="", err="dfdiff: watch 9002: %s: %s\n" % (ERR[code_name],
                                                                         MSG[status]),
                  max_secs=1.5, extra=lambda run, st=st: stats_problems(
                      st, requests=1, connections=1, responses_per_status={str(status): 1}))
    n = "401 mid-watch (flaky-1+status-401: a 503, then 401): exit 6 right after the 401, " \
        "exactly 2 requests"
    if selected(n):
        M.reset(ca)
        mark = M.mark()
        r = dfdiff(tls(M, "flaky-1+status-401") + FAST + ["9002"])
        st = M.settle()
        reqs = M.requests_since(mark, want=2)

        def mid(run):
            p = stats_problems(st, requests=2, connections=1,
                               responses_per_status={"503": 1, "401": 1})
            if len(reqs) == 2 and run.t_end - reqs[1][0] > 0.5:
                p.append("exited %.2f s after the 401 was sent" % (run.t_end - reqs[1][0]))
            return p
        check(n, r, 6, out="",
              err=("dfdiff: watch 9002: %s (HTTP 503 %s): %s\n"
                   "dfdiff: watch 9002: retrying in 1.0 s\n"
                   "dfdiff: watch 9002: %s: %s\n") % (
                  ERR["DFD_E_API_SERVER"], REASON[503], MSG[503],
                  ERR["DFD_E_API_UNAUTHORIZED"], MSG[401]),
              extra=mid, max_secs=2.5)
    n = "wrong key (the server's own check): exit 6 at once, exactly 1 request, the key " \
        "not echoed"
    if selected(n):
        M.reset(ca)
        r = dfdiff(tls(M) + FAST + ["9002"], key="not-the-key-0000")
        st = M.settle()
        check(n, r, 6, out="", err="dfdiff: watch 9002: %s: %s\n" % (
            ERR["DFD_E_API_UNAUTHORIZED"], MSG[401]), max_secs=1.5,
              extra=lambda run: stats_problems(st, requests=1, responses_per_status={"401": 1})
              + (["the wrong key appears in the output"]
                 if "not-the-key-0000" in run.out + run.err else []))
    n = "unknown id 12345 (404): exit 6 at once, exactly 1 request"
    if selected(n):
        M.reset(ca)
        r = dfdiff(tls(M) + FAST + ["12345"])
        st = M.settle()
        check(n, r, 6, out="", err="dfdiff: watch 12345: %s: %s\n" % (
            ERR["DFD_E_API_NOT_FOUND"], MSG[404]), max_secs=1.5,
              extra=lambda run: stats_problems(st, requests=1, responses_per_status={"404": 1}))
    n = "certificate failure (--ca-file other-ca.pem): exit 5 at once, a single connection " \
        "attempt, no request"
    if selected(n):
        M.reset(ca)
        r = dfdiff(["--url", M.url(), "--ca-file", pki("other-ca.pem")] + FAST + ["9001"])
        st = M.settle()
        check(n, r, 5, out="",
              err="dfdiff: watch 9001: %s for localhost:%d (use --ca-file for a private CA)\n"
                  % (ERR["DFD_E_TLS_CERT_UNKNOWN_CA"], M.port), max_secs=1.5,
              extra=lambda run: stats_problems(st, connections=1, handshakes_failed=1,
                                               handshakes_full=0, requests=0) +
              ([] if "UNKNOWN_CA" in str(st.get("last_handshake_error")) else
               ["the mock saw no unknown-CA alert: %s" % st.get("last_handshake_error")]),
              notes=[stats_note(st)])
    n = "a 200 with an error body mid-watch (fixture replaced after 2 polls): exit 6 at " \
        "once, no further request"
    if selected(n):
        fixture = os.path.join(fx, "501.json")
        with open(os.path.join(FIXTURES, "status-processing.json"), "rb") as f:
            processing = f.read()
        with open(os.path.join(FIXTURES, "error-detail-not-found.json"), "rb") as f:
            error_body = f.read()
        with open(fixture, "wb") as f:
            f.write(processing)
        M.reset(ca)
        mark = M.mark()
        swapped = {}

        def swapper(run):
            def go():
                while time.monotonic() - run.t0 < 10:
                    if len(M.requests_since(mark, timeout=0)) >= 2:
                        tmp = fixture + ".tmp"
                        with open(tmp, "wb") as f:
                            f.write(error_body)
                        os.replace(tmp, fixture)
                        swapped["t"] = time.monotonic()
                        return
                    time.sleep(0.005)
            threading.Thread(target=go, daemon=True).start()
        r = dfdiff(tls(M) + ["--interval", "0.3", "--max-interval", "0.3", "501"],
                   on_start=swapper)
        st = M.settle()
        reqs = M.requests_since(mark, want=3)
        os.unlink(fixture)

        def after_swap(run):
            if "t" not in swapped:
                return ["the fixture was never replaced (fewer than 2 polls)"]
            later = [q for q in reqs if q[0] > swapped["t"]]
            p = []
            if len(later) != 1:
                p.append("%d request(s) after the body became an error, expected 1" % len(later))
            if "\n" in run.out.rstrip("\n") or not re.match(
                    r"\[0:00\] diff 501: processing 3/9 steps\n\Z", run.out):
                p.append("stdout is not the one line '[0:00] diff 501: processing 3/9 steps'")
            return p
        check(n, r, 6, err="dfdiff: watch 501: the server answered 200 with an error body\n",
              extra=after_swap, max_secs=5)

    # ==================================================================================
    # 6. --timeout
    # ==================================================================================
    na = "--timeout 2 on 9005 (processing for ever): exit 3 after 2.0-2.6 s, polls up to " \
         "the deadline, stderr ends with 'gave up ... the diff is processing'"
    nb = "--timeout 2 on 9005: the last poll (at the deadline) is not cut short: no " \
         "transport timeout on stderr, its answer used, TLS close_notify at the end"
    if selected(na) or selected(nb):
        sc = SCRIPTS[9005]
        M.reset(ca)
        mark = M.mark()
        r = dfdiff(tls(M) + ["--interval", "0.1", "--max-interval", "0.3", "--timeout", "2",
                             "9005"])
        st = M.settle()
        reqs = M.requests_since(mark, want=st["requests"])
        gave_up = "dfdiff: watch 9005: gave up after 2 s (--timeout): the diff is processing\n"

        def expired(run):
            p = []
            k = st["requests"]
            ok = [change_lines_problems(run.out, sc.changes(polls), None, run.secs)
                  for polls in (k, k - 1)]  # (b) is about whether the last one is shown
            if all(ok):
                p += ok[0]
            p += stats_problems(st, connections=1)
            if k < 8:
                p.append("only %d polls in 2 s with --interval 0.1 --max-interval 0.3" % k)
            if reqs and reqs[-1][0] - run.t0 < 1.9:
                p.append("the last poll came %.2f s after the start, not at the 2 s deadline"
                         % (reqs[-1][0] - run.t0))
            if not run.err.endswith(gave_up):
                p.append("stderr does not end with %r" % gave_up.strip())
            return p
        if selected(na):
            check(na, r, 3, extra=expired, min_secs=2.0, max_secs=2.6, notes=[fmt_gaps(reqs)])
        if selected(nb):
            check(nb, r, 3, err=gave_up, extra=lambda run: stats_problems(
                st, close_notify_received=1), notes=[stats_note(st)])
    n = "--timeout 0 (no limit) is accepted: watch 9001 runs to its end, exit 0"
    if selected(n):
        watch_case(n, 9001, args=FAST + ["--timeout", "0"], want_stats=dict(requests=POLLS_TO_END))

    # ==================================================================================
    # 7. final states
    # ==================================================================================
    for i in sorted(HAND_EXIT):
        o = SCRIPTS[i].obj[-1]
        first = SCRIPTS[i].obj[0]["status"]
        n = "final state of %d (%s%s%s): exit %d, one line per change, summary" % (
            i, "says '%s' first, then " % first if first != "waiting" else "", o["status"],
            ", " + o["result"] if o["result"] else "", HAND_EXIT[i])
        if selected(n):
            watch_case(n, i, code=HAND_EXIT[i], args=["--interval", "0.1", "--max-interval",
                                                      "0.1"])

    # ==================================================================================
    # 8. --json
    # ==================================================================================
    n = "--json: one line per poll (== the mock's request count), each the parse --json " \
        "object of that poll's body, the last one terminal"
    if selected(n):
        sc = SCRIPTS[9007]
        M.reset(ca)
        r = dfdiff(tls(M) + FAST + ["--json", "9007"])
        st = M.settle()

        def json_lines(run):
            p = []
            lines = run.out.split("\n")
            if lines[-1] != "":
                p.append("stdout does not end with a newline")
            lines = lines[:-1]
            if len(lines) != st["requests"]:
                p.append("%d JSON lines, the mock counted %d requests" % (len(lines),
                                                                         st["requests"]))
            for k, ln in enumerate(lines):
                try:
                    got = json.loads(ln)
                except ValueError as x:
                    p.append("line %d is not JSON: %s" % (k + 1, x))
                    continue
                if k < len(sc.obj) and got != sc.obj[sc.step(k)]:
                    p.append("line %d differs from parse --json of step %d" % (k + 1, k))
                elif ln + "\n" != sc.json[sc.step(k)]:
                    p.append("line %d is not byte for byte parse --json's line" % (k + 1))
            if lines:
                try:
                    last = json.loads(lines[-1])
                    if last.get("done") is not True or last.get("status") != "done":
                        p.append("the last line is not the terminal state")
                except ValueError:
                    pass
            return p + stats_problems(st, requests=POLLS_TO_END)
        check(n, r, sc.rc, out="".join(sc.json), err="", extra=json_lines)

    # ==================================================================================
    # 9. signals
    # ==================================================================================
    for sig, code, args, what in (
            (signal.SIGINT, 130, ["--interval", "0.1", "--max-interval", "0.3"],
             "polling every 0.1-0.3 s"),
            (signal.SIGTERM, 143, ["--interval", "5"], "sleeping in a 5 s interval")):
        name = signal.Signals(sig).name
        n = "%s after 1 s during a watch of 9005 (%s): exit %d within 0.5 s, 'interrupted', " \
            "TLS close_notify sent" % (name, what, code)
        if selected(n):
            sc = SCRIPTS[9005]
            M.reset(ca)
            r = dfdiff(tls(M) + args + ["9005"], signal_at=(sig, 1.0))
            st = M.settle()

            def interrupted(run, st=st, sig=sig):
                p = []
                if run.t_signal is None:
                    return ["the watch ended before the signal was sent"]
                if run.t_end - run.t_signal > 0.5:
                    p.append("exited %.2f s after the signal" % (run.t_end - run.t_signal))
                k = st["requests"]
                ok = [change_lines_problems(run.out, sc.changes(polls), None, run.secs)
                      for polls in (k, k - 1)]  # the last request may have been cut short
                if all(ok):
                    p += ok[0]
                if sig == signal.SIGTERM and k != 1:
                    p.append("%d requests, expected 1 (one poll, then the 5 s sleep)" % k)
                return p + stats_problems(st, connections=1, close_notify_received=1,
                                          active_connections=0)
            check(n, r, code, err="dfdiff: watch 9005: interrupted\n", extra=interrupted,
                  notes=[stats_note(st)])

    # The signal lands while a response is in flight: the request is given up, and the
    # connection still ends with close_notify (the signal is the user's, not a fault).
    n = "SIGINT while a response is in flight (the server stalls after the headers): exit " \
        "130 within 0.5 s, 'interrupted', TLS close_notify sent"
    if selected(n):
        M.reset(ca)
        r = dfdiff(tls(M, "stall") + ["--interval", "0.1", "9005"],
                   signal_at=(signal.SIGINT, 1.0))
        st = M.settle()

        def in_flight(run, st=st):
            if run.t_signal is None:
                return ["the watch ended before the signal was sent"]
            p = []
            if run.t_end - run.t_signal > 0.5:
                p.append("exited %.2f s after the signal" % (run.t_end - run.t_signal))
            return p + stats_problems(st, connections=1, requests=1, close_notify_received=1,
                                      active_connections=0)
        check(n, r, 130, out="", err="dfdiff: watch 9005: interrupted\n", extra=in_flight,
              notes=[stats_note(st)])

    # ==================================================================================
    # 10. terminal mode
    # ==================================================================================
    frame_re = re.compile(r"diff 9001  (?:\x1b\[(3\d)m)?([a-z]+|\.\.\.)(\x1b\[0m)?"
                          r"(?:  \[([#-]{20})\] (\d+)/(\d+))?  (\d+):(\d\d)"
                          r"(?:  next poll in (\d+)s)?\Z")
    for color in (True, False):
        n = "terminal (pty)%s: live line redrawn with \\r, progress bar [####, %s, ends " \
            "with the summary, exit 0" % ("" if color else ", NO_COLOR=1",
                                          "status colored (identical in green)" if color
                                          else "no color escape")
        if not selected(n):
            continue
        sc = SCRIPTS[9001]
        M.reset(ca)
        r = dfdiff(tls(M) + ["--interval", "0.2", "--max-interval", "0.3", "9001"], tty=True,
                   env=None if color else {"NO_COLOR": "1"})
        st = M.settle()

        def live(run, color=color, st=st):
            p = stats_problems(st, requests=POLLS_TO_END, connections=1)
            tail = "\r\x1b[K" + sc.summary
            if not run.out.endswith(tail):
                return p + ["the output does not end with '\\r\\x1b[K' and the summary"]
            body = run.out[:len(run.out) - len(tail)]
            if "\n" in body:
                p.append("the live part holds a newline")
            if not body.startswith("\r\x1b[K"):
                p.append("the live line does not start with '\\r\\x1b[K'")
            if "[####" not in body:
                p.append("no progress bar '[####'")
            if color and "\x1b[3" not in run.out:
                p.append("no color escape at all")
            if not color and "\x1b[3" in run.out:
                p.append("a color escape '\\x1b[3' despite NO_COLOR=1")
            seen = []
            frames = body.split("\r\x1b[K")[1:]
            for f in frames:
                m = frame_re.match(f)
                if not m:
                    p.append("unexpected live line %r" % f)
                    continue
                code, status, reset, bar, done, total = m.group(1, 2, 3, 4, 5, 6)
                if color and not (code and reset):
                    p.append("status not colored in %r" % f)
                if not color and (code or reset):
                    p.append("escape codes in %r" % f)
                if color and status == "done" and code != "32":
                    p.append("identical shown in color %s, not green (32): %r" % (code, f))
                if bar is not None:
                    d, t = int(done), int(total)
                    fill = 0 if d <= 0 else 20 if d >= t else d * 20 // t
                    if bar != "#" * fill + "-" * (20 - fill):
                        p.append("bar %r for %d/%d" % (bar, d, t))
                state = (status, int(done) if done else None, int(total) if total else None)
                if not seen or seen[-1] != state:
                    seen.append(state)
            want = []
            for k in range(POLLS_TO_END):
                s = sc.state(k)
                if not want or want[-1] != s:
                    want.append(s)
            if seen != want:
                p.append("states shown %s, expected %s" % (seen, want))
            if frames and frame_re.match(frames[-1]) and frame_re.match(frames[-1]).group(9):
                p.append("the last live line still announces a next poll")
            return p
        check(n, r, 0, err="", extra=live)

    # ==================================================================================
    # 11. proxy (tinyproxy, CONNECT tunnel)
    # ==================================================================================
    proxy_names = [
        "HTTPS_PROXY=http://127.0.0.1:PROXY: watch 9002 through the tunnel, exit 1, the proxy "
        "logs one CONNECT localhost:PORT, the key never in its log",
        "https_proxy (lower case): watch 9001 through the proxy, exit 0, one more CONNECT",
        "NO_PROXY=localhost bypasses HTTPS_PROXY: watch 9009 works, the proxy sees no "
        "connection",
        "get through a proxy port with nothing listening: exit 5, connection refused",
        "get through a proxy port with nothing listening: the error names the proxy "
        "(127.0.0.1:DEAD), not the API host",
        "watch through a proxy port with nothing listening: transient, retried until "
        "--timeout 1, exit 3",
    ]
    if any(selected(x) for x in proxy_names):
        if not (os.path.isfile(TINYPROXY) and os.access(TINYPROXY, os.X_OK)):
            tap(False, "tinyproxy missing", ["%s is not installed (apt-get install tinyproxy)"
                                             % TINYPROXY])
            proxy_port = None
        else:
            try:
                proxy_port = start_tinyproxy()
            except ServerError as x:
                tap(False, "tinyproxy started", [str(x)])
                proxy_port = None
        if proxy_port:
            purl = "http://127.0.0.1:%d" % proxy_port

            def proxy_problems_factory(before, tunnels_added, accepted_added):
                def f(run, st):
                    p = []
                    deadline = time.monotonic() + 2
                    after = proxy_connects(M.port)
                    while (after[0] - before[0] < tunnels_added and
                           time.monotonic() < deadline):
                        time.sleep(0.05)
                        after = proxy_connects(M.port)
                    time.sleep(0.2 if not tunnels_added else 0)
                    after = proxy_connects(M.port)
                    if after[0] - before[0] != tunnels_added:
                        p.append("the proxy logged %d new 'CONNECT localhost:%d', expected %d"
                                 % (after[0] - before[0], M.port, tunnels_added))
                    if after[1] - before[1] != accepted_added:
                        p.append("the proxy accepted %d new connection(s), expected %d"
                                 % (after[1] - before[1], accepted_added))
                    if (st.get("last_tls") or {}).get("sni") != "localhost":
                        p.append("the mock saw no TLS session for SNI localhost")
                    if KEY in proxy_log(with_console=True):
                        p.append("THE API KEY APPEARS IN THE PROXY'S LOG")
                    return p
                return f

            for name, i, env, added in (
                    (proxy_names[0], 9002, {"HTTPS_PROXY": purl}, 1),
                    (proxy_names[1], 9001, {"https_proxy": purl}, 1),
                    (proxy_names[2], 9009, {"HTTPS_PROXY": purl, "NO_PROXY": "localhost"}, 0)):
                if not selected(name):
                    continue
                before = proxy_connects(M.port)
                proxy_problems = proxy_problems_factory(before, added, added)
                watch_case(name, i, env=env, want_stats=dict(
                    requests=POLLS_TO_END, connections=1, active_connections=0),
                    extra=proxy_problems)
        dead = free_port()
        if selected(proxy_names[3]) or selected(proxy_names[4]):
            M.reset(ca)
            r = dfdiff(tls(M) + ["9001"], cmd="get",
                       env={"HTTPS_PROXY": "http://127.0.0.1:%d" % dead})
            st = M.settle()
            prefix = "dfdiff: get 9001: %s (" % ERR["DFD_E_CONNECT_REFUSED"]
            if selected(proxy_names[3]):
                check(proxy_names[3], r, 5, out="", max_secs=2,
                      extra=lambda run: ([] if run.err.startswith(prefix) and
                                         run.err.count("\n") == 1 and run.err.endswith(")\n")
                                         else ["stderr is not one line '%s...)'" % prefix]) +
                      stats_problems(st, connections=0, requests=0))
            if selected(proxy_names[4]):
                check(proxy_names[4], r, 5, out="", extra=lambda run: [] if (
                    run.err.startswith(prefix[:-2]) and run.err.count("\n") == 1 and
                    "127.0.0.1:%d" % dead in run.err) else [
                    "stderr is not one line '%s...' naming the proxy 127.0.0.1:%d (the "
                    "address that refused)" % (prefix[:-2], dead)])
        if selected(proxy_names[5]):
            M.reset(ca)
            r = dfdiff(tls(M) + ["--interval", "0.2", "--timeout", "1", "9001"],
                       env={"HTTPS_PROXY": "http://127.0.0.1:%d" % dead})
            st = M.settle()

            def transient(run):
                p = stats_problems(st, connections=0, requests=0)
                lines = run.err.splitlines()
                fails = [ln for ln in lines if ERR["DFD_E_CONNECT_REFUSED"] in ln]
                retries = [ln for ln in lines if re.match(
                    r"dfdiff: watch 9001: retrying in \d+\.\d s\Z", ln)]
                if len(fails) < 2:
                    p.append("%d connection attempt(s) reported, expected retries" % len(fails))
                if len(retries) != len(fails) - 1:
                    p.append("%d 'retrying' lines for %d failures" % (len(retries), len(fails)))
                want = ("dfdiff: watch 9001: gave up after 1 s (--timeout): the diff is in an "
                        "unknown state")
                if not lines or lines[-1] != want:
                    p.append("the last stderr line is not %r" % want)
                if len(fails) + len(retries) + 1 != len(lines):
                    p.append("other lines on stderr")
                return p
            check(proxy_names[5], r, 3, out="", extra=transient, min_secs=1.0, max_secs=1.6)

    # ==================================================================================
    # 12. usage
    # ==================================================================================
    usage = [
        (["--interval", "0", "9001"], "dfdiff: --interval must be more than 0 seconds\n"),
        (["--interval", "x", "9001"], "dfdiff: --interval: 'x' is not a number of seconds\n"),
        (["--interval=-1", "9001"], "dfdiff: --interval: '-1' is not a number of seconds\n"),
        (["--max-interval", "-1", "9001"],
         "dfdiff: --max-interval: '-1' is not a number of seconds\n"),
        (["--max-interval", "0", "9001"], "dfdiff: --max-interval must be more than 0 seconds\n"),
        (["--timeout", "x", "9001"], "dfdiff: --timeout: 'x' is not a number of seconds\n"),
        (["--timeout", "-1", "9001"], "dfdiff: --timeout: '-1' is not a number of seconds\n"),
        (["--request-timeout", "0", "9001"],
         "dfdiff: --request-timeout must be more than 0 seconds\n"),
        (["9001", "--interval"], "dfdiff: option --interval needs a value\n"),
        (["--frobnicate", "9001"],
         "dfdiff: watch: unknown option '--frobnicate' (try 'dfdiff watch --help')\n"),
        ([], "dfdiff: watch: missing ID (try 'dfdiff watch --help')\n"),
        (["9001", "9002"], "dfdiff: watch: more than one ID given ('9001' and '9002')\n"),
        (["abc"], "dfdiff: 'abc' is not a diff id (a non-negative integer)\n"),
    ]
    for args, msg in usage:
        n = "usage: watch %s: exit 4, one message" % (" ".join(args) or "(no ID)")
        if selected(n):
            check(n, dfdiff(["--url", "https://localhost:1", "--ca-file", ca] + args), 4,
                  out="", err=msg, max_secs=2)
    n = "usage: --api-key on the command line is refused: exit 4, the key not echoed"
    if selected(n):
        check(n, dfdiff(["--api-key", KEY, "9001"]), 4, out="",
              err="dfdiff: watch: the key is never taken from the command line (it would show "
                  "in the process list): set DATAFOLD_API_KEY or use --api-key-file PATH\n")
    n = "dfdiff watch --help: exit 0, usage on stdout naming every option, no stray printf " \
        "escape"
    if selected(n):
        def helptext(run):
            p = []
            if not run.out.startswith("usage: dfdiff watch [OPTIONS] ID\n"):
                p.append("stdout does not start with 'usage: dfdiff watch [OPTIONS] ID'")
            for opt in ("--interval", "--max-interval", "--timeout", "--request-timeout",
                        "--url", "--api-key-file", "--ca-file", "--json", "--poll",
                        "--verbose", "--insecure", "HTTPS_PROXY", "NO_PROXY", "NO_COLOR"):
                if opt not in run.out:
                    p.append("the usage does not mention %s" % opt)
            for ln in run.out.splitlines():
                if "%%" in ln:
                    p.append("a literal '%%' (printf escape printed with fputs): %r" % ln)
            return p
        check(n, dfdiff(["--help"], key=None), 0, err="", extra=helptext)

    # ==================================================================================
    # the whole run
    # ==================================================================================
    logs = "\n".join(m.log_text() for m in mocks.values())
    n = "the key never appears in the mocks' logs"
    if selected(n):
        tap(KEY not in logs, n, ["the key was found in a mock's log"])
    n = "no mock logged an unknown scenario token"
    if selected(n):
        tap("UNKNOWN SCENARIO" not in logs, n,
            [ln for ln in logs.splitlines() if "UNKNOWN SCENARIO" in ln])
    n = "every dfd_err.h message these cases expect exists in src/dfd_err.h"
    tap(not ERR.missing, n, ["missing: " + ", ".join(sorted(ERR.missing))])
    print("# %d cases, %d failed, %.1f s" % (tap.cases, tap.failures, time.monotonic() - t_start))
    return 1 if tap.failures else 0


if __name__ == "__main__":
    sys.exit(K.main_wrapper(main, tap))
