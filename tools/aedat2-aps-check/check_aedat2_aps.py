#!/usr/bin/python3
"""Independent AEDAT 2.0 (jAER, DAVIS) APS frame decoder used to cross-check EventDeblur's reader.

Written apart from the C# reader and by a different rule: it follows jAER's own event extractor
(DavisBaseCamera.DavisEventExtractor + ApsFrameExtractor) and finds frames by pixel ADDRESS, the way
jAER does, not by counting reads:

* a reset read at the first read-out address (x = W-1, y = H-1) starts a frame (start of frame; in
  rolling-shutter mode also the start of exposure);
* a reset read at the last read-out address (0, 0) is the start of exposure in global-shutter mode;
* a signal read at the first address is the end of exposure;
* a signal read at the last address ends the frame; the frame is kept when every pixel had both reads.
Global shutter is taken when the last address's reset read came before the first address's signal read.
Pixel value: correlated double sampling, reset - signal (jAER's CDSframe), clamped to 0..1023 and
scaled to 16 bits as round-half-up(v * 65535 / 1023); placed at column W-1-x, row H-1-y (top-left
origin, the grid of the DVS events x = raw x, y = H-1-raw y).

Prints one JSON object: dvs_events, frames (times in us, SHA-256 of the little-endian 16-bit pixels
in row-major order), frames_dropped. Pure standard library.
"""
import hashlib
import json
import struct
import sys

SIZES = (('DAVIS346', (346, 260)), ('DAVIS240', (240, 180)), ('DAVIS640', (640, 480)))


def main(path):
    data = open(path, 'rb').read()
    pos = 0
    chip = ''
    while pos < len(data) and data[pos:pos + 1] == b'#':
        end = data.find(b'\n', pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].decode('latin-1').strip()
        pos = end
        if line.startswith('# AEChip:'):
            chip = line[len('# AEChip:'):].strip()
        if line.lower() == '#end of ascii header':
            break
    size = next((s for name, s in SIZES if name in chip.upper()), None)
    if size is None:
        raise SystemExit(f'{path}: unknown AEChip {chip!r}')
    width, height = size
    first_addr, last_addr = (width - 1, height - 1), (0, 0)

    dvs = 0
    frames = []
    dropped = 0
    frame = None
    wrap = 0
    last_raw = None
    count = (len(data) - pos) // 8
    for i in range(count):
        addr, raw_t = struct.unpack_from('>Ii', data, pos + 8 * i)
        if last_raw is not None and raw_t < last_raw - (1 << 31):
            wrap += 1 << 32
        last_raw = raw_t
        t = raw_t + wrap
        if addr & 0x80000C00 == 0x80000C00:
            continue  # IMU word
        if not addr & 0x80000000:
            if not addr & 0x400:
                dvs += 1
            continue
        x = (addr >> 12) & 0x3FF
        y = (addr >> 22) & 0x1FF
        kind = (addr >> 10) & 3
        adc = addr & 0x3FF
        if x >= width or y >= height or kind > 1:
            continue
        if kind == 0 and (x, y) == first_addr:
            if frame is not None:
                dropped += 1
            frame = {'sof': t, 'soe_rolling': t, 'soe_global': None, 'eoe': None, 'reset': {}, 'signal': {}}
        if frame is None:
            continue
        if kind == 0:
            frame['reset'][(x, y)] = adc
            if (x, y) == last_addr:
                frame['soe_global'] = t
        else:
            frame['signal'][(x, y)] = adc
            if (x, y) == first_addr:
                frame['eoe'] = t
                frame['global'] = frame['soe_global'] is not None
            if (x, y) == last_addr:
                n = width * height
                if len(frame['reset']) == n and len(frame['signal']) == n and frame['eoe'] is not None:
                    frames.append(finish(frame, t, width, height))
                else:
                    dropped += 1
                frame = None
    if frame is not None:
        dropped += 1
    print(json.dumps({'chip': chip, 'width': width, 'height': height, 'dvs_events': dvs,
                      'frames': frames, 'frames_dropped': dropped}, indent=1))


def finish(frame, eof, width, height):
    out = bytearray(2 * width * height)
    for (x, y), reset in frame['reset'].items():
        v = min(max(reset - frame['signal'][(x, y)], 0), 1023)
        scaled = (2 * v * 65535 + 1023) // (2 * 1023)  # round half up of v * 65535 / 1023
        struct.pack_into('<H', out, 2 * ((height - 1 - y) * width + (width - 1 - x)), scaled)
    soe = frame['soe_global'] if frame['global'] else frame['soe_rolling']
    return {'start_of_frame_us': frame['sof'], 'end_of_frame_us': eof,
            'start_of_exposure_us': soe, 'end_of_exposure_us': frame['eoe'],
            'pixels_sha256': hashlib.sha256(bytes(out)).hexdigest()}


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit('usage: check_aedat2_aps.py FILE.aedat')
    main(sys.argv[1])
