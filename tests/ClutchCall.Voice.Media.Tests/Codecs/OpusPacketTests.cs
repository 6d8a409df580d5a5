using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

public sealed class OpusPacketTests
{
    [Theory]
    [InlineData(8000, 1, 20)]
    [InlineData(16000, 1, 20)]
    [InlineData(24000, 2, 10)]
    [InlineData(48000, 2, 20)]
    [InlineData(48000, 1, 60)]
    public void Inspect_EncodedPacket_ReportsItsShape(int rate, int channels, int frameMs)
    {
        var format = new AudioFormat(rate, channels);
        var options = new OpusEncoderOptions { FrameMs = frameMs, BitrateBps = 32000 };
        var packet = OpusCodecHarness.Encode(format, OpusBadInputTests.Tone(format, frameMs / 10 + 10), options)[^1];

        Assert.True(OpusPacket.TryGetChannelCount(packet, out var ch));
        Assert.Equal(channels, ch);
        Assert.True(OpusPacket.TryGetSampleCount(packet, 48000, out var samples48));
        Assert.Equal(48 * frameMs, samples48);
        Assert.True(OpusPacket.TryGetSampleCount(packet, rate, out var samples));
        Assert.Equal(rate / 1000 * frameMs, samples);
        Assert.True(OpusPacket.TryGetFrameCount(packet, out var frames));
        Assert.True(OpusPacket.TryGetSamplesPerFrame(packet, 48000, out var perFrame));
        Assert.Equal(samples48, frames * perFrame);
        Assert.True(OpusPacket.TryGetBandwidth(packet, out var bandwidth));

        // The encoder never codes more bandwidth than the input rate carries (RFC 6716 §2).
        var maxBandwidth = rate switch
        {
            8000 => OpusBandwidth.Narrowband,
            16000 => OpusBandwidth.Wideband,
            24000 => OpusBandwidth.SuperWideband,
            _ => OpusBandwidth.Fullband,
        };
        Assert.InRange(bandwidth, OpusBandwidth.Narrowband, maxBandwidth);
    }

    [Fact]
    public void Inspect_HandBuiltTocBytes_FollowRfc6716Table2()
    {
        // RFC 6716 §3.1: config 1 = SILK NB 20 ms; config 31 = CELT FB 20 ms; s bit; c = frame count code.
        byte silkNb20MonoOneFrame = (1 << 3) | 0;
        Assert.True(OpusPacket.TryGetBandwidth([silkNb20MonoOneFrame, 0], out var bw));
        Assert.Equal(OpusBandwidth.Narrowband, bw);
        Assert.True(OpusPacket.TryGetSamplesPerFrame([silkNb20MonoOneFrame], 48000, out var spf));
        Assert.Equal(960, spf);

        byte celtFb20StereoTwoFrames = (31 << 3) | 0x04 | 0x01;
        Assert.True(OpusPacket.TryGetChannelCount([celtFb20StereoTwoFrames], out var ch));
        Assert.Equal(2, ch);
        Assert.True(OpusPacket.TryGetFrameCount([celtFb20StereoTwoFrames, 0, 0], out var frames));
        Assert.Equal(2, frames);
        Assert.True(OpusPacket.TryGetSampleCount([celtFb20StereoTwoFrames, 0, 0], 48000, out var samples));
        Assert.Equal(1920, samples);
        Assert.Equal(OpusBandwidth.Fullband, OpusPacket.TryGetBandwidth([celtFb20StereoTwoFrames], out bw) ? bw : default);
    }

    [Fact]
    public void Inspect_EmptyOrInvalid_ReturnsFalse()
    {
        Assert.False(OpusPacket.TryGetBandwidth([], out _));
        Assert.False(OpusPacket.TryGetChannelCount([], out _));
        Assert.False(OpusPacket.TryGetFrameCount([], out _));
        Assert.False(OpusPacket.TryGetSampleCount([], 48000, out _));
        Assert.False(OpusPacket.TryGetSamplesPerFrame([], 48000, out _));

        // Code 3 without its frame-count byte (RFC 6716 §3.2.5 [R6]).
        Assert.False(OpusPacket.TryGetFrameCount([0x03], out _));

        // 63 frames of 20 ms exceed 120 ms (RFC 6716 §3.2.5 [R5]).
        Assert.False(OpusPacket.TryGetSampleCount([0x0B, 63], 48000, out _));

        // Rates Opus does not define.
        Assert.False(OpusPacket.TryGetSampleCount([0x08, 0], 44100, out _));
        Assert.False(OpusPacket.TryGetSamplesPerFrame([0x08], 0, out _));
    }
}
