#!/usr/bin/env python3
"""make bench, transport part: the TLS pool's peak for four handshake kinds with a single
CA file and with the whole system bundle, the client's state size, the peak stack, and the
instructions of one full `dfdiff get` against `curl -s URL | jq` doing the same.

The servers are `openssl s_server -WWW` on 127.0.0.1 with a test PKI made for the run."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
OUT = os.path.join(BUILD, "bench", "tls")
DFDIFF = os.path.join(BUILD, "dfdiff")
BENCH_GET = os.path.join(BUILD, "tests", "bench_get")
# The 32-bit figures: the same program built for armhf (Raspberry Pi OS 32-bit), run
# under qemu-user; built here when the cross compiler is installed.
ARMHF_BUILD = os.path.join(BUILD, "rpi-armhf")
ARMHF_BENCH_GET = os.path.join(ARMHF_BUILD, "tests", "bench_get")
ARMHF_RUN = ["qemu-arm", "-L", "/usr/arm-linux-gnueabihf"]
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
DIFF_ID = 4242


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tls, cert, key, chain=None):
    port = free_port()
    cmd = ["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{port}", "-cert", cert,
           "-key", key, "-WWW", "-tls1_2" if tls == "1.2" else "-tls1_3"]
    if chain:
        cmd += ["-cert_chain", chain]
    proc = subprocess.Popen(cmd, cwd=os.path.join(OUT, "www"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("s_server did not start")


def callgrind_total(cmd, stdout=None, env=None):
    out = os.path.join(OUT, "cg.out")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                       stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=env)
    if r.returncode not in (0, 1):  # dfdiff exits 1 for a diff whose data differs
        raise RuntimeError(f"{cmd[0]} exited {r.returncode}")
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    return 0


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    pki = os.path.join(OUT, "pki")
    os.makedirs(os.path.join(OUT, "www", "api", "v1", "datadiffs"))
    subprocess.run(["bash", os.path.join(ROOT, "tests", "servers", "mkcerts.sh"), pki],
                   check=True)
    shutil.copy(os.path.join(ROOT, "tests", "fixtures", "result-different.json"),
                os.path.join(OUT, "www", "api", "v1", "datadiffs", str(DIFF_ID)))
    ca = os.path.join(pki, "ca.pem")
    bundle = os.path.join(OUT, "bundle.pem")
    with open(bundle, "wb") as b:  # every system root, the test root last: the worst case
        if os.path.exists(SYSTEM_BUNDLE):
            with open(SYSTEM_BUNDLE, "rb") as s:
                b.write(s.read())
        with open(ca, "rb") as s:
            b.write(s.read())
    with open(bundle, "rb") as b:
        roots = b.read().count(b"BEGIN CERTIFICATE")
    kinds = [("1.2", "ECDSA P-256", "ecdsa.pem", "ecdsa.key", None),
             ("1.2", "RSA-2048 + intermediate", "rsa.pem", "rsa.key", "int.pem"),
             ("1.3", "ECDSA P-256", "ecdsa.pem", "ecdsa.key", None),
             ("1.3", "RSA-2048 + intermediate", "rsa.pem", "rsa.key", "int.pem")]
    armhf = None
    if shutil.which("arm-linux-gnueabihf-gcc") and shutil.which("qemu-arm"):
        r = subprocess.run(["make", "-s", "-C", ROOT, "BUILD=" + ARMHF_BUILD,
                            "CC=arm-linux-gnueabihf-gcc", ARMHF_BENCH_GET],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        armhf = ARMHF_BENCH_GET if r.returncode == 0 else None
    print("## TLS pool, client state and stack (one `get`)\n")
    print(f"| handshake | pool peak x86-64, CA file | x86-64, bundle of {roots} roots | "
          "32-bit armhf, CA file | 32-bit armhf, bundle | client state x86-64 / armhf | "
          "peak stack x86-64 |")
    print("|---|---|---|---|---|---|---|")
    servers = []
    try:
        first = None
        for tls, name, cert, key, chain in kinds:
            proc, port = start_server(tls, os.path.join(pki, cert), os.path.join(pki, key),
                                      os.path.join(pki, chain) if chain else None)
            servers.append(proc)
            url = f"https://localhost:{port}"
            res = []
            for trust in (ca, bundle):
                r = subprocess.run([BENCH_GET, url, trust, str(DIFF_ID)], capture_output=True,
                                   text=True, timeout=60)
                res.append(json.loads(r.stdout) if r.stdout else {"err": "no output"})
            for trust in (ca, bundle):
                if not armhf:
                    res.append({"err": 0})
                    continue
                r = subprocess.run(ARMHF_RUN + [armhf, url, trust, str(DIFF_ID)],
                                   capture_output=True, text=True, timeout=120)
                res.append(json.loads(r.stdout) if r.stdout else {"err": "no output"})
            a, b, c, d = res
            ok = all(x.get("err") == 0 for x in res)

            def kb(x):
                return f"{x['pool_peak'] / 1024:.1f} KB" if "pool_peak" in x else "n/a"
            print(f"| TLS {tls} {name} | {kb(a)} | {kb(b)} | {kb(c)} | {kb(d)} | "
                  f"{a.get('sizeof_client')} B / {c.get('sizeof_client', 'n/a')} B | "
                  f"{a.get('stack_bytes')} B |{'' if ok else ' FAILED'}")
            if first is None:
                first = url
        print(f"\nPool size (DFD_TLS_POOL_SIZE): {a.get('pool_size')} B. The peak stack "
              "includes glibc's getaddrinfo.\n")

        # One full request: dfdiff get vs curl | jq (TLS 1.3, RSA chain: the last server).
        url = f"https://localhost:{port}"
        env = dict(os.environ, DATAFOLD_API_KEY="bench-key")
        dfd = callgrind_total([DFDIFF, "get", "--url", url, "--ca-file", ca, str(DIFF_ID)],
                              env=env)
        body = os.path.join(OUT, "body.json")
        with open(body, "wb") as f:
            curl = callgrind_total(["curl", "-s", "--cacert", ca, "-H",
                                    "Authorization: Key bench-key",
                                    f"{url}/api/v1/datadiffs/{DIFF_ID}"], stdout=f)
        jq = callgrind_total(["jq", "-r", ".status", body])
        print("## One full request (callgrind instructions, TLS 1.3 RSA-2048 + intermediate)\n")
        print("| client | instructions | ratio |")
        print("|---|---|---|")
        print(f"| dfdiff get | {dfd} | 1.0x |")
        print(f"| curl -s URL \\| jq -r .status | {curl + jq} (curl {curl} + jq {jq}) | "
              f"{(curl + jq) / dfd:.1f}x |")
    finally:
        for p in servers:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            p.wait()


if __name__ == "__main__":
    main()
