using EventDeblur.Imaging;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Single pixels of a blurred frame that stand alone far above (or below) all eight of their neighbours: hot, stuck or
/// dead sensor pixels. Blur spreads every point of the scene over the kernel's path, so in a frame blurred by 3 px or more
/// no scene detail is one pixel wide; a deconvolver takes such a pixel for a light that the blur should have spread and
/// paints its echo a kernel's offset away (stop 50's trial: a hot pixel in the foreign <c>hard-2006</c>'s frame 3, one
/// channel at 5.5× the sky, became a new four-pixel spot 5 px below it; the 48×32-px window around it 9.7 dB below the
/// input). Such a pixel is set to the median of its eight neighbours before the deconvolution. How far a blurred point
/// may stand above its neighbours depends on the kernel (a path that dwells at one end puts much of a light's energy in
/// one pixel): a spike counts only when it stands above its highest neighbour by more than any pixel of the frame's
/// kernels stands above its own (<see cref="PeakRatio"/>), with a margin.
/// </summary>
public static class ImpulsePixels
{
    /// <summary>Shortest blur (pixels, <see cref="Kernels.BlurKernel.LengthPx"/>) for which a one-pixel spike cannot be scene detail (3).</summary>
    public const double MinBlurPx = 3;

    /// <summary>How far a spike must stand from its neighbours' median, in noise σ at that level, beyond what their spread allows (6).</summary>
    public const double MinSigmas = 6;

    /// <summary>Margin on the kernels' own peak ratio (1.5; at least 2 in all).</summary>
    public const double PeakMargin = 1.5;

    /// <summary>
    /// The largest ratio, over the kernel's pixels, of a pixel's weight to the largest weight among its eight neighbours
    /// (∞ when a positive weight has no positive neighbour): how far a blurred point light's brightest pixel can stand
    /// above its neighbours (a straight line: 1; a path dwelling at one end: more).
    /// </summary>
    public static double PeakRatio(Kernels.BlurKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int n = kernel.Size;
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float wgt = kernel[i, j];
                if (!(wgt > 0)) continue;
                float mx = 0;
                for (int di = -1; di <= 1; di++)
                    for (int dj = -1; dj <= 1; dj++)
                    {
                        if (di == 0 && dj == 0) continue;
                        int ii = i + di, jj = j + dj;
                        if (ii >= 0 && ii < n && jj >= 0 && jj < n) mx = Math.Max(mx, kernel[ii, jj]);
                    }
                if (!(mx > 0)) return double.PositiveInfinity;
                worst = Math.Max(worst, wgt / mx);
            }
        return worst;
    }

    /// <summary>
    /// <paramref name="image"/> with every impulse pixel of every channel set to the median of its eight neighbours (and
    /// no longer marked clipped), or the same instance when there is none, when the frame's longest blur is under
    /// <see cref="MinBlurPx"/>, or when a kernel has an isolated pixel. A pixel is an impulse when it is above (below) all
    /// its eight neighbours and its distance from their median exceeds f times their spread (largest minus smallest) plus
    /// <see cref="MinSigmas"/> noise σ of the channel's Poisson–Gaussian model at the median, f = max(2, <see cref="PeakMargin"/> ×
    /// <see cref="PeakRatio"/> of the frame's kernels); frame borders are not examined.
    /// </summary>
    /// <param name="image">The blurry frame, linear normalised radiance.</param>
    /// <param name="kernels">The frame's kernels (one per tile).</param>
    /// <param name="repaired">How many pixels (over all channels) were set.</param>
    public static LinearImage Repair(LinearImage image, IReadOnlyList<Kernels.BlurKernel> kernels, out int repaired)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(kernels);
        repaired = 0;
        if (kernels.Count == 0 || !(kernels.Max(k => k.LengthPx()) >= MinBlurPx)) return image;
        double ratio = kernels.Max(PeakRatio);
        if (!double.IsFinite(ratio)) return image;
        float factor = (float)Math.Max(2, PeakMargin * ratio);
        int w = image.Width, h = image.Height;
        float[][]? planes = null;
        bool[][]? saturated = null;
        Span<float> nb = stackalloc float[8];
        for (int c = 0; c < image.Channels; c++)
        {
            var p = image.Planes[c];
            var sat = image.Saturated[c];
            NoiseModel? model = null;
            for (int y = 1; y < h - 1; y++)
                for (int x = 1; x < w - 1; x++)
                {
                    int i = y * w + x;
                    float v = p[i];
                    // A cheap first test: the pixel is the strict maximum or minimum of its 3×3 window.
                    int k = 0;
                    float mx = float.MinValue, mn = float.MaxValue;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            if (dx == 0 && dy == 0) continue;
                            float u = p[i + dy * w + dx];
                            nb[k++] = u;
                            if (u > mx) mx = u;
                            if (u < mn) mn = u;
                        }
                    if (!(v > mx) && !(v < mn)) continue;
                    nb.Sort();
                    float bg = 0.5f * (nb[3] + nb[4]);
                    model ??= NoiseModelEstimator.Estimate(p, w, h, sat);
                    double s = model.Sigma(Math.Max(bg, 0));
                    // Against the neighbours' whole spread (texture and noise as well as a light's path), not only the nearest.
                    bool hot = v - bg > factor * (mx - mn) + MinSigmas * s;
                    bool dead = bg - v > factor * (mx - mn) + MinSigmas * s;
                    if (!hot && !dead) continue;
                    planes ??= image.Planes.Select(q => (float[])q.Clone()).ToArray();
                    saturated ??= image.Saturated.Select(q => (bool[])q.Clone()).ToArray();
                    planes[c][i] = bg;
                    saturated[c][i] = false;
                    repaired++;
                }
        }
        return planes == null ? image : new LinearImage(w, h, planes, saturated);
    }
}
