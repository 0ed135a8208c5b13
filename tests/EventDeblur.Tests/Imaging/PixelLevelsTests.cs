using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Tests.Imaging;

/// <summary>
/// RECORDING_FORMAT.md (<c>rgb.encoding</c>) and METRICS.md (step 1): a non-linear frame is brought to linear radiance
/// as <c>(v − black) / (white − black)</c> after undoing its curve. Stop 48's contract audit found the levels taken off
/// before the curve: on a 16-bit sRGB frame with black 4096 the tool's blurry PSNR was 21.38 dB where the contract's
/// order gives 19.87, and the deconvolvers got the wrong radiance.
/// </summary>
public class PixelLevelsTests
{
    private static readonly double[] Radiance = [0, 0.001, 0.02, 0.18, 0.5, 0.93, 1];

    [Theory]
    [InlineData("srgb")]
    [InlineData("gamma:2.2")]
    public void ANonLinearFrameWithABlackLevelIsUndoneCurveFirst(string encoding)
    {
        var curve = PixelEncoding.Parse(encoding);
        const double Black = 4096, White = 65535;
        // Written the contract's way: the black level added in linear units, then the curve over the white level.
        using var raw = new Mat(1, Radiance.Length, MatType.CV_16UC1);
        for (int i = 0; i < Radiance.Length; i++)
            raw.Set(0, i, (ushort)Math.Round(White * curve.FromLinear((Black + Radiance[i] * (White - Black)) / White)));
        var img = LinearImage.FromRaw(raw, curve, Black, White, 65535);
        for (int i = 0; i < Radiance.Length; i++)
            Assert.Equal(Radiance[i], img.Planes[0][i], 3e-4);   // one 16-bit code at the dark end of the curve
        // The other order (levels, then the curve) would read the mid grey 0.18 as 0.20 or more.
        Assert.True(curve.ToLinear((raw.At<ushort>(0, 3) - Black) / (White - Black)) - 0.18 > 0.02);
        // And back: each raw value again, to the code.
        using var back = img.ToRaw(new LinearImage.Encoding(curve, Black, White, 65535, 16));
        for (int i = 0; i < Radiance.Length; i++) Assert.Equal(raw.At<ushort>(0, i), back.At<ushort>(0, i));
    }

    [Fact]
    public void WithoutABlackLevelTheTwoOrdersAgree()
    {
        var srgb = PixelEncoding.Parse("srgb");
        foreach (double v in new[] { 0.0, 17, 128, 254, 255 })
            Assert.Equal(srgb.ToLinear(v / 255), LinearImage.RawToLinear(srgb, 0, 255, v));
        // Linear frames: the levels alone, unclipped (a restored light above white is kept).
        Assert.Equal(1.5, LinearImage.RawToLinear(PixelEncoding.Linear, 1000, 3000, 4000));
    }

    /// <summary>
    /// The output keeps the input's encoding: 12-bit data in 16-bit PNGs (white 4095) is written within [0, 4095], as
    /// 16-bit data is within [0, 65535] (stop 48's contract audit: a restored light above white was written up to 65535,
    /// 16× white, at white 4095, where at white 65535 it was clipped).
    /// </summary>
    [Fact]
    public void OutputsAreClippedAtTheWhiteLevel()
    {
        var img = new LinearImage(3, 1, [[0.5f, 1f, 3f]]);
        using var twelve = img.ToRaw(new LinearImage.Encoding(PixelEncoding.Linear, 0, 4095, 4095, 16));
        Assert.Equal([2048, 4095, 4095], new[] { twelve.At<ushort>(0, 0), twelve.At<ushort>(0, 1), twelve.At<ushort>(0, 2) }.Select(v => (int)v));
        using var sixteen = img.ToRaw(new LinearImage.Encoding(PixelEncoding.Linear, 0, 65535, 65535, 16));
        Assert.Equal([32768, 65535, 65535], new[] { sixteen.At<ushort>(0, 0), sixteen.At<ushort>(0, 1), sixteen.At<ushort>(0, 2) }.Select(v => (int)v));
    }
}
