using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>Opens any event file this project reads: Prophesee RAW / DAT by content or extension, otherwise AEDAT.</summary>
public static class EventFile
{
    /// <summary>
    /// Opens <paramref name="path"/> with <see cref="PropheseeReader.Open"/> when
    /// <see cref="PropheseeReader.IsPropheseeFile"/> says so, else with <see cref="AedatReader.Open"/>.
    /// </summary>
    /// <exception cref="AedatFormatException">The file cannot be opened as any supported format.</exception>
    public static IAedatReader Open(string path, AedatReaderOptions? options = null) =>
        PropheseeReader.IsPropheseeFile(path) ? PropheseeReader.Open(path, options) : AedatReader.Open(path, options);
}
