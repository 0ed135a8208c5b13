using System.Collections.Concurrent;
using System.Diagnostics;
using EventDeblur.Formats.Hdf5;

namespace EventDeblur.Cli;

/// <summary>
/// Opens an HDF5 event file once in a child process of this tool before this process opens it
/// (<see cref="Hdf5EventReader.Preflight"/>): a file whose links PureHDF cannot resolve (a soft-link cycle overflows its
/// stack, which ends a process whatever catches it) then ends the child, and the file is refused with a message, instead
/// of ending the command with exit 134 and a 20 000-line trace. About 0.1–0.2 s per file (a runtime start); the result is
/// kept per file version for the rest of the process.
/// </summary>
internal static class Hdf5Probe
{
    /// <summary>The hidden verb the child runs: opens the file named after it and exits 0 whatever the reader says about it.</summary>
    public const string Verb = "__hdf5-probe";

    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string?> Results = new();

    /// <summary>Why <paramref name="path"/> cannot be opened without ending the process, or null when it can (or cannot be checked).</summary>
    public static string? Check(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        return Results.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), key => Run(key.Path));
    }

    /// <summary>The child's work: open the file (its structure resolved: the event datasets, t_offset, ms_to_idx) and close it.</summary>
    public static int RunChild(string path)
    {
        try { using var reader = Hdf5EventReader.Open(path); }
        catch (Exception e) when (e is EventDeblur.Formats.Aedat.AedatFormatException or IOException or UnauthorizedAccessException) { }
        return 0;
    }

    private static string? Run(string path)
    {
        string? host = Environment.ProcessPath;
        string dll = typeof(Hdf5Probe).Assembly.Location;
        if (host == null || dll.Length == 0) return null;
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as this process runs: through the dotnet host with the tool's dll, or as the tool's own executable.
        if (!Path.GetFileNameWithoutExtension(host).Equals(Path.GetFileNameWithoutExtension(dll), StringComparison.Ordinal)) psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(Verb);
        psi.ArgumentList.Add(path);
        try
        {
            using var child = Process.Start(psi);
            if (child == null) return null;
            // The crash's trace is long: drained, not kept.
            child.OutputDataReceived += (_, _) => { };
            child.ErrorDataReceived += (_, _) => { };
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                child.Kill(entireProcessTree: true);
                return "opening its HDF5 structure did not finish in 2 minutes (links or indexes that lead nowhere, most likely); nothing was read";
            }
            return child.ExitCode == 0 ? null
                : $"its HDF5 structure cannot be resolved: opening it ended the reading process (exit {child.ExitCode}; a cycle of soft links, most likely — h5py says \"too many links\"); nothing was read";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
