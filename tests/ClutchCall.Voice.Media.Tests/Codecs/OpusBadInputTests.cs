using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

public sealed class OpusBadInputTests
{
    private static readonly AudioFormat Wideband = new(16000, 1);

    [Fact]
    public void TryDecode_EmptyPacket_ReturnsFalseAndDecodeThrowsInvalidData()
    {
        using var decoder = new OpusDecoder(Wideband);
        var pcm = new short[1920];
        Assert.False(decoder.TryDecode([], pcm, out var samples));
        Assert.Equal(0, samples);
        var e = Assert.Throws<InvalidDataException>(() => decoder.Decode([], pcm));
        Assert.Contains("OPUS_INVALID_PACKET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_TruncatedPacket_ReturnsFalse()
    {
        var packets = EncodeTone(Wideband, 5);
        using var decoder = new OpusDecoder(Wideband);
        var pcm = new short[1920];

        // A code 3 (arbitrary frame count) packet cut after its TOC byte lacks the frame count byte
        // (RFC 6716 §3.2.5, [R6]); a code 2 packet cut after its first length byte lacks the frames.
        Assert.False(decoder.TryDecode([(byte)((packets[0][0] & 0xFC) | 3)], pcm, out _));
        Assert.False(decoder.TryDecode([(byte)((packets[0][0] & 0xFC) | 2), 200], pcm, out _));
        Assert.Equal(2, decoder.CorruptPackets);

        // The decoder still works after rejecting garbage.
        Assert.True(decoder.TryDecode(packets[1], pcm, out var samples));
        Assert.Equal(320, samples);
    }

    [Fact]
    public void Decode_GarbageCode3Packet_ThrowsInvalidDataException()
    {
        using var decoder = new OpusDecoder(Wideband);
        var pcm = new short[1920];

        // Code 3 with M = 63 frames of 20 ms: 1260 ms exceeds the 120 ms limit (RFC 6716 §3.2.5 [R5]).
        byte[] packet = [0x0B | 0x03, 63, 1, 2, 3];
        var e = Assert.Throws<InvalidDataException>(() => decoder.Decode(packet, pcm));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DestinationTooSmallForPacket_ThrowsArgumentException()
    {
        var packets = EncodeTone(Wideband, 1);
        using var decoder = new OpusDecoder(Wideband);
        Assert.Throws<ArgumentException>(() => decoder.Decode(packets[0], new short[100]));
        Assert.Throws<ArgumentException>(() => decoder.Decode(packets[0], Span<short>.Empty));
    }

    [Theory]
    [InlineData(319)]
    [InlineData(321)]
    [InlineData(0)]
    [InlineData(640)]
    public void Encode_WrongFrameSize_ThrowsArgumentException(int samples)
    {
        using var encoder = new OpusEncoder(Wideband);
        var e = Assert.Throws<ArgumentException>(() => encoder.Encode(new short[samples], new byte[4000]));
        Assert.Contains("320", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_SmallDestination_CapsPacketAndEmptyThrows()
    {
        using var encoder = new OpusEncoder(Wideband, new OpusEncoderOptions { BitrateBps = 64000 });
        var noise = new short[320];
        var random = new Random(1);
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = (short)random.Next(-20000, 20000);
        }

        // libopus treats the destination size as a hard cap on the packet (an instant bitrate limit).
        Assert.InRange(encoder.Encode(noise, new byte[10]), 1, 10);
        Assert.Throws<ArgumentException>(() => encoder.Encode(noise, []));
    }

    [Theory]
    [InlineData(44100, 1)]
    [InlineData(22050, 1)]
    [InlineData(12000, 1)]
    [InlineData(48000, 3)]
    [InlineData(16000, 0)]
    public void Create_UnsupportedFormat_ThrowsNotSupportedWithClearMessage(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var e1 = Assert.Throws<NotSupportedException>(() => new OpusEncoder(format));
        var e2 = Assert.Throws<NotSupportedException>(() => new OpusDecoder(format));
        Assert.Contains($"{rate} Hz", e1.Message, StringComparison.Ordinal);
        Assert.Contains("8000, 16000, 24000 or 48000", e2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(30)]
    [InlineData(120)]
    public void Create_UnsupportedFrameDuration_Throws(int frameMs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(Wideband, new OpusEncoderOptions { FrameMs = frameMs }));

    [Fact]
    public void Conceal_LengthNotMultipleOf2Point5Ms_ThrowsArgumentException()
    {
        using var decoder = new OpusDecoder(Wideband);
        Assert.Throws<ArgumentException>(() => decoder.Conceal(new short[1920], 33));
        Assert.Throws<ArgumentException>(() => decoder.Conceal(new short[1920], 0));
        Assert.Throws<ArgumentException>(() => decoder.Conceal(new short[100], 320));
        Assert.Throws<ArgumentException>(() => decoder.DecodeFec([1, 2], new short[4000], 2000));
    }

    [Fact]
    public void DecodeFec_GarbageNextPacket_ConcealsInstead()
    {
        var packets = EncodeTone(Wideband, 3);
        using var decoder = new OpusDecoder(Wideband);
        var pcm = new short[320];
        decoder.Decode(packets[0], pcm);
        Assert.Equal(320, decoder.DecodeFec([0x0B | 0x03, 63], pcm, 320));
        Assert.Equal(320, decoder.DecodeFec([], pcm, 320));
    }

    [Fact]
    public void Setters_OutOfRange_ThrowAndValidValuesRoundTrip()
    {
        using var encoder = new OpusEncoder(Wideband);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Complexity = 11);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.BitrateBps = 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.PacketLossPercent = 101);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(Wideband, new OpusEncoderOptions { Complexity = -1 }));

        encoder.BitrateBps = 16000;
        encoder.Complexity = 9;
        encoder.InbandFec = true;
        encoder.PacketLossPercent = 15;
        encoder.Dtx = true;
        Assert.Equal(16000, encoder.BitrateBps);
        Assert.Equal(9, encoder.Complexity);
        Assert.True(encoder.InbandFec);
        Assert.Equal(15, encoder.PacketLossPercent);
        Assert.True(encoder.Dtx);
    }

    [Fact]
    public void Bitrate_ChangedAtRuntime_ChangesPacketSizes()
    {
        var tone = Tone(Wideband, 50);
        using var encoder = new OpusEncoder(Wideband, new OpusEncoderOptions { BitrateBps = 12000 });
        var packet = new byte[OpusEncoder.MaxPacketBytes];
        var low = EncodeBytes(encoder, tone, packet);
        encoder.BitrateBps = 64000;
        var high = EncodeBytes(encoder, tone, packet);
        Assert.True(high > low * 2, $"64 kbps produced {high} bytes vs {low} at 12 kbps");
    }

    [Fact]
    public void Dtx_Silence_ProducesTinyPackets()
    {
        using var encoder = new OpusEncoder(Wideband, new OpusEncoderOptions { Dtx = true });
        var silence = new short[320];
        var packet = new byte[OpusEncoder.MaxPacketBytes];
        var tiny = 0;
        for (var i = 0; i < 50; i++)
        {
            if (encoder.Encode(silence, packet) <= 2)
            {
                tiny++;
            }
        }

        // RFC 6716 / libopus: a DTX packet of 1-2 bytes need not be sent.
        Assert.True(tiny > 30, $"only {tiny} of 50 silent frames were DTX packets");
    }

    [Fact]
    public void OpusLibrary_MissingLibrary_MessageNamesLibraryAndAptPackage()
    {
        Assert.False(OpusLibrary.TryLoad(["libopus-does-not-exist.so.9", "nonexistent-opus"], out _, out var failure));
        Assert.NotNull(failure);
        Assert.Contains("libopus-does-not-exist.so.9", failure.Message, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get install libopus0", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["libopus.so.0", "libopus.so", "opus"], OpusLibrary.Candidates);
        Assert.True(OpusLibrary.IsAvailable);
        Assert.StartsWith("libopus", OpusNative.Version, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, "OPUS_BAD_ARG")]
    [InlineData(-2, "OPUS_BUFFER_TOO_SMALL")]
    [InlineData(-4, "OPUS_INVALID_PACKET")]
    [InlineData(-7, "OPUS_ALLOC_FAIL")]
    [InlineData(-99, "libopus error -99")]
    public void OpusErrors_Describe_NamesTheCode(int code, string expected) =>
        Assert.Contains(expected, OpusErrors.Describe(code), StringComparison.Ordinal);

    internal static short[] Tone(AudioFormat format, int frames)
    {
        var samples = new short[format.InterleavedSamples(20) * frames];
        for (var i = 0; i < samples.Length / format.Channels; i++)
        {
            var v = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / format.SampleRate) + (2000 * Math.Sin(2 * Math.PI * 1250 * i / format.SampleRate)));
            for (var c = 0; c < format.Channels; c++)
            {
                samples[(i * format.Channels) + c] = v;
            }
        }

        return samples;
    }

    internal static List<byte[]> EncodeTone(AudioFormat format, int frames) =>
        OpusCodecHarness.Encode(format, Tone(format, frames), new OpusEncoderOptions());

    private static int EncodeBytes(OpusEncoder encoder, short[] pcm, byte[] packet)
    {
        var total = 0;
        for (var offset = 0; offset < pcm.Length; offset += 320)
        {
            total += encoder.Encode(pcm.AsSpan(offset, 320), packet);
        }

        return total;
    }
}
