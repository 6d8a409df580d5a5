using ClutchCall.Voice.Media;
using ClutchCall.Voice.Media.Tests.Audio;

namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>
/// Fixed-seed fuzzing of every parser in the codec layer with random and mutated input. Any exception other
/// than the documented one (none for TryDecode/OpusPacket; InvalidDataException for WAV) fails the test.
/// </summary>
public sealed class CodecFuzzTests
{
    private const int Iterations = 5000;

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(48000, 2)]
    public void OpusDecoder_RandomAndMutatedPackets_NeverThrowsOrCrashes(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var seeds = OpusCodecHarness.Encode(format, OpusBadInputTests.Tone(format, 20), new OpusEncoderOptions { InbandFec = true, PacketLossPercent = 10 });
        var random = new Random(20240611 + rate);
        using var decoder = new OpusDecoder(format);
        var pcm = new short[decoder.MaxFrameSamplesPerChannel * channels];
        var accepted = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var packet = NextInput(random, seeds);
            if (decoder.TryDecode(packet, pcm, out var samples))
            {
                accepted++;
                Assert.InRange(samples, 1, decoder.MaxFrameSamplesPerChannel);
            }

            if (i % 7 == 0)
            {
                decoder.DecodeFec(packet, pcm, rate / 50);
            }

            if (i % 11 == 0)
            {
                decoder.Conceal(pcm, rate / 100);
            }
        }

        // Both outcomes must occur, or the fuzzer is not exercising the decoder.
        Assert.InRange(accepted, 1, Iterations - 1);
        // Every rejected packet is counted (DecodeFec rejections add to the same counter).
        Assert.True(decoder.CorruptPackets >= Iterations - accepted);
    }

    [Fact]
    public void OpusPacket_RandomAndMutatedPackets_NeverThrows()
    {
        var format = new AudioFormat(16000, 1);
        var seeds = OpusCodecHarness.Encode(format, OpusBadInputTests.Tone(format, 10), new OpusEncoderOptions());
        var random = new Random(77);
        int[] rates = [8000, 12000, 16000, 24000, 48000, 44100, 0, -1];
        for (var i = 0; i < Iterations * 4; i++)
        {
            var packet = NextInput(random, seeds);
            var rate = rates[random.Next(rates.Length)];
            if (OpusPacket.TryGetSampleCount(packet, rate, out var samples))
            {
                Assert.InRange(samples, 1, rate / 1000 * 120);
            }

            OpusPacket.TryGetBandwidth(packet, out _);
            if (OpusPacket.TryGetChannelCount(packet, out var ch))
            {
                Assert.InRange(ch, 1, 2);
            }

            if (OpusPacket.TryGetFrameCount(packet, out var frames))
            {
                Assert.InRange(frames, 1, 48);
            }

            OpusPacket.TryGetSamplesPerFrame(packet, rate, out _);
        }
    }

    [Fact]
    public void WavFile_RandomAndMutatedFiles_OnlyInvalidDataException()
    {
        var valid = new List<byte[]>();
        foreach (var (format, seed) in new[] { (new AudioFormat(8000, 1), 1), (new AudioFormat(44100, 2), 2) })
        {
            using var pcm16 = new MemoryStream();
            WavFile.WritePcm16(pcm16, format, WavFileTests.RandomSamples(64, seed));
            valid.Add(pcm16.ToArray());
            using var f32 = new MemoryStream();
            WavFile.WriteFloat32(f32, format, WavFileTests.RandomSamples(64, seed));
            valid.Add(f32.ToArray());
        }

        valid.Add(WavFileTests.Build(WavFileTests.Fmt(1, 1, 8000, 16), new byte[33], extra: [("LIST", new byte[9])]));
        var random = new Random(4242);
        var parsed = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var file = NextInput(random, valid);
            try
            {
                var audio = WavFile.Read(new MemoryStream(file));
                Assert.True(audio.Samples.Length <= file.Length);
                parsed++;
            }
            catch (InvalidDataException)
            {
            }
        }

        Assert.InRange(parsed, 1, Iterations - 1);
    }

    [Theory]
    [InlineData(AudioCodec.G711Ulaw)]
    [InlineData(AudioCodec.Pcm16)]
    public void SimpleDecoders_RandomPackets_NeverThrow(AudioCodec codec)
    {
        var format = codec == AudioCodec.Pcm16 ? new AudioFormat(16000, 2) : AudioFormat.Telephony;
        using var decoder = AudioCodecFactory.CreateDecoder(codec, format);
        var random = new Random(5);
        var pcm = new short[4000];
        for (var i = 0; i < Iterations; i++)
        {
            var packet = new byte[random.Next(0, 2000)];
            random.NextBytes(packet);
            decoder.TryDecode(packet, pcm, out _);
        }
    }

    /// <summary>Random bytes, or a valid seed input truncated, bit-flipped, byte-spliced or extended.</summary>
    internal static byte[] NextInput(Random random, IReadOnlyList<byte[]> seeds)
    {
        var choice = random.Next(5);
        if (choice == 0)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            return bytes;
        }

        var seed = seeds[random.Next(seeds.Count)];
        var copy = (byte[])seed.Clone();
        switch (choice)
        {
            case 1:
                return copy[..random.Next(0, copy.Length + 1)];
            case 2:
                for (var flips = random.Next(1, 8); flips > 0 && copy.Length > 0; flips--)
                {
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                }

                return copy;
            case 3:
                for (var writes = random.Next(1, 4); writes > 0 && copy.Length > 0; writes--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
            default:
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. copy, .. extra];
        }
    }
}
