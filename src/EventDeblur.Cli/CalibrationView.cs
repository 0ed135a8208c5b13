using System.Globalization;
using System.Text.Json.Nodes;
using EventDeblur.Imaging;

namespace EventDeblur.Cli;

/// <summary>
/// What a bundle's RGB → event homography does, for <c>inspect</c>: where the RGB frame's corners land on the event
/// sensor (event pixels), the event pixels per RGB pixel at the frame's centre, and the share of the RGB frame that lands
/// on the sensor (0–1; sampled on a 64×48 grid of the frame).
/// </summary>
internal sealed record CalibrationView(double[] Homography, (double X, double Y)[] Corners, double EventPxPerRgbPx, double CoverageFraction)
{
    /// <summary>
    /// True when the homography's horizon (where h6·x + h7·y + h8 = 0) crosses the RGB frame: a projective map that folds
    /// part of the frame through infinity, which no camera pair produces (its corners and scale then mean nothing).
    /// </summary>
    public bool FoldsAcrossHorizon { get; init; }

    /// <summary>The share of the event sensor that the RGB frame covers (0–1; sampled on a 64×48 grid of the sensor).</summary>
    public double SensorCoverageFraction { get; init; }

    /// <summary>
    /// When the RGB frame lies on the sensor but covers under 40 % of it, and the same homography for frames k = 2, 3 or 4
    /// times larger would put the whole frame on the sensor over most of it: that k (a calibration made for frames of
    /// another size, typically), with the share it would cover; else null.
    /// </summary>
    public (int Factor, double SensorCoverage)? OtherFrameSize { get; init; }

    /// <summary>
    /// Width and height, event pixels, of the box the RGB frame's 64×48 sample points land in (finite points only): under
    /// a few event pixels both ways, the homography collapses the frame (a transposed matrix does: its large last row
    /// divides every point down to the origin).
    /// </summary>
    public (double Width, double Height) ImageSpan { get; init; }

    /// <summary>
    /// True when no camera pair could give this map: the frame's image on the sensor spans under 2 event px both ways, or
    /// the scale at the centre is not finite or under 0.005 event px per RGB px.
    /// </summary>
    public bool Collapses => !(EventPxPerRgbPx >= 0.005) || double.IsInfinity(EventPxPerRgbPx) || ImageSpan.Width < 2 && ImageSpan.Height < 2;

    /// <summary>
    /// When this homography puts under half of the frame on the sensor (or collapses it, or folds it) and its transpose or
    /// its inverse — the usual mistakes: a matrix written column by column, or one mapping event pixels to RGB pixels —
    /// puts at least 95 % of it there at a plausible scale (0.01–100 event px per RGB px): which one (<c>transpose</c> or
    /// <c>inverse</c>), its row-major values (scaled so that the last is 1) and the share it maps; else null.
    /// </summary>
    public (string Kind, double[] Matrix, double Coverage)? Likelier { get; init; }

