using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Visualization;

/// <summary>Pictures for people: tone-mapped frames, event images, kernel images (8-bit BGR or gray Mats).</summary>
public static class Preview
{
    /// <summary>
    /// Tone-maps a raw frame (any depth, 1 or 3 channels, OpenCV BGR order as read) to 8-bit sRGB:
    /// linear radiance <c>(v − black) / (white − black)</c> times <paramref name="gain"/>, clipped, sRGB-encoded.
    /// </summary>
    public static Mat ToneMap(Mat raw, double blackLevel, double whiteLevel, double gain)
    {
        using var f = new Mat();
        raw.ConvertTo(f, MatType.CV_32F, gain / (whiteLevel - blackLevel), -blackLevel * gain / (whiteLevel - blackLevel));
        var lut = SrgbTable();
        var outMat = new Mat(raw.Rows, raw.Cols, MatType.CV_8UC(raw.Channels()));
        var src = f.AsSpan<float>();
        var dst = outMat.AsSpan<byte>();
        for (int i = 0; i < src.Length; i++) dst[i] = lut[(int)(Math.Clamp(src[i], 0f, 1f) * 4095)];
        return outMat;
    }

    /// <summary>
    /// An event image: white background, ON events red, OFF events blue, intensity by count, for the
    /// events of <paramref name="batches"/> inside <paramref name="window"/> (end-exclusive).
    /// </summary>
    public static Mat Events(IEnumerable<EventBatch> batches, int width, int height, TimeRangeUs window)
    {
        var acc = new EventImage(width, height, window);
        foreach (var b in batches) acc.Add(b);
        return acc.Render();
    }

    /// <summary>
    /// Counts the events of one window (end-exclusive, µs) per pixel of a sensor region as batches stream by, so one
    /// pass over an event file can fill the images of many frames; <see cref="Render"/> draws it as <see cref="Events"/>
    /// does. Memory: two counters per pixel of the region, whatever the number of events.
    /// </summary>
    public sealed class EventImage
    {
        private readonly int[] _on, _off;
        private readonly Rect _region;

        /// <summary>Counts the whole sensor, <paramref name="width"/> × <paramref name="height"/> event pixels (each ≥ 1).</summary>
        public EventImage(int width, int height, TimeRangeUs window) : this(new Rect(0, 0, width, height), window) { }

        /// <summary>Counts only the events inside <paramref name="region"/> (event pixels; non-empty); the image is the region's size.</summary>
        /// <exception cref="ArgumentException">The region is empty or starts at a negative coordinate.</exception>
        public EventImage(Rect region, TimeRangeUs window)
        {
            if (region.Width <= 0 || region.Height <= 0 || region.X < 0 || region.Y < 0)
                throw new ArgumentException($"event image region {region}: expected a non-empty rectangle at non-negative coordinates", nameof(region));
            _region = region;
            Window = window;
            _on = new int[region.Width * region.Height];
            _off = new int[region.Width * region.Height];
        }

        /// <summary>The window counted, µs.</summary>
        public TimeRangeUs Window { get; }

        /// <summary>The sensor region counted, event pixels.</summary>
        public Rect Region => _region;

        /// <summary>ON events counted so far.</summary>
        public long On { get; private set; }

        /// <summary>OFF events counted so far.</summary>
        public long Off { get; private set; }

        /// <summary>Counts the events of <paramref name="b"/> inside the window and the region.</summary>
        public void Add(EventBatch b) => Add(b.Timestamps, b.Xs, b.Ys, b.Polarities);

        /// <summary>Counts the events of <paramref name="s"/> (time-ordered) inside the window and the region.</summary>
        public void Add(EventSlice s) => Add(s.T, s.X, s.Y, s.P);

        private void Add(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
        {
            if (t.Length == 0 || t[^1] < Window.StartUs || t[0] >= Window.EndUs) return;
            int x0 = _region.X, y0 = _region.Y, w = _region.Width, h = _region.Height;
            for (int i = 0; i < t.Length; i++)
            {
                int rx = x[i] - x0, ry = y[i] - y0;
                if (!Window.Contains(t[i]) || (uint)rx >= (uint)w || (uint)ry >= (uint)h) continue;
                if (p[i]) { _on[ry * w + rx]++; On++; }
                else { _off[ry * w + rx]++; Off++; }
            }
        }

        /// <summary>White background, ON red, OFF blue, intensity by count (scaled to the 99th percentile).</summary>
        public Mat Render() => Draw(_on, _off, _region.Width, _region.Height);
    }

