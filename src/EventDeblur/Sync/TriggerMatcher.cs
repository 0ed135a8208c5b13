using EventDeblur.Events;
using EventDeblur.Recording;
using EventDeblur.IO;

namespace EventDeblur.Sync;

/// <summary>
/// Matches RGB frame rows to exposures found as external-input trigger edges (rising = start, the
/// next falling = end). When counts differ (clipped recording, missed edge, dropped frame), the
/// spacing of the rows' own times is aligned with the spacing of the exposures to find the gap; a
/// row is paired only when its aligned time falls within a quarter frame interval of an exposure.
/// Regular spacing fits several shifts equally (rows missing at the start fit the first exposures as
/// well as their own): the shifts that pair the most rows are then told apart by the rows' exposure
/// durations against the exposures' (clock-independent), then by the rows' times plus
/// <c>sync.clock_offset_us</c> against the exposures' (when the clocks agree); when nothing tells them
/// apart the pairing is reported as ambiguous. APS trigger types are ignored.
/// </summary>
public static class TriggerMatcher
{
    /// <summary>Builds exposures from trigger edges and matches them to rows.</summary>
    /// <param name="rows">The frames.csv rows, in order.</param>
    /// <param name="triggers">The event file's trigger events.</param>
    /// <param name="clockOffsetUs">The bundle's <c>sync.clock_offset_us</c>: row time + offset is tried as event-clock time to break a tie.</param>
    public static ExposureMatch Match(IReadOnlyList<FrameRow> rows, IReadOnlyList<TriggerEvent> triggers, long clockOffsetUs = 0)
    {
        var pairer = new TriggerEdgePairer();
        var exposures = new List<TimeRangeUs>();
        foreach (var t in triggers)
            if (pairer.Add(t) is { } exposure) exposures.Add(exposure);
        pairer.Finish();
        var problems = pairer.Problems;
        if (exposures.Count == 0 && rows.Count > 0)
            problems.Add(Problem.Error(TriggerEdgePairer.Source, NoExposuresReason(triggers)));
        var match = MatchExposures(rows, exposures, problems, clockOffsetUs);
        if (InvertedSignal(rows, triggers, match, clockOffsetUs) is { } inverted) problems.Insert(0, Problem.Error(TriggerEdgePairer.Source, inverted));
        return match;
    }

    /// <summary>
    /// A sentence when the exposure signal looks inverted (active-low): the windows from each falling edge to the next
    /// rising edge last as long as the rows' own exposures (median relative difference under 15 %, on at least two rows
    /// and as many as the normal windows pair), while the rising → falling windows do not (over 30 %, or none pair). The
    /// rows' durations are what frames.csv (an exposure CSV) says; a signal read the wrong way round pairs every frame
    /// with the gap between two exposures. Null otherwise, and when every row lasts exactly
    /// <see cref="BundleSources.DefaultNominalExposureUs"/>: the placeholder a video without an exposure CSV gets, which says
    /// nothing about the exposures (a normal rig whose gaps last 10 ms had been told its signal looked inverted).
    /// </summary>
    internal static string? InvertedSignal(IReadOnlyList<FrameRow> rows, IReadOnlyList<TriggerEvent> triggers, ExposureMatch normal, long clockOffsetUs)
    {
        if (rows.Count < 2 || rows.All(r => r.ExposureEndUs - r.ExposureStartUs == BundleSources.DefaultNominalExposureUs)) return null;
        var low = new TriggerEdgePairer(activeLow: true);
        var gaps = new List<TimeRangeUs>();
        foreach (var t in triggers)
            if (low.Add(t) is { } window) gaps.Add(window);
        if (gaps.Count < 2) return null;
        var inverted = MatchExposures(rows, gaps, [], clockOffsetUs);
        static (int Paired, double Error, double Window, double Row) Fit(ExposureMatch m)
        {
            var pairs = m.Windows.Where(w => w.Exposure != null && w.Row is { } r && r.ExposureEndUs > r.ExposureStartUs).ToList();
            if (pairs.Count == 0) return (0, double.PositiveInfinity, 0, 0);
            static double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
            return (pairs.Count,
                Median(pairs.Select(w => Math.Abs((double)(w.Exposure!.Value.EndUs - w.Exposure.Value.StartUs) - (w.Row!.ExposureEndUs - w.Row.ExposureStartUs)) / (w.Row.ExposureEndUs - w.Row.ExposureStartUs))),
                Median(pairs.Select(w => (double)(w.Exposure!.Value.EndUs - w.Exposure.Value.StartUs))),
                Median(pairs.Select(w => (double)(w.Row!.ExposureEndUs - w.Row.ExposureStartUs))));
        }
        var (np, ne, nw, _) = Fit(normal);
        var (ip, ie, iw, ir) = Fit(inverted);
        if (ip < 2 || ip < np || !(ie < 0.15) || !(ne > 0.3 || np == 0)) return null;
        string Ms(double us) => (us / 1000).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " ms";
        return $"the exposure signal looks inverted (active-low): frames.csv's exposures last {Ms(ir)} (median), the trigger windows from a rising to the next falling edge " +
               (np > 0 ? $"{Ms(nw)}" : "pair with no row") + $", and those from a falling to the next rising edge {Ms(iw)}; exposures are read as rising → falling edges " +
               "(RECORDING_FORMAT.md), so the frames were paired with the gaps between exposures: if the camera's exposure output is active-low, make the bundle again with --trigger-polarity low";
    }

