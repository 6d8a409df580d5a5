using System.Buffers;
using System.Buffers.Binary;

namespace ClutchCall.Voice.Speech.Audio;

/// <summary>
/// Reads and writes the canonical RIFF/WAVE container for PCM16 audio, which speech services send
/// and accept. Only what the engines need: format tag 1 (PCM), 16-bit samples.
/// </summary>
internal static class Pcm16Wav
{
    public const int HeaderLength = 44;

    /// <summary>Writes a 44-byte header for <paramref name="dataBytes"/> bytes of PCM16.</summary>
    public static void WriteHeader(Span<byte> destination, int sampleRate, int channels, int dataBytes)
    {
        // RIFF header, then "fmt " chunk of 16 bytes (WAVE_FORMAT_PCM), then "data".
        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(destination[8..]);
        "fmt "u8.CopyTo(destination[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(destination[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(destination[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], sampleRate * channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(destination[32..], (short)(channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(destination[34..], 16);
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[40..], dataBytes);
    }

    /// <summary>Writes a whole WAV file (header and little-endian samples).</summary>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<short> samples, int sampleRate, int channels = 1)
    {
        var bytes = samples.Length * 2;
        var span = writer.GetSpan(HeaderLength + bytes);
        WriteHeader(span, sampleRate, channels, bytes);
        var data = span.Slice(HeaderLength, bytes);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data[(i * 2)..], samples[i]);
        }

        writer.Advance(HeaderLength + bytes);
    }

    /// <summary>
    /// Parses a PCM16 WAV file. Returns false (with a reason) for anything that is not complete,
    /// well-formed 16-bit PCM; never throws. <paramref name="data"/> is a slice of the input.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> file, out int sampleRate, out int channels, out ReadOnlySpan<byte> data, out string? error)
    {
        sampleRate = 0;
        channels = 0;
        data = default;
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            error = "not a RIFF/WAVE file";
            return false;
        }

        var pos = 12;
        var haveFormat = false;
        while (pos + 8 <= file.Length)
        {
            var id = file.Slice(pos, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[(pos + 4)..]);
            var body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > file.Length)
                {
                    error = "truncated fmt chunk";
                    return false;
                }

                var tag = BinaryPrimitives.ReadUInt16LittleEndian(file[body..]);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(file[(body + 2)..]);
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(file[(body + 4)..]);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(file[(body + 14)..]);
                if ((tag != 1 && tag != 0xFFFE) || bits != 16 || channels is < 1 or > 8 || sampleRate is < 1000 or > 384_000)
                {
                    error = $"unsupported WAV format (tag {tag}, {bits} bits, {channels} ch, {sampleRate} Hz); need PCM16";
                    return false;
                }

                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                {
                    error = "data chunk before fmt chunk";
                    return false;
                }

                // Streaming writers put 0 or 0xFFFFFFFF here; take what is present.
                var available = file.Length - body;
                var length = size == 0 || size > (uint)available ? available : (int)size;
                data = file.Slice(body, length & ~1);
                error = null;
                return true;
            }

            if (size > (uint)(file.Length - body))
            {
                break;
            }

            pos = body + (int)size + (int)(size & 1);
        }

        error = haveFormat ? "no data chunk" : "no fmt chunk";
        return false;
    }

    /// <summary>Copies little-endian PCM16 bytes into samples (an odd trailing byte is ignored).</summary>
    public static short[] ToSamples(ReadOnlySpan<byte> data)
    {
        var samples = new short[data.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]);
        }

        return samples;
    }
}
