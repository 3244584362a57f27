#!/usr/bin/env python3
"""make size: the footprint of the reference images (boards/reference), per component, from
GNU ld map files (-Wl,-Map), as Markdown; with the worst-case stack of one dfd_get
(tests/cross/stack.py) and the budgets of the device targets.

Every input section the linker placed in a memory region is attributed to the archive (or
object) it came from, and the archive to a component:

  libdfd.a core | libdfd_lwip.a port | libdfd_trust.a trust store | libdfd_render.a renderer
  libqrcodegen.a qrcodegen | libmbedtls.a mbedTLS | liblwip.a lwIP
  libc*.a libg*.a libm*.a libgcc.a libnosys.a: libc + libgcc
  main.o and libdfd_board.a (boards/common/): the reference board

Sections are classified by where they sit: code (.text*) and read-only data in flash;
.data (in RAM, its initial values also in flash) and .bss/COMMON (RAM only).
Flash = text + rodata + data's initial values; RAM = data + bss.

usage: footprint.py --target NAME=TITLE=MAP ... [--out size.md] [--pool-header dfd_opts.h]
                    [--stack-objs OBJDIR --stack-image ELF --stack-tool-prefix arm-none-eabi-
                     --stack-target TITLE] [--armhf-bench PATH] [--bench-md tls.md]"""
import argparse
import os
import re
import sys
from collections import defaultdict

COMPONENTS = [  # (key, label)
    ("core", "dfdiff core (`libdfd`: src/*.c)"),
    ("port", "lwIP port (port/lwip)"),
    ("trust", "built-in trust store (generated DER roots)"),
    ("render", "renderer (src/render)"),
    ("qrcodegen", "qrcodegen (renderer's QR codes)"),
    ("display", "display framebuffer 296x128 + QR scratch (board's)"),
    ("mbedtls", "mbedTLS 3.6 (TLS 1.2 + 1.3 client)"),
    ("lwip", "lwIP 2.2 (IPv4, TCP, UDP, DNS, DHCP, sockets)"),
    ("libc", "libc + libgcc"),
    ("board", "reference board: startup, main, the client's state"),
    ("fill", "alignment padding"),
]
LABEL = dict(COMPONENTS)
KEYS = [k for k, _ in COMPONENTS]


def component(path):
    base = os.path.basename(path.split("(")[0])
    table = {"libdfd.a": "core", "libdfd_lwip.a": "port", "libdfd_trust.a": "trust",
             "libdfd_render.a": "render", "libqrcodegen.a": "qrcodegen",
             "libmbedtls.a": "mbedtls", "liblwip.a": "lwip", "main.o": "board",
             "libdfd_board.a": "board"}
    if base in table:
        return table[base]
    if re.match(r"lib(c|g|m|gcc|nosys|c_nano|g_nano|m_nano|semihost|dummyhost)\.a$", base) or \
            base.startswith("crt"):
        return "libc"
    if "linker stubs" in path:
        return "fill"
    return "board"  # any other object given on the command line


def member(path):
    m = re.match(r".*\((.*)\)$", path)
    return m.group(1) if m else os.path.basename(path)


def parse_map(path):
    """{component: {text, rodata, data, bss}}, {(component, member): same}."""
    with open(path, errors="replace") as f:
        lines = f.read().split("\n")
    regions = []  # (name, origin, length)
    i = lines.index("Memory Configuration") + 3
    while lines[i].strip():
        f = lines[i].split()
        if f[0] != "*default*":
            regions.append((f[0], int(f[1], 16), int(f[2], 16)))
        i += 1
    flash = [r for r in regions if r[0].upper() in ("FLASH", "ROM", "IROM")] or regions[:1]
    ram = [r for r in regions if r not in flash]

    def region(addr, rs):
        return any(o <= addr < o + n for _, o, n in rs)

    comp = defaultdict(lambda: defaultdict(int))
    per_obj = defaultdict(lambda: defaultdict(int))
    start = lines.index("Linker script and memory map")
    out_sec, out_ram, pending = None, False, None
    for line in lines[start:]:
        m = re.match(r"^(\.\S+|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?", line)
        if m and not line.startswith(" "):
            out_sec = m.group(1)
            out_ram = bool(m.group(2)) and region(int(m.group(2), 16), ram)
            continue
        m = re.match(r"^ (\S+)\s*$", line)
        if m and (m.group(1).startswith(".") or m.group(1) == "COMMON"):
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+|COMMON|\*fill\*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(\S.*))?$", line)
        if not m:
            pending = None
            continue
        sec = m.group(1) or pending
        pending = None
        addr, size, src = int(m.group(2), 16), int(m.group(3), 16), (m.group(4) or "").strip()
        if size == 0 or not sec:
            continue
        if not (region(addr, flash) or region(addr, ram)):
            continue  # debug information and other sections outside the memory regions
        if sec == "*fill*":
            key, obj = "fill", "padding"
        else:
            key, obj = component(src), member(src)
            if key == "board" and re.match(r"\.bss\.(bits|qr)\.", sec):
                key = "display"  # main.c's framebuffer and QR scratch, for the renderer
        if region(addr, ram):
            kind = "bss" if (sec.startswith((".bss", ".sbss", ".tbss", "COMMON"))
                             or out_sec in (".bss", ".tbss", ".sbss", ".noinit")) else "data"
        elif sec.startswith(".text") or sec in (".init", ".fini", ".iplt"):
            kind = "text"
        else:
            kind = "rodata"
        comp[key][kind] += size
        per_obj[(key, obj)][kind] += size
    return comp, per_obj


