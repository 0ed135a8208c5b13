using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>A damaged version line is shown byte for byte: a control byte printed as '.' made "#!AER-DAT3\x0e1" read as a valid 3.1 line.</summary>
public class VersionLineMessageTests
{
    [Fact]
    public void ControlBytesAreEscaped()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "bad.aedat");
        File.WriteAllBytes(path, [.. "#!AER-DAT3"u8, 0x0e, (byte)'1', (byte)'\r', (byte)'\n', 0xff]);
        var e = Assert.Throws<AedatFormatException>(() => AedatReader.Detect(path));
        Assert.Contains(@"found '#!AER-DAT3\x0e1\r\n\xff'", e.Message);
    }
}
