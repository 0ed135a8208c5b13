#!/usr/bin/env python3
"""No-reference noise measures of deblurred photos (README, "Real photos (INFWIDE, issue 11)").

Usage:  /usr/bin/python3 tools/noref-check.py IMAGE.png [IMAGE.png ...]

Prints one line per image:  speckles (percent) and colour noise, e.g.
    0.54 %  0.100  path/to/image.png

Definitions (values on a 0..1 scale: DN / 255 for 8-bit PNGs, DN / 65535 for 16-bit; the
sRGB-encoded values as stored, no linearisation):
  speckles     - the share of all channel values (R, G and B pooled) that lie more than 0.25
                 from the median of their own channel's 5x5 neighbourhood.
  colour noise - for each of the two colour differences R-G and B-G: the standard deviation of
                 (difference - its 9x9 median) over the frame; the figure is the mean of the two.
Medians are over the full window at every pixel; the image is mirrored at its border
(scipy.ndimage's default 'reflect' mode: d c b a | a b c d). A grey image has no colour noise
(printed as nan).

Needs only numpy: PNG decoding (8/16-bit grey, grey+alpha, RGB, RGBA, non-interlaced) and the
sliding-window medians are implemented here.
"""
import struct
import sys
import zlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SPECKLE_WINDOW = 5
SPECKLE_THRESHOLD = 0.25
CHROMA_WINDOW = 9


def read_png(path):
    """Returns (array HxWxC of uint8/uint16, bit depth)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat = 8, []
    width = height = depth = ctype = interlace = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if channels is None or depth not in (8, 16) or interlace != 0:
        raise ValueError(f"{path}: unsupported PNG (colour type {ctype}, depth {depth}, interlace {interlace})")
    bpp = channels * depth // 8
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        filt, line = raw[y, 0], raw[y, 1:]
        if filt == 0:
            cur = line.copy()
        elif filt == 1:  # Sub: running sum per byte position within the pixel
            cur = np.cumsum(line.reshape(width, bpp).astype(np.uint32), axis=0).astype(np.uint8).reshape(-1)
        elif filt == 2:  # Up
            cur = (line.astype(np.uint16) + prev).astype(np.uint8)
        elif filt in (3, 4):  # Average, Paeth: sequential over pixels, vectorised over the pixel's bytes
            cur = np.zeros(stride, dtype=np.int32)
            ln, up = line.astype(np.int32), prev.astype(np.int32)
            left = np.zeros(bpp, dtype=np.int32)
            upleft = np.zeros(bpp, dtype=np.int32)
            for x in range(0, stride, bpp):
                b = up[x:x + bpp]
                if filt == 3:
                    v = (ln[x:x + bpp] + ((left + b) >> 1)) & 255
                else:
                    p = left + b - upleft
                    pa, pb, pc = np.abs(p - left), np.abs(p - b), np.abs(p - upleft)
                    pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, b, upleft))
                    v = (ln[x:x + bpp] + pred) & 255
                cur[x:x + bpp] = v
                left, upleft = v, b
            cur = cur.astype(np.uint8)
        else:
            raise ValueError(f"{path}: bad PNG filter {filt}")
        out[y] = cur
        prev = cur
    if depth == 16:
        img = out.reshape(height, width * channels, 2)
        img = (img[..., 0].astype(np.uint16) << 8 | img[..., 1]).reshape(height, width, channels)
    else:
        img = out.reshape(height, width, channels)
    return img, depth


def write_png(path, img):
    """Writes an HxW or HxWx{1,3,4} uint8 array as an 8-bit PNG (filter 0)."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    if img.ndim == 2:
        img = img[..., None]
    h, w, c = img.shape
    ctype = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def median_filter(plane, size, rows_per_chunk=64):
    """size x size median of a 2-D integer plane, border mirrored (scipy 'reflect'); exact for odd size."""
    r = size // 2
    padded = np.pad(plane, r, mode="symmetric")
    out = np.empty(plane.shape, dtype=plane.dtype)
    for y0 in range(0, plane.shape[0], rows_per_chunk):
        y1 = min(plane.shape[0], y0 + rows_per_chunk)
        win = sliding_window_view(padded[y0:y1 + 2 * r], (size, size)).reshape(y1 - y0, plane.shape[1], size * size)
        k = size * size // 2
        out[y0:y1] = np.partition(win, k, axis=-1)[..., k]
    return out


def measure(img, depth):
    """Returns (speckle share 0..1, colour noise on the 0..1 scale) of an HxWxC integer image."""
    full = 255.0 if depth == 8 else 65535.0
    colour = img[..., :3] if img.shape[2] >= 3 else img[..., :1]
    planes = colour.astype(np.int32)
    far = 0
    for c in range(planes.shape[2]):
        med = median_filter(planes[..., c], SPECKLE_WINDOW)
        far += np.count_nonzero(np.abs(planes[..., c] - med) > SPECKLE_THRESHOLD * full)
    speckles = far / planes.size
    if planes.shape[2] < 3:
        return speckles, float("nan")
    spreads = []
    for d in (planes[..., 0] - planes[..., 1], planes[..., 2] - planes[..., 1]):
        resid = (d - median_filter(d, CHROMA_WINDOW)) / full
        spreads.append(float(resid.std()))
    return speckles, float(np.mean(spreads))


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    for path in argv:
        img, depth = read_png(path)
        speckles, chroma = measure(img, depth)
        print(f"{100 * speckles:5.2f} %  {chroma:.3f}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
