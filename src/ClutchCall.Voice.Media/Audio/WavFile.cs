using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Media;

/// <summary>
/// Reads and writes RIFF/WAVE files: PCM16 and IEEE float32, mono or stereo, plain <c>WAVE_FORMAT_PCM</c>,
/// <c>WAVE_FORMAT_IEEE_FLOAT</c> or <c>WAVE_FORMAT_EXTENSIBLE</c>. For tools and tests, not the frame path.
/// </summary>
/// <remarks>
/// The reader never trusts a length field: every chunk size is checked against the bytes actually present,
/// and anything wrong is an <see cref="InvalidDataException"/> that says what.
/// </remarks>
internal static class WavFile
{
    /// <summary>Largest file the reader accepts.</summary>
    public const long MaxFileBytes = 1L << 30;

    private const uint StreamingPlaceholderSize = 0x7FFF0000;
    private const ushort FormatPcm = 0x0001;
    private const ushort FormatIeeeFloat = 0x0003;
    private const ushort FormatExtensible = 0xFFFE;

    // The KSDATAFORMAT_SUBTYPE_* GUIDs share this tail after their 16-bit format code.
    private static ReadOnlySpan<byte> SubFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Reads a WAV file.</summary>
    public static WavAudio Read(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a WAV file from <paramref name="stream"/> (read to its end).</summary>
    public static WavAudio Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw new InvalidDataException($"WAV data is larger than the {MaxFileBytes} byte limit.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses a complete WAV file held in memory.</summary>
    public static WavAudio Parse(ReadOnlySpan<byte> file)
    {
        // RIFF header: "RIFF" <u32 size> "WAVE" (Microsoft RIFF/WAVE specification, 1991).
        if (file.Length < 12)
        {
            throw new InvalidDataException($"Not a WAV file: {file.Length} bytes is shorter than the 12-byte RIFF header.");
        }

        if (!file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a WAV file: the header does not start with RIFF....WAVE.");
        }

        var body = file[12..];
        WavFormat? format = null;
        while (body.Length >= 8)
        {
            var id = body[..4];
            var size = BinaryPrimitives.ReadUInt32LittleEndian(body.Slice(4, 4));
            var available = body.Length - 8;
            if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new InvalidDataException("WAV data chunk comes before any fmt chunk.");
                }

                // Writers that cannot seek back (pipes) leave a placeholder size of about 2 or 4 GiB
                // (0x7FFFF000 from espeak-ng --stdout, 0xFFFFFFFF from others): it means "to the end of the file".
                // Such sizes exceed MaxFileBytes, so no real file is mistaken for one.
                var length = size >= StreamingPlaceholderSize ? (uint)available : size;
                if (length > (uint)available)
                {
                    throw new InvalidDataException($"WAV data chunk declares {size} bytes but only {available} remain: the file is truncated.");
                }

                return Decode(format.Value, body.Slice(8, (int)length));
            }

            if (size > (uint)available)
            {
                throw new InvalidDataException(
                    $"WAV chunk '{Printable(id)}' declares {size} bytes but only {available} remain: the header is corrupt or truncated.");
            }

            if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(body.Slice(8, (int)size));
            }

            // RIFF chunks are word aligned: an odd-sized chunk is followed by one pad byte.
            var next = 8 + (long)size + (size & 1);
            body = next >= body.Length ? [] : body[(int)next..];
        }

