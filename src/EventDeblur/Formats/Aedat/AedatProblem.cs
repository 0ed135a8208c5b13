namespace EventDeblur.Formats.Aedat;

/// <summary>
/// A problem found in an input file, precise enough to act on: which file, which byte offset,
/// what was expected and what was found.
/// </summary>
/// <param name="FilePath">The file being read.</param>
/// <param name="ByteOffset">Byte offset in the file where the problem starts (−1 when not tied to one place).</param>
/// <param name="Severity">Note or error.</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record AedatProblem(string FilePath, long ByteOffset, ProblemSeverity Severity, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        ByteOffset >= 0
            ? $"{FilePath}: byte {ByteOffset}: {Severity.ToString().ToLowerInvariant()}: {Message}"
            : $"{FilePath}: {Severity.ToString().ToLowerInvariant()}: {Message}";
}
