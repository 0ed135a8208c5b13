using EventDeblur.IO;

namespace EventDeblur.Cli;

/// <summary>Checks an output folder before any work: it can be created and written, or the user is told which path and why.</summary>
internal static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> if needed and proves it writable with a probe file.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option that named it, for the message (e.g. <c>--out</c>).</param>
    /// <exception cref="UserInputException">The folder cannot be created or written.</exception>
    public static void Prepare(string path, string option = "--out")
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (File.Exists(full)) throw new IOException("a file of that name exists");
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".write-probe.{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{option} {full}: cannot create or write this folder ({e.Message})", UserInputKind.Unusable, e);
        }
    }
}
