namespace EventDeblur.IO;

/// <summary>
/// Text from an input file made safe to print: control characters (C0 but tab and line feed, DEL, C1) become <c>\xNN</c>, so that a
/// header value such as <c>ESC ] 0 ; … BEL</c> cannot retitle or clear the user's terminal when inspect or a problem
/// line prints it. Line feeds and tabs are kept (some messages span lines).
/// </summary>
public static class TerminalText
{
    /// <summary><paramref name="text"/> with its control characters written as <c>\xNN</c> (the text itself when it has none).</summary>
    public static string Safe(string text)
    {
        if (!text.Any(IsUnsafe)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 16);
        foreach (char c in text)
            if (IsUnsafe(c)) sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        return sb.ToString();
    }

    private static bool IsUnsafe(char c) => c is not ('\t' or '\n') && (c < ' ' || c is >= '\u007f' and <= '\u009f');
}
