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
        return new CalibrationView(m, corners.Select(p => (p.X + 0.0, p.Y + 0.0)).ToArray(), scale, inside / (double)total) { FoldsAcrossHorizon = folds };
    }

    /// <summary>The view as JSON: <c>rgb_to_events_homography</c> (9 numbers, row-major), <c>rgb_corners_on_event_sensor</c> ([x, y] event px, clockwise from the top-left), <c>event_px_per_rgb_px</c>, <c>rgb_on_event_sensor</c> (0–1).</summary>
    public JsonObject ToJson() => new()
    {
        ["rgb_to_events_homography"] = new JsonArray(Homography.Select(v => (JsonNode?)v).ToArray()),
        ["rgb_corners_on_event_sensor"] = new JsonArray(Corners.Select(p => (JsonNode?)new JsonArray(Math.Round(p.X, 2) + 0.0, Math.Round(p.Y, 2) + 0.0)).ToArray()),
        ["event_px_per_rgb_px"] = Math.Round(EventPxPerRgbPx, 4),
        ["rgb_on_event_sensor"] = Math.Round(CoverageFraction, 4),
        ["folds_across_horizon"] = FoldsAcrossHorizon,
    };

    /// <summary>One line: the scale, the share on the sensor and the corners.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{EventPxPerRgbPx:F3} event px per RGB px at the centre; {CoverageFraction:P0} of the RGB frame lands on the event sensor; RGB corners at {string.Join(", ", Corners.Select(p => $"({Math.Round(p.X, 1) + 0.0:F1}, {Math.Round(p.Y, 1) + 0.0:F1})"))} event px");
}
