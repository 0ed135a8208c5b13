using OpenCvSharp;

namespace EventDeblur.Imaging;

/// <summary>
/// A frame in linear radiance normalised to the white level: <c>(v − black) / (white − black)</c>
/// after undoing the transfer curve, so 1.0 is full scale. Planes are row-major, one per channel,
/// RGB order. Pixels whose raw value reached the saturation level are marked: their true radiance is
/// unknown (at least the saturation value).
/// </summary>
public sealed class LinearImage
{
    /// <summary>Creates an image from planes (each Width × Height) and optional saturation masks.</summary>
    public LinearImage(int width, int height, float[][] planes, bool[][]? saturated = null)
    {
        if (planes.Length is not (1 or 3)) throw new ArgumentException("1 or 3 channels expected");
        if (planes.Any(p => p.Length != width * height)) throw new ArgumentException("plane size mismatch");
        Width = width;
        Height = height;
        Planes = planes;
        Saturated = saturated ?? planes.Select(p => new bool[p.Length]).ToArray();
    }

    /// <summary>
    /// Where each channel holds its own measurements (one entry per channel), for a frame demosaiced from a colour
    /// filter's mosaic: the deconvolvers that take it (<c>robust</c>, <c>learned</c>) measure each channel's noise model
    /// at those pixels, and fit their data term and checks to them only unless <see cref="SampleSites.InterpolatedAsData"/>
    /// (Bayer green). Null when every pixel of every channel was measured.
    /// </summary>
    public IReadOnlyList<SampleSites>? Sites
    {
        get;
        init
        {
            if (value != null && value.Count != Planes.Length) throw new ArgumentException($"{value.Count} site patterns for {Planes.Length} channels");
            field = value;
        }
    }

    /// <summary>The same planes and masks with <see cref="Sites"/> set to <paramref name="sites"/> (one per channel, or null).</summary>
    public LinearImage WithSites(IReadOnlyList<SampleSites>? sites) => new(Width, Height, Planes, Saturated) { Sites = sites };

    /// <summary>Width, pixels.</summary>
    public int Width { get; }

    /// <summary>Height, pixels.</summary>
    public int Height { get; }

    /// <summary>Channels (1 gray or 3 RGB).</summary>
    public int Channels => Planes.Length;

    /// <summary>Linear normalised radiance per channel.</summary>
    public float[][] Planes { get; }

    /// <summary>Per channel: <c>true</c> where the raw value reached the saturation level.</summary>
    public bool[][] Saturated { get; }

    /// <summary>How raw values map to this image and back.</summary>
    public sealed record Encoding(PixelEncoding Curve, double BlackLevel, double WhiteLevel, double SaturationLevel, int Depth)
    {
        /// <summary>Raw full scale of the storage depth (255 or 65535).</summary>
        public double MaxRaw => Depth == 8 ? 255 : 65535;

        /// <summary>Normalised saturation level in linear units.</summary>
        public double SaturationLinear => Math.Clamp(RawToLinear(Curve, BlackLevel, WhiteLevel, SaturationLevel), 0, 1);

        /// <summary>
        /// Normalised linear value from which a pixel may be clipped, for the deconvolvers: integer frames, the value of
        /// the raw code just below the saturation level (level − 1.5 codes of <see cref="Quantum"/>, so the code below counts); floating-point
        /// frames, the level less <see cref="FloatClipTolerance"/> of it (since stop 47; the level itself before). One code below the clip is within the noise of it: in a frame white almost
        /// everywhere (an APS frame exposed 0.5–1.5 s, stop 44's trial), the few pixels one code below white, read as
        /// exact data among clipped ones, made every deconvolver dig dark holes, 2–6 dB below the input.
        /// </summary>
        public double UncertainFromLinear => Depth == FloatDepth
            // Floats: within one half-float step (2^-10 of the level) of it. A half-precision OpenEXR cannot hold most
            // levels (0.99184 is stored 0.9917, 65000 as 64992) and a level written with five digits misses a float32
            // plateau by a few millionths; compared exactly, no clipped pixel counted (stop 47's trial: up to 7 dB lost).
            ? Math.Min(SaturationLinear, Math.Clamp(RawToLinear(Curve, BlackLevel, WhiteLevel, SaturationLevel - Math.Abs(SaturationLevel) * FloatClipTolerance), 0, 1))
            : SaturationLevel - BlackLevel < 16 * Quantum   // (a level within a few codes of black: no band)
            ? SaturationLinear
            : Math.Min(SaturationLinear, Math.Clamp(RawToLinear(Curve, BlackLevel, WhiteLevel, SaturationLevel - 1.5 * Quantum), 0, 1));

