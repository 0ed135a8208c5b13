using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>Settings of a <see cref="PropheseeRawWriter"/>.</summary>
public sealed record PropheseeRawWriterOptions
{
    /// <summary>Payload encoding: <see cref="AedatVersion.Evt2"/> or <see cref="AedatVersion.Evt3"/>.</summary>
    public required AedatVersion Encoding { get; init; }

    /// <summary>Sensor width in pixels, 1..2048 (EVT addresses have 11 bits).</summary>
    public required int Width { get; init; }

    /// <summary>Sensor height in pixels, 1..2048.</summary>
    public required int Height { get; init; }

    /// <summary>Serial number written to the header (empty: none).</summary>
    public string Serial { get; init; } = "";

    /// <summary>EVT 3.0 only: encode runs of ≥ 3 same-time, same-row, same-polarity events with ascending x within 32 pixels as VECT_BASE_X + VECT_12/VECT_8 words.</summary>
    public bool Vectorize { get; init; } = true;
}
