#!/usr/bin/env python3
"""Converts binary PBM (P4) images to PNG with nothing but zlib, enlarged for viewing.

    tests/render/pbm2png.py [--scale N] [--oled] FILE.pbm... [--out DIR]

Each FILE.pbm becomes DIR/FILE.png (DIR defaults to the file's own directory). --scale
enlarges each pixel to NxN (default 3) and draws a one-pixel grey frame around the panel;
--oled shows ink as light on black, like an SSD1306, instead of black on white paper.
"""
import os
import struct
import sys
import zlib


def read_pbm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            while data[pos:pos + 1] not in (b"\n", b""):
                pos += 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P4":
        raise ValueError("%s: not a binary PBM (P4)" % path)
    w, h = int(fields[1]), int(fields[2])
    pos += 1  # the single whitespace byte after the height
    stride = (w + 7) // 8
    bits = data[pos:pos + stride * h]
    if len(bits) != stride * h:
        raise ValueError("%s: %d bytes of pixels, expected %d" % (path, len(bits), stride * h))
    return w, h, [[(bits[y * stride + x // 8] >> (7 - x % 8)) & 1 for x in range(w)] for y in range(h)]


def png_gray(path, rows):
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def convert(src, dst, scale, oled):
    w, h, px = read_pbm(src)
    ink, paper, frame = (235, 20, 128) if oled else (0, 255, 160)
    out = [[frame] * (w * scale + 2) for _ in range(h * scale + 2)]
    for y in range(h):
        for x in range(w):
            v = ink if px[y][x] else paper
            for dy in range(scale):
                row = out[1 + y * scale + dy]
                for dx in range(scale):
                    row[1 + x * scale + dx] = v
    png_gray(dst, out)


def main(argv):
    scale, oled, outdir, files = 3, False, None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--scale":
            i += 1
            scale = int(argv[i])
        elif a == "--oled":
            oled = True
        elif a == "--out":
            i += 1
            outdir = argv[i]
        else:
            files.append(a)
        i += 1
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for src in files:
        d = outdir or os.path.dirname(src) or "."
        os.makedirs(d, exist_ok=True)
        dst = os.path.join(d, os.path.splitext(os.path.basename(src))[0] + ".png")
        convert(src, dst, scale, oled)
        print(dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
