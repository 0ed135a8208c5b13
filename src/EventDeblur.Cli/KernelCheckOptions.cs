using System.CommandLine;
using EventDeblur.Kernels;

namespace EventDeblur.Cli;

/// <summary>
/// The two checks of kernels from events that replay, live and eval can switch off, each <c>on|off</c> and on by default:
/// <list type="bullet">
/// <item><c>--blur-check</c>: the kernels checked against the frame they are for (<see cref="Methods.FrameCheckedKernels"/>,
/// README Method step 6b); <c>off</c> deblurs every frame with the kernels its events gave, as before stop 51 (an ablation,
/// or a rig whose frames are known to be blurred). run.json records it as <c>options.blur_check</c>.</item>
/// <item><c>--window-check</c>: an exposure window longer than the frame's lit light paths narrowed to their lit part, or
/// to the part their streaks' brightness fits (<see cref="EventKernelOptions.FitWindowToLitPaths"/>, README Method step 3); <c>off</c> takes the frame table's windows as
/// they are, as before stop 52 (windows known to be right, or scenes whose lights dim along their paths). run.json records
/// it as <c>options.window_check</c>.</item>
/// </list>
/// Both judge kernels from events only: with another kernel source run.json records neither.
/// </summary>
internal sealed class KernelCheckOptions
{
    /// <summary>The value that runs a check (the default).</summary>
    public const string On = "on";

    /// <summary>The value that skips it.</summary>
    public const string Off = "off";

    /// <summary><c>--blur-check on|off</c>.</summary>
    public Option<string> BlurCheck { get; } = Create("--blur-check",
        "Check kernels from events against the frame they are for (on, the default): a frame holding detail its kernels would erase is " +
        "deblurred with turned or shorter kernels it agrees with, else only denoised (kernel_source events:sharp-frame); off deblurs with the events' kernels as they are");

    /// <summary><c>--window-check on|off</c>.</summary>
    public Option<string> WindowCheck { get; } = Create("--window-check",
        "Check each exposure window against the light paths its events trace (on, the default): when 3+ lights are lit in the frame over a median " +
        "25-85 % of their paths (a frame table giving the frame period as the exposure, say), the window is narrowed to that part; when they are lit " +
        "all along, to the part whose time on each point matches the streaks' brightness clearly better (said in frames.parquet's diagnostics; " +
        "replay also prints an 'exposure windows:' line); off takes the windows as they are");

    /// <summary>Both options, for a command's option list.</summary>
    public IEnumerable<Option> All => [BlurCheck, WindowCheck];

    private static Option<string> Create(string name, string description)
    {
        var o = new Option<string>(name) { Description = description, DefaultValueFactory = _ => On };
        o.AcceptOnly(On, Off);
        return o;
    }

    /// <summary>The kernel options these switches set on <paramref name="options"/> (a new instance; the rest as given).</summary>
    public EventKernelOptions Apply(ParseResult r, EventKernelOptions options) =>
        options with { CheckBlurInFrame = r.GetValue(BlurCheck) != Off, FitWindowToLitPaths = r.GetValue(WindowCheck) != Off };

    /// <summary>
    /// Says on stderr, for each of the two options given on the command line, that it changes nothing when none of
    /// <paramref name="kernelSources"/> is <c>events</c> (the checks judge kernels from events only).
    /// </summary>
    public void NoteIfIgnored(ParseResult r, IEnumerable<string> kernelSources, TextWriter? err = null)
    {
        var sources = kernelSources.Distinct(StringComparer.Ordinal).ToList();
        if (sources.Contains(EventKernelEstimator.SourceName)) return;
        // blurry and edi run with identity kernels, a name users never type.
        sources = sources.Select(k => k == Methods.MethodCatalogue.IdentityKernels ? "none (blurry, edi)" : k).ToList();
        foreach (var option in new[] { BlurCheck, WindowCheck })
            if (r.GetResult(option) is { Implicit: false })
                (err ?? Console.Error).WriteLine($"note: {option.Name} {r.GetValue(option)} changes nothing with kernels {string.Join(", ", sources)}: it checks kernels from events only");
    }
}
