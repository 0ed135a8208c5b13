using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Imaging;

public class ChromaMedianTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int W = 48, H = 40;

    private static double Enc(float v) => TransferCurve.SrgbEncode(Math.Clamp(v, 0f, 1f));

    /// <summary>A gray step edge at x = 24 (0.05 → 0.4 linear) whose red channel steps one pixel early: a colour fringe.</summary>
    private static LinearImage FringedEdge()
    {
        var planes = Enumerable.Range(0, 3).Select(_ => new float[W * H]).ToArray();
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < 3; c++)
                    planes[c][y * W + x] = x >= (c == 0 ? 23 : 24) ? 0.4f : 0.05f;
        return new LinearImage(W, H, planes);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void RemovesAOnePixelColourFringeAndKeepsLuminance(int size)
    {
        var img = FringedEdge();
        var r = ChromaMedian.Apply(img, size);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x;
                double before = (Enc(img.Planes[0][i]) + Enc(img.Planes[1][i]) + Enc(img.Planes[2][i])) / 3;
                double after = (Enc(r.Planes[0][i]) + Enc(r.Planes[1][i]) + Enc(r.Planes[2][i])) / 3;
                // Luminance (mean of the encoded channels) is kept to float precision.
                Assert.True(Math.Abs(before - after) < 1e-5, $"({x},{y}): luminance {before:F6} → {after:F6}");
                // The fringe column was red-tinted; after the median its channels agree (a gray pixel of the same luminance).
                double spread = Math.Max(Math.Abs(Enc(r.Planes[0][i]) - Enc(r.Planes[1][i])), Math.Abs(Enc(r.Planes[2][i]) - Enc(r.Planes[1][i])));
                Assert.True(spread < 1e-5, $"({x},{y}): channels still differ by {spread:F6} in sRGB");
            }
        // Before, the fringe was 0.45 apart in sRGB units.
        Assert.True(Enc(img.Planes[0][23]) - Enc(img.Planes[1][23]) > 0.3);
    }

    [Fact]
    public void KeepsColouredRegionsAndFullScalePixels()
    {
        var planes = Enumerable.Range(0, 3).Select(_ => new float[W * H]).ToArray();
        for (int i = 0; i < W * H; i++)
        {
            int x = i % W;
            // Left: an orange surface; right: a clipped light recovered above full scale in red only.
            (planes[0][i], planes[1][i], planes[2][i]) = x < 24 ? (0.3f, 0.1f, 0.02f) : (2.5f, 0.6f, 0.3f);
        }
        var img = new LinearImage(W, H, planes);
        var r = ChromaMedian.Apply(img, 5);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < W * H; i++)
            {
                if (i % W >= 24) Assert.Equal(img.Planes[c][i], r.Planes[c][i]);                    // a channel ≥ 1: untouched
                else if (i % W < 21) Assert.Equal(img.Planes[c][i], r.Planes[c][i], 1e-5f);         // uniform colour: kept
            }
        Assert.NotSame(img.Planes[0], r.Planes[0]);
    }

    [Fact]
    public void GrayIsUnchangedAndOnlyThreeOrFivePixelWindowsAreAccepted()
    {
        var gray = new LinearImage(W, H, [new float[W * H]]);
        Assert.Same(gray, ChromaMedian.Apply(gray, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromaMedian.Apply(FringedEdge(), 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromaMedian.Apply(FringedEdge(), 0));
    }

    [Fact]
    public void TheTiledDeblurrerAppliesItOnlyWhenTheDeconvolverAsks()
    {
        var img = FringedEdge();
        // A blur kernel (the deconvolvers here ignore it): the filter follows a deconvolution.
        var tiles = new[] { new KernelTile(0, 0, W, H, KernelRaster.FromOffsets([(-1.0, 0.0), (1.0, 0.0)])) };
        var plain = TiledDeblurrer.Deblur(img, tiles, new IdentityDeconvolver(), 1.0);
        Assert.Equal(img.Planes[0], plain.Planes[0]);
        var asked = TiledDeblurrer.Deblur(img, tiles, new Smoothing(5), 1.0);
        var deconvolved = new LinearImage(W, H, img.Planes.Select(p => p.Select(v => v * 0.999f).ToArray()).ToArray());
        Assert.Equal(ChromaMedian.Apply(deconvolved, 5, 1.0, img).Planes[0], asked.Planes[0]);
        Assert.False(Enumerable.Range(0, 3).All(c => deconvolved.Planes[c].SequenceEqual(asked.Planes[c])));
        // Since stop 42 not with delta kernels only (no blur: nothing deconvolved whose fringes it would remove).
        var still = TiledDeblurrer.Deblur(img, [new KernelTile(0, 0, W, H, BlurKernel.Delta)], new Smoothing(5), 1.0);
        Assert.Equal(deconvolved.Planes[0], still.Planes[0]);
        // Through the do-no-harm guard, which forwards the wrapped deconvolver's request.
        Assert.Equal(5, new GuardedDeconvolver(new Smoothing(5)).ChromaMedianPx);
        Assert.Equal(0, new GuardedDeconvolver(new IdentityDeconvolver()).ChromaMedianPx);
    }

    private sealed class Smoothing(int px) : IChromaSmoothing
    {
        public string Name => "identity-smoothed";

        public int ChromaMedianPx => px;

        /// <summary>Changes every value a little (0.999×), as a deconvolution would: pixels equal to the input are kept by the filter.</summary>
        public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context) => plane.Select(v => v * 0.999f).ToArray();
    }

    /// <summary>
    /// Stop 50's trial: bundles that clip at 65000 of 65535 had every clipped pixel filtered (the filter spared full scale
    /// only), so clipped channels came out 12 % below the clip and coloured lights turned grey; a frame the guard gave back
    /// to its input was not its input; and the rims of coloured lights took the grey of their clipped cores.
    /// </summary>
    [Fact]
    public void ClippedPixelsUnchangedPixelsAndTheColourOfALightsRimAreKept()
    {
        const float Sat = 0.99f;
        var planes = new float[3][];
        for (int c = 0; c < 3; c++) planes[c] = new float[W * H];
        // A dim blue-grey background with a 7×7 clipped light (every channel at the clip) ringed by a 2-px orange rim.
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x;
                int d = Math.Max(Math.Abs(x - 24) - 3, Math.Abs(y - 20) - 3);   // 0 or less inside the core
                (planes[0][i], planes[1][i], planes[2][i]) = d <= 0 ? (Sat, Sat, Sat) : d <= 2 ? (0.8f, 0.45f, 0.15f) : (0.05f, 0.06f, 0.08f);
            }
        var img = new LinearImage(W, H, planes);
        var r = ChromaMedian.Apply(img, 5, Sat);
        static double Chroma(LinearImage im, int i) => new[] { 0, 1, 2 }.Max(c => im.Planes[c][i]) - new[] { 0, 1, 2 }.Min(c => im.Planes[c][i]);
        // The mean chroma of the rim, before and after.
        double RimChroma(LinearImage im)
        {
            double sum = 0;
            int count = 0;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    int d = Math.Max(Math.Abs(x - 24) - 3, Math.Abs(y - 20) - 3);
                    if (d is >= 1 and <= 2) { sum += Chroma(im, y * W + x); count++; }
                }
            return sum / count;
        }
        output.WriteLine($"rim chroma: input {RimChroma(img):F3}, filtered {RimChroma(r):F3}, with the clip at full scale {RimChroma(ChromaMedian.Apply(img, 5, 1.0)):F3}");
        // Stated tolerances: the rim keeps at least 70 % of its chroma (0.507 of 0.650: the median is over its unclipped
        // neighbours, the rim and the background, and a 2-px line loses its corners to any median); with the grey core in
        // the window it kept under 30 % (0.087).
        Assert.True(RimChroma(r) >= 0.7 * RimChroma(img));
        Assert.True(RimChroma(ChromaMedian.Apply(img, 5, 1.0)) < 0.3 * RimChroma(img));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x;
                int d = Math.Max(Math.Abs(x - 24) - 3, Math.Abs(y - 20) - 3);
                // The clipped core stays at the clip in every channel.
                if (d <= 0) for (int c = 0; c < 3; c++) Assert.Equal(Sat, r.Planes[c][i]);
            }
        // With the old rule (only full scale spared) the same frame loses the core's clip and the rim's colour.
        var old = ChromaMedian.Apply(img, 5, 1.0);
        Assert.Contains(Enumerable.Range(0, W * H), i => Math.Max(Math.Abs(i % W - 24), Math.Abs(i / W - 20)) <= 3 && old.Planes[2][i] < Sat);

        // Pixels equal to the given input in every channel keep their values, bit for bit, whatever their neighbours.
        var fringed = FringedEdge();
        var copy = new LinearImage(W, H, fringed.Planes.Select(p => (float[])p.Clone()).ToArray());
        var same = ChromaMedian.Apply(copy, 5, 1.0, fringed);
        for (int c = 0; c < 3; c++) Assert.Equal(fringed.Planes[c], same.Planes[c]);
        Assert.False(Enumerable.Range(0, 3).All(c => fringed.Planes[c].SequenceEqual(ChromaMedian.Apply(copy, 5).Planes[c])));
        Assert.Throws<ArgumentException>(() => ChromaMedian.Apply(copy, 5, 1.0, new LinearImage(W - 1, H, [new float[(W - 1) * H], new float[(W - 1) * H], new float[(W - 1) * H]])));
    }
}
