namespace EventDeblur.Formats.Aedat;

/// <summary>Thrown when an input cannot be opened at all (no events can be delivered).</summary>
public sealed class AedatFormatException : IOException
{
    /// <summary>Creates the exception from the problem that caused it.</summary>
    public AedatFormatException(AedatProblem problem) : base(problem.ToString()) => Problem = problem;

    /// <summary>The problem, with file and byte offset.</summary>
    public AedatProblem Problem { get; }
}
