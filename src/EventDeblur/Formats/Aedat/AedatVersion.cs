namespace EventDeblur.Formats.Aedat;

/// <summary>AEDAT container versions this project reads.</summary>
public enum AedatVersion
{
    /// <summary>jAER AEDAT 2.0: big-endian 8-byte address/timestamp records.</summary>
    Aedat2,
    /// <summary>cAER AEDAT 3.1: little-endian typed packets.</summary>
    Aedat31,
    /// <summary>DV AEDAT 4.0: flatbuffer packets, optionally LZ4/ZSTD compressed.</summary>
    Aedat4,
    /// <summary>Prophesee RAW EVT 2.0 (32-bit words; read by <c>Formats.Prophesee</c>).</summary>
    Evt2,
    /// <summary>Prophesee RAW EVT 3.0 (16-bit words; read by <c>Formats.Prophesee</c>).</summary>
    Evt3,
    /// <summary>Prophesee DAT event file (8-byte records; read by <c>Formats.Prophesee</c>).</summary>
    Dat,
    /// <summary>HDF5 event file, DSEC or h5_tools layout (read by <c>Formats.Hdf5</c>).</summary>
    Hdf5,
}
