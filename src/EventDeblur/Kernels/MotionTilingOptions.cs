namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="MotionTiler"/> (validated by <see cref="Validate"/>, once, when a tiler is made).</summary>
public sealed record MotionTilingOptions
{
    /// <summary>Largest tile for spatially varying kernels, frame pixels; in [8, 4096] and ≥ <see cref="MinTileSizePx"/>.</summary>
    public int TileSizePx { get; init; } = 160;

    /// <summary>Smallest tile for spatially varying kernels, frame pixels; in [8, 4096].</summary>
    public int MinTileSizePx { get; init; } = 64;

    /// <summary>Tiles shrink until the kernel changes by at most this much between neighbouring tiles, frame pixels; in (0, 100].</summary>
    public double MaxTileChangePx { get; init; } = 1.5;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        OptionRange.Check(nameof(MinTileSizePx), MinTileSizePx, 8, 4096);
        OptionRange.Check(nameof(TileSizePx), TileSizePx, MinTileSizePx, 4096);
        OptionRange.CheckAboveMin(nameof(MaxTileChangePx), MaxTileChangePx, 0, 100);
    }
}
