using System.CommandLine;

namespace EventDeblur.Cli;

/// <summary>
/// The <c>--event-latency-us L</c> option of replay and live: checked on the command line (exit 2 with the range), not
/// left to the kernel estimator's own check, which would end the run as an internal error.
/// </summary>
internal static class LatencyOption
{
    /// <summary>Largest latency accepted either way, µs (10 s; the kernel estimator's own bound).</summary>
    public const long MaxAbsUs = 10_000_000;

    public static Option<long> Create(string description)
    {
        var o = new Option<long>("--event-latency-us") { Description = $"{description} (-{MaxAbsUs}..{MaxAbsUs} µs)", DefaultValueFactory = _ => 0 };
        o.Validators.Add(result =>
        {
            if (OptionValue.TryGet(result, out long v) && v is < -MaxAbsUs or > MaxAbsUs)
                result.AddError($"--event-latency-us {v}: expected -{MaxAbsUs}..{MaxAbsUs} µs (±10 s)");
        });
        return o;
    }
}
