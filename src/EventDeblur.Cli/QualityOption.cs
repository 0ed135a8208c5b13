using System.CommandLine;
using EventDeblur.Deconvolution;

namespace EventDeblur.Cli;

/// <summary>The <c>--quality fast|balanced|best</c> option of replay, eval and live (the deconvolver's rung of the quality ladder).</summary>
internal static class QualityOption
{
    public static Option<string> Create()
    {
        var o = new Option<string>("--quality")
        {
            Description = "Deconvolver quality rung: fast, balanced (default) or best (robust, and learned's robust stage: fewer or more iterations; other deconvolvers ignore it)",
            DefaultValueFactory = _ => "balanced",
        };
        o.AcceptOnlyFromAmong([.. DeconvolutionQualities.Names]);
        return o;
    }

    public static DeconvolutionQuality Value(ParseResult r, Option<string> option) => DeconvolutionQualities.Parse(r.GetValue(option)!);
}
