using System.CommandLine;
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

/// <summary>Options whose value is one of a fixed set of words.</summary>
internal static class ChoiceOption
{
    /// <summary>
    /// Accepts only <paramref name="values"/> (ordinal, as typed) for <paramref name="option"/>, lists them in the help's
    /// usage label and in completions, and names the option when refusing a value
    /// (<c>--quality 'junk' is not one of: fast, balanced, best</c>): System.CommandLine's own
    /// <c>AcceptOnlyFromAmong</c> says "Argument 'junk' not recognized" without saying which option it was.
    /// </summary>
    public static T AcceptOnly<T>(this T option, params string[] values) where T : Option
    {
        option.CompletionSources.Add(values);
        // A long list would widen the help's first column for every option of the command: name the value, and list
        // the choices in the description instead.
        if (string.Join("|", values).Length > 40 && option.HelpName == null)
        {
            option.HelpName = option.Name.TrimStart('-').ToUpperInvariant();
            if (!values.All(v => option.Description?.Contains(v, StringComparison.Ordinal) == true))
                option.Description = $"{option.Description} (one of: {string.Join(", ", values)})".TrimStart();
        }
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (Array.IndexOf(values, token.Value) < 0)
                    result.AddError($"{option.Name} '{token.Value}' is not one of: {string.Join(", ", values)}");
        });
        return option;
    }
}
