using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Streaks;

namespace EventDeblur.Tests.Kernels;

/// <summary>
/// The parts of the event kernel estimator on their own (streak tracing, tiling a camera motion, contrast
/// maximisation), on synthetic events with a known motion, and the validation of their option records.
/// </summary>
public class KernelPartsTests
{
    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static EventSlice Sorted(List<(long T, short X, short Y, bool P)> ev)
    {
        ev.Sort((a, b) => a.T.CompareTo(b.T));
        return new EventSlice(ev.Select(e => e.T).ToArray(), ev.Select(e => e.X).ToArray(), ev.Select(e => e.Y).ToArray(), ev.Select(e => e.P).ToArray());
    }

    /// <summary>A curved path of a point light, event pixels relative to its mid-exposure position, t in [0, 1].</summary>
    private static (double X, double Y) Light(double t) => (24 * (t - 0.5), 10 * (t - 0.5) * (t - 0.5) * 4 - 2 * (t - 0.5));

    [Fact]
    public void TheTracerFollowsAPointLightFromItsLeadingOnAndTrailingOffEvents()
    {
        var rng = new Random(5);
        var exposure = new TimeRangeUs(1_000_000, 1_050_000);
        var ev = new List<(long, short, short, bool)>();
        double mx = 100, my = 70;
        for (long t = exposure.StartUs - 5000; t < exposure.EndUs + 5000; t += 40)
        {
            double u = Math.Clamp((t - exposure.StartUs) / (double)exposure.DurationUs, 0, 1);
            var p = Light(u);
            var q = Light(Math.Min(1, u + 0.01));
            var r = Light(Math.Max(0, u - 0.01));
            double vx = q.X - r.X, vy = q.Y - r.Y, n = Math.Max(1e-9, Math.Sqrt(vx * vx + vy * vy));
            for (int s = -1; s <= 1; s += 2)
            {
                double x = mx + p.X + s * 1.5 * vx / n + 0.6 * Gauss(rng), y = my + p.Y + s * 1.5 * vy / n + 0.6 * Gauss(rng);
                ev.Add((t + rng.Next(40), (short)Math.Round(x), (short)Math.Round(y), s > 0));
            }
        }
        var events = Sorted(ev);
        // Frame = event sensor (identity homography); the streak's box covers the path.
        var streak = new Streak(86, 65, 28, 10, 200, 100, 70, 24, 3, 1);
        var trace = new StreakTracer().Trace(events, streak, Homography.Identity, Homography.Identity, exposure, 200);
        Assert.True(trace.Path != null, trace.Failure);
        var path = trace.Path!;
        Assert.True(trace.EventsUsed > 1000, $"{trace.EventsUsed} events used");
        var mid = Light(0.5);
        Assert.InRange(path.Mid.X, mx + mid.X - 0.5, mx + mid.X + 0.5);
        Assert.InRange(path.Mid.Y, my + mid.Y - 0.5, my + mid.Y + 0.5);
        double s2 = 0;
        for (int k = 0; k < 200; k++)
        {
            var p = Light((k + 0.5) / 200);
            s2 += Math.Pow(path.Offsets[k].X - (p.X - mid.X), 2) + Math.Pow(path.Offsets[k].Y - (p.Y - mid.Y), 2);
        }
        double rms = Math.Sqrt(s2 / 200);
        Assert.True(rms < 0.6, $"path error {rms:F2} px RMS");
    }

    [Fact]
    public void TheTracerSaysWhyAQuietRegionGivesNoPath()
    {
        var exposure = new TimeRangeUs(0, 50_000);
        var events = Sorted([(100, 10, 10, true), (200, 11, 10, false)]);
        var streak = new Streak(50, 50, 10, 4, 30, 55, 52, 10, 2, 1);
        var trace = new StreakTracer().Trace(events, streak, Homography.Identity, Homography.Identity, exposure, 200);
        Assert.Null(trace.Path);
        Assert.Equal(0, trace.EventsUsed);
        Assert.Contains("0 events after noise filtering (< 40)", trace.Failure);
    }

