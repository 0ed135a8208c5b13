using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OpenCvSharp;

namespace EventDeblur.Imaging;

/// <summary>
/// Reads OpenEXR frames (RECORDING_FORMAT.md allows float EXR; the OpenCV build OpenCvSharp ships has no OpenEXR codec):
/// single-part scanline files with NONE, RLE, ZIPS, ZIP, PIZ or PXR24 compression and HALF, FLOAT or UINT channels, following
/// the OpenEXR file layout (openexr.com, "OpenEXR File Layout"). The image is the display window; pixels of it outside
/// the data window are 0. Colour comes from the channels <c>R</c>, <c>G</c>, <c>B</c> (or one layer's
/// <c>layer.R</c>, <c>.G</c>, <c>.B</c>), grey from <c>Y</c> or a file's only channel; other channels (alpha, depth) are
/// skipped. Tiled, multi-part and deep files, subsampled colour channels and the lossy B44 and DWA compressions are refused
/// with what to convert to. Every fault names the file, the byte offset and what was expected.
/// </summary>
public static class OpenExr
{
    /// <summary>OpenEXR's magic number, the first four bytes of every file (20000630 little-endian).</summary>
    public static ReadOnlySpan<byte> Magic => [0x76, 0x2F, 0x31, 0x01];

    /// <summary>Largest header read, bytes (1 MiB): a frame's header is a few hundred bytes.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>Largest image, pixels of the display and of the data window (64 Mi, as <c>RecordingManifest.MaxFramePixels</c>).</summary>
    public const long MaxPixels = 64L << 20;

    /// <summary>Largest uncompressed block (1 GiB): lines × channels × bytes per sample of one chunk.</summary>
    public const long MaxBlockBytes = 1L << 30;

    /// <summary>Whether <paramref name="head"/> starts with <see cref="Magic"/>.</summary>
    public static bool IsExr(ReadOnlySpan<byte> head) => head.Length >= 4 && head[..4].SequenceEqual(Magic);

