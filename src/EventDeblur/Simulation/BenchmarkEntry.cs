namespace EventDeblur.Simulation;

/// <summary>One entry of a benchmark set: a bundle regenerated deterministically from a preset and seed.</summary>
/// <param name="Name">Bundle folder name.</param>
/// <param name="Preset">Preset name.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="Frames">Frames to simulate.</param>
/// <param name="RgbWidth">RGB width in pixels, or null for the preset's.</param>
/// <param name="RgbHeight">RGB height in pixels, or null for the preset's.</param>
public sealed record BenchmarkEntry(string Name, string Preset, int Seed, int Frames, int? RgbWidth, int? RgbHeight)
{
    /// <summary>The point lights' flicker frequency, Hz, or null for steady lights (<see cref="SimulationOptions.FlickerHz"/>).</summary>
    public double? FlickerHz { get; init; }

    /// <summary>The simulation options of this entry.</summary>
    public SimulationOptions Options()
    {
        var o = SimulationPresets.Get(Preset) with { Frames = Frames, FlickerHz = FlickerHz };
        if (RgbWidth is int w && RgbHeight is int h) o = o with { RgbWidth = w, RgbHeight = h };
        return o;
    }

    /// <summary>
    /// The <c>simulate</c> arguments that make this entry's bundle, as the simulator writes them into the bundle's README
    /// (so an existing bundle can be recognised as this entry's, or not).
    /// </summary>
    public string CommandArguments()
    {
        var o = Options();
        return $"--preset {o.Preset} --seed {Seed} --frames {o.Frames}{(o.ApsOnly ? "" : $" --rgb-size {o.RgbWidth}x{o.RgbHeight}")}"
            + HybridRigSimulator.FlickerArguments(o);
    }
}