    /// <summary>Events of a static random texture seen by a camera moving at a constant velocity (event pixels per exposure).</summary>
    internal static EventSlice TextureEvents(int width, int height, double vx, double vy, TimeRangeUs exposure, int points, int seed)
    {
        var rng = new Random(seed);
        var ev = new List<(long, short, short, bool)>();
        for (int i = 0; i < points; i++)
        {
            double px = 20 + rng.NextDouble() * (width - 40), py = 20 + rng.NextDouble() * (height - 40);
            bool pol = rng.Next(2) == 0;
            for (int j = 0; j < 60; j++)
            {
                long t = exposure.StartUs + (long)(rng.NextDouble() * exposure.DurationUs);
                double tau = (t - exposure.StartUs) / (double)exposure.DurationUs - 0.5;
                ev.Add((t, (short)Math.Round(px + vx * tau + 0.3 * Gauss(rng)), (short)Math.Round(py + vy * tau + 0.3 * Gauss(rng)), pol));
            }
        }
        return Sorted(ev);
    }

    [Theory]
    [InlineData(12.0, -6.0)]
    [InlineData(-3.0, 17.0)]
    public void ContrastMaximisationRecoversAConstantVelocity(double vx, double vy)
    {
        var exposure = new TimeRangeUs(500_000, 560_000);
        var events = TextureEvents(160, 120, vx, vy, exposure, 400, 7);
        // The frame has twice the event sensor's resolution: offsets come back in frame pixels.
        var eventsToFrame = Homography.FromRowMajor([2, 0, 0, 0, 2, 0, 0, 0, 1]);
        var r = new ContrastMaximizer().Estimate(events, (160, 120), eventsToFrame, exposure, 200);
        Assert.Equal(200, r.Offsets.Length);
        Assert.True(r.ContrastGain > 0.5, r.Note);
        // From the first to the last sample the path spans 199/200 of the exposure.
        double ex = 2 * vx * 199 / 200, ey = 2 * vy * 199 / 200;
        double dx = r.Offsets[^1].X - r.Offsets[0].X, dy = r.Offsets[^1].Y - r.Offsets[0].Y;
        Assert.True(Math.Abs(dx - ex) < 2.5 && Math.Abs(dy - ey) < 2.5, $"span ({dx:F2}, {dy:F2}) frame px, expected ({ex:F2}, {ey:F2}); {r.Note}");
        // Centred on mid-exposure.
        var m = r.Offsets[100];
        Assert.True(Math.Abs(m.X) < 0.5 && Math.Abs(m.Y) < 0.5, $"mid offset ({m.X:F2}, {m.Y:F2})");
    }

