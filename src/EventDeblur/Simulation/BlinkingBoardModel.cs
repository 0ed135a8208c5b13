namespace EventDeblur.Simulation;

/// <summary>
/// A calibration recording's scene: a checkerboard shown on a screen in front of the rig, the screen alternating
/// between the board and black (half a period each), as blinking-screen calibration tools do. The event camera sees
/// the white squares and the board's white border switch on and off (the black squares stay black), so the events
/// of a window form an image of the board; the RGB camera sees the board, dimmed by the time it was dark during the
/// exposure. The board moves between frames (a new pose per frame) and stands still during each exposure.
/// Radiance in e⁻/s per RGB pixel, lengths in RGB pixels, times in µs.
/// </summary>
public sealed record BlinkingBoardModel
{
    /// <summary>Inner corners per row and per column (OpenCV's pattern size); each ≥ 3. Default 9 × 6 (10 × 7 squares).</summary>
    public (int Columns, int Rows) InnerCorners { get; init; } = (9, 6);

    /// <summary>Side of a square in the RGB frame, RGB pixels (drawn per frame); ≥ 8. Default 30–38.</summary>
    public (double Min, double Max) SquarePx { get; init; } = (30, 38);

    /// <summary>Width of the white border around the squares, in squares (≥ 0.5). Default 1.</summary>
    public double BorderSquares { get; init; } = 1;

    /// <summary>The board's rotation in the RGB frame: the base angle, degrees, plus up to ± <see cref="RotationJitterDeg"/> per frame. Default 0.</summary>
    public double RotationDeg { get; init; }

    /// <summary>Largest per-frame deviation from <see cref="RotationDeg"/>, degrees (0–45). Default 15.</summary>
    public double RotationJitterDeg { get; init; } = 15;

    /// <summary>Largest perspective foreshortening across the board (0–0.3: the far side is up to this fraction smaller). Default 0.12.</summary>
    public double MaxTilt { get; init; } = 0.12;

    /// <summary>Blink period, µs: the board for the first half, black for the second (≥ 2 × the event time step). Default 40 000.</summary>
    public long BlinkPeriodUs { get; init; } = 40_000;

    /// <summary>Radiance of the screen's white, e⁻/s. Default 90 000.</summary>
    public double WhiteRadiance { get; init; } = 90_000;

    /// <summary>Radiance of the screen's black (black squares, and the whole screen when dark), e⁻/s. Default 3 000.</summary>
    public double BlackRadiance { get; init; } = 3_000;

    /// <summary>Radiance of the wall around the screen, e⁻/s (constant). Default 8 000.</summary>
    public double WallRadiance { get; init; } = 8_000;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (InnerCorners.Columns < 3 || InnerCorners.Rows < 3 || InnerCorners.Columns > 64 || InnerCorners.Rows > 64)
            throw new ArgumentException($"board: inner corners {InnerCorners.Columns}×{InnerCorners.Rows} must be 3..64 each");
        if (!(SquarePx.Min >= 8) || SquarePx.Max < SquarePx.Min) throw new ArgumentException("board: square size range must be ordered and ≥ 8 px");
        if (!(BorderSquares >= 0.5)) throw new ArgumentException("board: border must be ≥ 0.5 squares");
        if (RotationJitterDeg is < 0 or > 45) throw new ArgumentException("board: rotation jitter must be 0..45°");
        if (MaxTilt is < 0 or > 0.3) throw new ArgumentException("board: tilt must be 0..0.3");
        if (!(WhiteRadiance > BlackRadiance) || !(BlackRadiance > 0) || !(WallRadiance > 0)) throw new ArgumentException("board: radiances must be > 0 and white above black");
    }
}
