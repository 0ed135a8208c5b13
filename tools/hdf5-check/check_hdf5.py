#!/usr/bin/python3
"""Independent check of EventDeblur's HDF5 event reader, with h5py (Debian python3-h5py, the HDF Group's libhdf5).

  check_hdf5.py read FILE            summary of an HDF5 event file as JSON
  check_hdf5.py write-h5tools FILE N write N pseudo-random events in the h5_tools layout (gzip + shuffle,
                                     xs/ys int16, ts float64 seconds, ps bool, sensor_resolution = (h, w)),
                                     then print the summary of what was written
  check_hdf5.py write-dsec FILE N    the same in the DSEC layout (gzip, x/y uint16, t uint32 µs, p uint8,
                                     t_offset, ms_to_idx; 640×480), written in 1 M-event pieces (for measurements)
  check_hdf5.py write-dsec-plain FILE N  the DSEC layout with h5py's defaults (contiguous, no filter), t_offset
                                     written last (its value is the file's last 8 bytes)
  check_hdf5.py write-dsec-latest FILE N  the same with libver='latest' (superblock version 3, with its checksum)
  check_hdf5.py write-dsec-lzf FILE N  the same with h5py's built-in LZF filter (32000), which libhdf5 lacks
  check_hdf5.py write-dsec-bigendian FILE N  the same with big-endian t, x and y
  check_hdf5.py write-softlink-cycle FILE N  DSEC's t and p, with events/x and events/y soft links to each other
  check_hdf5.py write-dsec-unwritten FILE N  the DSEC layout declaring N events in chunks never written (fill values);
                                     prints the file's size

The summary: count, first and last t (µs), ON / OFF counts, layout, and the canonical event SHA-256
(../shared/recordings/real/expected.json: per event little-endian int64 t µs, int16 x, int16 y, uint8 p, 1 = ON).
Layouts: DSEC events/{x,y,t,p} (t µs relative to the scalar t_offset, added) and h5_tools events/{xs,ys,ts,ps}
(float ts = seconds, rounded half-to-even to µs; integer ts = µs). ON = p > 0.
"""
import hashlib
import json
import sys

import h5py
import numpy as np

CANON = np.dtype([("t", "<i8"), ("x", "<i2"), ("y", "<i2"), ("p", "u1")])  # packed: 13 bytes


def summary(path, chunk=1 << 20):
    with h5py.File(path, "r") as f:
        if "events/x" in f:
            layout, names = "dsec", ("t", "x", "y", "p")
            offset = int(f["t_offset"][()]) if "t_offset" in f else 0
        else:
            layout, names = "h5tools", ("ts", "xs", "ys", "ps")
            offset = 0
        t, x, y, p = (f["events/" + n] for n in names)
        n = min(len(t), len(x), len(y), len(p))
        sha = hashlib.sha256()
        on = 0
        first = last = None
        for a in range(0, n, chunk):
            b = min(n, a + chunk)
            tt = t[a:b]
            if np.issubdtype(tt.dtype, np.floating):
                tt = np.rint(tt.astype(np.float64) * 1e6).astype(np.int64)
            else:
                tt = tt.astype(np.int64)
            tt = tt + offset
            rec = np.empty(b - a, dtype=CANON)
            rec["t"] = tt
            rec["x"] = x[a:b].astype(np.int64).astype(np.int16)
            rec["y"] = y[a:b].astype(np.int64).astype(np.int16)
            pp = p[a:b].astype(np.int64) > 0
            rec["p"] = pp
            on += int(pp.sum())
            sha.update(rec.tobytes())
            if first is None:
                first = int(tt[0])
            last = int(tt[-1])
    return {"layout": layout, "count": n, "first_t_us": first, "last_t_us": last, "on": on, "off": n - on, "sha256": sha.hexdigest()}


def write_h5tools(path, n, plain=False):
    rng = np.random.default_rng(20261202)
    w, h = 346, 260
    ts = np.cumsum(rng.integers(0, 40, n)).astype(np.float64) * 1e-6 + 12.5  # seconds
    xs = rng.integers(0, w, n).astype(np.int16)
    ys = rng.integers(0, h, n).astype(np.int16)
    ps = rng.integers(0, 2, n).astype(bool)
    with h5py.File(path, "w") as f:
        # plain: contiguous and uncompressed, as h5_tools' own writer stores ts and ps.
        kw = {} if plain else dict(compression="gzip", compression_opts=4, shuffle=True, chunks=(4096,))
        f.create_dataset("events/xs", data=xs, **kw)
        f.create_dataset("events/ys", data=ys, **kw)
        f.create_dataset("events/ts", data=ts, **kw)
        f.create_dataset("events/ps", data=ps, **kw)
        f.attrs["sensor_resolution"] = np.array([h, w])
        f.attrs["num_events"] = n