    /// <summary>The view of <paramref name="rgbToEvents"/> for a <paramref name="width"/>×<paramref name="height"/> RGB frame and an event sensor of <paramref name="sensor"/> pixels.</summary>
    public static CalibrationView Of(Homography rgbToEvents, int width, int height, (int Width, int Height) sensor)
    {
        var corners = new[] { rgbToEvents.Apply(0, 0), rgbToEvents.Apply(width, 0), rgbToEvents.Apply(width, height), rgbToEvents.Apply(0, height) };
        double scale = ScaleAtCentre(rgbToEvents, width, height);
        int inside = 0, total = 0;
        for (int j = 0; j < 48; j++)
            for (int i = 0; i < 64; i++)
            {
                var (x, y) = rgbToEvents.Apply((i + 0.5) * width / 64.0, (j + 0.5) * height / 48.0);
                total++;
                if (x >= 0 && y >= 0 && x < sensor.Width && y < sensor.Height) inside++;
            }
        var m = rgbToEvents.ToRowMajor();
        double W(double x, double y) => m[6] * x + m[7] * y + m[8];
        double[] w = [W(0, 0), W(width, 0), W(width, height), W(0, height)];
        bool folds = w.Any(v => v <= 0) && w.Any(v => v >= 0) || w.All(v => v == 0);
        double coverage = inside / (double)total, sensorCoverage = folds ? 0 : SensorCoverage(rgbToEvents, width, height, sensor);
        (int, double)? other = null;
        // Not for the identity (a bundle made without --homography has no calibration to have been made for other frames).
        bool identity = m.SequenceEqual([1.0, 0, 0, 0, 1, 0, 0, 0, 1]);
        if (!folds && !identity && coverage >= 0.99 && sensorCoverage < 0.4)
            foreach (int k in new[] { 2, 3, 4 })
            {
                // Frames k times larger under the same homography: H · diag(k, k, 1).
                var scaled = EventDeblur.Imaging.Homography.FromRowMajor([m[0] * k, m[1] * k, m[2], m[3] * k, m[4] * k, m[5], m[6] * k, m[7] * k, m[8]]);
                double covered = SensorCoverage(scaled, width, height, sensor);
                if (covered >= 0.6 && FrameCoverage(scaled, width, height, sensor) >= 0.95) { other = (k, covered); break; }
            }
        var span = Span(rgbToEvents, width, height);
        var view = new CalibrationView(m, corners.Select(p => (p.X + 0.0, p.Y + 0.0)).ToArray(), scale, coverage)
        {
            FoldsAcrossHorizon = folds,
            SensorCoverageFraction = sensorCoverage,
            OtherFrameSize = other,
            ImageSpan = span,
        };
        if (!(folds || coverage < 0.5 || view.Collapses)) return view;
        (string, double[], double)? likelier = null;
        foreach (var (kind, candidate) in new[] { ("transpose", Transposed(m)), ("inverse", InverseOf(rgbToEvents)) })
        {
            if (candidate == null) continue;
            var h = EventDeblur.Imaging.Homography.FromRowMajor(candidate);
            double s = ScaleAtCentre(h, width, height);
            double[] wc = [.. new[] { (0.0, 0.0), (width, 0.0), (width, height), (0.0, height) }.Select(p => candidate[6] * p.Item1 + candidate[7] * p.Item2 + candidate[8])];
            if (wc.Any(v => v <= 0) || !(s >= 0.01 && s <= 100)) continue;
            double covered = FrameCoverage(h, width, height, sensor);
            if (covered >= 0.95 && covered > coverage && (likelier == null || covered > likelier.Value.Item3)) likelier = (kind, candidate, covered);
        }
        return view with { Likelier = likelier };
    }

    /// <summary>Event pixels per RGB pixel at the frame's centre (the length of one RGB pixel step along x, mapped).</summary>
    private static double ScaleAtCentre(Homography h, int width, int height)
    {
        var c = h.Apply(width / 2.0, height / 2.0);
        var cx = h.Apply(width / 2.0 + 1, height / 2.0);
        return Math.Sqrt((cx.X - c.X) * (cx.X - c.X) + (cx.Y - c.Y) * (cx.Y - c.Y));
    }

    /// <summary>The transpose of row-major <paramref name="m"/>, scaled so that its last value is 1 (null when that is 0 or not finite).</summary>
    private static double[]? Transposed(double[] m)
    {
        double[] t = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
        return Normalised(t);
    }

    /// <summary>The inverse of <paramref name="h"/>, row-major, its last value 1 (null when it has none).</summary>
    private static double[]? InverseOf(Homography h)
    {
        try { return Normalised(h.Inverse().ToRowMajor()); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ArithmeticException) { return null; }
    }

    private static double[]? Normalised(double[] m)
    {
        double d = m[8];
        if (d == 0 || !double.IsFinite(d) || m.Any(v => !double.IsFinite(v))) return null;
        return [.. m.Select(v => v / d + 0.0)];
    }

    /// <summary>The size of the box, event pixels, that the frame's 64×48 sample points (the finite ones) land in.</summary>
    private static (double Width, double Height) Span(Homography rgbToEvents, int width, int height)
    {
        double x0 = double.MaxValue, y0 = double.MaxValue, x1 = double.MinValue, y1 = double.MinValue;
        for (int j = 0; j < 48; j++)
            for (int i = 0; i < 64; i++)
            {
                var (x, y) = rgbToEvents.Apply((i + 0.5) * width / 64.0, (j + 0.5) * height / 48.0);
                if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
            }
        return x1 < x0 ? (0, 0) : (x1 - x0, y1 - y0);
    }

