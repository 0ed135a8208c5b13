using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Hdf5;

namespace EventDeblur.Formats.Prophesee;

/// <summary>Opens any event file this project reads: HDF5 by its signature, Prophesee RAW / DAT by content or extension, otherwise AEDAT.</summary>
public static class EventFile
{
    /// <summary>
    /// Opens <paramref name="path"/> with <see cref="Hdf5EventReader.Open"/> when <see cref="Hdf5EventReader.IsHdf5File"/>
    /// says so, with <see cref="PropheseeReader.Open"/> when <see cref="PropheseeReader.IsPropheseeFile"/> says so,
    /// else with <see cref="AedatReader.Open"/>.
    /// </summary>
    /// <exception cref="AedatFormatException">The file cannot be opened as any supported format.</exception>
    public static IAedatReader Open(string path, AedatReaderOptions? options = null) =>
        Hdf5EventReader.IsHdf5File(path) ? Hdf5EventReader.Open(path, options)
        : PropheseeReader.IsPropheseeFile(path) ? PropheseeReader.Open(path, options)
        : AedatReader.Open(path, options);

    /// <summary>True when <paramref name="path"/> is read by a reader other than the AEDAT ones (HDF5, Prophesee RAW / DAT).</summary>
    public static bool IsNonAedat(string path) => Hdf5EventReader.IsHdf5File(path) || PropheseeReader.IsPropheseeFile(path);
}
