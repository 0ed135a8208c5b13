using EventDeblur.IO;
namespace EventDeblur.Formats.Aedat;

/// <summary>
/// A streaming reader of one AEDAT file: packets come one at a time, and memory stays bounded by
/// the largest packet whatever the file size.
/// </summary>
public interface IAedatReader : IDisposable
{
    /// <summary>Header information.</summary>
    AedatFileInfo Info { get; }

    /// <summary>
    /// Problems found so far. Reading stops at the first <see cref="ProblemSeverity.Error"/> that
    /// makes the rest of the file undecodable; everything valid before it has been delivered.
    /// </summary>
    IReadOnlyList<Problem> Problems { get; }

    /// <summary>Reads the next packet; <c>false</c> at the end of the data or after a fatal problem.</summary>
    bool TryRead(out AedatPacket? packet);
}