    /// <summary>
    /// What to say about <see cref="Likelier"/>: "its transpose (a matrix written column by column) maps 100 % of the frame
    /// onto the sensor: a,b,…" (empty when there is none).
    /// </summary>
    public string LikelierHint => Likelier is not var (kind, matrix, covered) ? "" : kind == "transpose"
        ? string.Create(CultureInfo.InvariantCulture, $"; its transpose (a matrix written column by column, e.g. numpy's H.T) maps {covered:P0} of the RGB frame onto the event sensor: {Numbers(matrix)}")
        // Geometry alone cannot tell an inverted homography from a rig whose RGB camera sees the wider field: said as a condition.
        : string.Create(CultureInfo.InvariantCulture, $"; if it was computed from event pixels to RGB pixels (the other direction), its inverse maps {covered:P0} of the RGB frame onto the event sensor: {Numbers(matrix)} (if instead the RGB camera sees a much wider field than the event camera, the homography may be right as it is)");

    private static string Numbers(double[] matrix) => string.Join(",", matrix.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The share of the frame's 64×48 sample points that land on the sensor.</summary>
    private static double FrameCoverage(Homography rgbToEvents, int width, int height, (int Width, int Height) sensor)
    {
        int inside = 0;
        for (int j = 0; j < 48; j++)
            for (int i = 0; i < 64; i++)
            {
                var (x, y) = rgbToEvents.Apply((i + 0.5) * width / 64.0, (j + 0.5) * height / 48.0);
                if (x >= 0 && y >= 0 && x < sensor.Width && y < sensor.Height) inside++;
            }
        return inside / (64.0 * 48);
    }

    /// <summary>The share of the sensor's 64×48 sample points whose RGB position (through the inverse homography) lies in the frame.</summary>
    private static double SensorCoverage(Homography rgbToEvents, int width, int height, (int Width, int Height) sensor)
    {
        Homography back;
        try { back = rgbToEvents.Inverse(); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ArithmeticException) { return 0; }
        int inside = 0;
        for (int j = 0; j < 48; j++)
            for (int i = 0; i < 64; i++)
            {
                var (x, y) = back.Apply((i + 0.5) * sensor.Width / 64.0, (j + 0.5) * sensor.Height / 48.0);
                if (x >= 0 && y >= 0 && x < width && y < height) inside++;
            }
        return inside / (64.0 * 48);
    }

    /// <summary>The view as JSON: <c>rgb_to_events_homography</c> (9 numbers, row-major), <c>rgb_corners_on_event_sensor</c> ([x, y] event px, clockwise from the top-left), <c>event_px_per_rgb_px</c>, <c>rgb_on_event_sensor</c> (0–1).</summary>
    public JsonObject ToJson() => new()
    {
        ["rgb_to_events_homography"] = new JsonArray(Homography.Select(v => (JsonNode?)v).ToArray()),
        ["rgb_corners_on_event_sensor"] = new JsonArray(Corners.Select(p => (JsonNode?)new JsonArray(Math.Round(p.X, 2) + 0.0, Math.Round(p.Y, 2) + 0.0)).ToArray()),
        ["event_px_per_rgb_px"] = Math.Round(EventPxPerRgbPx, 4),
        ["rgb_on_event_sensor"] = Math.Round(CoverageFraction, 4),
        ["folds_across_horizon"] = FoldsAcrossHorizon,
        ["event_sensor_covered"] = Math.Round(SensorCoverageFraction, 4),
    };

    /// <summary>One line: the scale, the share on the sensor and the corners.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{EventPxPerRgbPx:F3} event px per RGB px at the centre; {(Collapses ? $"the whole RGB frame lands within {ImageSpan.Width:0.##}×{ImageSpan.Height:0.##} event px" : $"{CoverageFraction:P0} of the RGB frame lands on the event sensor")}; RGB corners at {string.Join(", ", Corners.Select(p => $"({Math.Round(p.X, 1) + 0.0:F1}, {Math.Round(p.Y, 1) + 0.0:F1})"))} event px");
}
