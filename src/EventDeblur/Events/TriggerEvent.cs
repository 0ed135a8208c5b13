namespace EventDeblur.Events;

/// <summary>A trigger (special) event.</summary>
/// <param name="TimestampUs">Time in µs of the event clock.</param>
/// <param name="Type">What happened.</param>
public readonly record struct TriggerEvent(long TimestampUs, TriggerType Type);
