namespace EventDeblur.Kernels;

/// <summary>One sample of an image motion: x' = A·x + B·y + Tx, y' = C·x + D·y + Ty, frame pixels.</summary>
/// <param name="A">x' per x.</param>
/// <param name="B">x' per y.</param>
/// <param name="C">y' per x.</param>
/// <param name="D">y' per y.</param>
/// <param name="Tx">x' offset, pixels.</param>
/// <param name="Ty">y' offset, pixels.</param>
public readonly record struct AffineSample(double A, double B, double C, double D, double Tx, double Ty)
{
    /// <summary>A pure translation.</summary>
    public static AffineSample Shift(double x, double y) => new(1, 0, 0, 1, x, y);

    /// <summary>Where the point (<paramref name="x"/>, <paramref name="y"/>) goes.</summary>
    public (double X, double Y) Apply(double x, double y) => (A * x + B * y + Tx, C * x + D * y + Ty);
}
