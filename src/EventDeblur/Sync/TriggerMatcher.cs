using EventDeblur.Events;
using EventDeblur.Recording;
using EventDeblur.IO;

namespace EventDeblur.Sync;

/// <summary>
/// Matches RGB frame rows to exposures found as external-input trigger edges (rising = start, the
/// next falling = end). When counts differ (clipped recording, missed edge, dropped frame), the
/// spacing of the rows' own times is aligned with the spacing of the exposures to find the gap; a
/// row is paired only when its aligned time falls within a quarter frame interval of an exposure,
/// so a frame is never paired with the wrong exposure. APS trigger types are ignored.
/// </summary>
public static class TriggerMatcher
{
    /// <summary>Builds exposures from trigger edges and matches them to rows.</summary>
    public static ExposureMatch Match(IReadOnlyList<FrameRow> rows, IReadOnlyList<TriggerEvent> triggers)
    {
        var pairer = new TriggerEdgePairer();
        var exposures = new List<TimeRangeUs>();
        foreach (var t in triggers)
            if (pairer.Add(t) is { } exposure) exposures.Add(exposure);
        pairer.Finish();
        var problems = pairer.Problems;
        return MatchExposures(rows, exposures, problems);
    }

    /// <summary>Matches rows to given exposure windows (event clock), reporting every unmatched one.</summary>
    public static ExposureMatch MatchExposures(IReadOnlyList<FrameRow> rows, IReadOnlyList<TimeRangeUs> exposures, List<Problem>? problems = null)
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
            else
                Align(rows, exposures, pairing);
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

    private static void Align(IReadOnlyList<FrameRow> rows, IReadOnlyList<TimeRangeUs> exp, int[] pairing)
    {
        var rowSteps = new List<long>();
        for (int i = 1; i < rows.Count; i++) rowSteps.Add(rows[i].ExposureStartUs - rows[i - 1].ExposureStartUs);
        var expSteps = new List<long>();
        for (int j = 1; j < exp.Count; j++) expSteps.Add(exp[j].StartUs - exp[j - 1].StartUs);
        long period = Math.Max(1, Math.Min(Median(rowSteps), Median(expSteps)));
        long tol = Math.Max(1, period / 4);

        int best = -1;
        long bestResidual = long.MaxValue;
        int[] candidate = new int[rows.Count];
        const int k = 8;
        for (int i0 = 0; i0 < Math.Min(k, rows.Count); i0++)
        for (int j0 = 0; j0 < Math.Min(k, exp.Count); j0++)
        {
            long offset = exp[j0].StartUs - rows[i0].ExposureStartUs;
            int matches = 0;
            long residual = 0;
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
                    residual += Math.Abs(exp[jj].StartUs - target);
                    jj++;
                }
            }
            if (matches > best || (matches == best && residual < bestResidual))
            {
                best = matches;
                bestResidual = residual;
                Array.Copy(candidate, pairing, rows.Count);
            }
        }
    }

    private static long Median(List<long> v)
    {
        if (v.Count == 0) return 1;
        var s = v.OrderBy(x => x).ToList();
        return s[s.Count / 2];
    }
}
