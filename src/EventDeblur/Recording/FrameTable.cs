using System.Globalization;
using EventDeblur.IO;

namespace EventDeblur.Recording;

/// <summary>Reads frames.csv files (<c>index,file,exposure_start_us,exposure_end_us</c>).</summary>
public static class FrameTable
{
    /// <summary>
    /// Largest table read, bytes (128 MiB: about three million rows, 80 days of frames at 10 fps); a larger file is refused
    /// before it is read (a single 200 MB line once took 2 GB to read and quote).
    /// </summary>
    public const long MaxTableBytes = 128L << 20;

    /// <summary>The required header row.</summary>
    public const string Header = "index,file,exposure_start_us,exposure_end_us";

    /// <summary>Refuses a table file over <see cref="MaxTableBytes"/>.</summary>
    /// <exception cref="BundleException">The file is larger.</exception>
    public static void CheckSize(string csvPath)
    {
        long size = new FileInfo(csvPath).Length;
        if (size > MaxTableBytes)
            throw new BundleException($"{csvPath}: {size:N0} bytes, over the {MaxTableBytes:N0}-byte limit for a frame or exposure table (FrameTable.MaxTableBytes); is this the right file?");
    }

    /// <summary>
    /// Writes a frames.csv (the inverse of <see cref="Read(string, string, List{Problem})"/>): the header, then one row per
    /// frame — index, file name relative to the table's folder, exposure start and end (µs) — atomically.
    /// </summary>
    /// <exception cref="ArgumentException">A file name holds a comma or a line break (the table has no quoting).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string csvPath, IEnumerable<(long Index, string File, long ExposureStartUs, long ExposureEndUs)> rows)
    {
        var csv = new System.Text.StringBuilder(Header + "\n");
        foreach (var (index, file, start, end) in rows)
        {
            if (file.IndexOfAny([',', '\n', '\r']) >= 0) throw new ArgumentException($"frame file name '{file}' holds a comma or a line break, which frames.csv cannot carry", nameof(rows));
            csv.Append(CultureInfo.InvariantCulture, $"{index},{file},{start},{end}\n");
        }
        IO.AtomicFile.WriteAllText(csvPath, csv.ToString());
    }

    /// <summary>
    /// Reads <paramref name="csvPath"/>; file names are resolved against its folder and must stay
    /// inside <paramref name="bundleRoot"/>. Rows that break the rules are reported in
    /// <paramref name="problems"/> (with line numbers) and left out; missing image files are reported and kept.
    /// </summary>
    /// <exception cref="BundleException">The file is missing or its header is wrong.</exception>
    public static IReadOnlyList<FrameRow> Read(string csvPath, string bundleRoot, List<Problem> problems) =>
        Read(csvPath, ReadBytes(csvPath), bundleRoot, problems);

    /// <summary>The bytes of the table at <paramref name="csvPath"/>, for <see cref="Read(string, byte[], string, List{Problem}, IDictionary{long, string})"/>.</summary>
    /// <exception cref="BundleException">The file is missing.</exception>
    public static byte[] ReadBytes(string csvPath)
    {
        if (!System.IO.File.Exists(csvPath)) throw new BundleException($"{csvPath}: frames table not found");
        CheckSize(csvPath);
        return System.IO.File.ReadAllBytes(csvPath);
    }

    /// <summary>Exposures longer than this are noted as suspicious (60 s in µs; DAVIS APS exposures of several seconds exist).</summary>
    public const long LongExposureUs = 60_000_000;

