using EventDeblur.Events;
using EventDeblur.Live;

namespace EventDeblur.Tests.Live;

/// <summary>
/// <see cref="FrameExposurePairer"/>: frames that carry the source's stamps keep their own exposures across a frame the
/// source dropped and a trigger the rig missed; frames without usable stamps are paired in arrival order.
/// </summary>
public class FrameExposurePairerTests
{
    private const long Period = 150_000, Origin = 5_000_000;

    /// <summary>Exposures every 150 ms on the event clock, 50 ms long, except those left out.</summary>
    private static List<TimeRangeUs> Exposures(int count, params int[] missing) =>
        Enumerable.Range(0, count).Where(k => !missing.Contains(k)).Select(k => new TimeRangeUs(Origin + k * Period, Origin + k * Period + 50_000)).ToList();

    /// <summary>Runs the frames stamped <paramref name="stamps"/> (µs; null = none) through a pairer as the live dispatch does: the index of each frame's exposure, or −1 when it has none; and the reasons given.</summary>
    private static (List<int> Pairs, List<string> Reasons, FrameExposurePairer Pairer) Run(IReadOnlyList<TimeRangeUs> exposures, IReadOnlyList<long?> stamps)
    {
        var p = new FrameExposurePairer();
        var pairs = new List<int>();
        var reasons = new List<string>();
        int next = 0;
        foreach (var t in stamps)
        {
            p.Observe(t);
            var d = p.Decide(t, exposures, next, streamEnded: true);
            if (d.Reason != null) reasons.Add(d.Reason);
            if (d.Kind == PairingKind.Pair)
            {
                pairs.Add(d.Exposure);
                p.Paired(t, exposures[d.Exposure]);
                next = d.Exposure + 1;
            }
            else
            {
                Assert.Equal(PairingKind.NoExposure, d.Kind);
                pairs.Add(-1);
            }
        }
        return (pairs, reasons, p);
    }

    /// <summary>A camera's stamps: frame k read 80 ms after its exposure started (readout), on a clock 3 s apart from the event clock.</summary>
    private static long? Stamp(int k) => 3_000_000 + k * Period + 80_000;

    [Fact]
    public void StampedFramesInStepPairInOrder()
    {
        var (pairs, reasons, p) = Run(Exposures(8), Enumerable.Range(0, 8).Select(Stamp).ToList());
        Assert.Equal(Enumerable.Range(0, 8), pairs);
        Assert.Empty(reasons);
        Assert.True(p.ByTimestamps);
    }

    [Fact]
    public void AFrameTheSourceDroppedLeavesItsExposureUnpairedAndTheNextFramesKeepTheirOwn()
    {
        // The source dropped frame 6: its stamps go 5 → 7. (The first five frames, four periods, are paired in arrival
        // order while the stamps are checked against the exposures.)
        var stamps = Enumerable.Range(0, 10).Where(k => k != 6).Select(Stamp).ToList();
        var (pairs, reasons, p) = Run(Exposures(10), stamps);
        Assert.True(p.ByTimestamps);
        Assert.Equal([0, 1, 2, 3, 4, 5, 7, 8, 9], pairs);
        var why = Assert.Single(reasons);
        Assert.Contains("skip 1 frame period(s)", why);
        Assert.Contains("the source dropped the frame(s) of the exposure(s) in between", why);
    }

    [Fact]
    public void TwoFramesDroppedTogetherAreBothSkipped()
    {
        var stamps = Enumerable.Range(0, 10).Where(k => k is not (6 or 7)).Select(Stamp).ToList();
        var (pairs, reasons, _) = Run(Exposures(10), stamps);
        Assert.Equal([0, 1, 2, 3, 4, 5, 8, 9], pairs);
        Assert.Contains("skip 2 frame period(s)", Assert.Single(reasons));
    }

    [Fact]
    public void AFrameWhoseTriggerWasMissedHasNoExposureInsteadOfTakingTheNextOne()
    {
        // The trigger of exposure 6 never arrived: frame 6 has no exposure, frame 7 keeps exposure 7 (index 6 of the list).
        var exposures = Exposures(10, missing: 6);
        var (pairs, reasons, _) = Run(exposures, Enumerable.Range(0, 10).Select(Stamp).ToList());
        Assert.Equal([0, 1, 2, 3, 4, 5, -1, 6, 7, 8], pairs);
        Assert.Contains("a missed trigger?", Assert.Single(reasons));
    }

    [Fact]
    public void StampsThatFollowTheExposureEndsArePairedByTheEnds()
    {
        // Exposures of 30..120 ms starting every 150 ms; the camera stamps each frame 10 ms after its exposure ends.
        int[] lengths = [30_000, 120_000, 60_000, 110_000, 40_000, 90_000, 120_000, 30_000, 70_000, 100_000];
        var exposures = lengths.Select((l, k) => new TimeRangeUs(Origin + k * Period, Origin + k * Period + l)).ToList();
        var stamps = Enumerable.Range(0, lengths.Length).Where(k => k != 6).Select(k => (long?)(exposures[k].EndUs - Origin + 10_000)).ToList();
        var (pairs, reasons, _) = Run(exposures, stamps);
        Assert.Equal([0, 1, 2, 3, 4, 5, 7, 8, 9], pairs);
        Assert.Single(reasons);
    }