    private static Mat Draw(int[] on, int[] off, int width, int height)
    {
        int max = Math.Max(1, Percentile(on.Zip(off, (a, c) => a + c).Where(v => v > 0).ToArray(), 0.99));
        var img = new Mat(height, width, MatType.CV_8UC3, Scalar.All(255));
        var d = img.AsSpan<byte>();
        for (int i = 0; i < on.Length; i++)
        {
            double a = Math.Min(1, on[i] / (double)max), c = Math.Min(1, off[i] / (double)max);
            d[3 * i] = (byte)(255 * (1 - a));              // B
            d[3 * i + 1] = (byte)(255 * (1 - Math.Max(a, c))); // G
            d[3 * i + 2] = (byte)(255 * (1 - c));          // R
        }
        return img;
    }

    /// <summary>A kernel as a gray image scaled to its maximum, enlarged <paramref name="zoom"/>× with square pixels.</summary>
    public static Mat Kernel(BlurKernel k, int zoom = 8)
    {
        float max = Math.Max(1e-12f, k.Weights.Max());
        using var small = new Mat(k.Size, k.Size, MatType.CV_8UC1);
        var d = small.AsSpan<byte>();
        for (int i = 0; i < d.Length; i++) d[i] = (byte)Math.Round(255 * Math.Clamp(k.Weights[i] / max, 0, 1));
        var big = new Mat();
        Cv2.Resize(small, big, new Size(k.Size * zoom, k.Size * zoom), 0, 0, InterpolationFlags.Nearest);
        return big;
    }

    /// <summary>
    /// Tone-maps a linear-radiance image (1 or 3 channels, RGB planes, white = 1) to an 8-bit image in OpenCV order
    /// (BGR or gray): radiance times <paramref name="gain"/>, clipped to [0, 1], sRGB-encoded. Giving the blurry,
    /// deblurred and ground-truth frames the same gain makes them comparable side by side.
    /// </summary>
    public static Mat ToneMap(LinearImage image, double gain)
    {
        int c = image.Channels;
        var lut = SrgbTable();
        var m = new Mat(image.Height, image.Width, MatType.CV_8UC(c));
        var d = m.AsSpan<byte>();
        int n = image.Width * image.Height;
        for (int ch = 0; ch < c; ch++)
        {
            int dst = c == 3 ? 2 - ch : 0;
            var plane = image.Planes[ch];
            for (int i = 0; i < n; i++) d[i * c + dst] = lut[(int)(Math.Clamp(plane[i] * (float)gain, 0f, 1f) * 4095)];
        }
        return m;
    }

    /// <summary>
    /// An exposure gain for <see cref="ToneMap(LinearImage, double)"/> chosen from a reference frame (the blurry input):
    /// its 98th percentile of unsaturated radiance maps to 0.8 (so the scene, not its clipped lights, sets the
    /// exposure), clamped to [1, 64]; 1 for an empty or black frame.
    /// </summary>
    public static double AutoGain(LinearImage reference)
    {
        var v = new List<float>();
        int n = reference.Width * reference.Height;
        int step = Math.Max(1, n / 200_000);
        for (int i = 0; i < n; i += step)
        {
            bool sat = false;
            float sum = 0;
            for (int ch = 0; ch < reference.Channels; ch++) { sat |= reference.Saturated[ch][i]; sum += reference.Planes[ch][i]; }
            if (!sat) v.Add(sum / reference.Channels);
        }
        if (v.Count == 0) return 1;
        v.Sort();
        float p98 = v[Math.Min(v.Count - 1, (int)(0.98 * v.Count))];
        return p98 <= 0 ? 1 : Math.Clamp(0.8 / p98, 1, 64);
    }

