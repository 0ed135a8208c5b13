using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Streaks;

namespace EventDeblur.Tests.Kernels;

/// <summary>
/// <see cref="LitPathPart"/>: the part of a light's event path its streak shows lit. A window twice the exposure
/// (centred, or running on after it: a frame table giving the frame period) traces twice the path the frame shows.
/// </summary>
public class LitPathPartTests
{
    /// <summary>
    /// A dark frame (0.02) with a clipped horizontal streak of 3-px thickness at row 60: a light of 1-px radius whose centre
    /// moved from x0 to x1 (so lit from x0 − 1 to x1 + 1).
    /// </summary>
    private static LinearImage StreakFrame(int x0, int x1)
    {
        x0--;
        x1++;
        const int W = 200, H = 120;
        var plane = new float[W * H];
        Array.Fill(plane, 0.02f);
        for (int y = 59; y <= 61; y++)
            for (int x = x0; x <= x1; x++) plane[y * W + x] = 1f;
        return new LinearImage(W, H, [plane, (float[])plane.Clone(), (float[])plane.Clone()]);
    }

    /// <summary>A path from x = <paramref name="from"/> to <paramref name="to"/> along row 60 (plus <paramref name="dy"/>), 64 samples equally spaced in time.</summary>
    private static StreakTrajectory Path(double from, double to, double dy = 0)
    {
        const int N = 64;
        double mid = (from + to) / 2;
        var offsets = Enumerable.Range(0, N).Select(k => (from + (k + 0.5) / N * (to - from) - mid, 0.0)).ToArray();
        return new StreakTrajectory((mid, 60 + dy), offsets, 500, 0.3);
    }

    private static Streak StreakOf(int x0, int x1) => new(x0, 59, x1 - x0 + 1, 3, 3 * (x1 - x0 + 1), (x0 + x1) / 2.0, 60, (x1 - x0) * 1.15, 3, 1);

    [Fact]
    public void APathLitAllAlongReadsTheWholeWindow()
    {
        var part = LitPathPart.Measure(StreakFrame(80, 120), StreakOf(80, 120), Path(80, 120));
        Assert.NotNull(part);
        // Stated tolerance: the whole window to within 0.03 (the light's size is trimmed as the neighbourhood's reach).
        Assert.InRange(part.Value.First, 0, 0.03);
        Assert.InRange(part.Value.Last, 0.97, 1);
        // A path off by 2 px across itself (a calibration error) still reads whole.
        Assert.InRange(LitPathPart.Measure(StreakFrame(80, 120), StreakOf(80, 120), Path(80, 120, dy: 2))!.Value.Share, 0.97, 1);
    }

    /// <summary>
    /// A calibration a few pixels off (stop 52's review: 2 event px, about 4 frame px, narrowed correct windows and cost
    /// 5–10 dB): across the path it is shifted by up to <see cref="LitPathPart.AcrossRadiusPx"/> (plus the neighbourhood),
    /// along it extended by <see cref="LitPathPart.AlignRadiusPx"/>.
    /// </summary>
    [Theory]
    [InlineData(0, 5)]
    [InlineData(6, 0)]
    [InlineData(-8, 0)]
    [InlineData(-5, 4)]
    public void APathBesideItsStreakByACalibrationErrorStillReadsWhole(int dx, int dy)
    {
        var part = LitPathPart.Measure(StreakFrame(80, 120), StreakOf(80, 120), Path(80 + dx, 120 + dx, dy));
        Assert.NotNull(part);
        Assert.InRange(part.Value.Share, 0.97, 1);
        // ... and a window twice the exposure beside its streak still reads half.
        part = LitPathPart.Measure(StreakFrame(80, 120), StreakOf(80, 120), Path(60 + dx, 140 + dx, dy));
        Assert.NotNull(part);
        Assert.InRange(part.Value.Share, 0.45, 0.55);
    }

    [Fact]
    public void AFaintLightSaysNothing()
    {
        var frame = StreakFrame(80, 120);
        foreach (var plane in frame.Planes)
            for (int i = 0; i < plane.Length; i++) plane[i] = plane[i] > 0.5f ? 0.05f : 0.02f;
        Assert.Null(LitPathPart.Measure(frame, StreakOf(80, 120), Path(60, 140)));
    }

    /// <summary>
    /// A path whose window is twice its exposure, centred, and that dwells over its own streak outside the exposure (camera
    /// shake turning back): from x = 100 back to 90 over the window's first quarter, 80 → 120 over its middle half (the
    /// exposure: the streak, evenly lit), 120 back to 110 over its last quarter. Every sample lies on the lit streak, so the
    /// lit part reads the whole window; the time the light spent at each point matches the streak's even brightness over
    /// the middle half only (stop 53: events recorded throughout a long window).
    /// </summary>
    [Fact]
    public void APathPassingOverItsStreakAgainReadsLitAllAlongButItsTimeDensityFindsTheExposure()
    {
        const int N = 128;
        var xs = Enumerable.Range(0, N).Select(k =>
        {
            double t = (k + 0.5) / N;
            return t < 0.25 ? 100 - 10 * (t / 0.25) : t < 0.75 ? 80 + 40 * ((t - 0.25) / 0.5) : 120 - 10 * ((t - 0.75) / 0.25);
        }).ToArray();
        var path = new StreakTrajectory((100, 60), xs.Select(x => (x - 100, 0.0)).ToArray(), 500, 0.3);
        var frame = StreakFrame(80, 120);
        Assert.InRange(LitPathPart.Measure(frame, StreakOf(80, 120), path)!.Value.Share, 0.97, 1);

        var parts = new List<(double A, double B)>();
        for (int i = 0; i < 8; i++)
            for (int j = i + 2; j <= 8; j++) parts.Add((i / 8.0, j / 8.0));
        var scores = new LitPathPart(frame).DensityFit(StreakOf(80, 120), path, parts)!;
        int best = Enumerable.Range(0, parts.Count).MaxBy(i => scores[i]);
        Assert.Equal((0.25, 0.75), parts[best]);
        int whole = parts.IndexOf((0, 1));
        // Stated margins (measured at stop 53: 0.885 against 0.790): the exposure's correlation above 0.85, the whole
        // window's at least 0.08 below it.
        Assert.True(scores[best] > 0.85 && scores[best] - scores[whole] > 0.08, $"exposure {scores[best]:F3}, whole window {scores[whole]:F3}");

        // A path exposed over its whole window (the streak traced once, evenly) fits best as a whole.
        var once = new LitPathPart(frame).DensityFit(StreakOf(80, 120), Path(80, 120), parts)!;
        Assert.Equal(once.Max(), once[whole], 3);
    }
}
