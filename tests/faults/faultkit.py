"""faultkit - shared machinery of tests/faults, tests/security, tests/soak, tests/get and
tests/watch.

Not a test program (the runner only picks up test_*.py). Python 3 standard library only.
What is here:

  - TAP reporting (`Tap`), process handling (every child in its own process group, killed
    at exit, and with a parent-death signal when `setpriv` is there), a per-directory
    lock, the scratch directory under $BUILD;
  - `Mock`: tests/servers/mockapi.py started on 127.0.0.1 with a port file and a stats
    file (the pattern of tests/get and tests/watch);
  - `FaultServer` / `Peer`: a raw fault server of this process on 127.0.0.1, one thread
    per connection, that can speak TLS through memory BIOs (so every byte on the wire is
    ours: partial handshakes, bare FINs, RSTs, raw records after the handshake) and
    HTTP byte by byte;
  - running dfdiff (`run_dfdiff`), with its stdout and stderr kept as bytes;
  - the messages of src/dfd_err.h (`load_err_messages`), and the test PKI
    (tests/servers/mkcerts.sh plus a few extra leaves made here with openssl).

Environment: DFDIFF (the binary, possibly an emulator wrapper script), DFDIFF_BINARY
(the real ELF when DFDIFF is a wrapper), BUILD (scratch goes to $BUILD/<dir>/).
"""

import atexit
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DFDIFF = os.path.abspath(os.environ.get("DFDIFF") or os.path.join(ROOT, "build", "dfdiff"))
DFDIFF_BINARY = os.path.abspath(os.environ.get("DFDIFF_BINARY") or DFDIFF)
EMULATED = DFDIFF_BINARY != DFDIFF  # DFDIFF is a wrapper (qemu-user) around DFDIFF_BINARY
BUILD = os.path.abspath(os.environ.get("BUILD") or os.path.join(ROOT, "build"))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
MOCK = os.path.join(ROOT, "tests", "servers", "mockapi.py")
MKCERTS = os.path.join(ROOT, "tests", "servers", "mkcerts.sh")
ERR_H = os.path.join(ROOT, "src", "dfd_err.h")
SETPRIV = shutil.which("setpriv")

# ======================================================================================
# Reporting
# ======================================================================================

MAX_LINES = 40


def show(text, limit=MAX_LINES):
    lines = text.splitlines()
    out = lines[:limit]
    if len(lines) > limit:
        out.append("... (%d more lines)" % (len(lines) - limit))
    return out


class Tap:
    def __init__(self):
        self.cases = 0
        self.failures = 0
        self.lock = threading.Lock()

    def __call__(self, ok, name, diags=(), always=()):
        with self.lock:
            self.cases += 1
            if not ok:
                self.failures += 1
            print("%s - %s" % ("ok" if ok else "not ok", name))
            for d in list(always) + ([] if ok else list(diags)):
                for line in str(d).splitlines() or [""]:
                    print("# " + line)
            sys.stdout.flush()


# ======================================================================================
# Processes and sockets of this script: all stopped at exit, whatever happens
# ======================================================================================

PROCS = []  # (name, Popen)
PROCS_LOCK = threading.Lock()
SERVERS = []  # FaultServer and other listeners


def pdeath_prefix():
    """argv prefix that makes the child die with this script (SIGKILL) even if the script
    is killed: setpriv --pdeathsig (util-linux). preexec_fn is not used: the scripts run
    threads, and preexec_fn is unsafe with threads."""
    return [SETPRIV, "--pdeathsig", "KILL", "--"] if SETPRIV else []


def spawn(name, argv, log_dir, cwd=None, stdout=None):
    log_path = os.path.join(log_dir, name + ".log")
    log = open(log_path, "wb")
    try:
        p = subprocess.Popen(pdeath_prefix() + list(argv), cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=stdout if stdout is not None else log,
                             stderr=subprocess.STDOUT if stdout is None else log,
                             start_new_session=True)
    finally:
        log.close()
    with PROCS_LOCK:
        PROCS.append((name, p))
    return p


def stop_proc(p, grace=3.0):
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        p.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(2)
        except subprocess.TimeoutExpired:
            pass


