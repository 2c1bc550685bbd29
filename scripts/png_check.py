#!/usr/bin/env python3
"""Fails unless a PNG screenshot shows a rendered page: it decodes the PNG
with zlib alone (no imaging library needed) and requires enough non-white
pixels and distinct colours, which a blank or error page does not have.

Usage: png_check.py <file.png>
"""
import struct
import sys
import zlib

MIN_NON_WHITE = 0.02   # share of pixels that are not near-white
MIN_COLOURS = 12       # distinct colours in the sampled pixels


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG format {header}")
    return width, height, 3 if colour_type == 2 else 4, zlib.decompress(idat)


def unfilter(width, height, bpp, raw):
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return rows


def main(path):
    width, height, bpp, raw = read_png(path)
    rows = unfilter(width, height, bpp, raw)
    total, non_white, colours = 0, 0, set()
    for line in rows[::4]:
        for x in range(0, width * bpp, 4 * bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            total += 1
            if min(r, g, b) < 235:
                non_white += 1
            colours.add((r >> 3, g >> 3, b >> 3))
    share = non_white / max(total, 1)
    print(f"{path}: {width}x{height}, {share:.1%} non-white, {len(colours)} colours")
    if share < MIN_NON_WHITE or len(colours) < MIN_COLOURS:
        print(f"{path}: looks blank", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1]))
    except (OSError, ValueError, IndexError, zlib.error, TypeError) as e:
        print(f"{sys.argv[1]}: unreadable screenshot: {e}", file=sys.stderr)
        sys.exit(1)
