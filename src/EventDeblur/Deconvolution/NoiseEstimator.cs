namespace EventDeblur.Deconvolution;

/// <summary>Noise estimation for linear frames.</summary>
public static class NoiseEstimator
{
    /// <summary>
    /// Robust noise σ of a plane (normalised units): median absolute response of Immerkær's
    /// Laplacian-difference operator over unsaturated pixels, divided by 0.6745·6.
    /// </summary>
    public static double Sigma(float[] plane, int width, int height, bool[]? saturated = null)
    {
        var r = new float[Math.Max(0, (width - 2) * (height - 2))];
        int count = 0;
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++)
            {
                int i = y * width + x;
                if (saturated != null && (saturated[i] || saturated[i - 1] || saturated[i + 1] || saturated[i - width] || saturated[i + width])) continue;
                float v = plane[i - width - 1] - 2 * plane[i - width] + plane[i - width + 1]
                          - 2 * plane[i - 1] + 4 * plane[i] - 2 * plane[i + 1]
                          + plane[i + width - 1] - 2 * plane[i + width] + plane[i + width + 1];
                r[count++] = Math.Abs(v);
            }
        if (count == 0) return 1e-3;
        // The median by selection: the value a full sort would put at count / 2, in linear time.
        return Math.Max(1e-5, Selection.Nth(r.AsSpan(0, count), count / 2) / (0.6745 * 6));
    }
}
