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

    /// <summary>
    /// The largest x and y of the file's events and how many there are (one streaming pass, frames not decoded), for a
    /// file that states no sensor size: the sensor is at least (MaxX + 1) × (MaxY + 1) pixels. Null when the file has no
    /// events or cannot be read.
    /// </summary>
    public static (int MaxX, int MaxY, long Count)? Extent(string path)
    {
        try
        {
            int maxX = -1, maxY = -1;
            long count = 0;
            using var scan = Open(path, new AedatReaderOptions { DecodeFrames = false });
            while (scan.TryRead(out var p))
            {
                if (p is not EventsPacket ep) continue;
                using var b = ep.Events;
                foreach (short v in b.Xs) if (v > maxX) maxX = v;
                foreach (short v in b.Ys) if (v > maxY) maxY = v;
                count += b.Count;
            }
            return count > 0 ? (maxX, maxY, count) : null;
        }
        catch (Exception e) when (e is AedatFormatException or IOException or ArgumentException or UnauthorizedAccessException or NotSupportedException) { return null; }
    }

    /// <summary>True when <paramref name="path"/> is read by a reader other than the AEDAT ones (HDF5, Prophesee RAW / DAT).</summary>
    public static bool IsNonAedat(string path) => Hdf5EventReader.IsHdf5File(path) || PropheseeReader.IsPropheseeFile(path);
}
