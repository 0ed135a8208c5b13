using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Imaging;

public class ChromaMedianTests
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
        Assert.Equal(ChromaMedian.Apply(img, 5).Planes[0], asked.Planes[0]);
        // Since stop 42 not with delta kernels only (no blur: nothing deconvolved whose fringes it would remove).
        var still = TiledDeblurrer.Deblur(img, [new KernelTile(0, 0, W, H, BlurKernel.Delta)], new Smoothing(5), 1.0);
        Assert.Equal(img.Planes[0], still.Planes[0]);
        // Through the do-no-harm guard, which forwards the wrapped deconvolver's request.
        Assert.Equal(5, new GuardedDeconvolver(new Smoothing(5)).ChromaMedianPx);
        Assert.Equal(0, new GuardedDeconvolver(new IdentityDeconvolver()).ChromaMedianPx);
    }

    private sealed class Smoothing(int px) : IChromaSmoothing
    {
        public string Name => "identity-smoothed";

        public int ChromaMedianPx => px;

        public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context) => (float[])plane.Clone();
    }
}
