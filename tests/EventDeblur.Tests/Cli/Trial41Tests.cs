using EventDeblur.Cli;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Cli;

/// <summary>Stop 41's new-user trials: what they found, each reproduced first.</summary>
public class Trial41Tests
{
    private static ReplayProgress Progress(FrameResult last) => new(1, 3, 1_234_567, 2.5, last);

    /// <summary>
    /// On a terminal the bar showed only "index 1: FAILED" and redrew over it: the cause was nowhere. A failed frame's
    /// line (index and cause) is now printed above the bar, and the bar points to it.
    /// </summary>
    [Fact]
    public void AFailedFramesCauseIsKeptAboveTheBar()
    {
        var p = Progress(new FrameResult { Index = 1, Status = "failed", Error = "frame 1: exposure starts 0.2185 s after the last event" });
        Assert.Equal("frame 1/3 index 1: failed (frame 1: exposure starts 0.2185 s after the last event)", ReplayCommand.FailureLine(p));
        Assert.EndsWith("index 1: FAILED (above)", ReplayCommand.ProgressBar(p, 200));
    }

    /// <summary>At 80 columns the bar cut the last frame's PSNR mid-value ("index 0: 35"): the rate and ETA go first now.</summary>
    [Theory]
    [InlineData(200, true, true)]
    [InlineData(80, false, true)]
    [InlineData(60, false, false)]
    [InlineData(40, false, false)]
    public void ANarrowTerminalDropsTheRateBeforeCuttingTheResult(int columns, bool rate, bool eta)
    {
        var p = Progress(new FrameResult { Index = 0, Status = "ok", Psnr = 35.78, PsnrBlurry = 22.1 });
        string bar = ReplayCommand.ProgressBar(p, columns);
        Assert.True(bar.Length <= columns, bar);
        Assert.EndsWith("index 0: 35.78 dB", bar);
        Assert.Equal(rate, bar.Contains("M events/s"));
        Assert.Equal(eta, bar.Contains("ETA"));
    }
}
