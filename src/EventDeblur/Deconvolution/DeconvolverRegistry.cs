namespace EventDeblur.Deconvolution;

/// <summary>
/// The deconvolvers selectable by name (<c>--deconvolver NAME</c>, eval methods <c>KERNELS+NAME</c>). The built-in
/// classical ones are always present; components that live outside this library (the ONNX-backed <c>learned</c>
/// deconvolver) register themselves at start-up.
/// </summary>
public static class DeconvolverRegistry
{
    private static readonly object Gate = new();
    private static readonly List<(string Name, Func<IDeconvolver> Factory)> Entries =
    [
        ("wiener", () => new WienerDeconvolver()),
        ("rl", () => new RichardsonLucyDeconvolver()),
        ("hl", () => new HyperLaplacianDeconvolver()),
        ("none", () => new IdentityDeconvolver()),
        ("robust", () => new GuardedDeconvolver(new RobustDeconvolver(), new GuardOptions { Log = Console.Error }, "robust")),
    ];

    /// <summary>Registered names, built-ins first, then in registration order.</summary>
    public static IReadOnlyList<string> Names { get { lock (Gate) return Entries.Select(e => e.Name).ToList(); } }

    /// <summary>Registers (or replaces) the deconvolver called <paramref name="name"/>; the factory runs once per run.</summary>
    public static void Register(string name, Func<IDeconvolver> factory)
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

    /// <summary>A new instance of the deconvolver called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No deconvolver has that name.</exception>
    public static IDeconvolver Create(string name)
    {
        Func<IDeconvolver>? factory;
        lock (Gate) factory = Entries.FirstOrDefault(e => e.Name == name).Factory;
        return factory?.Invoke() ?? throw new ArgumentException($"unknown deconvolver '{name}'; expected one of {string.Join(", ", Names)}");
    }
}
