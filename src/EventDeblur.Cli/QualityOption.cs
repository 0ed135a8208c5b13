using System.CommandLine;
using EventDeblur.Deconvolution;
using EventDeblur.Methods;

namespace EventDeblur.Cli;

/// <summary>The <c>--quality fast|balanced|best</c> option of replay, eval and live (the deconvolver's rung of the quality ladder).</summary>
internal static class QualityOption
{
    /// <summary>The option; with <paramref name="auto"/> (live) it also takes <c>auto</c>, its default: the rung follows the backlog.</summary>
    public static Option<string> Create(bool auto = false)
    {
        var o = new Option<string>("--quality")
        {
            Description = auto
                ? "Deconvolver quality rung: auto (default: balanced, fast for a frame while others wait behind it), fast, balanced or best (robust, and learned's robust stage: fewer or more iterations, and learned at fast its int8 network; other deconvolvers ignore it)"
                : "Deconvolver quality rung: fast, balanced (default) or best (robust, and learned's robust stage: fewer or more iterations, and learned at fast its int8 network; other deconvolvers ignore it)",
            DefaultValueFactory = _ => auto ? "auto" : "balanced",
        };
        o.AcceptOnly([.. auto ? ["auto", .. DeconvolutionQualities.Names] : DeconvolutionQualities.Names]);
        return o;
    }

    /// <summary>The rung given (<c>auto</c>: its top rung, balanced).</summary>
    public static DeconvolutionQuality Value(ParseResult r, Option<string> option) =>
        IsAuto(r, option) ? DeconvolutionQuality.Balanced : DeconvolutionQualities.Parse(r.GetValue(option)!);

    /// <summary>
    /// Writes a note to standard error when <c>--quality</c> was given on the command line but none of
    /// <paramref name="deconvolvers"/> has quality rungs (<see cref="MethodCatalogue.HasQualityRungs"/>): the option then
    /// changes nothing, and the run records no quality. Returns whether the note was written.
    /// </summary>
    public static bool NoteIfIgnored(ParseResult r, Option<string> option, MethodCatalogue methods, IEnumerable<string> deconvolvers, IEnumerable<string>? shownAs = null)
    {
        if (r.GetResult(option) is not { Implicit: false }) return false;
        var names = deconvolvers.Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0 || names.Any(methods.HasQualityRungs)) return false;
        var ranked = methods.DeconvolverNames.Where(methods.HasQualityRungs).ToList();
        // eval names its methods as the user gave them (stop 44's trial: 'blurry' was shown as its deconvolver, 'none').
        var shown = shownAs?.Distinct(StringComparer.Ordinal).ToList() ?? names;
        Console.Error.WriteLine($"note: --quality {r.GetValue(option)} changes nothing for {string.Join(", ", shown)}: only {string.Join(" and ", ranked)} have quality rungs; the run records no quality");
        return true;
    }

    /// <summary>Whether <c>auto</c> was given (or defaulted to).</summary>
    public static bool IsAuto(ParseResult r, Option<string> option) => r.GetValue(option) == "auto";
}
