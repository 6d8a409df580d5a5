using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>The 20 ms frame path allocates nothing once warm (counted bytes, not timing).</summary>
public sealed class CodecAllocationTests
{
    [Theory]
    [InlineData(AudioCodec.Opus, 48000, 1)]
    [InlineData(AudioCodec.Opus, 16000, 2)]
    [InlineData(AudioCodec.G711Ulaw, 8000, 1)]
    [InlineData(AudioCodec.G711Alaw, 8000, 1)]
    [InlineData(AudioCodec.Pcm16, 16000, 1)]
    public void EncodeDecodeConceal_SteadyState_AllocatesNothing(AudioCodec codec, int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        using var encoder = AudioCodecFactory.CreateEncoder(codec, format, opus: new OpusEncoderOptions { InbandFec = true, PacketLossPercent = 10 });
        using var decoder = AudioCodecFactory.CreateDecoder(codec, format);
        var pcm = OpusBadInputTests.Tone(format, 1);
        var packet = new byte[4000];
        var output = new short[format.InterleavedSamples(120)];
        var perChannel = format.SamplesPerChannel(20);

        void Frame()
        {
            var length = encoder.Encode(pcm, packet);
            decoder.TryDecode(packet.AsSpan(0, length), output, out _);
            decoder.Conceal(output, perChannel);
            decoder.DecodeFec(packet.AsSpan(0, length), output, perChannel);
            if (codec == AudioCodec.Opus)
            {
                OpusPacket.TryGetSampleCount(packet.AsSpan(0, length), rate, out _);
            }
        }

        for (var i = 0; i < 20; i++)
        {
            Frame();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Frame();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void G711Tables_EncodeDecode_AllocateNothing()
    {
        var pcm = new short[160];
        var codes = new byte[160];
        G711.EncodeMuLaw(pcm, codes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            G711.EncodeMuLaw(pcm, codes);
            G711.DecodeMuLaw(codes, pcm);
            G711.EncodeALaw(pcm, codes);
            G711.DecodeALaw(codes, pcm);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