def stop_all():
    with PROCS_LOCK:
        procs = list(PROCS)
        PROCS.clear()
    for _, p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
    deadline = time.monotonic() + 3.0
    for _, p in procs:
        try:
            p.wait(max(0.05, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(2)
            except subprocess.TimeoutExpired:
                pass
    while SERVERS:
        try:
            SERVERS.pop().close()
        except Exception:  # noqa: BLE001 - cleanup goes on
            pass


class Interrupted(Exception):
    pass


def _on_signal(signum, frame):
    raise Interrupted(signum)


def install_cleanup():
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)
    atexit.register(stop_all)


def main_wrapper(main, tap):
    """Runs main() with the usual endings: interruption and crashes are failed cases,
    every server is stopped."""
    code = 1
    try:
        code = main()
    except KeyboardInterrupt:
        print("not ok - interrupted (SIGINT); every server stopped")
        code = 130
    except Interrupted as x:
        print("not ok - interrupted (signal %d); every server stopped" % x.args[0])
        code = 128 + x.args[0]
    except Exception:  # noqa: BLE001 - a crash is one failed case, with its traceback
        import traceback
        tap(False, "test script ran to the end", traceback.format_exc().splitlines())
        code = 1
    finally:
        stop_all()
    sys.stdout.flush()
    return code


LOCKS = []


def lock_work_dir(work, wait=150):
    """One run at a time per scratch directory."""
    os.makedirs(work, exist_ok=True)
    f = open(os.path.join(work, ".lock"), "w")
    LOCKS.append(f)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def prepare_dirs(work, subdirs):
    os.makedirs(work, exist_ok=True)
    for entry in os.listdir(work):
        if entry != ".lock":
            path = os.path.join(work, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    for d in subdirs:
        os.makedirs(os.path.join(work, d), exist_ok=True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class ServerError(Exception):
    pass


# ======================================================================================
# The mock API
# ======================================================================================

class Mock:
    """tests/servers/mockapi.py on 127.0.0.1; start() returns at once, wait() polls the
    port file."""

    def __init__(self, name, work, *args):
        self.name = name
        self.work = work
        self.args = list(args)
        self.port_file = os.path.join(work, "run", name + ".port")
        self.stats_file = os.path.join(work, "run", name + ".stats.json")
        self.log_path = os.path.join(work, "logs", name + ".log")
        self.port = None
        self.proc = None
        self.tls = "--cert" in self.args

    def start(self, max_seconds=300):
        argv = [sys.executable, MOCK, "--port", "0", "--port-file", self.port_file,
                "--stats-file", self.stats_file, "--max-seconds", str(max_seconds),
                "--exit-with-parent"] + self.args
        self.proc = spawn(self.name, argv, os.path.join(self.work, "logs"))
        return self

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
                    self.name, self.proc.returncode, " | ".join(self.log_tail(5))))
            time.sleep(0.05)
        raise ServerError("mock %s: no port file after %.0f s" % (self.name, timeout))

    def url(self, scenario=None, host="127.0.0.1"):
        return "%s://%s:%d%s" % ("https" if self.tls else "http", host, self.port,
                                 "/f/" + scenario if scenario else "")

    def stats(self):
        with open(self.stats_file) as f:
            return json.load(f)

    def settle(self, timeout=6.0):
        deadline = time.monotonic() + timeout
        st = self.stats()
        while st.get("active_connections") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            st = self.stats()
        return st

    def control(self, path, ca=None):
        """GET /__reset or /__stats (no key) over a connection of this script."""
        import http.client
        if self.tls:
            ctx = ssl.create_default_context(cafile=ca)
            ctx.check_hostname = False
            c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=5)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise ServerError("%s: %s answered %d" % (self.name, path, r.status))
            return json.loads(body)
        finally:
            c.close()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=15):
        return ["%s log: %s" % (self.name, ln) for ln in self.log_text().splitlines()[-n:]]


def load_mockapi(tag):
    import importlib.util
    spec = importlib.util.spec_from_file_location("mockapi_for_" + tag, MOCK)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ======================================================================================
# dfd_err.h
# ======================================================================================

class ErrTable(dict):
    """dfd_err.h messages by name; a missing name yields a text no output can contain."""

    def __init__(self, *a):
        super().__init__(*a)
        self.missing = set()

    def __missing__(self, name):
        self.missing.add(name)
        return "<%s is not in src/dfd_err.h>" % name


def load_err_messages():
    with open(ERR_H) as f:
        text = re.sub(r"\\\n", " ", f.read())  # join the macro's continuation lines
    rows = re.findall(r'X\(\s*(DFD_E_\w+)\s*,\s*(-?\d+)\s*,\s*(\w)\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)',
                      text)
    table = ErrTable((name, msg) for name, _, _, msg in rows)
    table.classes = {name: cls for name, _, cls, _ in rows}
    return table


