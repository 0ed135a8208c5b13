namespace EventDeblur.Streaks;

/// <summary>
/// Which frame pixels belong to one of several lights whose bounding boxes overlap: each pixel goes to the bright
/// component nearest to it (a Voronoi partition of the frame by the components, <see cref="StreakDetector"/>), so a light
/// traced among its neighbours keeps the events of its own side of the gaps between them.
/// </summary>
public sealed class StreakOwnership
{
    private readonly int[] _nearest;
    private readonly int _width, _height, _label;

    internal StreakOwnership(int[] nearest, int width, int height, int label)
    {
        _nearest = nearest;
        _width = width;
        _height = height;
        _label = label;
    }

    /// <summary>
    /// True when the frame point (<paramref name="x"/>, <paramref name="y"/>) (RGB pixels, pixel centres at integers; the
    /// pixel it falls in, halves rounded up) is nearer to this light's bright pixels than to any other bright component's.
    /// A point outside the frame is judged at the frame's nearest pixel (the tracer's margin may reach past the edge).
    /// </summary>
    public bool Owns(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y)) return false;
        int ix = (int)Math.Clamp(Math.Floor(x + 0.5), 0, _width - 1), iy = (int)Math.Clamp(Math.Floor(y + 0.5), 0, _height - 1);
        return _nearest[iy * _width + ix] == _label;
    }
}
