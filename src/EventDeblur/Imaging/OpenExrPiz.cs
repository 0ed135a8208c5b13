using System.Buffers.Binary;

namespace EventDeblur.Imaging;

/// <summary>
/// OpenEXR's PIZ decompression (32 scanlines per block), written from the format's description (openexr.com, "OpenEXR
/// File Layout" and the PIZ notes of "Technical Introduction"): a bitmap of the 16-bit values present and the reverse
/// look-up table it defines, a canonical Huffman code whose table is packed with runs of zero lengths, one code set aside
/// for runs of the previous value, and a 2-D Haar wavelet per channel (14-bit or 16-bit modular), 32-bit samples taken as
/// two 16-bit halves. Every fault is returned as text for <see cref="OpenExr"/>'s message; nothing here throws on bad data.
/// </summary>
internal static class OpenExrPiz
{
    private const int BitmapSize = 8192;
    private const int EncBits = 16;
    private const int EncSize = (1 << EncBits) + 1;
    private const int DecBits = 14;
    private const int DecSize = 1 << DecBits;
    private const int DecMask = DecSize - 1;
    private const int ShortZeroRun = 59;
    private const int LongZeroRun = 63;
    private const int ShortestLongRun = 2 + LongZeroRun - ShortZeroRun;

    /// <summary>One channel's share of a block: samples per line, lines, 16-bit words per sample.</summary>
    /// <param name="Nx">Samples per line.</param>
    /// <param name="Ny">Lines holding samples of the channel in the block.</param>
    /// <param name="Words">16-bit words per sample: 1 for HALF, 2 for FLOAT and UINT.</param>
    /// <param name="YSampling">Vertical subsampling.</param>
    internal readonly record struct ChannelShare(int Nx, int Ny, int Words, int YSampling);

    /// <summary>Decompresses one PIZ block into the uncompressed line layout; null on success, else what is wrong.</summary>
    /// <param name="body">The chunk's compressed bytes.</param>
    /// <param name="shares">The channels, in the file's order.</param>
    /// <param name="y0">First line of the block.</param>
    /// <param name="y1">Last line of the block.</param>
    /// <param name="lines">Receives the block's lines: per line, each channel's samples little-endian.</param>
    internal static string? Decompress(ReadOnlySpan<byte> body, IReadOnlyList<ChannelShare> shares, int y0, int y1, Span<byte> lines)
    {
        if (body.Length < 4) return "shorter than its 4-byte bitmap range";
        int minNonZero = BinaryPrimitives.ReadUInt16LittleEndian(body);
        int maxNonZero = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        if (maxNonZero >= BitmapSize) return $"bitmap range {minNonZero}–{maxNonZero}, expected below {BitmapSize}";
        var bitmap = new byte[BitmapSize];
        int at = 4;
        if (minNonZero <= maxNonZero)
        {
            int n = maxNonZero - minNonZero + 1;
            if (at + n > body.Length) return $"its bitmap of {n} bytes runs past the chunk";
            body.Slice(at, n).CopyTo(bitmap.AsSpan(minNonZero));
            at += n;
        }
        // The reverse table: the k-th value present (0 always counts), for the k the Huffman data hold.
        var lut = new ushort[1 << 16];
        int count = 0;
        for (int i = 0; i < 1 << 16; i++)
            if (i == 0 || (bitmap[i >> 3] & (1 << (i & 7))) != 0) lut[count++] = (ushort)i;
        ushort maxValue = (ushort)(count - 1);

        if (at + 4 > body.Length) return "ends before the length of its Huffman data";
        int length = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        if (length < 0 || at + length > body.Length) return $"Huffman data of {length:N0} bytes, {body.Length - at:N0} left in the chunk";
        long words = 0;
        foreach (var s in shares) words += (long)s.Nx * s.Ny * s.Words;
        if (words * 2 != lines.Length) return $"channels of {words * 2:N0} bytes for lines of {lines.Length:N0}";
        var buf = new ushort[words];
        if (HufDecode(body.Slice(at, length).ToArray(), buf) is { } bad) return bad;

        // The wavelet, per channel and per 16-bit half of its samples.
        int start = 0;
        foreach (var s in shares)
        {
            for (int j = 0; j < s.Words; j++) Wav2Decode(buf, start + j, s.Nx, s.Words, s.Ny, s.Nx * s.Words, maxValue);
            start += s.Nx * s.Ny * s.Words;
        }
        for (int i = 0; i < buf.Length; i++) buf[i] = lut[buf[i]];

        // Lines: for each line, each channel's next line of words.
        var next = new int[shares.Count];
        for (int c = 0, p = 0; c < shares.Count; c++)
        {
            next[c] = p;
            p += shares[c].Nx * shares[c].Ny * shares[c].Words;
        }
        int o = 0;
        for (int y = y0; y <= y1; y++)
            for (int c = 0; c < shares.Count; c++)
            {
                var s = shares[c];
                if (((y % s.YSampling) + s.YSampling) % s.YSampling != 0) continue;
                int n = s.Nx * s.Words;
                for (int i = 0; i < n; i++, o += 2) BinaryPrimitives.WriteUInt16LittleEndian(lines[o..], buf[next[c] + i]);
                next[c] += n;
            }
        return null;
    }

