namespace EventDeblur.IO;

/// <summary>
/// An error the user can act on (a path, a file or an option value at fault), as opposed to a bug. Its message names
/// what is wrong and, where it helps, what to do; it is meant to be shown as is, without a stack trace. The one base of
/// the library's user-actionable errors: <c>Recording.BundleException</c> (a bundle that cannot be used),
/// <c>Formats.Aedat.AedatFormatException</c> (an event file that cannot be opened, with its <see cref="Problem"/>) and
/// <c>Calibration.CalibrationRefusedException</c> derive from it; the CLI maps it to an exit code in one place by its
/// <see cref="Kind"/>.
/// </summary>
public class UserInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the path or option.</param>
    /// <param name="kind">Whether the input is unusable or its data is at fault.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public UserInputException(string message, UserInputKind kind = UserInputKind.Unusable, Exception? inner = null) : base(message, inner) => Kind = kind;

    /// <summary>Whether the input is unusable or its data is at fault.</summary>
    public UserInputKind Kind { get; }
}
