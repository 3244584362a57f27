#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses: seeds.py OUT_DIR

OUT_DIR/<target>/seed-<name> for every target, each file framed as its harness reads
input (tests/fuzz/fuzz_<target>.c):
  extract  tests/fixtures/*.json and bad/*.json, whole and in pieces, and bodies whose
           wanted members outgrow the member buffer (extract_small: the shorter ones);
  errbody  the same bodies under several statuses and framings, and whole responses;
  http     a list of hand-made response forms: Content-Length, chunked with extensions
           and trailers, 1xx, close-delimited, big headers, dates, folds, pipelining...
  trust    PEM and DER certificates of /etc/ssl/certs/ca-certificates.crt (if present);
  number   number texts: limits, halfway cases, long mantissas, exponents, invalid forms;
  render   panel sizes with realistic and extreme records.
Idempotent: a seed's name is its content's hash.
"""

import base64
import glob
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

WHOLE = b"\x07\x00\x00"  # fuzz.h splitter: everything at once
BYTES = b"\x00\x01\x02"  # one byte at a time
SMALL = b"\x03\x11\x22"  # up to 5 bytes, with no empty pieces
MIXED = b"\x0d\x33\x44"  # up to 64 bytes, with empty pieces


def write(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fixtures():
    files = sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/*.json")))
    files += sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/bad/*.json")))
    for path in files:
        with open(path, "rb") as f:
            yield os.path.basename(path), f.read()


# ---- HTTP responses --------------------------------------------------------------------

BODY = b'{"id":12345,"status":"done","done":true,"result":"identical"}'
CRLF = b"\r\n"


def resp(status_line, headers, body=b""):
    return status_line + CRLF + b"".join(h + CRLF for h in headers) + CRLF + body


def chunked(body, sizes, ext=b"", trailers=()):
    out, i = b"", 0
    for n in sizes:
        piece = body[i:i + n]
        i += n
        out += b"%x" % len(piece) + ext + CRLF + piece + CRLF
    if i < len(body):
        out += b"%x" % (len(body) - i) + CRLF + body[i:] + CRLF
    return out + b"0" + CRLF + b"".join(t + CRLF for t in trailers) + CRLF


def cl(body):
    return b"Content-Length: %d" % len(body)


def http_forms():
    """(flags, stream): flags bit 0 = HEAD request, bit 1 = the server closes at the end."""
    ok = b"HTTP/1.1 200 OK"
    ct = b"Content-Type: application/json"
    forms = [
        (0, resp(ok, [ct, cl(BODY)], BODY)),
        (0, resp(ok, [ct, b"Transfer-Encoding: chunked"], chunked(BODY, [5, 17, 1]))),
        (0, resp(ok, [b"Transfer-Encoding: chunked"],
                 chunked(BODY, [10, 10], ext=b';name=value;q="quoted ; \\" str"',
                         trailers=[b"X-Checksum: abc", b"Server-Timing: db;dur=53"]))),
        (0, resp(ok, [b"transfer-encoding: CHUNKED"], chunked(BODY, [64]).replace(b"3d", b"03D"))),
        (0, resp(ok, [b"Transfer-Encoding: chunked"],
                 b"A \t;ext\r\n0123456789\r\n0;last\r\n\r\n")),
        (0, resp(b"HTTP/1.1 100 Continue", []) + resp(ok, [cl(BODY)], BODY)),
        (0, resp(b"HTTP/1.1 103 Early Hints", [b"Link: </style.css>; rel=preload"]) +
         resp(b"HTTP/1.1 102 Processing", []) + resp(ok, [cl(BODY)], BODY)),
        (0, b"".join(resp(b"HTTP/1.1 100 Continue", []) for _ in range(17)) +
         resp(ok, [cl(b"")])),
        (2, resp(b"HTTP/1.0 200 OK", [ct], BODY)),
        (2, resp(ok, [b"Connection: close"], BODY)),
        (0, resp(b"HTTP/1.0 200 OK", [b"Connection: keep-alive", cl(BODY)], BODY)),
        (0, resp(ok, [b"Connection: foo, close, bar", cl(BODY)], BODY)),
        (0, resp(ok, [b"Content-Length: 5, 5", b"Content-Length: 5"], b"hello")),
        (0, resp(ok, [b"Content-Length: 5", b"Content-Length: 6"], b"hello!")),
        (0, resp(ok, [b"Content-Length: 99999999999999999999"], b"")),
        (0, resp(ok, [b"Content-Length: 3", b"Transfer-Encoding: chunked"], chunked(b"abc", [3]))),
        (2, resp(ok, [b"Transfer-Encoding: gzip, chunked"], chunked(b"abc", [1, 2]))),
        (2, resp(ok, [b"Transfer-Encoding: chunked, gzip"], b"raw until close")),
        (2, resp(b"HTTP/1.0 200 OK", [b"Transfer-Encoding: chunked"], chunked(b"abc", [3]))),
        (0, resp(b"HTTP/1.1 204 No Content", [cl(b"abc")])),
        (0, resp(b"HTTP/1.1 304 Not Modified", [b"Content-Length: 100"])),
        (1, resp(ok, [cl(BODY)])),
        (0, resp(b"HTTP/1.1 301 Moved Permanently",
                 [b"Location: https://app.datafold.com/api/v1/datadiffs/12345?x=" + b"a" * 300,
                  cl(b"")])),
        (0, resp(b"HTTP/1.1 307 Temporary Redirect", [b"Location:   /new   path  ", cl(b"")])),
        (0, resp(b"HTTP/1.1 429 Too Many Requests", [b"Retry-After: 120", cl(b"{}")], b"{}")),
        (0, resp(b"HTTP/1.1 503 Service Unavailable",
                 [b"Retry-After: Wed, 21 Oct 2015 07:28:00 GMT",
                  b"Date: Wed, 21 Oct 2015 07:27:00 GMT", cl(b"")])),
        (0, resp(b"HTTP/1.1 503 Service Unavailable",
                 [b"Retry-After: Sunday, 06-Nov-94 08:49:37 GMT",
                  b"Date: Sun Nov  6 08:49:37 1994", cl(b"")])),
        (0, resp(b"HTTP/1.1 503 Service Unavailable",
                 [b"Retry-After: Thu, 29 Feb 2024 23:59:60 GMT", b"Date: 31 dec 9999 23:59:59",
                  cl(b"")])),
        (0, resp(b"HTTP/1.1 503 Service Unavailable",
                 [b"Retry-After: -1", b"Date: Fri, 30 Feb 2015 07:28:00 GMT", cl(b"")])),
        (0, resp(ok, [b"X-Folded: first", b"  second", b"\tthird", b"Location: /a", b" /b",
                      cl(BODY)], BODY)),
        (0, resp(ok, [b"Set-Cookie: " + b"c" * 4000, b"X-" + b"n" * 200 + b": v", cl(BODY)], BODY)),
        (0, resp(b"HTTP/1.1 200 " + b"R" * 120, [b"Content-Type: " + b"t" * 100, cl(BODY)], BODY)),
        (0, resp(b"HTTP/1.1 404 Not Found", [ct, cl(b'{"detail":"Not Found"}')],
                 b'{"detail":"Not Found"}')),
        (0, resp(ok, [cl(b"ab")], b"ab") + resp(ok, [cl(b"cd")], b"cd") +
         resp(b"HTTP/1.1 500 Oops", [cl(b"")])),
        (0, resp(ok, [b"Transfer-Encoding: chunked"], chunked(b"first", [2])) +
         resp(ok, [cl(b"x")], b"x")),
        (0, b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
        (0, b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"),
        (0, b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"),
        (0, b"HTTP/1.1 200 OK\r\n folded-first: x\r\n\r\n"),
        (0, b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n"),
        (0, b"HTTP/2.0 200 OK\r\n\r\n"),
        (0, b"HTTP/1.1 101 Switching Protocols\r\n\r\n"),
        (0, b"HTTP/1.1 099 Low\r\n\r\n"),
        (0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        (0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
        (0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n"),
        (2, b""),
        (2, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
        (0, b"ICY 200 OK\r\n\r\n"),
    ]
    return forms


# ---- certificates -----------------------------------------------------------------------

def pem_blocks():
    try:
        with open(CA_BUNDLE, "rb") as f:
            text = f.read()
    except OSError:
        return []
    return re.findall(rb"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----\r?\n?",
                      text, re.S)


def der_of(pem):
    b64 = b"".join(l for l in pem.splitlines() if l and not l.startswith(b"-----"))
    return base64.b64decode(b64)


def tlv(b, i):
    """(header length, total length) of the DER TLV at b[i]."""
    n = b[i + 1]
    if n < 0x80:
        return 2, 2 + n
    k = n & 0x7F
    v = int.from_bytes(b[i + 2:i + 2 + k], "big")
    return 2 + k, 2 + k + v


def subject_of(der):
    h, _ = tlv(der, 0)
    i = h
    h, _ = tlv(der, i)  # TBSCertificate
    i += h
    if der[i] == 0xA0:
        i += tlv(der, i)[1]
    for _ in range(4):
        i += tlv(der, i)[1]
    return der[i:i + tlv(der, i)[1]]


def trust_seeds():
    pems = pem_blocks()
    small = sorted(pems, key=len)[:12]
    if not small:
        return []
    seeds = []
    for p in small[:6]:
        seeds.append(b"\x00" + p)
        seeds.append(b"\x02" + p)
        seeds.append(b"\x00" + der_of(p))
    bundle = b"".join(small[:3])
    seeds.append(b"\x02" + bundle)
    seeds.append(b"\x03" + bundle)
    seeds.append(b"\x02" + b"# comment\r\n" + bundle.replace(b"\n", b"  \r\n") + b"junk\n")
    ders = [der_of(p) for p in small[:3]]
    seeds.append(b"\x02" + b"".join(ders))
    seeds.append(b"\x03" + b"".join(ders))
    subj = subject_of(ders[1])
    seeds.append(b"\x01" + bytes([len(subj) & 0xFF]) + subj + b"".join(ders))
    seeds.append(b"\x01" + bytes([len(subj) & 0xFF]) + subj + bundle)
    seeds.append(b"\x04" + bundle + b"\x20")     # short reads
    seeds.append(b"\x38" + b"".join(ders))      # failing reader
    seeds.append(b"\x00" + b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    seeds.append(b"\x00" + b"\x30\x82\x10\x00" + b"\x00" * 16)
    return seeds


# ---- numbers -------------------------------------------------------------------------------

def number_seeds():
    texts = [
        "0", "-0", "1", "-1", "7", "10", "1234567890", "9007199254740992", "9007199254740993",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "99999999999999999999",
        "1e3", "1E+3", "1e-3", "1.5", "0.1", "0.3", "-0.0", "0e0", "0.000e-999", "1.0e19",
        "123.456e-7", "0.000001", "1e-7", "123456789012345678901234567890",
        "1e308", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1e309", "1e400", "-1e400", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1e-400", "9007199254740992.5", "9007199254740993.0000000000000000000000000001",
        "0.1e99999999999999999999", "1e-99999999999999999999", "12e", "1.", ".5", "01", "-",
        "+1", "1e+", "1ee3", " 1", "1 ", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "",
        "3.14159265358979323846264338327950288419716939937510582097494459",
        "2.225073858507201136057409796709131975934819546351645648023426109724822222021076945516529523908135087914149158913039621106870086438694594645527657207407820621743379988141063267329253552286881372149012981122451451889849057222307285255133155755015914397476397983411801999323962548289017107081850690630666655994938275772572015763062690663332647565300009245888316433037779791869612049497390377829704905051080609940730262937128958950003583799967207254304360284078895771796150945516748243471030702609144621572289880258182545180325707018860872113128079512233426288368622321503775666622503982534335974568884423900265498198385487948292206894721689831099698365846814022854243330660339850886445804001034933970427567186443383770486037861622771738545623065874679014086723327636718751234567890123456789012345678901234567890e-308",
        "1" + "0" * 400, "1" + "0" * 400 + "e-400", "0." + "0" * 350 + "1e300",
        "4" + "9" * 799, "5" + "0" * 799 + "1",
    ]
    return [t.encode() for t in texts]


# ---- renderer ------------------------------------------------------------------------------

def render_seeds():
    def s(text, cap=255):
        b = text.encode()[:cap]
        return bytes([len(b)]) + b

    def string_field(text, present=1, truncated=0):
        return s(text) + bytes([present, truncated])

    def int_field(v, present=1):
        return bytes([present]) + struct.pack("<q", v)

    def num_field(d, present=1, is_int=0, i=0):
        return bytes([present, is_int]) + struct.pack("<q", i) + struct.pack("<d", d)

    def record(status, status_text, result, result_text, done=1):
        r = int_field(12345) + struct.pack("<I", status) + s(status_text)
        r += bytes([1, done]) + struct.pack("<I", result) + s(result_text)
        r += string_field("in_db") + num_field(153.498)
        r += string_field("2024-05-01T10:00:00") + string_field("2024-05-01T10:02:33")
        r += string_field("db.public.orders") + string_field("db.public.orders_v2")
        r += int_field(4) + int_field(9)
        r += b"\x01" + int_field(12) + int_field(3) + int_field(418) + int_field(331872)
        r += int_field(331870) + int_field(0)
        r += num_field(0.99874) + num_field(12, 1, 1, 12) + num_field(406) + num_field(0)
        r += num_field(0) + num_field(0) + b"\x01\x00"
        r += b"\x01" + string_field("ValueError") + string_field("column x does not exist")
        r += string_field("") + string_field("", 0) + b"\x00"
        return r

    def head(w, h, flags=0, id_=12345, age=12, elapsed=151, trouble=0, page=0, pages=0,
             tick=0, host="https://app.datafold.com"):
        return (struct.pack("<HHB", w - 1, h - 1, flags) + struct.pack("<qqq", id_, age, elapsed)
                + struct.pack("<IHHI", trouble, page, pages, tick) + s(host))

    seeds = []
    sizes = [(128, 64), (296, 128), (250, 122), (200, 96), (1, 1), (7, 300), (480, 320),
             (128, 32), (64, 48), (400, 300)]
    kinds = [(6, "done", 4, "different"), (6, "done", 3, "identical"), (5, "processing", 0, ""),
             (7, "failed", 0, ""), (1, "queued", 0, ""), (0, "", 0, ""), (99, "x" * 30, 77, "?")]
    for i, (w, h) in enumerate(sizes):
        for j, k in enumerate(kinds):
            if (i + j) % 3 == 0 or i < 2:
                seeds.append(head(w, h, trouble=j % 9, page=j % 3, pages=(j * 2) % 9, tick=i)
                             + record(*k))
    seeds.append(head(128, 64, flags=1, trouble=1))
    seeds.append(head(296, 128, flags=4, id_=-1) + record(6, "done", 2, "done"))
    seeds.append(head(296, 128, host="h" * 120, id_=2**63 - 1) + record(6, "done", 4, "x"))
    return seeds


def budget_bodies():
    """Wanted members that outgrow the member buffer or token budget at various depths,
    followed by siblings of other shapes: the copy's rollback paths."""
    many = lambda item, n: b",".join([item] * n)
    yield b'{"table1":[[' + many(b"1", 80) + b'],[]],"status":"done"}'
    yield b'{"table1":[' + many(b'"component"', 90) + b'],"table2":["a","b"]}'
    yield b'{"diff_stats":{"rows_added":[[' + many(b"[]", 60) + b'],[1]],"rows_removed":2}}'
    yield b'{"diff_stats":{"rows_added":1,"x":[' + many(b'"' + b"s" * 40 + b'"', 30) + b'],' \
          b'"match_ratio":0.5,"sampled":true}}'
    yield b'{"detail":[{"msg":"' + b"m" * 300 + b'","loc":[' + many(b"0", 90) + b']},{"msg":"b"}]}'
    yield b'{"monitor_error":{"error_type":"' + b"\\u0001" * 100 + b'","error_value":"v"}}'
    yield b'{"kind":[[[[' + many(b"{}", 50) + b']]]],"id":7}'


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    bodies = list(fixtures())
    for name, body in bodies:
        write(out, "extract", WHOLE + body)
        if len(body) < 2000:
            write(out, "extract", SMALL + body)
            write(out, "extract_small", WHOLE + body)
    for name, body in bodies[::7]:
        write(out, "extract", BYTES + body)
        write(out, "extract", MIXED + body)
        if len(body) < 2000:
            write(out, "extract_small", MIXED + body)
    for body in budget_bodies():
        write(out, "extract", WHOLE + body)
        write(out, "extract", MIXED + body)
        write(out, "extract_small", WHOLE + body)

    statuses = {400: 0, 401: 1, 403: 2, 404: 3, 422: 5, 429: 6, 500: 7, 503: 9, 200: 11}
    for name, body in bodies:
        if name.startswith("error-"):
            for st, sel in statuses.items():
                write(out, "errbody", bytes([sel, 0]) + WHOLE + body)
            write(out, "errbody", bytes([3, 1]) + SMALL + body)
            write(out, "errbody", bytes([5, 5 | 8]) + MIXED + body)
            write(out, "errbody", bytes([7, 2]) + WHOLE + body)
        elif len(body) < 1500:
            write(out, "errbody", bytes([len(name) % 16, len(name) % 3]) + WHOLE + body)
    for text in [b"upstream overloaded", b"<html><body>502 Bad Gateway</body></html>",
                 b"\r\n  \tfirst line\r\nsecond", b"", b"x" * 300, b"\x1b[31mred\x00nul"]:
        write(out, "errbody", bytes([9, 0]) + WHOLE + text)

    for flags, stream in http_forms():
        write(out, "http", bytes([flags]) + WHOLE + stream)
        write(out, "http", bytes([flags]) + BYTES + stream)
        write(out, "http", bytes([flags]) + MIXED + stream)
        write(out, "errbody", bytes([0, 3]) + SMALL + stream)
    connect = b"HTTP/1.1 200 Connection established\r\n\r\n"
    for flags, stream in http_forms()[:6]:
        write(out, "errbody", bytes([0, 7]) + SMALL + connect + stream)
    write(out, "errbody", bytes([0, 7]) + WHOLE +
          b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")

    for seed in trust_seeds():
        write(out, "trust", seed)
    for seed in number_seeds():
        write(out, "number", seed)
    for seed in render_seeds():
        write(out, "render", seed)


if __name__ == "__main__":
    main()