def flash(d):
    return d["text"] + d["rodata"] + d["data"]


def ram(d):
    return d["data"] + d["bss"]


def kb(n):
    return f"{n / 1024:.1f} KB"


def pool_size(header):
    try:
        text = open(header).read()
    except OSError:
        return None
    m = re.search(r"#define\s+DFD_TLS_POOL_SIZE\s+(.+)", text)
    if not m:
        return None
    expr = m.group(1).split("/*")[0].strip()
    if not re.fullmatch(r"[0-9()*+\s]+", expr):
        return None
    return eval(expr)  # digits, parentheses, * and + only


def armhf_peaks(path):
    """(handshake, 32-bit pool peak) rows of bench_tls.py's table: the devices' set (lean
    mbedTLS, DER root in place) when it has that column, else the armhf build's."""
    try:
        lines = open(path).read().split("\n")
    except OSError:
        return []
    rows, col = [], None
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if col is None:
            col = next((i for i, c in enumerate(cells) if c.startswith("32-bit device set")),
                       next((i for i, c in enumerate(cells) if c.startswith("32-bit armhf, CA")),
                            None))
        elif line.startswith("| TLS") and len(cells) > col and cells[col] not in ("", "n/a"):
            rows.append((cells[0], cells[col]))
        elif not line.startswith("|"):
            col = None if not rows else col
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", action="append", required=True, help="NAME=TITLE=MAP")
    ap.add_argument("--out")
    ap.add_argument("--pool-header")
    ap.add_argument("--stack-objs")
    ap.add_argument("--stack-image")
    ap.add_argument("--stack-tool-prefix", default="arm-none-eabi-")
    ap.add_argument("--stack-target", default="")
    ap.add_argument("--armhf-bench")
    ap.add_argument("--bench-md", help="make bench's TLS table (bench/tls.md)")
    a = ap.parse_args()

    targets = []
    for spec in a.target:
        name, title, path = spec.split("=", 2)
        comp, per_obj = parse_map(path)
        targets.append((name, title, path, comp, per_obj))
    present = [k for k in KEYS if any(sum(t[3][k].values()) for t in targets)]

    out = ["## Footprint of the reference images (`make size`)", ""]
    out.append("boards/reference/main.c linked for each target (`-Os`, function and data sections,"
               " `--gc-sections`), read from the linker map: Flash = code + read-only data +"
               " the initial values of .data; RAM = .data + .bss (static RAM; stacks and the"
               " RTOS's own memory are not in it).")
    out.append("")
    head = "| component | " + " | ".join(f"{t[0]} Flash | {t[0]} RAM" for t in targets) + " |"
    out.append(head)
    out.append("|---|" + "---:|---:|" * len(targets))
    for k in present:
        cells = []
        for t in targets:
            d = t[3][k]
            cells += [f"{flash(d)}", f"{ram(d)}"]
        out.append(f"| {LABEL[k]} | " + " | ".join(cells) + " |")
    cells = []
    for t in targets:
        cells += [f"**{sum(flash(t[3][k]) for k in present)}**",
                  f"**{sum(ram(t[3][k]) for k in present)}**"]
    out.append("| **whole image** | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Bytes. Targets: " + "; ".join(f"{t[0]} = {t[1]}" for t in targets) + ".")
    out.append("")

    for name, title, path, comp, per_obj in targets:
        out.append(f"### {name}: {title}")
        out.append("")
        out.append("| component | text | rodata | data | bss | Flash | RAM |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for k in present:
            d = comp[k]
            out.append(f"| {LABEL[k]} | {d['text']} | {d['rodata']} | {d['data']} | {d['bss']} |"
                       f" {flash(d)} | {ram(d)} |")
        out.append("")

    # Our own code per object, on the first target (the budget's).
    name, title, path, comp, per_obj = targets[0]
    out.append(f"### Our code per object ({name})")
    out.append("")
    out.append("| object | text | rodata | data | bss | Flash | RAM |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    rows = [(k, o, d) for (k, o), d in per_obj.items() if k in ("core", "port")]
    for k, o, d in sorted(rows, key=lambda r: -flash(r[2])):
        out.append(f"| {'port/lwip/' if k == 'port' else 'src/'}{o[:-2]}.c | {d['text']} |"
                   f" {d['rodata']} | {d['data']} | {d['bss']} | {flash(d)} | {ram(d)} |")
    out.append("")

    stack = None
    if a.stack_objs:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import stack as stackmod
        res = stackmod.analyse(a.stack_objs, a.stack_image, "dfd_get", a.stack_tool_prefix)
        stack = res["total"]
        out.append(stackmod.markdown(res, "dfd_get", a.stack_target))

    # Budgets, on the first target (Cortex-M4 -Os).
    pool = pool_size(a.pool_header) if a.pool_header else None
    ours = flash(comp["core"]) + flash(comp["port"])
    stackless = ["core", "port", "mbedtls", "lwip", "libc"]
    image_min = sum(flash(comp[k]) for k in stackless)
    image_all = sum(flash(comp[k]) for k in present)
    ram_all = sum(ram(comp[k]) for k in present)

    def verdict(ok):
        return "**met**" if ok else "**not met**"

    out.append(f"### Budgets ({name}: {title}, -Os)")
    out.append("")
    out.append("| budget | limit | measured | |")
    out.append("|---|---:|---:|---|")
    out.append(f"| our core + port, Flash | 10 KB (10240) | {ours} ({kb(ours)}) | {verdict(ours <= 10240)}"
               + (f", over by {ours - 10240} B" if ours > 10240 else "") + " |")
    out.append(f"| core + port + mbedTLS + lwIP + libc, Flash | 150 KB (153600) | {image_min}"
               f" ({kb(image_min)}) | {verdict(image_min <= 153600)}"
               + (f", over by {image_min - 153600} B" if image_min > 153600 else "") + " |")
    out.append(f"| the whole image (with trust store, renderer, board), Flash | (none) |"
               f" {image_all} ({kb(image_all)}) | for reference |")
    pool_note = f", TLS pool {pool} B included" if pool else ""
    display = ram(comp["display"])
    out.append(f"| static RAM of everything but the RTOS | 64 KB (65536) | {ram_all} ({kb(ram_all)}"
               f"{pool_note}) | {verdict(ram_all <= 65536)} |")
    if stack is not None:
        out.append(f"| static RAM + the stack of one `dfd_get` | 64 KB (65536) | {ram_all + stack}"
                   f" ({kb(ram_all + stack)}) | {verdict(ram_all + stack <= 65536)} |")
    if display:
        rest = ram_all - display
        out.append(f"| static RAM without the display's buffers ({display} B) | 64 KB (65536) |"
                   f" {rest} ({kb(rest)}) | {verdict(rest <= 65536)} |")
        if stack is not None:
            out.append(f"| the same + the stack of one `dfd_get` | 64 KB (65536) |"
                       f" {rest + stack} ({kb(rest + stack)}) | {verdict(rest + stack <= 65536)} |")
    out.append("")
    if ours > 10240:
        big = sorted(((o, flash(d)) for (k, o), d in per_obj.items() if k in ("core", "port")),
                     key=lambda r: -r[1])[:4]
        out.append(f"Core + port exceed 10 KB by {ours - 10240} B; the largest objects: "
                   + ", ".join(f"{o[:-2]} {n} B" for o, n in big) + ".")
        out.append("")
    bench = a.armhf_bench or "build/rpi-armhf/tests/bench_get"
    out.append("The TLS pool's peak of the 32-bit build is measured by the armhf Linux build under"
               f" qemu-arm, `{bench}`, and by the same built with the devices' mbedTLS set and"
               " the root as DER in memory (tests/bench/bench_tls.py, `make bench`; README.md,"
               " \"Transport\")" + (f"; the device pool is DFD_TLS_POOL_SIZE = {pool} B"
                                    " (port/lwip/dfd_opts.h)." if pool else "."))
    peaks = armhf_peaks(a.bench_md) if a.bench_md else []
    if peaks:
        out.append(f"From the last `make bench` ({a.bench_md}), pool peak of the 32-bit build"
                   " (with the devices' set when that column is there): "
                   + "; ".join(f"{h} {v}" for h, v in peaks) + ".")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
