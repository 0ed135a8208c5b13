using EventDeblur.IO;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Thrown when an event file cannot be opened at all (no events can be delivered): a user-actionable error like every
/// other <see cref="UserInputException"/>, carrying the <see cref="IO.Problem"/> that caused it (file and byte offset).
/// </summary>
public sealed class AedatFormatException : UserInputException
{
    /// <summary>Creates the exception from the problem that caused it.</summary>
    public AedatFormatException(Problem problem) : base(problem.ToString(), UserInputKind.Unusable) => Problem = problem;

    /// <summary>The problem, with file and byte offset.</summary>
    public Problem Problem { get; }
}
