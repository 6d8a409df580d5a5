using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests;

public class AudioFramePoolTests
{
    [Fact]
    public void Rent_AfterReturn_ReusesTheSameFrame()
    {
        var pool = new AudioFramePool(4);
        var first = pool.Rent(AudioFormat.Opus48Mono, 960);
        first.Dispose();
        var second = pool.Rent(AudioFormat.Opus48Mono, 960);
        Assert.Same(first, second);
        Assert.Equal(960, second.Samples.Length);
    }

    [Fact]
    public void Rent_LargerThanCapacity_GrowsBuffer()
    {
        var pool = new AudioFramePool(4);
        using var frame = pool.Rent(new AudioFormat(48000, 2), 5760);
        Assert.Equal(11520, frame.Samples.Length);
        Assert.Equal(120_000, frame.DurationUs);
    }

    [Fact]
    public void Format_Unsupported_ThrowsClearError()
    {
        var ex = Assert.Throws<NotSupportedException>(() => new AudioFormat(44100, 1).EnsureSupported());
        Assert.Contains("44100", ex.Message);
    }
}
