namespace EventDeblur.Formats.Aedat;

/// <summary>Extensions for <see cref="AedatVersion"/>.</summary>
public static class AedatVersionExtensions
{
    /// <summary>The name used in reports: <c>AEDAT2.0</c>, <c>AEDAT3.1</c>, <c>AEDAT4.0</c>, <c>EVT2.0</c>, <c>EVT3.0</c>, <c>DAT</c> or <c>HDF5</c>.</summary>
    public static string DisplayName(this AedatVersion v) => v switch
    {
        AedatVersion.Aedat2 => "AEDAT2.0",
        AedatVersion.Aedat31 => "AEDAT3.1",
        AedatVersion.Evt2 => "EVT2.0",
        AedatVersion.Evt3 => "EVT3.0",
        AedatVersion.Dat => "DAT",
        AedatVersion.Hdf5 => "HDF5",
        _ => "AEDAT4.0",
    };
}
