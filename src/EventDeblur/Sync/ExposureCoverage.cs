using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Recording;
using EventDeblur.IO;

namespace EventDeblur.Sync;

/// <summary>
/// Whether a frame's exposure window (event clock) lies within the event file's recorded time range. A window wholly
/// before the first event or after the last one gets no event at all: its kernels cannot come from events, and the
/// usual cause is a wrong clock offset (<c>sync.clock_offset_us</c>) or frame table, not a still scene.
/// </summary>
public static class ExposureCoverage
{
    /// <summary>
    /// Describes why <paramref name="exposure"/> cannot have events (a problem at the frame, with no source: the bundle as a whole), or returns null when it overlaps
    /// <c>[firstEventUs, lastEventUs]</c> (an overlap of any length counts; a window inside the range with no events
    /// is not reported here).
    /// </summary>
    /// <param name="index">The frame's index (frames.csv), for the message.</param>
    /// <param name="exposure">The exposure window <c>[start, end)</c> on the event clock, µs.</param>
    /// <param name="firstEventUs">Timestamp of the event file's first event, µs (event clock); null when the file has no events.</param>
    /// <param name="lastEventUs">Timestamp of its last event, µs; null when the file has no events.</param>
    /// <param name="syncSource">The bundle's <c>sync.source</c> (<c>table</c>, <c>triggers</c>, or <c>aps</c> for a DAVIS recording whose APS frames are the images; <c>live</c> for a live rig's events stream), to say what to check.</param>
    /// <remarks>The gap is computed in floating point: an absurd offset (e.g. −2^63 µs) must not overflow into a negative gap.</remarks>
    public static Problem? Gap(long index, TimeRangeUs exposure, long? firstEventUs, long? lastEventUs, string syncSource)
    {
        string hint = syncSource switch
        {
            "table" => "check sync.clock_offset_us in recording.json (event clock = frames.csv time + offset) and the frames.csv times",
            "aps" => "the APS frame and the events share the camera's clock, so the event file lost the events there (damaged packets) or the frame's timestamps are wrong",
            "live" => "the events stream delivered none for it (down, broken or ended: see the run's gaps and problems), or it does not belong to the trigger stream",
            _ => "check that the trigger stream belongs to these events",
        };
        if (firstEventUs is not long first || lastEventUs is not long last)
            return Problem.Error("", ProblemLocation.AtFrame(index), $"exposure {exposure} on the event clock, but {(syncSource == "live" ? "no event has come from the events stream" : "the event file has no events")}; {hint}");
        if (exposure.EndUs <= first)
            return Problem.Error("", ProblemLocation.AtFrame(index), $"exposure {exposure} on the event clock ends {((double)first - exposure.EndUs) / 1e6:0.######} s before the first event " +
                   $"(at {first} µs), so no event falls in it; {hint}");
        if (exposure.StartUs > last)
            return Problem.Error("", ProblemLocation.AtFrame(index), $"exposure {exposure} on the event clock starts {((double)exposure.StartUs - last) / 1e6:0.######} s after the last event " +
                   $"(at {last} µs), so no event falls in it; {hint}");
        return null;
    }

    /// <summary>Least events in an exposure for <see cref="Silence"/> to judge its gaps (100).</summary>
    public const int SilenceMinEvents = 100;

    /// <summary>
    /// A note when <paramref name="exposure"/> holds a stretch without any event of <paramref name="timesUs"/> (the window's
    /// events, time-ordered, µs) of at least 2 ms and 20× the exposure's mean interval between events (a Poisson stream's
    /// longest gap is about ln n of them), while at least <see cref="SilenceMinEvents"/> fall in it: the sensor dropped
    /// events there (an event-rate controller, a full bus) or nothing moved; null otherwise. Stop 48's trial: exposures
    /// with half their time in 8-ms gaps got no word (their kernels held up: 29.33 dB against 29.70).
    /// </summary>
    public static string? Silence(TimeRangeUs exposure, ReadOnlySpan<long> timesUs)
    {
        long duration = exposure.EndUs - exposure.StartUs;
        if (duration <= 0 || timesUs.Length == 0) return null;
        int lo = TimeOrder.LowerBound(timesUs, exposure.StartUs), hi = TimeOrder.LowerBound(timesUs, exposure.EndUs);
        int n = hi - lo;
        if (n < SilenceMinEvents) return null;
        // Gaps between the exposure's start, its events and its end.
        long worst = 0, from = 0, total = 0, previous = exposure.StartUs;
        for (int i = lo; i <= hi; i++)
        {
            long at = i < hi ? timesUs[i] : exposure.EndUs;
            long g = at - previous;
            if (g >= 2_000) total += g;
            if (g > worst) (worst, from) = (g, previous);
            previous = at;
        }
        double mean = (double)duration / n;
        if (worst < 2_000 || worst < 20 * mean) return null;
        return $"exposure {exposure} has no event from {from} to {from + worst} µs ({worst / 1000.0:0.###} ms; stretches of 2 ms or more without events make {100.0 * total / duration:0} % of it) while {n:N0} fall in the rest: the sensor dropped events there (an event-rate controller, a full bus) or nothing moved; its kernel bridges the gap";
    }