    /// <summary>Panels side by side (same height; gray panels shown as colour), each with its label in the top-left corner.</summary>
    public static Mat SideBySide(IReadOnlyList<(string Label, Mat Image)> panels)
    {
        if (panels.Count == 0) throw new ArgumentException("no panels", nameof(panels));
        var colour = panels.Select(p => ToBgr(p.Image)).ToArray();
        try
        {
            foreach (var (img, (label, _)) in colour.Zip(panels)) Label(img, label);
            var strip = new Mat();
            Cv2.HConcat(colour, strip);
            return strip;
        }
        finally
        {
            foreach (var m in colour) m.Dispose();
        }
    }

    /// <summary>
    /// A contact sheet: every tile shrunk to <paramref name="thumbWidthPx"/> pixels wide (aspect kept), labelled,
    /// in rows of <paramref name="columns"/> on a dark background; a null image draws an empty tile with its label
    /// (e.g. a failed frame).
    /// </summary>
    public static Mat ContactSheet(IReadOnlyList<(string Label, Mat? Image)> tiles, int thumbWidthPx = 240, int columns = 6)
    {
        if (tiles.Count == 0) throw new ArgumentException("no tiles", nameof(tiles));
        var first = tiles.FirstOrDefault(t => t.Image != null).Image;
        double aspect = first != null ? first.Rows / (double)first.Cols : 0.75;
        int tw = thumbWidthPx, th = Math.Max(1, (int)Math.Round(tw * aspect)), gap = 4;
        int cols = Math.Min(columns, tiles.Count), rows = (tiles.Count + cols - 1) / cols;
        var sheet = new Mat(rows * (th + gap) + gap, cols * (tw + gap) + gap, MatType.CV_8UC3, new Scalar(40, 40, 40));
        for (int i = 0; i < tiles.Count; i++)
        {
            var roi = new Rect(gap + (i % cols) * (tw + gap), gap + (i / cols) * (th + gap), tw, th);
            using var cell = new Mat(sheet, roi);
            if (tiles[i].Image is { } img)
            {
                using var bgr = ToBgr(img);
                Cv2.Resize(bgr, cell, new Size(tw, th), 0, 0, InterpolationFlags.Area);
            }
            else cell.SetTo(new Scalar(90, 90, 90));
            Label(cell, tiles[i].Label);
        }
        return sheet;
    }

    private static Mat ToBgr(Mat m)
    {
        var c = new Mat();
        if (m.Channels() == 1) Cv2.CvtColor(m, c, ColorConversionCodes.GRAY2BGR);
        else m.CopyTo(c);
        return c;
    }

    private static void Label(Mat img, string text)
    {
        if (text.Length == 0) return;
        double scale = LabelScale(img.Cols);
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, 1, out _);
        Cv2.Rectangle(img, LabelBox(img.Cols, img.Rows, text), Scalar.All(0), -1);
        Cv2.PutText(img, text, new Point(4, size.Height + 4), HersheyFonts.HersheySimplex, scale, Scalar.All(255), 1, LineTypes.AntiAlias);
    }

    private static double LabelScale(int panelWidth) => Math.Clamp(panelWidth / 500.0, 0.35, 0.8);

    /// <summary>
    /// The box (pixels, from the top-left corner) that <see cref="SideBySide"/> and <see cref="ContactSheet"/> paint
    /// black and write <paramref name="text"/> in, on a panel of <paramref name="panelWidth"/> × <paramref name="panelHeight"/>
    /// pixels; empty for an empty label.
    /// </summary>
    public static Rect LabelBox(int panelWidth, int panelHeight, string text)
    {
        if (text.Length == 0) return default;
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, LabelScale(panelWidth), 1, out int baseline);
        return new Rect(0, 0, Math.Min(panelWidth, size.Width + 8), Math.Min(panelHeight, size.Height + baseline + 8));
    }

    private static byte[] SrgbTable()
    {
        var lut = new byte[4096];
        for (int i = 0; i < lut.Length; i++) lut[i] = (byte)Math.Round(255 * TransferCurve.SrgbEncode(i / 4095.0));
        return lut;
    }

    private static int Percentile(int[] v, double q)
    {
        if (v.Length == 0) return 1;
        Array.Sort(v);
        return v[Math.Min(v.Length - 1, (int)(q * v.Length))];
    }
}
