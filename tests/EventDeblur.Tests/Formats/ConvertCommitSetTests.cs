using EventDeblur.Formats;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats;

/// <summary>
/// convert --force into an existing Parquet set: stop 40 deleted the old tables before renaming the new ones in, so a
/// rename that failed (here: a folder where one table goes) lost the old set and the new one. The old set is now moved
/// aside and back on failure, and deleted only once the new set is in place.
/// </summary>
public class ConvertCommitSetTests
{
    private static List<(string Temp, string Final)> NewSet(string dir, string tag)
    {
        var set = new List<(string, string)>();
        foreach (string name in new[] { "x.parquet", "x.frames.parquet", "x.triggers.parquet", "x.imu.parquet" })
        {
            string final = Path.Combine(dir, name), tmp = AtomicFile.TempPathFor(final);
            File.WriteAllText(tmp, tag + " " + name);
            set.Add((tmp, final));
        }
        return set;
    }

    [Fact]
    public void AFailedRenameLeavesTheOldSetAsItWasAndNoTemporaryFiles()
    {
        string dir = TestPaths.NewTempDir();
        foreach (string name in new[] { "x.parquet", "x.frames.parquet", "x.triggers.parquet" }) File.WriteAllText(Path.Combine(dir, name), "old " + name);
        // The IMU table's place is taken by a folder with a file in it: its rename fails after two others went in.
        Directory.CreateDirectory(Path.Combine(dir, "x.imu.parquet"));
        File.WriteAllText(Path.Combine(dir, "x.imu.parquet", "keep"), "");
        var set = NewSet(dir, "new");

        var e = Assert.ThrowsAny<IOException>(() => AedatConverter.CommitSet(set));
        Assert.Contains("x.imu.parquet", e.Message);
        foreach (string name in new[] { "x.parquet", "x.frames.parquet", "x.triggers.parquet" })
            Assert.Equal("old " + name, File.ReadAllText(Path.Combine(dir, name)));
        // The new set's temporary files are the caller's to remove (it does, in its catch); none of the old set's is left.
        foreach (var (tmp, _) in set) AtomicFile.TryDelete(tmp);
        Assert.DoesNotContain(Directory.GetFiles(dir), f => AtomicFile.IsPartialName(Path.GetFileName(f)));
    }

    [Fact]
    public void ASuccessfulReplacementLeavesOnlyTheNewSet()
    {
        string dir = TestPaths.NewTempDir();
        foreach (var (_, final) in NewSet(dir, "old")) File.WriteAllText(final, "old " + Path.GetFileName(final));
        foreach (string f in Directory.GetFiles(dir).Where(f => AtomicFile.IsPartialName(Path.GetFileName(f)))) File.Delete(f);
        var set = NewSet(dir, "new");

        AedatConverter.CommitSet(set);
        foreach (var (_, final) in set) Assert.Equal("new " + Path.GetFileName(final), File.ReadAllText(final));
        Assert.Equal(4, Directory.GetFiles(dir).Length);
    }
}
