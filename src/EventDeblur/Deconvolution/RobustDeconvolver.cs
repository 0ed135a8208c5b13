using System.Runtime.CompilerServices;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Noise-robust, saturation-aware non-blind deconvolution of one linear channel (registered as <c>robust</c>).
/// <para>
/// The noise is modelled per frame and channel as Poisson–Gaussian (<see cref="NoiseModelEstimator"/>, fitted on the
/// blurry plane itself), and the problem is posed in units of the local noise σ(s) = √(A·s + B):
/// minimise ½ Σ ω_i ((K⊛x)_i − b_i)² + λ Σ (σ₀/σ_i) |∇x|_i over x ≥ 0, where ω_i = σ₀²/σ_i² weighs each
/// unsaturated pixel by its inverse noise variance and the isotropic total-variation prior counts gradients in
/// local noise units (close to a variance-stabilised domain, so a dark alley and a bright street get the same
/// relative treatment). Clipped pixels carry no data term, only the constraint K⊛x ≥ saturation: the latent
/// radiance of a clipped light may exceed the sensor maximum, and the light is rebuilt as a compact spot from
/// its unclipped flanks instead of being flattened at the clip level (which causes dark holes and tails).
/// </para>
/// <para>
/// Solved by ADMM with three splits (z = K⊛x, u = ∇x, v = x) at fixed penalties, so every x-step is one
/// closed-form division in the Fourier domain by a denominator computed once per call; the first x-step
/// (z = b, u = 0, v = b) is a Wiener-type start. DFTs are OpenCV's real (packed CCS) float transforms on an
/// optimal DFT size, with the kernel spectra cached per call and no allocation inside the iterations.
/// </para>
/// </summary>
public sealed class RobustDeconvolver : IGentleDeconvolver, IChromaSmoothing
{
    /// <summary>
    /// Default <see cref="ChromaMedianPx"/>, pixels. Each channel is deconvolved (and guarded) alone, so an edge's channels
    /// can come out sharpened differently. On nine tuning bundles of both domains (event kernels) the 5×5 chroma median
    /// raised PSNR on every one, by 0.14–0.40 dB (mean 0.26), and SSIM with it; judging the channels together in the guard as
    /// well (as <c>learned</c> does) gave the same mean but cost 0.37 dB on a rotation bundle, so <c>robust</c> keeps
    /// judging each channel alone.
    /// </summary>
    public const int DefaultChromaMedianPx = 5;

    /// <summary>Side of the chroma median window applied to RGB frames by <see cref="TiledDeblurrer"/>, pixels: 0 (off), 3 or 5.</summary>
    public int ChromaMedianPx { get; init; } = DefaultChromaMedianPx;

    /// <summary>Creates the deconvolver with <paramref name="options"/> (defaults when null).</summary>
    public RobustDeconvolver(RobustDeconvolverOptions? options = null) => Options = (options ?? new RobustDeconvolverOptions()).Validated();

    /// <summary>The options in use.</summary>
    public RobustDeconvolverOptions Options { get; }

    /// <inheritdoc />
    public string Name => "robust";

    /// <summary>Factor by which <see cref="Gentler"/> strengthens the prior.</summary>
    public const double GentleFactor = 4;

    /// <summary>The same deconvolver with a <see cref="GentleFactor"/> times stronger prior.</summary>
    public IDeconvolver Gentler() => new RobustDeconvolver(Options.Gentler(GentleFactor)) { Profile = Profile };

