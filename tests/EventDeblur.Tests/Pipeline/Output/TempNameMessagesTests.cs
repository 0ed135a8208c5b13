using EventDeblur.Evaluation;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Pipeline.Output;

/// <summary>
/// Errors writing frames.parquet and the eval shards name the file the user asked for, never our temporary
/// <c>.NAME.PID.GUID.partial</c> file (issue 15, item 12), and leave no temporary file behind.
/// </summary>
public class TempNameMessagesTests
{
    private static void NamesTheTargetOnly(Exception e, string target)
    {
        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.DoesNotContain(".partial", e.Message);
        Assert.Contains(target, e.Message);
    }

    [Fact]
    public async Task FramesParquetIntoAMissingFolderNamesTheTargetNotItsTemporaryFile()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "gone");
        string target = Path.Combine(dir, "frames.parquet");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => FramesParquet.WriteAsync(target, [new FrameResult { Index = 0, Status = "ok" }]));
        NamesTheTargetOnly(e, target);
    }

    [Fact]
    public async Task FramesParquetOverAFolderNamesTheTargetAndLeavesNoTemporaryFile()
    {
        // The rename fails: the target is a non-empty folder.
        string dir = TestPaths.NewTempDir();
        string target = Path.Combine(dir, "frames.parquet");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep"), "x");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => FramesParquet.WriteAsync(target, [new FrameResult { Index = 0, Status = "ok" }]));
        NamesTheTargetOnly(e, target);
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
    }

    [Fact]
    public async Task AnEvalShardIntoAMissingFolderNamesTheTargetNotItsTemporaryFile()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "gone", "results-shard-1-of-1.parquet");
        var rows = new List<EvalRow> { new("night-001", "night", "gt+hl", 0, "ok", 30, 0.9, 0.8, 1) };
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Evaluator.WriteAsync(target, rows, new Dictionary<string, string>()));
        NamesTheTargetOnly(e, target);
    }
}
