using OpenCvSharp;
using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Half-quadratic splitting with a hyper-Laplacian gradient prior (Krishnan &amp; Fergus 2009,
/// |∇x|^α, α = 2/3 by default): a closed-form FFT x-step alternating with a per-pixel shrinkage
/// w-step, β raised by 2√2 from 1 to 256. Saturated and border pixels are outliers (as in Cho et al.
/// 2011): the data term only sees valid pixels; the others are filled with the current prediction
/// K ⊛ x before each x-step. It starts from the saturation-aware Richardson–Lucy estimate (which
/// recovers the energy of clipped lights) and works at a scale where the unsaturated content spans
/// about [0, 1], because the prior is not scale-invariant. λ follows the noise: λ = <paramref name="LambdaScale"/> / σ²
/// (σ at that scale).
/// </summary>
/// <param name="Alpha">Prior exponent in (0, 2]; 2/3 by default, 1 = total variation.</param>
/// <param name="LambdaScale">λ·σ², the data weight relative to the noise variance.</param>
/// <param name="InnerIterations">x/w alternations per β.</param>
public sealed class HyperLaplacianDeconvolver(double Alpha = 2.0 / 3, double LambdaScale = 0.1, int InnerIterations = 2) : IDeconvolver
{
    /// <inheritdoc />
    public string Name => "hl";

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        // The hyper-Laplacian prior is not scale-invariant: work at a scale where the unsaturated content spans ≈ [0, 1].
        double sigma = context.NoiseSigma ?? NoiseEstimator.Sigma(plane, width, height, context.Saturated);
        float scale = ContentScale(plane, width, height, context.Saturated, kernel.Size);
        var scaled = plane.Select(v => v / scale).ToArray();
        var ctx = context with { SaturationLinear = context.SaturationLinear / scale, NoiseSigma = sigma / scale };
        var x = Refine(scaled, width, height, kernel, ctx);
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
        return x;
    }

    /// <summary>Project each x-step onto non-negative radiance (undershoots next to clipped lights would otherwise turn into black holes).</summary>
    public bool NonNegative { get; init; } = true;

    /// <summary>Richardson–Lucy iterations used to initialise the splitting.</summary>
    public int InitIterations { get; init; } = 60;

    /// <summary>
    /// The 99th percentile of the scene's unsaturated values. Pixels within a kernel's reach of a clipped pixel are
    /// left out: they are the bright flanks of light streaks, which in a frame crowded with lights would otherwise
    /// set the scale instead of the scene (falls back to all unsaturated pixels when too few remain).
    /// </summary>
    internal static float ContentScale(float[] plane, int width, int height, bool[] saturated, int kernelSize)
    {
        var near = new bool[plane.Length];
        using (var sat = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0)))
        {
            var s = sat.AsSpan<byte>();
            for (int i = 0; i < plane.Length; i++) s[i] = saturated[i] ? (byte)255 : (byte)0;
            int r = kernelSize / 2 + 2;
            using var se = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * r + 1, 2 * r + 1));
            Cv2.Dilate(sat, sat, se);
            s = sat.AsSpan<byte>();
            for (int i = 0; i < plane.Length; i++) near[i] = s[i] != 0;
        }
        var v = plane.Where((_, i) => !near[i]).ToArray();
        if (v.Length < plane.Length / 10) v = plane.Where((_, i) => !saturated[i]).ToArray();
        if (v.Length == 0) return 1;
        Array.Sort(v);
        return Math.Max(v[(int)(0.99 * (v.Length - 1))], 1e-3f);
    }

    private float[] Refine(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        var p = new PaddedPlane(plane, context.Saturated, width, height, kernel.Size + 8);
        int n = p.W * p.H;
        // Start from the saturation-aware Richardson–Lucy estimate, which already recovers clipped lights.
        var x = RichardsonLucyDeconvolver.Run(p, p.Data, kernel, context, InitIterations);
        double sigma = context.NoiseSigma!.Value;
        float lambda = (float)(LambdaScale / (sigma * sigma));
        using var fft = new FftWorkspace(p.H, p.W);
        using var k = fft.Otf(kernel);
        using var kPacked = fft.PackedOtf(kernel);
        using var dx = fft.DiffOtf(true);
        using var dy = fft.DiffOtf(false);
        // Denominator λ|K|² + β(|Dx|² + |Dy|²), as two identical channels so complex spectra divide by it elementwise.
        var kPow = Spectral.Power(Spectral.Otf(kernel, p.H, p.W));
        var dPow = Spectral.Power(Spectral.DiffOtf(p.H, p.W, true));
        var dyPow = Spectral.Power(Spectral.DiffOtf(p.H, p.W, false));
        for (int i = 0; i < dPow.Length; i++) dPow[i] += dyPow[i];
        var den = new float[2 * n];
        using var denM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC2, den);
        var bFill = new float[n];
        var pred = new float[n];
        var wx = new float[n];
        var wy = new float[n];
        using var xM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, x);
        using var bM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, bFill);
        using var predM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, pred);
        using var wxM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, wx);
        using var wyM = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, wy);
        using var num = fft.NewComplex();
        using var tmp = fft.NewComplex();
        float alpha = (float)Alpha;
        // Robust data term (Cho et al. 2011): pixels the model cannot explain — beyond ~3σ of the
        // prediction, with σ growing with the signal (shot noise) — are down-weighted like outliers.
        var weight = (float[])p.Mask.Clone();
        var valid = p.Data.Where((_, i) => p.Mask[i] > 0).OrderBy(v => v).ToArray();
        float median = valid.Length > 0 ? Math.Max(valid[valid.Length / 2], 1e-4f) : 1;
        var sigma2 = new float[n];
        for (int i = 0; i < n; i++) sigma2[i] = (float)(sigma * sigma * Math.Max(1, p.Data[i] / median));
        for (double beta = 1; beta <= 256; beta *= 2 * Math.Sqrt(2))
        {
            float bt = (float)beta;
            for (int f = 0; f < n; f++) den[2 * f] = den[2 * f + 1] = lambda * kPow[f] + bt * dPow[f];
            for (int inner = 0; inner < InnerIterations; inner++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                // w-step: generalised shrinkage of the gradients.
                float tau = 1 / bt;
                for (int y = 0; y < p.H; y++)
                {
                    int row = y * p.W, down = ((y + 1) % p.H) * p.W;
                    for (int xx = 0; xx < p.W; xx++)
                    {
                        int i = row + xx;
                        float gx = x[row + (xx + 1) % p.W] - x[i];
                        float gy = x[down + xx] - x[i];
                        wx[i] = Shrink(gx, tau, alpha);
                        wy[i] = Shrink(gy, tau, alpha);
                    }
                }
                // Outliers (saturated, border, unexplained): fill the data with the current prediction.
                fft.Convolve(xM, kPacked, predM);
                for (int i = 0; i < n; i++)
                {
                    if (p.Mask[i] > 0)
                    {
                        float r = pred[i] - p.Data[i];
                        float t = r * r / (9 * sigma2[i]);
                        weight[i] = t <= 1 ? 1 : 1 / (t * t);
                    }
                    bFill[i] = weight[i] * p.Data[i] + (1 - weight[i]) * pred[i];
                }

                // x-step in closed form: (λ conj(K) B + β (conj(Dx) WX + conj(Dy) WY)) / den.
                fft.AdjointSpectrum(bM, k, num, accumulate: false);
                Cv2.Multiply(num, Scalar.All(lambda), num);
                fft.AdjointSpectrum(wxM, dx, tmp, accumulate: false);
                fft.AdjointSpectrum(wyM, dy, tmp, accumulate: true);
                Cv2.ScaleAdd(tmp, bt, num, num);
                Cv2.Divide(num, denM, num);
                Cv2.Idft(num, xM, DftFlags.Scale | DftFlags.RealOutput);
                if (NonNegative) Cv2.Max(xM, 0, xM);
            }
        }
        return p.Crop(x);
    }

    /// <summary>Generalised p-shrinkage (Chartrand), the proximal step of |w|^α with weight 1/β.</summary>
    private static float Shrink(float v, float tau, float alpha)
    {
        float a = Math.Abs(v);
        if (a == 0) return 0;
        float t = alpha >= 1 ? tau : MathF.Pow(tau, 2 - alpha) * MathF.Pow(a, alpha - 1);
        return a > t ? MathF.Sign(v) * (a - t) : 0;
    }
}
