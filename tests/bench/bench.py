#!/usr/bin/env python3
"""make bench: the extractor's instructions per byte, fixed RAM and stack, and dfdiff parse
beside jq and a cJSON program on the same bodies (peak RSS and time as ratios).

Counts come from callgrind (instructions, repeatable), never from timed assertions."""
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
OUT = os.path.join(BUILD, "bench")
DFDIFF = os.path.join(BUILD, "dfdiff")
BENCH = os.path.join(BUILD, "tests", "bench_extract")
CJSON = os.path.join(BUILD, "tests", "cjson_status")


def run_measured(cmd):
    """Runs cmd under GNU time; returns (exit code, seconds, peak RSS in KB) of cmd alone."""
    tfile = os.path.join(OUT, "time.out")
    proc = subprocess.run(["/usr/bin/time", "-o", tfile, "-f", "%M"] + cmd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(tfile) as f:
        rss = int(f.read().split()[-1])
    start = time.perf_counter()  # timed apart: GNU time's clock has 10 ms steps
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode, time.perf_counter() - start, rss


def callgrind(cmd, toggle=None):
    out = os.path.join(OUT, "callgrind.out")
    args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    if toggle:
        args.append("--toggle-collect=" + toggle)
    subprocess.run(args + cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no callgrind total")


def gen(sizes):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures", "gen_bodies.py"), OUT]
                   + sizes, check=True, stdout=subprocess.DEVNULL)


def body_path(size):
    for name in os.listdir(OUT):
        if name.endswith(".json") and size in name:
            return os.path.join(OUT, name)
    raise FileNotFoundError(size)


def stream_1gb(dfdiff):
    """dfdiff parse reading a 1 GB body from a pipe: the body never exists on disk."""
    gen_cmd = ("import sys; o = sys.stdout.buffer; o.write(b'{\"id\":7,\"query1\":\"'); "
               "b = b\"select a from t where x = '{\\\\\\\"status\\\\\\\": 1}' \" * 16384; "
               "[o.write(b) for _ in range((1 << 30) // len(b))]; "
               "o.write(b'\",\"status\":\"done\",\"result\":\"identical\"}')")
    tfile = os.path.join(OUT, "time.out")
    producer = subprocess.Popen([sys.executable, "-c", gen_cmd], stdout=subprocess.PIPE)
    proc = subprocess.run(["/usr/bin/time", "-o", tfile, "-f", "%M", dfdiff, "parse",
                           "--json", "-"], stdin=producer.stdout, capture_output=True)
    producer.stdout.close()
    producer.wait()
    with open(tfile) as f:
        rss = int(f.read().split()[-1])
    return proc.returncode, rss, proc.stdout.decode()


def main():
    os.makedirs(OUT, exist_ok=True)
    gen(["1k", "1M", "10M"])
    rows = []
    fixed = None
    for size in ("1M", "10M"):
        path = body_path(size)
        nbytes = os.path.getsize(path)
        instr = callgrind([BENCH, path], toggle="extract_body")
        info = json.loads(subprocess.run([BENCH, path], capture_output=True, text=True).stdout)
        fixed = info
        rows.append((size, nbytes, instr, instr / nbytes))
    print("## Extractor (callgrind, instructions of the extraction, 4 KB feeds)\n")
    print("| body | bytes | instructions | instructions/byte |")
    print("|---|---|---|---|")
    for size, nbytes, instr, per in rows:
        print(f"| {size} | {nbytes} | {instr} | {per:.2f} |")
    total = fixed['sizeof_extract'] + fixed['tokens_bytes']
    print(f"\nFixed RAM: {total} B = sizeof(dfd_extract) {fixed['sizeof_extract']} B "
          f"(state + member buffer {fixed['member_buf']} B) + jsmn tokens "
          f"{fixed['tokens_bytes']} B (on the stack while a member is read, included in the "
          f"peak stack below); the status record it fills: {fixed['sizeof_status']} B.")
    print(f"Peak stack of the extraction (painted): {fixed['stack_bytes']} B.\n")

    print("## dfdiff parse beside jq and cJSON (same bodies, this machine)\n")
    print("| body | tool | peak RSS KB | time s | RSS vs dfdiff | time vs dfdiff |")
    print("|---|---|---|---|---|---|")
    for size in ("1M", "10M"):
        path = body_path(size)
        base = None
        for tool, cmd in (("dfdiff parse", [DFDIFF, "parse", "--json", path]),
                          ("jq", ["jq", "-c", "{status, result, diff_stats}", path]),
                          ("cJSON", [CJSON, path])):
            best = None
            for _ in range(3):
                code, secs, rss = run_measured(cmd)
                if best is None or secs < best[1]:
                    best = (code, secs, rss)
            code, secs, rss = best
            if base is None:
                base = (secs, rss)
            print(f"| {size} | {tool} | {rss} | {secs:.4f} | {rss / base[1]:.1f}x | "
                  f"{secs / base[0]:.1f}x |")
    small = body_path("1k")
    _, _, rss_small = run_measured([DFDIFF, "parse", "--json", small])
    code, rss_big, out = stream_1gb(DFDIFF)
    ok = code == 0 and '"status":"done"' in out
    print(f"\nSame RAM for any body: dfdiff parse peak RSS {rss_small} KB on a 1 KB body, "
          f"{rss_big} KB on a 1 GB body streamed through a pipe"
          f"{'' if ok else ' (FAILED: exit %d)' % code}.")


if __name__ == "__main__":
    main()
