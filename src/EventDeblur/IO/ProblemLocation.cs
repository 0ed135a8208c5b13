namespace EventDeblur.IO;

/// <summary>Where in its source a <see cref="Problem"/> is: a byte offset, a line, a frame, or nowhere in particular.</summary>
/// <param name="Kind">What <paramref name="Value"/> counts.</param>
/// <param name="Value">The byte offset (≥ 0), line number (≥ 1) or frame index (≥ 0); 0 for <see cref="ProblemLocationKind.None"/>.</param>
public readonly record struct ProblemLocation(ProblemLocationKind Kind, long Value)
{
    /// <summary>Not tied to one place.</summary>
    public static ProblemLocation None => default;

    /// <summary>At byte <paramref name="offset"/> of a binary file (0-based); a negative offset means <see cref="None"/>.</summary>
    public static ProblemLocation AtByte(long offset) => offset >= 0 ? new(ProblemLocationKind.Byte, offset) : None;

    /// <summary>At line <paramref name="line"/> of a text file (1-based).</summary>
    public static ProblemLocation AtLine(long line) => new(ProblemLocationKind.Line, line);

    /// <summary>At frame <paramref name="index"/> (the frame table's index).</summary>
    public static ProblemLocation AtFrame(long index) => new(ProblemLocationKind.Frame, index);

    /// <summary><c>byte N</c>, <c>line N</c>, <c>frame N</c>, or empty for <see cref="ProblemLocationKind.None"/>.</summary>
    public override string ToString() => Kind switch
    {
        ProblemLocationKind.Byte => $"byte {Value}",
        ProblemLocationKind.Line => $"line {Value}",
        ProblemLocationKind.Frame => $"frame {Value}",
        _ => "",
    };
}