    /// <summary>
    /// Texture rolling by 12° about the sensor centre over the exposure while drifting 4 px right: the translation-only
    /// path cannot stack it, the roll search finds the roll (sign and size) and its frame-pixel motion moves a frame
    /// corner as the true motion does; a pure translation finds (almost) no roll.
    /// </summary>
    [Fact]
    public void ContrastMaximisationFindsARollAboutTheOpticalAxis()
    {
        var exposure = new TimeRangeUs(0, 60_000);
        var rng = new Random(31);
        var ev = new List<(long, short, short, bool)>();
        double total = 12 * Math.PI / 180;
        for (int i = 0; i < 500; i++)
        {
            double px = 5 + rng.NextDouble() * 150, py = 5 + rng.NextDouble() * 110;
            for (int j = 0; j < 50; j++)
            {
                long t = rng.Next(60_000);
                double tau = t / 60_000.0 - 0.5, a = tau * total, c = Math.Cos(a), sn = Math.Sin(a);
                double x = 80 + c * (px - 80) - sn * (py - 60) + 4 * tau, y = 60 + sn * (px - 80) + c * (py - 60);
                if (x >= 0 && y >= 0 && x < 160 && y < 120) ev.Add((t, (short)Math.Round(x), (short)Math.Round(y), true));
            }
        }
        var events = Sorted(ev);
        var eventsToFrame = Homography.FromRowMajor([2, 0, 0, 0, 2, 0, 0, 0, 1]);
        var r = new ContrastMaximizer().Estimate(events, (160, 120), eventsToFrame, exposure, 200);
        Assert.NotNull(r.RigidMotion);
        Assert.True(Math.Abs(r.RollRad - total) < 2 * Math.PI / 180, $"roll {r.RollRad * 180 / Math.PI:F2}°, expected 12°; {r.Note}");
        // The frame corner (0, 0), 200 frame px from the centre (160, 120), at the last sample (τ = 0.4975).
        double tl = 199.5 / 200 - 0.5, al = tl * total, cl = Math.Cos(al), sl = Math.Sin(al);
        double ex = 160 + cl * -160 - sl * -120 + 2 * 4 * tl, ey = 120 + sl * -160 + cl * -120;
        var got = r.RigidMotion!.OffsetsAt(0, 0)[^1];
        Assert.True(Math.Abs(got.X - ex) < 2.5 && Math.Abs(got.Y - ey) < 2.5, $"corner offset ({got.X:F2}, {got.Y:F2}), expected ({ex:F2}, {ey:F2})");
        // The scorer agrees: the roll stacks the events more sharply than the translation path.
        var translation = new CameraMotion(MotionKind.Translation, r.Offsets.Select(q => AffineSample.Shift(q.X, q.Y)).ToArray());
        var s = new EventWarpScorer().Score(events, (160, 120), Homography.FromRowMajor([0.5, 0, 0, 0, 0.5, 0, 0, 0, 1]), exposure, [translation, r.RigidMotion]);
        Assert.True(s[1] > 1.2 * s[0], $"roll {s[1]:F3}, translation {s[0]:F3}");

        var still = new ContrastMaximizer().Estimate(TextureEvents(160, 120, 12, -6, exposure, 400, 7), (160, 120), eventsToFrame, exposure, 200);
        Assert.True(Math.Abs(still.RollRad) < 1.0 * Math.PI / 180, $"roll {still.RollRad * 180 / Math.PI:F2}° on a translation; {still.Note}");
    }

    /// <summary>
    /// The search on two or three threads (velocity grids split, the regions' paths beside the roll) gives exactly what
    /// it gives on one: the same offsets, roll, rigid motion, regions' paths and note, to the last bit.
    /// </summary>
    [Fact]
    public void ContrastMaximisationGivesTheSameResultOnOneOrMoreThreads()
    {
        var exposure = new TimeRangeUs(0, 60_000);
        var rng = new Random(41);
        var ev = new List<(long, short, short, bool)>();
        double total = 6 * Math.PI / 180;
        for (int i = 0; i < 600; i++)
        {
            double px = 5 + rng.NextDouble() * 150, py = 5 + rng.NextDouble() * 110;
            // The right third moves further than the rest: some regions find a path of their own.
            double extra = px > 107 ? 3 : 0;
            for (int j = 0; j < 40; j++)
            {
                long t = rng.Next(60_000);
                double tau = t / 60_000.0 - 0.5, a = tau * total, c = Math.Cos(a), sn = Math.Sin(a);
                double x = 80 + c * (px - 80) - sn * (py - 60) + (6 + extra) * tau, y = 60 + sn * (px - 80) + c * (py - 60) - 3 * tau;
                if (x >= 0 && y >= 0 && x < 160 && y < 120) ev.Add((t, (short)Math.Round(x), (short)Math.Round(y), rng.Next(2) == 0));
            }
        }
        var events = Sorted(ev);
        var eventsToFrame = Homography.FromRowMajor([2, 0, 0, 0, 2, 0, 0, 0, 1]);
        ContrastMaximizationResult Run(int threads) =>
            new ContrastMaximizer(new ContrastMaximizationOptions { Threads = threads, MinEvents = 200 }).Estimate(events, (160, 120), eventsToFrame, exposure, 64);
        var one = Run(1);
        // Every part of the search ran: the roll won over the translation and regions found paths of their own.
        Assert.True(one.RigidMotion != null && one.LocalPaths is { Refined: > 0 }, one.Note);
        foreach (int threads in new[] { 2, 3 })
        {
            var other = Run(threads);
            Assert.Equal(one.Note, other.Note);
            Assert.Equal(one.ContrastGain, other.ContrastGain);
            Assert.Equal(one.RollRad, other.RollRad);
            Assert.Equal(one.Offsets, other.Offsets);
            Assert.Equal(one.RigidMotion?.Samples, other.RigidMotion?.Samples);
            Assert.Equal(one.LocalPaths?.Refined, other.LocalPaths?.Refined);
            if (one.LocalPaths is { } lp)
                for (double x = 10; x < 160; x += 50)
                    for (double y = 10; y < 120; y += 50)
                        Assert.Equal(lp.CoefficientsAt(x, y), other.LocalPaths!.CoefficientsAt(x, y));
        }
    }