    /// <summary>Per-step timing of this instance's calls (null: not timed).</summary>
    public DeconvolutionProfile? Profile { get; init; }

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        NoiseModel model;
        using (Profile.Step("robust: noise model")) model = NoiseModelEstimator.Estimate(plane, width, height, context.Saturated, floor: context.NoiseFloor, sites: context.Sites);
        return Deconvolve(plane, width, height, kernel, context, model);
    }

    /// <summary>As <see cref="Deconvolve(float[], int, int, BlurKernel, ChannelContext)"/> with a known noise model of the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model)
    {
        if (plane.Length != width * height) throw new ArgumentException($"plane has {plane.Length} values, expected {width}×{height}");
        var o = Options;
        var profile = Profile;
        // Padding on each side: the kernel's reach (the frame's border pixels are explained by latent pixels up to that
        // far outside, which have no data term; and no blur wraps around the circular grid from one side to the other)
        // plus 8 px; or, with PadToKernelReach off, the whole kernel size plus 8 px on every side.
        var (reachX, reachY) = kernel.Reach();
        int padX = o.PadToKernelReach ? reachX + 8 : kernel.Size + 8, padY = o.PadToKernelReach ? reachY + 8 : kernel.Size + 8;
        int gw = Spectral.EvenDftWidth(width + 2 * padX), gh = Cv2.GetOptimalDFTSize(height + 2 * padY);
        int n = gw * gh;
        double sat = context.SaturationLinear;
        float mu = (float)o.DataPenalty, beta = (float)o.GradientPenalty, gamma = (float)o.PositivityPenalty, relax = (float)o.Relaxation;

        var setup = profile.Step("robust: setup");
        var sites = context.DataSites;
        // Signal estimate for the noise model: the blurry plane smoothed a little, clipped to the saturation level.
        var smooth = NoiseModelEstimator.BoxMean(plane, width, height, 1);
        var unsat = new float[plane.Length];
        int unsatCount = 0;
        for (int i = 0; i < plane.Length; i++) if (!context.Saturated[i]) unsat[unsatCount++] = smooth[i];
        double median = unsatCount > 0 ? Selection.Nth(unsat.AsSpan(0, unsatCount), unsatCount / 2) : 0.5 * sat;
        double v0 = model.Variance(median);
        double sigma0 = Math.Sqrt(v0);
        float inv0 = (float)(1 / sigma0);

        // Padded grid in noise units: the frame at (padX, padY), reflected borders tapered to the mean.
        var b = new float[n];
        var omega = new float[n];   // data weight (0 = no data term)
        var prior = new float[n];   // λ·σ₀/σ_i
        var isSat = new bool[n];
        double mean = 0;
        for (int i = 0; i < plane.Length; i++) mean += Math.Min(plane[i], sat);
        mean /= Math.Max(1, plane.Length);
        float maxW = (float)o.MaxWeightRatio;
        var wx = new double[gw];
        var sxs = new int[gw];
        for (int gx = 0; gx < gw; gx++)
        {
            sxs[gx] = PaddedPlane.Reflect(gx - padX, width);
            wx[gx] = PaddedPlane.Taper(gx - padX, width, gw - width);
        }
        for (int y = 0; y < gh; y++)
        {
            int sy = PaddedPlane.Reflect(y - padY, height);
            double wy = PaddedPlane.Taper(y - padY, height, gh - height);
            bool rowInside = y >= padY && y < padY + height;
            for (int gx = 0; gx < gw; gx++)
            {
                int sx = sxs[gx];
                int si = sy * width + sx, gi = y * gw + gx;
                double raw = plane[si];
                b[gi] = (float)((mean + (raw - mean) * wx[gx] * wy) * inv0);
                double sig = Math.Min(Math.Max(smooth[si], 0), sat);
                float w = (float)Math.Min(v0 / model.Variance(sig), maxW);
                prior[gi] = (float)(o.PriorWeight * Math.Sqrt(w));
                // A demosaiced plane's interpolated pixels are no data (neither a measurement nor a clipped one): the
                // prior fills them in from the measured sites around them.
                bool inside = rowInside && gx >= padX && gx < padX + width && (sites is not { } st || st.Has(gx - padX, y - padY));
                isSat[gi] = inside && context.Saturated[si];
                omega[gi] = inside && !context.Saturated[si] ? w : 0;
            }
        }
        // A clipped pixel's blurred radiance is at least the saturation level, less one noise σ there.
        float satLow = (float)((sat - model.Sigma(sat)) * inv0);
        setup.Dispose();

        float[] kSpec, aKSpec, aISpec;
        using (profile.Step("robust: kernel spectra"))
            (kSpec, aKSpec, aISpec) = KernelSpectra.Get(kernel, gh, gw, mu, beta, gamma);
        using var kPacked = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, kSpec);
        using var aK = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, aKSpec);   // conj(K)/den, packed
        using var aI = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, aISpec);   // 1/den, packed

        // ADMM state, kept in the form the x-step reads: rz = μ(z − d1), qx/qy = u − d2, g = γ(v − d3).
        var x = new float[n];
        var kx = new float[n];
        var z = (float[])b.Clone();
        var d1 = new float[n];
        var qx = new float[n];
        var qy = new float[n];
        var d2x = new float[n];
        var d2y = new float[n];
        var v = new float[n];
        var d3 = new float[n];
        var rz = new float[n];
        var rq = new float[n];
        var g = new float[n];
        using var xM = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, x);
        using var kxM = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, kx);
        using var rzM = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, rz);
        using var rqM = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, rq);
        using var fz = new Mat(gh, gw, MatType.CV_32FC1);
        using var fq = new Mat(gh, gw, MatType.CV_32FC1);
        using var fx = new Mat(gh, gw, MatType.CV_32FC1);
        using var fk = new Mat(gh, gw, MatType.CV_32FC1);
        bool anySat = Array.IndexOf(isSat, true) >= 0;
        // Lower bound of the latent radiance: 0, and under a clipped streak the surrounding scene (a light adds to
        // the background behind it, so the pixels it covers are no darker than their surround).
        var floor = new float[n];
        if (anySat)
        {
            using var _ = profile.Step("robust: saturation setup");
            BackgroundFloor(b, isSat, gh, gw, kernel.Size, floor);
            // Under a clipped streak the prior is set by the scene around it (the clip level says nothing about it),
            // so stray energy left between the light's spot and its surround is smoothed away.
            for (int i = 0; i < n; i++)
                if (isSat[i])
                    prior[i] = (float)(o.PriorWeight * Math.Sqrt(Math.Min(v0 / model.Variance(floor[i] * sigma0), o.MaxWeightRatio)));
            if (o.SaturatedPriorRadiusPx >= 0)
            {
                var near = NoiseModelEstimator.Dilate(isSat, gw, gh, o.SaturatedPriorRadiusPx);
                for (int i = 0; i < n; i++) if (near[i]) prior[i] = 0;
            }
        }
        // The RL start sharpens without a prior, so it turns strong noise into speckles that the ADMM steps cannot
        // remove (real 8-bit low-light photos: σ at the clip level 8–11 % of it; our simulators and the foreign
        // bundles: 1.0–1.7 %). Above LightInitMaxNoiseRatio it is kept only on the clipped pixels, where the data say nothing.
        bool noisy = model.Sigma(sat) > o.LightInitMaxNoiseRatio * sat;
        if (anySat && o.LightInitIterations > 0)
        {
            // Clipped lights: a short saturation-aware RL places their energy; ADMM starts from it (z = K⊛x₀ on clipped pixels, u = ∇x₀, v = x₀).
            // Profile steps: "light init (RL)" on the whole plane, "light init (RL crops)" when the crops were cheaper.
            if (o.LightInitOnCrops) LightInitCropped(b, isSat, omega, (float)(sat * inv0), kernel, kPacked, gh, gw, o.LightInitIterations, Math.Min(o.LightInitWholePlaneIterations, o.LightInitIterations), v, context.Cancellation, profile);
            else using (profile.Step("robust: light init (RL)")) LightInit(b, isSat, omega, (float)(sat * inv0), kPacked, gh, gw, o.LightInitIterations, v, context.Cancellation);
            // Under strong noise the RL start is kept only where the clip hides the data; elsewhere ADMM starts from the data.
            if (noisy) for (int i = 0; i < n; i++) if (!isSat[i]) v[i] = Math.Max(b[i], 0);
            using var _ = profile.Step("robust: admm start");
            using (var vM = Mat.FromPixelData(gh, gw, MatType.CV_32FC1, v))
            using (var spec = new Mat())
            {
                Cv2.Dft(vM, spec);
                Cv2.MulSpectrums(spec, kPacked, spec, DftFlags.None);
                Cv2.Idft(spec, kxM, DftFlags.Scale | DftFlags.RealOutput);
            }
            for (int i = 0; i < n; i++) if (isSat[i]) z[i] = Math.Max(kx[i], satLow);
            for (int y = 0; y < gh; y++)
            {
                int row = y * gw, down = ((y + 1) % gh) * gw;
                for (int xx = 0; xx < gw; xx++)
                {
                    int i = row + xx;
                    qx[i] = v[row + (xx + 1) % gw] - v[i];
                    qy[i] = v[down + xx] - v[i];
                }
            }
        }
        else
        {
            for (int i = 0; i < n; i++) v[i] = Math.Max(b[i], 0);
        }
        for (int i = 0; i < n; i++) { rz[i] = mu * z[i]; g[i] = gamma * v[i]; }

        // Per-pixel constants of the z-step: ω·b, 1/(ω + μ) and the clipped-pixel mask (1 = clipped).
        var ob = new float[n];
        var invW = new float[n];
        var satMask = new float[n];
        for (int i = 0; i < n; i++)
        {
            ob[i] = omega[i] * b[i];
            invW[i] = 1 / (omega[i] + mu);
            satMask[i] = isSat[i] ? 1 : 0;
        }

        for (int it = 0; it < o.Iterations; it++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            // x-step: (μKᵀK + βDᵀD + γI) x = μKᵀ(z − d1) + βDᵀ(u − d2) + γ(v − d3).
            using (profile.Step("robust: admm pointwise"))
                AdmmPointwise.XStepRhs(qx, qy, g, rq, gh, gw, beta);
            using (profile.Step("robust: admm dft"))
            {
                Cv2.Dft(rzM, fz);
                Cv2.Dft(rqM, fq);
                // fx = fz·conj(K)/den + fq/den, fk = fx·K (OpenCV's MulSpectrums and Add, bit for bit, on vector lanes).
                PackedSpectrum.MultiplyAdd(fz, aK, fq, aI, fx);
                PackedSpectrum.Multiply(fx, kPacked, fk);
                Cv2.Idft(fx, xM, DftFlags.Scale | DftFlags.RealOutput);
                Cv2.Idft(fk, kxM, DftFlags.Scale | DftFlags.RealOutput);
            }
            using (profile.Step("robust: admm pointwise"))
            {
                // z-step: weighted data term per pixel; clipped pixels only bound K⊛x from below.
                AdmmPointwise.ZStep(kx, d1, ob, invW, satMask, mu, satLow, rz, relax);
                // u-step: isotropic shrinkage with the local threshold λ(σ₀/σ_i)/β; v-step: projection on x ≥ floor.
                AdmmPointwise.UvStep(x, d2x, d2y, qx, qy, d3, g, prior, floor, gh, gw, beta, gamma, relax);
            }
        }

        var result = new float[width * height];
        float scale = (float)sigma0;
        for (int y = 0; y < height; y++)
        {
            int src = (y + padY) * gw + padX;
            for (int xx = 0; xx < width; xx++) result[y * width + xx] = Math.Max(x[src + xx], 0) * scale;
        }
        return result;
    }

    /// <summary>
    /// Richardson–Lucy with the smooth-clip forward model of Whyte et al. (2014) on the padded grid (noise units),
    /// accelerated by Biggs–Andrews vector extrapolation (each step predicts along the last change, weighted by how
    /// well the last two changes agree), so a dozen steps do the work of several dozen plain ones. Pixels without
    /// data (the padding) do not drive the update. Writes the estimate to <paramref name="x"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LightInit(float[] b, bool[] isSat, float[] omega, float sat, Mat kPacked, int h, int w, int iterations, float[] x, CancellationToken ct)
    {
        int n = h * w;
        const float eps = 1e-3f;
        float a = 50f / Math.Max(sat, 1e-3f);
        var ratio = new float[n];
        var y = new float[n];
        var pred = new float[n];
        var prev = new float[n];
        var g1 = new float[n];
        var g2 = new float[n];
        for (int i = 0; i < n; i++) x[i] = Math.Max(b[i], eps);
        using var pM = Mat.FromPixelData(h, w, MatType.CV_32FC1, pred);
        using var yM = Mat.FromPixelData(h, w, MatType.CV_32FC1, y);
        using var rM = Mat.FromPixelData(h, w, MatType.CV_32FC1, ratio);
        using var spec = new Mat();
        for (int it = 0; it < iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            float alpha = 0;
            if (it >= 2)
            {
                var (num, den) = LightInitPointwise.Dots(g1, g2);
                alpha = den > 0 ? (float)Math.Clamp(num / den, 0, 0.95) : 0;
            }
            LightInitPointwise.Predict(x, prev, pred, alpha, eps);
            Cv2.Dft(pM, spec);
            PackedSpectrum.MultiplyInPlace(spec, kPacked);
            Cv2.Idft(spec, yM, DftFlags.Scale | DftFlags.RealOutput);
            LightInitPointwise.Ratio(b, y, omega, isSat, ratio, a, sat, eps);
            Cv2.Dft(rM, spec);
            PackedSpectrum.MultiplyInPlace(spec, kPacked, conjB: true);
            Cv2.Idft(spec, yM, DftFlags.Scale | DftFlags.RealOutput);
            LightInitPointwise.Update(pred, y, x, g1, g2);
        }
    }

    /// <summary>
    /// <see cref="LightInit"/> on crops of the h×w padded grid around its clipped pixels instead of the whole grid: the
    /// bounding boxes of the clipped connected regions, grown by two kernel sizes and merged while any two overlap, each
    /// deconvolved on its own grid (the crop plus a no-data guard band of one kernel size, optimal DFT size, so the
    /// circular wrap never mixes data). Writes the estimate into <paramref name="x"/>: within each crop the RL result,
    /// blended with raised-cosine weights over the crop's outer kernel size into max(b, 0), which is what
    /// <paramref name="x"/> holds everywhere else (the ADMM start of planes without clipped pixels).
    /// </summary>
    private static void LightInitCropped(float[] b, bool[] isSat, float[] omega, float sat, BlurKernel kernel, Mat fullK, int h, int w, int iterations, int wholeIterations, float[] x, CancellationToken ct, DeconvolutionProfile? profile = null)
    {
        int ks = kernel.Size;
        var boxes = SaturatedBoxes(isSat, h, w, 2 * ks);
        int guard = ks;
        var grids = boxes.Select(bx => (W: Math.Max(Spectral.EvenDftWidth(bx.X1 - bx.X0 + guard), ks), H: Math.Max(Cv2.GetOptimalDFTSize(bx.Y1 - bx.Y0 + guard), ks))).ToList();
        long cropArea = grids.Sum(g => (long)g.W * g.H), plane = (long)h * w;
        if (cropArea * iterations + plane * wholeIterations >= plane * iterations)
        {
            // Lights all over the plane: the crops would cost more than the whole-plane start.
            using var whole = profile.Step("robust: light init (RL)");
            LightInit(b, isSat, omega, sat, fullK, h, w, iterations, x, ct);
            return;
        }
        using var cropped = profile.Step("robust: light init (RL crops)");
        if (wholeIterations > 0) LightInit(b, isSat, omega, sat, fullK, h, w, wholeIterations, x, ct);
        else for (int i = 0; i < x.Length; i++) x[i] = Math.Max(b[i], 0);
        for (int bi = 0; bi < boxes.Count; bi++)
        {
            var (x0, y0, x1, y1) = boxes[bi];
            int cw = x1 - x0, ch = y1 - y0;
            var (gw, gh) = grids[bi];
            int n = gw * gh;
            var cb = new float[n];
            var cSat = new bool[n];
            var cOmega = new float[n];
            // The crop sits at (0, 0); the guard band (right and bottom, wrapping to left and top) has no data and
            // repeats the nearest crop pixel, so the estimate there starts near its neighbours.
            for (int y = 0; y < gh; y++)
            {
                int sy = y0 + Math.Min(y, ch - 1);
                bool rowIn = y < ch;
                for (int xx = 0; xx < gw; xx++)
                {
                    int si = sy * w + x0 + Math.Min(xx, cw - 1), ci = y * gw + xx;
                    cb[ci] = b[si];
                    if (rowIn && xx < cw) { cSat[ci] = isSat[si]; cOmega[ci] = omega[si]; }
                }
            }
            var cx = new float[n];
            using (var kP = KernelPacked(kernel, gh, gw))
                LightInit(cb, cSat, cOmega, sat, kP, gh, gw, iterations, cx, ct);
            for (int y = 0; y < ch; y++)
            {
                double wy = CropWeight(y, ch, y0 == 0, y1 == h, ks);
                for (int xx = 0; xx < cw; xx++)
                {
                    double wgt = wy * CropWeight(xx, cw, x0 == 0, x1 == w, ks);
                    int gi = (y0 + y) * w + x0 + xx;
                    // Merged boxes never overlap, so each pixel is written by one crop at most.
                    x[gi] = (float)(wgt * cx[y * gw + xx] + (1 - wgt) * x[gi]);
                }
            }
        }
    }

    /// <summary>Blend weight of a crop pixel at <paramref name="i"/> of <paramref name="n"/>: 1 inside, raised-cosine down to 0 over the outer <paramref name="ramp"/> pixels (sides on the plane's edge keep 1).</summary>
    private static double CropWeight(int i, int n, bool atStart, bool atEnd, int ramp)
    {
        double wgt = 1;
        if (!atStart && i < ramp) wgt = Math.Min(wgt, 0.5 * (1 - Math.Cos(Math.PI * (i + 0.5) / ramp)));
        int fromEnd = n - 1 - i;
        if (!atEnd && fromEnd < ramp) wgt = Math.Min(wgt, 0.5 * (1 - Math.Cos(Math.PI * (fromEnd + 0.5) / ramp)));
        return wgt;
    }

    /// <summary>The kernel's spectrum on an h×w grid in OpenCV's packed real layout.</summary>
    private static Mat KernelPacked(BlurKernel kernel, int h, int w)
    {
        using var grid = KernelGrid(kernel, h, w);
        var packed = new Mat();
        Cv2.Dft(grid, packed);
        return packed;
    }

    /// <summary>
    /// Bounding boxes [x0, x1) × [y0, y1) of the clipped pixels' 8-connected regions on an h×w grid, each grown by
    /// <paramref name="margin"/> (clamped to the grid) and merged with any box it overlaps until none overlap.
    /// </summary>
    internal static List<(int X0, int Y0, int X1, int Y1)> SaturatedBoxes(bool[] isSat, int h, int w, int margin)
    {
        var boxes = new List<(int X0, int Y0, int X1, int Y1)>();
        var seen = new bool[isSat.Length];
        var stack = new Stack<int>();
        for (int start = 0; start < isSat.Length; start++)
        {
            if (!isSat[start] || seen[start]) continue;
            int bx0 = int.MaxValue, by0 = int.MaxValue, bx1 = -1, by1 = -1;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                int py = p / w, px = p % w;
                bx0 = Math.Min(bx0, px); bx1 = Math.Max(bx1, px); by0 = Math.Min(by0, py); by1 = Math.Max(by1, py);
                for (int dy = -1; dy <= 1; dy++)
                {
                    int ny = py + dy;
                    if (ny < 0 || ny >= h) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = px + dx;
                        if (nx < 0 || nx >= w) continue;
                        int q = ny * w + nx;
                        if (isSat[q] && !seen[q]) { seen[q] = true; stack.Push(q); }
                    }
                }
            }
            boxes.Add((Math.Max(0, bx0 - margin), Math.Max(0, by0 - margin), Math.Min(w, bx1 + 1 + margin), Math.Min(h, by1 + 1 + margin)));
        }
        bool merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < boxes.Count && !merged; i++)
                for (int j = i + 1; j < boxes.Count; j++)
                {
                    var (a, c) = (boxes[i], boxes[j]);
                    if (a.X0 < c.X1 && c.X0 < a.X1 && a.Y0 < c.Y1 && c.Y0 < a.Y1)
                    {
                        boxes[i] = (Math.Min(a.X0, c.X0), Math.Min(a.Y0, c.Y0), Math.Max(a.X1, c.X1), Math.Max(a.Y1, c.Y1));
                        boxes.RemoveAt(j);
                        merged = true;
                        break;
                    }
                }
        }
        return boxes;
    }

    /// <summary>
    /// The scene around clipped regions, filled into them: a normalised box average of the blurry plane over pixels
    /// farther than half a kernel from any clipped pixel (so the streaks' bright flanks do not count), written to
    /// <paramref name="floor"/> within two pixels of clipped pixels and 0 elsewhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackgroundFloor(float[] b, bool[] isSat, int h, int w, int kernelSize, float[] floor)
    {
        int reach = kernelSize / 2 + 2;
        var far = NoiseModelEstimator.Dilate(isSat, w, h, reach);
        var near = NoiseModelEstimator.Dilate(isSat, w, h, 2);
        var num = new float[h * w];
        var den = new float[h * w];
        for (int i = 0; i < num.Length; i++) if (!far[i]) { num[i] = Math.Max(b[i], 0); den[i] = 1; }
        int box = 2 * reach + 1;
        using var numM = Mat.FromPixelData(h, w, MatType.CV_32FC1, num);
        using var denM = Mat.FromPixelData(h, w, MatType.CV_32FC1, den);
        var size = new Size(2 * box + 1, 2 * box + 1);
        Cv2.BoxFilter(numM, numM, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        Cv2.BoxFilter(denM, denM, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        for (int i = 0; i < floor.Length; i++) floor[i] = near[i] && den[i] > 1e-3f ? num[i] / den[i] : 0;
    }

    /// <summary>The kernel on an h×w grid with its centre at (0, 0) (circular), as a real Mat; its non-zero weights must fit the grid.</summary>
    internal static Mat KernelGrid(BlurKernel kernel, int h, int w)
    {
        var (rx, ry) = kernel.Reach();
        if (2 * ry + 1 > h || 2 * rx + 1 > w) throw new ArgumentException($"kernel reaching {rx}×{ry} px from its centre does not fit a {w}×{h} grid");
        var m = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        var s = m.AsSpan<float>();
        int c = kernel.Center;
        for (int i = c - ry; i <= c + ry; i++)
            for (int j = c - rx; j <= c + rx; j++)
                s[((i - c + h) % h) * w + (j - c + w) % w] += kernel[i, j];
        return m;
    }

    /// <summary>
    /// The x-step filters conj(K)/den and 1/den with den = μ|K|² + β(|Dx|² + |Dy|²) + γ, in OpenCV's packed
    /// real-spectrum layout. Both are spectra of real signals, so they are formed in full complex form, taken back
    /// to the (real) spatial domain and transformed again with the packed real DFT.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BuildFilters(Mat k, int h, int w, float mu, float beta, float gamma, Mat aK, Mat aI)
    {
        using var kc = new Mat();
        Cv2.Dft(k, kc, DftFlags.ComplexOutput);
        var spec = kc.AsSpan<float>();
        using var ak = new Mat(h, w, MatType.CV_32FC2);
        using var ai = new Mat(h, w, MatType.CV_32FC2);
        var a = ak.AsSpan<float>();
        var e = ai.AsSpan<float>();
        for (int fy = 0; fy < h; fy++)
        {
            double cy = 2 - 2 * Math.Cos(2 * Math.PI * fy / h);
            for (int fxx = 0; fxx < w; fxx++)
            {
                int f = fy * w + fxx;
                double cx = 2 - 2 * Math.Cos(2 * Math.PI * fxx / w);
                float kr = spec[2 * f], ki = spec[2 * f + 1];
                float den = (float)(mu * (kr * kr + ki * ki) + beta * (cx + cy) + gamma);
                a[2 * f] = kr / den;
                a[2 * f + 1] = -ki / den;
                e[2 * f] = 1 / den;
                e[2 * f + 1] = 0;
            }
        }
        using var tmp = new Mat();
        Cv2.Idft(ak, tmp, DftFlags.Scale | DftFlags.RealOutput);
        Cv2.Dft(tmp, aK);
        Cv2.Idft(ai, tmp, DftFlags.Scale | DftFlags.RealOutput);
        Cv2.Dft(tmp, aI);
    }
}