    [Fact]
    public void WithoutStampsFramesArePairedInArrivalOrderAndNothingIsSaid()
    {
        // An image sequence: OpenCV gives 0 for every frame.
        var (pairs, reasons, p) = Run(Exposures(6), Enumerable.Repeat<long?>(0, 5).ToList());
        Assert.Equal([0, 1, 2, 3, 4], pairs);
        Assert.Empty(reasons);
        Assert.False(p.ByTimestamps);
        Assert.Equal("", p.TimestampsAbandoned);
        // No stamps at all.
        (pairs, _, p) = Run(Exposures(6), Enumerable.Repeat<long?>(null, 5).ToList());
        Assert.Equal([0, 1, 2, 3, 4], pairs);
        Assert.False(p.ByTimestamps);
    }

    [Fact]
    public void StampsAtAnotherRateThanTheExposuresAreGivenUpWithAReason()
    {
        // A video file stamped at a nominal 10 frames/s of a rig exposing every 150 ms: not the camera's clock.
        var stamps = Enumerable.Range(0, 6).Select(k => (long?)(k * 100_000L)).ToList();
        var (pairs, reasons, p) = Run(Exposures(6), stamps);
        Assert.Equal([0, 1, 2, 3, 4, 5], pairs);
        Assert.Empty(reasons);
        Assert.False(p.ByTimestamps);
        Assert.Contains("timestamps advanced 400 ms while the exposures paired with those frames advanced 600 ms, so they are not the camera's clock", p.TimestampsAbandoned);
    }

    [Fact]
    public void StampsThatGoBackSwitchToArrivalOrder()
    {
        long?[] stamps = [Stamp(0), Stamp(1), Stamp(2), Stamp(1), Stamp(4)];
        var (pairs, _, p) = Run(Exposures(6), stamps);
        Assert.Equal([0, 1, 2, 3, 4], pairs);
        Assert.False(p.ByTimestamps);
        Assert.Contains("did not increase", p.TimestampsAbandoned);
    }

    [Fact]
    public void AFrameAheadOfTheTriggersWaitsForItsExposure()
    {
        var exposures = Exposures(10);
        var p = new FrameExposurePairer();
        for (int k = 0; k < 7; k++)
        {
            p.Observe(Stamp(k));
            Assert.Equal(k, p.Decide(Stamp(k), exposures, k, false).Exposure);
            p.Paired(Stamp(k), exposures[k]);
        }
        Assert.True(p.ByTimestamps);
        p.Observe(Stamp(7));
        // Only exposures 0..6 have arrived: frame 7 waits, and once the stream has ended it has none.
        Assert.Equal(PairingKind.Wait, p.Decide(Stamp(7), exposures.Take(7).ToList(), 7, false).Kind);
        var none = p.Decide(Stamp(7), exposures.Take(7).ToList(), 7, true);
        Assert.Equal(PairingKind.NoExposure, none.Kind);
        Assert.Contains("no exposure from the trigger stream near its timestamp", none.Reason);
        Assert.Equal(new FrameExposurePairer.Decision(PairingKind.Pair, 7, null), p.Decide(Stamp(7), exposures, 7, false));
    }

    [Fact]
    public void StampsSteadierThanTheExposuresAreAFilesRateAndGivenUp()
    {
        // serve --video of a recording whose exposures jitter by up to ±20 ms: the video's stamps step exactly 150 ms.
        long[] jitter = [0, 12_000, -18_000, 5_000, 20_000, -7_000, 15_000, -20_000, 3_000, 9_000];
        var exposures = jitter.Select((d, k) => new TimeRangeUs(Origin + k * Period + d, Origin + k * Period + d + 50_000)).ToList();
        var (pairs, _, p) = Run(exposures, Enumerable.Range(0, 10).Select(k => (long?)(k * Period)).ToList());
        Assert.Equal(Enumerable.Range(0, 10), pairs);
        Assert.False(p.ByTimestamps);
        Assert.Contains("a file's nominal frame rate, not the camera's clock", p.TimestampsAbandoned);
    }

    [Fact]
    public void TwoFramesInARowWithoutAnExposureGiveTheStampsUp()
    {
        // The rig paused for a second after frame 6 (no exposures), which the stamps do not show: frame 7 has no
        // exposure near its stamp (a missed trigger, as far as one frame can tell); frame 8 neither, so the stamps are
        // given up and frames 8 and 9 take the next exposures in order.
        var exposures = Enumerable.Range(0, 10).Select(k => { long at = Origin + k * Period + (k >= 7 ? 1_000_000 : 0); return new TimeRangeUs(at, at + 50_000); }).ToList();
        var (pairs, reasons, p) = Run(exposures, Enumerable.Range(0, 10).Select(Stamp).ToList());
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, -1, 7, 8], pairs);
        Assert.False(p.ByTimestamps);
        Assert.Contains("two frames in a row had no exposure near their timestamps", p.TimestampsAbandoned);
        Assert.Contains("a missed trigger?", Assert.Single(reasons));
    }
}
