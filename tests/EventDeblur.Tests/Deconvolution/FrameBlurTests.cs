using System.Collections.Concurrent;
using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// <see cref="TiledDeblurrer"/> tells every plane it hands on how long the frame's longest blur is and how many channels
/// the frame has (<see cref="ChannelContext.FrameBlurPx"/>, <see cref="ChannelContext.FrameChannels"/>): the learned refiner leaves frames blurred less than it was trained on to its
/// classical stage, judged per frame so that the short blur near a rotation's centre is still refined (stop 50).
/// </summary>
public class FrameBlurTests
{
    private sealed class Recording : IDeconvolver
    {
        public ConcurrentBag<(double? Blur, int Channels)> Seen { get; } = [];

        public string Name => "recording";

        public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
        {
            Seen.Add((context.FrameBlurPx, context.FrameChannels));
            return (float[])plane.Clone();
        }
    }

    private static BlurKernel Line(double length) =>
        KernelRaster.FromOffsets(Enumerable.Range(0, 40).Select(i => (X: -length / 2 + length * i / 39, Y: 0.0)).ToArray());

    [Fact]
    public void EveryPlaneIsToldTheFramesLongestBlur()
    {
        const int w = 96, h = 64;
        var img = new LinearImage(w, h, [new float[w * h], new float[w * h], new float[w * h]]);
        var shortBlur = Line(3);
        var longBlur = Line(12);
        double longest = longBlur.LengthPx();
        Assert.InRange(longest, 11, 14);
        Assert.True(shortBlur.LengthPx() < 6);
        var tiles = new[] { new KernelTile(0, 0, w / 2, h, shortBlur), new KernelTile(w / 2, 0, w, h, longBlur) };
        var d = new Recording();
        TiledDeblurrer.Deblur(img, tiles, d, 0.99);
        Assert.Equal(6, d.Seen.Count);
        Assert.All(d.Seen, v => Assert.Equal((longest, 3), v));
        // One kernel for the whole frame: its own length.
        var one = new Recording();
        TiledDeblurrer.Deblur(img, [new KernelTile(0, 0, w, h, shortBlur)], one, 0.99);
        Assert.All(one.Seen, v => Assert.Equal((shortBlur.LengthPx(), 3), v));
        var gray = new Recording();
        TiledDeblurrer.Deblur(new LinearImage(w, h, [new float[w * h]]), tiles, gray, 0.99);
        Assert.All(gray.Seen, v => Assert.Equal((longest, 1), v));
    }
}