        /// <summary>
        /// Raw units per code of the data (≥ 1; default 1): a DAVIS's 10-bit ADC shifted up 6 bits into 16-bit samples
        /// (libcaer) moves in steps of 64, so "one code below the clip" is 64 raw units below it.
        /// </summary>
        public double Quantum { get; init; } = 1;
    }

    /// <summary>
    /// The image as the deconvolvers take it: the same planes, with every pixel at or above
    /// <see cref="Encoding.UncertainFromLinear"/> marked as clipped too (the contract's mask, <see cref="Saturated"/>,
    /// is left as it is for the metrics). This image itself when that marks nothing more.
    /// </summary>
    public LinearImage ForDeconvolution(Encoding enc)
    {
        float from = (float)enc.UncertainFromLinear;
        bool[][]? masks = null;
        for (int c = 0; c < Channels; c++)
        {
            var p = Planes[c];
            var s = Saturated[c];
            for (int i = 0; i < p.Length; i++)
            {
                if (s[i] || !(p[i] >= from)) continue;
                masks ??= Saturated.Select(m => (bool[])m.Clone()).ToArray();
                masks[c][i] = true;
            }
        }
        return masks == null ? this : new LinearImage(Width, Height, Planes, masks) { Sites = Sites };
    }

    /// <summary>Reads an image file (8- or 16-bit PNG/TIFF, gray or colour) and converts it to linear radiance.</summary>
    /// <exception cref="IOException">The file is missing or not an image OpenCV can read.</exception>
    public static LinearImage Read(string path, PixelEncoding curve, double black, double white, double saturation) =>
        Read(path, curve, black, white, saturation, out _);

    /// <summary>Reads an image file like <see cref="Read(string, PixelEncoding, double, double, double)"/>, decoding it once, and reports its storage depth.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="curve">Transfer curve of the stored values.</param>
    /// <param name="black">Raw value of zero radiance.</param>
    /// <param name="white">Raw value of full scale.</param>
    /// <param name="saturation">Raw value at and above which a pixel is saturated.</param>
    /// <param name="depth">Bits per sample of the file: 8, 16 for deeper integer storage, or <see cref="FloatDepth"/> for floating point.</param>
    /// <exception cref="IOException">The file is missing or not an image OpenCV can read.</exception>
    public static LinearImage Read(string path, PixelEncoding curve, double black, double white, double saturation, out int depth)
    {
        using var raw = Decode(path);
        depth = DepthOf(raw);
        return FromRaw(raw, curve, black, white, saturation);
    }

    /// <summary>
    /// The storage depth of a decoded image as <see cref="Encoding.Depth"/> counts it: 8 for 8-bit, 32 for floating point
    /// (a float TIFF or EXR), 16 for the other integer depths.
    /// </summary>
    public static int DepthOf(Mat raw) => raw.Depth() == MatType.CV_8U ? 8 : raw.Depth() == MatType.CV_32F || raw.Depth() == MatType.CV_64F ? FloatDepth : 16;

    /// <summary><see cref="Encoding.Depth"/> of floating-point frames. PNG holds no floats: <see cref="ToRaw"/> writes them as 16-bit values of the same curve with black 0 and white 65535.</summary>
    public const int FloatDepth = 32;

    /// <summary>
    /// Relative distance below a floating-point frame's saturation level within which a value counts as clipped for the
    /// deconvolvers: 2^-10, one step of a half float near the level (<see cref="Encoding.UncertainFromLinear"/>).
    /// </summary>
    public const double FloatClipTolerance = 1.0 / 1024;