    /// <summary>
    /// Describes how much of <paramref name="exposure"/> lies outside <c>[firstEventUs, lastEventUs]</c> when some of it
    /// does but not all (null when it lies wholly inside, wholly outside — <see cref="Gap"/>'s case —, outside by under
    /// 0.5 % of it, or there are no events): its kernel then comes from part of the motion only.
    /// </summary>
    /// <param name="exposure">The exposure window <c>[start, end)</c> on the event clock, µs.</param>
    /// <param name="firstEventUs">The event file's first timestamp, µs.</param>
    /// <param name="lastEventUs">Its last timestamp, µs.</param>
    public static string? Partial(TimeRangeUs exposure, long? firstEventUs, long? lastEventUs)
    {
        if (firstEventUs is not long first || lastEventUs is not long last || exposure.EndUs <= exposure.StartUs) return null;
        if (exposure.EndUs <= first || exposure.StartUs > last) return null;
        // The exposure is [start, end): it reaches end − last µs past the last event (an exposure ending 40 ms after it says 40 ms).
        double before = Math.Max(0, (double)first - exposure.StartUs), after = Math.Max(0, (double)exposure.EndUs - 1 - last) > 0 ? (double)exposure.EndUs - last : 0;
        if (before + after <= 0) return null;
        double share = (before + after) / ((double)exposure.EndUs - exposure.StartUs);
        // Under half a per cent (a first event 8 µs after the exposure's start, stop 48's trial): no part of the motion to
        // speak of, and the note read "0 % of it has no events".
        if (share < 0.005) return null;
        var parts = new List<string>();
        if (before > 0) parts.Add($"starts {before / 1000:0.###} ms before the first event (at {first} µs)");
        if (after > 0) parts.Add($"ends {after / 1000:0.###} ms after the last event (at {last} µs)");
        return $"exposure {exposure} {string.Join(" and ", parts)}: {share:P0} of it has no events, so its kernel comes from part of the motion";
    }

    /// <summary>
    /// When every exposure of a table-synchronised bundle lies outside the events' time range — the clock offset is
    /// wrong, not a frame — a note with the offset that would start the first exposure at the first event, naming
    /// both places it is set (<c>bundle --clock-offset-us</c>, <c>sync.clock_offset_us</c>); null otherwise (some
    /// exposure overlaps the events, trigger sync, no events, or no exposure).
    /// </summary>
    /// <param name="exposures">Every frame's exposure window on the event clock (with <paramref name="currentOffsetUs"/> applied), µs.</param>
    /// <param name="firstEventUs">The event file's first timestamp, µs; null when it has no events.</param>
    /// <param name="lastEventUs">Its last timestamp, µs.</param>
    /// <param name="currentOffsetUs">The bundle's <c>sync.clock_offset_us</c>, µs.</param>
    /// <param name="syncSource">The bundle's <c>sync.source</c>: only <c>table</c> has an offset to suggest.</param>
    public static Problem? OffsetHint(IReadOnlyList<TimeRangeUs> exposures, long? firstEventUs, long? lastEventUs, long currentOffsetUs, string syncSource)
    {
        if (Suggestion(exposures, firstEventUs, lastEventUs, currentOffsetUs, syncSource) is not var (offset, slip)) return null;
        long first = firstEventUs!.Value, last = lastEventUs!.Value;
        long start = exposures.Min(e => e.StartUs), end = exposures.Max(e => e.EndUs);
        if (slip != null)
            return Problem.Note("", ProblemLocation.None,
                $"every exposure lies outside the events ([{first}, {last}] µs on the event clock; exposures [{start}, {end}) µs with clock offset {currentOffsetUs} µs), " +
                $"and with {slip}, {offset} µs, all {exposures.Count} of them lie within the events: if that is the rig's offset, 'bundle --clock-offset-us {offset}', or sync.clock_offset_us in recording.json");
        double spanS = ((double)end - start) / 1e6, eventsS = ((double)last - first) / 1e6;
        string fits = spanS <= eventsS
            ? $"the exposures ({spanS:0.###} s) then fall within the events ({eventsS:0.###} s)"
            : $"the exposures span {spanS:0.###} s, the events only {eventsS:0.###} s, so check the frames.csv times too";
        return Problem.Note("", ProblemLocation.None,
            $"every exposure lies outside the events ([{first}, {last}] µs on the event clock; exposures [{start}, {end}) µs with clock offset {currentOffsetUs} µs): " +
            $"a clock offset of {offset} µs would start the first exposure at the first event ({fits}) — 'bundle --clock-offset-us {offset}', or sync.clock_offset_us in recording.json. " +
            "That offset is only a starting point, not a measurement: the true one comes from the rig's synchronisation (the camera's exposure signal on the DAVIS's external input, '--sync triggers', or a measured offset), " +
            "and a wrong one takes each frame's kernel from the wrong events and gives a worse result without any error (the shipped sample with its offset 10 ms off: 29.1 dB instead of 36.0, every frame 'ok')");
    }

