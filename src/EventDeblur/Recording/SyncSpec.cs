namespace EventDeblur.Recording;

/// <summary>How RGB exposures are placed on the event clock.</summary>
/// <param name="Source"><c>table</c> (frames.csv times + offset) or <c>triggers</c> (external-input edges in the event file); <c>aps</c> in the bundle implied by an event file (the APS frames' own exposures).</param>
/// <param name="ClockOffsetUs">Added to frames.csv times in <c>table</c> mode, µs.</param>
public sealed record SyncSpec(string Source, long ClockOffsetUs);
