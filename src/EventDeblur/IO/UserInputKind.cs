namespace EventDeblur.IO;

/// <summary>What a <see cref="UserInputException"/> says about the input, so a front end can choose its exit code.</summary>
public enum UserInputKind
{
    /// <summary>The input or an argument cannot be used at all (missing path, wrong kind of file, bad option value); nothing was done.</summary>
    Unusable,

    /// <summary>The input could be read but its data is at fault (e.g. nothing valid in it); the work completed with problems.</summary>
    DataProblem,
}
