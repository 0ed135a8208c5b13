#!/usr/bin/python3
"""Independent AEDAT 4.0 decoder used to cross-check files written by EventDeblur.

It shares no code with the C# reader: flatbuffers are read with the official FlatBuffers Python
runtime (Debian's python3-flatbuffers), LZ4 frames with the reference liblz4 bindings
(python3-lz4) and zstd frames with python3-zstandard, the way dv-processing reads them
(one compressed frame per packet; ZSTD frames must carry their content size).

Prints one JSON object: format, compression, event count, canonical event SHA-256 (13-byte
little-endian records: int64 t, int16 x, int16 y, uint8 p), frames, triggers, imu, and whether the
FileDataTable matches a sequential walk. Exit status 0 when the file is fully consistent.
"""
import hashlib
import json
import struct
import sys

import flatbuffers
import flatbuffers.table
import lz4.frame
import zstandard


def table(buf, pos):
    return flatbuffers.table.Table(bytearray(buf), pos)


def root(buf):
    return table(buf, flatbuffers.encode.Get(flatbuffers.packer.uoffset, buf, 0))


def field_offset(tab, slot):
    return tab.Offset(4 + 2 * slot)


def scalar(tab, slot, flags, default):
    o = field_offset(tab, slot)
    return tab.Get(flags, o + tab.Pos) if o else default


def vector(tab, slot):
    o = field_offset(tab, slot)
    if not o:
        return 0, 0
    return tab.Vector(o), tab.VectorLen(o)


def main(path):
    data = open(path, 'rb').read()
    if data[:14] != b'#!AER-DAT4.0\r\n':
        raise SystemExit(f'{path}: not an AEDAT 4.0 file')
    n = struct.unpack_from('<I', data, 14)[0]
    header = data[18:18 + n]
    if header[4:8] != b'IOHE':
        raise SystemExit(f'{path}: IOHeader identifier is {header[4:8]!r}')
    h = root(header)
    compression = scalar(h, 0, flatbuffers.number_types.Int32Flags, 0)
    table_pos = scalar(h, 1, flatbuffers.number_types.Int64Flags, -1)

    def decompress(body):
        if compression == 0:
            return body
        if compression in (1, 2):
            return lz4.frame.decompress(body)
        params = zstandard.get_frame_parameters(body)
        if params.content_size in (0, zstandard.CONTENTSIZE_UNKNOWN) and len(body) > 16:
            raise SystemExit(f'{path}: zstd frame without content size (dv-processing refuses it)')
        return zstandard.ZstdDecompressor().decompress(body)

    sha = hashlib.sha256()
    counts = {'events': 0, 'frames': 0, 'triggers': 0, 'imu': 0}
    offsets = []
    pos = 18 + n
    end = table_pos if table_pos > 0 else len(data)
    while pos + 8 <= end:
        stream_id, size = struct.unpack_from('<ii', data, pos)
        offsets.append(pos + 8)
        raw = decompress(data[pos + 8:pos + 8 + size])
        pos += 8 + size
        prefix = struct.unpack_from('<I', raw, 0)[0]
        buf = raw[4:4 + prefix]
        ident = bytes(buf[4:8])
        r = root(buf)
        if ident == b'EVTS':
            start, count = vector(r, 0)
            for i in range(count):
                t, x, y, p = struct.unpack_from('<qhh?', buf, start + 16 * i)
                sha.update(struct.pack('<qhhB', t, x, y, 1 if p else 0))
            counts['events'] += count
        elif ident == b'FRME':
            counts['frames'] += 1
        elif ident == b'TRIG':
            counts['triggers'] += vector(r, 0)[1]
        elif ident == b'IMUS':
            counts['imu'] += vector(r, 0)[1]
    table_ok = None
    if table_pos > 0:
        raw = decompress(data[table_pos:])
        buf = raw[4:4 + struct.unpack_from('<I', raw, 0)[0]]
        r = root(buf)
        start, count = vector(r, 0)
        rows = []
        for i in range(count):
            slot = start + 4 * i
            t = table(buf, slot + flatbuffers.encode.Get(flatbuffers.packer.uoffset, buf, slot))
            rows.append(scalar(t, 0, flatbuffers.number_types.Int64Flags, 0))
        table_ok = rows == offsets
    out = {'format': 'AEDAT4.0', 'compression': compression, 'packets': len(offsets),
           'events': {'count': counts['events'], 'sha256': sha.hexdigest()},
           'frames': counts['frames'], 'triggers': counts['triggers'], 'imu': counts['imu'],
           'data_table_matches_walk': table_ok}
    print(json.dumps(out))
    return 0 if table_ok in (None, True) and pos == end else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
