using EventDeblur.Imaging;

namespace EventDeblur.Calibration;

/// <summary>Compares homographies where it matters: on a grid of RGB pixels whose images fall on the event sensor.</summary>
public static class HomographyGrid
{
    /// <summary>
    /// The points of a <paramref name="columns"/> × <paramref name="rows"/> grid spanning the RGB frame
    /// (corners at pixel centres 0 and size − 1) that <paramref name="reference"/> maps inside the event sensor.
    /// </summary>
    /// <param name="reference">RGB → event homography deciding which points count.</param>
    /// <param name="rgbWidth">RGB frame width, pixels (≥ 2).</param>
    /// <param name="rgbHeight">RGB frame height, pixels (≥ 2).</param>
    /// <param name="eventWidth">Event sensor width, pixels.</param>
    /// <param name="eventHeight">Event sensor height, pixels.</param>
    /// <param name="columns">Grid columns (≥ 2).</param>
    /// <param name="rows">Grid rows (≥ 2).</param>
    public static List<(double X, double Y)> PointsOnSensor(Homography reference, int rgbWidth, int rgbHeight, int eventWidth, int eventHeight, int columns = 32, int rows = 24)
    {
        var points = new List<(double, double)>();
        for (int j = 0; j < rows; j++)
            for (int i = 0; i < columns; i++)
            {
                double x = i * (rgbWidth - 1.0) / (columns - 1), y = j * (rgbHeight - 1.0) / (rows - 1);
                var (u, v) = reference.Apply(x, y);
                if (u >= -0.5 && u <= eventWidth - 0.5 && v >= -0.5 && v <= eventHeight - 0.5) points.Add((x, y));
            }
        return points;
    }

    /// <summary>
    /// Mean distance, event pixels, between the images of <paramref name="estimate"/> and <paramref name="truth"/>
    /// over the default 32 × 24 grid of the RGB frame, counting the points that <paramref name="truth"/> maps onto
    /// the event sensor. NaN when no point does.
    /// </summary>
    /// <param name="estimate">RGB → event homography under test.</param>
    /// <param name="truth">The reference RGB → event homography.</param>
    /// <param name="rgbWidth">RGB frame width, pixels.</param>
    /// <param name="rgbHeight">RGB frame height, pixels.</param>
    /// <param name="eventWidth">Event sensor width, pixels.</param>
    /// <param name="eventHeight">Event sensor height, pixels.</param>
    public static double MeanDistanceEventPx(Homography estimate, Homography truth, int rgbWidth, int rgbHeight, int eventWidth, int eventHeight)
    {
        var d = Distances(estimate, truth, rgbWidth, rgbHeight, eventWidth, eventHeight);
        return d.Count == 0 ? double.NaN : d.Average();
    }

    /// <summary>
    /// As <see cref="MeanDistanceEventPx"/>, the largest distance instead of the mean: the worst place of the RGB frame
    /// (the grid's points that <paramref name="truth"/> maps onto the event sensor), event pixels. NaN when no point is on it.
    /// </summary>
    /// <param name="estimate">RGB → event homography under test.</param>
    /// <param name="truth">The reference RGB → event homography.</param>
    /// <param name="rgbWidth">RGB frame width, pixels.</param>
    /// <param name="rgbHeight">RGB frame height, pixels.</param>
    /// <param name="eventWidth">Event sensor width, pixels.</param>
    /// <param name="eventHeight">Event sensor height, pixels.</param>
    public static double MaxDistanceEventPx(Homography estimate, Homography truth, int rgbWidth, int rgbHeight, int eventWidth, int eventHeight)
    {
        var d = Distances(estimate, truth, rgbWidth, rgbHeight, eventWidth, eventHeight);
        return d.Count == 0 ? double.NaN : d.Max();
    }

    /// <summary>Event-pixel distance between the two homographies' images of each grid point that <paramref name="truth"/> maps onto the sensor.</summary>
    private static List<double> Distances(Homography estimate, Homography truth, int rgbWidth, int rgbHeight, int eventWidth, int eventHeight)
    {
        var distances = new List<double>();
        foreach (var (x, y) in PointsOnSensor(truth, rgbWidth, rgbHeight, eventWidth, eventHeight))
        {
            var (a, b) = estimate.Apply(x, y);
            var (c, d) = truth.Apply(x, y);
            distances.Add(Math.Sqrt((a - c) * (a - c) + (b - d) * (b - d)));
        }
        return distances;
    }
}
