namespace EventDeblur.Formats.Hdf5;

/// <summary>The two HDF5 event layouts <see cref="Hdf5EventReader"/> reads.</summary>
public enum Hdf5EventLayout
{
    /// <summary>
    /// DSEC (<c>events.h5</c>): <c>events/x</c>, <c>events/y</c> (uint16 px), <c>events/t</c> (µs, relative to
    /// the optional scalar <c>t_offset</c>, µs), <c>events/p</c> (0 = OFF, 1 = ON), and the optional index
    /// <c>ms_to_idx</c> (entry k = index of the first event with t ≥ k ms).
    /// </summary>
    Dsec,

    /// <summary>
    /// h5_tools (events_contrast_maximization's <c>h5_packager</c>): <c>events/xs</c>, <c>events/ys</c>,
    /// <c>events/ts</c> (float = seconds, integer = µs), <c>events/ps</c> (bool or 0/1 or −1/+1), and the root
    /// attribute <c>sensor_resolution</c> = (height, width).
    /// </summary>
    H5Tools,
}
