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

    /// <summary>The word that has replay find the latency itself (<see cref="Kernels.WindowOffsetScan.Suggest"/>).</summary>
    public const string Auto = "auto";

    /// <summary>
    /// The option as replay takes it: a latency in µs, or <see cref="Auto"/> (the exposure windows are scanned against the
    /// frames before the run and moved where the events match them, when the scan is clear).
    /// </summary>
    public static Option<string> CreateWithAuto(string description)
    {
        var o = new Option<string>("--event-latency-us") { Description = $"{description} (-{MaxAbsUs}..{MaxAbsUs} µs, or {Auto}: scan the windows against the frames first and move them where the events match, when the scan is clear)", DefaultValueFactory = _ => "0" };
        o.Validators.Add(result =>
        {
            if (!OptionValue.TryGet(result, out string? v) || v == null || TryParse(v, out _)) return;
            // The words of the parser's own refusal of a non-number (as the other verbs' numeric option says it), and the range.
            result.AddError(long.TryParse(v.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
                ? $"--event-latency-us {v}: expected -{MaxAbsUs}..{MaxAbsUs} µs (±10 s) or {Auto}"
                : $"Cannot parse argument '{v}' for option '--event-latency-us' as a whole number (µs) or {Auto}.");
        });
        return o;
    }

    /// <summary>Parses a value of <see cref="CreateWithAuto"/>: true with the latency (µs), or with null for <see cref="Auto"/>.</summary>
    public static bool TryParse(string text, out long? latencyUs)
    {
        latencyUs = null;
        if (string.Equals(text.Trim(), Auto, StringComparison.OrdinalIgnoreCase)) return true;
        if (!long.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v) || v is < -MaxAbsUs or > MaxAbsUs) return false;
        latencyUs = v;
        return true;
    }
}
