using System.Security.Cryptography;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// <see cref="FileHash"/>: the SHA-256 a reader takes in passing equals the file's, whatever the reader skipped,
/// re-read or never reached, and the bytes it read in order are not read again.
/// </summary>
public class FileHashTests
{
    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [InlineData(Aedat4Compression.Lz4, 16, true)]
    [InlineData(Aedat4Compression.Zstd, 0, true)]
    [InlineData(Aedat4Compression.None, 4, false)]
    public void Aedat4WalkHashesTheWholeFileReadingOnlyTheTableAgain(Aedat4Compression compression, int prefetch, bool decodeEvents)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.aedat4");
        SyntheticRecording.Random(4000, 5, frames: 2, triggers: 3, imu: 2).WriteAedat4(path, compression, maxEventsPerPacket: 400);
        var hash = new FileHash(path);
        long tablePos;
        using (var reader = Aedat4Reader.Open(path, new AedatReaderOptions { FileHash = hash, DecodeEvents = decodeEvents, Limits = new ReaderLimits { PrefetchPackets = prefetch } }))
        {
            tablePos = reader.DataTablePosition;
            Drained.From(reader);
        }
        Assert.Equal(Sha(path), hash.Finish());
        if (decodeEvents) Assert.Equal(tablePos, hash.BytesHashedInPassing); // every byte before the table was hashed as it was read
        else Assert.True(hash.BytesHashedInPassing < tablePos);             // stepped-over packets are left to Finish
        Assert.Equal(hash.Finish(), hash.Finish());
    }

    [Fact]
    public void TruncatedFileAndSeeksStillGiveTheFilesHash()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "rec.aedat4");
        SyntheticRecording.Random(3000, 9, frames: 0, triggers: 0, imu: 0).WriteAedat4(path, Aedat4Compression.Lz4, maxEventsPerPacket: 300);
        byte[] bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(dir, "cut.aedat4");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);

        var hash = new FileHash(cut);
        using (var reader = Aedat4Reader.Open(cut, new AedatReaderOptions { FileHash = hash }))
        {
            Drained.From(reader);
            Assert.Contains(reader.Problems, p => p.Severity == ProblemSeverity.Error);
        }
        Assert.Equal(Sha(cut), hash.Finish());

        // A seek back to the middle and a table read: what was already hashed is not hashed twice.
        var seeking = new FileHash(path);
        using (var reader = Aedat4Reader.Open(path, new AedatReaderOptions { FileHash = seeking }))
        {
            Drained.From(reader);
            reader.SeekToTime(0);
            Drained.From(reader);
            reader.VerifyDataTable();
        }
        Assert.Equal(Sha(path), seeking.Finish());
    }

    [Fact]
    public void Aedat2AndProphesee()
    {
        string dir = TestPaths.NewTempDir();
        var records = Enumerable.Range(0, 5000).Select(i => (SyntheticRecording.DavisDvs(i % 240, i % 180, i % 3 == 0), 7 * i));
        string a2 = Path.Combine(dir, "rec.aedat");
        File.WriteAllBytes(a2, SyntheticRecording.Aedat2(records));
        var hash = new FileHash(a2);
        using (var reader = AedatReader.Open(a2, new AedatReaderOptions { FileHash = hash })) Drained.From(reader);
        Assert.Equal(Sha(a2), hash.Finish());
        Assert.Equal(new FileInfo(a2).Length, hash.BytesHashedInPassing);
    }

    [SkippableFact]
    public void RealPropheseeFiles()
    {
        TestPaths.RequireShared();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(TestPaths.RealRecordingsDir, "prophesee"), "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".raw", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dat", StringComparison.OrdinalIgnoreCase)))
        {
            var hash = new FileHash(file);
            using (var reader = EventDeblur.Formats.Prophesee.PropheseeReader.Open(file, new AedatReaderOptions { FileHash = hash })) Drained.From(reader);
            Assert.Equal(Sha(file), hash.Finish());
        }
    }

    [Fact]
    public void AnotherFileCannotBeWrapped()
    {
        string dir = TestPaths.NewTempDir();
        File.WriteAllBytes(Path.Combine(dir, "a"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir, "b"), [4, 5, 6]);
        var hash = new FileHash(Path.Combine(dir, "a"));
        using var other = File.OpenRead(Path.Combine(dir, "b"));
        Assert.Throws<InvalidOperationException>(() => hash.Wrap(other));
        Assert.Equal(Sha(Path.Combine(dir, "a")), hash.Finish()); // never wrapped: Finish reads it all
    }
}
