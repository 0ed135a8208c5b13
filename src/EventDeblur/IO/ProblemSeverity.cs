namespace EventDeblur.IO;

/// <summary>How serious a <see cref="Problem"/> is.</summary>
public enum ProblemSeverity
{
    /// <summary>Informational: the data is usable as read (e.g. a header-only file).</summary>
    Note,
    /// <summary>The input breaks its format or contract; data at or after the problem's location may be lost or left out.</summary>
    Error,
}
