namespace EventDeblur.Formats.Aedat;

/// <summary>Kinds of data stream found in AEDAT files.</summary>
public enum AedatStreamKind
{
    /// <summary>Polarity events (AEDAT 4.0 <c>EVTS</c>).</summary>
    Events,
    /// <summary>APS frames (<c>FRME</c>).</summary>
    Frames,
    /// <summary>Inertial samples (<c>IMUS</c>).</summary>
    Imu,
    /// <summary>Triggers and special events (<c>TRIG</c>).</summary>
    Triggers,
    /// <summary>A stream type this reader does not decode; its packets are skipped.</summary>
    Other,
}
