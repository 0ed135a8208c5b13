namespace EventDeblur.Deconvolution;

/// <summary>What the guard did to one call (one channel of one frame or blur tile).</summary>
/// <param name="Sequence">Call number on this guard, from 0.</param>
/// <param name="Width">Width of the plane, pixels.</param>
/// <param name="Height">Height of the plane, pixels.</param>
/// <param name="Noise">The plane's estimated noise model.</param>
/// <param name="Tiles">Verdict per tile.</param>
public sealed record GuardReport(long Sequence, int Width, int Height, NoiseModel Noise, IReadOnlyList<GuardTileVerdict> Tiles)
{
    /// <summary>The furthest fallback of any tile.</summary>
    public FallbackLevel Worst => Tiles.Count == 0 ? FallbackLevel.None : Tiles.Max(t => t.Level);

    /// <summary>Number of tiles that did not keep the deconvolver's result.</summary>
    public int FellBack => Tiles.Count(t => t.Level != FallbackLevel.None);

    /// <summary>Share of the judged area (tiles weighted by area; the unjudged margin follows the nearest tile) per level: none, gentle, input.</summary>
    public (double None, double Gentle, double Input) AreaShares()
    {
        double total = Math.Max(1, Tiles.Sum(t => (double)(t.X1 - t.X0) * (t.Y1 - t.Y0)));
        double Share(FallbackLevel l) => Tiles.Where(t => t.Level == l).Sum(t => (double)(t.X1 - t.X0) * (t.Y1 - t.Y0)) / total;
        return (Share(FallbackLevel.None), Share(FallbackLevel.Gentle), Share(FallbackLevel.Input));
    }
}