    [Fact]
    public void ContrastMaximisationWithTooFewEventsAssumesNoBlur()
    {
        var exposure = new TimeRangeUs(0, 50_000);
        var events = TextureEvents(160, 120, 5, 5, exposure, 4, 8);
        var r = new ContrastMaximizer().Estimate(events, (160, 120), Homography.Identity, exposure, 200);
        Assert.Empty(r.Offsets);
        Assert.Equal(0, r.ContrastGain);
        Assert.Contains("no blur assumed", r.Note);
    }

    [Fact]
    public void ATranslationGivesOneKernelAndARotationTilesThatFollowIt()
    {
        var shift = Enumerable.Range(0, 200).Select(k => AffineSample.Shift(10 * ((k + 0.5) / 200 - 0.5), 0)).ToArray();
        var diagnostics = new List<string>();
        var one = new MotionTiler().Tiles(new CameraMotion(MotionKind.Translation, shift), 640, 480, diagnostics);
        var t = Assert.Single(one);
        Assert.Equal(640L * 480, t.Area);
        Assert.InRange(t.Kernel.Size, 11, 15);
        // Roll of ±1° about the centre: corners move ≈ 7 px more than the centre, so tiles shrink below 160 px.
        var roll = Enumerable.Range(0, 200).Select(k =>
        {
            double a = ((k + 0.5) / 200 - 0.5) * 2 * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
            return new AffineSample(c, -s, s, c, 320 - (c * 320 - s * 240), 240 - (s * 320 + c * 240));
        }).ToArray();
        var tiles = new MotionTiler().Tiles(new CameraMotion(MotionKind.Rigid, roll), 640, 480, diagnostics);
        Assert.Equal(640L * 480, tiles.Sum(k => k.Area));
        Assert.True(tiles.Count > 12, $"{tiles.Count} tiles");
        Assert.Contains(diagnostics, d => d.Contains("rigid motion modelled"));
        // A corner tile's kernel is long (the roll moves it), the centre's is a point.
        var centre = tiles.Single(k => k.X0 <= 320 && k.X1 > 320 && k.Y0 <= 240 && k.Y1 > 240).Kernel;
        var corner = tiles[0].Kernel;
        Assert.True(corner.Size > centre.Size + 4, $"corner kernel {corner.Size} px, centre {centre.Size} px");
    }