    private static void Wdec14(ushort l, ushort h, out ushort a, out ushort b)
    {
        int hi = (short)h;
        int ai = (short)l + (hi & 1) + (hi >> 1);
        a = (ushort)(short)ai;
        b = (ushort)(short)(ai - hi);
    }

    private static void Wdec16(ushort l, ushort h, out ushort a, out ushort b)
    {
        int m = l, d = h;
        int bb = (m - (d >> 1)) & 0xFFFF;
        int aa = (d + bb - 0x8000) & 0xFFFF;
        b = (ushort)bb;
        a = (ushort)aa;
    }

    private static void Dec(bool w14, ushort l, ushort h, out ushort a, out ushort b)
    {
        if (w14) Wdec14(l, h, out a, out b);
        else Wdec16(l, h, out a, out b);
    }

    /// <summary>The inverse 2-D Haar wavelet over an nx × ny grid at <paramref name="start"/> with strides ox, oy.</summary>
    private static void Wav2Decode(ushort[] v, int start, int nx, int ox, int ny, int oy, ushort mx)
    {
        bool w14 = mx < (1 << 14);
        int n = Math.Min(nx, ny);
        int p = 1;
        while (p <= n) p <<= 1;
        p >>= 1;
        int p2 = p;
        p >>= 1;
        while (p >= 1)
        {
            int py = start;
            int ey = start + oy * (ny - p2);
            int oy1 = oy * p, oy2 = oy * p2, ox1 = ox * p, ox2 = ox * p2;
            for (; py <= ey; py += oy2)
            {
                int px = py;
                int ex = py + ox * (nx - p2);
                for (; px <= ex; px += ox2)
                {
                    int p01 = px + ox1, p10 = px + oy1, p11 = p10 + ox1;
                    Dec(w14, v[px], v[p10], out ushort i00, out ushort i10);
                    Dec(w14, v[p01], v[p11], out ushort i01, out ushort i11);
                    Dec(w14, i00, i01, out v[px], out v[p01]);
                    Dec(w14, i10, i11, out v[p10], out v[p11]);
                }
                if ((nx & p) != 0)
                {
                    int p10 = px + oy1;
                    Dec(w14, v[px], v[p10], out ushort i00, out v[p10]);
                    v[px] = i00;
                }
            }
            if ((ny & p) != 0)
            {
                int px = py;
                int ex = py + ox * (nx - p2);
                for (; px <= ex; px += ox2)
                {
                    int p01 = px + ox1;
                    Dec(w14, v[px], v[p01], out ushort i00, out v[p01]);
                    v[px] = i00;
                }
            }
            p2 = p;
            p >>= 1;
        }
    }

    /// <summary>A primary decoding-table entry: a short code's length and value, or the long codes sharing its prefix.</summary>
    private struct HufDec
    {
        public int Len;
        public int Lit;
        public List<int>? Long;
    }

