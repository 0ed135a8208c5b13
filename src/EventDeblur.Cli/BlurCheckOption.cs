using System.CommandLine;

namespace EventDeblur.Cli;

/// <summary>
/// The <c>--blur-check on|off</c> option of replay and live: whether kernels from events are checked against the frame
/// they are for (<see cref="Methods.FrameCheckedKernels"/>, README Method step 6b) before deconvolution. On by default;
/// <c>off</c> deblurs every frame with the kernels its events gave, as before stop 51 (an ablation, or a rig whose frames
/// are known to be blurred). run.json records it as <c>options.blur_check</c> for kernels from events.
/// </summary>
internal static class BlurCheckOption
{
    /// <summary>The value that checks the kernels (the default).</summary>
    public const string On = "on";

    /// <summary>The value that takes the events' kernels as they are.</summary>
    public const string Off = "off";

    public static Option<string> Create()
    {
        var o = new Option<string>("--blur-check")
        {
            Description = "Check kernels from events against the frame they are for (on, the default): a frame holding detail its kernels would erase is " +
                          "deblurred with turned or shorter kernels it agrees with, else only denoised (kernel_source events:sharp-frame); off deblurs with the events' kernels as they are",
            DefaultValueFactory = _ => On,
        };
        o.AcceptOnly(On, Off);
        return o;
    }

    /// <summary>True unless the command line says <c>off</c>.</summary>
    public static bool Value(ParseResult r, Option<string> option) => r.GetValue(option) != Off;

    /// <summary>
    /// Says on stderr that <c>--blur-check</c> changes nothing when it was given with a kernel source other than
    /// <c>events</c> (the check judges kernels from events only).
    /// </summary>
    public static void NoteIfIgnored(ParseResult r, Option<string> option, string kernelSource, TextWriter? err = null)
    {
        if (kernelSource != Kernels.EventKernelEstimator.SourceName && r.GetResult(option) is { Implicit: false })
            (err ?? Console.Error).WriteLine($"note: --blur-check {r.GetValue(option)} changes nothing with kernels {kernelSource}: it checks kernels from events only");
    }
}