EXIT_FOR_CLASS = {"U": 4, "N": 5, "A": 6}

# ======================================================================================
# Running dfdiff
# ======================================================================================


def shlex_quote(s):
    if re.match(r"^[A-Za-z0-9_./:=+,@%-]+\Z", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


class Run:
    def __init__(self):
        self.argv, self.shown_env = [], []
        self.rc = None
        self.out_b = self.err_b = b""
        self.secs = 0.0
        self.t0 = self.t_end = None
        self.key = None
        self.pid = None

    @property
    def out(self):
        return self.out_b.decode("utf-8", "replace")

    @property
    def err(self):
        return self.err_b.decode("utf-8", "replace")

    def describe(self):
        cmd = " ".join(shlex_quote(a) for a in self.argv)
        if self.key:
            cmd = cmd.replace(self.key, "$KEY")
        d = ["command: %s%s" % ("".join(e + " " for e in self.shown_env), cmd),
             "exit code: %s (%.2f s)" % (self.rc, self.secs)]

        def lines(tag, text):
            return ["%s: %s" % (tag, repr(ln)[1:-1] if re.search(r"[\x00-\x1f\x7f-\x9f]", ln)
                                else ln) for ln in show(text)] or ["%s: (empty)" % tag]
        return d + lines("stdout", self.out) + lines("stderr", self.err)


PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY")


def clean_env(key, env, shown_key="$KEY"):
    """Nothing from the caller's environment that could change where dfdiff connects or
    what it trusts."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("DATAFOLD_") and k not in PROXY_VARS
         and k not in ("SSL_CERT_FILE", "NO_COLOR")}
    e["LC_ALL"] = "C"
    shown = []
    if key is not None:
        e["DATAFOLD_API_KEY"] = key
        shown.append("DATAFOLD_API_KEY=" + shown_key)
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
            continue
        e[k] = v
        shown.append("%s=%s" % (k, shlex_quote(v)))
    return e, shown


def run_dfdiff(args, key=None, env=None, timeout=30, wrap=(), cmd="get", stdin=None,
               tty=False, on_start=None):
    """Runs `dfdiff CMD ARGS...` to its end (killed, with its process group, after
    `timeout`). stdout/stderr kept as bytes. tty=True: stdout is a pseudo-terminal (no
    output post-processing, so the bytes are the program's own). on_start(run, popen) is
    called once the process runs (for /proc sampling, signals...)."""
    r = Run()
    r.key = key
    e, r.shown_env = clean_env(key, env)
    r.argv = list(wrap) + [DFDIFF, cmd] + list(args)
    master = slave = None
    if tty:
        import termios
        master, slave = os.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.OPOST
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    r.t0 = time.monotonic()
    p = subprocess.Popen(pdeath_prefix() + r.argv, env=e,
                         stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=slave if tty else subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    r.pid = p.pid
    with PROCS_LOCK:
        PROCS.append(("dfdiff", p))
    chunks = {"out": [], "err": []}

    def reader(f, tag):
        while True:
            try:
                b = os.read(f, 65536) if isinstance(f, int) else f.read1(65536)
            except OSError:
                break
            if not b:
                break
            chunks[tag].append(b)

    if tty:
        os.close(slave)
        readers = [threading.Thread(target=reader, args=(master, "out"), daemon=True)]
    else:
        readers = [threading.Thread(target=reader, args=(p.stdout, "out"), daemon=True)]
    readers.append(threading.Thread(target=reader, args=(p.stderr, "err"), daemon=True))
    for t in readers:
        t.start()
    if stdin is not None:
        try:
            p.stdin.write(stdin)
            p.stdin.close()
        except OSError:
            pass
    if on_start:
        on_start(r, p)
    try:
        p.wait(timeout)
        r.rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        r.rc = "killed after %g s" % timeout
    r.t_end = time.monotonic()
    r.secs = r.t_end - r.t0
    for t in readers:
        t.join(5)
    if master is not None:
        os.close(master)
    for f in (p.stdout, p.stderr):
        if f:
            f.close()
    r.out_b = b"".join(chunks["out"])
    r.err_b = b"".join(chunks["err"])
    with PROCS_LOCK:
        try:
            PROCS.remove(("dfdiff", p))
        except ValueError:
            pass
    return r


CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                 "runtime error:", "MemorySanitizer", "ThreadSanitizer", "Segmentation fault",
                 "stack smashing detected", "*** buffer overflow detected")


def crash_problems(run):
    """Exit codes >= 128 (a signal), a timeout kill, or sanitizer output."""
    p = []
    if not isinstance(run.rc, int):
        p.append("dfdiff did not end by itself: %s" % run.rc)
    elif run.rc < 0 or run.rc >= 128:
        p.append("dfdiff crashed or was killed: exit status %s" % run.rc)
    for m in CRASH_MARKERS:
        if m in run.err:
            p.append("stderr holds %r" % m)
    return p


def binary_is_sanitized():
    """True when the dfdiff binary was built with AddressSanitizer."""
    if not shutil.which("nm"):
        return "asan" in BUILD.lower()
    p = subprocess.run(["nm", "-D", DFDIFF_BINARY], capture_output=True, text=True)
    q = subprocess.run(["nm", DFDIFF_BINARY], capture_output=True, text=True)
    return "__asan_init" in p.stdout + q.stdout or "asan" in BUILD.lower()


def parse_baseline(path):
    """(exit code, summary, JSON line) of `dfdiff parse` over a body file."""
    s = run_dfdiff([path], cmd="parse")
    j = run_dfdiff(["--json", path], cmd="parse")
    return s.rc, s.out, j.out


# ======================================================================================
# Test PKI
# ======================================================================================

def make_pki(pki_dir):
    """tests/servers/mkcerts.sh, then extra leaves (all P-256, root-signed unless said):
    selfsigned (localhost SANs, its own issuer), name-only (DNS:localhost), ip-only
    (IP:127.0.0.1), dns-ip (the IP written as a DNS name, DNS:127.0.0.1), cn-only
    (CN=localhost, no SAN). Returns None or an error text."""
    mk = subprocess.run(["bash", MKCERTS, pki_dir], capture_output=True)
    if mk.returncode != 0:
        return (mk.stdout + mk.stderr).decode("utf-8", "replace")
    ca, cakey = os.path.join(pki_dir, "ca.pem"), os.path.join(pki_dir, "ca.key")
    leaves = {
        "name-only": ("localhost", "subjectAltName=DNS:localhost"),
        "ip-only": ("127.0.0.1", "subjectAltName=IP:127.0.0.1"),
        "dns-ip": ("127.0.0.1", "subjectAltName=DNS:127.0.0.1"),
        "cn-only": ("localhost", None),
    }
    base_ext = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth"]

    def ossl(*argv):
        p = subprocess.run(["openssl"] + list(argv), capture_output=True)
        if p.returncode != 0:
            raise ServerError("openssl %s: %s" % (" ".join(argv[:2]), (p.stdout + p.stderr)
                                                  .decode("utf-8", "replace")))

    try:
        for name, (cn, san) in leaves.items():
            key = os.path.join(pki_dir, name + ".key")
            csr = os.path.join(pki_dir, name + ".csr")
            ext = os.path.join(pki_dir, name + ".ext")
            ossl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", key, "-subj", "/O=dfdiff tests/CN=" + cn, "-out", csr)
            with open(ext, "w") as f:
                f.write("\n".join(base_ext + ([san] if san else [])) + "\n")
            ossl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey, "-set_serial",
                 str(int.from_bytes(os.urandom(8), "big")), "-days", "30", "-sha256",
                 "-extfile", ext, "-out", os.path.join(pki_dir, name + ".pem"))
            os.unlink(csr)
            os.unlink(ext)
        ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", os.path.join(pki_dir, "selfsigned.key"), "-out",
             os.path.join(pki_dir, "selfsigned.pem"), "-days", "30", "-sha256",
             "-subj", "/O=dfdiff tests/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "extendedKeyUsage=serverAuth")
    except ServerError as x:
        return str(x)
    return None


def server_ctx(pki_dir, leaf="ecdsa", chain=None, tls_min="1.2", tls_max="1.3", ciphers=None,
               tickets=True):
    """An SSLContext for a server of this script. leaf names a PEM/key pair of the PKI;
    chain a PEM file to send instead of the leaf alone (rsa-chain.pem)."""
    versions = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(pki_dir, chain or leaf + ".pem"),
                            os.path.join(pki_dir, leaf + ".key"))
        if tls_min in ("1.0", "1.1"):
            ctx.set_ciphers("DEFAULT@SECLEVEL=0")
        ctx.minimum_version = versions[tls_min]
        ctx.maximum_version = versions[tls_max]
    if ciphers:
        ctx.set_ciphers(ciphers)
    if not tickets:
        ctx.options |= ssl.OP_NO_TICKET
    return ctx


# ======================================================================================
# The raw fault server
# ======================================================================================

class Peer:
    """One accepted connection of a FaultServer. Raw bytes (recv_raw/send_raw/fin/rst) or
    TLS through memory BIOs (tls_accept/send/recv/notify), HTTP requests (read_request)."""

    def __init__(self, sock, server, index):
        self.sock = sock
        self.srv = server
        self.index = index
        self.raw_pending = b""  # raw bytes read but not used yet
        self.rbuf = b""         # application bytes read but not used yet
        self.obj = None
        self.inc = self.out = None
        self.closed = False
        self.tls_error = None
        self.saw_eof = False
        self.saw_reset = False

    # --- raw ---------------------------------------------------------------------------
    def stopping(self):
        return self.srv.stopping.is_set()

    def recv_raw(self, timeout=10.0):
        """Raw bytes; b"" at EOF or reset; None on timeout."""
        if self.raw_pending:
            d, self.raw_pending = self.raw_pending, b""
            return d
        deadline = time.monotonic() + timeout
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                self.sock.settimeout(min(0.2, left))
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                self.saw_reset = True
                return b""
            except OSError:
                return b""
            if not d:
                self.saw_eof = True
            return d
        return b""

    def read_record(self, timeout=10.0):
        """One whole TLS record, raw (the ClientHello); None when the peer left first."""
        buf = b""
        while True:
            if len(buf) >= 5:
                n = 5 + struct.unpack(">H", buf[3:5])[0]
                if len(buf) >= n:
                    self.raw_pending = buf[n:] + self.raw_pending
                    return buf[:n]
            d = self.recv_raw(timeout)
            if not d:
                self.raw_pending = buf
                return None
            buf += d

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def fin(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def rst(self):
        """Close with RST (SO_LINGER 0)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def wait_gone(self, limit=60.0):
        """Keeps the connection open, sending nothing, until the peer leaves (or the server
        stops, or `limit` seconds)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.stopping():
            d = self.recv_raw(min(0.5, max(0.01, deadline - time.monotonic())))
            if d == b"":
                return

    def close(self):
        """A polite close: FIN, wait (briefly) for the peer's, then close."""
        if self.closed:
            return
        self.fin()
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            d = self.recv_raw(end - time.monotonic())
            if not d:
                break
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def close_quietly(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    # --- TLS ---------------------------------------------------------------------------
    def tls_begin(self, ctx):
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)
        if self.raw_pending:
            self.inc.write(self.raw_pending)
            self.raw_pending = b""

    def tls_flush(self):
        d = self.out.read()
        if d:
            return self.send_raw(d)
        return True

    def tls_step(self):
        """One do_handshake: True done, False wants more input; raises SSLError."""
        try:
            self.obj.do_handshake()
            return True
        except ssl.SSLWantReadError:
            return False

    def tls_accept(self, ctx, timeout=10.0):
        """The whole handshake; False (tls_error set) when it failed or the peer left."""
        self.tls_begin(ctx)
        while True:
            try:
                done = self.tls_step()
            except (ssl.SSLError, ValueError) as e:
                self.tls_error = e
                self.tls_flush()  # our alert, if any
                return False
            self.tls_flush()
            if done:
                self.srv.note(self, "handshake", {"version": self.obj.version(),
                                                  "cipher": self.obj.cipher()[0],
                                                  "resumed": self.obj.session_reused})
                return True
            d = self.recv_raw(timeout)
            if not d:
                self.tls_error = "peer left during the handshake"
                return False
            self.inc.write(d)

    def send(self, data):
        """Application bytes: encrypted when TLS is up, raw otherwise."""
        if self.obj is None:
            return self.send_raw(data)
        try:
            self.obj.write(data)
        except (ssl.SSLError, ValueError):
            return False
        return self.tls_flush()

    def recv(self, timeout=10.0):
        """Application bytes; b"" at EOF (close_notify, FIN, reset); None on timeout."""
        if self.obj is None:
            return self.recv_raw(timeout)
        while True:
            try:
                d = self.obj.read(65536)
                self.tls_flush()
                return d
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLZeroReturnError:
                return b""
            except (ssl.SSLError, ValueError):
                return b""
            self.tls_flush()
            d = self.recv_raw(timeout)
            if not d:
                return d
            self.inc.write(d)

    def read_request(self, timeout=10.0):
        """The next request head (bytes up to the blank line); None when the peer left."""
        while b"\r\n\r\n" not in self.rbuf:
            d = self.recv(timeout)
            if not d:
                return None
            self.rbuf += d
        head, self.rbuf = self.rbuf.split(b"\r\n\r\n", 1)
        self.srv.note(self, "request", head)
        return head

    def notify(self):
        """Sends TLS close_notify (does not wait for the peer's)."""
        if self.obj is None:
            return
        try:
            self.obj.unwrap()
        except (ssl.SSLError, ValueError):
            pass
        self.tls_flush()


class FaultServer:
    """A listening socket on 127.0.0.1 of this process; handler(peer) runs in a thread
    per connection. Events (connections, handshakes, requests) are recorded."""

    def __init__(self, handler, name="raw"):
        self.name = name
        self.handler = handler
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.events = []  # (monotonic time, connection index, kind, data)
        self.peers = []
        self.errors = []
        self.ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        SERVERS.append(self)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def note(self, peer, kind, data=None):
        with self.lock:
            self.events.append((time.monotonic(), peer.index if peer else -1, kind, data))

    def count(self, kind):
        with self.lock:
            return sum(1 for e in self.events if e[2] == kind)

    def of_kind(self, kind):
        with self.lock:
            return [e for e in self.events if e[2] == kind]

    def _accept(self):
        n = 0
        while not self.stopping.is_set():
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            peer = Peer(c, self, n)
            n += 1
            with self.lock:
                self.peers.append(peer)
            self.note(peer, "connection")
            threading.Thread(target=self._serve, args=(peer,), daemon=True).start()

    def _serve(self, peer):
        try:
            self.handler(peer)
        except Exception as e:  # noqa: BLE001 - recorded, shown by the case
            import traceback
            with self.lock:
                self.errors.append("%s: %s" % (type(e).__name__, e))
                self.errors += traceback.format_exc().splitlines()[-4:]
        finally:
            if not peer.closed:
                peer.close()

    def close(self):
        self.stopping.set()
        try:
            self.ls.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.ls.close()
        except OSError:
            pass
        with self.lock:
            peers = list(self.peers)
        for p in peers:
            p.close_quietly()


class Listener(FaultServer):
    """Records every connection and what arrives on it (redirect targets)."""

    def __init__(self, name="listener"):
        self.received = []

        def h(peer):
            data = b""
            while True:
                d = peer.recv_raw(2.0)
                if not d:
                    break
                data += d
            with self.lock:
                self.received.append(data)
        super().__init__(h, name)


# --- HTTP pieces ----------------------------------------------------------------------

def response(body, status=200, reason="OK", ctype="application/json", extra=(),
             length=True, close=False):
    head = "HTTP/1.1 %d %s\r\n" % (status, reason) if reason is not None \
        else "HTTP/1.1 %d\r\n" % status
    hdrs = [("Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())),
            ("Server", "faultkit")]
    if ctype:
        hdrs.append(("Content-Type", ctype))
    hdrs += list(extra)
    if length:
        hdrs.append(("Content-Length", str(len(body))))
    if close:
        hdrs.append(("Connection", "close"))
    return (head + "".join("%s: %s\r\n" % kv for kv in hdrs) + "\r\n").encode("latin-1") + body


def chunked(body, sizes=(100, 7, 1000)):
    out, pos, k = b"", 0, 0
    while pos < len(body):
        n = sizes[k % len(sizes)]
        piece = body[pos:pos + n]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        pos += len(piece)
        k += 1
    return out + b"0\r\n\r\n"


def http_serve(ctx, respond, first_delay=0.0):
    """handler: TLS (when ctx) then, for every request, respond(peer, head, n) with n the
    request's number on this connection (0-based); respond returns True to keep reading
    requests on the connection."""
    def h(peer):
        if ctx is not None and not peer.tls_accept(ctx):
            return
        n = 0
        while True:
            head = peer.read_request()
            if head is None:
                return
            if first_delay:
                time.sleep(first_delay)
            if not respond(peer, head, n):
                return
            n += 1
    return h


def script(*steps):
    """respond() from steps: ("send", bytes) application bytes; ("raw", bytes) bytes past
    TLS; ("sleep", s); ("fin",) bare FIN; ("notify",) close_notify; ("rst",) RST;
    ("stall",) nothing until the client leaves; ("keep",) keep reading requests."""
    def respond(peer, head, n):
        for st in steps:
            op = st[0]
            if op == "send":
                peer.send(st[1])
            elif op == "raw":
                peer.send_raw(st[1])
            elif op == "sleep":
                time.sleep(st[1])
            elif op == "fin":
                peer.fin()
            elif op == "notify":
                peer.notify()
            elif op == "rst":
                peer.rst()
                return False
            elif op == "stall":
                peer.wait_gone()
                return False
            elif op == "keep":
                return True
        if ("fin",) in steps or ("notify",) in steps:
            peer.wait_gone(5)
        return False
    return respond


# ======================================================================================
# ClientHello parsing
# ======================================================================================

def parse_client_hello(rec):
    """Fields of a ClientHello record: legacy_version, suites, compression, extensions
    {type: bytes}, supported_versions, sni (or None). Raises ValueError when malformed."""
    if len(rec) < 9 or rec[0] != 0x16:
        raise ValueError("not a handshake record")
    body = rec[5:]
    if body[0] != 1:
        raise ValueError("not a ClientHello (handshake type %d)" % body[0])
    n = int.from_bytes(body[1:4], "big")
    h = body[4:4 + n]
    if len(h) != n:
        raise ValueError("ClientHello spans records (not supported here)")
    pos = 0
    legacy_version = int.from_bytes(h[0:2], "big")
    pos = 2 + 32
    sid_len = h[pos]
    pos += 1 + sid_len
    cs_len = int.from_bytes(h[pos:pos + 2], "big")
    pos += 2
    suites = [int.from_bytes(h[pos + i:pos + i + 2], "big") for i in range(0, cs_len, 2)]
    pos += cs_len
    comp_len = h[pos]
    compression = list(h[pos + 1:pos + 1 + comp_len])
    pos += 1 + comp_len
    exts = {}
    if pos < len(h):
        ext_len = int.from_bytes(h[pos:pos + 2], "big")
        pos += 2
        end = pos + ext_len
        while pos + 4 <= end:
            t = int.from_bytes(h[pos:pos + 2], "big")
            ln = int.from_bytes(h[pos + 2:pos + 4], "big")
            exts[t] = h[pos + 4:pos + 4 + ln]
            pos += 4 + ln
    versions = None
    if 43 in exts:
        v = exts[43]
        versions = [int.from_bytes(v[1 + i:3 + i], "big") for i in range(0, v[0], 2)]
    sni = None
    if 0 in exts:
        v = exts[0]
        # server_name_list: len(2) then type(1) len(2) name
        if len(v) >= 5 and v[2] == 0:
            ln = int.from_bytes(v[3:5], "big")
            sni = v[5:5 + ln].decode("ascii", "replace")
        else:
            sni = ""
    return {"legacy_version": legacy_version, "suites": suites, "compression": compression,
            "extensions": exts, "supported_versions": versions, "sni": sni,
            "session_id_len": sid_len}


# IANA TLS cipher suite names for the codes a client may offer (TLS 1.3 and the TLS 1.2
# suites mbedTLS implements), and the signalling values. AEAD = GCM, CCM, ChaCha20-Poly1305.
SUITE_NAMES = {
    0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
    0x1305: "TLS_AES_128_CCM_8_SHA256",
    0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600: "TLS_FALLBACK_SCSV",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0xC0AC: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0xC0AD: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
    0xC0AE: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", 0xC0AF: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
    0xC05C: "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",
    0xC060: "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
    0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
    0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x0005: "TLS_RSA_WITH_RC4_128_SHA",
    0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0000: "TLS_NULL_WITH_NULL_NULL",
    0x0001: "TLS_RSA_WITH_NULL_MD5", 0x0002: "TLS_RSA_WITH_NULL_SHA",
    0x003B: "TLS_RSA_WITH_NULL_SHA256",
}
SIGNALLING = {0x00FF, 0x5600}


def suite_is_aead(code):
    name = SUITE_NAMES.get(code)
    if name is None:
        return None  # unknown: the caller decides
    return bool(re.search(r"_(GCM|CCM|CCM_8|CHACHA20_POLY1305)(_|$)", name))


def suite_name(code):
    return SUITE_NAMES.get(code, "0x%04X" % code)


# ======================================================================================
# A CONNECT proxy and a TCP relay of this script (both record every byte they carry)
# ======================================================================================

def _pipe(a, b, sink, lock, stop):
    """Copies a -> b, appending what passes to sink, until EOF or error."""
    try:
        while not stop.is_set():
            try:
                d = a.recv(65536)
            except socket.timeout:
                continue
            if not d:
                break
            with lock:
                sink.append(d)
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay_handler(target_port, record):
    """FaultServer handler: a plain TCP relay to 127.0.0.1:target_port. record is a list
    receiving one dict per connection: {"c2s": [bytes...], "s2c": [bytes...]}."""
    def h(peer):
        try:
            up = socket.create_connection(("127.0.0.1", target_port), timeout=5)
        except OSError:
            peer.rst()
            return
        entry = {"c2s": [], "s2c": []}
        lock = threading.Lock()
        with peer.srv.lock:
            record.append(entry)
        stop = peer.srv.stopping
        for s in (peer.sock, up):
            s.settimeout(0.5)
        t = threading.Thread(target=_pipe, args=(up, peer.sock, entry["s2c"], lock, stop),
                             daemon=True)
        t.start()
        _pipe(peer.sock, up, entry["c2s"], lock, stop)
        t.join(10)
        up.close()
    return h


def connect_proxy_handler(record):
    """FaultServer handler: an HTTP CONNECT proxy that only tunnels to 127.0.0.1 (or
    localhost). record gets one dict per connection: {"connect": request line,
    "c2s": [...], "s2c": [...]} (the tunnelled bytes)."""
    def h(peer):
        head = b""
        while b"\r\n\r\n" not in head:
            d = peer.recv_raw(5)
            if not d:
                return
            head += d
        req, rest = head.split(b"\r\n\r\n", 1)
        line = req.split(b"\r\n")[0].decode("latin-1")
        entry = {"connect": line, "head": req, "c2s": [rest] if rest else [], "s2c": []}
        with peer.srv.lock:
            record.append(entry)
        m = re.match(r"CONNECT \[?([^\]\s]+?)\]?:(\d+) HTTP/1\.[01]\Z", line)
        if not m or m.group(1) not in ("127.0.0.1", "localhost"):
            peer.send_raw(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            up = socket.create_connection(("127.0.0.1", int(m.group(2))), timeout=5)
        except OSError:
            peer.send_raw(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        if rest:
            up.sendall(rest)
        peer.send_raw(b"HTTP/1.1 200 Connection established\r\n\r\n")
        lock = threading.Lock()
        stop = peer.srv.stopping
        for s in (peer.sock, up):
            s.settimeout(0.5)
        t = threading.Thread(target=_pipe, args=(up, peer.sock, entry["s2c"], lock, stop),
                             daemon=True)
        t.start()
        _pipe(peer.sock, up, entry["c2s"], lock, stop)
        t.join(10)
        up.close()
    return h


# ======================================================================================
# ELF core files (gcore): where a byte string lies in the process's memory
# ======================================================================================

def core_segments(path):
    """[(file offset, size in file, virtual address)] of an ELF64/ELF32 core's PT_LOAD
    segments."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        phoff, = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(end + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2A)
    segs = []
    for i in range(phnum):
        o = phoff + i * phentsize
        if is64:
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIQQQQ", data, o)
        else:
            p_type, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIIII", data, o)
        if p_type == 1:
            segs.append((p_offset, p_filesz, p_vaddr))
    return segs


def find_in_core(path, needle, chunk=1 << 24):
    """Virtual addresses where needle occurs in the core's memory segments (the file is
    read in pieces, never whole)."""
    segs = core_segments(path)
    hits = []
    keep = len(needle) - 1
    with open(path, "rb") as f:
        base, tail = 0, b""
        while True:
            block = f.read(chunk)
            if not block:
                break
            data = tail + block
            start = base - len(tail)
            for m in re.finditer(re.escape(needle), data):
                off = start + m.start()
                for s_off, s_size, s_vaddr in segs:
                    if s_off <= off < s_off + s_size:
                        hits.append(s_vaddr + off - s_off)
                        break
            tail = data[-keep:] if keep else b""
            base += len(block)
    return hits


def parse_gdb_mappings(text):
    """[(start, end, name)] from gdb's `info proc mappings`."""
    maps = []
    for ln in text.splitlines():
        m = re.match(r"\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(?:[rwxps-]{4}\s+)?(.*)$",
                     ln)
        if m:
            maps.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip() or "anon"))
    return maps


def where_is(addr, maps):
    for a, b, name in maps:
        if a <= addr < b:
            return name
    return "?"