    /// <summary>Largest image file <see cref="Decode"/> reads, bytes (1 GiB): far above any frame the bundle contract allows.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// Reads an image file once and decodes it unchanged (8- or 16-bit, grey or BGR; float TIFF and OpenEXR as 32-bit
    /// float, EXR by <see cref="OpenExr"/>). A PNG's chunks and pixel data are checked first
    /// (<see cref="PngStructure.FindFault"/>), so a corrupt file is reported with its chunk and byte offset instead of
    /// reaching the native decoder.
    /// </summary>
    /// <exception cref="IOException">The file is missing, over <see cref="MaxFileBytes"/>, a corrupt PNG, or not an image OpenCV can decode.</exception>
    public static Mat Decode(string path)
    {
        if (!File.Exists(path)) throw new IOException($"{path}: frame file is missing");
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes) throw new IOException($"{path}: {length:N0} bytes, over the {MaxFileBytes:N0}-byte limit for one image file");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new IOException($"{path}: an empty file (0 bytes), not an image");
        if (PngStructure.IsPng(bytes) && PngStructure.FindFault(bytes) is { } fault)
            throw new IOException($"{path}: {fault}");
        // OpenCvSharp's OpenCV has no OpenEXR codec: EXR frames (float radiance, RECORDING_FORMAT.md) are read by our own decoder.
        if (OpenExr.IsExr(bytes)) return OpenExr.Decode(bytes, path);
        var raw = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
        if (raw.Empty())
        {
            raw.Dispose();
            throw new IOException($"{path}: not an image OpenCV can decode");
        }
        return raw;
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a non-empty file whose first bytes OpenCV recognises as an image format it
    /// decodes (the signature only; the pixels are not read). False for a missing, empty or unreadable file.
    /// </summary>
    public static bool HasImageSignature(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length > 0 && (OpenExr.IsExr(path) || Cv2.HaveImageReader(path));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// A raw value <paramref name="v"/> as normalised linear radiance, in the contract's order (RECORDING_FORMAT.md,
    /// <c>rgb.encoding</c>; METRICS.md, step 1): the transfer curve undone first, on <c>v / white</c>, then the levels,
    /// <c>(white · curve⁻¹(v / white) − black) / (white − black)</c>, clipped to [0, 1]; so a black level of a non-linear
    /// frame is in linear units (stop 48's contract audit: the levels had been taken off before the curve, 1.5 dB off the
    /// contract's figure on an sRGB frame with black 4096). The two orders agree where black is 0. Linear frames:
    /// <c>(v − black) / (white − black)</c>, unclipped.
    /// </summary>
    public static double RawToLinear(PixelEncoding curve, double black, double white, double v)
    {
        if (curve.Kind == "linear") return (v - black) / (white - black);
        if (black == 0) return curve.ToLinear(Math.Clamp(v / white, 0, 1));
        double u = white * curve.ToLinear(Math.Clamp(v / white, 0, 1));
        return Math.Clamp((u - black) / (white - black), 0, 1);
    }

    /// <summary>The inverse of <see cref="RawToLinear"/>: normalised linear radiance (clipped to [0, 1] for a non-linear curve) as a raw value, unrounded.</summary>
    public static double LinearToRaw(PixelEncoding curve, double black, double white, double linear)
    {
        if (curve.Kind == "linear") return black + linear * (white - black);
        if (black == 0) return curve.FromLinear(Math.Clamp(linear, 0, 1)) * white;
        double u = black + Math.Clamp(linear, 0, 1) * (white - black);
        return white * curve.FromLinear(Math.Clamp(u / white, 0, 1));
    }

    /// <summary>
    /// Converts a raw OpenCV image (BGR order for colour) to linear radiance. Non-finite float samples: NaN and −∞ read
    /// as 0, +∞ as clipped (the larger of <paramref name="saturation"/> and <paramref name="white"/>).
    /// </summary>
    public static LinearImage FromRaw(Mat raw, PixelEncoding curve, double black, double white, double saturation)
    {
        int c = raw.Channels();
        if (c == 4) c = 3;
        if (c is not (1 or 3)) throw new IOException($"unsupported channel count {raw.Channels()}");
        using var f = new Mat();
        raw.ConvertTo(f, MatType.CV_64FC(raw.Channels()));
        int w = raw.Cols, h = raw.Rows, n = w * h, stride = raw.Channels();
        var src = f.AsSpan<double>();
        var planes = new float[c][];
        var sat = new bool[c][];
        // Precompute the curve on a table for integer depths.
        for (int ch = 0; ch < c; ch++)
        {
            planes[ch] = new float[n];
            sat[ch] = new bool[n];
            int srcCh = c == 3 ? 2 - ch : 0; // BGR → RGB
            for (int i = 0; i < n; i++)
            {
                double v = src[i * stride + srcCh];
                // Float frames may hold NaN (no value) or ±∞: NaN and −∞ read as 0, +∞ as clipped at the saturation level.
                if (!double.IsFinite(v)) v = double.IsPositiveInfinity(v) ? Math.Max(saturation, white) : 0;
                sat[ch][i] = v >= saturation;
                planes[ch][i] = (float)RawToLinear(curve, black, white, v);
            }
        }
        return new LinearImage(w, h, planes, sat);
    }

    /// <summary>
    /// Encodes back to raw values (RGB → BGR order, rounded, clipped to [0, white] — the larger of the white and saturation
    /// levels, at most the depth's full scale) as an OpenCV image. For
    /// floating-point frames (<see cref="FloatDepth"/>), which a PNG cannot hold, the values are 16-bit in the same curve
    /// with black 0 and white 65535 (the frame's [black, white] range spread over the 16 bits).
    /// </summary>
    public Mat ToRaw(Encoding enc)
    {
        if (enc.Depth == FloatDepth) enc = enc with { BlackLevel = 0, WhiteLevel = 65535, SaturationLevel = 65535, Depth = 16 };
        var type = enc.Depth == 8 ? MatType.CV_8UC(Channels) : MatType.CV_16UC(Channels);
        var m = new Mat(Height, Width, type);
        int n = Width * Height;
        // Clipped at the white level where it lies below the depth's full scale (12-bit data in 16-bit PNGs): the output
        // keeps the input's encoding, and a restored light above white had been written up to 16× white there, while at
        // white = full scale the same light was clipped (stop 48's contract audit).
        double max = Math.Min(enc.MaxRaw, Math.Max(enc.WhiteLevel, enc.SaturationLevel));
        if (enc.Depth == 8)
        {
            var d = m.AsSpan<byte>();
            for (int ch = 0; ch < Channels; ch++)
            {
                int dst = Channels == 3 ? 2 - ch : 0;
                for (int i = 0; i < n; i++) d[i * Channels + dst] = (byte)Encode(Planes[ch][i], enc, max);
            }
        }
        else
        {
            var d = m.AsSpan<ushort>();
            for (int ch = 0; ch < Channels; ch++)
            {
                int dst = Channels == 3 ? 2 - ch : 0;
                for (int i = 0; i < n; i++) d[i * Channels + dst] = (ushort)Encode(Planes[ch][i], enc, max);
            }
        }
        return m;
    }

    /// <summary>
    /// The planes in the input's own units, unrounded and unclipped for linear encodings (raw = black + linear ×
    /// (white − black); radiance above white, a clipped light's restored peak, is kept), through the curve for the others
    /// (clipped to [0, 1] first, as <see cref="ToRaw"/>): what a float frame's output holds (<see cref="OpenExr.Write"/>).
    /// </summary>
    public float[][] ToInputUnits(Encoding enc) => Planes.Select(p =>
    {
        var o = new float[p.Length];
        for (int i = 0; i < p.Length; i++) o[i] = (float)LinearToRaw(enc.Curve, enc.BlackLevel, enc.WhiteLevel, p[i]);
        return o;
    }).ToArray();

    private static double Encode(float linear, Encoding enc, double max)
    {
        return Math.Clamp(Math.Round(LinearToRaw(enc.Curve, enc.BlackLevel, enc.WhiteLevel, linear)), 0, max);
    }

    /// <summary>
    /// The image as the PNG written from it holds it: encoded with <see cref="ToRaw"/> (rounded and clipped to the
    /// depth) and read back, so that metrics are those of the file a reader gets (METRICS.md), not of the unrounded result.
    /// </summary>
    public LinearImage AsWritten(Encoding enc)
    {
        var png = enc.Depth == FloatDepth ? enc with { BlackLevel = 0, WhiteLevel = 65535, SaturationLevel = 65535, Depth = 16 } : enc;
        using var raw = ToRaw(enc);
        return FromRaw(raw, png.Curve, png.BlackLevel, png.WhiteLevel, png.SaturationLevel);
    }

    /// <summary>A deep copy.</summary>
    public LinearImage Clone() => new(Width, Height, Planes.Select(p => (float[])p.Clone()).ToArray(), Saturated.Select(s => (bool[])s.Clone()).ToArray());
}
