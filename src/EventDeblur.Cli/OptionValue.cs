using System.CommandLine.Parsing;

namespace EventDeblur.Cli;

/// <summary>An option's value inside a validator, which System.CommandLine runs even when the value did not parse.</summary>
internal static class OptionValue
{
    /// <summary>
    /// The parsed value of <paramref name="result"/>, or <c>false</c> when its text does not parse as <typeparamref name="T"/>
    /// (e.g. <c>--speed abc</c>): the parser reports that itself ("Cannot parse argument …", exit 2), so a range check
    /// has nothing to add. Reading such a value with <c>GetValueOrDefault</c> throws, which ended the process with a stack trace.
    /// </summary>
    public static bool TryGet<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}
