using System.Buffers.Binary;
using System.Text;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Media.Tests.Codecs;

namespace ClutchCall.Voice.Media.Tests.Audio;

public sealed class OggOpusWriterTests
{
    [Fact]
    public void Write_SpeechRecording_PagesParseWithValidCrcGranulesAndPackets()
    {
        var (packets, _) = EncodeSpeech(16000);
        using var stream = new MemoryStream();
        using (var writer = new OggOpusWriter(stream, channels: 1, inputSampleRate: 16000, preSkip: 312, serialNumber: 0xC0FFEE))
        {
            foreach (var packet in packets)
            {
                writer.WritePacket(packet, 960);
            }
        }

        var pages = OggPageReader.ReadAll(stream.ToArray());

        // RFC 3533 §6: capture pattern, version 0, one serial, consecutive sequence numbers, valid CRC.
        Assert.All(pages, p => Assert.Equal(0xC0FFEEu, p.Serial));
        Assert.Equal(Enumerable.Range(0, pages.Count).Select(i => (uint)i), pages.Select(p => p.Sequence));

        // RFC 7845 §3: OpusHead alone on the BOS page, OpusTags alone on the second page, granule 0.
        Assert.Equal(0x02, pages[0].Flags);
        Assert.Single(pages[0].Packets);
        var head = pages[0].Packets[0];
        Assert.Equal(19, head.Length);
        Assert.Equal("OpusHead", Encoding.ASCII.GetString(head, 0, 8));
        Assert.Equal(1, head[8]);
        Assert.Equal(1, head[9]);
        Assert.Equal(312, BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(10)));
        Assert.Equal(16000u, BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(12)));
        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(head.AsSpan(16)));
        Assert.Equal(0, head[18]);
        Assert.Equal(0, pages[0].Granule);

        Assert.Equal(0, pages[1].Flags);
        Assert.Single(pages[1].Packets);
        var tags = pages[1].Packets[0];
        Assert.Equal("OpusTags", Encoding.ASCII.GetString(tags, 0, 8));
        var vendorLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(tags.AsSpan(8));
        Assert.Equal("ClutchCall.Voice", Encoding.UTF8.GetString(tags, 12, vendorLength));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(tags.AsSpan(12 + vendorLength)));
        Assert.Equal(0, pages[1].Granule);

        // Audio pages: the packets come back byte for byte; each page's granule is the 48 kHz sample
        // count through its last packet (RFC 7845 §4); only the last page has EOS; pages hold at most 1 s.
        var audioPages = pages.Skip(2).ToList();
        Assert.Equal(packets, audioPages.SelectMany(p => p.Packets));
        long expectedGranule = 0;
        foreach (var page in audioPages)
        {
            expectedGranule += 960L * page.Packets.Count;
            Assert.Equal(expectedGranule, page.Granule);
            Assert.InRange(page.Packets.Count, 1, 50);
        }

        Assert.All(audioPages.SkipLast(1), p => Assert.Equal(0, p.Flags));
        Assert.Equal(0x04, audioPages[^1].Flags);
        Assert.Equal(960L * packets.Count, audioPages[^1].Granule);
    }

    [Fact]
    public void Write_SpeechRecording_OpusdecDecodesItBackToTheSpeech()
    {
        var (packets, original) = EncodeSpeech(16000);
        var dir = Directory.CreateTempSubdirectory("clutchcall-ogg-");
        try
        {
            var opusPath = Path.Combine(dir.FullName, "call.opus");
            var wavPath = Path.Combine(dir.FullName, "call.wav");
            using (var file = File.Create(opusPath))
            using (var writer = new OggOpusWriter(file, channels: 1, inputSampleRate: 16000))
            {
                foreach (var packet in packets)
                {
                    writer.WritePacket(packet, 960);
                }
            }

            // At 48 kHz opusdec must reproduce what libopus decodes from the same packets, minus the
            // 312-sample pre-skip it trims from the start (RFC 7845 §4.2), with granule - pre-skip samples.
            SpeechSamples.Run("opusdec", "opus-tools", ["--quiet", "--rate", "48000", "--no-dither", opusPath, wavPath]);
            var at48k = WavFile.Read(wavPath);
            Assert.Equal(new AudioFormat(48000, 1), at48k.Format);
            Assert.Equal((960 * packets.Count) - 312, at48k.Samples.Length);
            var ours = OpusCodecHarness.Decode(new AudioFormat(48000, 1), packets, 20);
            var match = SignalMetrics.Snr(ours.AsSpan(312), at48k.Samples, 0);

            // At the 16 kHz input rate (opusdec resamples from 48 kHz) the output lines up with the input speech
            // without lag because the pre-skip equals the encoder look-ahead. Measured 7.6 dB SNR (the resampler
            // costs some against the 11.8 dB of a direct 16 kHz decode).
            SpeechSamples.Run("opusdec", "opus-tools", ["--quiet", "--rate", "16000", "--no-dither", opusPath, wavPath]);
            var at16k = WavFile.Read(wavPath);
            Assert.Equal(new AudioFormat(16000, 1), at16k.Format);
            var lag = SignalMetrics.FindLag(original, at16k.Samples, 320);
            var snr = SignalMetrics.Snr(original, at16k.Samples, lag);
            TestContext.Current.TestOutputHelper?.WriteLine($"opusdec 48 kHz vs libopus: {match:F1} dB; 16 kHz vs input: lag {lag}, SNR {snr:F2} dB");
            Assert.True(match > 40, $"opusdec differs from a direct decode: {match:F1} dB");
            Assert.InRange(lag, 0, 2);
            Assert.True(snr > 6, $"SNR {snr:F2} dB");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Write_LargePacketsAndLongRecording_SplitsPagesAtLacingLimit()
    {
        using var stream = new MemoryStream();
        var big = new byte[1000];
        new Random(2).NextBytes(big);
        big[0] = 0xFC;
        using (var writer = new OggOpusWriter(stream, 2, 48000))
        {
            for (var i = 0; i < 200; i++)
            {
                writer.WritePacket(big, 960);
            }

            Assert.Equal(960L * 200, writer.GranulePosition);
        }

        var pages = OggPageReader.ReadAll(stream.ToArray());

        // 1000 bytes take 4 lacing values, so at most 63 packets fit in 255 segments.
        Assert.All(pages.Skip(2), p => Assert.InRange(p.Packets.Count, 1, 63));
        Assert.Equal(200, pages.Skip(2).Sum(p => p.Packets.Count));
        Assert.Equal(2, pages[0].Packets[0][9]);
    }

    [Fact]
    public void WritePacket_BadArguments_Throw()
    {
        using var stream = new MemoryStream();
        var writer = new OggOpusWriter(stream, 1, 8000);
        Assert.Throws<ArgumentException>(() => writer.WritePacket([], 960));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WritePacket([1], 100));
        Assert.Throws<ArgumentException>(() => writer.WritePacket(new byte[70000], 960));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WritePacket([1], 960));
        Assert.Throws<NotSupportedException>(() => new OggOpusWriter(new MemoryStream(), 3, 48000));
    }

    private static (List<byte[]> Packets, short[] Original) EncodeSpeech(int rate)
    {
        var audio = SpeechSamples.Espeak("This call is being recorded for quality purposes.", rate);
        var packets = OpusCodecHarness.Encode(audio.Format, audio.Samples, new OpusEncoderOptions());
        return (packets, audio.Samples);
    }
}
