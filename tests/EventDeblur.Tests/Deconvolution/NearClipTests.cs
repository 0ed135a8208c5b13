using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using OpenCvSharp;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// Pixels one code below the saturation level are within the noise of it (stop 44's trial: APS frames exposed 0.5–1.5 s,
/// white almost everywhere, came out 2–6 dB below the input, every deconvolver digging dark holes around the few pixels at
/// 254 among clipped ones).
/// </summary>
public class NearClipTests
{
    private const int W = 120, H = 90;

    /// <summary>An 8-bit gray APS-like frame: 255 everywhere but 6 % of pixels at 254, as a long exposure of a bright scene gives.</summary>
    private static LinearImage NearlyWhite(out LinearImage.Encoding enc)
    {
        var rng = new Random(44);
        using var raw = new Mat(H, W, MatType.CV_8UC1, Scalar.All(255));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (rng.NextDouble() < 0.06) raw.Set(y, x, (byte)254);
        enc = new LinearImage.Encoding(PixelEncoding.Linear, 0, 255, 255, 8);
        return LinearImage.FromRaw(raw, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
    }

    private static BlurKernel Line() => KernelRaster.FromOffsets(Enumerable.Range(0, 60).Select(i => (X: -7 + 14.0 * i / 59, Y: -3 + 6.0 * i / 59)).ToArray());

    [Fact]
    public void OneCodeBelowTheClipCountsAsClippedForTheDeconvolversOnly()
    {
        var blurry = NearlyWhite(out var enc);
        int at254 = blurry.Planes[0].Count(v => v < 1);
        Assert.InRange(at254, 400, 900);
        var forDeconvolution = blurry.ForDeconvolution(enc);
        Assert.All(forDeconvolution.Saturated[0], Assert.True);
        Assert.Same(blurry.Planes, forDeconvolution.Planes);
        // The contract's mask (what the metrics use) is unchanged: 254 is below the saturation level.
        Assert.Equal(W * H - at254, blurry.Saturated[0].Count(s => s));
        // 16-bit frames: the one code below the level counts, the one below that does not; floats: since stop 47 one
        // half-float step (2^-10 of the level), so a half EXR's 64992 for a stated 65000 counts (stop 47's trial).
        var enc16 = new LinearImage.Encoding(PixelEncoding.Linear, 0, 65535, 65000, 16);
        Assert.InRange(enc16.UncertainFromLinear * 65535, 64998.4, 64998.6);
        double floatFrom = (enc16 with { Depth = LinearImage.FloatDepth }).UncertainFromLinear * 65535;
        Assert.InRange(floatFrom, 64936.5, 64936.6);
        Assert.True(64992 >= floatFrom);
        var unit = new LinearImage.Encoding(PixelEncoding.Linear, 0, 1, 0.99184, LinearImage.FloatDepth);
        Assert.True(0.9917 >= unit.UncertainFromLinear && 0.9918364 >= unit.UncertainFromLinear); // half's 0.9917, float32's plateau
        Assert.True(0.99 < unit.UncertainFromLinear);
    }

    [Fact]
    public void ANearlyWhiteFrameStaysWhiteInsteadOfGettingDarkHoles()
    {
        var blurry = NearlyWhite(out var enc);
        var tiles = new List<KernelTile> { new(0, 0, W, H, Line()) };
        var robust = new MethodCatalogueBuilder().Build().CreateDeconvolver("robust");
        // As the contract's mask has it, the pixels at 254 are exact data among clipped ones: the deconvolver digs holes.
        var before = TiledDeblurrer.Deblur(blurry, tiles, robust, enc.SaturationLinear);
        Assert.True(before.Planes[0].Min() < 0.95, $"expected dark holes without the band, darkest {before.Planes[0].Min():F3}");
        // With the band the frame carries no data below the clip, and nothing in it is darker than one code below white.
        var after = TiledDeblurrer.Deblur(blurry.ForDeconvolution(enc), tiles, robust, enc.SaturationLinear);
        Assert.True(after.Planes[0].Min() >= 254 / 255.0 - 1e-4, $"darkest pixel {after.Planes[0].Min() * 255:F1} of 255");
    }
}