    /// <summary>Whether the file at <paramref name="path"/> starts with <see cref="Magic"/>; false when it cannot be read.</summary>
    public static bool IsExr(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            return fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && IsExr(magic);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>An OpenEXR compression method (the header's <c>compression</c> attribute).</summary>
    public enum Compression : byte
    {
        /// <summary>Uncompressed.</summary>
        None = 0,
        /// <summary>Run-length, one scanline per block.</summary>
        Rle = 1,
        /// <summary>zlib, one scanline per block.</summary>
        Zips = 2,
        /// <summary>zlib, 16 scanlines per block.</summary>
        Zip = 3,
        /// <summary>Wavelet + Huffman, 32 scanlines per block (<see cref="OpenExrPiz"/>).</summary>
        Piz = 4,
        /// <summary>zlib of 24-bit floats (lossy for FLOAT), 16 scanlines per block.</summary>
        Pxr24 = 5,
        /// <summary>Lossy 4×4 blocks of HALF, 32 scanlines (not decoded here).</summary>
        B44 = 6,
        /// <summary>B44 with flat blocks packed (not decoded here).</summary>
        B44A = 7,
        /// <summary>Lossy DCT, 32 scanlines (not decoded here).</summary>
        Dwaa = 8,
        /// <summary>Lossy DCT, 256 scanlines (not decoded here).</summary>
        Dwab = 9,
    }

    /// <summary>A channel's sample type.</summary>
    public enum PixelType
    {
        /// <summary>32-bit unsigned integer.</summary>
        UInt = 0,
        /// <summary>16-bit IEEE half float.</summary>
        Half = 1,
        /// <summary>32-bit IEEE float.</summary>
        Float = 2,
    }

    /// <summary>One entry of the header's channel list.</summary>
    /// <param name="Name">Channel name, e.g. <c>R</c> or <c>diffuse.R</c>.</param>
    /// <param name="Type">Sample type.</param>
    /// <param name="XSampling">Horizontal subsampling (1 = every pixel).</param>
    /// <param name="YSampling">Vertical subsampling (1 = every line).</param>
    public sealed record Channel(string Name, PixelType Type, int XSampling, int YSampling)
    {
        /// <summary>Bytes per sample: 2 for HALF, 4 otherwise.</summary>
        public int Bytes => Type == PixelType.Half ? 2 : 4;
    }

    /// <summary>A window in pixel coordinates, both corners inclusive (OpenEXR's <c>box2i</c>).</summary>
    public readonly record struct Box(int XMin, int YMin, int XMax, int YMax)
    {
        /// <summary>Width in pixels.</summary>
        public long Width => (long)XMax - XMin + 1;

        /// <summary>Height in pixels.</summary>
        public long Height => (long)YMax - YMin + 1;
    }

    /// <summary>What a scanline OpenEXR header declares, with the channels the frame is read from.</summary>
    /// <param name="Channels">Every channel, in the file's order (sorted by name).</param>
    /// <param name="Compression">Compression of the pixel data.</param>
    /// <param name="DataWindow">The pixels stored.</param>
    /// <param name="DisplayWindow">The image: its size is the frame's size.</param>
    /// <param name="Selected">Indices into <paramref name="Channels"/> of the frame's channels: R, G, B or one grey channel.</param>
    /// <param name="HeaderEnd">Byte offset of the line offset table (the end of the header).</param>
    public sealed record Header(IReadOnlyList<Channel> Channels, Compression Compression, Box DataWindow, Box DisplayWindow, int[] Selected, long HeaderEnd)
    {
        /// <summary>Frame width in pixels (the display window's).</summary>
        public int Width => (int)DisplayWindow.Width;

        /// <summary>Frame height in pixels (the display window's).</summary>
        public int Height => (int)DisplayWindow.Height;

        /// <summary>1 (grey) or 3 (colour).</summary>
        public int FrameChannels => Selected.Length;

        /// <summary>Scanlines per compressed block for <see cref="Compression"/>.</summary>
        public int LinesPerBlock => LinesPerBlockOf(Compression);

        /// <summary>The selected channels' names, as the messages cite them.</summary>
        public string SelectedNames => string.Join(", ", Selected.Select(i => Channels[i].Name));
    }

    /// <summary>Scanlines per block of a compression method.</summary>
    public static int LinesPerBlockOf(Compression c) => c switch
    {
        Compression.None or Compression.Rle or Compression.Zips => 1,
        Compression.Zip or Compression.Pxr24 => 16,
        Compression.Dwab => 256,
        _ => 32,
    };

    private static bool Decodable(Compression c) => c is Compression.None or Compression.Rle or Compression.Zips or Compression.Zip or Compression.Piz or Compression.Pxr24;

    /// <summary>Reads and checks the header of the file at <paramref name="path"/> (at most <see cref="MaxHeaderBytes"/> are read).</summary>
    /// <exception cref="IOException">The file cannot be read, is no OpenEXR file, or its header is damaged or declares what this reader does not decode (the message says which byte and what to convert to).</exception>
    public static Header ReadHeader(string path)
    {
        byte[] head;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            head = new byte[(int)Math.Min(fs.Length, MaxHeaderBytes)];
            head = head[..fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        return ParseHeader(head, path);
    }

    /// <summary>Decodes a whole OpenEXR file to a 32-bit float OpenCV image: BGR for colour, one channel for grey.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="path">The file, for the messages.</param>
    /// <exception cref="IOException">The file is damaged (truncated, a chunk out of place, a body that does not decompress to its lines) or declares what this reader does not decode; the message names the byte offset.</exception>
    public static Mat Decode(byte[] bytes, string path)
    {
        var h = ParseHeader(bytes, path);
        int lpb = h.LinesPerBlock;
        var dw = h.DataWindow;
        long blocks = (dw.Height + lpb - 1) / lpb;
        long tableEnd = h.HeaderEnd + 8 * blocks;
        if (tableEnd > bytes.Length)
            throw Fault(path, h.HeaderEnd, $"the line offset table of {blocks:N0} entries (8 bytes each) runs past the end of the file ({bytes.Length:N0} bytes): a truncated file");
        int w = h.Width, ht = h.Height, nc = h.FrameChannels;
        var mat = new Mat(ht, w, nc == 3 ? MatType.CV_32FC3 : MatType.CV_32FC1, Scalar.All(0));
        try
        {
            var dst = mat.AsSpan<float>();
            // Where each selected channel lands in an interleaved BGR (or grey) pixel.
            var slot = new int[h.Channels.Count];
            Array.Fill(slot, -1);
            for (int k = 0; k < nc; k++) slot[h.Selected[k]] = nc == 3 ? 2 - k : 0;
            byte[] raw = [];
            for (long b = 0; b < blocks; b++)
            {
                long entry = h.HeaderEnd + 8 * b;
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)entry, 8));
                int y0 = (int)(dw.YMin + b * lpb), y1 = (int)Math.Min(dw.YMax, (long)y0 + lpb - 1);
                if (offset < (ulong)tableEnd || offset > (ulong)bytes.Length - 8)
                    throw Fault(path, entry, $"line offset table entry {b} (lines {y0}–{y1}) points to byte {offset:N0}, outside the chunks ({tableEnd:N0}–{bytes.Length - 8:N0}): a damaged or truncated file");
                int at = (int)offset;
                int y = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at, 4));
                int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4, 4));
                if (y != y0)
                    throw Fault(path, at, $"a chunk for line {y}, expected line {y0} (entry {b} of the line offset table)");
                long rawSize = 0;
                for (int yy = y0; yy <= y1; yy++) rawSize += LineBytes(h, yy);
                if (rawSize > MaxBlockBytes)
                    throw Fault(path, at, $"lines {y0}–{y1} of {h.Channels.Count} channels take {rawSize:N0} bytes uncompressed, over the {MaxBlockBytes:N0}-byte limit for one block");
                if (size < 0 || size > rawSize)
                    throw Fault(path, at + 4, $"a chunk of {size:N0} bytes for lines {y0}–{y1}, expected 1–{rawSize:N0} (their uncompressed size)");
                if ((long)at + 8 + size > bytes.Length)
                    throw Fault(path, at + 8, $"the chunk for lines {y0}–{y1} needs {size:N0} bytes, the file has {bytes.Length - at - 8:N0} left: a truncated file");
                if (raw.Length < rawSize) raw = new byte[rawSize];
                var body = bytes.AsSpan(at + 8, size);
                var lines = raw.AsSpan(0, (int)rawSize);
                // A block that would not shrink is stored as it is, whatever the file's compression (OpenEXR's writers do so).
                if (size == rawSize) body.CopyTo(lines);
                else
                {
                    string? bad;
                    switch (h.Compression)
                    {
                        case Compression.Rle:
                            bad = Unrle(body, lines);
                            if (bad == null) Unpredict(lines, raw);
                            break;
                        case Compression.Zips or Compression.Zip:
                            bad = Inflate(bytes, at + 8, size, lines);
                            if (bad == null) Unpredict(lines, raw);
                            break;
                        case Compression.Pxr24:
                            bad = Pxr24(bytes, at + 8, size, h, y0, y1, lines);
                            break;
                        case Compression.Piz:
                            bad = OpenExrPiz.Decompress(body, h.Channels.Select(c => new OpenExrPiz.ChannelShare(SamplesOnLine(dw, c),
                                Enumerable.Range(y0, y1 - y0 + 1).Count(yy => Mod(yy, c.YSampling) == 0), c.Bytes / 2, c.YSampling)).ToList(), y0, y1, lines);
                            break;
                        default:
                            bad = $"{size:N0} bytes where its uncompressed lines take {rawSize:N0}";
                            break;
                    }
                    if (bad != null) throw Fault(path, at + 8, $"the {Name(h.Compression)} chunk for lines {y0}–{y1} ({size:N0} bytes): {bad}");
                }
                Scatter(h, raw, y0, y1, slot, dst);
            }
            return mat;
        }
        catch
        {
            mat.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="planes"/> (1 grey or 3 colour planes, row-major <paramref name="width"/> × <paramref name="height"/>,
    /// colour in R, G, B order) as a single-part scanline OpenEXR file with FLOAT channels <c>Y</c> or <c>B</c>, <c>G</c>,
    /// <c>R</c> and ZIP compression (16 lines per chunk; a chunk that would not shrink is stored as it is), the values as
    /// given (any float, HDR values above 1 kept). Atomic: written beside <paramref name="path"/> and renamed.
    /// </summary>
    /// <exception cref="ArgumentException">Not 1 or 3 planes, or a plane of the wrong length.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IReadOnlyList<float[]> planes, int width, int height)
    {
        if (planes.Count is not (1 or 3)) throw new ArgumentException($"{planes.Count} planes, expected 1 or 3", nameof(planes));
        if (width < 1 || height < 1 || (long)width * height > MaxPixels) throw new ArgumentException($"{width}×{height}: expected 1 to {MaxPixels:N0} pixels");
        if (planes.Any(p => p.Length != width * height)) throw new ArgumentException($"a plane's length is not {width}×{height}", nameof(planes));
        // Channels are stored in name order: B, G, R (planes 2, 1, 0), or Y.
        int[] order = planes.Count == 3 ? [2, 1, 0] : [0];
        string[] names = planes.Count == 3 ? ["B", "G", "R"] : ["Y"];
        var head = new MemoryStream();
        void Bytes(ReadOnlySpan<byte> b) => head.Write(b);
        void Int(int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); Bytes(b); }
        void Attr(string name, string type, ReadOnlySpan<byte> value)
        {
            Bytes(Encoding.ASCII.GetBytes(name + "\0" + type + "\0"));
            Int(value.Length);
            Bytes(value);
        }
        Bytes(Magic);
        Int(2);
        var chlist = new MemoryStream();
        foreach (var n in names)
        {
            chlist.Write(Encoding.ASCII.GetBytes(n + "\0"));
            chlist.Write(BitConverter.GetBytes((int)PixelType.Float));
            chlist.Write(new byte[4]);
            chlist.Write(BitConverter.GetBytes(1));
            chlist.Write(BitConverter.GetBytes(1));
        }
        chlist.WriteByte(0);
        Attr("channels", "chlist", chlist.ToArray());
        Attr("compression", "compression", [(byte)Compression.Zip]);
        var box = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(box.AsSpan(8), width - 1);
        BinaryPrimitives.WriteInt32LittleEndian(box.AsSpan(12), height - 1);
        Attr("dataWindow", "box2i", box);
        Attr("displayWindow", "box2i", box);
        Attr("lineOrder", "lineOrder", [0]);
        Attr("pixelAspectRatio", "float", BitConverter.GetBytes(1f));
        Attr("screenWindowCenter", "v2f", new byte[8]);
        Attr("screenWindowWidth", "float", BitConverter.GetBytes(1f));
        head.WriteByte(0);

        int lpb = LinesPerBlockOf(Compression.Zip);
        int blocks = (height + lpb - 1) / lpb;
        var chunks = new List<byte[]>(blocks);
        for (int b = 0; b < blocks; b++)
        {
            int y0 = b * lpb, y1 = Math.Min(height, y0 + lpb);
            var raw = new byte[(y1 - y0) * width * 4 * planes.Count];
            int o = 0;
            for (int y = y0; y < y1; y++)
                foreach (int c in order)
                    for (int x = 0; x < width; x++, o += 4) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(o), planes[c][y * width + x]);
            // ZIP: even bytes then odd bytes, each byte as its difference to the previous + 128, then zlib.
            var t = new byte[raw.Length];
            int half = (raw.Length + 1) / 2;
            for (int i = 0, a = 0, z = half; i < raw.Length; i++)
                if ((i & 1) == 0) t[a++] = raw[i]; else t[z++] = raw[i];
            for (int i = t.Length - 1; i > 0; i--) t[i] = (byte)(t[i] - t[i - 1] + 128);
            var packed = new MemoryStream();
            using (var zs = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(t);
            var body = packed.Length < raw.Length ? packed.ToArray() : raw;
            var chunk = new byte[8 + body.Length];
            BinaryPrimitives.WriteInt32LittleEndian(chunk, y0);
            BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(4), body.Length);
            body.CopyTo(chunk, 8);
            chunks.Add(chunk);
        }
        long offset = head.Length + 8L * blocks;
        Span<byte> e = stackalloc byte[8];
        foreach (var chunk in chunks)
        {
            BinaryPrimitives.WriteInt64LittleEndian(e, offset);
            head.Write(e);
            offset += chunk.Length;
        }
        foreach (var chunk in chunks) head.Write(chunk);
        IO.AtomicFile.WriteAllBytes(path, head.ToArray());
    }

    private static IOException Fault(string path, long offset, string what) => new($"{path}: byte {offset:N0}: {what}");

    private static string Name(Compression c) => c switch
    {
        Compression.None => "uncompressed",
        Compression.Rle => "RLE",
        Compression.Zips => "ZIPS",
        Compression.Zip => "ZIP",
        Compression.Piz => "PIZ",
        Compression.Pxr24 => "PXR24",
        Compression.B44 => "B44",
        Compression.B44A => "B44A",
        Compression.Dwaa => "DWAA",
        Compression.Dwab => "DWAB",
        _ => $"compression {(int)c}",
    };

    /// <summary>Bytes of one scanline <paramref name="y"/> of the data window in the uncompressed layout (every channel's samples on it).</summary>
    private static long LineBytes(Header h, int y)
    {
        long n = 0;
        foreach (var c in h.Channels)
            if (Mod(y, c.YSampling) == 0) n += (long)SamplesOnLine(h.DataWindow, c) * c.Bytes;
        return n;
    }

    private static int Mod(int a, int m) => ((a % m) + m) % m;

    /// <summary>Samples of channel <paramref name="c"/> on one of its lines: the x of the data window that are multiples of its sampling.</summary>
    private static int SamplesOnLine(Box dw, Channel c)
    {
        long first = dw.XMin + Mod(-dw.XMin, c.XSampling);
        return first > dw.XMax ? 0 : (int)((dw.XMax - first) / c.XSampling + 1);
    }

    /// <summary>Copies the selected channels of lines y0..y1 (uncompressed layout in <paramref name="raw"/>) into the display-window image.</summary>
    private static void Scatter(Header h, byte[] raw, int y0, int y1, int[] slot, Span<float> dst)
    {
        int nc = h.FrameChannels, w = h.Width;
        var disp = h.DisplayWindow;
        var dw = h.DataWindow;
        int pos = 0;
        for (int y = y0; y <= y1; y++)
        {
            long row = (long)y - disp.YMin;
            for (int ci = 0; ci < h.Channels.Count; ci++)
            {
                var c = h.Channels[ci];
                if (Mod(y, c.YSampling) != 0) continue;
                int n = SamplesOnLine(dw, c), bytes = n * c.Bytes;
                if (slot[ci] >= 0 && row >= 0 && row < h.Height)
                {
                    var src = raw.AsSpan(pos, bytes);
                    int s = slot[ci];
                    for (int i = 0; i < n; i++)
                    {
                        long col = (long)dw.XMin + i - disp.XMin;
                        if (col < 0 || col >= w) continue;
                        float v = c.Type switch
                        {
                            PixelType.Half => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2 * i, 2))),
                            PixelType.Float => BinaryPrimitives.ReadSingleLittleEndian(src.Slice(4 * i, 4)),
                            _ => BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(4 * i, 4)),
                        };
                        dst[(int)((row * w + col) * nc + s)] = v;
                    }
                }
                pos += bytes;
            }
        }
    }

    /// <summary>OpenEXR's RLE: a negative count byte −n is followed by n literal bytes, a count n ≥ 0 by one byte repeated n + 1 times.</summary>
    private static string? Unrle(ReadOnlySpan<byte> body, Span<byte> lines)
    {
        int i = 0, o = 0;
        while (i < body.Length)
        {
            int count = (sbyte)body[i++];
            if (count < 0)
            {
                count = -count;
                if (i + count > body.Length) return $"a literal run of {count} bytes at body byte {i - 1} runs past the chunk";
                if (o + count > lines.Length) return $"decodes to more than the lines' {lines.Length:N0} bytes";
                body.Slice(i, count).CopyTo(lines[o..]);
                i += count;
                o += count;
            }
            else
            {
                if (i >= body.Length) return $"a repeat run at body byte {i - 1} lacks its byte";
                if (o + count + 1 > lines.Length) return $"decodes to more than the lines' {lines.Length:N0} bytes";
                lines.Slice(o, count + 1).Fill(body[i++]);
                o += count + 1;
            }
        }
        return o == lines.Length ? null : $"decodes to {o:N0} bytes, expected {lines.Length:N0}";
    }

    /// <summary>zlib-inflates exactly <c>lines.Length</c> bytes; null when the stream holds exactly that many.</summary>
    private static string? Inflate(byte[] bytes, int at, int size, Span<byte> lines)
    {
        try
        {
            using var z = new ZLibStream(new MemoryStream(bytes, at, size, writable: false), CompressionMode.Decompress);
            int got = z.ReadAtLeast(lines, lines.Length, throwOnEndOfStream: false);
            if (got < lines.Length) return $"inflates to {got:N0} bytes, expected {lines.Length:N0}";
            Span<byte> one = stackalloc byte[1];
            if (z.Read(one) != 0) return $"inflates to more than the lines' {lines.Length:N0} bytes";
            return null;
        }
        catch (InvalidDataException e) { return $"not a valid zlib stream ({e.Message})"; }
    }

    /// <summary>
    /// Undoes ZIP's and RLE's byte predictor (each byte stored as its difference to the previous one, + 128) and their
    /// split of the bytes into even and odd halves: the lines' bytes end up in <paramref name="raw"/>.
    /// </summary>
    private static void Unpredict(Span<byte> lines, byte[] raw)
    {
        int n = lines.Length;
        for (int i = 1; i < n; i++) lines[i] = (byte)(lines[i - 1] + lines[i] - 128);
        var t = lines.ToArray();
        int half = (n + 1) / 2;
        for (int i = 0, a = 0, b = half; i < n; i++) raw[i] = (i & 1) == 0 ? t[a++] : t[b++];
    }

    /// <summary>
    /// PXR24: zlib, then per line and channel the samples as byte planes of their differences (FLOAT as its top 24 bits,
    /// 3 planes; HALF 2; UINT 4), most significant plane first. Writes the lines in the uncompressed layout.
    /// </summary>
    private static string? Pxr24(byte[] bytes, int at, int size, Header h, int y0, int y1, Span<byte> lines)
    {
        long packed = 0;
        for (int y = y0; y <= y1; y++)
            foreach (var c in h.Channels)
                if (Mod(y, c.YSampling) == 0) packed += (long)SamplesOnLine(h.DataWindow, c) * (c.Type == PixelType.Float ? 3 : c.Bytes);
        var tmp = new byte[packed];
        if (Inflate(bytes, at, size, tmp) is { } bad) return bad;
        int p = 0, o = 0;
        for (int y = y0; y <= y1; y++)
            foreach (var c in h.Channels)
            {
                if (Mod(y, c.YSampling) != 0) continue;
                int n = SamplesOnLine(h.DataWindow, c);
                uint acc = 0;
                switch (c.Type)
                {
                    case PixelType.Float:
                        for (int i = 0; i < n; i++)
                        {
                            uint diff = ((uint)tmp[p + i] << 24) | ((uint)tmp[p + n + i] << 16) | ((uint)tmp[p + 2 * n + i] << 8);
                            acc += diff;
                            BinaryPrimitives.WriteUInt32LittleEndian(lines.Slice(o + 4 * i, 4), acc);
                        }
                        p += 3 * n;
                        o += 4 * n;
                        break;
                    case PixelType.Half:
                        for (int i = 0; i < n; i++)
                        {
                            uint diff = ((uint)tmp[p + i] << 8) | tmp[p + n + i];
                            acc += diff;
                            BinaryPrimitives.WriteUInt16LittleEndian(lines.Slice(o + 2 * i, 2), (ushort)acc);
                        }
                        p += 2 * n;
                        o += 2 * n;
                        break;
                    default:
                        for (int i = 0; i < n; i++)
                        {
                            uint diff = ((uint)tmp[p + i] << 24) | ((uint)tmp[p + n + i] << 16) | ((uint)tmp[p + 2 * n + i] << 8) | tmp[p + 3 * n + i];
                            acc += diff;
                            BinaryPrimitives.WriteUInt32LittleEndian(lines.Slice(o + 4 * i, 4), acc);
                        }
                        p += 4 * n;
                        o += 4 * n;
                        break;
                }
            }
        return null;
    }

    /// <summary>Parses and checks the header at the start of <paramref name="b"/> (the file's first bytes, or all of them).</summary>
    private static Header ParseHeader(ReadOnlySpan<byte> b, string path)
    {
        if (b.Length < 8 || !IsExr(b)) throw Fault(path, 0, "not an OpenEXR file: expected its magic number 76 2f 31 01");
        uint versionField = BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(4, 4));
        int version = (int)(versionField & 0xFF);
        if (version != 2) throw Fault(path, 4, $"OpenEXR version {version}, expected 2");
        if ((versionField & 0x200) != 0) throw Fault(path, 4, "a tiled OpenEXR file, which this reader does not decode; rewrite it as scanlines (e.g. 'oiiotool IN.exr --scanline --compression zip -o OUT.exr')");
        if ((versionField & 0x800) != 0) throw Fault(path, 4, "a deep OpenEXR file (several samples per pixel), not a frame");
        if ((versionField & 0x1000) != 0) throw Fault(path, 4, "a multi-part OpenEXR file, which this reader does not decode; write the frame as a single part (e.g. 'oiiotool IN.exr --compression zip -o OUT.exr')");
        if ((versionField & ~0x4FFu) != 0) throw Fault(path, 4, $"unknown flags 0x{versionField & ~0x4FFu:x} in the version field (OpenEXR 2 defines 0x200 tiled, 0x400 long names, 0x800 deep, 0x1000 multi-part)");
        int maxName = (versionField & 0x400) != 0 ? 255 : 31;
        int at = 8;
        List<Channel>? channels = null;
        Compression? compression = null;
        Box? data = null, display = null;
        bool sawLineOrder = false;
        while (true)
        {
            if (at >= b.Length) throw Fault(path, at, "the header ends before its closing null byte: a truncated file");
            if (b[at] == 0) { at++; break; }
            int nameAt = at;
            string name = CString(b, ref at, maxName, path, "an attribute name");
            string type = CString(b, ref at, maxName, path, $"the type of attribute '{name}'");
            if (at + 4 > b.Length) throw Fault(path, at, $"attribute '{name}' ends before its size: a truncated file");
            int size = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(at, 4));
            if (size < 0 || (long)at + 4 + size > b.Length)
                throw Fault(path, at, $"attribute '{name}' ({type}) declares {size:N0} bytes, {b.Length - at - 4:N0} follow{(b.Length >= MaxHeaderBytes ? $" within the first {MaxHeaderBytes:N0} bytes read as header" : "")}");
            var v = b.Slice(at + 4, size);
            int valueAt = at + 4;
            at += 4 + size;
            switch (name)
            {
                case "channels":
                    Expect(type, "chlist", name, nameAt, path);
                    channels = ChannelList(v, valueAt, maxName, path);
                    break;
                case "compression":
                    Expect(type, "compression", name, nameAt, path);
                    if (size != 1) throw Fault(path, valueAt, $"compression of {size} bytes, expected 1");
                    if (v[0] > 9) throw Fault(path, valueAt, $"compression {v[0]}, expected 0–9");
                    compression = (Compression)v[0];
                    break;
                case "dataWindow":
                case "displayWindow":
                    Expect(type, "box2i", name, nameAt, path);
                    if (size != 16) throw Fault(path, valueAt, $"{name} of {size} bytes, expected 16 (box2i)");
                    var box = new Box(BinaryPrimitives.ReadInt32LittleEndian(v), BinaryPrimitives.ReadInt32LittleEndian(v[4..]),
                        BinaryPrimitives.ReadInt32LittleEndian(v[8..]), BinaryPrimitives.ReadInt32LittleEndian(v[12..]));
                    if (box.Width <= 0 || box.Height <= 0 || box.Width * box.Height > MaxPixels)
                        throw Fault(path, valueAt, $"{name} ({box.XMin},{box.YMin})–({box.XMax},{box.YMax}): {box.Width}×{box.Height} pixels, expected 1 to {MaxPixels:N0}");
                    if (name == "dataWindow") data = box; else display = box;
                    break;
                case "lineOrder":
                    Expect(type, "lineOrder", name, nameAt, path);
                    if (size != 1 || v[0] > 2) throw Fault(path, valueAt, "lineOrder: expected one byte 0 (increasing y), 1 (decreasing) or 2 (random)");
                    sawLineOrder = true;
                    break;
                case "type":
                    // Single-part files may state it; anything but a scanline image is refused.
                    string kind = Encoding.ASCII.GetString(v.IndexOf((byte)0) is var z and >= 0 ? v[..z] : v);
                    if (kind != "scanlineimage")
                        throw Fault(path, valueAt, $"an OpenEXR part of type '{kind}', expected 'scanlineimage'{(kind == "tiledimage" ? "; rewrite it as scanlines (e.g. 'oiiotool IN.exr --scanline --compression zip -o OUT.exr')" : "")}");
                    break;
            }
        }
        string? missing = channels == null ? "channels" : compression == null ? "compression" : data == null ? "dataWindow" : display == null ? "displayWindow" : !sawLineOrder ? "lineOrder" : null;
        if (missing != null) throw Fault(path, at - 1, $"the header ends without the required attribute '{missing}'");
        if (!Decodable(compression!.Value))
            throw Fault(path, 8, $"{Name(compression.Value)} compression, which this reader does not decode (it reads NONE, RLE, ZIPS, ZIP, PIZ and PXR24); rewrite the frame with ZIP (e.g. 'oiiotool IN.exr --compression zip -o OUT.exr')");
        var selected = Select(channels!, path);
        foreach (int i in selected)
            if (channels![i].XSampling != 1 || channels[i].YSampling != 1)
                throw Fault(path, 8, $"channel '{channels[i].Name}' is subsampled ({channels[i].XSampling}×{channels[i].YSampling}), expected every pixel sampled");
        return new Header(channels!, compression.Value, data!.Value, display!.Value, selected, at);
    }

    private static void Expect(string type, string expected, string name, int at, string path)
    {
        if (type != expected) throw Fault(path, at, $"attribute '{name}' of type '{type}', expected '{expected}'");
    }

    private static string CString(ReadOnlySpan<byte> b, ref int at, int max, string path, string what)
    {
        int end = b.Slice(at, Math.Min(max + 1, b.Length - at)).IndexOf((byte)0);
        if (end < 0)
            throw Fault(path, at, b.Length - at <= max ? $"{what} runs past the end of the header: a truncated file" : $"{what} longer than {max} bytes without its closing null byte");
        if (end == 0) throw Fault(path, at, $"{what} is empty");
        string s = Encoding.UTF8.GetString(b.Slice(at, end));
        at += end + 1;
        return s;
    }

    private static List<Channel> ChannelList(ReadOnlySpan<byte> v, int valueAt, int maxName, string path)
    {
        var list = new List<Channel>();
        int at = 0;
        while (true)
        {
            if (at >= v.Length) throw Fault(path, valueAt + at, "the channel list ends without its closing null byte");
            if (v[at] == 0) break;
            string name = CString(v, ref at, maxName, path, "a channel name");
            if (at + 16 > v.Length) throw Fault(path, valueAt + at, $"channel '{name}' ends before its 16 bytes of type and sampling");
            int type = BinaryPrimitives.ReadInt32LittleEndian(v[at..]);
            int xs = BinaryPrimitives.ReadInt32LittleEndian(v[(at + 8)..]), ys = BinaryPrimitives.ReadInt32LittleEndian(v[(at + 12)..]);
            if (type is < 0 or > 2) throw Fault(path, valueAt + at, $"channel '{name}' of pixel type {type}, expected 0 (UINT), 1 (HALF) or 2 (FLOAT)");
            if (xs < 1 || ys < 1) throw Fault(path, valueAt + at + 8, $"channel '{name}' sampled every {xs}×{ys} pixels, expected ≥ 1");
            list.Add(new Channel(name, (PixelType)type, xs, ys));
            at += 16;
        }
        if (list.Count == 0) throw Fault(path, valueAt, "an empty channel list");
        return list;
    }

    /// <summary>The frame's channels: R, G, B without a layer, else Y, else one layer's R, G, B, else a file's only channel.</summary>
    private static int[] Select(List<Channel> channels, string path)
    {
        int Find(string n) => channels.FindIndex(c => c.Name == n);
        if (Find("R") is var r and >= 0 && Find("G") is var g and >= 0 && Find("B") is var bl and >= 0) return [r, g, bl];
        if (Find("Y") is var y and >= 0) return [y];
        var layers = channels.Select(c => c.Name).Where(n => n.EndsWith(".R", StringComparison.Ordinal)).Select(n => n[..^2])
            .Where(l => Find(l + ".G") >= 0 && Find(l + ".B") >= 0).ToList();
        if (layers.Count == 1) return [Find(layers[0] + ".R"), Find(layers[0] + ".G"), Find(layers[0] + ".B")];
        if (channels.Count == 1) return [0];
        string names = string.Join(", ", channels.Select(c => c.Name));
        throw Fault(path, 8, layers.Count > 1
            ? $"colour layers {string.Join(", ", layers)}: which one is the frame is ambiguous; write the frame's layer alone (channels R, G, B)"
            : $"channels {names}: expected R, G and B (colour) or Y (grey)");
    }
}