def write_dsec(path, n, piece=1 << 20):
    rng = np.random.default_rng(20261203)
    w, h = 640, 480
    with h5py.File(path, "w") as f:
        kw = dict(compression="gzip", compression_opts=4, chunks=(1 << 16,), maxshape=(None,))
        ds = {k: f.create_dataset("events/" + k, (0,), dtype=d, **kw) for k, d in (("x", np.uint16), ("y", np.uint16), ("t", np.uint32), ("p", np.uint8))}
        now = 0
        ms = [0]
        for a in range(0, n, piece):
            m = min(piece, n - a)
            t = now + np.cumsum(rng.integers(0, 3, m))
            now = int(t[-1])
            for k, v in (("x", rng.integers(0, w, m)), ("y", rng.integers(0, h, m)), ("t", t), ("p", rng.integers(0, 2, m))):
                ds[k].resize((a + m,))
                ds[k][a:a + m] = v
            # ms_to_idx: first index with t >= k ms, for every k up to the last event's millisecond
            ks = np.arange(len(ms), now // 1000 + 1)
            ms.extend((a + np.searchsorted(t, ks * 1000, side="left")).tolist())
        f.create_dataset("ms_to_idx", data=np.array(ms, dtype=np.uint64))
        f.create_dataset("t_offset", data=np.int64(1_700_000_000_000_000))


def write_dsec_plain(path, n, libver=None, compression=None, order="<"):
    rng = np.random.default_rng(20261206)
    t = np.cumsum(rng.integers(0, 3, n)).astype(order + "u4")
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("events/x", data=rng.integers(0, 640, n).astype(order + "u2"), compression=compression)
        f.create_dataset("events/y", data=rng.integers(0, 480, n).astype(order + "u2"), compression=compression)
        f.create_dataset("events/t", data=t, compression=compression)
        f.create_dataset("events/p", data=rng.integers(0, 2, n).astype(np.uint8), compression=compression)
        f.create_dataset("t_offset", data=np.int64(1_700_000_000_000_000))


def write_dsec_unwritten(path, n):
    with h5py.File(path, "w") as f:
        for k, d in (("x", np.uint16), ("y", np.uint16), ("t", np.uint32), ("p", np.uint8)):
            f.create_dataset("events/" + k, (n,), dtype=d, chunks=(1 << 16,), compression="gzip")
        f.create_dataset("t_offset", data=np.int64(0))


def main(argv):
    if len(argv) >= 3 and argv[1] == "read":
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-h5tools":
        write_h5tools(argv[2], int(argv[3]))
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-h5tools-plain":
        write_h5tools(argv[2], int(argv[3]), plain=True)
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-dsec-plain":
        write_dsec_plain(argv[2], int(argv[3]))
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-dsec-latest":
        write_dsec_plain(argv[2], int(argv[3]), libver="latest")
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-dsec-lzf":
        write_dsec_plain(argv[2], int(argv[3]), compression="lzf")
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-dsec-bigendian":
        write_dsec_plain(argv[2], int(argv[3]), order=">")
        print(json.dumps(summary(argv[2])))
    elif len(argv) >= 4 and argv[1] == "write-softlink-cycle":
        with h5py.File(argv[2], "w") as f:
            for k in "tp":
                f.create_dataset("events/" + k, data=np.arange(int(argv[3]), dtype=np.uint32))
            f["events/x"] = h5py.SoftLink("/events/y")
            f["events/y"] = h5py.SoftLink("/events/x")
        print(json.dumps({}))
    elif len(argv) >= 4 and argv[1] == "write-dsec-unwritten":
        write_dsec_unwritten(argv[2], int(argv[3]))
        import os
        print(json.dumps({"bytes": os.path.getsize(argv[2])}))
    elif len(argv) >= 4 and argv[1] == "write-dsec":
        write_dsec(argv[2], int(argv[3]))
        print(json.dumps(summary(argv[2])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
