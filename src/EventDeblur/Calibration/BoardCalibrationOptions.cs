namespace EventDeblur.Calibration;

/// <summary>Settings of <see cref="BoardCalibrator"/>: the board and how many frames must show it.</summary>
public sealed record BoardCalibrationOptions
{
    /// <summary>Inner corners per row of the board (OpenCV's pattern width: squares per row − 1); 3–64.</summary>
    public int Columns { get; init; } = 9;

    /// <summary>Inner corners per column of the board (squares per column − 1); 3–64.</summary>
    public int Rows { get; init; } = 6;

    /// <summary>Most frames examined (spread evenly over the recording); 1–1000. Default 8.</summary>
    public int MaxFrames { get; init; } = 8;

    /// <summary>Fewest frames whose board was found in both views (and agrees with the joint fit) for a homography to be reported; 1–<see cref="MaxFrames"/>. Default 3.</summary>
    public int MinFrames { get; init; } = 3;

    /// <summary>Fewest events inside a frame's exposure window for its event image to be searched. Default 2000.</summary>
    public long MinEventsPerFrame { get; init; } = 2000;

    /// <summary>RANSAC inlier threshold of the joint fit, event pixels (0.1–20). Default 1.</summary>
    public double RansacThresholdEventPx { get; init; } = 1.0;

    /// <summary>Largest accepted residual (RMS reprojection error of the inlier corners), event pixels. Default 0.75.</summary>
    public double MaxResidualEventPx { get; init; } = 0.75;

    /// <summary>The event camera's latency, µs (−10 s..10 s, as replay): each exposure window is shifted by it on the event clock (as <c>replay --event-latency-us</c>). Default 0.</summary>
    public long EventLatencyUs { get; init; }

    /// <summary>Parses <c>COLSxROWS</c> (inner corners, e.g. <c>9x6</c>; <c>X</c> and <c>×</c> also separate) into <see cref="Columns"/> and <see cref="Rows"/>.</summary>
    /// <exception cref="ArgumentException">Not two integers 3–64.</exception>
    public static (int Columns, int Rows) ParseBoard(string text)
    {
        var parts = text.Trim().Split(['x', 'X', '×']);
        if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int c)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int r)
            && c is >= 3 and <= 64 && r is >= 3 and <= 64)
            return (c, r);
        throw new ArgumentException($"board '{text}': expected COLSxROWS, the inner corners per row and per column (3..64 each), e.g. 9x6 for a board of 10 × 7 squares");
    }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Columns is < 3 or > 64 || Rows is < 3 or > 64) throw new ArgumentException($"board {Columns}x{Rows}: expected 3..64 inner corners per row and per column");
        if (MaxFrames is < 1 or > 1000) throw new ArgumentException($"frames {MaxFrames}: expected 1..1000");
        if (MinFrames < 1 || MinFrames > MaxFrames) throw new ArgumentException($"minimum frames {MinFrames}: expected 1..{MaxFrames}");
        if (MinEventsPerFrame < 1) throw new ArgumentException($"minimum events per frame {MinEventsPerFrame}: expected ≥ 1");
        if (RansacThresholdEventPx is < 0.1 or > 20 || double.IsNaN(RansacThresholdEventPx)) throw new ArgumentException($"RANSAC threshold {RansacThresholdEventPx}: expected 0.1..20 event px");
        if (!(MaxResidualEventPx > 0)) throw new ArgumentException($"maximum residual {MaxResidualEventPx}: expected > 0 event px");
        if (EventLatencyUs is < -10_000_000 or > 10_000_000) throw new ArgumentException($"event latency {EventLatencyUs} µs: expected -10000000..10000000 (±10 s, as replay)");
    }
}
