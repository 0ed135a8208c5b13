namespace EventDeblur.Kernels;

/// <summary>
/// A camera motion over the exposure as image motion: per path sample (equally spaced in time) the map taking a point's
/// mid-exposure position to its position at that time, frame pixels.
/// </summary>
/// <param name="Kind">Which family the model belongs to.</param>
/// <param name="Samples">The map per sample.</param>
public sealed record CameraMotion(MotionKind Kind, AffineSample[] Samples)
{
    /// <summary>Whether the motion differs across the frame.</summary>
    public bool VariesAcrossFrame => Kind != MotionKind.Translation;

    /// <summary>Offsets (frame pixels) of a point at (<paramref name="x"/>, <paramref name="y"/>) from its position at the model's reference time.</summary>
    public (double X, double Y)[] OffsetsAt(double x, double y)
    {
        var o = new (double X, double Y)[Samples.Length];
        for (int k = 0; k < o.Length; k++)
        {
            var q = Samples[k].Apply(x, y);
            o[k] = (q.X - x, q.Y - y);
        }
        return o;
    }

    /// <summary>The translation of the frame origin per sample (the whole motion for <see cref="MotionKind.Translation"/>).</summary>
    public (double X, double Y)[] Shift => Samples.Select(s => (s.Tx, s.Ty)).ToArray();

    /// <summary>
    /// Largest change of the offsets across the frame beyond translation, pixels: how far the corners' paths differ
    /// from the centre's at the worst sample.
    /// </summary>
    public double MaxCornerDeviationPx(int width, int height)
    {
        double cx = width / 2.0, cy = height / 2.0, worst = 0;
        // In place (no offset arrays): the consensus asks this of every rotation and affine hypothesis.
        foreach (var (x, y) in new[] { (0.0, 0.0), (width, 0.0), (0.0, height), (width, (double)height) })
            foreach (var s in Samples)
            {
                var q = s.Apply(x, y);
                var c = s.Apply(cx, cy);
                worst = Math.Max(worst, Math.Sqrt(Sq(q.X - x - (c.X - cx)) + Sq(q.Y - y - (c.Y - cy))));
            }
        return worst;
    }

    /// <summary>Largest rate of change of the offsets across the frame, pixels of offset per pixel of position.</summary>
    public double MaxOffsetGradient()
    {
        double g = 0;
        foreach (var s in Samples) g = Math.Max(g, Math.Max(Math.Abs(s.A - 1) + Math.Abs(s.B), Math.Abs(s.C) + Math.Abs(s.D - 1)));
        return g;
    }

    /// <summary>Twice the signed area of the triangle (a, b, c), pixels².</summary>
    private static double Cross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) => (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);

    private static double Sq(double v) => v * v;
}
