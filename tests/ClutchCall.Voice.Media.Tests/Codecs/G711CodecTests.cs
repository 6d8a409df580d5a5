using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

public sealed class G711CodecTests
{
    [Theory]
    [InlineData(AudioCodec.G711Ulaw)]
    [InlineData(AudioCodec.G711Alaw)]
    public void EncodeDecode_Speech_RoundTripsWithCompandingSnr(AudioCodec codec)
    {
        var audio = SpeechSamples.Espeak("Testing the telephone line.", 8000);
        using var encoder = new G711Encoder(codec);
        using var decoder = new G711Decoder(codec);
        var packet = new byte[160];
        var decoded = new short[audio.Samples.Length / 160 * 160];
        for (var offset = 0; offset + 160 <= audio.Samples.Length; offset += 160)
        {
            Assert.Equal(160, encoder.Encode(audio.Samples.AsSpan(offset, 160), packet));
            Assert.Equal(160, decoder.Decode(packet, decoded.AsSpan(offset, 160)));
        }

        // G.711 companding keeps about 38 dB SNR on loud speech; no delay.
        var snr = SignalMetrics.Snr(audio.Samples.AsSpan(0, decoded.Length), decoded, 0);
        Assert.True(snr > 30, $"{codec}: SNR {snr:F1} dB");
    }

    [Fact]
    public void Encode_WrongFrameSize_ThrowsArgumentException()
    {
        using var encoder = new G711Encoder(AudioCodec.G711Ulaw);
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[159], new byte[160]));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => new G711Encoder(AudioCodec.Opus));
    }

    [Fact]
    public void TryDecode_EmptyPacket_ReturnsFalse()
    {
        using var decoder = new G711Decoder(AudioCodec.G711Alaw);
        Assert.False(decoder.TryDecode([], new short[160], out _));
        Assert.Throws<InvalidDataException>(() => decoder.Decode([], new short[160]));
        Assert.Throws<ArgumentException>(() => decoder.Decode(new byte[160], new short[80]));
    }

    [Fact]
    public void Conceal_AfterGoodFrame_RepeatsWithFadeThenSilence()
    {
        using var decoder = new G711Decoder(AudioCodec.G711Ulaw);
        var frame = new short[160];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(10000 * Math.Sin(2 * Math.PI * 400 * i / 8000));
        }

        var packet = new byte[160];
        G711.EncodeMuLaw(frame, packet);
        var good = new short[160];
        decoder.Decode(packet, good);

        var concealed = new short[160 * 4];
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(160, decoder.Conceal(concealed.AsSpan(k * 160, 160), 160));
        }

        // First concealed sample repeats the last frame at full gain.
        Assert.Equal(good[0], concealed[0]);
        var first = SignalMetrics.Energy(concealed.AsSpan(0, 160));
        var second = SignalMetrics.Energy(concealed.AsSpan(160, 160));
        var third = SignalMetrics.Energy(concealed.AsSpan(320, 160));
        Assert.True(first > second && second > third && third > 0, $"{first} {second} {third}");

        // G711Decoder.FadeOutMs = 60 ms: the fourth 20 ms frame is silent.
        Assert.All(concealed[480..], s => Assert.Equal(0, s));

        // A good packet resets the concealment.
        decoder.Decode(packet, good);
        decoder.Conceal(concealed, 160);
        Assert.Equal(good[0], concealed[0]);
    }

    [Fact]
    public void Conceal_BeforeAnyPacket_IsSilence()
    {
        using var decoder = new G711Decoder(AudioCodec.G711Ulaw);
        var output = new short[160];
        Array.Fill(output, (short)123);
        Assert.Equal(160, decoder.DecodeFec([1, 2, 3], output, 160));
        Assert.All(output, s => Assert.Equal(0, s));
    }
}
