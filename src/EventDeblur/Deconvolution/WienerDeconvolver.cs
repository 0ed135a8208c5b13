using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Wiener filter with a natural-image spectrum: the signal power falls as 1/|f|², so the
/// noise-to-signal ratio is σ²·|D(f)|² / E|∇b|² (D the gradient operators). DC passes unchanged, so
/// flat regions stay flat and energy is preserved.
/// </summary>
public sealed class WienerDeconvolver : IDeconvolver
{
    /// <inheritdoc />
    public string Name => "wiener";

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        var p = new PaddedPlane(plane, context.Saturated, width, height, kernel.Size + 8);
        double sigma = context.NoiseSigma ?? NoiseEstimator.Sigma(plane, width, height, context.Saturated);
        double grad = 0;
        for (int y = 0; y < height - 1; y++)
            for (int c = 0; c < width - 1; c++)
            {
                double gx = plane[y * width + c + 1] - plane[y * width + c], gy = plane[(y + 1) * width + c] - plane[y * width + c];
                grad += gx * gx + gy * gy;
            }
        grad /= Math.Max(1, (width - 1) * (height - 1));
        float nsr = (float)(sigma * sigma / Math.Max(grad, 1e-12));
        var k = Spectral.Otf(kernel, p.H, p.W);
        var d = Spectral.Power(Spectral.DiffOtf(p.H, p.W, true));
        var dy = Spectral.Power(Spectral.DiffOtf(p.H, p.W, false));
        var b = Spectral.Forward(p.Data, p.H, p.W);
        var x = new float[b.Length];
        for (int f = 0; f < d.Length; f++)
        {
            int i = 2 * f;
            float kr = k[i], ki = k[i + 1];
            float den = kr * kr + ki * ki + nsr * (d[f] + dy[f]);
            if (den <= 0) continue;
            // conj(K)·B / (|K|² + NSR(f))
            x[i] = (kr * b[i] + ki * b[i + 1]) / den;
            x[i + 1] = (kr * b[i + 1] - ki * b[i]) / den;
        }
        return p.Crop(Spectral.InverseReal(x, p.H, p.W));
    }
}
