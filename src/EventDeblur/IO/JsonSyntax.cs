using System.Text.Json;

namespace EventDeblur.IO;

/// <summary>Messages for JSON that does not parse.</summary>
public static class JsonSyntax
{
    /// <summary>
    /// "line L, byte B: what was expected" for <paramref name="e"/>, lines and bytes counted from 1. System.Text.Json ends
    /// its message with its own zero-based "LineNumber: 5 | BytePositionInLine: 4."; that tail is dropped, so a message
    /// never states two different line numbers for the same place.
    /// </summary>
    public static string Describe(JsonException e)
    {
        string message = e.Message;
        int tail = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (tail >= 0) message = message[..tail];
        string where = e.LineNumber is long line
            ? e.BytePositionInLine is long b ? $"line {line + 1}, byte {b + 1}" : $"line {line + 1}"
            : "";
        return where.Length > 0 ? $"{where}: {message}" : message;
    }
}
