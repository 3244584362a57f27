#!/usr/bin/env python3
"""make bench, transport part: the TLS pool's peak for four handshake kinds with a single
CA file and with the whole system bundle, then for the chain shapes the public CAs of the
API's host serve (Let's Encrypt RSA under an RSA-4096 root, Let's Encrypt ECDSA under a
P-384 root, Amazon's four-certificate chain with a cross-signed root), the client's state
size, the peak stack, and the instructions of one full `dfdiff get` against
`curl -s URL | jq` doing the same.

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
# The devices' own figure: armhf again with the devices' lean mbedTLS set
# (DFD_MBEDTLS_LEAN: P-256 key shares, no X25519), the root given as DER held in memory
# and parsed in place, as a device holds its store in flash.
DEVICE_BUILD = os.path.join(BUILD, "rpi-armhf-device")
DEVICE_BENCH_GET = os.path.join(DEVICE_BUILD, "tests", "bench_get")
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


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def public_shapes(d):
    """Test chains shaped like the public CAs' (key types and sizes, chain length, a
    cross-signed root): [(name, leaf, key, chain, root)], paths under d."""
    os.makedirs(d, exist_ok=True)
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "[leaf]\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n")
    p = lambda n: os.path.join(d, n)  # noqa: E731

    def key(name, spec):
        if spec.startswith("rsa"):
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + spec[3:],
                    "-out", p(name + ".key"))
        else:
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + spec,
                    "-out", p(name + ".key"))

    def root(name, spec, cn, md):
        key(name, spec)
        openssl("req", "-x509", "-new", "-key", p(name + ".key"), "-out", p(name + ".pem"),
                "-days", "30", "-subj", "/CN=" + cn, "-" + md, "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign")

    def issue(name, spec, cn, ca, md, kind, key_of=None):
        if not key_of:
            key(name, spec)
        openssl("req", "-new", "-key", p((key_of or name) + ".key"), "-out", p(name + ".csr"),
                "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p(ca + ".pem"), "-CAkey",
                p(ca + ".key"), "-CAcreateserial", "-out", p(name + ".pem"), "-days", "30",
                "-" + md, "-extfile", ext, "-extensions", kind)

    def cat(out, *names):
        with open(p(out), "wb") as f:
            for n in names:
                with open(p(n + ".pem"), "rb") as c:
                    f.write(c.read())
        return p(out)

    root("x1", "rsa4096", "Test ISRG-shaped Root X1 (RSA-4096)", "sha256")
    issue("r11", "rsa2048", "Test R11 (RSA-2048)", "x1", "sha256", "ca")
    issue("le_rsa", "rsa2048", "localhost", "r11", "sha256", "leaf")
    root("x2", "P-384", "Test ISRG-shaped Root X2 (P-384)", "sha384")
    issue("e6", "P-384", "Test E6 (P-384)", "x2", "sha384", "ca")
    issue("le_ec", "P-256", "localhost", "e6", "sha384", "leaf")
    # Amazon: leaf, intermediate, Amazon Root CA 1 cross-signed by Starfield, Starfield's
    # root; the trust anchor is the self-signed Amazon Root CA 1.
    root("sf", "rsa2048", "Test Starfield-shaped Services Root G2", "sha256")
    root("a1", "rsa2048", "Test Amazon-shaped Root CA 1", "sha256")
    issue("a1x", None, "Test Amazon-shaped Root CA 1", "sf", "sha256", "ca", key_of="a1")
    issue("m02", "rsa2048", "Test Amazon-shaped RSA 2048 M02", "a1", "sha256", "ca")
    issue("amz", "rsa2048", "localhost", "m02", "sha256", "leaf")
    return [
        ("RSA-2048 leaf + intermediate, RSA-4096 root (Let's Encrypt R1x under ISRG Root X1)",
         p("le_rsa.pem"), p("le_rsa.key"), cat("le_rsa_chain.pem", "r11"), p("x1.pem")),
        ("P-256 leaf + P-384 intermediate, P-384 root (Let's Encrypt E-series under ISRG Root X2)",
         p("le_ec.pem"), p("le_ec.key"), cat("le_ec_chain.pem", "e6"), p("x2.pem")),
        ("RSA-2048 leaf + 3 certificates, a cross-signed root (Amazon)",
         p("amz.pem"), p("amz.key"), cat("amz_chain.pem", "m02", "a1x", "sf"), p("a1.pem")),
    ]


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
    system = b""
    if os.path.exists(SYSTEM_BUNDLE):
        with open(SYSTEM_BUNDLE, "rb") as f:
            system = f.read()

    def bundle_with(root):  # every system root, the test root last: the worst case
        path = os.path.join(OUT, "bundle-" + os.path.basename(root))
        with open(path, "wb") as b, open(root, "rb") as r:
            b.write(system + r.read())
        return path
    roots = system.count(b"BEGIN CERTIFICATE") + 1
    j = lambda n: os.path.join(pki, n) if n else None  # noqa: E731
    kinds = [("1.2", "ECDSA P-256", j("ecdsa.pem"), j("ecdsa.key"), None, ca),
             ("1.2", "RSA-2048 + intermediate", j("rsa.pem"), j("rsa.key"), j("int.pem"), ca),
             ("1.3", "ECDSA P-256", j("ecdsa.pem"), j("ecdsa.key"), None, ca),
             ("1.3", "RSA-2048 + intermediate", j("rsa.pem"), j("rsa.key"), j("int.pem"), ca)]
    for name, leaf, key, chain, root in public_shapes(os.path.join(OUT, "public")):
        kinds += [(tls, name, leaf, key, chain, root) for tls in ("1.2", "1.3")]
    armhf = device = None
    if shutil.which("arm-linux-gnueabihf-gcc") and shutil.which("qemu-arm"):
        r = subprocess.run(["make", "-s", "-C", ROOT, "BUILD=" + ARMHF_BUILD,
                            "CC=arm-linux-gnueabihf-gcc", ARMHF_BENCH_GET],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        armhf = ARMHF_BENCH_GET if r.returncode == 0 else None
        r = subprocess.run(["make", "-s", "-C", ROOT, "BUILD=" + DEVICE_BUILD,
                            "CC=arm-linux-gnueabihf-gcc", "DFD_DEFS=-DDFD_MBEDTLS_LEAN",
                            DEVICE_BENCH_GET],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        device = DEVICE_BENCH_GET if r.returncode == 0 else None

    def der_of(pem):  # every certificate of a PEM file, DER back to back
        out = pem[:-4] + ".der"
        if os.path.exists(out):  # the same root serves TLS 1.2 and 1.3
            return out
        text = open(pem).read()
        with open(out, "wb") as f:
            for block in text.split("-----END CERTIFICATE-----")[:-1]:
                one = block[block.index("-----BEGIN CERTIFICATE-----"):] + \
                    "-----END CERTIFICATE-----\n"
                f.write(subprocess.run(["openssl", "x509", "-outform", "DER"], input=one.encode(),
                                       capture_output=True, check=True).stdout)
        return out
    print("## TLS pool, client state and stack (one `get`)\n")
    print(f"| handshake | pool peak x86-64, CA file | x86-64, bundle of {roots} roots | "
          "32-bit armhf, CA file | 32-bit armhf, bundle | "
          "32-bit device set, DER root in place | client state x86-64 / armhf | "
          "peak stack x86-64 |")
    print("|---|---|---|---|---|---|---|---|")
    servers = []
    try:
        rsa13 = None
        peak32 = peak_device = 0
        for tls, name, cert, key, chain, root in kinds:
            proc, port = start_server(tls, cert, key, chain)
            servers.append(proc)
            url = f"https://localhost:{port}"
            res = []
            for trust in (root, bundle_with(root)):
                r = subprocess.run([BENCH_GET, url, trust, str(DIFF_ID)], capture_output=True,
                                   text=True, timeout=60)
                res.append(json.loads(r.stdout) if r.stdout else {"err": "no output"})
            for trust in (root, bundle_with(root)):
                if not armhf:
                    res.append({"err": 0})
                    continue
                r = subprocess.run(ARMHF_RUN + [armhf, url, trust, str(DIFF_ID)],
                                   capture_output=True, text=True, timeout=120)
                res.append(json.loads(r.stdout) if r.stdout else {"err": "no output"})
            if device:
                r = subprocess.run(ARMHF_RUN + [device, url, der_of(root), str(DIFF_ID)],
                                   capture_output=True, text=True, timeout=120)
                res.append(json.loads(r.stdout) if r.stdout else {"err": "no output"})
            else:
                res.append({"err": 0})
            a, b, c, d, e = res
            ok = all(x.get("err") == 0 for x in res)
            peak32 = max([peak32] + [x.get("pool_peak", 0) for x in (c, d)])
            peak_device = max(peak_device, e.get("pool_peak", 0))

            def kb(x):
                return f"{x['pool_peak'] / 1024:.1f} KB" if "pool_peak" in x else "n/a"
            print(f"| TLS {tls} {name} | {kb(a)} | {kb(b)} | {kb(c)} | {kb(d)} | {kb(e)} | "
                  f"{a.get('sizeof_client')} B / {c.get('sizeof_client', 'n/a')} B | "
                  f"{a.get('stack_bytes')} B |{'' if ok else ' FAILED'}")
            if tls == "1.3" and name.startswith("RSA-2048 + intermediate"):
                rsa13 = url
        if armhf:
            print(f"\nLargest 32-bit peak: {peak32} B ({peak32 / 1024:.1f} KB).")
        if device:
            print(f"Largest 32-bit peak with the devices' set: {peak_device} B "
                  f"({peak_device / 1024:.1f} KB); the device pool (port/lwip/dfd_opts.h) must "
                  "hold it with room for longer leaf certificates (embedded SCTs).")
        print(f"\nPool size (DFD_TLS_POOL_SIZE): {a.get('pool_size')} B. The peak stack "
              "includes glibc's getaddrinfo.\n")

        # One full request: dfdiff get vs curl | jq (TLS 1.3, the test RSA chain).
        url = rsa13
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
