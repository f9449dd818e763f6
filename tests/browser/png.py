"""Minimal PNG reading and writing with the standard library only (8-bit RGB or RGBA, not interlaced):
enough to count the pixels of a Chromium screenshot in a region and to crop it."""

import struct
import zlib


def read(path):
    """Returns (width, height, rows) with rows a list of bytearrays of RGB triples."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {color})")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
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
        prev = line
        if channels == 4:
            line = bytearray(v for i, v in enumerate(line) if i % 4 != 3)
        rows.append(line)
    return width, height, rows


def count_ink(rows, x, y, w, h, background=(255, 255, 255), tolerance=24):
    """Pixels in the region that differ from the background by more than tolerance in any channel."""
    ink = 0
    for line in rows[max(y, 0):max(y, 0) + h]:
        for i in range(max(x, 0) * 3, min((x + w) * 3, len(line)), 3):
            if any(abs(line[i + k] - background[k]) > tolerance for k in range(3)):
                ink += 1
    return ink


def write(path, rows, x, y, w, h):
    """Writes the region as an RGB PNG."""
    raw = b"".join(b"\x00" + bytes(line[x * 3:(x + w) * 3]) for line in rows[y:y + h])
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def count_colour(rows, x, y, w, h, spread=40):
    """Pixels in the region whose channels differ by more than spread: coloured marks, not the black
    and grey of axes, grid lines and text."""
    colour = 0
    for line in rows[max(y, 0):max(y, 0) + h]:
        for i in range(max(x, 0) * 3, min((x + w) * 3, len(line)), 3):
            r, g, b = line[i], line[i + 1], line[i + 2]
            if max(r, g, b) - min(r, g, b) > spread:
                colour += 1
    return colour
