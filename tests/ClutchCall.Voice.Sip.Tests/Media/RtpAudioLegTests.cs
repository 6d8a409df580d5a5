using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Rtp;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Media;

public sealed class RtpAudioLegTests
{
    private static short[] Tone(int samples, int rate) =>
        Enumerable.Range(0, samples).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 300 * i / rate))).ToArray();

    /// <summary>G.711 payloads of the whole tone, produced by the sender (20 ms PCM frames → RTP).</summary>
    private static byte[] EncodeG711(short[] pcm8k)
    {
        using var sender = new RtpAudioSender(AudioCodec.G711Alaw, 8, 8000, 1);
        var packet = new byte[RtpAudioSender.MaxPacketBytes];
        var all = new List<byte>();
        for (var i = 0; i + 160 <= pcm8k.Length; i += 160)
        {
            var n = sender.WritePcm(pcm8k.AsSpan(i, 160), packet);
            Assert.True(RtpPacket.TryRead(packet.AsSpan(0, n), out var h, out var payload));
            Assert.Equal(8, h.PayloadType);
            all.AddRange(payload.ToArray());
        }

        return [.. all];
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(20)]
    public void Receiver_G711PacketsOfAnyDuration_PlayOutContinuousFrames(int packetMs)
    {
        var time = new FakeTimeProvider();
        var tone = Tone(8000, 8000);
        var g711 = EncodeG711(tone);
        using var receiver = new RtpAudioReceiver(AudioCodec.G711Alaw, 8000, time);
        var packetBytes = 8 * packetMs;
        var output = new List<short>();
        var frame = new short[receiver.FrameSamples];
        var kinds = new List<string>();
        ushort seq = 100;
        var sentMs = 0;
        var playedMs = 0;
        for (var offset = 0; offset + packetBytes <= g711.Length; offset += packetBytes)
        {
            receiver.Push(seq++, 5000 + (uint)offset, g711.AsSpan(offset, packetBytes));
            sentMs += packetMs;
            while (playedMs + 20 <= sentMs)
            {
                time.Advance(TimeSpan.FromMilliseconds(20));
                kinds.Add(receiver.Pop(frame).ToString());
                output.AddRange(frame);
                playedMs += 20;
            }
        }

        Assert.DoesNotContain("Concealed", kinds);
        Assert.Contains("Decoded", kinds);
        // Once playout started, the audio is the tone (G.711 quantization aside), frame after frame.
        var start = kinds.IndexOf("Decoded") * 160;
        var played = output.Skip(start).ToArray();
        var expected = tone.Take(played.Length).ToArray();
        double xy = 0, xx = 0, yy = 0;
        for (var i = 0; i < played.Length; i++)
        {
            xy += (double)played[i] * expected[i];
            xx += (double)expected[i] * expected[i];
            yy += (double)played[i] * played[i];
        }

        Assert.True(xy / Math.Sqrt(xx * yy) > 0.99, $"played audio differs from the tone: {xy / Math.Sqrt(xx * yy):0.000}");
    }

    [Fact]
    public void Sender_48kPcmToPcmu_TimestampAdvances160PerFrameAndMarkerOnFirst()
    {
        using var sender = new RtpAudioSender(AudioCodec.G711Ulaw, 0, 48000, 0xABCDEF);
        var pcm = Tone(960, 48000);
        var packet = new byte[RtpAudioSender.MaxPacketBytes];

        var n1 = sender.WritePcm(pcm, packet);
        Assert.True(RtpPacket.TryRead(packet.AsSpan(0, n1), out var first, out var p1));
        var n2 = sender.WritePcm(pcm, packet);
        Assert.True(RtpPacket.TryRead(packet.AsSpan(0, n2), out var second, out _));

        Assert.Equal(160, p1.Length);
        Assert.True(first.Marker);
        Assert.False(second.Marker);
        Assert.Equal(first.Timestamp + 160, second.Timestamp);
        Assert.Equal((ushort)(first.SequenceNumber + 1), second.SequenceNumber);
        Assert.Equal(0xABCDEFu, second.Ssrc);
        Assert.Throws<ArgumentException>(() => sender.WritePcm(pcm.AsSpan(0, 100), packet));
    }

    [Fact]
    public void Receiver_RandomPayloadsAndTimestamps_NeverThrows()
    {
        var rng = new Random(1234);
        var time = new FakeTimeProvider();
        using var receiver = new RtpAudioReceiver(AudioCodec.G711Ulaw, 16000, time);
        var frame = new short[receiver.FrameSamples];
        var buffer = new byte[2000];
        for (var i = 0; i < 5000; i++)
        {
            rng.NextBytes(buffer);
            var length = rng.Next(0, rng.Next(2) == 0 ? 400 : 2000);
            receiver.Push((ushort)rng.Next(), (uint)rng.Next(), buffer.AsSpan(0, length));
            if (i % 3 == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(20));
                receiver.Pop(frame);
            }
        }
    }
}
