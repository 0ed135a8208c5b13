using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// What stop 38's new-user trials met: convert replacing a Parquet output's sibling tables without --force, and convert
/// going on to the end after Ctrl+C or SIGTERM (the AEDAT 4.0 writer never saw the token).
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>convert IN NAME.parquet</c> writes NAME.frames / .triggers / .imu.parquet beside it when the recording has them,
    /// and replaced an existing one silently though NAME.parquet itself was protected. Now refused (exit 2) without
    /// --force, naming the file.
    /// </summary>
    [Fact]
    public void ConvertToParquetRefusesToReplaceASiblingTableWithoutForce()
    {
        string dir = TestPaths.NewTempDir();
        string output = Path.Combine(dir, "o.parquet"), sibling = Path.Combine(dir, "o.triggers.parquet");
        File.WriteAllText(sibling, "precious");
        var refused = Run("convert", Path.Combine(Sample, "events.aedat4"), output);
        Expect(2, refused);
        Assert.Contains($"{sibling}: exists, and converting to {output} writes the recording's frames, triggers or IMU samples there; give a new name, or --force to replace it", refused.Err);
        Assert.Equal("precious", File.ReadAllText(sibling));
        Assert.False(File.Exists(output));
        Expect(0, Run("convert", Path.Combine(Sample, "events.aedat4"), output, "--force"));
        Assert.True(File.Exists(output));
    }

    /// <summary>
    /// Ctrl+C during <c>convert … .aedat4</c> (and <c>bundle</c> of a Prophesee / HDF5 file, which converts the same way)
    /// went on to the end and exited 0. The conversion now stops at the next packet and leaves nothing at OUT (the
    /// writer's partial file is removed), which the CLI reports as cancelled (exit 130).
    /// </summary>
    [Fact]
    public void ACancelledConversionStopsAndLeavesNoOutput()
    {
        string dir = TestPaths.NewTempDir();
        string output = Path.Combine(dir, "o.aedat4");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using (var reader = AedatReader.Open(Path.Combine(Sample, "events.aedat4")))
            Assert.ThrowsAny<OperationCanceledException>(() => AedatConverter.ToAedat4(reader, output, Aedat4Compression.Lz4, ct: cancel.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
