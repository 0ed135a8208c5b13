namespace EventDeblur.Events;

/// <summary>Trigger kinds, numbered as the AEDAT 4.0 <c>TriggerType</c> enum.</summary>
public enum TriggerType : sbyte
{
    /// <summary>Device timestamp reset.</summary>
    TimestampReset = 0,
    /// <summary>External input: rising edge.</summary>
    ExternalSignalRisingEdge = 1,
    /// <summary>External input: falling edge.</summary>
    ExternalSignalFallingEdge = 2,
    /// <summary>External input: pulse.</summary>
    ExternalSignalPulse = 3,
    /// <summary>Internal generator: rising edge.</summary>
    ExternalGeneratorRisingEdge = 4,
    /// <summary>Internal generator: falling edge.</summary>
    ExternalGeneratorFallingEdge = 5,
    /// <summary>APS frame readout start.</summary>
    ApsFrameStart = 6,
    /// <summary>APS frame readout end.</summary>
    ApsFrameEnd = 7,
    /// <summary>APS exposure start.</summary>
    ApsExposureStart = 8,
    /// <summary>APS exposure end.</summary>
    ApsExposureEnd = 9,
}
