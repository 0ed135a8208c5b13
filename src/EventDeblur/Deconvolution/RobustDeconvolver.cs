using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="RobustDeconvolver"/>. All strengths are in units of the local noise, so one set of defaults holds from bright to dark frames.</summary>
/// <param name="PriorWeight">λ: weight of the total-variation prior on gradients measured in local noise σ (dimensionless).</param>
/// <param name="Iterations">ADMM iterations (each: two forward and two inverse real DFTs).</param>
/// <param name="DataPenalty">μ: ADMM penalty of the split z = K⊛x, relative to a data weight of 1 (one noise σ).</param>
/// <param name="GradientPenalty">β: ADMM penalty of the split u = ∇x.</param>
/// <param name="PositivityPenalty">γ: ADMM penalty of the split v = x (v ≥ 0: radiance is never negative).</param>
/// <param name="MaxWeightRatio">Cap on a pixel's data weight relative to the frame's median-signal pixel (dark pixels with almost no read noise would otherwise dominate).</param>
/// <param name="LightInitIterations">Saturation-aware Richardson–Lucy iterations that place the energy of clipped lights before ADMM starts (only when the plane has clipped pixels; 0 = Wiener-type start everywhere).</param>
/// <param name="SaturatedPriorRadiusPx">Pixels within this distance of a clipped pixel carry no gradient prior (a light's latent spot is far brighter than its surround, a total-variation prior would smear it); −1 = prior everywhere.</param>
public sealed record RobustDeconvolverOptions(
    double PriorWeight = 0.5,
    int Iterations = 12,
    double DataPenalty = 0.1,
    double GradientPenalty = 0.05,
    double PositivityPenalty = 0.05,
    double MaxWeightRatio = 16,
    int LightInitIterations = 30,
    int SaturatedPriorRadiusPx = -1)
{
    /// <summary>Throws when a value is out of range.</summary>
    public RobustDeconvolverOptions Validated()
    {
        if (!(PriorWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(PriorWeight), PriorWeight, "must be ≥ 0");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "must be ≥ 1");
        if (!(DataPenalty > 0) || !(GradientPenalty > 0) || !(PositivityPenalty > 0)) throw new ArgumentException("ADMM penalties must be > 0");
        if (LightInitIterations < 0) throw new ArgumentOutOfRangeException(nameof(LightInitIterations), LightInitIterations, "must be ≥ 0");
        if (SaturatedPriorRadiusPx < -1) throw new ArgumentOutOfRangeException(nameof(SaturatedPriorRadiusPx), SaturatedPriorRadiusPx, "must be ≥ −1");
        if (!(MaxWeightRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(MaxWeightRatio), MaxWeightRatio, "must be ≥ 1");
        return this;
    }

    /// <summary>A gentler variant: the prior <paramref name="factor"/> times stronger.</summary>
    public RobustDeconvolverOptions Gentler(double factor) => this with { PriorWeight = PriorWeight * factor };
}

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
public sealed class RobustDeconvolver : IGentleDeconvolver
{
    /// <summary>Creates the deconvolver with <paramref name="options"/> (defaults when null).</summary>
    public RobustDeconvolver(RobustDeconvolverOptions? options = null) => Options = (options ?? new RobustDeconvolverOptions()).Validated();

    /// <summary>The options in use.</summary>
    public RobustDeconvolverOptions Options { get; }

    /// <inheritdoc />
    public string Name => "robust";

    /// <summary>Factor by which <see cref="Gentler"/> strengthens the prior.</summary>
    public const double GentleFactor = 4;

    /// <summary>The same deconvolver with a <see cref="GentleFactor"/> times stronger prior.</summary>
    public IDeconvolver Gentler() => new RobustDeconvolver(Options.Gentler(GentleFactor));

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        var model = NoiseModelEstimator.Estimate(plane, width, height, context.Saturated);
        return Deconvolve(plane, width, height, kernel, context, model);
    }

    /// <summary>As <see cref="Deconvolve(float[], int, int, BlurKernel, ChannelContext)"/> with a known noise model of the plane.</summary>
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model)
    {
        if (plane.Length != width * height) throw new ArgumentException($"plane has {plane.Length} values, expected {width}×{height}");
        var o = Options;
        int pad = kernel.Size + 8;
        int gw = Cv2.GetOptimalDFTSize(width + 2 * pad), gh = Cv2.GetOptimalDFTSize(height + 2 * pad);
        int n = gw * gh;
        double sat = context.SaturationLinear;

        // Signal estimate for the noise model: the blurry plane smoothed a little, clipped to the saturation level.
        var smooth = NoiseModelEstimator.BoxMean(plane, width, height, 1);
        var unsat = new List<float>(plane.Length);
        for (int i = 0; i < plane.Length; i++) if (!context.Saturated[i]) unsat.Add(smooth[i]);
        unsat.Sort();
        double median = unsat.Count > 0 ? unsat[unsat.Count / 2] : 0.5 * sat;
        double v0 = model.Variance(median);
        double sigma0 = Math.Sqrt(v0);
        float inv0 = (float)(1 / sigma0);

        // Padded grid in noise units: the frame at (pad, pad), reflected borders tapered to the mean.
        var b = new float[n];
        var omega = new float[n];   // data weight (0 = no data term)
        var prior = new float[n];   // λ·σ₀/σ_i
        var isSat = new bool[n];
        double mean = 0;
        for (int i = 0; i < plane.Length; i++) mean += Math.Min(plane[i], sat);
        mean /= Math.Max(1, plane.Length);
        float maxW = (float)o.MaxWeightRatio;
        for (int y = 0; y < gh; y++)
        {
            int sy = PaddedPlane.Reflect(y - pad, height);
            double wy = PaddedPlane.Taper(y - pad, height, gh - height);
            for (int gx = 0; gx < gw; gx++)
            {
                int sx = PaddedPlane.Reflect(gx - pad, width);
                double wx = PaddedPlane.Taper(gx - pad, width, gw - width);
                int si = sy * width + sx, gi = y * gw + gx;
                double raw = plane[si];
                b[gi] = (float)((mean + (raw - mean) * wx * wy) * inv0);
                double sig = Math.Min(Math.Max(smooth[si], 0), sat);
                float w = (float)Math.Min(v0 / model.Variance(sig), maxW);
                prior[gi] = (float)(o.PriorWeight * Math.Sqrt(w));
                bool inside = y >= pad && y < pad + height && gx >= pad && gx < pad + width;
                isSat[gi] = inside && context.Saturated[si];
                omega[gi] = inside && !context.Saturated[si] ? w : 0;
            }
        }
        // A clipped pixel's blurred radiance is at least the saturation level, less one noise σ there.
        float satLow = (float)((sat - model.Sigma(sat)) * inv0);

        float mu = (float)o.DataPenalty, beta = (float)o.GradientPenalty, gamma = (float)o.PositivityPenalty;
        using var k = KernelGrid(kernel, gh, gw);
        using var kPacked = new Mat();
        Cv2.Dft(k, kPacked);
        using var aK = new Mat();     // conj(K)/den, packed
        using var aI = new Mat();     // 1/den, packed
        BuildFilters(k, gh, gw, mu, beta, gamma, aK, aI);

        var x = new float[n];
        var kx = new float[n];
        var z = (float[])b.Clone();
        var d1 = new float[n];
        var ux = new float[n];
        var uy = new float[n];
        var d2x = new float[n];
        var d2y = new float[n];
        var v = new float[n];
        var d3 = new float[n];
        var rz = new float[n];
        var rq = new float[n];
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
            BackgroundFloor(b, isSat, gh, gw, kernel.Size, floor);
            // Under a clipped streak the prior is set by the scene around it (the clip level says nothing about it),
            // so stray energy left between the light's spot and its surround is smoothed away.
            for (int i = 0; i < n; i++)
                if (isSat[i])
                    prior[i] = (float)(o.PriorWeight * Math.Sqrt(Math.Min(v0 / model.Variance(floor[i] * sigma0), o.MaxWeightRatio)));
        }
        if (anySat && o.SaturatedPriorRadiusPx >= 0)
        {
            var near = NoiseModelEstimator.Dilate(isSat, gw, gh, o.SaturatedPriorRadiusPx);
            for (int i = 0; i < n; i++) if (near[i]) prior[i] = 0;
        }
        if (anySat && o.LightInitIterations > 0)
        {
            // Clipped lights: a short saturation-aware RL places their energy; ADMM starts from it (z = K⊛x₀ on clipped pixels, u = ∇x₀, v = x₀).
            LightInit(b, isSat, omega, (float)(sat * inv0), kPacked, gh, gw, o.LightInitIterations, v, context.Cancellation);
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
                    ux[i] = v[row + (xx + 1) % gw] - v[i];
                    uy[i] = v[down + xx] - v[i];
                }
            }
        }
        else
        {
            for (int i = 0; i < n; i++) v[i] = Math.Max(b[i], 0);
        }

        for (int it = 0; it < o.Iterations; it++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            // x-step: (μKᵀK + βDᵀD + γI) x = μKᵀ(z − d1) + βDᵀ(u − d2) + γ(v − d3).
            for (int i = 0; i < n; i++) rz[i] = mu * (z[i] - d1[i]);
            for (int y = 0; y < gh; y++)
            {
                int row = y * gw, up = ((y - 1 + gh) % gh) * gw;
                for (int xx = 0; xx < gw; xx++)
                {
                    int i = row + xx, left = xx == 0 ? row + gw - 1 : i - 1, above = up + xx;
                    // Dᵀp[n] = p[n−1] − p[n] for the forward difference D.
                    float px = ux[left] - d2x[left] - (ux[i] - d2x[i]);
                    float py = uy[above] - d2y[above] - (uy[i] - d2y[i]);
                    rq[i] = beta * (px + py) + gamma * (v[i] - d3[i]);
                }
            }
            Cv2.Dft(rzM, fz);
            Cv2.Dft(rqM, fq);
            Cv2.MulSpectrums(fz, aK, fx, DftFlags.None);
            Cv2.MulSpectrums(fq, aI, fq, DftFlags.None);
            Cv2.Add(fx, fq, fx);
            Cv2.MulSpectrums(fx, kPacked, fk, DftFlags.None);
            Cv2.Idft(fx, xM, DftFlags.Scale | DftFlags.RealOutput);
            Cv2.Idft(fk, kxM, DftFlags.Scale | DftFlags.RealOutput);

            // z-step: weighted data term per pixel; clipped pixels only bound K⊛x from below.
            for (int i = 0; i < n; i++)
            {
                float t = kx[i] + d1[i];
                float zi = isSat[i] ? Math.Max(t, satLow) : (omega[i] * b[i] + mu * t) / (omega[i] + mu);
                z[i] = zi;
                d1[i] = t - zi;
            }
            // u-step: isotropic shrinkage with the local threshold λ(σ₀/σ_i)/β; v-step: projection on x ≥ 0.
            for (int y = 0; y < gh; y++)
            {
                int row = y * gw, down = ((y + 1) % gh) * gw;
                for (int xx = 0; xx < gw; xx++)
                {
                    int i = row + xx;
                    float gx = x[xx == gw - 1 ? row : i + 1] - x[i], gy = x[down + xx] - x[i];
                    float tx = gx + d2x[i], ty = gy + d2y[i];
                    float mag = MathF.Sqrt(tx * tx + ty * ty);
                    float thr = prior[i] / beta;
                    float s = mag > thr ? 1 - thr / mag : 0;
                    ux[i] = s * tx;
                    uy[i] = s * ty;
                    d2x[i] = tx - ux[i];
                    d2y[i] = ty - uy[i];
                    float tv = x[i] + d3[i];
                    float vi = Math.Max(tv, floor[i]);
                    v[i] = vi;
                    d3[i] = tv - vi;
                }
            }
        }

        var result = new float[width * height];
        float scale = (float)sigma0;
        for (int y = 0; y < height; y++)
        {
            int src = (y + pad) * gw + pad;
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
                double num = 0, den = 0;
                for (int i = 0; i < n; i++) { num += g1[i] * g2[i]; den += g2[i] * g2[i]; }
                alpha = den > 0 ? (float)Math.Clamp(num / den, 0, 0.95) : 0;
            }
            for (int i = 0; i < n; i++)
            {
                pred[i] = Math.Max(x[i] + alpha * (x[i] - prev[i]), eps);
                prev[i] = x[i];
            }
            Cv2.Dft(pM, spec);
            Cv2.MulSpectrums(spec, kPacked, spec, DftFlags.None);
            Cv2.Idft(spec, yM, DftFlags.Scale | DftFlags.RealOutput);
            for (int i = 0; i < n; i++)
            {
                if (omega[i] <= 0 && !isSat[i]) { ratio[i] = 1; continue; }
                float yi = Math.Max(y[i], eps), bi = Math.Max(b[i], eps);
                float arg = a * (yi - sat);
                if (arg < -20f) { ratio[i] = bi / yi; continue; }
                // R(z) = z − log(1 + e^{a(z−s)})/a ≈ min(z, s); R'(z) = 1 / (1 + e^{a(z−s)}).
                float e = MathF.Exp(Math.Min(arg, 60f));
                float r = yi - MathF.Log(1 + e) / a;
                float dr = 1 / (1 + e);
                ratio[i] = bi * dr / Math.Max(r, eps) + 1 - dr;
            }
            Cv2.Dft(rM, spec);
            Cv2.MulSpectrums(spec, kPacked, spec, DftFlags.None, conjB: true);
            Cv2.Idft(spec, yM, DftFlags.Scale | DftFlags.RealOutput);
            for (int i = 0; i < n; i++)
            {
                float xi = Math.Max(pred[i] * y[i], 0);
                g2[i] = g1[i];
                g1[i] = xi - pred[i];
                x[i] = xi;
            }
        }
    }

    /// <summary>
    /// The scene around clipped regions, filled into them: a normalised box average of the blurry plane over pixels
    /// farther than half a kernel from any clipped pixel (so the streaks' bright flanks do not count), written to
    /// <paramref name="floor"/> within two pixels of clipped pixels and 0 elsewhere.
    /// </summary>
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

    /// <summary>The kernel on an h×w grid with its centre at (0, 0) (circular), as a real Mat.</summary>
    private static Mat KernelGrid(BlurKernel kernel, int h, int w)
    {
        if (kernel.Size > h || kernel.Size > w) throw new ArgumentException($"kernel {kernel.Size} px does not fit a {w}×{h} grid");
        var m = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        var s = m.AsSpan<float>();
        int c = kernel.Center;
        for (int i = 0; i < kernel.Size; i++)
            for (int j = 0; j < kernel.Size; j++)
                s[((i - c + h) % h) * w + (j - c + w) % w] += kernel[i, j];
        return m;
    }

    /// <summary>
    /// The x-step filters conj(K)/den and 1/den with den = μ|K|² + β(|Dx|² + |Dy|²) + γ, in OpenCV's packed
    /// real-spectrum layout. Both are spectra of real signals, so they are formed in full complex form, taken back
    /// to the (real) spatial domain and transformed again with the packed real DFT.
    /// </summary>
    private static void BuildFilters(Mat k, int h, int w, float mu, float beta, float gamma, Mat aK, Mat aI)
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
