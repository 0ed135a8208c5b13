using EventDeblur.Recording;

namespace EventDeblur.Tests.Recording;

/// <summary>
/// Stop 39's new-user trial: frames named by their decimal timestamps (t_0.0, t_0.25, t_0.5) were ordered t_0.0, t_0.5,
/// t_0.25 — each digit run by its integer value — so bundle paired frames with the wrong exposure rows and replay said
/// 'ok' at 24 dB instead of 34.
/// </summary>
public class NaturalOrderTests
{
    [Fact]
    public void NamesOrderAsPeopleReadThem()
    {
        string[] expected = ["frame1.png", "frame2.png", "frame10.png", "t_0.0.png", "t_0.05.png", "t_0.25.png", "t_0.5.png", "t_0.75.png", "t_1.0.png", "t_1.5.png", "t_2.png", "t_10.125.png"];
        var shuffled = expected.Reverse().ToList();
        shuffled.Sort(NaturalOrder.Instance);
        Assert.Equal(expected, shuffled);
        Assert.True(NaturalOrder.Instance.Compare("frame7.png", "frame007.png") < 0); // 007 after 7, as before
        Assert.True(NaturalOrder.Instance.Compare("t_0.5.png", "t_0.50.png") < 0);
        Assert.Equal(0, NaturalOrder.Instance.Compare("t_0.5.png", "t_0.5.png"));
    }
}
