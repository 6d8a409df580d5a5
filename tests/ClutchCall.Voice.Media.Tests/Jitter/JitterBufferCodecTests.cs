using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Media.Tests.Jitter;

/// <summary>The jitter buffer driving the real codecs (libopus, G.711) on real speech.</summary>
public class JitterBufferCodecTests
{
    [Fact]
    public void Opus_LostPacket_FecFrameCloserToOriginalThanPlc()
    {
        var speech = Speech16k();
        var format = AudioFormat.Wideband;
        var frame = format.SamplesPerChannel(20);
        using var encoder = new OpusEncoder(format, new OpusEncoderOptions { InbandFec = true, PacketLossPercent = 20, BitrateBps = 24000 });
        var packets = new List<byte[]>();
        var buffer = new byte[OpusEncoder.MaxPacketBytes];
        for (var i = 0; i + frame <= speech.Length && packets.Count < 150; i += frame)
        {
            var n = encoder.Encode(speech.AsSpan(i, frame), buffer);
            packets.Add(buffer[..n]);
        }

        // Drop every 10th packet from 20 on, well inside the speech.
        var lost = Enumerable.Range(2, 12).Select(k => k * 10).ToHashSet();
        var reference = Play(packets, [], useFec: true, out _);
        var withFec = Play(packets, lost, useFec: true, out var fecStats);
        var plcOnly = Play(packets, lost, useFec: false, out var plcStats);

        Assert.Equal(lost.Count, fecStats.Lost);
        Assert.Equal(lost.Count, fecStats.FecRecovered);
        Assert.Equal(0, fecStats.Concealed);
        Assert.Equal(lost.Count, plcStats.Concealed);
        Assert.Equal(0, plcStats.FecRecovered);

        double fecError = 0, plcError = 0, energy = 0;
        foreach (var k in lost)
        {
            fecError += Distance(reference[k], withFec[k]);
            plcError += Distance(reference[k], plcOnly[k]);
            energy += Distance(reference[k], new short[frame]);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"lost-frame error vs lossless decode: FEC {10 * Math.Log10(fecError / energy):F1} dB, PLC {10 * Math.Log10(plcError / energy):F1} dB (relative to frame energy)");
        Assert.True(fecError < plcError, $"FEC error {fecError:E2} should be below PLC error {plcError:E2}");
        Assert.True(plcError < energy, "PLC should beat silence");
    }

    [Fact]
    public void G711_LostPacket_ConcealedByRepetitionNotSilence()
    {
        var speech = Speech8k();
        using var encoder = new G711Encoder(AudioCodec.G711Alaw);
        var packets = new List<byte[]>();
        for (var i = 0; i + 160 <= speech.Length && packets.Count < 100; i += 160)
        {
            var p = new byte[160];
            encoder.Encode(speech.AsSpan(i, 160), p);
            packets.Add(p);
        }

        var time = new FakeTimeProvider();
        using var decoder = new G711Decoder(AudioCodec.G711Alaw);
        using var jitter = new JitterBuffer(decoder, time, new JitterBufferOptions { TimestampRate = 8000 });
        var output = new short[160];
        var concealedEnergy = 0.0;
        for (var i = 0; i < packets.Count; i++)
        {
            if (i != 50)
            {
                jitter.Push((ushort)i, (uint)(i * 160), packets[i]);
            }

            var kind = jitter.Pop(output);
            if (kind == JitterFrameKind.Concealed)
            {
                concealedEnergy += output.Sum(s => (double)s * s);
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(1, jitter.Stats.Lost);
        Assert.Equal(1, jitter.Stats.Concealed);
        Assert.True(concealedEnergy > 0, "G.711 concealment should repeat the last audio, not play silence");
    }

    private static List<short[]> Play(List<byte[]> packets, HashSet<int> lost, bool useFec, out JitterBufferStats stats)
    {
        var time = new FakeTimeProvider();
        using var decoder = new OpusDecoder(AudioFormat.Wideband);
        using var jitter = new JitterBuffer(decoder, time, new JitterBufferOptions { TimestampRate = 48000, UseFec = useFec });
        var frames = new List<short[]>();
        var played = new Dictionary<int, short[]>();
        var next = 0;
        for (var i = 0; i <= packets.Count; i++)
        {
            if (i < packets.Count && !lost.Contains(i))
            {
                jitter.Push((ushort)i, (uint)(i * 960), packets[i]);
            }

            var output = new short[jitter.FrameSamples];
            if (jitter.Pop(output) != JitterFrameKind.Buffering)
            {
                played[next++] = output;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        stats = jitter.Stats;
        for (var i = 0; i < packets.Count; i++)
        {
            frames.Add(played.TryGetValue(i, out var f) ? f : new short[jitter.FrameSamples]);
        }

        return frames;
    }

    private static double Distance(short[] a, short[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    private static short[] Speech16k()
    {
        var wav = WavFile.Read(TestData.Require("speech/jfk.wav"));
        return ToRate(wav, 16000);
    }

    private static short[] Speech8k() => ToRate(WavFile.Read(TestData.Require("speech/jfk.wav")), 8000);

    private static short[] ToRate(WavAudio wav, int rate)
    {
        Assert.Equal(1, wav.Format.Channels);
        if (wav.Format.SampleRate == rate)
        {
            return wav.Samples;
        }

        var r = new Resampler(wav.Format.SampleRate, rate);
        var output = new short[Resampler.MaxOutput(wav.Format.SampleRate, rate, wav.Samples.Length)];
        var n = r.Process(wav.Samples, output);
        return output[..n];
    }
}