    /// <summary>Decodes the Huffman stream (its 20-byte header, packed code table and bits) into exactly <c>output.Length</c> words.</summary>
    private static string? HufDecode(byte[] data, ushort[] output)
    {
        if (data.Length == 0) return output.Length == 0 ? null : $"no Huffman data for {output.Length:N0} values";
        if (data.Length < 20) return $"Huffman data of {data.Length} bytes, shorter than its 20-byte header";
        int im = BinaryPrimitives.ReadInt32LittleEndian(data);
        int iM = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4));
        int nBits = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(12));
        if (im < 0 || im >= EncSize || iM < 0 || iM >= EncSize) return $"Huffman code range {im}–{iM}, expected within 0–{EncSize - 1}";
        var hcode = new long[EncSize];
        int pos = 20;
        long c = 0;
        int lc = 0;
        bool GetBits(int n, out int value)
        {
            while (lc < n)
            {
                if (pos >= data.Length) { value = 0; return false; }
                c = (c << 8) | data[pos++];
                lc += 8;
            }
            lc -= n;
            value = (int)((c >> lc) & ((1L << n) - 1));
            return true;
        }
        for (int i = im; i <= iM; i++)
        {
            if (!GetBits(6, out int l)) return "its Huffman code table runs past the data";
            hcode[i] = l;
            if (l == LongZeroRun)
            {
                if (!GetBits(8, out int run)) return "its Huffman code table runs past the data";
                run += ShortestLongRun;
                if (i + run > iM + 1) return "a run of zero code lengths past the table's end";
                for (int k = 0; k < run; k++) hcode[i + k] = 0;
                i += run - 1;
            }
            else if (l >= ShortZeroRun)
            {
                int run = l - ShortZeroRun + 2;
                if (i + run > iM + 1) return "a run of zero code lengths past the table's end";
                for (int k = 0; k < run; k++) hcode[i + k] = 0;
                i += run - 1;
            }
        }
        int bitsAt = pos;
        if (nBits < 0 || nBits > 8L * (data.Length - bitsAt)) return $"{nBits:N0} bits of Huffman codes, {8L * (data.Length - bitsAt):N0} in the data";

        // Canonical codes: per length, counted from the longest; each entry becomes code << 6 | length.
        var perLength = new long[59];
        for (int i = 0; i < EncSize; i++) perLength[hcode[i]]++;
        long cc = 0;
        for (int i = 58; i > 0; i--)
        {
            long nc = (cc + perLength[i]) >> 1;
            perLength[i] = cc;
            cc = nc;
        }
        for (int i = 0; i < EncSize; i++)
        {
            int l = (int)hcode[i];
            if (l > 0) hcode[i] = (long)(uint)l | (perLength[l]++ << 6);
        }

        var dec = new HufDec[DecSize];
        for (int i = im; i <= iM; i++)
        {
            long code = hcode[i] >> 6;
            int l = (int)(hcode[i] & 63);
            if ((code >> l) != 0) return "a Huffman code longer than its length";
            if (l > DecBits)
            {
                ref var e = ref dec[code >> (l - DecBits)];
                if (e.Len != 0) return "a long Huffman code shares a short code's prefix";
                (e.Long ??= []).Add(i);
            }
            else if (l > 0)
            {
                long first = code << (DecBits - l);
                for (long k = 0; k < 1L << (DecBits - l); k++)
                {
                    ref var e = ref dec[first + k];
                    if (e.Len != 0 || e.Long != null) return "two Huffman codes share a prefix";
                    e.Len = l;
                    e.Lit = i;
                }
            }
        }

        int o = 0;
        int rlc = iM;
        c = 0;
        lc = 0;
        int inPos = bitsAt, inEnd = bitsAt + (nBits + 7) / 8;
        string? Emit(int symbol)
        {
            if (symbol == rlc)
            {
                if (lc < 8)
                {
                    if (inPos >= inEnd) return "a run of the previous value lacks its length";
                    c = (c << 8) | data[inPos++];
                    lc += 8;
                }
                lc -= 8;
                int run = (int)((c >> lc) & 0xFF);
                if (o + run > output.Length) return $"Huffman data for more than {output.Length:N0} values";
                if (o == 0) return "a run of the previous value before any value";
                ushort prev = output[o - 1];
                for (int k = 0; k < run; k++) output[o++] = prev;
                return null;
            }
            if (o >= output.Length) return $"Huffman data for more than {output.Length:N0} values";
            output[o++] = (ushort)symbol;
            return null;
        }
        while (inPos < inEnd)
        {
            c = (c << 8) | data[inPos++];
            lc += 8;
            while (lc >= DecBits)
            {
                var e = dec[(c >> (lc - DecBits)) & DecMask];
                if (e.Len != 0)
                {
                    lc -= e.Len;
                    if (Emit(e.Lit) is { } bad) return bad;
                }
                else
                {
                    if (e.Long == null) return "a bit pattern that is no Huffman code";
                    bool found = false;
                    foreach (int sym in e.Long)
                    {
                        int l = (int)(hcode[sym] & 63);
                        while (lc < l && inPos < inEnd)
                        {
                            c = (c << 8) | data[inPos++];
                            lc += 8;
                        }
                        if (lc >= l && (hcode[sym] >> 6) == ((c >> (lc - l)) & ((1L << l) - 1)))
                        {
                            lc -= l;
                            if (Emit(sym) is { } bad) return bad;
                            found = true;
                            break;
                        }
                    }
                    if (!found) return "a bit pattern that is no Huffman code";
                }
            }
        }
        int skip = (8 - nBits) & 7;
        c >>= skip;
        lc -= skip;
        while (lc > 0)
        {
            var e = dec[(c << (DecBits - lc)) & DecMask];
            if (e.Len == 0 || e.Len > lc) return "trailing bits that are no Huffman code";
            lc -= e.Len;
            if (Emit(e.Lit) is { } bad) return bad;
        }
        return o == output.Length ? null : $"Huffman data for {o:N0} values, expected {output.Length:N0}";
    }
}
