using EventDeblur.Deconvolution;
using EventDeblur.Imaging;

namespace EventDeblur.Tests.Review;

/// <summary>Proofs of stop 50's review (/work/review50-FINDINGS.md), kept as regression tests after the mends.</summary>
public class Stop50ReviewTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int W = 48, H = 40;

    /// <summary>
    /// Finding: ChromaMedian decides "clipped" by value ≥ the saturation level, but the deconvolvers' own clip (ForDeconvolution,
    /// Encoding.UncertainFromLinear) starts 2^-10 of the level below it for float frames (half-float EXR: a 65000 level is stored
    /// 64992) and 1.5 codes below it for integer frames. A light clipped at the half-float value is masked for the deconvolvers
    /// but filtered by the chroma median: it turns grey and its rim loses its colour - stop 50's bug, back for EXR frames.
    /// </summary>
    [Fact]
    public void AFloatFramesClippedLightJustUnderTheLevelIsTreatedAsClippedByTheChromaMedian()
    {
        // A float frame, level 0.99 of white: what the deconvolvers count as clipped starts at 0.99·(1 − 2^-10).
        var enc = new LinearImage.Encoding(PixelEncoding.Linear, 0, 1, 0.99, LinearImage.FloatDepth);
        float sat = (float)enc.SaturationLinear;
        float core = (float)(0.99 * (1 - 1.0 / 2048));   // half a half-float step under the level: a clipped light of a half EXR
        Assert.True(core >= enc.UncertainFromLinear && core < sat);
        var (coreChanged, coreMin, rimIn, rimOut) = LightThroughChromaMedian(enc, core, (0.8f, 0.45f, 0.15f), (0.05f, 0.06f, 0.08f));
        output.WriteLine($"core values changed: {coreChanged} of 147, lowest {coreMin:F4} (clip {core:F4}); rim chroma {rimIn:F3} -> {rimOut:F3}");
        Assert.Equal(0, coreChanged);
        Assert.True(rimOut >= 0.7 * rimIn, $"rim chroma {rimIn:F3} -> {rimOut:F3}");
    }

    /// <summary>
    /// A 7×7 light at <paramref name="core"/> in every channel, ringed by a 2-px rim of colour <paramref name="rim"/>, on
    /// <paramref name="background"/>, read in <paramref name="enc"/>'s clip (the deconvolvers must see the whole core as
    /// clipped), through the chroma median: how many core values it changed and the lowest, and the rim's mean chroma
    /// before and after.
    /// </summary>
    internal static (int CoreChanged, float CoreMin, double RimIn, double RimOut) LightThroughChromaMedian(LinearImage.Encoding enc, float core,
        (float R, float G, float B) rim, (float R, float G, float B) background)
    {
        var planes = Enumerable.Range(0, 3).Select(_ => new float[W * H]).ToArray();
        static int Ring(int x, int y) => Math.Max(Math.Abs(x - 24) - 3, Math.Abs(y - 20) - 3);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x, d = Ring(x, y);
                (planes[0][i], planes[1][i], planes[2][i]) = d <= 0 ? (core, core, core) : d <= 2 ? rim : background;
            }
        var img = new LinearImage(W, H, planes).ForDeconvolution(enc);
        Assert.Equal(49, Enumerable.Range(0, W * H).Count(i => img.Saturated[0][i]));   // the deconvolvers see the 7×7 core as clipped
        var r = ChromaMedian.Apply(img, 5, enc.SaturationLinear);
        static double Chroma(LinearImage im, int i) => new[] { 0, 1, 2 }.Max(c => im.Planes[c][i]) - new[] { 0, 1, 2 }.Min(c => im.Planes[c][i]);
        double rimIn = 0, rimOut = 0;
        int n = 0, coreChanged = 0;
        float coreMin = float.MaxValue;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x, d = Ring(x, y);
                if (d is >= 1 and <= 2) { rimIn += Chroma(img, i); rimOut += Chroma(r, i); n++; }
                if (d <= 0) for (int c = 0; c < 3; c++) { if (r.Planes[c][i] != core) coreChanged++; coreMin = Math.Min(coreMin, r.Planes[c][i]); }
            }
        return (coreChanged, coreMin, rimIn / n, rimOut / n);
    }
}
