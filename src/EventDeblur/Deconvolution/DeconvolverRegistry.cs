namespace EventDeblur.Deconvolution;

/// <summary>
/// The deconvolvers selectable by name (<c>--deconvolver NAME</c>, eval methods <c>KERNELS+NAME</c>), each at a rung of
/// the quality ladder (<c>--quality</c>, <see cref="DeconvolutionQuality"/>). The built-in classical ones are always
/// present; components that live outside this library (the ONNX-backed <c>learned</c> deconvolver) register
/// themselves at start-up.
/// </summary>
public static class DeconvolverRegistry
{
    private static readonly object Gate = new();
    private static readonly List<(string Name, Func<DeconvolutionQuality, IDeconvolver> Factory)> Entries =
    [
        ("wiener", _ => new WienerDeconvolver()),
        ("rl", _ => new RichardsonLucyDeconvolver()),
        ("hl", _ => new HyperLaplacianDeconvolver()),
        ("none", _ => new IdentityDeconvolver()),
        ("robust", q => CreateRobust(q)),
    ];

    /// <summary>Registered names, built-ins first, then in registration order.</summary>
    public static IReadOnlyList<string> Names { get { lock (Gate) return Entries.Select(e => e.Name).ToList(); } }

    /// <summary>Registers (or replaces) the deconvolver called <paramref name="name"/>, which has no quality rungs; the factory runs once per run.</summary>
    public static void Register(string name, Func<IDeconvolver> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(name, _ => factory());
    }

    /// <summary>Registers (or replaces) the deconvolver called <paramref name="name"/>; the factory runs once per run with the requested rung.</summary>
    public static void Register(string name, Func<DeconvolutionQuality, IDeconvolver> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate)
        {
            int i = Entries.FindIndex(e => e.Name == name);
            if (i >= 0) Entries[i] = (name, factory);
            else Entries.Add((name, factory));
        }
    }

    /// <summary>A new instance of the deconvolver called <paramref name="name"/> at <paramref name="quality"/> (deconvolvers without rungs ignore it).</summary>
    /// <exception cref="ArgumentException">No deconvolver has that name.</exception>
    public static IDeconvolver Create(string name, DeconvolutionQuality quality = DeconvolutionQuality.Balanced)
    {
        Func<DeconvolutionQuality, IDeconvolver>? factory;
        lock (Gate) factory = Entries.FirstOrDefault(e => e.Name == name).Factory;
        return factory?.Invoke(quality) ?? throw new ArgumentException($"unknown deconvolver '{name}'; expected one of {string.Join(", ", Names)}");
    }

    /// <summary>
    /// <c>robust</c> at <paramref name="quality"/>: <see cref="RobustDeconvolver"/> with <see cref="RobustDeconvolverOptions.ForQuality"/>,
    /// inside the do-no-harm guard (which logs its fallbacks to <paramref name="guardLog"/>, standard error by default).
    /// </summary>
    public static GuardedDeconvolver CreateRobust(DeconvolutionQuality quality, DeconvolutionProfile? profile = null, TextWriter? guardLog = null) =>
        new(new RobustDeconvolver(RobustDeconvolverOptions.ForQuality(quality)) { Profile = profile },
            new GuardOptions { Log = guardLog ?? Console.Error }, "robust") { Profile = profile };
}
