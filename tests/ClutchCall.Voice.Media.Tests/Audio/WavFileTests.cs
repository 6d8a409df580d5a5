using System.Buffers.Binary;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Media.Tests.Audio;

public sealed class WavFileTests
{
    [Fact]
    public void Read_SharedSpeech_Is16kMonoOfExpectedLength()
    {
        var audio = WavFile.Read(TestData.Require("speech/jfk.wav"));
        Assert.Equal(new AudioFormat(16000, 1), audio.Format);
        Assert.InRange(audio.Duration.TotalSeconds, 10.5, 11.5);
        Assert.Contains(audio.Samples, s => Math.Abs((int)s) > 5000);
    }

    [Fact]
    public void Read_EspeakOutput_ReturnsItsReal22050Rate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clutchcall-wav-{Guid.NewGuid():N}.wav");
        try
        {
            Codecs.SpeechSamples.Run("espeak-ng", "espeak-ng", ["-w", path, "hello"]);
            var audio = WavFile.Read(path);
            Assert.Equal(new AudioFormat(22050, 1), audio.Format);
            Assert.True(audio.Samples.Length > 5000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(44100, 2)]
    [InlineData(48000, 2)]
    public void WritePcm16ThenRead_RoundTripsExactly(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var samples = RandomSamples(1000 * channels, 7);
        using var stream = new MemoryStream();
        WavFile.WritePcm16(stream, format, samples);
        Assert.Equal(44 + (samples.Length * 2), stream.Length);
        stream.Position = 0;
        var audio = WavFile.Read(stream);
        Assert.Equal(format, audio.Format);
        Assert.Equal(samples, audio.Samples);
    }

    [Fact]
    public void WriteFloat32ThenRead_RoundTripsExactly()
    {
        var format = new AudioFormat(16000, 2);
        var samples = RandomSamples(2000, 8);
        samples[0] = short.MinValue;
        samples[1] = short.MaxValue;
        using var stream = new MemoryStream();
        WavFile.WriteFloat32(stream, format, samples);
        stream.Position = 0;
        var audio = WavFile.Read(stream);
        Assert.Equal(format, audio.Format);
        Assert.Equal(samples, audio.Samples);
    }

    [Fact]
    public void Read_SoxFloatFile_IsUnderstood()
    {
        var dir = Directory.CreateTempSubdirectory("clutchcall-wav-");
        try
        {
            var source = Path.Combine(dir.FullName, "in.wav");
            var converted = Path.Combine(dir.FullName, "float.wav");
            var samples = RandomSamples(4000, 3);
            WavFile.WritePcm16(source, new AudioFormat(24000, 2), samples);

            Codecs.SpeechSamples.Run("sox", "sox", [source, "-e", "floating-point", "-b", "32", converted]);
            var bytes = File.ReadAllBytes(converted);
            Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));

            var audio = WavFile.Read(converted);
            Assert.Equal(new AudioFormat(24000, 2), audio.Format);
            Assert.Equal(samples, audio.Samples);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(3, 32)]
    public void Read_WaveFormatExtensible_UsesSubFormat(ushort subFormat, ushort bits)
    {
        var samples = RandomSamples(200, 9);
        var data = bits == 16 ? Pcm(samples) : Float(samples);

        // WAVEFORMATEXTENSIBLE: WAVEFORMATEX with tag 0xFFFE, cbSize 22, valid bits, channel mask, and the
        // KSDATAFORMAT_SUBTYPE GUID {0000000X-0000-0010-8000-00AA00389B71}.
        var fmt = new byte[40];
        Fmt(0xFFFE, 2, 48000, bits).CopyTo(fmt, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), bits);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), 3);
        byte[] guid = [(byte)subFormat, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        guid.CopyTo(fmt, 24);

        var audio = WavFile.Parse(Build(fmt, data));
        Assert.Equal(new AudioFormat(48000, 2), audio.Format);
        Assert.Equal(samples, audio.Samples);

        guid[0] = 2;
        guid.CopyTo(fmt, 24);
        var e = Assert.Throws<InvalidDataException>(() => WavFile.Parse(Build(fmt, data)));
        Assert.Contains("not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownChunksAndOddPadding_AreSkipped()
    {
        var samples = RandomSamples(10, 4);
        var file = Build(fmt: Fmt(1, 1, 8000, 16), data: Pcm(samples), extra: [("LIST", new byte[5]), ("junk", new byte[2])]);
        var audio = WavFile.Parse(file);
        Assert.Equal(samples, audio.Samples);
    }

    [Fact]
    public void Read_StreamingPlaceholderDataSize_ReadsToEnd()
    {
        var samples = RandomSamples(100, 5);
        var file = Build(Fmt(1, 1, 16000, 16), Pcm(samples));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(40), 0x7FFFF000);
        Assert.Equal(samples, WavFile.Parse(file).Samples);
    }

    [Theory]
    [InlineData("short", "shorter than the 12-byte RIFF header")]
    [InlineData("notriff", "RIFF....WAVE")]
    [InlineData("nofmt", "before any fmt chunk")]
    [InlineData("nodata", "no data chunk")]
    [InlineData("truncateddata", "truncated")]
    [InlineData("lyingchunk", "declares")]
    [InlineData("shortfmt", "at least 16")]
    [InlineData("24bit", "not supported")]
    [InlineData("sixchannels", "6 channels")]
    [InlineData("zerorate", "out of range")]
    [InlineData("badalign", "block align")]
    [InlineData("extensibleshort", "EXTENSIBLE")]
    public void Read_CorruptHeader_ThrowsInvalidDataSayingWhat(string kind, string expected)
    {
        var samples = RandomSamples(100, 6);
        var good = Build(Fmt(1, 1, 16000, 16), Pcm(samples));
        byte[] file = kind switch
        {
            "short" => good[..10],
            "notriff" => [.. "RIFX"u8, .. good[4..]],
            "nofmt" => Build(null, Pcm(samples)),
            "nodata" => good[..36],
            "truncateddata" => good[..100],
            "lyingchunk" => Build(Fmt(1, 1, 16000, 16), Pcm(samples), extra: [("LIST", new byte[4])], lieAboutExtra: true),
            "shortfmt" => Build(Fmt(1, 1, 16000, 16)[..12], Pcm(samples)),
            "24bit" => Build(Fmt(1, 1, 16000, 24), Pcm(samples)),
            "sixchannels" => Build(Fmt(1, 6, 16000, 16), Pcm(samples)),
            "zerorate" => Build(Fmt(1, 1, 0, 16), Pcm(samples)),
            "badalign" => Build(Fmt(1, 2, 16000, 16, blockAlign: 3), Pcm(samples)),
            "extensibleshort" => Build(Fmt(0xFFFE, 1, 16000, 16), Pcm(samples)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var e = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(file)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Path_MessageNamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clutchcall-bad-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, "RIFF\0\0\0\0WAVE"u8.ToArray());
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => WavFile.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static short[] RandomSamples(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
        }

        return samples;
    }

    internal static byte[] Fmt(ushort tag, ushort channels, uint rate, ushort bits, int? blockAlign = null)
    {
        var fmt = new byte[16];
        var align = blockAlign ?? (channels * bits / 8);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bits);
        return fmt;
    }

    internal static byte[] Pcm(short[] samples)
    {
        var data = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), samples[i]);
        }

        return data;
    }

    internal static byte[] Float(short[] samples)
    {
        var data = new byte[samples.Length * 4];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), samples[i] / 32768f);
        }

        return data;
    }

    internal static byte[] Build(byte[]? fmt, byte[] data, (string Id, byte[] Body)[]? extra = null, bool lieAboutExtra = false)
    {
        using var body = new MemoryStream();
        void Chunk(string id, byte[] content, uint? declared = null)
        {
            body.Write(System.Text.Encoding.ASCII.GetBytes(id));
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(size, declared ?? (uint)content.Length);
            body.Write(size);
            body.Write(content);
            if (content.Length % 2 == 1)
            {
                body.WriteByte(0);
            }
        }

        if (fmt is not null)
        {
            Chunk("fmt ", fmt);
        }

        foreach (var (id, content) in extra ?? [])
        {
            Chunk(id, content, lieAboutExtra ? 1_000_000u : null);
        }

        Chunk("data", data);
        var file = new byte[12 + body.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        "WAVE"u8.CopyTo(file.AsSpan(8));
        body.ToArray().CopyTo(file, 12);
        return file;
    }
}
