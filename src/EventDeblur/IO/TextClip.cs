namespace EventDeblur.IO;

/// <summary>Input text quoted in a message, cut to a readable length: a 200 MB line must not become a 200 MB message.</summary>
public static class TextClip
{
    /// <summary>Characters of quoted input kept in a message (the rest is counted, not shown).</summary>
    public const int MaxQuoted = 160;

    /// <summary><paramref name="text"/> itself when short, else its first <see cref="MaxQuoted"/> characters and how many more there are.</summary>
    public static string Of(string? text) =>
        text == null ? "" : text.Length <= MaxQuoted ? text : $"{text[..MaxQuoted]}… ({text.Length - MaxQuoted:N0} more characters)";
}