    /// <summary>The offset <see cref="OffsetHint"/> suggests (µs), or null when it has no note to give.</summary>
    public static long? SuggestedOffsetUs(IReadOnlyList<TimeRangeUs> exposures, long? firstEventUs, long? lastEventUs, long currentOffsetUs, string syncSource) =>
        Suggestion(exposures, firstEventUs, lastEventUs, currentOffsetUs, syncSource)?.Offset;

    /// <summary>
    /// The offset to suggest when every exposure lies outside the events, µs, and the slip it undoes: first the usual
    /// slips of a given offset (its sign, or a unit: ms or ns written as µs), when one of them puts every exposure within
    /// the events (stop 47's trial: −N for +N got a first-event guess 10 ms off; the flip fits exactly); else the offset
    /// that starts the first exposure at the first event (slip null: a guess). Null when there is no note to give.
    /// </summary>
    public static (long Offset, string? Slip)? Suggestion(IReadOnlyList<TimeRangeUs> exposures, long? firstEventUs, long? lastEventUs, long currentOffsetUs, string syncSource)
    {
        if (syncSource != "table" || exposures.Count == 0 || firstEventUs is not long first || lastEventUs is not long last) return null;
        if (exposures.Any(e => e.EndUs > first && e.StartUs <= last)) return null;
        if (currentOffsetUs != 0)
            foreach (var (candidate, slip) in new (double, string)[]
                     {
                         (-(double)currentOffsetUs, "the opposite sign"),
                         ((double)currentOffsetUs * 1000, "the offset read as ms (× 1000)"),
                         (Math.Round((double)currentOffsetUs / 1000), "the offset read as ns (÷ 1000)"),
                     })
            {
                double shift = candidate - currentOffsetUs;
                if (Math.Abs(candidate) < 9e18 && exposures.All(e => (double)e.StartUs + shift >= first && (double)e.EndUs + shift <= (double)last + 1))
                    return ((long)candidate, slip);
            }
        // In floating point, then bounded: the offsets involved may be absurd (a corrupt CSV).
        double suggested = (double)currentOffsetUs + ((double)first - exposures.Min(e => e.StartUs));
        return Math.Abs(suggested) < 9e18 ? ((long)suggested, null) : null;
    }

    /// <summary>
    /// One problem per frame of <paramref name="match"/> whose exposure no event can fall in, from one pass over the
    /// bundle's event file (frames not decoded); none for APS bundles (their exposures come from the event file itself).
    /// </summary>
    /// <exception cref="AedatFormatException">The event file cannot be opened (any format <c>inspect</c> reads).</exception>
    public static IReadOnlyList<Problem> Problems(RecordingBundle bundle, ExposureMatch match)
    {
        if (bundle.IsApsBundle) return [];
        long? first = null, last = null;
        using (var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false }))
        {
            while (reader.TryRead(out var p))
            {
                if (p is not EventsPacket ep) continue;
                using var b = ep.Events;
                if (b.Count == 0) continue;
                first ??= b.Timestamps[0];
                last = b.Timestamps[^1];
            }
        }
        return match.Windows.Where(w => w.Exposure != null)
            .Select(w => Gap(w.Index, w.Exposure!.Value, first, last, bundle.Manifest.Sync.Source))
            .OfType<Problem>().ToList();
    }
}
