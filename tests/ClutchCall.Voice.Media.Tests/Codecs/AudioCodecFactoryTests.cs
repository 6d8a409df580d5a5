using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

public sealed class AudioCodecFactoryTests
{
    [Theory]
    [InlineData(AudioCodec.Opus, 48000, 1)]
    [InlineData(AudioCodec.Opus, 16000, 2)]
    [InlineData(AudioCodec.Pcm16, 24000, 2)]
    [InlineData(AudioCodec.G711Ulaw, 8000, 1)]
    [InlineData(AudioCodec.G711Alaw, 8000, 1)]
    public void CreatePair_EveryCodec_RoundTripsAFrame(AudioCodec codec, int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        using var encoder = AudioCodecFactory.CreateEncoder(codec, format);
        using var decoder = AudioCodecFactory.CreateDecoder(codec, format);
        Assert.Equal(codec, encoder.Codec);
        Assert.Equal(codec, decoder.Codec);
        Assert.Equal(format, encoder.Format);
        Assert.Equal(format, decoder.Format);
        Assert.Equal(20, encoder.FrameMs);

        var pcm = OpusBadInputTests.Tone(format, 1);
        var packet = new byte[8000];
        var output = new short[format.InterleavedSamples(120)];
        var length = encoder.Encode(pcm, packet);
        Assert.True(decoder.TryDecode(packet.AsSpan(0, length), output, out var samples));
        Assert.Equal(format.SamplesPerChannel(20), samples);
        Assert.Equal(samples, decoder.Conceal(output, samples));
    }

    [Fact]
    public void CreateEncoder_OpusOptionsAndFrameMs_AreApplied()
    {
        using var encoder = (OpusEncoder)AudioCodecFactory.CreateEncoder(
            AudioCodec.Opus, AudioFormat.Wideband, frameMs: 40, new OpusEncoderOptions { BitrateBps = 16000, Complexity = 8 });
        Assert.Equal(40, encoder.FrameMs);
        Assert.Equal(16000, encoder.BitrateBps);
        Assert.Equal(8, encoder.Complexity);
    }

    [Theory]
    [InlineData(AudioCodec.G711Ulaw, 16000, 1)]
    [InlineData(AudioCodec.G711Alaw, 8000, 2)]
    [InlineData(AudioCodec.Pcm16, 44100, 1)]
    [InlineData(AudioCodec.Opus, 11025, 1)]
    public void Create_UnsupportedFormat_ThrowsNotSupported(AudioCodec codec, int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        Assert.Throws<NotSupportedException>(() => AudioCodecFactory.CreateEncoder(codec, format));
        Assert.Throws<NotSupportedException>(() => AudioCodecFactory.CreateDecoder(codec, format));
    }

    [Fact]
    public void Pcm16_WireIsLittleEndianAndOddLengthIsCorrupt()
    {
        using var encoder = new Pcm16Encoder(AudioFormat.Telephony);
        using var decoder = new Pcm16Decoder(new AudioFormat(8000, 2));
        var pcm = new short[160];
        pcm[0] = 0x1234;
        pcm[1] = -2;
        var packet = new byte[320];
        Assert.Equal(320, encoder.Encode(pcm, packet));
        Assert.Equal([0x34, 0x12, 0xFE, 0xFF], packet[..4]);

        var output = new short[160];
        Assert.False(decoder.TryDecode(packet.AsSpan(0, 6), output, out _));
        Assert.Throws<InvalidDataException>(() => decoder.Decode(packet.AsSpan(0, 3), output));
        Assert.True(decoder.TryDecode(packet.AsSpan(0, 8), output, out var perChannel));
        Assert.Equal(2, perChannel);
        Assert.Equal(0x1234, output[0]);
        Assert.Equal(-2, output[1]);
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[161], packet));
    }
}