    /// <summary>
    /// A roll so large that the corners' kernels are longer than the smallest tile: no tile is smaller than the largest
    /// kernel (stop 45's trial: 80 tiles of 64 px with kernels up to 243 px took 80 s and 3.3 GB for one 640×480 frame,
    /// every tile deconvolved over a region nearly the frame's size), and the tiles still follow the motion.
    /// </summary>
    [Theory]
    [InlineData(1.0)]    // corner kernels ≈ 15 px: the motion's own tile size (below 160 px) stands
    [InlineData(12.0)]   // corner kernels ≈ 170 px: tiles widened to them
    [InlineData(40.0)]   // kernels longer than the frame is wide: one tile of the frame's width
    public void NoTileIsSmallerThanTheLargestKernel(double degrees)
    {
        var roll = Enumerable.Range(0, 200).Select(k =>
        {
            double a = ((k + 0.5) / 200 - 0.5) * 2 * degrees * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
            return new AffineSample(c, -s, s, c, 320 - (c * 320 - s * 240), 240 - (s * 320 + c * 240));
        }).ToArray();
        var diagnostics = new List<string>();
        var tiles = new MotionTiler().Tiles(new CameraMotion(MotionKind.Rigid, roll), 640, 480, diagnostics);
        Assert.Equal(640L * 480, tiles.Sum(k => k.Area));
        int largest = tiles.Max(t => t.Kernel.Size);
        int side = tiles[0].X1 - tiles[0].X0;
        if (degrees <= 1)
        {
            Assert.True(side < 160 && largest < side, $"{side}-px tiles, largest kernel {largest} px");
            Assert.DoesNotContain(diagnostics, d => d.Contains("widened"));
        }
        else
        {
            Assert.True(side >= Math.Min(largest, 640) && side <= 640, $"{side}-px tiles, largest kernel {largest} px");
            Assert.Contains(diagnostics, d => d.Contains($"{side}-px tiles (widened from 64 px to the largest kernel"));
        }
        // Regions reaching a kernel's size beyond each tile (clipped to the frame) cover it at most nine times over.
        double covered = tiles.Sum(t =>
        {
            int ov = Math.Max(48, t.Kernel.Size);
            return (double)(Math.Min(640, t.X1 + ov) - Math.Max(0, t.X0 - ov)) * (Math.Min(480, t.Y1 + ov) - Math.Max(0, t.Y0 - ov));
        }) / (640 * 480);
        Assert.InRange(covered, 1, 9);
    }

    private static CameraMotion Translation(double vx, double vy) =>
        new(MotionKind.Translation, Enumerable.Range(0, 200).Select(k => AffineSample.Shift(vx * ((k + 0.5) / 200 - 0.5), vy * ((k + 0.5) / 200 - 0.5))).ToArray());

    [Fact]
    public void TheWarpScorerPrefersTheTrueMotionAndSeesRotation()
    {
        var exposure = new TimeRangeUs(0, 60_000);
        var events = TextureEvents(160, 120, 9, -5, exposure, 400, 11);
        var s = new EventWarpScorer().Score(events, (160, 120), Homography.Identity, exposure,
            [Translation(9, -5), Translation(5, -2), Translation(0, 0), Translation(-9, 5)]);
        Assert.True(s[0] > 1.3 * s[1] && s[1] > s[2] && s[0] > 1.3 * s[3], string.Join(", ", s.Select(v => v.ToString("F3"))));

        // A roll of ±6° about the sensor centre: the rigid model stacks the events, the best translation cannot.
        var rng = new Random(12);
        var ev = new List<(long, short, short, bool)>();
        for (int i = 0; i < 400; i++)
        {
            double px = 10 + rng.NextDouble() * 140, py = 10 + rng.NextDouble() * 100;
            for (int j = 0; j < 60; j++)
            {
                long t = rng.Next(60_000);
                double a = (t / 60_000.0 - 0.5) * 12 * Math.PI / 180, c = Math.Cos(a), sn = Math.Sin(a);
                ev.Add((t, (short)Math.Round(80 + c * (px - 80) - sn * (py - 60)), (short)Math.Round(60 + sn * (px - 80) + c * (py - 60)), true));
            }
        }
        var roll = new CameraMotion(MotionKind.Rigid, Enumerable.Range(0, 200).Select(k =>
        {
            double a = ((k + 0.5) / 200 - 0.5) * 12 * Math.PI / 180, c = Math.Cos(a), sn = Math.Sin(a);
            return new AffineSample(c, -sn, sn, c, 80 - (c * 80 - sn * 60), 60 - (sn * 80 + c * 60));
        }).ToArray());
        var r = new EventWarpScorer().Score(Sorted(ev), (160, 120), Homography.Identity, exposure, [roll, Translation(0, 0)]);
        Assert.True(r[0] > 1.3 * r[1], $"rigid {r[0]:F3}, translation {r[1]:F3}");
    }