    /// <summary>Why trigger sync found no RGB exposure: the trigger kinds the file has instead.</summary>
    internal static string NoExposuresReason(IReadOnlyList<TriggerEvent> triggers)
    {
        const string instead = "record the RGB camera's exposure signal on the DAVIS's external input, or use table sync (--exposure-csv with --clock-offset-us)";
        if (triggers.Count == 0) return $"the event file has no trigger events, so no exposure can come from triggers; {instead}";
        int rising = triggers.Count(t => t.Type == TriggerType.ExternalSignalRisingEdge), falling = triggers.Count(t => t.Type == TriggerType.ExternalSignalFallingEdge);
        int aps = triggers.Count(t => t.Type is >= TriggerType.ApsFrameStart and <= TriggerType.ApsExposureEnd);
        return $"no exposure from the event file's {triggers.Count:N0} trigger events: {rising:N0} external-input rising and {falling:N0} falling edges" +
               (aps > 0 ? $", {aps:N0} of them the DAVIS's own APS frame triggers, which never define RGB exposures" : "") +
               $" (an exposure is a rising edge and the next falling edge); {instead}";
    }

    /// <summary>Matches rows to given exposure windows (event clock), reporting every unmatched one, and an alignment that nothing singles out.</summary>
    public static ExposureMatch MatchExposures(IReadOnlyList<FrameRow> rows, IReadOnlyList<TimeRangeUs> exposures, List<Problem>? problems = null, long clockOffsetUs = 0)
    {
        problems ??= [];
        var pairing = new int[rows.Count];
        Array.Fill(pairing, -1);
        if (rows.Count > 0 && exposures.Count > 0)
        {
            if (rows.Count == 1 || exposures.Count == 1)
            {
                if (rows.Count == exposures.Count) pairing[0] = 0;
            }
            else if (Align(rows, exposures, pairing, clockOffsetUs) is { } ambiguity)
                problems.Add(Problem.Error(TriggerEdgePairer.Source, ambiguity));
        }

        var used = new bool[exposures.Count];
        var windows = new List<FrameWindow>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            int j = pairing[i];
            if (j >= 0) used[j] = true;
            else problems.Add(Problem.Error("", ProblemLocation.AtFrame(rows[i].Index), "no trigger exposure matches this row; frame has no exposure window"));
            windows.Add(new FrameWindow(rows[i].Index, rows[i], j >= 0 ? exposures[j] : null));
        }
        for (int j = 0; j < exposures.Count; j++)
            if (!used[j]) problems.Add(Problem.Error(TriggerEdgePairer.Source, $"exposure {exposures[j]} from triggers matches no frames.csv row (dropped frame?)"));
        return new ExposureMatch(windows, problems);
    }

    /// <summary>Fills <paramref name="pairing"/> (row → exposure index, −1 for none); returns a sentence when several shifts fit equally well, else null.</summary>
    private static string? Align(IReadOnlyList<FrameRow> rows, IReadOnlyList<TimeRangeUs> exp, int[] pairing, long clockOffsetUs)
    {
        var rowSteps = new List<long>();
        for (int i = 1; i < rows.Count; i++) rowSteps.Add(rows[i].ExposureStartUs - rows[i - 1].ExposureStartUs);
        var expSteps = new List<long>();
        for (int j = 1; j < exp.Count; j++) expSteps.Add(exp[j].StartUs - exp[j - 1].StartUs);
        long period = Math.Max(1, Math.Min(Median(rowSteps), Median(expSteps)));
        long tol = Math.Max(1, period / 4);

        // Every seed's pairing, scored: rows paired, the spacing residual (µs), the duration residual (µs) and the
        // residual of the rows' own times plus the clock offset (µs).
        var candidates = new List<(int[] Pairs, int Matches, double Spacing, double Duration, double Absolute)>();
        const int k = 8;
        for (int i0 = 0; i0 < Math.Min(k, rows.Count); i0++)
        for (int j0 = 0; j0 < Math.Min(k, exp.Count); j0++)
        {
            long offset = exp[j0].StartUs - rows[i0].ExposureStartUs;
            var candidate = new int[rows.Count];
            int matches = 0;
            double spacing = 0, duration = 0, absolute = 0;
            int jj = 0;
            for (int i = 0; i < rows.Count; i++)
            {
                candidate[i] = -1;
                long target = rows[i].ExposureStartUs + offset;
                while (jj < exp.Count && exp[jj].StartUs < target - tol) jj++;
                if (jj < exp.Count && Math.Abs(exp[jj].StartUs - target) <= tol)
                {
                    candidate[i] = jj;
                    matches++;
                    spacing += Math.Abs(exp[jj].StartUs - target);
                    duration += Math.Abs((double)(exp[jj].EndUs - exp[jj].StartUs) - (rows[i].ExposureEndUs - rows[i].ExposureStartUs));
                    absolute += Math.Abs((double)exp[jj].StartUs - ((double)rows[i].ExposureStartUs + clockOffsetUs));
                    jj++;
                }
            }
            if (matches > 0 && !candidates.Any(c => c.Pairs.AsSpan().SequenceEqual(candidate)))
                candidates.Add((candidate, matches, spacing / matches, duration / matches, absolute / matches));
        }
        if (candidates.Count == 0) return null;
        int most = candidates.Max(c => c.Matches);
        // Ties in spacing and duration are differences below a millisecond (trigger edges and camera stamps jitter).
        var best = candidates.Where(c => c.Matches == most).OrderBy(c => c.Spacing + c.Duration).ToList();
        var chosen = best[0];
        string? ambiguity = null;
        var rivals = best.Skip(1).Where(c => c.Spacing + c.Duration <= chosen.Spacing + chosen.Duration + 1000).ToList();
        if (rivals.Count > 0)
        {
            // Spacing and durations fit several shifts: the rows' own times (with the clock offset) decide when they
            // single one out by a quarter period; else the earliest shift is kept and the tie reported.
            var tied = new[] { chosen }.Concat(rivals).OrderBy(c => c.Absolute).ToList();
            // Only a shift whose rows land on their exposures (within a quarter period) counts: far-off clocks say nothing.
            if (tied[0].Absolute <= tol && tied[1].Absolute - tied[0].Absolute > tol) chosen = tied[0];
            else
            {
                chosen = tied.OrderBy(c => c.Pairs.Where(x => x >= 0).DefaultIfEmpty(int.MaxValue).Min()).First();
                ambiguity = $"the frames.csv rows fit the trigger exposures equally well at {tied.Count} shifts ({most} rows paired each; their spacing and durations are regular, and their times with sync.clock_offset_us {clockOffsetUs} µs single none out): " +
                            "frames were paired from the earliest exposure, so if rows are missing at the start of frames.csv every pairing is off; check the first frames, or give frames.csv times on the event clock with the right clock offset";
            }
        }
        Array.Copy(chosen.Pairs, pairing, rows.Count);
        return ambiguity;
    }

    private static long Median(List<long> v)
    {
        if (v.Count == 0) return 1;
        var s = v.OrderBy(x => x).ToList();
        return s[s.Count / 2];
    }
}
