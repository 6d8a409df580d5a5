using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;

namespace ClutchCall.Voice.Moqt.Tests.Session;

public sealed class AudioProfileTests
{
    [Fact]
    public void Sequencer_FiftyFramesPerGroup_GroupsRiseWithCaptureSecond()
    {
        var s = new AudioObjectSequencer();
        const long start = 1_700_000_000_000_000;
        var first = s.Next(start, out var newGroup);
        Assert.True(newGroup);
        Assert.Equal(new Location(1_700_000_000, 0), first);
        for (var i = 1; i < 50; i++)
        {
            var l = s.Next(start + (i * 20_000), out newGroup);
            Assert.False(newGroup);
            Assert.Equal((ulong)i, l.Object);
        }

        var next = s.Next(start + 1_000_000, out newGroup);
        Assert.True(newGroup);
        Assert.Equal(new Location(1_700_000_001, 0), next);

        // A publisher that restarts with a clock behind never goes backwards.
        s.BreakGroup();
        var after = s.Next(start, out newGroup);
        Assert.True(newGroup);
        Assert.Equal(1_700_000_002UL, after.Group);
    }

    [Fact]
    public void Reassembler_GapDuplicateAndStraggler_CountedAndFiltered()
    {
        var r = new AudioReassembler();
        Assert.True(r.Accept(new Location(5, 0), out var lost));
        Assert.Equal(0, lost);
        Assert.True(r.Accept(new Location(5, 3), out lost));
        Assert.Equal(2, lost);
        Assert.Equal(2, r.Lost);
        Assert.False(r.Accept(new Location(5, 3), out _)); // duplicate
        Assert.True(r.Accept(new Location(5, 2), out _)); // straggler inside the window
        Assert.Equal(1, r.Lost);
        Assert.True(r.Accept(new Location(6, 0), out lost));
        Assert.Equal(46, lost);
        Assert.False(r.Accept(new Location(5, 1), out _)); // 49 frames behind: too late
        Assert.Equal(2, r.LateOrDuplicate);
    }

    [Fact]
    public async Task AsyncSignal_SetBeforeWaitAndClose_Behave()
    {
        var s = new AsyncSignal();
        s.Set();
        Assert.True(await s.WaitAsync());
        var pending = s.WaitAsync();
        Assert.False(pending.IsCompleted);
        s.Set();
        Assert.True(await pending);
        var closing = s.WaitAsync();
        s.Close();
        Assert.False(await closing);
        Assert.False(await s.WaitAsync());
    }

    [Fact]
    public void Backoff_DoublesToCapWithJitterAndResets()
    {
        var b = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, new Random(3));
        var expected = new[] { 1, 2, 4, 8, 16, 30, 30 };
        foreach (var e in expected)
        {
            var d = b.NextDelay().TotalSeconds;
            Assert.InRange(d, e * 0.8, e * 1.2);
        }

        b.Reset();
        Assert.InRange(b.NextDelay().TotalSeconds, 0.8, 1.2);
    }
}