    /// <summary>
    /// One traced light whose events move unlike the camera (a car) in a frame whose texture events follow the camera: the
    /// light's path is a hypothesis, not a verdict — the texture's motion explains the events better and is kept.
    /// </summary>
    [Fact]
    public void ALightMovingUnlikeTheCameraLosesToTheTextureHypothesis()
    {
        int w = 160, h = 120;
        var exposure = new TimeRangeUs(1_000_000, 1_060_000);
        var texture = TextureEvents(w, h, -6, 14, exposure, 400, 21);
        var ev = Enumerable.Range(0, texture.Count).Select(i => (texture.T[i], texture.X[i], texture.Y[i], texture.P[i])).ToList();
        // The car's light: leading ON and trailing OFF events moving 20 px to the right along y = 100 (fewer than the
        // texture's, or its stacked events would dominate any contrast).
        var rng = new Random(22);
        for (long t = exposure.StartUs; t < exposure.EndUs; t += 150)
        {
            double u = (t - exposure.StartUs) / (double)exposure.DurationUs, x = 70 + 20 * u;
            ev.Add((t, (short)Math.Round(x + 1.5 + 0.5 * Gauss(rng)), (short)Math.Round(100 + 0.5 * Gauss(rng)), true));
            ev.Add((t, (short)Math.Round(x - 1.5 + 0.5 * Gauss(rng)), (short)Math.Round(100 + 0.5 * Gauss(rng)), false));
        }
        var plane = Enumerable.Repeat(0.05f, w * h).ToArray();
        var sat = new bool[w * h];
        for (int x = 70; x <= 90; x++)
            for (int y = 99; y <= 101; y++) { plane[y * w + x] = 1f; sat[y * w + x] = true; }
        var request = new KernelRequest
        {
            Index = 0,
            Exposure = exposure,
            EventSensorSize = (w, h),
            Events = Sorted(ev),
            Blurry = new LinearImage(w, h, [plane], [sat]),
            SaturationLinear = 1.0,
        };
        var rulesOnly = new EventKernelEstimator(new EventKernelOptions { CompareWithTexture = false }).Estimate(request);
        Assert.True(rulesOnly.Source == "events:streaks", string.Join("; ", rulesOnly.Diagnostics));
        var scored = new EventKernelEstimator().Estimate(request);
        Assert.True(scored.Source == "events:texture", string.Join("; ", scored.Diagnostics));
        Assert.Contains(scored.Diagnostics, d => d.Contains("texture kept"));
        // The kept kernel is the camera's: its end-to-end extent is about (−6, 14) px, not the car's (20, 0).
        var k = Assert.Single(scored.Tiles).Kernel;
        Assert.InRange(k.Size, 13, 19);
    }

