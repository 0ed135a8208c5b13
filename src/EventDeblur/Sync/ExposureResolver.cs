using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Recording;

namespace EventDeblur.Sync;

/// <summary>Places a bundle's frames on the event clock (the sync step between a recording and its frames).</summary>
public static class ExposureResolver
{
    /// <summary>
    /// Places every frame's exposure on the event clock: from the table (plus clock offset), from
    /// trigger edges in the event file, or — for APS bundles — from the frames' own exposure times.
    /// </summary>
    public static ExposureMatch ResolveExposures(this RecordingBundle bundle)
    {
        if (bundle.IsApsBundle) return ApsExposures(bundle);
        if (bundle.Manifest.Sync.Source == "table")
        {
            var windows = bundle.Frames.Select(f => new FrameWindow(f.Index, f,
                new TimeRangeUs(checked(f.ExposureStartUs + bundle.Manifest.Sync.ClockOffsetUs), checked(f.ExposureEndUs + bundle.Manifest.Sync.ClockOffsetUs)))).ToList();
            return new ExposureMatch(windows, []);
        }
        var triggers = new List<TriggerEvent>();
        using (var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false, DecodeEvents = false }))
        {
            while (reader.TryRead(out var p))
            {
                // Events are not decoded: this pass reads the trigger packets and steps over the rest.
                if (p is TriggersPacket tp) triggers.AddRange(tp.Triggers);
            }
        }
        return TriggerMatcher.Match(bundle.Frames, triggers, bundle.Manifest.Sync.ClockOffsetUs);
    }

    private static ExposureMatch ApsExposures(RecordingBundle bundle) =>
        new(bundle.ApsExposures().Select(e => new FrameWindow(e.Index, null, e.Exposure)).ToList(), []);
}
