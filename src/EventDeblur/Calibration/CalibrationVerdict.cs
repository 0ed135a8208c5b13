using System.Globalization;

namespace EventDeblur.Calibration;

/// <summary>How far a texture calibration can be trusted, in one word and the reasons behind it.</summary>
/// <param name="Level"><see cref="Reliable"/>, <see cref="Usable"/> or <see cref="Doubtful"/>.</param>
/// <param name="Reasons">What lowered the level (empty when <see cref="Reliable"/>), each naming the number and its bound.</param>
/// <param name="Advice">What to do about it, one sentence; null when <see cref="Reliable"/>.</param>
/// <remarks>
/// The two things that decide whether a homography can be used are judged separately: whether the search may have
/// settled on the wrong scale or rotation (the ambiguity; <see cref="RigCalibrator"/> refuses above 0.8), and how
/// precise the joint fit is (the standard error of the frames' estimates, event pixels, and how many frames agreed).
/// The <see cref="CalibrationResult.Confidence"/> product mixes them, so a precise fit with a moderate rival
/// (the shipped sample: standard error 0.17 px, ambiguity 0.47, confidence 0.41) reads lower than it is.
/// Bounds: reliable = ambiguity ≤ 0.6, standard error ≤ 0.5 event px, ≥ 3 frames agreeing and at least half of
/// those tried; usable = ambiguity ≤ 0.75 and standard error ≤ 1 event px; doubtful otherwise.
/// </remarks>
public sealed record CalibrationVerdict(string Level, IReadOnlyList<string> Reasons, string? Advice)
{
    /// <summary>The estimate can be stored and used as it is.</summary>
    public const string Reliable = "reliable";

    /// <summary>Probably right; a second estimate (more frames, or a checkerboard recording) should confirm it before it is stored.</summary>
    public const string Usable = "usable";

    /// <summary>Do not store it without an independent check.</summary>
    public const string Doubtful = "doubtful";

    /// <summary>Judges <paramref name="result"/> by the bounds in the remarks.</summary>
    public static CalibrationVerdict Judge(CalibrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var reasons = new List<string>();
        int level = 0; // 0 reliable, 1 usable, 2 doubtful
        void Lower(int to, string why)
        {
            level = Math.Max(level, to);
            reasons.Add(why);
        }
        if (result.Ambiguity > 0.75) Lower(2, $"a clearly different scale/rotation scored {Above(result.Ambiguity, 0.75)} of the best (> 0.75): the search may have picked the wrong one");
        else if (result.Ambiguity > 0.6) Lower(1, $"a clearly different scale/rotation scored {Above(result.Ambiguity, 0.6)} of the best (> 0.6)");
        if (!(result.StandardErrorEventPx <= 1.0)) Lower(2, $"standard error {Above(result.StandardErrorEventPx, 1.0)} event px (> 1)");
        else if (result.StandardErrorEventPx > 0.5) Lower(1, $"standard error {Above(result.StandardErrorEventPx, 0.5)} event px (> 0.5)");
        if (result.FramesUsed < 3) Lower(1, $"only {result.FramesUsed} frame(s) agreed (< 3)");
        if (result.FramesTried > 0 && result.FramesUsed * 2 < result.FramesTried)
            Lower(1, $"{result.FramesTried - result.FramesUsed} of {result.FramesTried} frames were left out");
        string? advice = level switch
        {
            0 => null,
            1 => "confirm it before storing it: calibrate again over more frames (--frames) or from a blinking-checkerboard recording (--checkerboard), and compare",
            _ => "do not store it without an independent check: record a blinking checkerboard and calibrate with --checkerboard, or calibrate over more textured frames (--frames)",
        };
        return new CalibrationVerdict(level switch { 0 => Reliable, 1 => Usable, _ => Doubtful }, reasons, advice);
    }

    /// <summary>
    /// <paramref name="value"/>, which lies above <paramref name="bound"/>, with 2 decimals, or as many more (up to 4) as it
    /// takes to print above the bound, rounded up at 4: at 2 decimals 0.7504 printed "0.75 (> 0.75)", which reads false.
    /// </summary>
    private static string Above(double value, double bound)
    {
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        for (int decimals = 2; decimals <= 4; decimals++)
            if (Math.Round(value, decimals, MidpointRounding.AwayFromZero) is var near && near > bound)
                return near.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return Math.Max(Math.Ceiling(value * 1e4) / 1e4, bound + 1e-4).ToString("F4", CultureInfo.InvariantCulture);
    }
}