    public static TheoryData<Action, string, string> BadOptions => new()
    {
        { () => new StreakTracer(new StreakTracerOptions { TimeSlices = 2 }), "TimeSlices", "[4, 1000]" },
        { () => new StreakTracer(new StreakTracerOptions { RegionMarginPx = double.NaN }), "RegionMarginPx", "[0, 1000]" },
        { () => new StreakTracer(new StreakTracerOptions { MinEventsPerStreak = 0 }), "MinEventsPerStreak", "[1, " },
        { () => new MotionTiler(new MotionTilingOptions { MinTileSizePx = 200 }), "TileSizePx", "[200, 4096]" },
        { () => new MotionTiler(new MotionTilingOptions { MaxTileChangePx = 0 }), "MaxTileChangePx", "(0, 100]" },
        { () => new ContrastMaximizer(new ContrastMaximizationOptions { MaxBlurEventPx = -1 }), "MaxBlurEventPx", "(0, 500]" },
        { () => new ContrastMaximizer(new ContrastMaximizationOptions { MaxEvents = 10 }), "MaxEvents", "[100, " },
        { () => new ContrastMaximizer(new ContrastMaximizationOptions { Threads = 0 }), "Threads", "[1, 64]" },
        { () => new EventKernelEstimator(new EventKernelOptions { PathSamples = 1 }), "PathSamples", "[2, " },
        { () => new EventKernelEstimator(new EventKernelOptions { Tracing = new StreakTracerOptions { SupportWindowUs = 0 } }), "SupportWindowUs", "[1, " },
        { () => new EventKernelEstimator(new EventKernelOptions { Consensus = new MotionConsensusOptions { InlierFloorPx = 0 } }), "InlierFloorPx", "(0, 1000]" },
        { () => new EventKernelEstimator(new EventKernelOptions { Texture = new ContrastMaximizationOptions { MinEvents = 0 } }), "MinEvents", "[1, " },
        { () => new EventKernelEstimator(new EventKernelOptions { TextureMarginFraction = -0.1 }), "TextureMarginFraction", "[0, 10]" },
        { () => new EventWarpScorer(new ContrastMaximizationOptions { SupportWindowUs = -5 }), "SupportWindowUs", "[1, " },
        { () => new EventKernelEstimator(new EventKernelOptions { RollMarginFraction = -1 }), "RollMarginFraction", "[0, 10]" },
        { () => new EventKernelEstimator(new EventKernelOptions { SkipTextureAboveGain = 0.5 }), "SkipTextureAboveGain", "[1, +∞]" },
        { () => new EventKernelEstimator(new EventKernelOptions { SkipTextureAboveGain = double.NaN }), "SkipTextureAboveGain", "[1, +∞]" },
        { () => new EventKernelEstimator(new EventKernelOptions { SkipTextureMinInlierFraction = 1.5 }), "SkipTextureMinInlierFraction", "[0, 1]" },
        { () => new EventKernelEstimator(new EventKernelOptions { Streaks = new StreakOptions(SeparateAtGapPx: 0.5) }), "SeparateAtGapPx", "[1, 1000]" },
        { () => new EventKernelEstimator(new EventKernelOptions { Streaks = new StreakOptions(SeparateAtGapPx: double.NaN) }), "SeparateAtGapPx", "[1, 1000]" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void AnOptionOutsideItsRangeIsRefusedByNameAndRange(Action make, string option, string range)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.Equal(option, e.ParamName);
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void TheDefaultOptionsAreValid()
    {
        new EventKernelOptions().Validate();
        _ = new EventKernelEstimator();
        Assert.Equal("events", new EventKernelEstimator(new EventKernelOptions { EventLatencyUs = 300 }).Name);
    }

    [Fact]
    public void AKernelPathBeyondTheReachLimitOrNotFiniteIsRefusedWithTheReasonInsteadOfAllocatingIt()
    {
        // A strongly projective calibration made paths of tens of thousands of pixels, and their kernels took gigabytes.
        var ok = KernelRaster.FromOffsets([(-KernelRaster.MaxReachPx, 0), (KernelRaster.MaxReachPx, 0)]);
        Assert.Equal(2 * KernelRaster.MaxReachPx + 3, ok.Size);
        var far = Assert.Throws<InvalidDataException>(() => KernelRaster.FromOffsets([(0, 0), (0, 40_000.25)]));
        Assert.Contains("reaches 40000 px", far.Message);
        Assert.Contains("rgb_to_events_homography", far.Message);
        var nan = Assert.Throws<InvalidDataException>(() => KernelRaster.FromOffsets([(0, 0), (double.NaN, 1)]));
        Assert.Contains("non-finite", nan.Message);
    }
}
