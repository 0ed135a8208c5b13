namespace EventDeblur.Kernels;

/// <summary>Turns a sampled motion path into a kernel.</summary>
public static class KernelRaster
{
    /// <summary>
    /// Farthest a kernel's path may reach from its mid-exposure position, pixels (a kernel of at most 2·512 + 3 pixels a
    /// side, 4 MB): a longer blur is not a camera shake but a wrong motion model or calibration, and its kernel would
    /// take gigabytes.
    /// </summary>
    public const int MaxReachPx = 512;

    /// <summary>
    /// The kernel of a point whose image offsets from its mid-exposure position were
    /// <paramref name="offsets"/> (pixels) at equally spaced times over the exposure: every sample
    /// carries the same exposure time and is splatted bilinearly; the result is odd-sized and sums to 1.
    /// </summary>
    /// <exception cref="InvalidDataException">An offset is not finite or reaches beyond <see cref="MaxReachPx"/> (a data problem: the motion or the calibration it came from is wrong).</exception>
    public static BlurKernel FromOffsets(IReadOnlyList<(double X, double Y)> offsets)
    {
        if (offsets.Count == 0) return BlurKernel.Delta;
        double max = 0;
        foreach (var (x, y) in offsets)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y))
                throw new InvalidDataException($"the blur path has a non-finite offset ({x}, {y}) px: the camera-motion model or the rig calibration (rgb_to_events_homography) is wrong");
            max = Math.Max(max, Math.Max(Math.Abs(x), Math.Abs(y)));
        }
        if (max > MaxReachPx)
            throw new InvalidDataException($"the blur path reaches {max:F0} px from its mid-exposure position, beyond the {MaxReachPx} px a kernel may span: the camera-motion model or the rig calibration (rgb_to_events_homography) is wrong");
        int c = (int)Math.Ceiling(max) + 1;
        int size = 2 * c + 1;
        var w = new float[size * size];
        foreach (var (ox, oy) in offsets)
        {
            double fx = ox + c, fy = oy + c;
            int x0 = (int)Math.Floor(fx), y0 = (int)Math.Floor(fy);
            double ax = fx - x0, ay = fy - y0;
            w[y0 * size + x0] += (float)((1 - ax) * (1 - ay));
            w[y0 * size + x0 + 1] += (float)(ax * (1 - ay));
            w[(y0 + 1) * size + x0] += (float)((1 - ax) * ay);
            w[(y0 + 1) * size + x0 + 1] += (float)(ax * ay);
        }
        for (int i = 0; i < w.Length; i++) w[i] /= offsets.Count;
        return new BlurKernel(size, w);
    }
}