    /// <summary>As <see cref="Read(string, string, List{Problem})"/>, from the table's <paramref name="content"/> already read (<paramref name="csvPath"/> names it in problems and resolves its file names).</summary>
    /// <exception cref="BundleException">The header is wrong.</exception>
    /// <param name="csvPath">The table's path (for problems; file names resolve against its folder).</param>
    /// <param name="content">The table's bytes.</param>
    /// <param name="bundleRoot">The bundle's folder, which no frame file may leave.</param>
    /// <param name="problems">Where the rows' problems go.</param>
    /// <param name="rejected">
    /// When given, the rows skipped whose index still reads (a non-negative integer above the previous row's) get their
    /// reason here by index, so that a run gives each a <c>failed</c> row (RECORDING_FORMAT.md: one row per frame; stop
    /// 48's contract audit: a row with end ≤ start, a time with a fraction or an absolute path had none).
    /// </param>
    public static IReadOnlyList<FrameRow> Read(string csvPath, byte[] content, string bundleRoot, List<Problem> problems, IDictionary<long, string>? rejected = null)
    {
        var rows = new List<FrameRow>();
        var capped = new CappedProblems(problems, csvPath);
        string dir = Path.GetDirectoryName(csvPath)!;
        using var reader = new StreamReader(new MemoryStream(content, writable: false));
        string? header = reader.ReadLine();
        if (header?.Trim().TrimStart('\uFEFF') != Header)
            throw new BundleException($"{csvPath}: line 1: expected header '{Header}', found '{IO.TextClip.Of(header)}'");
        int lineNo = 1;
        long lastIndex = -1;
        var files = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split(',');
            // A row skipped for its times or its file, whose index reads: its reason goes with its index too.
            void Skip(Problem problem)
            {
                capped.Add(problem);
                if (rejected != null && long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) && i >= 0 && i > lastIndex)
                {
                    rejected[i] = $"{problem.Message} (frames.csv line {lineNo})";
                    lastIndex = i;
                }
            }
            if (f.Length != 4
                || !long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long index)
                || !long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long end))
            {
                Skip(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"expected '{Header}' with integer times (µs), found '{IO.TextClip.Of(line)}'; row skipped"));
                continue;
            }
            if (index < 0 || index <= lastIndex)
            {
                capped.Add(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"index {index} must be non-negative and greater than the previous {lastIndex}; row skipped"));
                continue;
            }
            if (end <= start)
            {
                Skip(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"exposure_end_us {end} must exceed exposure_start_us {start}; row skipped"));
                continue;
            }
            if (f[1].Trim().Length > 1024)
            {
                Skip(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"frame file name of {f[1].Trim().Length:N0} characters ('{IO.TextClip.Of(f[1].Trim())}'): expected a name of at most 1024; row skipped"));
                continue;
            }
            string file;
            try { file = BundlePaths.Resolve(bundleRoot, dir, f[1].Trim(), csvPath); }
            catch (BundleException e) { Skip(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"{e.Message}; row skipped")); continue; }
            if (!System.IO.File.Exists(file)) capped.Add(Problem.Error(csvPath, ProblemLocation.AtLine(lineNo), $"frame file '{f[1].Trim()}' is missing"));
            // Indices rise down the file; one camera's exposures rise with them. Times that go back usually mean rows
            // paired with the wrong images; each frame is still deblurred with its own times (frames run in time order).
            if (rows.Count > 0 && start <= rows[^1].ExposureStartUs)
                capped.Add(Problem.Note(csvPath, ProblemLocation.AtLine(lineNo), $"exposure_start_us {start} is not after the previous row's ({rows[^1].ExposureStartUs}, index {rows[^1].Index}): the rows are not in time order; check that each frame has its own exposure times"));
            // One camera's exposures follow one another: an overlap, an exposure of minutes or an image listed twice
            // usually means times in another unit or rows paired with the wrong images (each is replayed as given).
            else if (rows.Count > 0 && start < rows[^1].ExposureEndUs)
                capped.Add(Problem.Note(csvPath, ProblemLocation.AtLine(lineNo), $"the exposure [{start}, {end}) µs starts {rows[^1].ExposureEndUs - start} µs before the previous row's (index {rows[^1].Index}) ends: one camera's exposures do not overlap; check the exposure times"));
            if (end - start > LongExposureUs)
                capped.Add(Problem.Note(csvPath, ProblemLocation.AtLine(lineNo), $"an exposure of {(end - start) / 1e6:G4} s, longer than {LongExposureUs / 1_000_000} s: check that the times are in µs (replay collects the window's events all the same, sampled evenly past a bound)"));
            if (!files.Add(file))
                capped.Add(Problem.Note(csvPath, ProblemLocation.AtLine(lineNo), $"frame file '{f[1].Trim()}' is listed by an earlier row too: each frame should have its own image"));
            lastIndex = index;
            rows.Add(new FrameRow(index, file, start, end));
        }
        capped.Finish();
        return rows;
    }
}
