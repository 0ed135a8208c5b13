using OpenCvSharp;
using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Richardson–Lucy with the saturation-aware forward model of Whyte et al. (2014): the prediction
/// passes through a smooth clip at the saturation level, so clipped pixels stop driving the update.
/// </summary>
/// <param name="Iterations">Number of iterations (default 30).</param>
public sealed class RichardsonLucyDeconvolver(int Iterations = 30) : IDeconvolver
{
    /// <inheritdoc />
    public string Name => "rl";

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        var p = new PaddedPlane(plane, context.Saturated, width, height, kernel.Size + 8);
        return p.Crop(Run(p, p.Data, kernel, context, Iterations));
    }

    /// <summary>Runs the iterations on a padded plane from <paramref name="start"/>; returns the padded-grid estimate.</summary>
    internal static float[] Run(PaddedPlane p, float[] start, BlurKernel kernel, ChannelContext context, int iterations)
    {
        using var fft = new FftWorkspace(p.H, p.W);
        using var k = fft.PackedOtf(kernel);
        const float eps = 1e-4f;
        float s = (float)context.SaturationLinear;
        // Smooth clip sharpness: a few percent of the saturation level wide.
        float a = 50f / Math.Max(s, 1e-3f);
        var b = p.Data.Select(v => Math.Max(v, eps)).ToArray();
        var x = start.Select(v => Math.Max(v, eps)).ToArray();
        var y = new float[x.Length];
        var ratio = new float[x.Length];
        var c = new float[x.Length];
        using var xm = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, x);
        using var ym = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, y);
        using var rm = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, ratio);
        using var cm = Mat.FromPixelData(p.H, p.W, MatType.CV_32FC1, c);
        for (int it = 0; it < iterations; it++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            fft.Convolve(xm, k, ym);
            for (int i = 0; i < y.Length; i++)
            {
                float yi = Math.Max(y[i], eps);
                float arg = a * (yi - s);
                if (arg < -20f) { ratio[i] = b[i] / yi; continue; } // far below saturation: plain RL
                // R(z) = z − log(1 + e^{a(z−s)})/a ≈ min(z, s); R'(z) = 1 / (1 + e^{a(z−s)}).
                float e = MathF.Exp(Math.Min(arg, 60f));
                float r = yi - MathF.Log(1 + e) / a;
                float dr = 1 / (1 + e);
                ratio[i] = b[i] * dr / Math.Max(r, eps) + 1 - dr;
            }
            fft.Convolve(rm, k, cm, adjoint: true);
            for (int i = 0; i < x.Length; i++) x[i] = Math.Max(x[i] * c[i], 0);
        }
        return x;
    }
}
