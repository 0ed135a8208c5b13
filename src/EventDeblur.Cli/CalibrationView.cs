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

    /// <summary>The view of <paramref name="rgbToEvents"/> for a <paramref name="width"/>×<paramref name="height"/> RGB frame and an event sensor of <paramref name="sensor"/> pixels.</summary>
    public static CalibrationView Of(Homography rgbToEvents, int width, int height, (int Width, int Height) sensor)
    {
        var corners = new[] { rgbToEvents.Apply(0, 0), rgbToEvents.Apply(width, 0), rgbToEvents.Apply(width, height), rgbToEvents.Apply(0, height) };
        var c = rgbToEvents.Apply(width / 2.0, height / 2.0);
        var cx = rgbToEvents.Apply(width / 2.0 + 1, height / 2.0);
        double scale = Math.Sqrt((cx.X - c.X) * (cx.X - c.X) + (cx.Y - c.Y) * (cx.Y - c.Y));
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
        return new CalibrationView(m, corners.Select(p => (p.X + 0.0, p.Y + 0.0)).ToArray(), scale, coverage)
        {
            FoldsAcrossHorizon = folds,
            SensorCoverageFraction = sensorCoverage,
            OtherFrameSize = other,
        };
    }

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
        $"{EventPxPerRgbPx:F3} event px per RGB px at the centre; {CoverageFraction:P0} of the RGB frame lands on the event sensor; RGB corners at {string.Join(", ", Corners.Select(p => $"({Math.Round(p.X, 1) + 0.0:F1}, {Math.Round(p.Y, 1) + 0.0:F1})"))} event px");
}