        throw new InvalidDataException(format is null
            ? "WAV file has no fmt chunk."
            : "WAV file has no data chunk.");
    }

    /// <summary>Writes interleaved PCM16 as a <c>WAVE_FORMAT_PCM</c> file.</summary>
    public static void WritePcm16(string path, AudioFormat format, ReadOnlySpan<short> samples)
    {
        using var stream = File.Create(path);
        WritePcm16(stream, format, samples);
    }

    /// <summary>Writes interleaved PCM16 as a <c>WAVE_FORMAT_PCM</c> file.</summary>
    public static void WritePcm16(Stream stream, AudioFormat format, ReadOnlySpan<short> samples)
    {
        CheckWritable(format, samples.Length);
        WriteHeader(stream, format, FormatPcm, bitsPerSample: 16, dataBytes: (long)samples.Length * 2);
        Span<byte> block = stackalloc byte[4096];
        while (!samples.IsEmpty)
        {
            var count = Math.Min(samples.Length, block.Length / 2);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(block[(i * 2)..], samples[i]);
            }

            stream.Write(block[..(count * 2)]);
            samples = samples[count..];
        }
    }

    /// <summary>Writes interleaved PCM16 as a 32-bit IEEE float file (samples scaled by 1/32768).</summary>
    public static void WriteFloat32(string path, AudioFormat format, ReadOnlySpan<short> samples)
    {
        using var stream = File.Create(path);
        WriteFloat32(stream, format, samples);
    }

    /// <summary>Writes interleaved PCM16 as a 32-bit IEEE float file (samples scaled by 1/32768).</summary>
    public static void WriteFloat32(Stream stream, AudioFormat format, ReadOnlySpan<short> samples)
    {
        CheckWritable(format, samples.Length);
        WriteHeader(stream, format, FormatIeeeFloat, bitsPerSample: 32, dataBytes: (long)samples.Length * 4);
        Span<byte> block = stackalloc byte[4096];
        while (!samples.IsEmpty)
        {
            var count = Math.Min(samples.Length, block.Length / 4);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(block[(i * 4)..], samples[i] / 32768f);
            }

            stream.Write(block[..(count * 4)]);
            samples = samples[count..];
        }
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> fmt)
    {
        // WAVEFORMAT: tag, channels, rate, byte rate, block align, bits per sample (16 bytes minimum).
        if (fmt.Length < 16)
        {
            throw new InvalidDataException($"WAV fmt chunk is {fmt.Length} bytes; at least 16 are required.");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == FormatExtensible)
        {
            // WAVEFORMATEXTENSIBLE: cbSize (22), valid bits, channel mask, then the SubFormat GUID.
            if (fmt.Length < 40)
            {
                throw new InvalidDataException($"WAV fmt chunk says WAVE_FORMAT_EXTENSIBLE but is {fmt.Length} bytes; 40 are required.");
            }

            var subFormat = fmt.Slice(24, 16);
            if (!subFormat[2..].SequenceEqual(SubFormatGuidTail))
            {
                throw new InvalidDataException("WAV WAVE_FORMAT_EXTENSIBLE sub-format is neither PCM nor IEEE float.");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(subFormat);
        }

        if (channels is not (1 or 2))
        {
            throw new InvalidDataException($"WAV file has {channels} channels; only mono and stereo are supported.");
        }

        if (rate is 0 or > 768_000)
        {
            throw new InvalidDataException($"WAV sample rate {rate} Hz is out of range.");
        }

        var isFloat = (tag, bits) switch
        {
            (FormatPcm, 16) => false,
            (FormatIeeeFloat, 32) => true,
            _ => throw new InvalidDataException(
                $"WAV encoding (format tag 0x{tag:X4}, {bits} bits) is not supported; use 16-bit PCM or 32-bit IEEE float."),
        };

        var expectedAlign = channels * bits / 8;
        if (blockAlign != expectedAlign)
        {
            throw new InvalidDataException($"WAV block align is {blockAlign}; {channels} channels of {bits} bits need {expectedAlign}.");
        }

        return new WavFormat(new AudioFormat((int)rate, channels), isFloat, blockAlign);
    }

    private static WavAudio Decode(WavFormat format, ReadOnlySpan<byte> data)
    {
        // A trailing partial sample frame (a truncated last write) is dropped.
        var frames = data.Length / format.BlockAlign;
        var samples = new short[frames * format.Audio.Channels];
        if (format.IsFloat)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                var value = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                samples[i] = FloatToPcm16(value);
            }
        }
        else if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, short>(data[..(samples.Length * 2)]).CopyTo(samples);
        }
        else
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]);
            }
        }

        return new WavAudio(format.Audio, samples);
    }

    private static short FloatToPcm16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0;
        }

        var scaled = MathF.Round(value * 32768f);
        return (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
    }

    private static void CheckWritable(AudioFormat format, int sampleCount)
    {
        if (format.Channels is not (1 or 2) || format.SampleRate <= 0)
        {
            throw new ArgumentException($"Cannot write a WAV file for {format}: need a positive rate and 1 or 2 channels.", nameof(format));
        }

        if (sampleCount % format.Channels != 0)
        {
            throw new ArgumentException($"{sampleCount} interleaved samples is not a whole number of {format.Channels}-channel frames.", nameof(sampleCount));
        }
    }

    private static void WriteHeader(Stream stream, AudioFormat format, ushort tag, int bitsPerSample, long dataBytes)
    {
        if (dataBytes > uint.MaxValue - 64)
        {
            throw new ArgumentException("Audio too long for a WAV file (4 GiB limit).", nameof(dataBytes));
        }

        var blockAlign = format.Channels * bitsPerSample / 8;
        Span<byte> header = stackalloc byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], tag);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(format.SampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)bitsPerSample);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
        stream.Write(header);
    }

    private static string Printable(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[id.Length];
        for (var i = 0; i < id.Length; i++)
        {
            chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        }

        return new string(chars);
    }

    private readonly record struct WavFormat(AudioFormat Audio, bool IsFloat, int BlockAlign);
}
