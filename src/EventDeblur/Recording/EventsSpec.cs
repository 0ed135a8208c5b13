namespace EventDeblur.Recording;

/// <summary>The event stream of a bundle.</summary>
/// <param name="File">Path relative to the bundle.</param>
/// <param name="Width">Event sensor width, pixels.</param>
/// <param name="Height">Event sensor height, pixels.</param>
/// <param name="Camera">Camera model, e.g. DAVIS346.</param>
public sealed record EventsSpec(string File, int Width, int Height, string Camera);
