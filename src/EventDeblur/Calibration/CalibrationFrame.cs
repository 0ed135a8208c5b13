using OpenCvSharp;

namespace EventDeblur.Calibration;

/// <summary>
/// One frame's two views of the same exposure: the event image (events per event pixel inside the exposure, isolated
/// hot pixels removed) and the blurry RGB frame's log-gradient magnitude (RGB pixels). Both integrate the scene's
/// edges over the same camera path, so they align under the rig homography. Owns its two float32 images.
/// </summary>
internal sealed class CalibrationFrame : IDisposable
{
    public CalibrationFrame(long index, long events, Mat eventImage, Mat gradient)
    {
        (Index, Events, EventImage, Gradient) = (index, events, eventImage, gradient);
    }

    /// <summary>Frame index (frames.csv).</summary>
    public long Index { get; }

    /// <summary>Events inside the exposure window.</summary>
    public long Events { get; }

    /// <summary>Events per event pixel (rate-weighted), CV_32FC1, event sensor size.</summary>
    public Mat EventImage { get; }

    /// <summary>|∇ log(gray + ε)| of the blurry frame, CV_32FC1, RGB size.</summary>
    public Mat Gradient { get; }

    /// <summary>
    /// The event image from raw per-pixel counts: a pixel that fired more than four times as often as the busiest of
    /// its eight neighbours, plus two, is an isolated hot or noisy pixel and takes its neighbours' mean.
    /// </summary>
    public static Mat EventImageFrom(float[] counts, int width, int height)
    {
        var cleaned = (float[])counts.Clone();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float c = counts[y * width + x];
                if (c <= 2) continue;
                float max = 0, sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        if (dx == 0 && dy == 0) continue;
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
                        float v = counts[yy * width + xx];
                        max = Math.Max(max, v);
                        sum += v;
                        n++;
                    }
                if (c > 4 * max + 2) cleaned[y * width + x] = n > 0 ? sum / n : 0;
            }
        var m = new Mat(height, width, MatType.CV_32FC1);
        m.SetArray(cleaned);
        return m;
    }

    /// <summary>
    /// |∇ log(gray + ε)| of a linear image (planes averaged to gray), smoothed by a σ = 1 px Gaussian first;
    /// ε is half the median gray level (at least 1e-4), so the dark floor's noise does not dominate.
    /// </summary>
    public static Mat GradientFrom(IReadOnlyList<float[]> planes, int width, int height)
    {
        int n = width * height;
        var gray = new float[n];
        foreach (var p in planes)
            for (int i = 0; i < n; i++) gray[i] += p[i] / planes.Count;
        var sorted = (float[])gray.Clone();
        Array.Sort(sorted);
        double eps = Math.Max(1e-4, 0.5 * sorted[n / 2]);
        for (int i = 0; i < n; i++) gray[i] = (float)Math.Log(Math.Max(0, gray[i]) + eps);
        using var g = new Mat(height, width, MatType.CV_32FC1);
        g.SetArray(gray);
        using var smooth = new Mat();
        Cv2.GaussianBlur(g, smooth, new Size(0, 0), 1.0);
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(smooth, gx, MatType.CV_32F, 1, 0, 3, 0.125);
        Cv2.Sobel(smooth, gy, MatType.CV_32F, 0, 1, 3, 0.125);
        var mag = new Mat();
        Cv2.Magnitude(gx, gy, mag);
        return mag;
    }

    public void Dispose()
    {
        EventImage.Dispose();
        Gradient.Dispose();
    }
}
