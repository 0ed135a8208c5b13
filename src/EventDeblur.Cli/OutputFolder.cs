using EventDeblur.IO;

namespace EventDeblur.Cli;

/// <summary>Checks an output folder before any work: it can be created and written, it is not input data, or the user is told which path and why.</summary>
internal static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> if needed and proves it writable with a probe file.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option that named it, for the message (e.g. <c>--out</c>).</param>
    /// <exception cref="UserInputException">The folder cannot be created or written.</exception>
    public static void Prepare(string path, string option = "--out")
    {
        string full = FullPath(path, option);
        try
        {
            if (File.Exists(full)) throw new IOException("a file of that name exists");
            CreateWritable(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{option} {full}: cannot create or write this folder ({e.Message})", UserInputKind.Unusable, e);
        }
    }

    /// <summary>The absolute path of an output the user named; an empty or blank one is refused naming the option.</summary>
    /// <exception cref="UserInputException">The path is empty or only white space.</exception>
    internal static string FullPath(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UserInputException($"{option} is empty: give the folder to write into (e.g. {option} out/run)");
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// <see cref="Prepare"/>, and when this call created the folder, removes it again on dispose if nothing was written into
    /// it: a command that fails after preparing OUT (a bad frame range, no bundles found) leaves no empty folder behind.
    /// </summary>
    public static UnusedFolderRemover PrepareRemovingIfUnused(string path, string option = "--out")
    {
        bool existed = Directory.Exists(FullPath(path, option));
        Prepare(path, option);
        return new UnusedFolderRemover(existed ? null : Path.GetFullPath(path));
    }

    /// <summary>Removes the folder it was given on dispose when it is empty (null: nothing to do).</summary>
    internal readonly struct UnusedFolderRemover(string? created) : IDisposable
    {
        public void Dispose()
        {
            if (created == null) return;
            try
            {
                if (Directory.Exists(created) && !Directory.EnumerateFileSystemEntries(created).Any()) Directory.Delete(created);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: an empty folder left behind is untidy, not wrong.
            }
        }
    }

    /// <summary>Creates <paramref name="dir"/> if needed and writes and removes a probe file in it (throws what the file system throws).</summary>
    private static void CreateWritable(string dir)
    {
        Directory.CreateDirectory(dir);
        string probe = Path.Combine(dir, $".write-probe.{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }

    /// <summary>
    /// Makes sure the folder that will hold the output file <paramref name="file"/> exists and can be written (creating
    /// missing folders), so that a bad path is reported as the user's path — a parent that is a file, a folder that cannot
    /// be created — rather than as a failure to create a hidden temporary file beside it.
    /// </summary>
    /// <exception cref="UserInputException">The folder cannot be created or written (exit 2).</exception>
    public static void PrepareParentOf(string file, string option)
    {
        string full = FullPath(file, option);
        string parent = Path.GetDirectoryName(full) ?? full;
        if (Directory.Exists(full)) throw new UserInputException($"{option} {full}: is a folder; give a file name", UserInputKind.Unusable);
        // The nearest existing ancestor must be a folder: '/x/afile/out.aedat4' with afile a file cannot be made.
        for (string? up = parent; up != null; up = Path.GetDirectoryName(up))
        {
            if (Directory.Exists(up)) break;
            if (File.Exists(up)) throw new UserInputException($"{option} {full}: {up} is a file, so the folder {parent} cannot be made", UserInputKind.Unusable);
        }
        try
        {
            CreateWritable(parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{option} {full}: its folder {parent} cannot be created or written ({e.Message})", UserInputKind.Unusable, e);
        }
    }

    /// <summary>
    /// Refuses an OUT that would mix a command's outputs into input data (a natural slip: <c>--out</c> naming the input, or a
    /// folder inside it): a recording bundle, a folder inside one (OUT does not have to exist: the nearest existing folder
    /// above it holding recording.json counts), a folder of bundles (the dataset itself) and, with
    /// <paramref name="refuseRun"/>, a replay run. Called before OUT is created; <c>--force</c> skips it.
    /// </summary>
    /// <param name="outDir">OUT as the user gave it.</param>
    /// <param name="expected">What OUT should be, for the message (e.g. <c>an evaluation folder</c>).</param>
    /// <param name="writes">What the command writes into OUT, for the message (e.g. <c>an evaluation writes runs/ and result shards into OUT</c>).</param>
    /// <param name="example">A suggested folder (e.g. <c>out/eval</c>).</param>
    /// <param name="refuseRun">Also refuse a replay run (run.json) as OUT.</param>
    /// <exception cref="UserInputException">OUT is or lies inside a bundle, is a folder of bundles, or (with <paramref name="refuseRun"/>) a replay run.</exception>
    /// <param name="option">The option that named the folder, for the message.</param>
    /// <param name="forceHint">Whether the command has <c>--force</c> to override the check.</param>
    public static void RefuseInputAsOutput(string outDir, string expected, string writes, string example, bool refuseRun, string option = "--out", bool forceHint = true)
    {
        string full = FullPath(outDir, option);
        string? what = null;
        bool isRun = false;
        if (Directory.Exists(full))
            what = File.Exists(Path.Combine(full, "recording.json")) ? "a recording bundle (recording.json)"
                : refuseRun && (isRun = File.Exists(Path.Combine(full, "run.json"))) ? "a replay run (run.json)"
                : Directory.GetDirectories(full).Where(d => File.Exists(Path.Combine(d, "recording.json"))).Select(d => $"a folder of bundles ({Path.GetFileName(d)}/recording.json …)").FirstOrDefault();
        if (what == null)
            for (string? up = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar)); up != null; up = Path.GetDirectoryName(up))
                if (File.Exists(Path.Combine(up, "recording.json")))
                {
                    what = $"inside the recording bundle {up} ({Path.Combine(up, "recording.json")})";
                    break;
                }
        if (what != null)
            throw new UserInputException($"{option} {full}: is {what}, not {expected}; {writes}: " +
                                         $"{(isRun ? "choose another folder, new or empty" : "choose a folder outside the input")} (e.g. {example}){(forceHint ? ", or pass --force to write there anyway" : "")}");
    }
}
