namespace EventDeblur.Formats.Aedat;

/// <summary>How serious a problem found while decoding is.</summary>
public enum ProblemSeverity
{
    /// <summary>Informational: the data is usable as decoded (e.g. a header-only file).</summary>
    Note,
    /// <summary>The input violates its format; data at or after <see cref="AedatProblem.ByteOffset"/> may be lost.</summary>
    Error,
}
