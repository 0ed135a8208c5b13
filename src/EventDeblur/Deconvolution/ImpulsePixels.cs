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
/// one pixel): a spike counts only when it stands beyond its neighbours by more than their spread times the most any
/// pixel of the frame's kernels stands above its own (<see cref="PeakRatio"/>), with a margin.
/// </summary>
public static class ImpulsePixels
{
    /// <summary>Shortest blur (pixels, <see cref="Kernels.BlurKernel.LengthPx"/>) for which a one-pixel spike cannot be scene detail (3).</summary>
    public const double MinBlurPx = 3;

    /// <summary>How far a spike must stand from its neighbours' median, in the channel's noise σ, beyond what their spread allows (6).</summary>
    public const double MinSigmas = 6;

    /// <summary>Margin on the kernels' own peak ratio (1.5; at least 2 in all).</summary>
    public const double PeakMargin = 1.5;

    /// <summary>The eight neighbours of interior pixel <paramref name="i"/> of a <paramref name="width"/>-wide plane into <paramref name="nb"/> (8 long); their smallest and largest.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static (float Lo, float Hi) Neighbours(float[] plane, int width, int i, Span<float> nb)
    {
        int k = 0;
        float hi = float.MinValue, lo = float.MaxValue;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                if (dx == 0 && dy == 0) continue;
                float u = plane[i + dy * width + dx];
                nb[k++] = u;
                if (u > hi) hi = u;
                if (u < lo) lo = u;
            }
        return (lo, hi);
    }

    /// <summary>The median of the eight neighbours <see cref="Neighbours"/> gathered (the mean of the middle two); sorts <paramref name="nb"/>.</summary>
    internal static float NeighbourMedian(Span<float> nb)
    {
        nb.Sort();
        return 0.5f * (nb[3] + nb[4]);
    }

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
    /// <paramref name="image"/> with every impulse pixel of every channel set to the median of its eight neighbours (marked
    /// clipped only when at least five of them are), or the same instance when there is none, when the frame's longest blur is under
    /// <see cref="MinBlurPx"/>, or when a kernel has an isolated pixel. A pixel is an impulse when it is above (below) all
    /// its eight neighbours and its distance from their median exceeds f times their spread (largest minus smallest) plus
    /// <see cref="MinSigmas"/> noise σ of the channel (its robust whole-frame estimate), f = max(2, <see cref="PeakMargin"/> ×
    /// <see cref="PeakRatio"/> of the frame's kernels); frame borders are not examined. The σ is at least the plane's
    /// quantisation step (the smallest difference between neighbouring values: a quantised flat area's noise estimate
    /// falls to zero, and one code would count) and the channel's noise floor when one is known (JPEG). A repaired pixel
    /// is marked clipped when at least five of its neighbours are (a noise dip inside a clipped light is set to the clip
    /// level and must not be read as a measurement of it).
    /// </summary>
    /// <param name="image">The blurry frame, linear normalised radiance.</param>
    /// <param name="kernels">The frame's kernels (one per tile).</param>
    /// <param name="repaired">How many pixels (over all channels) were set.</param>
    /// <param name="floors">Per channel, a floor under the noise model (e.g. <see cref="BlockCompression"/>'s), or null.</param>
    /// <param name="sigmas">Per channel, the noise σ (<see cref="NoiseEstimator.Sigma"/>), or null to estimate it.</param>
    public static LinearImage Repair(LinearImage image, IReadOnlyList<Kernels.BlurKernel> kernels, out int repaired, IReadOnlyList<NoiseModel?>? floors = null, IReadOnlyList<double>? sigmas = null)
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
        for (int c = 0; c < image.Channels; c++)
        {
            var p = image.Planes[c];
            var sat = image.Saturated[c];
            var floor = floors is { } f && c < f.Count ? f[c] : null;
            // The channel's noise σ (robust, whole frame), at least its quantisation step; the spread term carries the
            // noise of brighter areas (8 neighbours spread over about 2.8 of their σ).
            // Estimated only when a pixel passes the σ-free test below (most frames have none).
            int channel = c;
            var sigma = new Lazy<double>(() => Math.Max(sigmas is { } sg && channel < sg.Count ? sg[channel] : NoiseEstimator.Sigma(p, w, h, sat), Quantum(p)));
            var found = new System.Collections.Concurrent.ConcurrentBag<(int I, float Bg)>();
            Parallel.For(1, h - 1, y =>
            {
                Span<float> nb = stackalloc float[8];
                for (int x = 1; x < w - 1; x++)
                {
                    int i = y * w + x;
                    float v = p[i];
                    var (mn, mx) = Neighbours(p, w, i, nb);
                    // The pixel must be the strict maximum or minimum of its 3×3 window, and (the median lies within the
                    // neighbours' range) beyond them by more than the spread term whatever the σ: most noise extrema end here.
                    float spread = mx - mn;
                    if (!(v > mx && v - mn > factor * spread) && !(v < mn && mx - v > factor * spread)) continue;
                    float bg = NeighbourMedian(nb);
                    double s = Math.Max(sigma.Value, floor?.Sigma(Math.Max(bg, 0)) ?? 0);
                    // Against the neighbours' whole spread (texture and noise as well as a light's path), not only the nearest.
                    bool hot = v - bg > factor * spread + MinSigmas * s;
                    bool dead = bg - v > factor * spread + MinSigmas * s;
                    if (hot || dead) found.Add((i, bg));
                }
            });
            if (found.IsEmpty) continue;
            planes ??= image.Planes.Select(q => (float[])q.Clone()).ToArray();
            saturated ??= image.Saturated.Select(q => (bool[])q.Clone()).ToArray();
            foreach (var (i, bg) in found)
            {
                planes[c][i] = bg;
                int clippedNeighbours = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if ((dx != 0 || dy != 0) && sat[i + dy * w + dx]) clippedNeighbours++;
                saturated[c][i] = clippedNeighbours >= 5;
                repaired++;
            }
        }
        return planes == null ? image : new LinearImage(w, h, planes, saturated);
    }

    /// <summary>The plane's quantisation step: the smallest positive difference between horizontal neighbours (0 when none).</summary>
    private static double Quantum(float[] plane)
    {
        float q = float.MaxValue;
        for (int i = 1; i < plane.Length; i++)
        {
            float d = Math.Abs(plane[i] - plane[i - 1]);
            if (d > 0 && d < q) q = d;
        }
        return q == float.MaxValue ? 0 : q;
    }
}
