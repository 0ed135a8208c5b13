namespace EventDeblur.IO;

/// <summary>What a <see cref="ProblemLocation"/> counts.</summary>
public enum ProblemLocationKind
{
    /// <summary>Not tied to one place in the source.</summary>
    None,
    /// <summary>A byte offset from the start of a binary file (0-based).</summary>
    Byte,
    /// <summary>A line of a text file (1-based, the header line included).</summary>
    Line,
    /// <summary>A frame, by its index in the recording's frame table (0-based).</summary>
    Frame,
}
